// test_kernel_oracle.cpp - the oracle's parts: the comparison catches each
// kind of difference, expectations on kernel observations, which traces can
// run, and (as root) the workers, the slab counts and the host settings on
// the real kernel, including workers that die or hang.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "kernel/cleanup.h"
#include "kernel/host.h"
#include "kernel/kernel_expect.h"
#include "kernel/kernel_fuzz.h"
#include "kernel/observation.h"
#include "kernel/oracle.h"
#include "kernel/proc_view.h"
#include "kernel/slab.h"
#include "kernel/worker/protocol.h"
#include "kernel/workers.h"
#include "model/check/runner.h"
#include "model/core/bounds.h"
#include "model/core/layout.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc::kernel {
namespace {

#define SKIP_UNLESS_KERNEL()                                  \
  if (auto why = kernel_oracle_unavailable()) GTEST_SKIP() << "needs root and /sys/kernel/slab: " << *why

Trace parse(const std::string& text) {
  ParseResult parsed = parse_trace(text, "test.trace");
  if (auto* e = std::get_if<TraceError>(&parsed)) ADD_FAILURE() << e->str();
  return std::get<Trace>(parsed);
}

// The model's observation after a trace.
Observation model_after(const std::string& text) {
  Trace trace = parse(text);
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  for (const TraceLine& line : trace.lines) EXPECT_TRUE(runner.run_line(line).ok()) << line.line;
  return observe_model(*world);
}

constexpr const char* kForkCow =
    "# rmapcheck trace 1\n"
    "P0 mmap 0x100 4 rw\n"
    "P0 write 0x100 3\n"
    "P0 read 0x103 1\n"
    "P0 fork P1\n"
    "P1 write 0x101 1\n";

// ---- comparison (no root needed) ---------------------------------------------

TEST(Observation, SharingClassesIgnoreTheNumbersOfPfns) {
  Observation a = model_after(kForkCow);
  Observation b = a;
  for (ProcessView& p : b.processes)
    for (PageView& v : p.pages)
      if (v.kind == PageKind::kPresent) v.identity = v.identity * 1000 + 77;  // other PFNs, same classes
  EXPECT_FALSE(compare(a, b, {}).has_value());
}

TEST(Observation, ModelViewAfterForkAndCow) {
  Observation o = model_after(kForkCow);
  ASSERT_EQ(o.processes.size(), 2u);
  const ProcessView& p0 = o.processes[0];
  const ProcessView& p1 = o.processes[1];
  EXPECT_EQ(p0.page(0x100)->identity, p1.page(0x100)->identity);  // shared after fork
  EXPECT_NE(p0.page(0x101)->identity, p1.page(0x101)->identity);  // P1 copied it
  EXPECT_EQ(p0.page(0x103)->kind, PageKind::kZero);
  EXPECT_FALSE(p0.page(0x100)->exclusive);
  EXPECT_TRUE(p1.page(0x101)->exclusive);
  EXPECT_EQ(o.counts, (ArenaCounts{2, 2, 3}));
}

TEST(Observation, EveryKindOfDifferenceIsCaught) {
  const Observation m = model_after(kForkCow);
  using K = Difference::Kind;
  auto expect_kind = [&](Observation k, K kind, const char* fragment) {
    auto d = compare(k, m, {});
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->kind, kind) << d->message;
    EXPECT_NE(d->message.find(fragment), std::string::npos) << d->message;
  };
  Observation k = m;
  k.processes.pop_back();
  expect_kind(k, K::kProcesses, "live processes");
  k = m;
  k.processes[1].vmas[0].prot = kProtRead;
  expect_kind(k, K::kVmas, "P1 VMAs");
  k = m;
  k.processes[0].pages[3] = {PageKind::kSwapped, false, true, false, 5};
  expect_kind(k, K::kPageState, "P0:0x103: kernel swapped, model zero page");
  k = m;
  k.processes[1].pages[1].identity = m.processes[0].pages[1].identity;  // P1 still shares 0x101
  expect_kind(k, K::kSharing, "P1:0x101 (physical page): in the kernel it shares with P0:0x101; in the model with no other page");
  k = m;
  k.processes[1].pages[1].exclusive = false;
  expect_kind(k, K::kExclusive, "P1:0x101: PageAnonExclusive is clear in the kernel, set in the model");
  k = m;
  k.processes[1].pages[1].mapped_once = false;
  expect_kind(k, K::kMappedOnce, "P1:0x101: the page is not mapped once in the kernel (pagemap bit 56), mapped once in the model");
  k = m;
  k.counts.avcs++;
  expect_kind(k, K::kCounts, "avc 4");
  CompareOptions lenient;
  lenient.counts = false;
  EXPECT_FALSE(compare(k, m, lenient).has_value());
}

