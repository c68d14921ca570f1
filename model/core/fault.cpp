// fault.cpp - page faults on private anonymous memory (mm/memory.c):
// do_anonymous_page, do_wp_page (reuse or copy), do_swap_page, population.
#include <cassert>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

uint64_t World::read(ProcessId pid, PageNo addr) {
  const Pte* pte = std::as_const(*this).proc(pid).pt.find(addr);  // const: see mutations()
  if (!pte || pte->kind == PteKind::kSwap || pte->kind == PteKind::kMigration)
    handle_fault(pid, addr, /*write=*/false);
  return visible_content(pid, addr);
}

void World::write(ProcessId pid, PageNo addr, uint64_t value) {
  const Pte* pte = std::as_const(*this).proc(pid).pt.find(addr);  // const: see mutations()
  if (!pte || pte->kind != PteKind::kPresent || !pte->writable) {
    handle_fault(pid, addr, /*write=*/true);
    pte = std::as_const(*this).proc(pid).pt.find(addr);
    if (pte && pte->kind == PteKind::kMigration) return;  // waits forever (handle_fault)
  }
  assert(pte && pte->kind == PteKind::kPresent && pte->writable);
  // Not page(): a store into a mapped page changes its contents only.
  memmap_[idx(pte->pfn())].content = value;
}

// Each thread's fault reaches __vmf_anon_prepare under its per-VMA read
// lock, which does not exclude the other. Both read vma->anon_vma before
// either stores it; what the second prepare does then is the design's
// (RmapPolicy::prepare_raced). Which store lands first does not matter to
// the rest of the faults: the VMA is prepared for both.
void World::fault_race(ProcessId pid, PageNo a, uint64_t value_a, PageNo b, uint64_t value_b) {
  const VmaId id = vma_lookup(pid, a);
  if (id != kNoVma && id == vma_lookup(pid, b) && !std::as_const(*this).vma(id).faulted()) {
    cover(Path::kFaultRacePrepare);
    policy().prepare(*this, id);
    policy().prepare_raced(*this, id);
  }
  write(pid, a, value_a);
  write(pid, b, value_b);
}

// The VMA changes of an op hold mmap_lock for write and, for each VMA with
// anon state, the anon_vma write lock while they change vm_start and
// vm_pgoff. The second half of a migration or split (compaction's
// remove_migration_ptes) takes no mmap_lock: only the anon_vma lock keeps
// its walk out, and a walk under it runs wholly before or after. Here it
// runs after the changes, and a walk that takes no lock reads each changed
// VMA's vm_start as it was (walker_start) with its new vm_pgoff.
template <class Fn>
void World::walk_in_the_middle_of(Fn&& change) {
  recording_torn_ = true;
  change();
  recording_torn_ = false;
  end_in_flight();
  torn_.clear();
}

// The fault's stack growth (lock_mm_and_find_vma, expand_downwards) with
// the walk in the middle; then the store's own fault, in the grown stack.
void World::grow_race(ProcessId pid, PageNo addr, uint64_t value) {
  if (std::as_const(*this).migration().active()) {
    const VmaId stack = stack_to_expand(pid, addr);
    assert(stack != kNoVma);  // the op check refuses anything else
    cover(Path::kGrowRaceWalk);
    walk_in_the_middle_of([&] { expand_downwards(stack, addr); });
  }
  write(pid, addr, value);
}

// mprotect with the walk in the middle of its VMA changes: __split_vma
// with new_below (vma_modify splits off the part below the range) moves the
// old struct's vm_start and vm_pgoff up, and a lazy root is that struct.
void World::mprotect_race(ProcessId pid, PageNo addr, PageNo len, uint8_t prot) {
  if (!std::as_const(*this).migration().active()) {
    mprotect(pid, addr, len, prot);
    return;
  }
  cover(Path::kMprotectRaceWalk);
  walk_in_the_middle_of([&] { mprotect(pid, addr, len, prot); });
}

