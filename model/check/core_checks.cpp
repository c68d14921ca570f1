// core_checks.cpp - design-independent checks.
#include "model/check/core_checks.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/check/memory_spec.h"
#include "model/check/vma_cursor.h"
#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc {

namespace {

void add(std::vector<Violation>& out, const char* property, std::string message) {
  out.push_back(Violation{property, std::move(message)});
}

std::string where(ProcessId pid, PageNo addr) { return fmt::format("{}:{}", process_name(pid), hex(addr)); }

bool live(const World& w, ProcessId pid) { return w.proc(pid).live(); }

template <class Fn>
void for_each_live_process(const World& w, Fn&& fn) {
  for (uint8_t p = 0; p < kMaxProcesses; p++)
    if (live(w, ProcessId{p})) fn(ProcessId{p});
}

}  // namespace

void check_vma_layout(const World& w, std::vector<Violation>& out) {
  for_each_live_process(w, [&](ProcessId pid) {
    PageNo prev_end = 0;
    for (VmaId id : w.proc(pid).vmas) {
      const Vma& v = w.vma(id);
      if (!v.alive) add(out, "lifetime", fmt::format("{} lists freed VMA {}", process_name(pid), idx(id)));
      if (v.mm != pid) add(out, "vma-layout", fmt::format("VMA {} is in {} but belongs to {}", idx(id), process_name(pid), process_name(v.mm)));
      if (v.start >= v.end || v.end > kArenaPages || v.start < prev_end)
        add(out, "vma-layout", fmt::format("{}: VMA {} [{}, {}) is empty, outside the arena or overlaps", process_name(pid), idx(id), hex(v.start), hex(v.end)));
      prev_end = v.end;
    }
  });
}

