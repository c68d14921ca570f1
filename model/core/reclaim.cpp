// reclaim.cpp - the users of the rmap walk: swap-out (MADV_PAGEOUT and
// shrink_folio_list), migration (move_pages) and folio split. Each unmaps a
// folio from every page table the rmap walk finds; what the walk misses stays
// mapped, exactly as in the kernel, and the checks then see the consequence.
#include <cassert>
#include <utility>
#include <vector>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

// try_to_unmap / try_to_migrate: every mapping the walk finds becomes a swap
// entry for `slot` or a migration entry. The entry carries the page's
// exclusivity (PageAnonExclusive moves into the entry), which
// folio_try_share_anon_rmap_pte refuses to do for a pinned page: the PTE
// stays and the walk stops there (rmap_one returns false). Returns whether
// the folio is now fully unmapped.
bool World::try_to_unmap_folio(FolioId id, bool to_migration, SwapSlotId slot_id) {
  RmapWalk& walk = walk_scratch_;
  walk.clear();
  policy().rmap_walk(*this, id, walk);
  for (const std::string& fault : walk.faults) events_.warnings.push_back("rmap walk: " + fault);
  const Folio f = folio(id);
  bool stopped = false;
  for (const RmapWalk::Visit& visit : walk.visits) {
    if (stopped) break;
    for_each_mapping_in(f, f, visit, [&](ProcessId pid, PageNo, Pte& pte, uint32_t) {
      if (stopped || pte.kind != PteKind::kPresent) return;
      const Pfn pfn = pte.pfn();
      const bool exclusive = page(pfn).anon_exclusive;
      if (exclusive && f.maybe_dma_pinned()) {
        cover(Path::kUnmapPinned);
        stopped = true;
        return;
      }
      if (to_migration) {
        pte = Pte::migration(pfn, pte.writable, exclusive);
      } else {
        pte = Pte::swap(slot_id, exclusive);
        slot(slot_id).count++;  // swap_duplicate
      }
      page(pfn).anon_exclusive = false;
      folio_remove_rmap_pte(pfn, pid);
    });
  }
  return folio(id).mapcount == 0;
}

// remove_migration_ptes(src, dst): walk dst (same mapping and index as src)
// and turn the migration entries that point at src's pages back into PTEs
// mapping dst's pages. With use_shared_zeropage (the split of a folio that
// is not mlocked, src == dst) a page that was never written (all zeros) is
// not mapped again: its entry becomes the shared zero page (6.12+,
// mm/migrate.c try_to_map_unused_to_zeropage), except in a VM_LOCKED VMA.
void World::remove_migration_ptes(FolioId src, FolioId dst, bool use_shared_zeropage) {
  RmapWalk& walk = walk_scratch_;
  walk.clear();
  policy().rmap_walk(*this, dst, walk);
  for (const std::string& fault : walk.faults) events_.warnings.push_back("rmap walk: " + fault);
  const Folio s = folio(src);
  const Folio d = folio(dst);
  for (const RmapWalk::Visit& visit : walk.visits) {
    for_each_mapping_in(s, d, visit, [&](ProcessId pid, PageNo, Pte& pte, uint32_t i) {
      if (pte.kind != PteKind::kMigration) return;
      const Pfn pfn = folio_page(d, i);
      if (use_shared_zeropage && page(pfn).content == 0 && !(vma(visit.vma).flags & kVmLocked)) {
        cover(Path::kSplitToZeroPage);
        pte = Pte::zero();
        return;
      }
      const bool exclusive = pte.writable || pte.exclusive;
      pte = Pte::present(pfn, pte.writable);
      folio_add_anon_rmap_pte(pfn, pid, exclusive);
    });
  }
}

// ---- swap-out -------------------------------------------------------------------