// handle_mm_fault for one page. A fault below a stack grows it first.
void World::handle_fault(ProcessId pid, PageNo addr, bool write) {
  VmaId id = vma_lookup(pid, addr);
  if (id == kNoVma) {
    id = stack_to_expand(pid, addr);
    assert(id != kNoVma);  // the op check rejects accesses that would SIGSEGV
    expand_downwards(id, addr);
  }
  const Pte* pte = proc(pid).pt.find(addr);
  if (!pte) {
    do_anonymous_page(id, addr, write);
    return;
  }
  switch (pte->kind) {
    case PteKind::kPresent:
      if (write && !pte->writable) do_wp_page(id, addr);
      break;
    case PteKind::kZero:
      if (write) wp_page_copy(id, addr);
      break;
    case PteKind::kSwap:
      // folio_lock_or_retry: a swap-cached folio under migration is locked
      // until the migration ends.
      if (swapcache_is_migrating(pte->slot())) wait_for_migration();
      do_swap_page(id, addr, write);
      break;
    case PteKind::kMigration:
      // migration_entry_wait: the access sleeps until the migration ends,
      // then faults again. An entry no migration in flight will restore
      // leaves the task waiting forever: the access does nothing, and the
      // checks after the step report the entry (migration-entry-left).
      if (migration_restores(*pte)) {
        wait_for_migration();
        handle_fault(pid, addr, write);
      }
      break;
  }
}

// do_anonymous_page: a read maps the zero page (no anon state needed); a
// write prepares the anon state and maps a new exclusive folio, large if the
// option asks for it and the aligned range is empty and inside the VMA.
void World::do_anonymous_page(VmaId id, PageNo addr, bool write) {
  const ProcessId pid = vma(id).mm;
  if (!write) {
    cover(Path::kFaultZeroPage);
    proc(pid).pt.set(addr, Pte::zero());
    return;
  }
  policy().prepare(*this, id);
  uint32_t order = options_.large_folio_order;
  PageNo start = addr;
  if (order > 0) {
    const PageNo nr = PageNo{1} << order;
    start = addr & ~(nr - 1);
    const Vma& v = vma(id);
    auto [first, last] = proc(pid).pt.range(start, start + nr);
    if (start < v.start || start + nr > v.end || first != last) {  // thp_vma_suitable_order,
      order = 0;                                                  // pte_range_none
      start = addr;
      cover(Path::kFaultLargeFallback);
    }
  }
  cover(order > 0 ? Path::kFaultLargeFolio : Path::kFaultNewFolio);
  FolioId f = folio_alloc(order);
  folio_add_new_anon_rmap(f, id, start, /*exclusive=*/true);
  const bool writable = vma(id).prot & kProtWrite;
  const Folio& folio_ref = folio(f);
  for (uint32_t i = 0; i < folio_ref.nr_pages(); i++)
    proc(pid).pt.set(start + i, Pte::present(folio_page(folio_ref, i), writable));
}

// wp_page_copy: COW into a new order-0 folio (also for a zero-page PTE and
// for a page of a large folio); the old page loses this mapping.
void World::wp_page_copy(VmaId id, PageNo addr) {
  const ProcessId pid = vma(id).mm;
  policy().prepare(*this, id);
  const Pte old = *proc(pid).pt.find(addr);
  cover(old.kind == PteKind::kZero ? Path::kWpCopyZeroPage : Path::kWpCopy);
  FolioId f = folio_alloc(0);
  const Pfn new_pfn = folio(f).pfn;
  page(new_pfn).content = old.kind == PteKind::kPresent ? page(old.pfn()).content : 0;
  folio_add_new_anon_rmap(f, id, addr, /*exclusive=*/true);
  proc(pid).pt.set(addr, Pte::present(new_pfn, vma(id).prot & kProtWrite));
  if (old.kind == PteKind::kPresent) {
    FolioId old_folio = folio_of(old.pfn());
    folio_remove_rmap_pte(old.pfn(), pid);
    if (folio(old_folio).mapcount == 0) folio_free_swap(old_folio);  // free_swap_cache
    folio_put_if_unused(old_folio);
  }
}

// do_wp_page: a write to a read-only present PTE reuses the page when it is
// provably ours (PageAnonExclusive, or wp_can_reuse_anon_folio), else copies.
void World::do_wp_page(VmaId id, PageNo addr) {
  const ProcessId pid = vma(id).mm;
  Pte& pte = *proc(pid).pt.find(addr);
  const Pfn pfn = pte.pfn();
  const FolioId f = folio_of(pfn);
  bool reuse = page(pfn).anon_exclusive;
  if (!reuse && !folio(f).large()) {
    // Small folio: ours if the only reference left is this mapping, after
    // dropping the swap cache (which needs no swap PTE to refer to it).
    if (folio(f).refcount() <= 1 + (folio(f).in_swapcache ? 1u : 0u)) {
      folio_free_swap(f);
      if (folio(f).refcount() == 1) {
        policy().move_anon(*this, f, id);  // folio_move_anon_rmap
        reuse = true;
        cover(Path::kWpReuseLastRef);
      }
    }
  } else if (!reuse) {
    // Large folio (6.15+ mm ids): more than one page mapped, all by this mm,
    // and no reference other than the mappings. No folio_move_anon_rmap.
    if (folio(f).mapcount > 1 && folio(f).mapping_mms() == 1 &&
        folio(f).mm_mapcount[idx(pid)] == folio(f).mapcount) {
      folio_free_swap(f);
      reuse = folio(f).mapcount == folio(f).refcount();
      if (reuse) cover(Path::kWpReuseLarge);
    }
  }
  if (!reuse) {
    wp_page_copy(id, addr);
    return;
  }
  page(pfn).anon_exclusive = true;
  pte.writable = vma(id).prot & kProtWrite;  // wp_page_reuse: maybe_mkwrite
}