// Same world: the kernel-side picture must be the model's own picture (every
// VMA here maps anonymous pages, so the letters agree too).
Observation model_with_picture(const std::string& text, std::string& picture) {
  Trace trace = parse(text);
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  for (const TraceLine& line : trace.lines) EXPECT_TRUE(runner.run_line(line).ok()) << line.line;
  picture = render_layout(*world);
  return observe_model(*world);
}

// A /dev/zero VMA is told apart from an anonymous one, and by its offset.
TEST(Observation, ADevZeroVmaMatchesOnlyTheSameFileAndOffset) {
  const Observation m = model_after(
      "# rmapcheck trace 1\n"
      "P0 mmap_zero 0x100 4 rw 0x100000\n"
      "P0 mmap 0x104 4 rw\n");
  ASSERT_EQ(m.processes[0].vmas.size(), 2u);  // another vm_file: no merge
  EXPECT_TRUE(m.processes[0].vmas[0].dev_zero);
  EXPECT_EQ(m.processes[0].vmas[0].pgoff, 0x100000u);
  EXPECT_FALSE(m.processes[0].vmas[1].dev_zero);
  EXPECT_EQ(m.processes[0].vmas[1].pgoff, 0u);  // not observable for anonymous VMAs
  auto message = [&](const Observation& k) {
    auto d = compare(k, m, {});
    EXPECT_TRUE(d.has_value());
    EXPECT_EQ(d ? d->kind : Difference::Kind::kCounts, Difference::Kind::kVmas);
    return d ? d->message : "";
  };
  Observation k = m;
  k.processes[0].vmas[0].pgoff = 0x100;
  EXPECT_EQ(message(k),
            "P0 VMA 0x100-0x104: the kernel maps /dev/zero at vm_pgoff arena base + 0x100, the model /dev/zero at "
            "vm_pgoff arena base + 0x100000");
  k = m;
  k.processes[0].vmas[0] = {0x100, 0x104, kProtRead | kProtWrite};
  EXPECT_EQ(message(k),
            "P0 VMA 0x100-0x104: the kernel maps no file (anonymous), the model /dev/zero at vm_pgoff arena base + "
            "0x100000");
  k = m;
  k.processes[0].vmas[1].end = 0x105;
  EXPECT_NE(message(k).find("P0 VMAs: kernel 0x100-0x104:rw:/dev/zero@0x100000 0x104-0x105:rw"), std::string::npos);
}

TEST(Observation, KernelLayoutInTheModelsStyle) {
  std::string model_picture;
  Observation o = model_with_picture(kForkCow, model_picture);
  EXPECT_EQ(render_observation_layout(o), model_picture);
  EXPECT_EQ(model_picture,
            "          0x100\n"
            "  P0      AAAA\n"
            "          ~~~0\n"
            "  P1      AAAA\n"
            "          ~x~0\n");
  // P1 copied 0x101 (d); 0x100 (a) and 0x102 (c) are still shared.
  EXPECT_EQ(render_sharing(o),
            "          0x100\n"
            "  P0      abc0\n"
            "  P1      adc0\n");
}

