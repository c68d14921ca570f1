// incremental_bound.cpp - how much an incremental checker could save: the
// share of a world that a step changes, measured, for the speed target of
// the differential (docs/performance.md, "What incremental checking could
// reach").
//
//   build/bench/rmc_incremental_bound [TRACES]
//
// The workload of instruction_count's `diff` job: TRACES (default 100)
// random traces of 64 ops over 4 processes, default options, each design on
// its own reused world, ops only. After every step that changed the world
// (World::mutations() moved: the steps Runner::run_op checks in full), the
// world is compared object by object with a copy of the world before it:
//
//   processes    live processes whose VMA list, VMAs or page tables differ
//   VMAs         live VMAs whose fields differ (or that are new)
//   folios       live folios whose fields or pages differ (or that are new)
//   rmap units   mapped folios whose rmap-walk check could give another
//                verdict: the folio changed, its walk visits other VMAs or
//                addresses, a VMA it visits changed, or the entries that
//                map it changed (everything that check reads of the world)
//
// An incremental checker that re-checked only what changed would still
// check these shares of the world after every such step; no bookkeeping
// can do with less. (It is a lower bound on its work, not a design: which
// checks read what is for such a checker to prove.)
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "model/check/runner.h"
#include "model/core/random_trace.h"
#include "model/core/world.h"
#include "model/designs.h"

namespace rmc {
namespace {

bool same(const Vma& a, const Vma& b) {
  return a.id == b.id && a.mm == b.mm && a.start == b.start && a.end == b.end && a.pgoff == b.pgoff &&
         a.prot == b.prot && a.flags == b.flags && a.anon == b.anon && a.alive == b.alive;
}

bool same(const PageTable::Entry& a, const PageTable::Entry& b) {
  return a.page == b.page && a.pte.kind == b.pte.kind && a.pte.writable == b.pte.writable &&
         a.pte.exclusive == b.pte.exclusive && a.pte.target == b.pte.target;
}

bool same(const PageState& a, const PageState& b) {
  return a.folio == b.folio && a.content == b.content && a.mapcount == b.mapcount &&
         a.anon_exclusive == b.anon_exclusive;
}

bool same(const Folio& a, const Folio& b) {
  return a.id == b.id && a.pfn == b.pfn && a.order == b.order && a.mapping == b.mapping && a.index == b.index &&
         a.mapcount == b.mapcount && a.mm_mapcount == b.mm_mapcount && a.pins == b.pins &&
         a.in_swapcache == b.in_swapcache && a.swap == b.swap && a.stale_mlock == b.stale_mlock &&
         a.alive == b.alive;
}

template <class T>
bool same_all(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (!same(a[i], b[i])) return false;
  return true;
}

// What the comparison needs of a world, copied after every step.
struct Snapshot {
  struct Proc {
    bool live = false;
    std::vector<Vma> vmas;
    std::vector<PageTable::Entry> entries;
  };
  struct FolioCopy {
    bool live = false;
    Folio folio;
    std::vector<PageState> pages;
    std::vector<PageTable::Entry> mappings;  // the present / migration entries that map it, by process
    std::vector<RmapWalk::Visit> visits;     // its rmap walk, if mapped
    std::vector<Vma> visited;                // the VMAs the walk visits
  };
  std::vector<Proc> procs;
  std::vector<FolioCopy> folios;

  void take(const World& w) {
    procs.assign(kMaxProcesses, Proc{});
    for (uint8_t p = 0; p < kMaxProcesses; p++) {
      const Process& proc = w.proc(ProcessId{p});
      procs[p].live = proc.live();
      if (!proc.live()) continue;
      for (VmaId id : proc.vmas) procs[p].vmas.push_back(w.vma(id));
      procs[p].entries = proc.pt.entries();
    }
    folios.assign(w.folio_slots(), FolioCopy{});
    for (size_t i = 0; i < w.folio_slots(); i++) {
      const Folio& f = w.folio(FolioId{static_cast<uint32_t>(i)});
      if (!f.alive) continue;
      folios[i].live = true;
      folios[i].folio = f;
      for (uint32_t k = 0; k < f.nr_pages(); k++) folios[i].pages.push_back(w.page(w.folio_page(f, k)));
    }
    for (uint8_t p = 0; p < kMaxProcesses; p++)
      for (const PageTable::Entry& e : procs[p].entries) {
        if (e.pte.kind != PteKind::kPresent && e.pte.kind != PteKind::kMigration) continue;
        if (e.pte.target == 0 || e.pte.target >= w.pfn_slots()) continue;
        const FolioId f = w.folio_of(e.pte.pfn());
        if (f != kNoFolio && folios[idx(f)].live) folios[idx(f)].mappings.push_back(e);
      }
    RmapWalk walk;
    for (size_t i = 0; i < folios.size(); i++) {
      if (folios[i].mappings.empty()) continue;
      walk.clear();
      w.policy().rmap_walk(w, FolioId{static_cast<uint32_t>(i)}, walk);
      folios[i].visits = walk.visits;
      for (const RmapWalk::Visit& v : walk.visits) folios[i].visited.push_back(w.vma(v.vma));
    }
  }
};

bool same_visits(const std::vector<RmapWalk::Visit>& a, const std::vector<RmapWalk::Visit>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].vma != b[i].vma || a[i].index_address != b[i].index_address) return false;
  return true;
}

