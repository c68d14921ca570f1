// test_design_options.cpp - the options of the lazy and COW-context designs
// (model/core/options.h) that change object counts or layouts rather than
// verdicts: each test runs one short trace under both values of an option
// and checks the difference the option exists to make. Options that change
// verdicts are covered by corpus/scenarios variant files instead.
#include <gtest/gtest.h>

#include "model/check/runner.h"
#include "model/core/layout.h"
#include "model/designs.h"

namespace rmc {
namespace {

struct Outcome {
  Verdict verdict;
  ObjectCounts counts;
  std::string layout;
};

// Runs `ops` on `design` with the option lines `options` in front.
Outcome run(std::string_view design, const std::string& options, const std::string& ops) {
  const std::string text = "# rmapcheck trace 1\n# EXPECT: pass\n" + options + ops;
  ParseResult parsed = parse_trace(text, "test");
  if (auto* error = std::get_if<TraceError>(&parsed)) ADD_FAILURE() << error->str();
  const Trace& trace = std::get<Trace>(parsed);
  auto world = make_world(design, trace.options);
  Runner runner(*world, true);
  Outcome out;
  for (const TraceLine& line : trace.lines) {
    StepResult r = runner.run_line(line);
    EXPECT_TRUE(r.ok()) << design << ": " << (r.error ? *r.error : r.violations[0].message);
  }
  out.verdict = run_trace(trace, design, true);
  out.counts = count_objects(*world);
  out.layout = render_layout(*world);
  return out;
}

// Two neighbouring VMAs faulted separately (two lazy roots), made
// compatible by mprotect: eager merges them (the second fault re-used the
// first's anon_vma), lazy.merge refuse keeps two VMAs, upgrade merges them
// into one VMA with one anon_vma.
const char* kTwoRoots =
    "P0 mmap 0x100 4 rwx\n"
    "P0 mmap 0x104 4 rw\n"
    "P0 write 0x100 8\n"
    "P0 mprotect 0x100 4 rw\n"
    "P0 migrate 0x100 8\n";

TEST(LazyMerge, RefuseKeepsTwoTrees) {
  Outcome eager = run("eager", "", kTwoRoots);
  Outcome lazy = run("lazy", "", kTwoRoots);
  EXPECT_EQ(eager.counts.vmas, 1);
  EXPECT_EQ(lazy.counts.vmas, 2);
  EXPECT_EQ(lazy.counts.anon_vmas, 0);
}

TEST(LazyMerge, UpgradeMergesIntoOneAnonVma) {
  for (const char* design : {"lazy", "lazy-gki", "base0"}) {
    Outcome o = run(design, "option lazy.merge upgrade\n", kTwoRoots);
    EXPECT_EQ(o.verdict.kind, Verdict::Kind::kPass) << design;
    EXPECT_EQ(o.counts.vmas, 1) << design << "\n" << o.layout;
  }
  // base0: both VMAs are lazy(mm), one tree: they merge without an upgrade.
  EXPECT_EQ(run("base0", "option lazy.merge upgrade\n", kTwoRoots).counts.anon_vmas, 0);
  EXPECT_EQ(run("lazy", "option lazy.merge upgrade\n", kTwoRoots).counts.anon_vmas, 1);
}

// The S16 shape: P0 forks P1 (P1 is TREE_PARENT of av0) and unmaps, so av0
// has no active VMA and one child (itself); P1 forks P2, which upgrades P1.
// parent_upgrade new gives P1 a child anon_vma of av0; reuse takes av0.
const char* kReuse =
    "P0 mmap 0x100 4 rw\n"
    "P0 write 0x100 4\n"
    "P0 fork P1\n"
    "P0 munmap 0x100 4\n"
    "P1 fork P2\n"
    "P1 write 0x100 1\n"
    "P2 write 0x101 1\n"
    "P1 migrate 0x100 4\n"
    "P2 migrate 0x100 4\n";

TEST(LazyParentUpgrade, NewAllocatesReuseDoesNot) {
  Outcome fresh = run("lazy", "", kReuse);
  Outcome reused = run("lazy", "option lazy.parent_upgrade reuse\n", kReuse);
  EXPECT_EQ(fresh.verdict.kind, Verdict::Kind::kPass);
  EXPECT_EQ(reused.verdict.kind, Verdict::Kind::kPass);
  EXPECT_EQ(fresh.counts.anon_vmas, reused.counts.anon_vmas + 1);
}

// A COW fault in a TREE_PARENT VMA: the new folio goes to the parent's
// anon_vma (parent), or the child's VMA first gets its own (upgrade), as an
// eager fork child has from the start.
TEST(LazyParentCow, UpgradeGivesTheChildItsOwnAnonVma) {
  const char* ops =
      "P0 mmap 0x100 4 rw\n"
      "P0 write 0x100 4\n"
      "P0 fork P1\n"
      "P1 write 0x101 1\n"
      "P0 migrate 0x100 4\n"
      "P1 migrate 0x100 4\n";
  Outcome parent = run("lazy", "", ops);
  Outcome upgrade = run("lazy", "option lazy.parent_cow upgrade\n", ops);
  EXPECT_EQ(parent.verdict.kind, Verdict::Kind::kPass);
  EXPECT_EQ(upgrade.verdict.kind, Verdict::Kind::kPass);
  EXPECT_EQ(parent.counts.anon_vmas, 1);
  EXPECT_EQ(upgrade.counts.anon_vmas, 2);
  EXPECT_EQ(run("eager", "", ops).counts.anon_vmas, 2);
}

// base0 with lazy.upgrade root: one anon_vma per mm, shared by every VMA
// the mm upgrades (fork upgrades all of them).
TEST(Base0UpgradeRoot, OneAnonVmaPerMm) {
  const char* ops =
      "P0 mmap 0x100 4 rw\n"
      "P0 mmap 0x104 4 rwx\n"
      "P0 write 0x100 8\n"
      "P0 fork P1\n";
  EXPECT_EQ(run("base0", "", ops).counts.anon_vmas, 4);  // P0's two, P1's two children
  EXPECT_EQ(run("base0", "option lazy.upgrade root\n", ops).counts.anon_vmas, 3);
}

// cowctx: with mm/vma.c's fork-child test unchanged, a faulted VMA never
// merges with an unfaulted neighbour; without it, it does (as eager, whose
// faulted VMA here is no fork child).
TEST(CowctxForkChildCheck, UnchangedRefusesFaultedWithUnfaulted) {
  const char* ops =
      "P0 mmap 0x100 4 rw\n"
      "P0 write 0x100 1\n"
      "P0 mmap 0x104 4 rw\n";
  EXPECT_EQ(run("eager", "", ops).counts.vmas, 1);
  EXPECT_EQ(run("cowctx", "", ops).counts.vmas, 2);
  EXPECT_EQ(run("cowctx", "option cowctx.fork_child_check none\n", ops).counts.vmas, 1);
}

}  // namespace
}  // namespace rmc
