// test_fused_checks.cpp - checks that share a pass report what they report
// one by one.
//
// check_world runs the per-entry checks in one pass over the page tables
// (check_entries in core_checks.cpp), and the anon_vma forest's invariants
// in one visit of the VMAs (check_forest in eager_invariants.cpp), each into
// an output of its own, appended in the order of the headers' lists. These
// tests hold the fused passes to that: in random traces of every design and
// of the eager designs with historical bugs, at every step up to and
// including the first whose checks fail (the broken states the fused passes
// must describe exactly as the single checks do), the fused reports equal
// those of the single checks run one after the other: property and
// message, in order.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "model/check/core_checks.h"
#include "model/check/eager_invariants.h"
#include "model/check/runner.h"
#include "model/core/op_table.h"
#include "model/core/random_trace.h"
#include "model/core/trace.h"
#include "model/designs.h"
#include "model/eager/anon_vma_view.h"
#include "model/eager/eager_policy.h"
#include "model/lazy/lazy_policy.h"

namespace rmc {
namespace {

using Reports = std::vector<Violation>;
using SingleCheck = void (*)(const World&, const AnonVmaView&, Reports&);

std::string show(const Reports& reports) {
  std::string s;
  for (const Violation& v : reports) s += "  [" + v.property + "] " + v.message + "\n";
  return s.empty() ? "  (none)\n" : s;
}

bool same(const Reports& a, const Reports& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].property != b[i].property || a[i].message != b[i].message) return false;
  return true;
}

Reports one_by_one(const World& w, const AnonVmaView& view, std::initializer_list<SingleCheck> checks) {
  Reports out;
  for (SingleCheck check : checks) check(w, view, out);
  return out;
}

// The core checks one by one, in check_world's order, then the design's own.
Reports core_one_by_one(const World& w, const MemorySpec& spec) {
  Reports out;
  check_kernel_warnings(w, out);
  check_vma_layout(w, out);
  check_page_tables(w, out);
  check_folios(w, out);
  check_i4_index_linearity(w, out);
  check_i10_exclusivity(w, out);
  check_rmap_walks(w, out);
  check_contents(w, spec, out);
  w.policy().check(w, out);
  return out;
}

// The forest invariants fused and one by one, for a design that keeps an
// anon_vma forest (false for one that does not: cowctx).
bool forest_reports(const World& w, Reports& fused, Reports& single) {
  if (const auto* eager = dynamic_cast<const EagerPolicy*>(&w.policy())) {
    const AnonVmaView view = eager->view();
    check_eager_invariants(w, view, fused);
    single = one_by_one(w, view,
                        {check_i1_chain_own, check_i2_tree_mirror, check_i3_reachability, check_i5_same_root,
                         check_i6_equal_own_equal_chain, check_i7_counters, check_i8_lifetime, check_i9_fork_tree,
                         check_i11_merge_soundness});
    return true;
  }
  if (const auto* lazy = dynamic_cast<const LazyPolicy*>(&w.policy())) {
    const AnonVmaView view = lazy->view(w.options().lazy.count_tree_parent);
    check_forest_invariants(w, view, fused);
    single = one_by_one(w, view,
                        {check_i1_chain_own, check_i2_tree_mirror, check_i3_reachability, check_i5_same_root,
                         check_i7_counters, check_i8_lifetime, check_i9_fork_tree, check_i11_merge_soundness});
    return true;
  }
  return false;
}

// Runs `compare` after every step of random traces in every design and
// eager+bug design, up to and including each trace's first failing step.
// Returns how many states were compared and in how many the fused check
// reported something.
constexpr uint32_t kSeeds = 200;  // per shape and design: about 250,000 states, 3 s per test

template <class Compare>
std::pair<size_t, size_t> for_each_state(Compare&& compare) {
  std::vector<std::string> designs;
  for (std::string_view d : design_names()) designs.emplace_back(d);
  for (const char* bug : {"B3", "B4", "B12", "B16", "B17"}) designs.push_back(std::string("eager+") + bug);
  // The fuzzer's shape, and a denser one (more processes, shorter ranges
  // in a smaller window) that breaks the buggy designs more often.
  GeneratorOptions wide, dense;
  wide.max_processes = 4;
  dense.max_processes = 6;
  dense.max_len = 24;
  dense.window_pages = 0x80;
  size_t states = 0, broken = 0;
  for (const GeneratorOptions& generator : {wide, dense}) {
    for (const std::string& design : designs) {
      for (uint32_t seed = 1; seed <= kSeeds; seed++) {
        const Trace trace = random_trace(seed, 64, generator, ModelOptions{});
        auto world = make_world(design, trace.options);
        Runner runner(*world, /*checks=*/true);
        for (const TraceLine& line : trace.lines) {
          if (line.kind != TraceLine::Kind::kOp) continue;
          const StepResult result = runner.run_line(line);
          if (result.error) break;
          states++;
          broken += compare(*world, runner, design, seed, line.line);
          if (!result.ok()) break;  // as the fuzzer: a failing design stops
        }
      }
    }
  }
  return {states, broken};
}

TEST(FusedChecks, CheckWorldReportsAsTheChecksOneByOne) {
  auto [states, broken] =
      for_each_state([](const World& w, const Runner& runner, const std::string& design, uint32_t seed, size_t line) {
        Reports fused;
        check_world(w, runner.spec(), fused);
        const Reports single = core_one_by_one(w, runner.spec());
        EXPECT_TRUE(same(fused, single)) << design << " seed " << seed << " line " << line << "\nfused:\n"
                                         << show(fused) << "one by one:\n" << show(single);
        return !fused.empty();
      });
  std::printf("%zu states compared, %zu of them broken\n", states, broken);
  // Broken states are where the order and the outputs of a fused pass can
  // go wrong: without enough of them this test shows nothing.
  EXPECT_GT(broken, 100u);
}