// madvise_cold_or_pageout_pte_range: folios mapped only here (mapcount ==
// nr_pages) are reclaimed; a large folio is split first unless another mm
// maps it (the model swaps out small folios only).
void World::pageout_range(ProcessId pid, PageNo start, PageNo end) {
  const World& self = *this;  // reads: a pageout of nothing changes nothing (mutations())
  for (PageNo addr = start; addr < end; addr++) {
    const Pte* pte = self.proc(pid).pt.find(addr);
    if (!pte || pte->kind != PteKind::kPresent) continue;
    FolioId f = folio_of(pte->pfn());
    if (self.folio(f).large()) {
      if (self.folio(f).mapping_mms() > 1) continue;
      cover(Path::kPageoutSplit);
      split_large_folio(f);
      pte = self.proc(pid).pt.find(addr);
      if (!pte || pte->kind != PteKind::kPresent) continue;
      f = folio_of(pte->pfn());
      if (self.folio(f).large()) continue;  // the split failed (the walk missed a mapping)
    }
    if (self.folio(f).mapcount != self.folio(f).nr_pages()) continue;
    if (self.folio(f).stale_mlock) continue;  // shrink_folio_list: !folio_evictable
    pageout_folio(f);
  }
}

// shrink_folio_list for one small anon folio: add to the swap cache, unmap
// through the rmap walk, write it out. A pinned folio is kept before it gets
// a swap slot; one already in the swap cache stays mapped there (its unmap
// stops at the pinned page). With a swap file the folio is still
// under writeback when MADV_PAGEOUT returns, so it stays in the swap cache
// (option swapcache_after_pageout); otherwise it is freed at once.
void World::pageout_folio(FolioId id) {
  assert(!folio(id).large());
  if (!std::as_const(*this).folio(id).in_swapcache && std::as_const(*this).folio(id).maybe_dma_pinned()) {
    cover(Path::kPageoutPinned);  // shrink_folio_list: keep_locked, before folio_alloc_swap
    return;
  }
  if (!folio(id).in_swapcache) {
    SwapSlotId s = swap_alloc(0);
    folio(id).in_swapcache = true;
    folio(id).swap = s;
    slot(s).cache = id;
  }
  const SwapSlotId s = folio(id).swap;
  if (!try_to_unmap_folio(id, /*to_migration=*/false, s)) return;  // kept, still cached
  slot(s).content = page(folio(id).pfn).content;  // pageout(): written to swap
  if (options_.swapcache_after_pageout) {
    cover(Path::kPageoutCached);
    return;
  }
  cover(Path::kPageoutFreed);
  slot(s).cache = kNoFolio;  // __remove_mapping
  folio(id).in_swapcache = false;
  folio(id).swap = kNoSlot;
  swap_put_if_unused(s);
  folio_put_if_unused(id);
}

// ---- migration ---------------------------------------------------------------------

// migrate_pages for one folio: unmap to migration entries, copy into a new
// folio with the same mapping and index, restore the entries through a walk
// of the new folio. If the unmap walk missed a mapping the migration fails
// and the old folio is restored.
void World::migrate_folio(FolioId src) {
  const Migration m = migrate_folio_start(src);
  if (m.active()) migrate_folio_finish(m);
}

// migrate_folio_unmap + move_to_new_folio: the first half of a migration.
// folio_get_anon_vma takes a reference on what src->mapping names before
// the unmap (the policy's migration_get); the copy gets src's mapping and
// index (folio_migrate_mapping), so the second half walks with the mapping
// src had *now*, whatever happens to src's mapping meanwhile. Returns an
// inactive Migration if the unmap walk missed a mapping (the old folio is
// restored, as migrate_folio_undo_src does).
Migration World::migrate_folio_start(FolioId src) {
  folio(src).pins++;  // isolated from the LRU
  const MappingWord held = policy().migration_get(*this, folio(src).mapping);
  if (!try_to_unmap_folio(src, /*to_migration=*/true, kNoSlot)) {
    remove_migration_ptes(src, src);
    policy().migration_put(*this, held);
    folio(src).pins--;
    return {};
  }
  cover(Path::kMigrateFolio);
  FolioId dst = folio_alloc(folio(src).order);
  Folio& s = folio(src);
  Folio& d = folio(dst);
  d.pins++;  // the migration's reference until the entries are restored
  d.mapping = s.mapping;
  d.index = s.index;
  d.stale_mlock = s.stale_mlock;
  for (uint32_t i = 0; i < s.nr_pages(); i++) page(folio_page(d, i)).content = page(folio_page(s, i)).content;
  if (s.in_swapcache) {  // the swap cache moves with the data
    d.in_swapcache = true;
    d.swap = s.swap;
    slot(s.swap).cache = dst;
    s.in_swapcache = false;
    s.swap = kNoSlot;
  }
  return {src, dst, held};
}