TEST(KernelExpectations, JudgesWhatTheKernelShowsAndNamesWhatItCannot) {
  Observation k = model_after(kForkCow);
  KernelExpectations judge;
  Trace t = parse(std::string(kForkCow) +
      "expect vmas P0 0x100-0x104:rw:faulted\n"
      "expect vmas P1 0x100-0x105:rw\n"
      "expect same P0:0x100 P1:0x100\n"
      "expect different P0:0x101 P1:0x101\n"
      "expect same P0:0x101 P1:0x101\n"
      "expect state P0:0x103 zero\n"
      "expect delta vma +2 anon_vma +2 avc +3 folio +4\n"
      "expect delta vma +0\n"
      "expect count vma 2 avc 4\n");
  std::vector<std::optional<std::string>> results;
  for (const TraceLine& line : t.lines)
    if (line.kind == TraceLine::Kind::kExpect) results.push_back(judge.judge(line.expect, k));
  EXPECT_FALSE(results[0].has_value());
  ASSERT_TRUE(results[1].has_value());
  EXPECT_NE(results[1]->find("P1 VMAs in the kernel are 0x100-0x104:rw"), std::string::npos);
  EXPECT_FALSE(results[2].has_value());
  EXPECT_FALSE(results[3].has_value());
  ASSERT_TRUE(results[4].has_value());
  EXPECT_FALSE(results[5].has_value());
  EXPECT_FALSE(results[6].has_value());  // the base is the empty arena; folio is skipped
  EXPECT_FALSE(results[7].has_value());  // the base moved
  ASSERT_TRUE(results[8].has_value());
  EXPECT_NE(results[8]->find("avc count in the kernel is 3, expected 4"), std::string::npos);
  EXPECT_EQ(judge.not_judged().size(), 2u);  // :faulted and delta folio
}

// kernel-fuzz counts a difference as explained only when the run noted a
// known environment difference (an mTHP swapped out whole).
TEST(KernelFuzz, OnlyANotedEnvironmentDifferenceExplainsAFinding) {
  OracleVerdict v;
  v.kind = OracleVerdict::Kind::kDisagree;
  v.notes.push_back("line 3: the kernel would pick the new address itself (outside the arena); made MREMAP_FIXED");
  EXPECT_EQ(explained_by_environment(v), "");
  v.notes.push_back(fmt::format("line 7: {}", kMthpSwapoutNote));
  EXPECT_EQ(explained_by_environment(v), "environment: mTHP swap-out");
}

TEST(Host, TracesThatCannotBeComparedSayWhy) {
  auto why = [](const std::string& body) { return trace_unsupported(parse("# rmapcheck trace 1\n" + body)); };
  EXPECT_FALSE(why("P0 mmap 0x100 4 rw\nP0 madvise 0x100 4 pageout\n").has_value());
  ASSERT_TRUE(why("option bug B3\nP0 mmap 0x100 4 rw\n").has_value());
  EXPECT_NE(why("option bug B3\nP0 mmap 0x100 4 rw\n")->find("historical bug"), std::string::npos);
  EXPECT_TRUE(why("option swapcache_after_pageout off\nP0 mmap 0x100 4 rw\nP0 madvise 0x100 4 pageout\n").has_value());
  EXPECT_FALSE(why("option swapcache_after_pageout off\nP0 mmap 0x100 4 rw\n").has_value());
  EXPECT_TRUE(why("option large_folio_order 9\nP0 mmap 0x100 4 rw\n").has_value());
  EXPECT_TRUE(why("option large_folio_order 1\nP0 mmap 0x100 4 rw\n").has_value());
  ASSERT_TRUE(why("P0 exec 0x200 4 1\n").has_value());
  EXPECT_NE(why("P0 exec 0x200 4 1\n")->find("line 2: exec cannot run here"), std::string::npos);
  ASSERT_TRUE(why("option mmap_pgoff_check off\nP0 mmap_zero 0x100 4 rw 0x100\n").has_value());
  EXPECT_NE(why("option mmap_pgoff_check off\nP0 mmap_zero 0x100 4 rw 0x100\n")->find("mmap_pgoff_check off"),
            std::string::npos);
  EXPECT_FALSE(why("P0 mmap_zero 0x100 4 rw 0x7ffffffffffff\n").has_value());
  TraceNeeds needs = trace_needs(parse(
      "# rmapcheck trace 1\noption large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 split_folio 0x100\nP0 madvise 0x100 4 pageout\n"));
  EXPECT_TRUE(needs.swap);
  EXPECT_TRUE(needs.split);
  EXPECT_EQ(needs.folio_order, 2u);
}

