// test_compose.cpp - the composition rule of memory/compose.h, proven on
// every tree that fits in one world: composed counts == single-world counts,
// for every design, field by field (VMAs, anon_vmas, AVCs, folios, zombie
// VMAs, contexts).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "memory/compose.h"
#include "memory/workloads.h"
#include "model/designs.h"

namespace rmc::memory {
namespace {

// A small Android tree: every kind of op of the real shapes, at sizes where
// zygote + apps + forked children fit in one world.
AndroidShape small_android(uint32_t apps, uint32_t fork_every, uint32_t daemons) {
  AndroidShape s;
  s.daemons = daemons;
  s.daemon = {.heaps = 4, .stacks = 2, .files = 3};
  s.zygote = {.heaps = 24, .stacks = 2, .sealed_pairs = 3, .files = 10};
  s.system_server = {.heaps = 6, .stacks = 3, .sealed_pairs = 2, .moves = 2, .cow_pages = 8, .files = 4};
  s.system_apps = apps > 0 ? apps - 1 : 0;
  s.system_app = {.heaps = 4, .stacks = 2, .sealed_pairs = 2, .moves = 1, .cow_pages = 5, .files = 3};
  s.fork_every = fork_every;
  s.forked_child = {.heaps = 2, .stacks = 1, .cow_pages = 3};
  s.spread = 0.25;
  s.seed = 7;
  return s;
}

void expect_composes(const Workload& w, uint32_t world_processes) {
  for (std::string_view design : design_names()) {
    RunOptions single_options;
    const DesignRun single = run_single_world(w, design, single_options);
    ASSERT_FALSE(single.error) << *single.error;
    RunOptions composed_options;
    composed_options.always_compose = true;
    composed_options.world_processes = world_processes;
    const DesignRun composed = run_workload(w, design, composed_options);
    ASSERT_FALSE(composed.error) << *composed.error;
    EXPECT_EQ(composed.counts, single.counts)
        << w.name << " on " << design << " in worlds of " << world_processes << " processes:\n  composed "
        << describe(composed.counts) << "\n  single   " << describe(single.counts);
    // The default path (one world where the tree fits) is the single world.
    const DesignRun plain = run_workload(w, design, RunOptions{});
    ASSERT_FALSE(plain.error) << *plain.error;
    EXPECT_EQ(plain.counts, single.counts) << w.name << " on " << design;
  }
}

TEST(Compose, ZygoteAndUpToSevenAppsEveryDesign) {
  for (uint32_t apps = 1; apps <= 7; apps++) {
    const Workload w = android_workload(fmt::format("zygote+{}", apps), small_android(apps, 0, 0));
    ASSERT_EQ(process_count(w), apps + 1);
    for (uint32_t slots : {3u, 5u, 8u}) expect_composes(w, slots);
  }
}

TEST(Compose, AppsThatForkTheirOwnChildren) {
  // zygote, 5 apps, apps 2 and 4 fork a child: 8 processes, depth 3.
  const Workload w = android_workload("zygote+forking apps", small_android(5, 2, 0));
  ASSERT_EQ(process_count(w), 8u);
  for (uint32_t slots : {4u, 6u, 8u}) expect_composes(w, slots);
}

TEST(Compose, ExecdDaemonsBesideTheZygote) {
  const Workload w = android_workload("daemons+zygote", small_android(3, 0, 3));
  ASSERT_EQ(process_count(w), 7u);
  expect_composes(w, 4);
}

TEST(Compose, ForkChainsOfUpToEightProcesses) {
  for (uint32_t processes = 1; processes <= 8; processes++) {
    const Workload w = fork_chain_workload({.vmas = 40, .processes = processes, .cow_pages = 6, .own_heaps = 3});
    ASSERT_EQ(process_count(w), processes);
    expect_composes(w, 8);
  }
}

// Why the dummy sibling is there: without it, every later sibling's m()
// pays the lazy designs' first-fork upgrade again, and the sum is wrong.
TEST(Compose, WithoutTheDummySiblingLazyIsOvercounted) {
  const Workload w = android_workload("zygote+4", small_android(4, 0, 0));
  RunOptions options;
  options.always_compose = true;
  options.world_processes = 3;
  options.dummy_siblings = false;
  const DesignRun single = run_single_world(w, "lazy", RunOptions{});
  const DesignRun composed = run_workload(w, "lazy", options);
  ASSERT_FALSE(single.error);
  ASSERT_FALSE(composed.error);
  EXPECT_GT(composed.counts.anon_vmas, single.counts.anon_vmas);
}

// A small workload with every check after every op: the model itself
// stays sound on what the memory table runs, and the counts do not change.
TEST(Compose, ChecksOnGiveTheSameCounts) {
  const Workload w = android_workload("zygote+forking apps", small_android(5, 2, 1));
  for (std::string_view design : design_names()) {
    RunOptions checked;
    checked.checks = true;
    checked.world_processes = 4;
    const DesignRun with_checks = run_workload(w, design, checked);
    ASSERT_FALSE(with_checks.error) << design << ": " << *with_checks.error;
    checked.checks = false;
    const DesignRun without = run_workload(w, design, checked);
    ASSERT_FALSE(without.error);
    EXPECT_EQ(with_checks.counts, without.counts) << design;
    EXPECT_GT(with_checks.stats.ops, 100u);
  }
}

TEST(Compose, TooDeepToComposeIsAClearError) {
  const Workload w = fork_chain_workload({.vmas = 4, .processes = 6, .cow_pages = 1, .own_heaps = 1});
  RunOptions options;
  options.world_processes = 4;
  const DesignRun run = run_workload(w, "eager", options);
  ASSERT_TRUE(run.error);
  EXPECT_NE(run.error->find("too deep"), std::string::npos) << *run.error;
}

TEST(Compose, PlansMayNotForkOrExitThemselves) {
  Workload w;
  w.name = "bad";
  ProcessPlan p;
  p.name = "p";
  Op fork;
  fork.kind = OpKind::kFork;
  fork.child = ProcessId{1};
  p.ops.push_back(fork);
  w.roots.push_back(p);
  const DesignRun run = run_workload(w, "eager", RunOptions{});
  ASSERT_TRUE(run.error);
  EXPECT_NE(run.error->find("without fork or exit"), std::string::npos) << *run.error;
}

TEST(Compose, InvalidOpsAndUnknownDesignsAreErrors) {
  Workload w;
  w.name = "bad";
  ProcessPlan p;
  p.name = "p";
  p.ops.push_back(op_write(0x100, 1));  // nothing mapped there: SIGSEGV
  w.roots.push_back(p);
  const DesignRun run = run_workload(w, "eager", RunOptions{});
  ASSERT_TRUE(run.error);
  EXPECT_NE(run.error->find("p: op 1 (P0 write 0x100 1)"), std::string::npos) << *run.error;
  EXPECT_TRUE(run_workload(w, "nosuch", RunOptions{}).error);
}

TEST(Compose, SingleWorldRefusesWhatDoesNotFit) {
  const Workload w = android_workload("zygote+9", small_android(9, 0, 0));
  const DesignRun run = run_single_world(w, "eager", RunOptions{});
  ASSERT_TRUE(run.error);
  EXPECT_NE(run.error->find("do not fit"), std::string::npos);
}

TEST(Workloads, NamesAndDeterminism) {
  EXPECT_TRUE(named_workload("android-boot"));
  EXPECT_TRUE(named_workload("apps-24"));
  EXPECT_TRUE(named_workload("fork-chain"));
  EXPECT_FALSE(named_workload("apps-0"));
  EXPECT_FALSE(named_workload("apps-x"));
  EXPECT_FALSE(named_workload("apps-24x"));
  EXPECT_FALSE(named_workload("nosuch"));
  const Workload a = *named_workload("apps-24"), b = *named_workload("apps-24");
  ASSERT_EQ(process_count(a), process_count(b));
  // 25 daemons + zygote + system_server + 29 system apps + 24 user apps +
  // the children of every 8th app (6 of 53).
  EXPECT_EQ(process_count(a), 25u + 1 + 1 + 29 + 24 + 6);
  EXPECT_EQ(a.roots.back().children[5].ops, b.roots.back().children[5].ops);
  EXPECT_EQ(process_count(*named_workload("fork-chain")), 8u);
}

}  // namespace
}  // namespace rmc::memory