namespace {

// Where the per-entry checks report (check_entries); a null output skips
// that check. check_world asks for all of them in one pass over the page
// tables; the functions of the header ask for one each.
struct EntryChecks {
  std::vector<Violation>* page_tables = nullptr;
  std::vector<Violation>* i4 = nullptr;
  std::vector<Violation>* i10 = nullptr;
  std::vector<Violation>* contents = nullptr;
  const MemorySpec* spec = nullptr;  // for contents
};

// check_page_tables for one entry in VMA `v` (or none); counts what maps
// each pfn and swap slot for the totals below.
void page_table_entry(const World& w, ProcessId pid, const PageTable::Entry& e, const Vma* v,
                      std::vector<uint32_t>& mapcount, std::vector<uint32_t>& swap_count,
                      std::vector<Violation>& out) {
  const Pte& pte = e.pte;
  if (!v) add(out, "page-table", fmt::format("{}: page-table entry outside any VMA", where(pid, e.page)));
  switch (pte.kind) {
    case PteKind::kZero:
      if (pte.writable) add(out, "page-table", fmt::format("{}: writable zero page", where(pid, e.page)));
      break;
    case PteKind::kMigration:
      // Entries of the migration in flight wait for migrate_end; any other
      // was missed by the walk that should have restored it.
      if (!(w.migration().active() && pte.target < w.pfn_slots() && w.folio_of(pte.pfn()) == w.migration().src))
        add(out, "migration-entry-left", fmt::format("{}: migration entry for pfn {} was never restored (a later access would wait forever)", where(pid, e.page), pte.target));
      [[fallthrough]];
    case PteKind::kPresent: {
      if (pte.target == 0 || pte.target >= w.pfn_slots()) {
        add(out, "page-table", fmt::format("{}: bad pfn {}", where(pid, e.page), pte.target));
        break;
      }
      FolioId f = w.folio_of(pte.pfn());
      if (f == kNoFolio || !w.folio(f).alive)
        add(out, "lifetime", fmt::format("{}: PTE maps pfn {} of freed folio {}", where(pid, e.page), pte.target, idx(f)));
      if (pte.kind == PteKind::kPresent) mapcount[pte.target]++;
      break;
    }
    case PteKind::kSwap:
      if (pte.target >= w.swap_slots() || !w.slot(pte.slot()).alive) {
        add(out, "lifetime", fmt::format("{}: swap entry for freed slot {}", where(pid, e.page), pte.target));
        break;
      }
      swap_count[pte.target]++;
      break;
  }
}

// check_page_tables' totals: every pfn's and live slot's count against the
// entries counted.
void page_table_totals(const World& w, const std::vector<uint32_t>& mapcount, const std::vector<uint32_t>& swap_count,
                       std::vector<Violation>& out) {
  for (size_t pfn = 1; pfn < w.pfn_slots(); pfn++) {
    const PageState& p = w.page(Pfn{static_cast<uint32_t>(pfn)});
    if (p.mapcount != mapcount[pfn])
      add(out, "mapcount", fmt::format("pfn {} has mapcount {} but {} PTEs map it", pfn, p.mapcount, mapcount[pfn]));
  }
  for (size_t i = 0; i < w.swap_slots(); i++) {
    const SwapSlot& s = w.slot(SwapSlotId{static_cast<uint32_t>(i)});
    if (s.alive && s.count != swap_count[i])
      add(out, "mapcount", fmt::format("swap slot {} has count {} but {} swap entries", i, s.count, swap_count[i]));
  }
}

// I4 for one entry in VMA `v` (or none).
void i4_entry(const World& w, ProcessId pid, const PageTable::Entry& e, const Vma* v, std::vector<Violation>& out) {
  const Folio* f = nullptr;
  uint32_t subpage = 0;
  if (e.pte.kind == PteKind::kPresent || e.pte.kind == PteKind::kMigration) {
    if (e.pte.target >= w.pfn_slots()) return;
    FolioId id = w.folio_of(e.pte.pfn());
    if (id == kNoFolio) return;
    f = &w.folio(id);
    subpage = e.pte.target - idx(f->pfn);
  } else if (e.pte.kind == PteKind::kSwap && e.pte.target < w.swap_slots() && w.slot(e.pte.slot()).cache != kNoFolio) {
    f = &w.folio(w.slot(e.pte.slot()).cache);
  }
  if (!f || !v) return;
  const PageNo expected = geom::linear_page_index(v->start, v->pgoff, e.page);
  if (f->index + subpage != expected)
    add(out, "I4", fmt::format("{}: folio {} page {} has index {} but linear_page_index is {}", where(pid, e.page),
                               idx(f->id), subpage, hex(f->index + subpage), hex(expected)));
}

// I10 for one entry.
void i10_entry(const World& w, ProcessId pid, const PageTable::Entry& e, std::vector<Violation>& out) {
  if (e.pte.kind != PteKind::kPresent || e.pte.target >= w.pfn_slots()) return;
  const PageState& p = w.page(e.pte.pfn());
  if (e.pte.writable && !p.anon_exclusive)
    add(out, "I10", fmt::format("{}: writable PTE maps pfn {} that is not AnonExclusive", where(pid, e.page), e.pte.target));
  if (p.anon_exclusive && p.mapcount != 1)
    add(out, "I10", fmt::format("{}: AnonExclusive pfn {} is mapped {} times", where(pid, e.page), e.pte.target, p.mapcount));
}

// The checks asked for in `checks`, entry by entry, process by process. The
// page tables, the VMA list and the specification are all sorted by page:
// each is walked once, side by side.
void check_entries(const World& w, const EntryChecks& checks) {
  thread_local std::vector<uint32_t> mapcount, swap_count;  // reused: checks run every step
  if (checks.page_tables) {
    mapcount.assign(w.pfn_slots(), 0);
    swap_count.assign(w.swap_slots(), 0);
  }
  for_each_live_process(w, [&](ProcessId pid) {
    VmaCursor vmas(w, pid);
    const auto& entries = w.proc(pid).pt.entries();
    const auto* wanted = checks.contents ? &checks.spec->pages(pid).entries() : nullptr;  // non-zero values only
    size_t want = 0;
    for (const PageTable::Entry& e : entries) {
      const Vma* v = checks.page_tables || checks.i4 ? vmas.at(e.page) : nullptr;
      if (checks.page_tables) page_table_entry(w, pid, e, v, mapcount, swap_count, *checks.page_tables);
      if (checks.i4) i4_entry(w, pid, e, v, *checks.i4);
      if (checks.i10) i10_entry(w, pid, e, *checks.i10);
      if (checks.contents) {  // what the page reads against the specification
        while (want < wanted->size() && (*wanted)[want].page < e.page) want++;
        const uint64_t expected = want < wanted->size() && (*wanted)[want].page == e.page ? (*wanted)[want].pte : 0;
        const uint64_t seen = w.content_of(e.pte);
        if (seen != expected)
          add(*checks.contents, "contents", fmt::format("{} reads {:#x} but must read {:#x}", where(pid, e.page), seen, expected));
      }
    }
    if (!checks.contents) return;
    // Pages without an entry read 0: the specification must say 0 there.
    auto entry = entries.begin();
    for (const auto& e : *wanted) {
      while (entry != entries.end() && entry->page < e.page) ++entry;
      if (entry != entries.end() && entry->page == e.page) continue;  // compared above
      add(*checks.contents, "contents", fmt::format("{} reads 0 (no page) but must read {:#x}", where(pid, e.page), e.pte));
    }
  });
  if (checks.page_tables) page_table_totals(w, mapcount, swap_count, *checks.page_tables);
}

}  // namespace

