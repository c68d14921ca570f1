// test_traces.cpp - a counterexample trace does on the model what the search
// says it does.
//
// The bounded search reasons about an abstract run (the page's VMA, the root
// struct, the page's address); its trace writer turns that run into mmap,
// mprotect, madvise, mremap and read lines. Here each trace is replayed on
// the eager model and the final state is compared field by field with the
// search's last state: the root struct (the VMA of the first write: its
// vm_start, vm_end, vm_pgoff, and whether it is still mapped), the page's
// address, the VMA that maps it. Then the lazy design must fail the address
// invariant L2 at the unfixed mremap, as the search predicts. Besides the
// committed search trace, the ops of every op shape the writer knows are
// forced (split, merge with a new neighbour and with the root, stack growth,
// mremap), so that the writer is tested on all of them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "model/check/runner.h"
#include "model/core/layout.h"
#include "model/designs.h"
#include "proofs/obligations/search_steps.h"
#include "proofs/tests/outcomes.h"
#include "proofs/trace_out.h"

namespace rmc::proofs {
namespace {

using search::Op;

// The model's verdict of a run (proofs has its own Verdict: a solver's).
using RunVerdict = ::rmc::Verdict;

struct Replayed {
  RunVerdict verdict;
  VmaId root = kNoVma;     // the VMA the first write faulted in
  FolioId folio = kNoFolio;
  std::unique_ptr<World> world;
};

Replayed replay_on_eager(const Trace& trace) {
  Replayed r;
  r.world = make_world("eager", trace.options);
  Runner runner(*r.world, true);
  for (const TraceLine& line : trace.lines) {
    const StepResult step = runner.run_line(line);
    if (!step.ok()) {
      r.verdict.kind = step.error ? RunVerdict::Kind::kError : RunVerdict::Kind::kFail;
      r.verdict.line = line.line;
      r.verdict.error = step.error ? *step.error : step.violations[0].property + " " + step.violations[0].message;
      return r;
    }
    if (line.kind == TraceLine::Kind::kOp && line.op.kind == OpKind::kWrite && r.root == kNoVma) {
      r.root = r.world->vma_lookup(line.op.pid, line.op.addr);
      const Pte* pte = r.world->proc(line.op.pid).pt.find(line.op.addr);
      if (pte && pte->kind == PteKind::kPresent) r.folio = r.world->folio_of(pte->pfn());
    }
  }
  return r;
}

// The trace realises the search's last state on the model, and the lazy
// design fails L2 where the search says the page is lost.
void expect_realised(const Obligation& ob, const Outcome& out) {
  ASSERT_EQ(out.verdict, Verdict::kCounterexample) << ob.name << ": " << out.detail;
  auto made = counterexample_trace(ob, out, "corpus/proofs");
  ASSERT_TRUE(std::holds_alternative<TraceOut>(made)) << std::get<std::string>(made);
  ParseResult parsed = parse_trace(std::get<TraceOut>(made).text, ob.name);
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  const Trace& trace = std::get<Trace>(parsed);
  const std::string text = std::get<TraceOut>(made).text;

  Replayed r = replay_on_eager(trace);
  ASSERT_EQ(r.verdict.kind, RunVerdict::Kind::kPass) << ob.name << " line " << r.verdict.line << ": " << r.verdict.error
                                                 << "\n" << text;
  ASSERT_NE(r.root, kNoVma);
  ASSERT_NE(r.folio, kNoFolio);
  const World& w = *r.world;
  const std::string last = fmt::format("state{}.", out.bound);
  const Vma& root = w.vma(r.root);
  EXPECT_EQ(root.start, out.values.at(last + "r.start")) << text;
  EXPECT_EQ(root.end, out.values.at(last + "r.end")) << text;
  EXPECT_EQ(root.pgoff, out.values.at(last + "r.pgoff")) << text;
  EXPECT_EQ(root.alive, out.values.flag(last + "r_live")) << text;
  const PageNo page = out.values.at(last + "page");
  const Pte* pte = w.proc(ProcessId{0}).pt.find(page);
  ASSERT_TRUE(pte && pte->kind == PteKind::kPresent) << "the page is not mapped at " << page << "\n" << text;
  EXPECT_EQ(w.folio_of(pte->pfn()), r.folio) << "another folio is mapped at the page's address\n" << text;
  const VmaId m = w.vma_lookup(ProcessId{0}, page);
  ASSERT_NE(m, kNoVma);
  EXPECT_EQ(w.vma(m).start, out.values.at(last + "m.start")) << text;
  EXPECT_EQ(w.vma(m).end, out.values.at(last + "m.end")) << text;
  EXPECT_EQ(w.vma(m).pgoff, out.values.at(last + "m.pgoff")) << text;
  // The lazy root computes the old address, not the page's.
  EXPECT_NE(geom::lazy_root_address(root.start, root.pgoff, w.folio(r.folio).index), page);

  const RunVerdict lazy = run_trace(trace, "lazy", true);
  ASSERT_EQ(lazy.kind, RunVerdict::Kind::kFail) << text;
  bool l2 = false;
  for (const Violation& v : lazy.violations) l2 |= v.property == "L2";
  EXPECT_TRUE(l2) << "lazy fails " << lazy.first_property() << " at line " << lazy.line << "\n" << text;
}

TEST(SearchTrace, CommittedSearchIsRealised) {
  for (const Obligation* ob : default_obligations())
    if (ob->name == "search.unfixed_entry_live_root") return expect_realised(*ob, outcome_of(*ob));
  FAIL() << "no search.unfixed_entry_live_root";
}

// lazy_walk.accepts_a_stranger_after_unfixed_move: the trace's first failure
// is L2 at the mremap (its EXPECT lines say so). Replayed on past it, the
// swap-in maps the unfixed folio at its new address, and the lazy walk of
// that folio visits the stranger at the old address, which passes the
// acceptance test, instead: the divergence the counterexample predicts.
TEST(StrangerTrace, TheWalkAcceptsTheStrangerAfterTheUnfixedMove) {
  const Obligation* ob = nullptr;
  for (const Obligation* o : default_obligations())
    if (o->name == "lazy_walk.accepts_a_stranger_after_unfixed_move") ob = o;
  ASSERT_NE(ob, nullptr);
  const Outcome& out = outcome_of(*ob);
  ASSERT_EQ(out.verdict, Verdict::kCounterexample) << out.detail;
  auto made = counterexample_trace(*ob, out, "corpus/proofs");
  ASSERT_TRUE(std::holds_alternative<TraceOut>(made)) << std::get<std::string>(made);
  ParseResult parsed = parse_trace(std::get<TraceOut>(made).text, ob->name);
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  const Trace& trace = std::get<Trace>(parsed);
  const PageNo computed = out.values.at("computed"), page_now = out.values.at("page_now");
  for (const char* design : {"lazy", "lazy-gki"}) {
    SCOPED_TRACE(design);
    auto world = make_world(design, trace.options);
    Runner runner(*world, /*checks=*/true);
    std::vector<std::string> first_failure, last_step;
    for (const TraceLine& line : trace.lines) {
      const StepResult step = runner.run_line(line);
      ASSERT_FALSE(step.error) << line.line << ": " << *step.error;
      last_step.clear();
      for (const Violation& v : step.violations) last_step.push_back(v.property);
      if (first_failure.empty()) first_failure = last_step;
    }
    EXPECT_EQ(first_failure, std::vector<std::string>{"L2"});  // at the mremap
    EXPECT_NE(std::find(last_step.begin(), last_step.end(), "rmap-missing"), last_step.end());
    const Pte* pte = world->proc(ProcessId{0}).pt.find(page_now);
    ASSERT_TRUE(pte && pte->kind == PteKind::kPresent);
    RmapWalk walk;
    world->policy().rmap_walk(*world, world->folio_of(pte->pfn()), walk);
    ASSERT_EQ(walk.visits.size(), 1u) << render_vma_table(*world);
    const Vma& visited = world->vma(walk.visits[0].vma);
    EXPECT_EQ(walk.visits[0].index_address, computed);
    EXPECT_TRUE(visited.contains(computed));
    EXPECT_FALSE(visited.contains(page_now));  // not the VMA that maps the folio
    EXPECT_LE(visited.start, out.values.at("stranger.start"));  // the stranger, merged into the root's page
  }
}

class ForcedSearch : public ::testing::TestWithParam<std::vector<Op>> {};

TEST_P(ForcedSearch, TraceRealisesTheRun) {
  const Obligation ob = search::forced_arena_search(GetParam());
  expect_realised(ob, discharge(ob, kDefaultRlimit));
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ForcedSearch,
    ::testing::Values(std::vector<Op>{search::kSplit, search::kMremap},
                      std::vector<Op>{search::kGrow, search::kSplit, search::kMremap},
                      std::vector<Op>{search::kMerge, search::kSplit, search::kMremap},
                      std::vector<Op>{search::kSplit, search::kGrow, search::kMremap},
                      std::vector<Op>{search::kSplit, search::kMerge, search::kMremap},
                      std::vector<Op>{search::kSplit, search::kMerge, search::kSplit, search::kMremap}),
    [](const auto& info) {
      std::string name;
      for (Op op : info.param) name += std::string(name.empty() ? "" : "_") + std::string(search::op_name(op));
      return name;
    });

}  // namespace
}  // namespace rmc::proofs