// ---- the real kernel (root) ------------------------------------------------------

WorkerConfig test_config(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  WorkerConfig c;
  c.worker_path = default_worker_path();
  c.cpu = 0;
  c.arena_base = kArenaBase;
  c.start_brk = kArenaBase + 0x8000 * 4096ull;
  c.timeout = timeout;
  return c;
}

bool process_exists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(Workers, ForkWriteReadAndExitAreRealProcesses) {
  SKIP_UNLESS_KERNEL();
  Workers w(test_config());
  const ProcessId p0{0}, p1{1};
  const uint64_t a = kArenaBase + 0x100 * 4096ull;
  ASSERT_EQ(w.syscall(p0, SYS_mmap, {a, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, ~0ull, 0}),
            static_cast<int64_t>(a));
  w.write(p0, a, 4, 100);
  w.fork(p0, p1);
  EXPECT_NE(w.pid(p0), w.pid(p1));
  w.write(p1, a, 1, 7);
  EXPECT_EQ(w.read(p0, a, 4), (std::vector<uint64_t>{100, 101, 102, 103}));
  EXPECT_EQ(w.read(p1, a, 4), (std::vector<uint64_t>{7, 101, 102, 103}));
  const pid_t child = w.pid(p1);
  w.exit(p1);
  EXPECT_FALSE(w.live(p1));
  EXPECT_FALSE(process_exists(child));
}

// Every worker maps the one /dev/zero the controller opened before P0: a
// child's mapping merges with one it inherited (one struct file), and the
// offset is vm_pgoff as maps shows it.
TEST(Workers, EveryWorkerMapsTheSameDevZero) {
  SKIP_UNLESS_KERNEL();
  Workers w(test_config());
  const ProcessId p0{0}, p1{1};
  const uint64_t a = kArenaBase + 0x100 * 4096ull, offset = kArenaBase + 0x7000 * 4096ull;
  ASSERT_EQ(w.syscall(p0, SYS_mmap, {a, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, RMC_DEV_ZERO_FD, offset}),
            static_cast<int64_t>(a));
  w.fork(p0, p1);
  ASSERT_EQ(w.syscall(p1, SYS_mmap, {a + 4 * 4096, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, RMC_DEV_ZERO_FD,
                                     offset + 4 * 4096}),
            static_cast<int64_t>(a + 4 * 4096));
  ProcReader reader(kArenaBase);
  const ProcessView v = reader.read(p1, w.pid(p1));
  ASSERT_EQ(v.vmas.size(), 1u);
  EXPECT_EQ(v.vmas[0], (VmaView{0x100, 0x108, kProtRead | kProtWrite, true, 0x7000}));
  EXPECT_EQ(w.read(p1, a, 8), std::vector<uint64_t>(8, 0));  // anonymous zero pages, private to each process
}