void check_page_tables(const World& w, std::vector<Violation>& out) { check_entries(w, {.page_tables = &out}); }

void check_i4_index_linearity(const World& w, std::vector<Violation>& out) { check_entries(w, {.i4 = &out}); }

void check_i10_exclusivity(const World& w, std::vector<Violation>& out) { check_entries(w, {.i10 = &out}); }

void check_contents(const World& w, const MemorySpec& spec, std::vector<Violation>& out) {
  check_entries(w, {.contents = &out, .spec = &spec});
}

void check_folios(const World& w, std::vector<Violation>& out) {
  for (size_t i = 0; i < w.folio_slots(); i++) {
    const Folio& f = w.folio(FolioId{static_cast<uint32_t>(i)});
    if (!f.alive) continue;
    uint32_t sum = 0;
    for (uint32_t p = 0; p < f.nr_pages(); p++) {
      const PageState& page = w.page(w.folio_page(f, p));
      if (page.folio != f.id) add(out, "mapcount", fmt::format("pfn {} of folio {} belongs to folio {}", idx(f.pfn) + p, i, idx(page.folio)));
      sum += page.mapcount;
    }
    uint32_t by_mm = 0;
    for (uint16_t c : f.mm_mapcount) by_mm += c;
    if (sum != f.mapcount || by_mm != f.mapcount)
      add(out, "mapcount", fmt::format("folio {}: mapcount {} but pages sum to {} and processes to {}", i, f.mapcount, sum, by_mm));
    if (f.refcount() == 0) add(out, "lifetime", fmt::format("folio {} is unreferenced but was not freed (leak)", i));
    if (f.in_swapcache && (f.swap == kNoSlot || !w.slot(f.swap).alive || w.slot(f.swap).cache != f.id))
      add(out, "lifetime", fmt::format("folio {} is in the swap cache of a slot that does not hold it", i));
  }
}

namespace {

// One PTE mapping a page of a folio: process, address, page of the folio.
// Ordered by (pid, addr, subpage): the order of the reports.
struct Mapping {
  ProcessId pid;
  PageNo addr;
  uint32_t subpage;
  bool operator<(const Mapping& o) const {
    if (pid != o.pid) return pid < o.pid;
    if (addr != o.addr) return addr < o.addr;
    return subpage < o.subpage;
  }
  bool operator==(const Mapping& o) const = default;
};

// The live folio a present or migration entry maps, or kNoFolio (an entry
// to a freed folio is reported as lifetime, not here).
FolioId mapped_folio(const World& w, const Pte& pte) {
  if (pte.kind != PteKind::kPresent && pte.kind != PteKind::kMigration) return kNoFolio;
  if (pte.target == 0 || pte.target >= w.pfn_slots()) return kNoFolio;
  const FolioId f = w.folio_of(pte.pfn());
  return f != kNoFolio && w.folio(f).alive ? f : kNoFolio;
}

// The ground truth of the rmap walks: every present or migration entry of a
// live folio, grouped by folio (in folio order) and, within a folio, in
// (pid, addr) order. The page tables are read in (pid, addr) order already,
// so a counting sort by folio keeps that order: no comparison sort.
class MappingsByFolio {
 public:
  void build(const World& w) {
    unsorted_.clear();
    for_each_live_process(w, [&](ProcessId pid) {
      for (const PageTable::Entry& e : w.proc(pid).pt.entries()) {
        const FolioId f = mapped_folio(w, e.pte);
        if (f == kNoFolio) continue;
        unsorted_.push_back({f, Mapping{pid, e.page, e.pte.target - idx(w.folio(f).pfn)}});
      }
    });
    // Counting sort by folio: first_[f] is first the number of f's mappings,
    // then (summed up) the end of f's run in sorted_, then, as the mappings
    // are placed from the back, its start. first_[n] is the total.
    const size_t n = w.folio_slots();
    first_.assign(n + 1, 0);
    for (const auto& [f, m] : unsorted_) first_[idx(f)]++;
    for (size_t i = 1; i < n; i++) first_[i] += first_[i - 1];
    if (n > 0) first_[n] = first_[n - 1];
    sorted_.resize(unsorted_.size());
    for (auto it = unsorted_.rbegin(); it != unsorted_.rend(); ++it) sorted_[--first_[idx(it->first)]] = it->second;
  }
  size_t folio_slots() const { return first_.size() - 1; }
  // The mappings of folio i, sorted.
  const Mapping* begin(size_t i) const { return sorted_.data() + first_[i]; }
  const Mapping* end(size_t i) const { return sorted_.data() + first_[i + 1]; }

