// test_snapshot.cpp - the snapshot's parsing, fork-forest inference and
// rebuild (on a synthetic snapshot with counts derived from the kernel's
// rules by hand), its degraded modes, and this machine's snapshot where
// root and /sys/kernel/slab are there.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "memory/compose.h"
#include "memory/snapshot.h"
#include "memory/snapshot_report.h"
#include "memory/snapshot_workload.h"

namespace rmc::memory {
namespace {

SnapshotVma vma(uint64_t start, uint64_t end, uint8_t prot, bool faulted, std::string file = "") {
  SnapshotVma v;
  v.start = start;
  v.end = end;
  v.prot = prot;
  v.faulted = faulted;
  v.anonymous = file.empty();
  v.file = std::move(file);
  return v;
}

constexpr uint8_t kR = kProtRead, kRw = kProtRead | kProtWrite, kRx = kProtRead | kProtExec;

// A (pid 10) forks B (11) and C (12, which exec'd: shares nothing);
// B forks D (13), which shares a page with A only (B copied it): D's
// fork parent is its nearest sharing ancestor, A.
Snapshot family() {
  Snapshot s;
  SnapshotProcess a{10, 1, "a", {}, {100, 101}};
  a.vmas = {vma(0x1000, 0x2000, kRw, true), vma(0x2000, 0x3000, kR, true),  // one VMA split by mprotect
            vma(0x5000, 0x6000, kRx, false, "fe:00 7")};
  SnapshotProcess b{11, 10, "b", a.vmas, {100}};
  b.vmas.push_back(vma(0x9000, 0xa000, kRw, true));
  SnapshotProcess c{12, 10, "c", {vma(0x1000, 0x4000, kRw, true)}, {}};
  SnapshotProcess d{13, 11, "d", a.vmas, {101}};
  s.processes = {a, b, c, d};
  return s;
}

TEST(Snapshot, ForkParentIsTheNearestAncestorSharingAPage) {
  const ForkForest f = infer_fork_forest(family());
  EXPECT_EQ(f.parent, (std::vector<int>{-1, 0, -1, 0}));
  EXPECT_EQ(f.depth, 2u);
  EXPECT_EQ(f.orphans, 0u);
}

TEST(Snapshot, RootsSharingPagesWithAnotherTreeAreOrphans) {
  Snapshot s = family();
  s.processes[2].shared_pfns = {101};  // c shares with a, but its ppid chain says nothing: a dead parent
  s.processes[2].ppid = 1;
  const ForkForest f = infer_fork_forest(s);
  EXPECT_EQ(f.parent[2], -1);
  EXPECT_EQ(f.orphans, 1u);
}

// Eager, by the kernel's rules: a's split pair shares one anon_vma (2
// AVCs); b and d each give both inherited faulted VMAs an anon_vma of their
// own (2 anon_vmas, 4 AVCs), b adds one VMA of its own (1 + 1); c is a
// root with one faulted VMA. Lazy: a's VMAs are upgraded at its first
// fork into one anon_vma each (2 anon_vmas + 2 AVCs), b's and d's inherited
// VMAs are TREE_PARENT (1 AVC each), b's own and c's VMA stay lazy.
TEST(Snapshot, RebuiltWorkloadHasTheKernelsCounts) {
  const Snapshot s = family();
  const ForkForest f = infer_fork_forest(s);
  const SnapshotWorkload w = snapshot_workload(s, f);
  EXPECT_EQ(w.vmas, 11u);
  EXPECT_EQ(w.skipped_processes, 0u);
  EXPECT_EQ(process_count(w.workload), 4u);
  RunOptions options;
  options.checks = true;
  const DesignRun eager = run_workload(w.workload, "eager", options);
  ASSERT_FALSE(eager.error) << *eager.error;
  EXPECT_EQ(eager.counts.vmas, 11);
  EXPECT_EQ(eager.counts.anon_vmas, 1 + 3 + 2 + 1);
  EXPECT_EQ(eager.counts.avcs, 2 + 5 + 4 + 1);
  const DesignRun lazy = run_workload(w.workload, "lazy", options);
  ASSERT_FALSE(lazy.error) << *lazy.error;
  EXPECT_EQ(lazy.counts.vmas, 11);
  EXPECT_EQ(lazy.counts.anon_vmas, 2);
  EXPECT_EQ(lazy.counts.avcs, 2 + 2 + 2);
}

TEST(Snapshot, ChildChangesAreReplayed) {
  // The child unmapped one inherited VMA, faulted another the parent had
  // not faulted, and made a third read-only.
  Snapshot s;
  SnapshotProcess p{20, 1, "p", {vma(0x1000, 0x2000, kRw, true), vma(0x3000, 0x4000, kRw, false),
                                 vma(0x5000, 0x6000, kRw, true)}, {7}};
  SnapshotProcess c{21, 20, "c", {vma(0x3000, 0x4000, kRw, true), vma(0x5000, 0x6000, kR, true)}, {7}};
  s.processes = {p, c};
  const SnapshotWorkload w = snapshot_workload(s, infer_fork_forest(s));
  const DesignRun eager = run_workload(w.workload, "eager", RunOptions{});
  ASSERT_FALSE(eager.error) << *eager.error;
  EXPECT_EQ(eager.counts.vmas, 5);
  // p: 2 roots; c: 0x3000 a new root (1 + 1), 0x5000 a fork child (1 + 2).
  EXPECT_EQ(eager.counts.anon_vmas, 2 + 1 + 1);
  EXPECT_EQ(eager.counts.avcs, 2 + 1 + 2);
}

TEST(Snapshot, ParseMaps) {
  std::vector<SnapshotVma> v;
  ASSERT_FALSE(parse_maps("560f46056000-560f46058000 r--p 00000000 fe:00 247134   /usr/bin/cat\n"
                          "560f5c95a000-560f5c97b000 rw-p 00000000 00:00 0        [heap]\n"
                          "7ffb379cb000-7ffb379d2000 r--s 00001000 fe:00 332280   /x.cache\n"
                          "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n",
                          v));
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].start, 0x560f46056000u);
  EXPECT_EQ(v[0].prot, kProtRead);
  EXPECT_FALSE(v[0].anonymous);
  EXPECT_EQ(v[0].file, "fe:00 247134");
  EXPECT_TRUE(v[1].anonymous);
  EXPECT_EQ(v[1].prot, kRw);
  EXPECT_TRUE(v[2].shared);
  EXPECT_EQ(v[2].offset, 0x1000u);
  std::vector<SnapshotVma> bad;
  auto error = parse_maps("zzzz-1000 rw-p 0 00:00 0\n", bad);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("maps line 1"), std::string::npos);
}

