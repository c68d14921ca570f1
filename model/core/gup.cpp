// gup.cpp - long-term pins: pin_user_pages(FOLL_WRITE | FOLL_LONGTERM), as
// io_uring's IORING_REGISTER_BUFFERS takes them (io_uring/rsrc.c
// io_pin_pages), and their release.
//
// A pin is a reference on the folio that makes folio_maybe_dma_pinned true.
// What it changes elsewhere, each where the kernel decides it:
//   fork     copy_present_ptes: an exclusive page of a pinned folio is copied
//            for the child instead of shared (fork.cpp);
//   unmap    try_to_unmap_one / try_to_migrate_one cannot share a pinned
//            exclusive page, so swap-out and migration leave it mapped
//            (reclaim.cpp);
//   split    can_split_folio sees the extra references (reclaim.cpp);
//   move     UFFDIO_MOVE refuses it with EBUSY (userfaultfd.cpp).
// A pinned folio outlives its mappings (munmap, MADV_DONTNEED, exit): nobody
// maps it and no rmap walk reaches it until unpin frees it.
#include <cassert>
#include <utility>

#include "model/core/bounds.h"
#include "model/core/world.h"

namespace rmc {

// __get_user_pages with FOLL_WRITE: a page that is not present and writable
// is write-faulted first (a new folio, COW broken, swap-in), so the page
// pinned is always PageAnonExclusive (FOLL_PIN must not pin a shared anon
// page: gup_must_unshare). The op check has made sure that every page lies in
// a writable VMA, so the fault never fails; a migration entry that no
// migration will restore leaves GUP waiting, as it leaves a write waiting.
void World::pin(ProcessId pid, PageNo addr, PageNo len) {
  assert(proc(pid).pinned.size() + len <= kMaxPinnedPages);
  for (PageNo page = addr; page < addr + len; page++) {
    const Pte* pte = std::as_const(*this).proc(pid).pt.find(page);
    if (!pte || pte->kind != PteKind::kPresent || !pte->writable) {
      handle_fault(pid, page, /*write=*/true);
      pte = std::as_const(*this).proc(pid).pt.find(page);
      if (!pte || pte->kind != PteKind::kPresent) return;  // waits forever (handle_fault)
    }
    assert(pte->writable && std::as_const(*this).page(pte->pfn()).anon_exclusive);
    const Pfn pfn = pte->pfn();
    cover(Path::kPinPage);
    folio(folio_of(pfn)).dma_pins++;
    proc(pid).pinned.push_back(pfn);
  }
}

// unpin_user_pages of every page the process pinned (IORING_UNREGISTER_
// BUFFERS, or the ring's release at exit and exec). A folio whose mappings
// went while it was pinned is freed here.
void World::unpin_all(ProcessId pid) {
  if (std::as_const(*this).proc(pid).pinned.empty()) return;  // nothing pinned: no change (mutations())
  cover(Path::kUnpin);
  for (Pfn pfn : proc(pid).pinned) {
    const FolioId f = folio_of(pfn);
    assert(folio(f).alive && folio(f).dma_pins > 0);
    folio(f).dma_pins--;
    folio_put_if_unused(f);
  }
  proc(pid).pinned.clear();
}

}  // namespace rmc