 private:
  std::vector<std::pair<FolioId, Mapping>> unsorted_;
  std::vector<uint32_t> first_;  // by folio: index of its first mapping in sorted_
  std::vector<Mapping> sorted_;
};

// How many present or migration entries of live processes map each folio:
// the size of each folio's ground truth, without building it.
void count_mappings(const World& w, std::vector<uint32_t>& count) {
  count.assign(w.folio_slots(), 0);
  for_each_live_process(w, [&](ProcessId pid) {
    for (const PageTable::Entry& e : w.proc(pid).pt.entries()) {
      const FolioId f = mapped_folio(w, e.pte);
      if (f != kNoFolio) count[idx(f)]++;
    }
  });
}

}  // namespace

void check_rmap_walks(const World& w, std::vector<Violation>& out) {
  thread_local std::vector<uint32_t> mapped;  // reused: checks run every step
  thread_local MappingsByFolio truth;
  thread_local std::vector<Mapping> found;
  thread_local RmapWalk walk;
  count_mappings(w, mapped);
  bool truth_built = false;
  for (size_t i = 0; i < mapped.size(); i++) {
    if (mapped[i] == 0) continue;  // not mapped: nothing to walk for
    const FolioId id{static_cast<uint32_t>(i)};
    const Folio& f = w.folio(id);
    walk.clear();
    found.clear();
    w.policy().rmap_walk(w, id, walk);
    for (const std::string& fault : walk.faults) add(out, "lifetime", "rmap walk: " + fault);
    uint32_t found_live = 0;  // found and one of the mappings counted in mapped[i]
    for (const RmapWalk::Visit& visit : walk.visits) {
      w.for_each_mapping_in(f, f, visit, [&](ProcessId pid, PageNo addr, const Pte& pte, uint32_t subpage) {
        const uint32_t walked_page = static_cast<uint32_t>(addr - visit.index_address);
        if (walked_page != subpage)
          add(out, "rmap-extra", fmt::format("folio {}: the walk computed {} for page {} but page {} is mapped there",
                                             idx(id), where(pid, addr), walked_page, subpage));
        found.push_back({pid, addr, subpage});
        found_live += live(w, pid) && w.folio_of(pte.pfn()) == id;  // one of mapped[i]
      });
    }
    if (found.size() > 1) std::sort(found.begin(), found.end());
    const bool twice = found.size() > 1 && std::adjacent_find(found.begin(), found.end()) != found.end();
    // Nothing visited twice and as many mappings found as there are: the
    // walk found every one (the usual case, decided without the list).
    if (!twice && found_live == mapped[i]) continue;
    for (size_t k = 1; k < found.size(); k++)
      if (found[k] == found[k - 1])
        add(out, "rmap-extra", fmt::format("folio {}: the walk visits {} twice", idx(id), where(found[k].pid, found[k].addr)));
    if (!truth_built) truth.build(w);
    truth_built = true;
    // Both sorted: one pass finds the mappings the walk missed.
    auto seen = found.begin();
    for (const Mapping* m = truth.begin(i); m != truth.end(i); ++m) {
      while (seen != found.end() && *seen < *m) ++seen;
      if (seen == found.end() || !(*seen == *m))
        add(out, "rmap-missing",
            fmt::format("folio {} (mapping {}, index {}): the rmap walk misses its page {} mapped at {}",
                        idx(id), w.policy().describe_mapping(w, f.mapping), hex(f.index), m->subpage,
                        where(m->pid, m->addr)));
    }
  }
}

void check_kernel_warnings(const World& w, std::vector<Violation>& out) {
  for (const std::string& warning : w.events().warnings) add(out, "kernel-warn", warning);
  for (const std::string& livelock : w.events().no_progress) add(out, "no-progress", livelock);
}

void check_world(const World& w, const MemorySpec& spec, std::vector<Violation>& out) {
  check_kernel_warnings(w, out);
  check_vma_layout(w, out);
  // The per-entry checks in one pass; the reports in the order of the
  // header's list (page tables, folios, I4, I10, rmap walks, contents).
  thread_local std::vector<Violation> i4, i10, contents;
  i4.clear();
  i10.clear();
  contents.clear();
  check_entries(w, {.page_tables = &out, .i4 = &i4, .i10 = &i10, .contents = &contents, .spec = &spec});
  check_folios(w, out);
  append_reports(out, i4);
  append_reports(out, i10);
  check_rmap_walks(w, out);
  append_reports(out, contents);
  w.policy().check(w, out);
}

}  // namespace rmc