// The second half: remove_migration_ptes(src, dst), put_anon_vma, then the
// old folio goes, and the copy too if no entry was restored into it.
void World::migrate_folio_finish(const Migration& m) {
  remove_migration_ptes(m.src, m.dst);
  policy().migration_put(*this, m.held);
  folio(m.dst).pins--;
  folio(m.src).pins--;
  folio_put_if_unused(m.src);
  folio_put_if_unused(m.dst);
}

void World::migrate(ProcessId pid, PageNo addr, PageNo len) {
  const World& self = *this;  // reads: a migration of nothing changes nothing (mutations())
  std::vector<FolioId> folios;
  auto [first, last] = self.proc(pid).pt.range(addr, addr + len);
  for (auto* e = first; e != last; ++e) {
    if (e->pte.kind != PteKind::kPresent) continue;
    FolioId f = folio_of(e->pte.pfn());
    if (folios.empty() || folios.back() != f) folios.push_back(f);
  }
  for (FolioId f : folios)
    if (self.folio(f).alive && self.folio(f).mapcount > 0) migrate_folio(f);
}

void World::migrate_begin(ProcessId pid, PageNo addr) {
  const World& self = *this;  // reads: nothing to migrate changes nothing (mutations())
  if (self.migration().active()) end_in_flight();  // at most one in flight
  const Pte* pte = self.proc(pid).pt.find(addr);
  if (!pte || pte->kind != PteKind::kPresent) return;
  const FolioId f = folio_of(pte->pfn());
  if (!self.folio(f).alive || self.folio(f).mapcount == 0) return;
  cover(Path::kMigrateBegin);
  migration_ = migrate_folio_start(f);
  mutations_++;  // migration_ is state
}

void World::migrate_end() {
  const Migration& in_flight = std::as_const(*this).migration();
  if (!in_flight.active() || in_flight.split) return;  // no migration in flight: nothing changes
  cover(Path::kMigrateEnd);
  const Migration m = migration_;
  migration_ = Migration{};
  mutations_++;
  migrate_folio_finish(m);
}

void World::wait_for_migration() {
  cover(Path::kMigrationWait);
  end_in_flight();
}

void World::end_in_flight() {
  if (std::as_const(*this).migration().split)
    split_end();
  else
    migrate_end();
}

// ---- folio split --------------------------------------------------------------------

// PG_mlocked, as the model sees it: a stale mlock (folio.h), or a
// VM_LOCKED VMA maps every page of the folio (mlock_folio marks a folio
// mapped into a VM_LOCKED VMA, but mlock_pte_range's allow_mlock_munlock
// skips a large folio that is not wholly inside the range; a child's copy
// of a locked VMA is unlocked but maps the same, still mlocked, folio).
bool World::folio_mlocked(FolioId id) {
  if (folio(id).stale_mlock) return true;
  RmapWalk& walk = walk_scratch_;
  walk.clear();
  policy().rmap_walk(*this, id, walk);
  const Folio f = folio(id);
  for (const RmapWalk::Visit& visit : walk.visits) {
    if (!(vma(visit.vma).flags & kVmLocked)) continue;
    uint32_t mapped = 0;
    for_each_mapping_in(f, f, visit, [&](ProcessId, PageNo, Pte&, uint32_t) { mapped++; });
    if (mapped == f.nr_pages()) return true;
  }
  return false;
}

