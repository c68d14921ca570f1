// userfaultfd.cpp - UFFDIO_MOVE (mm/userfaultfd.c move_pages, 6.18): the one
// path besides KSM that rewrites folio->index of a mapped folio, and, with
// the COW reuse, the one that calls folio_move_anon_rmap.
//
// The op is what a program does to use it: register the VMA at DST with a
// userfaultfd (UFFDIO_REGISTER_MODE_MISSING over the whole VMA, so nothing
// splits), UFFDIO_MOVE with UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, unregister.
// The registration matters: while the destination carries VM_UFFD_MISSING,
// its anon_vma_prepare cannot reuse a neighbour's anon_vma
// (anon_vma_compatible compares the flags). Registering cannot merge (no
// neighbour is registered); unregistering is a vma_modify of the whole VMA
// back to its flags, which merges it with a neighbour it was left apart
// from (corpus/kernel/uffd_unregister_merges.trace).
//
// Errors are not refusals here: move_pages prepares the destination's anon
// rmap before it validates anything and moves page by page, so it changes
// the world before most of its errors. The op always runs; its effect is
// what the kernel leaves, and the pages it got through are its result.
#include <fmt/format.h>

#include <cassert>
#include <cerrno>
#include <utility>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

// validate_move_areas and move_pages' range checks (-EINVAL): both ranges
// inside one VMA each; the same access flags (and so page protection) and
// VM_LOCKED; writable. Every model VMA is private and anonymous
// (vma_is_anonymous, /dev/zero's too) and move-compatible.
namespace {

bool validate_move_areas(const World& w, VmaId src_vma, VmaId dst_vma, PageNo src, PageNo dst, PageNo len) {
  const Vma& s = w.vma(src_vma);
  const Vma& d = w.vma(dst_vma);
  if (src + len > s.end || dst + len > d.end) return false;
  if (s.prot != d.prot) return false;
  if ((s.flags & kVmLocked) != (d.flags & kVmLocked)) return false;
  return s.prot & kProtWrite;
}

}  // namespace

// move_pages_pte for one page: 0, or -errno. -EAGAIN follows a wait (for a
// migration, a split), and move_pages tries the page again. An -EAGAIN that
// no wait resolves would be retried for ever: the model reports it
// (no-progress) and stops with -EINTR, as a fatal signal would.
int World::move_pages_pte(VmaId dst_vma, PageNo dst, PageNo src) {
  const ProcessId pid = std::as_const(*this).vma(dst_vma).mm;
  const World& self = *this;  // reads until something moves (mutations())
  if (self.proc(pid).pt.find(dst)) {
    cover(Path::kUffdMoveExists);
    return -EEXIST;
  }
  const Pte* found = self.proc(pid).pt.find(src);
  if (!found) return 0;  // a hole: ALLOW_SRC_HOLES counts it as moved
  const Pte pte = *found;
  switch (pte.kind) {
    case PteKind::kZero:  // move_zeropage_pte
      cover(Path::kUffdMoveZeroPage);
      proc(pid).pt.clear(src);
      proc(pid).pt.set(dst, Pte::zero());
      return 0;
    case PteKind::kMigration:
      // migration_entry_wait, then -EAGAIN. An entry no migration in flight
      // will restore leaves the task waiting for ever, as a fault on it
      // does (fault.cpp): the move stops, and the checks after the step
      // report the entry (migration-entry-left).
      if (!self.migration_restores(pte)) return -EINTR;
      wait_for_migration();
      return -EAGAIN;
    case PteKind::kSwap: {
      if (!pte.exclusive) {
        cover(Path::kUffdMoveBusy);
        return -EBUSY;  // the entry may be shared
      }
      const FolioId cached = self.slot(pte.slot()).cache;
      if (cached != kNoFolio && self.swapcache_is_migrating(pte.slot())) {
        wait_for_migration();  // folio_lock waits for the migration to end
        return -EAGAIN;
      }
      // move_swap_pte: a folio in the swap cache is re-pointed too, so that
      // a swap-in at the destination finds it where it now belongs (B19).
      if (cached != kNoFolio) {
        assert(!self.folio(cached).large());  // the swap cache holds small folios only
        cover(Path::kUffdMoveSwapCache);
        policy().move_anon(*this, cached, dst_vma);  // folio_move_anon_rmap
        folio(cached).index = geom::linear_page_index(vma(dst_vma).start, vma(dst_vma).pgoff, dst);
      }
      cover(Path::kUffdMoveSwap);
      proc(pid).pt.clear(src);
      proc(pid).pt.set(dst, pte);
      return 0;
    }
    case PteKind::kPresent: break;
  }
  const Pfn pfn = pte.pfn();
  const FolioId f = folio_of(pfn);
  // PageAnonExclusive(&folio->page): of the folio's first page, which for a
  // large folio need not be the page at SRC, nor mapped at all.
  if (!self.page(self.folio(f).pfn).anon_exclusive) {
    cover(Path::kUffdMoveBusy);
    return -EBUSY;  // shared with a fork child
  }
  if (self.folio(f).large()) {  // split_folio, then look again
    split_large_folio(f);
    if (self.folio(folio_of(pfn)).large()) {
      // A pinned folio cannot be split, and the move fails with -EBUSY.
      // Measured on 6.18.44 (corpus/kernel/pin_large_folio.trace):
      // one failed split (hugepages-16kB/stats/split_failed + 1), then
      // EBUSY, though the 6.14-6.17 source read hands the split's -EAGAIN
      // back to move_pages, which would retry it for ever.
      if (self.folio(f).maybe_dma_pinned()) {
        cover(Path::kUffdMovePinned);
        return -EBUSY;
      }
      // Otherwise the split's unmap missed a mapping (a design's rmap bug):
      // move_pages retries -EAGAIN until a fatal signal.
      events_.no_progress.push_back(fmt::format(
          "UFFDIO_MOVE retries -EAGAIN for ever at P{}:{:#x}: split_folio fails (its unmap misses a mapping)",
          idx(pid), src));
      return -EINTR;
    }
    cover(Path::kUffdMoveSplit);
    return -EAGAIN;
  }
  if (self.folio(f).maybe_dma_pinned()) {  // move_present_pte
    cover(Path::kUffdMovePinned);
    return -EBUSY;
  }
  assert(self.page(pfn).anon_exclusive);  // a small folio: its first page is this one
  if (!policy().uffd_move_can_lock(*this, f)) {
    events_.no_progress.push_back(fmt::format(
        "UFFDIO_MOVE retries -EAGAIN for ever at P{}:{:#x}: folio_get_anon_vma finds no anon_vma in "
        "folio->mapping {}",
        idx(pid), src, self.policy().describe_mapping(self, self.folio(f).mapping)));
    return -EINTR;
  }
  // move_present_pte: the folio now belongs to the destination.
  cover(Path::kUffdMovePresent);
  proc(pid).pt.clear(src);
  policy().move_anon(*this, f, dst_vma);  // folio_move_anon_rmap
  folio(f).index = geom::linear_page_index(vma(dst_vma).start, vma(dst_vma).pgoff, dst);
  proc(pid).pt.set(dst, Pte::present(pfn, /*writable=*/true));  // pte_mkwrite: the VMA is writable
  return 0;
}