TEST(FusedChecks, ForestInvariantsReportAsTheChecksOneByOne) {
  auto [states, broken] =
      for_each_state([](const World& w, const Runner&, const std::string& design, uint32_t seed, size_t line) {
        Reports fused, single;
        if (!forest_reports(w, fused, single)) return false;
        EXPECT_TRUE(same(fused, single)) << design << " seed " << seed << " line " << line << "\nfused:\n"
                                         << show(fused) << "one by one:\n" << show(single);
        return !fused.empty();
      });
  std::printf("%zu states compared, %zu with forest reports\n", states, broken);
  EXPECT_GT(broken, 20u);
}

// The eager world of the two tests below, every check passing: two fork
// trees (P0's 0x100-0x103 forked to P1; P0's 0x200 with a root of its own).
void run_two_trees(Runner& runner) {
  ParseResult parsed = parse_trace(
      "# rmapcheck trace 1\n"
      "P0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 mmap 0x200 1 r\nP0 mprotect 0x200 1 rw\nP0 write 0x200 1\n"
      "P0 fork P1\n",
      "test");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  for (const TraceLine& line : std::get<Trace>(parsed).lines) ASSERT_TRUE(runner.run_line(line).ok()) << line.line;
}

// The properties reported, each run of one property once, in order.
std::string property_runs(const Reports& reports) {
  std::vector<std::string> properties;
  for (const Violation& v : reports)
    if (properties.empty() || properties.back() != v.property) properties.push_back(v.property);
  return fmt::format("{}", fmt::join(properties, " "));
}

// Random traces seldom break several invariants in one step, so the order
// of the fused outputs between, say, I7 and I8 is never put to the test
// there. Here one state breaks nearly all of them at once: two fork trees
// (P0's 0x100 forked to P1; P0's 0x200 with a root of its own), then a
// forgotten anon_vma, a stale tree key, a folio in the wrong tree, a
// miscounted and a freed anon_vma and a parent loop.
TEST(FusedChecks, ManyInvariantsBrokenAtOnce) {
  auto world = make_world("eager", ModelOptions{});
  Runner runner(*world, /*checks=*/true);
  ASSERT_NO_FATAL_FAILURE(run_two_trees(runner));
  World& w = *world;
  auto& eager = static_cast<EagerPolicy&>(w.policy());
  auto& forest = eager.forest_mut();
  const VmaId p0_low = w.vma_lookup(ProcessId{0}, 0x100), p0_high = w.vma_lookup(ProcessId{0}, 0x200);
  const VmaId p1_low = w.vma_lookup(ProcessId{1}, 0x100);
  const AnonVmaId child = anon_vma_of(w.vma(p1_low).anon);
  const AnonVmaId high_root = anon_vma_of(w.vma(p0_high).anon);
  w.vma(p1_low).anon = kNoAnon;                                  // I1 (and I7: one active VMA less)
  w.vma(p0_low).pgoff += 1;                                      // I2: the tree's key is stale
  Folio& folio = w.folio(w.folio_of(w.proc(ProcessId{0}).pt.find(0x101)->pfn()));
  folio.mapping = w.vma(p0_high).anon;                           // I3, I5: a folio in the other tree
  forest.anon_vma_mut(high_root).refcount++;                     // I7
  forest.anon_vma_mut(child).parent = child;                     // I9: a non-root its own parent
  forest.anon_vma_mut(high_root).alive = false;                  // I8: freed while in use
  Reports fused, single;
  ASSERT_TRUE(forest_reports(w, fused, single));
  EXPECT_TRUE(same(fused, single)) << "fused:\n" << show(fused) << "one by one:\n" << show(single);
  EXPECT_EQ(property_runs(fused), "I1 I2 I3 I5 I7 I8 I9") << show(fused);
}

// The same for check_world's per-entry pass: one state with a miscounted
// page, a folio index off by seven (I4, and the walk looks in the wrong
// place), a shared page made writable and a page whose bytes changed.
TEST(FusedChecks, ManyCoreChecksBrokenAtOnce) {
  auto world = make_world("eager", ModelOptions{});
  Runner runner(*world, /*checks=*/true);
  ASSERT_NO_FATAL_FAILURE(run_two_trees(runner));
  World& w = *world;
  PageTable& p1 = w.proc(ProcessId{1}).pt;
  w.page(p1.find(0x100)->pfn()).mapcount++;                // mapcount (page tables, then folios)
  w.folio(w.folio_of(p1.find(0x101)->pfn())).index += 7;   // I4, rmap-missing
  p1.find(0x102)->writable = true;                         // I10: a COW page made writable
  w.page(p1.find(0x103)->pfn()).content ^= 1;              // contents
  Reports fused;
  check_world(w, runner.spec(), fused);
  const Reports single = core_one_by_one(w, runner.spec());
  EXPECT_TRUE(same(fused, single)) << "fused:\n" << show(fused) << "one by one:\n" << show(single);
  EXPECT_EQ(property_runs(fused), "mapcount I4 I10 rmap-missing contents") << show(fused);
}

}  // namespace
}  // namespace rmc