// do_swap_page (6.18, swap file: every read goes through the swap cache).
void World::do_swap_page(VmaId id, PageNo addr, bool write) {
  const ProcessId pid = vma(id).mm;
  const Pte swap_pte = *proc(pid).pt.find(addr);
  const SwapSlotId slot_id = swap_pte.slot();
  FolioId f = slot(slot_id).cache;
  bool fresh = false;
  if (f == kNoFolio) {  // swapin_readahead: read into the swap cache, not anon yet
    cover(Path::kSwapInRead);
    f = folio_alloc(0);
    page(folio(f).pfn).content = slot(slot_id).content;
    folio(f).in_swapcache = true;
    folio(f).swap = slot_id;
    slot(slot_id).cache = f;
    fresh = true;
  }
  bool copied = false;
  if (!fresh) cover(Path::kSwapInCached);
  if (!fresh && folio(f).large() == false && !policy().swapcache_folio_fits(*this, f, id, addr)) {
    // ksm_might_need_to_copy: the cached folio belongs to another anon_vma
    // tree (or index): map a private copy; the original stays cached.
    cover(Path::kSwapInCopy);
    FolioId copy = folio_alloc(0);
    page(folio(copy).pfn).content = page(folio(f).pfn).content;
    f = copy;
    copied = true;
  }
  const bool exclusive = swap_pte.exclusive || copied;
  // swap_free: this PTE's reference to the slot goes.
  assert(slot(slot_id).count > 0);
  slot(slot_id).count--;
  // should_try_to_free_swap: on a write fault when only the swap cache holds
  // the folio (or for a locked VMA).
  Folio& folio_now = folio(f);
  if (folio_now.in_swapcache &&
      ((vma(id).flags & kVmLocked) || (write && folio_now.mapcount == 0 && folio_now.extra_refs() == 0))) {
    cover(Path::kSwapInFreeSwap);
    folio_free_swap(f);
  }
  // Mapped writable (even on a read fault) when exclusive or the only reference.
  const bool only_ref = folio(f).mapcount == 0 && !folio(f).in_swapcache && folio(f).extra_refs() == 0;
  const bool writable_ok = exclusive || only_ref;
  const Pfn pfn = folio(f).pfn;
  if (copied || fresh) {
    // A fresh or copied folio becomes anon here; a non-exclusive one goes to
    // the root anon_vma so every process sharing the swap entry can find it.
    folio_add_new_anon_rmap(f, id, addr, writable_ok);
  } else {
    folio_add_anon_rmap_pte(pfn, pid, writable_ok);
  }
  swap_put_if_unused(slot_id);
  proc(pid).pt.set(addr, Pte::present(pfn, writable_ok && (vma(id).prot & kProtWrite)));
  if (write && !(writable_ok && (vma(id).prot & kProtWrite))) {
    cover(Path::kSwapInWpFault);
    do_wp_page(id, addr);
  }
}

// populate_vma_page_range: writable private VMAs are write-faulted (breaking
// COW, allocating folios); other accessible ones are read-faulted (zero
// page); a PROT_NONE VMA is not touched (GUP refuses it).
void World::populate(VmaId id, PageNo start, PageNo end) {
  const ProcessId pid = vma(id).mm;
  if (vma(id).prot == kProtNone) return;
  const bool write = vma(id).prot & kProtWrite;
  for (PageNo addr = start; addr < end; addr++) {
    const Pte* pte = proc(pid).pt.find(addr);
    if (write) {
      if (!pte || pte->kind != PteKind::kPresent || !pte->writable) handle_fault(pid, addr, true);
    } else if (!pte || pte->kind == PteKind::kSwap || pte->kind == PteKind::kMigration) {
      handle_fault(pid, addr, false);  // GUP of a migration entry waits for it too
    }
  }
}

}  // namespace rmc