TEST(Workers, ADeadWorkerIsAClearErrorAndNoneIsLeftBehind) {
  SKIP_UNLESS_KERNEL();
  auto w = std::make_unique<Workers>(test_config());
  w->fork(ProcessId{0}, ProcessId{1});
  const pid_t p0 = w->pid(ProcessId{0}), p1 = w->pid(ProcessId{1});
  try {
    w->syscall(ProcessId{1}, SYS_kill, {static_cast<uint64_t>(p1), SIGSEGV, 0, 0, 0, 0});
    FAIL() << "a worker that killed itself answered";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("P1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("signal 11"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(process_exists(p0));
  EXPECT_FALSE(process_exists(p1));
}

TEST(Workers, AStuckWorkerTimesOut) {
  SKIP_UNLESS_KERNEL();
  Workers w(test_config(std::chrono::milliseconds(300)));
  const pid_t p0 = w.pid(ProcessId{0});
  try {
    w.syscall(ProcessId{0}, SYS_pause, {});
    FAIL() << "pause() answered";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer within 300 ms"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(process_exists(p0));
}

// The lines of /proc/PID/maps whose start lies in [lo, hi).
std::vector<std::string> maps_lines_in(pid_t pid, uint64_t lo, uint64_t hi) {
  std::ifstream in(fmt::format("/proc/{}/maps", pid));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    const uint64_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    if (start >= lo && start < hi) lines.push_back(line);
  }
  return lines;
}

// The workers must not disturb what is measured: nothing of their own in the
// arena (no heap VMA there: brk is only moved, never grown, and the worker
// has no malloc), and a command round trip changes no slab count of the
// three caches. The machine-wide counts also move with other processes, so
// a few tries are allowed; a worker that allocated per command would fail
// every one.
TEST(Workers, NoOwnMemoryInTheArenaAndNoSlabObjectsPerCommand) {
  SKIP_UNLESS_KERNEL();
  Workers w(test_config());
  w.fork(ProcessId{0}, ProcessId{1});
  const uint64_t arena_end = kArenaBase + kArenaPages * 4096ull;
  for (ProcessId p : {ProcessId{0}, ProcessId{1}}) {
    EXPECT_EQ(maps_lines_in(w.pid(p), kArenaBase, arena_end), std::vector<std::string>{}) << process_name(p);
    EXPECT_FALSE(maps_lines_in(w.pid(p), 0, ~0ull).empty()) << "maps of " << process_name(p) << " unreadable";
  }
  bool quiet = false;
  for (int attempt = 0; attempt < 5 && !quiet; attempt++) {
    const SlabCounts before = read_slab_counts();
    for (int i = 0; i < 20; i++)
      for (ProcessId p : {ProcessId{0}, ProcessId{1}}) w.syscall(p, SYS_getpid, {});
    quiet = read_slab_counts() - before == SlabCounts{};
  }
  EXPECT_TRUE(quiet) << "40 command round trips changed the vm_area_struct / anon_vma / anon_vma_chain counts in 5 tries";
}

TEST(SlabCounts, AFirstWriteFaultCostsOneVmaOneAnonVmaOneAvc) {
  SKIP_UNLESS_KERNEL();
  Workers w(test_config());
  const uint64_t a = kArenaBase + 0x100 * 4096ull;
  const SlabCounts before = read_slab_counts();
  w.syscall(ProcessId{0}, SYS_mmap, {a, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, ~0ull, 0});
  w.write(ProcessId{0}, a, 1, 1);
  EXPECT_EQ(read_slab_counts() - before, (SlabCounts{1, 1, 1}));
}

TEST(Oracle, AgreesOnForkAndCow) {
  SKIP_UNLESS_KERNEL();
  Host host;
  OracleVerdict v = run_on_kernel(parse(kForkCow), host, {});
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kAgree) << v.what << "\n" << v.detail;
  EXPECT_EQ(v.steps, 5u);
}

TEST(Oracle, CatchesAKernelSideThatDiffers) {
  SKIP_UNLESS_KERNEL();
  Host host;
  OracleOptions o;
  o.confirm_runs = 1;
  // After the fork, unmap a page in P1 behind the model's back.
  o.tamper = [](Workers& w, size_t ops) {
    if (ops == 4) w.syscall(ProcessId{1}, SYS_munmap, {kArenaBase + 0x103 * 4096ull, 4096, 0, 0, 0, 0});
  };
  OracleVerdict v = run_on_kernel(parse(kForkCow), host, o);
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kDisagree);
  EXPECT_EQ(v.step, 4u);
  EXPECT_EQ(v.category, "VMA layout");
  EXPECT_NE(v.what.find("P1 VMAs: kernel 0x100-0x103:rw, model 0x100-0x104:rw"), std::string::npos) << v.what;
  EXPECT_EQ(v.runs, 2);  // confirmed by a second run
  // Extra writes in P0 after the fork copy pages: sharing and exclusivity differ.
  o.tamper = [](Workers& w, size_t ops) {
    if (ops == 4) w.write(ProcessId{0}, kArenaBase + 0x102 * 4096ull, 1, 999);
  };
  v = run_on_kernel(parse(kForkCow), host, o);
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kDisagree);
  EXPECT_EQ(v.category, "sharing");
  // A read that returns another value is a difference too.
  o.tamper = [](Workers& w, size_t ops) {
    if (ops == 2) w.write(ProcessId{0}, kArenaBase + 0x101 * 4096ull, 1, 999);
  };
  v = run_on_kernel(parse("# rmapcheck trace 1\nP0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 read 0x100 2\n"), host, o);
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kDisagree);
  EXPECT_EQ(v.category, "op result");
  EXPECT_NE(v.what.find("read of P0:0x101 returned 0x3e7 in the kernel; the trace's memory specification says 0x2"),
            std::string::npos)
      << v.what;
}