struct Share {
  uint64_t changed = 0, of = 0;
  void add(bool dirty) { changed += dirty, of++; }
  double percent() const { return of ? 100.0 * changed / of : 0; }
};

void measure(const char* design, const std::vector<Trace>& traces) {
  auto world = make_world(design, ModelOptions{});
  Runner runner(*world, /*checks=*/false);
  uint64_t steps = 0, changed_steps = 0;
  Share procs, vmas, folios, units;
  Snapshot before, after;
  for (const Trace& trace : traces) {
    runner.reset();
    before.take(*world);
    uint64_t mutations = world->mutations();
    for (const TraceLine& line : trace.lines) {
      runner.run_line(line);
      steps++;
      if (world->mutations() == mutations) continue;  // unchanged: not checked again
      mutations = world->mutations();
      changed_steps++;
      after.take(*world);
      for (uint8_t p = 0; p < kMaxProcesses; p++) {
        const auto& a = after.procs[p];
        const auto& b = before.procs[p];
        if (!a.live) continue;
        const bool dirty = !b.live || !same_all(a.vmas, b.vmas) || !same_all(a.entries, b.entries);
        procs.add(dirty);
        for (const Vma& v : a.vmas) {
          bool found = false;
          if (b.live)
            for (const Vma& old : b.vmas) found = found || same(v, old);
          vmas.add(!found);
        }
      }
      for (size_t i = 0; i < after.folios.size(); i++) {
        const auto& a = after.folios[i];
        if (!a.live) continue;
        const bool existed = i < before.folios.size() && before.folios[i].live;
        const bool dirty = !existed || !same(a.folio, before.folios[i].folio) || !same_all(a.pages, before.folios[i].pages);
        folios.add(dirty);
        if (a.mappings.empty()) continue;
        const auto& b = before.folios[i];
        units.add(dirty || !same_visits(a.visits, b.visits) || !same_all(a.visited, b.visited) ||
                  !same_all(a.mappings, b.mappings));
      }
      std::swap(before, after);
    }
  }
  std::printf("%-9s %7llu %5.0f%% %6.1f %5.0f%% %6.1f %5.0f%% %6.1f %5.0f%% %6.1f %5.0f%%\n", design,
              static_cast<unsigned long long>(steps), 100.0 * changed_steps / steps,
              static_cast<double>(procs.of) / changed_steps, procs.percent(),
              static_cast<double>(vmas.of) / changed_steps, vmas.percent(),
              static_cast<double>(folios.of) / changed_steps, folios.percent(),
              static_cast<double>(units.of) / changed_steps, units.percent());
}

}  // namespace
}  // namespace rmc

int main(int argc, char** argv) {
  using namespace rmc;
  const long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100;
  if (count < 1 || count > 100000) {
    std::fprintf(stderr, "usage: rmc_incremental_bound [TRACES 1..100000]\n");
    return 2;
  }
  GeneratorOptions generator;
  generator.max_processes = 4;
  std::vector<Trace> traces;
  for (long seed = 1; seed <= count; seed++)
    traces.push_back(random_trace(static_cast<uint64_t>(seed), 64, generator, ModelOptions{}));
  std::printf("%ld random traces of 64 ops, 4 processes, default options.\n", count);
  std::printf("Per step that changed the world: live objects (mean) and the share of them that changed.\n");
  std::printf("%-9s %7s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n", "design", "steps", "chgd", "procs", "chgd", "VMAs",
              "chgd", "folios", "chgd", "mapped", "rmap");
  for (const char* design : {"eager", "lazy", "lazy-gki", "base0", "cowctx"}) measure(design, traces);
}