TEST(Snapshot, MissingProcOrSlabDegradesWithAReason) {
  SnapshotOptions options;
  options.proc_dir = "/nonexistent-proc";
  Snapshot s;
  auto error = read_snapshot(options, s);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("cannot list /nonexistent-proc"), std::string::npos);
  const SlabCount count = read_slab_objects("/nonexistent-slab", "anon_vma", false);
  EXPECT_FALSE(count.objects);
  EXPECT_NE(count.error.find("not readable"), std::string::npos);
}

TEST(Snapshot, ReportSaysSkippedWhereTheSlabIsMissing) {
  const Snapshot base = family();
  Snapshot s = base;
  s.anon_vma.error = "/nonexistent-slab/anon_vma/objects is not readable";
  s.vm_area_struct.objects = 22;
  const ForkForest f = infer_fork_forest(s);
  const SnapshotWorkload w = snapshot_workload(s, f);
  SnapshotReport r{&s, &f, &w, {}};
  r.table.runs.push_back(run_workload(w.workload, "eager", RunOptions{}));
  EXPECT_EQ(fidelity(r, "vm_area_struct"), 0.5);
  EXPECT_FALSE(fidelity(r, "anon_vma"));
  const std::string text = render_snapshot(r);
  EXPECT_NE(text.find("skipped   (/nonexistent-slab/anon_vma/objects is not readable)"), std::string::npos) << text;
}

// This machine: needs root (other users' maps, PFNs) and SLUB's sysfs.
TEST(Snapshot, ThisMachine) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to read every process's maps and pagemap PFNs";
  if (!std::filesystem::exists("/sys/kernel/slab/anon_vma/objects"))
    GTEST_SKIP() << "/sys/kernel/slab/anon_vma/objects is missing (no SLUB sysfs here)";
  SnapshotOptions options;
  options.shrink = false;
  Snapshot s;
  ASSERT_FALSE(read_snapshot(options, s));
  ASSERT_FALSE(s.processes.empty());
  ASSERT_TRUE(s.anon_vma.objects) << s.anon_vma.error;
  EXPECT_GT(*s.anon_vma.objects, 0);
  uint64_t vmas = 0;
  for (const SnapshotProcess& p : s.processes) vmas += p.vmas.size();
  const ForkForest f = infer_fork_forest(s);
  const SnapshotWorkload w = snapshot_workload(s, f);
  const DesignRun eager = run_workload(w.workload, "eager", RunOptions{});
  ASSERT_FALSE(eager.error) << *eager.error;
  // The rebuild keeps every VMA of every process it holds.
  EXPECT_EQ(static_cast<uint64_t>(eager.counts.vmas), w.vmas);
  EXPECT_EQ(w.vmas + w.skipped_vmas, vmas);
}

}  // namespace
}  // namespace rmc::memory