TEST(Oracle, CatchesAnAnonymousVmaWhereTheModelHasDevZero) {
  SKIP_UNLESS_KERNEL();
  Host host;
  OracleOptions o;
  o.confirm_runs = 1;
  // Replace the /dev/zero mapping with an anonymous one behind the model's back.
  o.tamper = [](Workers& w, size_t ops) {
    if (ops == 1)
      w.syscall(ProcessId{0}, SYS_mmap,
                {kArenaBase + 0x100 * 4096ull, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, ~0ull, 0});
  };
  OracleVerdict v = run_on_kernel(parse("# rmapcheck trace 1\nP0 mmap_zero 0x100 2 rw 0x40\nP0 write 0x100 2\n"), host, o);
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kDisagree);
  EXPECT_EQ(v.step, 1u);
  EXPECT_EQ(v.category, "VMA layout");
  EXPECT_EQ(v.what, "P0 VMA 0x100-0x102: the kernel maps no file (anonymous), the model /dev/zero at vm_pgoff arena base + 0x40");
  EXPECT_NE(v.detail.find("kernel call: mmap(0x100000100000, 0x2000, 0x3, 0x12, /dev/zero (fd 19), 0x100000040000)"),
            std::string::npos)
      << v.detail;
  // Without the tampering the two agree.
  v = run_on_kernel(parse("# rmapcheck trace 1\nP0 mmap_zero 0x100 2 rw 0x40\nP0 write 0x100 2\n"), host, {});
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kAgree) << v.what << "\n" << v.detail;
}

