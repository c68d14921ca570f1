// fork.cpp - fork (kernel/fork.c dup_mmap + mm/memory.c copy_page_range) and
// exit (exit_mmap).
#include <cassert>
#include <vector>

#include "model/core/world.h"

namespace rmc {

// dup_mmap: each parent VMA in address order is copied (or skipped for
// VM_DONTCOPY, or left empty for VM_WIPEONFORK); anon_vma_fork links the copy
// into the rmap, then that VMA's page tables are copied.
void World::fork(ProcessId parent, ProcessId child) {
  Process& c = proc(child);
  assert(proc(parent).live() && c.state == ProcessState::kUnused);
  c.state = ProcessState::kLive;
  c.start_brk = proc(parent).start_brk;
  c.brk = proc(parent).brk;
  policy().fork_mm(*this, parent, child);
  // The parent's list does not change while the child's is built.
  for (VmaId pid_vma : proc(parent).vmas) {
    const Vma& p = vma(pid_vma);
    if (p.flags & kVmDontcopy) {
      cover(Path::kForkDontcopy);
      continue;
    }
    VmaId copy = vma_dup(pid_vma);
    vma(copy).mm = child;
    const bool wipe = vma(copy).flags & kVmWipeonfork;
    if (wipe) {
      cover(Path::kForkWipeonfork);
      vma(copy).anon = kNoAnon;
    } else {
      if (vma(pid_vma).faulted()) cover(Path::kForkCopyVma);
      policy().fork(*this, copy, pid_vma);
    }
    vma(copy).flags &= static_cast<VmFlags>(~kVmLocked);  // VM_LOCKED_MASK is not inherited
    vma_link(copy);
    if (!wipe) copy_page_range(copy, pid_vma);
  }
}

// copy_page_range: only VMAs with anon state have page tables worth copying
// (vma_needs_copy). Anon pages become shared: PageAnonExclusive is cleared,
// writable PTEs are write-protected in both; swap entries lose their
// exclusive marker in the parent too. An exclusive page of a pinned folio is
// the exception: folio_try_dup_anon_rmap_pte refuses to share it, and the
// child gets a copy (for a large folio, page by page: the batch fails, and
// copy_pte_range retries each page with a preallocated one).
void World::copy_page_range(VmaId child_vma, VmaId parent_vma) {
  const Vma& p = vma(parent_vma);
  if (!p.faulted()) return;
  const ProcessId parent = p.mm, child = vma(child_vma).mm;
  PageTable& ppt = proc(parent).pt;
  PageTable& cpt = proc(child).pt;
  auto [first, last] = ppt.range(p.start, p.end);
  for (auto* e = first; e != last; ++e) {
    Pte& pte = e->pte;
    switch (pte.kind) {
      case PteKind::kZero: cpt.set(e->page, pte); break;
      case PteKind::kPresent:
        if (page(pte.pfn()).anon_exclusive && folio(folio_of(pte.pfn())).maybe_dma_pinned()) {
          copy_present_page(child_vma, e->page, pte.pfn());
          break;
        }
        cover(Path::kForkSharePage);
        policy().fork_page(*this, folio_of(pte.pfn()), parent_vma);
        page(pte.pfn()).anon_exclusive = false;
        folio_add_anon_rmap_pte(pte.pfn(), child, /*exclusive=*/false);
        pte.writable = false;
        cpt.set(e->page, pte);
        break;
      case PteKind::kSwap:
        cover(Path::kForkShareSwap);
        slot(pte.slot()).count++;  // swap_duplicate
        pte.exclusive = false;
        cpt.set(e->page, pte);
        break;
      case PteKind::kMigration:
        pte.writable = false;  // becomes a plain readable entry in both
        pte.exclusive = false;
        cpt.set(e->page, pte);
        break;
    }
  }
}

// copy_present_page: the child's page becomes a new exclusive order-0 folio
// with the same contents, mapped writable if the VMA is (maybe_mkwrite); the
// parent keeps its pinned page as it was, exclusive and writable. No
// try_dup_anon_rmap: the policy's fork_page does not see the parent's folio.
void World::copy_present_page(VmaId child_vma, PageNo addr, Pfn parent_pfn) {
  cover(Path::kForkCopyPinned);
  const FolioId copy = folio_alloc(0);
  const Pfn pfn = folio(copy).pfn;
  page(pfn).content = page(parent_pfn).content;
  folio_add_new_anon_rmap(copy, child_vma, addr, /*exclusive=*/true);
  proc(vma(child_vma).mm).pt.set(addr, Pte::present(pfn, vma(child_vma).prot & kProtWrite));
}

// do_exit: exit_mm tears the address space down, then exit_files closes the
// io_uring ring, whose release unpins its buffers.
void World::exit(ProcessId pid) {
  assert(proc(pid).live());
  exit_mmap(pid);
  unpin_all(pid);
  proc(pid).state = ProcessState::kExited;
}

// exit_mmap: zap every VMA, then unlink their anon state in address order,
// then free them.
void World::exit_mmap(ProcessId pid) {
  Process& p = proc(pid);
  cover(Path::kExitMmap);
  policy().exit_mm(*this, pid);
  const std::vector<VmaId>& vmas = p.vmas;
  for (VmaId id : vmas) zap_range(pid, vma(id).start, vma(id).end);
  assert(p.pt.empty());
  for (VmaId id : vmas)
    if (vma(id).faulted()) policy().unlink(*this, id);
  for (VmaId id : vmas) vma_free(id);
  p.vmas.clear();
}

}  // namespace rmc
