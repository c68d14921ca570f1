// world.cpp - object lifetime, lookups and the folio/rmap bookkeeping every
// operation shares.
#include "model/core/world.h"

#include <algorithm>
#include <cassert>

#include "model/core/geometry.h"

namespace rmc {

World::World(std::unique_ptr<RmapPolicy> policy, ModelOptions options)
    : policy_(std::move(policy)), options_(options) {
  procs_.resize(kMaxProcesses);
  // Room for a fuzz-sized trace up front: a world per trace (replay, the
  // kernel oracle's timing) otherwise spends a third of its time growing
  // these from empty. reset() keeps the capacity.
  vmas_.reserve(64);
  folios_.reserve(64);
  memmap_.reserve(128);
  reset();
}

void World::reset() {
  vmas_.clear();
  folios_.clear();
  memmap_.clear();
  slots_.clear();
  for (Process& p : procs_) p.reset();
  procs_[0].state = ProcessState::kLive;
  memmap_.push_back(PageState{});  // pfn 0: the shared zero page
  live_vmas_ = 0;
  live_folios_ = 0;
  events_.clear();
  migration_ = Migration{};
  torn_.clear();
  recording_torn_ = false;
  lazy_enabled_ = true;
  policy().reset();
}

void World::set_lazy_enabled(bool on) {
  if (lazy_enabled_ == on) return;  // no change (mutations())
  mutations_++;
  lazy_enabled_ = on;
}

// ---- lookups ----------------------------------------------------------------

namespace {

// Index of `id` in its mm's list. The hint is where the last lookup
// landed; walking the list with vma_next lands one further on.
size_t position_in_mm(const World& w, VmaId id) {
  const Vma& v = w.vma(id);
  const Process& p = w.proc(v.mm);
  const std::vector<VmaId>& list = p.vmas;
  for (size_t guess : {p.lookup_hint, p.lookup_hint + 1, p.lookup_hint - 1})
    if (guess < list.size() && list[guess] == id) return p.lookup_hint = guess;
  size_t i = w.first_ending_after_search(p, v.start);
  assert(i < list.size() && list[i] == id);
  return i;
}

}  // namespace

size_t World::first_ending_after_search(const Process& p, PageNo addr) const {
  const std::vector<VmaId>& list = p.vmas;
  auto it = std::partition_point(list.begin(), list.end(), [&](VmaId id) { return vma(id).end <= addr; });
  p.lookup_hint = static_cast<size_t>(it - list.begin());
  return p.lookup_hint;
}

VmaId World::vma_prev(VmaId id) const {
  size_t i = position_in_mm(*this, id);
  return i > 0 ? proc(vma(id).mm).vmas[i - 1] : kNoVma;
}

VmaId World::vma_next(VmaId id) const {
  size_t i = position_in_mm(*this, id);
  const std::vector<VmaId>& list = proc(vma(id).mm).vmas;
  return i + 1 < list.size() ? list[i + 1] : kNoVma;
}

bool World::range_mapped(ProcessId pid, PageNo start, PageNo len) const {
  PageNo addr = start;
  while (addr < start + len) {
    VmaId id = vma_lookup(pid, addr);
    if (id == kNoVma) return false;
    addr = vma(id).end;
  }
  return true;
}

uint64_t World::visible_content(ProcessId pid, PageNo addr) const {
  const Pte* pte = proc(pid).pt.find(addr);
  return pte ? content_of(*pte) : 0;
}

uint64_t World::content_of(const Pte& pte) const {
  switch (pte.kind) {
    case PteKind::kPresent:
    case PteKind::kMigration: return page(pte.pfn()).content;
    case PteKind::kZero: return 0;
    case PteKind::kSwap: return slot(pte.slot()).content;
  }
  return 0;
}

// ---- VMA lifetime -------------------------------------------------------------

VmaId World::vma_alloc(ProcessId pid, PageNo start, PageNo end, PageNo pgoff, uint8_t prot,
                       VmFlags flags) {
  assert(start < end && end <= kArenaPages);
  assert(vmas_.size() < kMaxObjectsPerWorld);
  mutations_++;
  VmaId id{static_cast<uint32_t>(vmas_.size())};
  Vma v;
  v.id = id;
  v.mm = pid;
  v.start = start;
  v.end = end;
  v.pgoff = pgoff;
  v.prot = prot;
  v.flags = flags;
  vmas_.push_back(v);
  live_vmas_++;
  return id;
}

VmaId World::vma_dup(VmaId src) {
  assert(vma(src).alive);
  Vma copy = vma(src);
  mutations_++;
  VmaId id{static_cast<uint32_t>(vmas_.size())};
  copy.id = id;
  vmas_.push_back(copy);
  live_vmas_++;
  return id;
}

void World::vma_link(VmaId id) {
  const Vma& v = vma(id);
  std::vector<VmaId>& list = proc(v.mm).vmas;
  assert(list.size() < kMaxVmasPerProcess);
  size_t i = first_ending_after(proc(v.mm), v.start);
  assert(i == list.size() || vma(list[i]).start >= v.end);  // no overlap
  assert(i == 0 || vma(list[i - 1]).end <= v.start);
  list.insert(list.begin() + static_cast<ptrdiff_t>(i), id);
}

void World::vma_unlink_from_mm(VmaId id) {
  std::vector<VmaId>& list = proc(vma(id).mm).vmas;
  size_t i = position_in_mm(*this, id);
  list.erase(list.begin() + static_cast<ptrdiff_t>(i));
}

void World::vma_free(VmaId id) {
  Vma& v = vma(id);
  assert(v.alive && v.anon == kNoAnon);  // unlink_anon_vmas ran first
  v.alive = false;
  live_vmas_--;
}

void World::vma_set_range(VmaId id, PageNo start, PageNo end, PageNo pgoff) {
  assert(start < end);
  bool anon = vma(id).faulted();
  if (anon) policy().range_will_change(*this, id);
  Vma& v = vma(id);
  if (recording_torn_ && v.start != start &&
      std::none_of(torn_.begin(), torn_.end(), [&](const TornRead& t) { return t.vma == id; }))
    torn_.push_back({id, v.start});  // S5: what a walker without the lock may still read
  v.start = start;
  v.end = end;
  v.pgoff = pgoff;
  if (anon) policy().range_changed(*this, id);
}

// ---- folios and swap ------------------------------------------------------------

FolioId World::folio_alloc(uint32_t order) {
  assert(order <= kMaxFolioOrder);
  assert(folios_.size() < kMaxObjectsPerWorld && memmap_.size() < kMaxObjectsPerWorld);
  mutations_++;
  FolioId id{static_cast<uint32_t>(folios_.size())};
  Folio f;
  f.id = id;
  f.pfn = Pfn{static_cast<uint32_t>(memmap_.size())};
  f.order = static_cast<uint8_t>(order);
  folios_.push_back(f);
  for (uint32_t i = 0; i < (1u << order); i++) memmap_.push_back(PageState{id, 0, 0, false});
  live_folios_++;
  return id;
}

void World::folio_free(FolioId id) {
  Folio& f = folio(id);
  assert(f.alive && f.refcount() == 0);
  f.alive = false;
  live_folios_--;
}

void World::folio_put_if_unused(FolioId id) {
  if (folio(id).alive && folio(id).refcount() == 0) folio_free(id);
}

SwapSlotId World::swap_alloc(uint64_t content) {
  assert(slots_.size() < kMaxObjectsPerWorld);
  mutations_++;
  SwapSlotId id{static_cast<uint32_t>(slots_.size())};
  SwapSlot s;
  s.content = content;
  slots_.push_back(s);
  return id;
}

// A slot lives while swap PTEs refer to it or a folio caches it.
void World::swap_put_if_unused(SwapSlotId id) {
  SwapSlot& s = slot(id);
  if (s.alive && s.count == 0 && s.cache == kNoFolio) s.alive = false;
}

// folio_add_new_anon_rmap: a new folio is mapped at `addr` in `vma`; every
// page of it gets one PTE (the caller sets them).
void World::folio_add_new_anon_rmap(FolioId id, VmaId vma_id, PageNo addr, bool exclusive) {
  Folio& f = folio(id);
  const Vma& v = vma(vma_id);
  assert(f.mapcount == 0 && v.faulted());
  f.index = geom::linear_page_index(v.start, v.pgoff, addr);
  policy().set_anon(*this, id, vma_id, exclusive);
  for (uint32_t i = 0; i < f.nr_pages(); i++) {
    PageState& p = page(folio_page(f, i));
    p.mapcount = 1;
    p.anon_exclusive = exclusive;
  }
  f.mapcount = f.nr_pages();
  f.mm_mapcount[idx(v.mm)] = static_cast<uint16_t>(f.nr_pages());
}

// folio_add_anon_rmap_pte: one more PTE maps an existing anon page.
void World::folio_add_anon_rmap_pte(Pfn pfn, ProcessId pid, bool exclusive) {
  PageState& p = page(pfn);
  Folio& f = folio(p.folio);
  assert(f.alive);
  p.mapcount++;
  f.mapcount++;
  f.mm_mapcount[idx(pid)]++;
  if (exclusive) p.anon_exclusive = true;
}

// folio_remove_rmap_pte: folio->mapping is left alone (it is only cleared
// when the folio is freed), and so is PageAnonExclusive: a page of a large
// folio that a zap unmapped keeps the flag while the folio lives, and
// UFFDIO_MOVE reads it there (it tests the folio's first page; 6.18.44
// agrees: corpus/kernel/uffd_move_head_page_exclusive.trace).
void World::folio_remove_rmap_pte(Pfn pfn, ProcessId pid) {
  PageState& p = page(pfn);
  Folio& f = folio(p.folio);
  assert(f.alive && p.mapcount > 0 && f.mm_mapcount[idx(pid)] > 0);
  p.mapcount--;
  f.mapcount--;
  f.mm_mapcount[idx(pid)]--;
}

bool World::folio_free_swap(FolioId id) {
  Folio& f = folio(id);
  if (!f.in_swapcache) return false;
  SwapSlot& s = slot(f.swap);
  if (s.count > 0) return false;
  s.cache = kNoFolio;
  SwapSlotId slot_id = f.swap;
  f.in_swapcache = false;
  f.swap = kNoSlot;
  swap_put_if_unused(slot_id);
  return true;
}

// zap_pte_range: drop every entry of [start, end).
void World::zap_range(ProcessId pid, PageNo start, PageNo end) {
  auto [first_mapped, end_mapped] = std::as_const(*this).proc(pid).pt.range(start, end);
  if (first_mapped == end_mapped) return;  // nothing mapped: change nothing (mutations())
  PageTable& pt = proc(pid).pt;
  auto [first, last] = pt.range(start, end);
  for (auto* e = first; e != last; ++e) {
    const Pte& pte = e->pte;
    switch (pte.kind) {
      case PteKind::kZero: break;
      case PteKind::kPresent: {
        FolioId f = folio_of(pte.pfn());
        folio_remove_rmap_pte(pte.pfn(), pid);
        // A folio in the swap cache that nobody maps any more goes with its
        // slot once no swap PTE needs it (free_swap_cache on the zap path).
        if (folio(f).mapcount == 0) folio_free_swap(f);
        folio_put_if_unused(f);
        break;
      }
      case PteKind::kMigration:
        // Holds no mapcount: try_to_migrate already removed the rmap. The
        // entry simply goes; remove_migration_ptes will not find it.
        break;
      case PteKind::kSwap: {
        // free_swap_and_cache: drop the reference; a cached folio nobody maps
        // any more leaves the swap cache with the slot.
        SwapSlot& s = slot(pte.slot());
        assert(s.alive && s.count > 0);
        s.count--;
        if (s.count == 0 && s.cache != kNoFolio && folio(s.cache).mapcount == 0) {
          Folio& cached = folio(s.cache);
          cached.in_swapcache = false;
          cached.swap = kNoSlot;
          s.cache = kNoFolio;
          folio_put_if_unused(cached.id);
        }
        swap_put_if_unused(pte.slot());
        break;
      }
    }
  }
  pt.erase_range(start, end);
}

}  // namespace rmc