TEST(Oracle, AnExpectationThatFailsOnTheKernelOnlyIsReported) {
  SKIP_UNLESS_KERNEL();
  Host host;
  OracleOptions o;
  o.confirm_runs = 1;
  o.compare.counts = false;  // so that the expectation, not the comparison, sees it
  // A faulted mapping outside the arena: invisible in the arena's maps, but
  // one VMA, one anon_vma and one AVC more in the slab counts.
  o.tamper = [](Workers& w, size_t ops) {
    if (ops != 1) return;
    const uint64_t outside = kArenaBase - 0x10 * 4096ull;
    w.syscall(ProcessId{0}, SYS_mmap, {outside, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, ~0ull, 0});
    w.write(ProcessId{0}, outside, 1, 1);
  };
  OracleVerdict v = run_on_kernel(
      parse("# rmapcheck trace 1\nP0 mmap 0x100 4 rw\nP0 write 0x100 1\nexpect delta vma +1 anon_vma +1 avc +1\n"), host, o);
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kExpectFailed) << v.what;
  EXPECT_EQ(v.step, 3u);
  EXPECT_NE(v.what.find("vma change in the kernel is +2, expected +1"), std::string::npos) << v.what;
}

TEST(Oracle, BadInputIsNotRunOnTheKernel) {
  SKIP_UNLESS_KERNEL();
  Host host;
  OracleVerdict v = run_on_kernel(parse("# rmapcheck trace 1\nP0 mmap 0x100 4 r\nP0 write 0x100 1\n"), host, {});
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kBadInput);
  EXPECT_EQ(v.what, "test.trace:3: write of 0x100: the VMA is r (SIGSEGV)");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Host, SwapFileAndMthpSizeAreUndone) {
  SKIP_UNLESS_KERNEL();
  const std::string knob = "/sys/kernel/mm/transparent_hugepage/hugepages-16kB/enabled";
  const std::string before_knob = read_text(knob);
  const std::string before_swaps = read_text("/proc/swaps");
  {
    Host host;
    TraceNeeds needs;
    needs.swap = true;
    needs.folio_order = 2;
    auto why = host.prepare(needs);
    ASSERT_FALSE(why.has_value()) << *why;
    EXPECT_NE(read_text("/proc/swaps").find("rmapcheck-swap-"), std::string::npos);
    EXPECT_NE(read_text(knob).find("[always]"), std::string::npos);
  }
  EXPECT_EQ(read_text(knob), before_knob);
  EXPECT_EQ(read_text("/proc/swaps"), before_swaps);
}

// A signal in the middle of a run: its handler kills every worker and puts
// every setting back before the process dies. Run in a forked copy of this
// test process, which the signal then ends.
TEST(Cleanup, ASignalKillsTheWorkersAndUndoesTheSettings) {
  SKIP_UNLESS_KERNEL();
  const std::string knob = "/sys/kernel/mm/transparent_hugepage/hugepages-16kB/enabled";
  const std::string before_knob = read_text(knob);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    cleanup_forget_all();  // the test process's own registrations are not ours
    Host host;
    TraceNeeds needs;
    needs.swap = true;
    needs.folio_order = 2;
    if (host.prepare(needs)) _exit(3);
    Workers w(test_config());
    w.fork(ProcessId{0}, ProcessId{1});
    const pid_t pids[2] = {w.pid(ProcessId{0}), w.pid(ProcessId{1})};
    if (write(fds[1], pids, sizeof pids) != sizeof pids) _exit(4);
    raise(SIGTERM);
    _exit(5);  // not reached: the handler re-raises SIGTERM with its default action
  }
  close(fds[1]);
  pid_t pids[2] = {0, 0};
  const bool got = read(fds[0], pids, sizeof pids) == sizeof pids;
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(got) << "the child failed before its workers started (status " << status << ")";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_FALSE(process_exists(pids[0]));
  EXPECT_FALSE(process_exists(pids[1]));
  EXPECT_EQ(read_text(knob), before_knob);
  const std::string swap_file = fmt::format("/var/tmp/rmapcheck-swap-{}", child);
  EXPECT_EQ(read_text("/proc/swaps").find(swap_file), std::string::npos);
  EXPECT_NE(access(swap_file.c_str(), F_OK), 0) << swap_file << " was left behind";
  EXPECT_NE(access(fmt::format("/var/tmp/rmapcheck-thp-{}", child).c_str(), F_OK), 0);
}

}  // namespace
}  // namespace rmc::kernel