// split_folio (__folio_split): a folio with references other than its
// mappings (a pin) is not split at all (can_split_folio, before the unmap:
// -EAGAIN). Otherwise, as a migration does: folio_get_anon_vma (the policy's
// migration_get: the lock the split holds is on what folio->mapping names
// now), unmap the large folio to migration entries, then (the second half)
// make every page a small folio with the same mapping and index + i (same
// pfns), and remap each (remap_page with RMP_USE_SHARED_ZEROPAGE: pages
// never written become the shared zero page, unless the folio is mlocked or
// the VMA that maps the page is VM_LOCKED).
void World::split_large_folio(FolioId id) {
  const Migration m = split_folio_start(id);
  if (m.active()) split_folio_finish(m);
}

Migration World::split_folio_start(FolioId id) {
  assert(folio(id).large() && !folio(id).in_swapcache);
  if (std::as_const(*this).folio(id).maybe_dma_pinned()) {
    cover(Path::kSplitPinned);
    return {};
  }
  const bool mlocked = folio_mlocked(id);
  folio(id).pins++;
  const MappingWord held = policy().migration_get(*this, folio(id).mapping);
  if (!try_to_unmap_folio(id, /*to_migration=*/true, kNoSlot)) {
    remove_migration_ptes(id, id);
    policy().migration_put(*this, held);
    folio(id).pins--;
    return {};
  }
  cover(Path::kSplitFolio);
  Migration m;
  m.src = m.dst = id;
  m.held = held;
  m.split = true;
  m.mlocked = mlocked;
  return m;
}

// __split_unmapped_folio and remap_page: the pieces take the mapping the
// large folio has now, and each is mapped back through its own walk.
void World::split_folio_finish(const Migration& m) {
  const Folio large = folio(m.src);
  std::vector<FolioId> pieces;
  for (uint32_t i = 0; i < large.nr_pages(); i++) {
    FolioId piece{static_cast<uint32_t>(folios_.size())};
    Folio f;
    f.id = piece;
    f.pfn = folio_page(large, i);
    f.order = 0;
    f.mapping = large.mapping;
    f.stale_mlock = large.stale_mlock;  // __split_folio_to_order copies PG_mlocked
    f.index = large.index + i;
    mutations_++;
    folios_.push_back(f);
    page(f.pfn).folio = piece;
    live_folios_++;
    pieces.push_back(piece);
  }
  Folio& old = folio(m.src);
  old.pins--;
  old.alive = false;  // its pages now belong to the pieces
  live_folios_--;
  for (FolioId piece : pieces) {
    remove_migration_ptes(piece, piece, /*use_shared_zeropage=*/!m.mlocked);
    folio_put_if_unused(piece);
  }
  policy().migration_put(*this, m.held);
}

void World::split_begin(ProcessId pid, PageNo addr) {
  const World& self = *this;  // reads: nothing to split changes nothing (mutations())
  if (self.migration().active()) end_in_flight();  // at most one in flight
  const Pte* pte = self.proc(pid).pt.find(addr);
  if (!pte || pte->kind != PteKind::kPresent) return;
  const FolioId f = folio_of(pte->pfn());
  if (!self.folio(f).large()) return;
  cover(Path::kSplitBegin);
  migration_ = split_folio_start(f);
  mutations_++;  // migration_ is state
}

void World::split_end() {
  const Migration& in_flight = std::as_const(*this).migration();
  if (!in_flight.active() || !in_flight.split) return;  // no split in flight: nothing changes
  cover(Path::kSplitEnd);
  const Migration m = migration_;
  migration_ = Migration{};
  mutations_++;
  split_folio_finish(m);
}

void World::split_folio(ProcessId pid, PageNo addr) {
  const World& self = *this;  // reads: splitting a small folio changes nothing (mutations())
  const Pte* pte = self.proc(pid).pt.find(addr);
  if (!pte || pte->kind != PteKind::kPresent) return;
  FolioId f = folio_of(pte->pfn());
  if (self.folio(f).large()) split_large_folio(f);
}

}  // namespace rmc