PageNo World::uffd_move(ProcessId pid, PageNo src, PageNo len, PageNo dst) {
  // UFFDIO_REGISTER needs a VMA at DST; without one the program cannot
  // register, and UFFDIO_MOVE alone fails before changing anything.
  const VmaId dst_vma = vma_lookup(pid, dst);
  if (dst_vma == kNoVma) {
    events_.uffd_move_result = -ENOENT;
    return 0;
  }
  const VmFlags flags = std::as_const(*this).vma(dst_vma).flags;
  assert(!(flags & kVmUffdMissing));
  // UFFDIO_REGISTER (userfaultfd_register_range): the whole VMA, so no
  // split, and no neighbour carries the flag, so no merge.
  [[maybe_unused]] const VmaId registered =
      vma_modify(dst_vma, vma(dst_vma).start, vma(dst_vma).end, vma(dst_vma).prot, flags | kVmUffdMissing);
  assert(registered == dst_vma);
  vma(dst_vma).flags = flags | kVmUffdMissing;
  // find_vma_and_prepare_anon: the destination's anon rmap comes first.
  policy().prepare(*this, dst_vma);
  const VmaId src_vma = vma_lookup(pid, src);
  PageNo moved = 0;
  int err = 0;
  if (src_vma == kNoVma) {
    cover(Path::kUffdMoveInvalid);
    err = -ENOENT;
  } else if (!validate_move_areas(*this, src_vma, dst_vma, src, dst, len)) {
    cover(Path::kUffdMoveInvalid);
    err = -EINVAL;
  } else {
    // Page by page until one fails. A retry follows a wait that resolved
    // something: the migration in flight ended (its copy may be large), a
    // large folio split. So a page is tried at most three times.
    for (uint32_t tries = 1; moved < len; tries++) {
      assert(tries <= 3);
      err = move_pages_pte(dst_vma, dst + moved, src + moved);
      if (err == -EAGAIN) continue;
      if (err) break;
      moved++;
      tries = 0;
    }
  }
  // What the ioctl returns: "moved ? moved : err", in pages.
  events_.uffd_move_result = moved ? static_cast<int64_t>(moved) : err;
  // UFFDIO_UNREGISTER: userfaultfd_clear_vma -> vma_modify_flags_uffd over
  // the whole VMA, back to its flags.
  const VmaId target = vma_modify(dst_vma, vma(dst_vma).start, vma(dst_vma).end, vma(dst_vma).prot, flags);
  if (target != dst_vma) cover(Path::kUffdUnregisterMerge);  // the whole middle merged away
  vma(target).flags = flags;
  return moved;
}

}  // namespace rmc
