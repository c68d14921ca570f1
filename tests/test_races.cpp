// test_races.cpp - the two races the model runs as ops.
// fault_race (S20): two threads' first faults in one unfaulted VMA.
// Mainline's prepare ends as two faults in a row do; the series' lazy
// prepare, run twice, takes the root's reference twice (under
// lazy.prepare_race plain), which the root-refcount check reports. What the
// real kernel does: corpus/kernel/fault_race.trace (tests/kernel).
// grow_race (S5): a stack grows while a migration in flight ends; the lazy
// walk, which takes no lock, reads the stack's vm_start from before the
// growth and its vm_pgoff from after (lazy.base_read torn).
// And `expect kill` (S22), whose answer is the design's rmap walk.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "model/check/runner.h"
#include "model/core/op_semantics.h"
#include "model/designs.h"
#include "model/lazy/lazy_policy.h"
#include "tests/run_helpers.h"

namespace rmc {
namespace {

const LazyPolicy& lazy_policy(const World& w) { return static_cast<const LazyPolicy&>(w.policy()); }

// Everything a design's world holds that the race could change: object
// counts and the VMA layout as `replay` prints it.
std::string state_of(const World& w) {
  const RmapObjectCounts c = w.policy().counts(w);
  std::string out = fmt::format("vmas {} folios {} anon_vmas {} avcs {} zombies {}\n", w.live_vmas(), w.live_folios(),
                                c.anon_vmas, c.avcs, c.zombie_vmas);
  for (VmaId id : w.proc(ProcessId{0}).vmas) out += w.policy().describe_anon(w, id) + "\n";
  return out;
}

// A race in a design whose walk holds the anon_vma lock (or its context's)
// ends as the same ops in one order do.
void expect_serial_in_locked_designs(const std::string& raced, const std::string& serial) {
  for (std::string_view design : {"eager", "cowctx"})
    EXPECT_EQ(state_of(*run_ok(parse_ok(raced), design)), state_of(*run_ok(parse_ok(serial), design))) << design;
}

TEST(FaultRace, MainlinePrepareEndsAsTwoFaultsInARow) {
  for (std::string_view design : {"eager", "base0", "cowctx"}) {
    auto raced = run_ok(parse_ok("P0 mmap 0x100 4 rw\nP0 fault_race 0x100 0x102\n"), design);
    auto serial = run_ok(parse_ok("P0 mmap 0x100 4 rw\nP0 write 0x100 1\nP0 write 0x102 1\n"), design);
    EXPECT_EQ(state_of(*raced), state_of(*serial)) << design;
    EXPECT_TRUE(raced->coverage().hits(Path::kFaultRacePrepare) > 0) << design;
  }
  // The switch off: lazy's first fault is mainline's too.
  auto off = run_ok(parse_ok("P0 lazy_off\nP0 mmap 0x100 4 rw\nP0 fault_race 0x100 0x102\nP0 munmap 0x100 4\n"), "lazy");
  EXPECT_FALSE(off->coverage().hits(Path::kLazyPrepareRaced) > 0);
}

TEST(FaultRace, PlainLazyPrepareTakesTheRootTwice) {
  for (std::string_view design : {"lazy", "lazy-gki"}) {
    auto w = make_world(design, ModelOptions{});
    Runner runner(*w, /*checks=*/true);
    const Trace trace = parse_ok("P0 mmap 0x100 4 rw\nP0 fault_race 0x100 0x102\n");
    ASSERT_TRUE(runner.run_line(trace.lines[0]).ok());
    StepResult r = runner.run_line(trace.lines[1]);
    ASSERT_FALSE(r.violations.empty()) << design;
    EXPECT_EQ(r.violations[0].property, "root-refcount");
    EXPECT_EQ(r.violations[0].message,
              "root VMA 0 has 2 references but 1 VMAs and migrations use it: it is never freed (a leak)");
    EXPECT_EQ(lazy_policy(*w).root_refs(VmaId{0}), 2u);
    EXPECT_TRUE(w->coverage().hits(Path::kLazyPrepareRaced) > 0);
  }
}

TEST(FaultRace, AtomicLazyPrepareTakesItOnce) {
  auto w = run_ok(parse_ok("option lazy.prepare_race atomic\nP0 mmap 0x100 4 rw\nP0 fault_race 0x100 0x102\n"), "lazy");
  EXPECT_EQ(lazy_policy(*w).root_refs(VmaId{0}), 1u);
  run_ok(parse_ok("option lazy.prepare_race atomic\nP0 mmap 0x100 4 rw\nP0 fault_race 0x100 0x102\nP0 munmap 0x100 4\n"
                  "expect count vma 0 zombie_vma 0\n"),
         "lazy");
}

TEST(FaultRace, NoRaceOnceTheVmaIsPreparedOrAcrossTwoVmas) {
  for (const char* body : {"P0 mmap 0x100 4 rw\nP0 write 0x101 1\nP0 fault_race 0x100 0x102\n",
                           "P0 mmap 0x100 2 rw\nP0 mmap 0x102 2 rwx\nP0 fault_race 0x100 0x103\n",
                           "P0 mmap 0x100 2 rw\nP0 mmap 0x200 2 rw\nP0 fault_race 0x100 0x200\n"}) {
    auto w = run_ok(parse_ok(body), "lazy");
    EXPECT_FALSE(w->coverage().hits(Path::kLazyPrepareRaced) > 0) << body;
    EXPECT_TRUE(w->proc(ProcessId{0}).pt.find(0x100)) << body;  // both stores went through
  }
}

TEST(FaultRace, BothStoresAreRead) {
  run_ok(parse_ok("P0 mmap 0x100 4 rw\nP0 fault_race 0x103 0x100\nP0 read 0x100 4\nP0 fork P1\nP1 read 0x100 4\n"),
         "cowctx");
  auto w = run_ok(parse_ok("P0 mmap 0x100 4 rw\nP0 fault_race 0x103 0x100\n"));
  EXPECT_EQ(w->visible_content(ProcessId{0}, 0x103), 1u);  // the first thread's value
  EXPECT_EQ(w->visible_content(ProcessId{0}, 0x100), 2u);
}

TEST(FaultRace, BadInputIsRefusedWithTheReason) {
  auto w = run_ok(parse_ok("P0 mmap 0x100 2 r\nP0 mmap 0x200 2 rw\nP0 mmap 0x300 2 rw growsdown\n"));
  auto reason = [&](PageNo a, PageNo b) { return refusal(*w, {.kind = OpKind::kFaultRace, .addr = a, .new_addr = b}); };
  EXPECT_EQ(reason(0x200, 0x100), "fault_race of 0x100: the VMA is r (SIGSEGV)");
  EXPECT_EQ(reason(0x2ff, 0x300), "fault_race of 0x2ff: no VMA maps it (the model races faults inside VMAs only)");
  EXPECT_EQ(reason(0x201, 0x201), "fault_race: both threads store to 0x201 (which value wins is not defined)");
  EXPECT_EQ(reason(0x201, 0x200), "");
  Verdict v = run_trace(parse_ok("P0 mmap 0x100 1 rw\nP0 fault_race 0x100 0x101\n"), "eager", true);
  EXPECT_EQ(v.kind, Verdict::Kind::kError);
  EXPECT_EQ(v.line, 3u);
  EXPECT_EQ(v.error, "fault_race of 0x101: no VMA maps it (the model races faults inside VMAs only)");
  // The parser names the second operand.
  ParseResult missing = parse_trace("# rmapcheck trace 1\nP0 fault_race 0x100\n", "t");
  ASSERT_TRUE(std::holds_alternative<TraceError>(missing));
  EXPECT_EQ(std::get<TraceError>(missing).str(), "t:2: fault_race: missing ADDR2 (syntax: P<n> fault_race ADDR ADDR2)");
  ParseResult outside = parse_trace("# rmapcheck trace 1\nP0 fault_race 0x100 0x100000\n", "t");
  ASSERT_TRUE(std::holds_alternative<TraceError>(outside));
  EXPECT_NE(std::get<TraceError>(outside).str().find("t:2: fault_race: second address 0x100000 is outside the arena"),
            std::string::npos)
      << std::get<TraceError>(outside).str();
}

// A migration in flight on the stack's folio at 0x1002, then a store at
// 0xff0 that grows the stack 16 pages down.
constexpr const char* kGrowDuringMigration =
    "P0 mmap 0x1000 4 rw growsdown\nP0 write 0x1002 2\nP0 migrate_begin 0x1002\nP0 grow_race 0xff0\n";

TEST(GrowRace, EagerEndsTheMigrationAndGrowsTheStack) {
  expect_serial_in_locked_designs(kGrowDuringMigration, "P0 mmap 0x1000 4 rw growsdown\nP0 write 0x1002 2\n"
                                                        "P0 migrate_begin 0x1002\nP0 migrate_end\nP0 write 0xff0 1\n");
  for (std::string_view design : {"eager", "cowctx"}) {
    auto raced = run_ok(parse_ok(kGrowDuringMigration), design);
    EXPECT_FALSE(raced->migration().active());
    EXPECT_EQ(raced->vma(raced->proc(ProcessId{0}).vmas[0]).start, 0xff0u);
    EXPECT_GT(raced->coverage().hits(Path::kGrowRaceWalk), 0u);
    EXPECT_EQ(raced->coverage().hits(Path::kLazyTornBase), 0u);
  }
}

TEST(GrowRace, TheLazyWalkReadsATornBase) {
  for (std::string_view design : {"lazy", "lazy-gki", "base0"}) {
    auto w = make_world(design, ModelOptions{});
    Runner runner(*w, /*checks=*/true);
    const Trace trace = parse_ok(kGrowDuringMigration);
    for (size_t i = 0; i + 1 < trace.lines.size(); i++) ASSERT_TRUE(runner.run_line(trace.lines[i]).ok()) << design;
    StepResult r = runner.run_line(trace.lines.back());
    ASSERT_FALSE(r.violations.empty()) << design;
    EXPECT_EQ(r.violations[0].property, "migration-entry-left") << design;
    EXPECT_NE(r.violations[0].message.find("P0:0x1002"), std::string::npos) << r.violations[0].message;
    EXPECT_GT(w->coverage().hits(Path::kLazyTornBase), 0u) << design;
    // After the op the walk reads vm_start as it is again: nothing torn is left.
    EXPECT_EQ(w->walker_start(w->proc(ProcessId{0}).vmas[0]), 0xff0u);
  }
}

TEST(GrowRace, AStableReadRestoresTheEntry) {
  auto w = run_ok(parse_ok(std::string("option lazy.base_read stable\n") + kGrowDuringMigration + "P0 read 0xff0 20\n"),
                  "lazy");
  EXPECT_EQ(w->coverage().hits(Path::kLazyTornBase), 0u);
  EXPECT_FALSE(w->migration().active());
}

TEST(GrowRace, WithNothingInFlightItIsAStoreThatGrowsTheStack) {
  auto w = run_ok(parse_ok("P0 mmap 0x1000 4 rw growsdown\nP0 write 0x1002 1\nP0 grow_race 0xff8\n"), "lazy");
  EXPECT_EQ(w->coverage().hits(Path::kGrowRaceWalk), 0u);
  EXPECT_EQ(w->vma(w->proc(ProcessId{0}).vmas[0]).start, 0xff8u);
  EXPECT_EQ(w->visible_content(ProcessId{0}, 0xff8), 2u);
}

TEST(GrowRace, BadInputIsRefusedWithTheReason) {
  auto w = run_ok(parse_ok("P0 mmap 0x1000 4 rw growsdown\nP0 mmap 0x2000 4 r growsdown\nP0 mmap 0x3000 4 rw\n"));
  auto reason = [&](PageNo addr) { return refusal(*w, {.kind = OpKind::kGrowRace, .addr = addr}); };
  EXPECT_EQ(reason(0x1001), "grow_race of 0x1001: a VMA maps it already (the op's store must grow a stack)");
  EXPECT_EQ(reason(0x1ffc), "grow_race of 0x1ffc: the stack it would grow is r (SIGSEGV)");
  EXPECT_EQ(reason(0x2ff0), "grow_race of 0x2ff0: no VMA maps it and no stack can grow down to it (SIGSEGV)");
  EXPECT_EQ(reason(0xff0), "");
}

// mprotect_race: the split moves the lazy root's own vm_start and vm_pgoff
// (vma_modify's __split_vma with new_below), and the migration ending in
// the middle reads them torn, unless the read is stable.
TEST(MprotectRace, TheSplitRootIsReadTorn) {
  const std::string ops = "P0 mmap 0x100 8 rw\nP0 write 0x106 1\nP0 migrate_begin 0x106\nP0 mprotect_race 0x104 4 r\n";
  for (std::string_view design : {"lazy", "lazy-gki", "base0"}) {
    const Verdict v = run_trace(parse_ok(ops), design, true);
    ASSERT_EQ(v.kind, Verdict::Kind::kFail) << design;
    EXPECT_EQ(v.first_property(), "migration-entry-left") << design;
    EXPECT_EQ(v.step, 4u) << design;
  }
  auto stable = run_ok(parse_ok("option lazy.base_read stable\n" + ops + "P0 read 0x100 8\n"), "lazy");
  EXPECT_GT(stable->coverage().hits(Path::kMprotectRaceWalk), 0u);
  EXPECT_TRUE(stable->walker_start(stable->proc(ProcessId{0}).vmas[1]) == 0x104u);  // nothing torn after the op
  expect_serial_in_locked_designs(ops, "P0 mmap 0x100 8 rw\nP0 write 0x106 1\nP0 migrate_begin 0x106\nP0 migrate_end\n"
                                       "P0 mprotect 0x104 4 r\n");
  // With nothing in flight it is mprotect.
  auto plain = run_ok(parse_ok("P0 mmap 0x100 8 rw\nP0 write 0x106 1\nP0 mprotect_race 0x104 4 r\n"), "lazy");
  EXPECT_EQ(plain->coverage().hits(Path::kMprotectRaceWalk), 0u);
  EXPECT_EQ(plain->proc(ProcessId{0}).vmas.size(), 2u);
  EXPECT_EQ(refusal(*plain, {.kind = OpKind::kMprotectRace, .addr = 0x104, .len = 8, .prot = kProtRead}),
            "mprotect_race [0x104, 0x10c): part of the range is not mapped (ENOMEM)");
}

// memory_failure's victims come from the design's walk: where the walk is
// incomplete, so are they. S9's unconverted swap-in maps the parent's lazy
// folio in the child (L1, which the checks report; here they are off), and
// the lazy walk finds neither process: it visits the root's mm only, and
// there it accepts only VMAs of the folio's lazy tree, which the parent's
// left at the fork (L2).
TEST(MemoryFailureVictims, AreWhoTheDesignsWalkFinds) {
  const Trace trace = parse_ok(
      "option lazy.swapin unconverted\nP0 mmap 0x100 4 rw\nP0 write 0x100 1\nP0 madvise 0x100 1 pageout\n"
      "P0 fork P1\nP1 read 0x100 1\nP0 read 0x100 1\nexpect kill P0:0x100 P0 P1\n");
  EXPECT_EQ(run_trace(trace, "eager", /*checks=*/false).kind, Verdict::Kind::kPass);
  EXPECT_EQ(run_trace(trace, "cowctx", /*checks=*/false).kind, Verdict::Kind::kPass);
  for (std::string_view design : {"lazy", "lazy-gki"}) {
    const Verdict v = run_trace(trace, design, /*checks=*/false);
    ASSERT_EQ(v.kind, Verdict::Kind::kFail) << design;
    EXPECT_EQ(v.violations[0].message, "memory_failure of P0:0x100 would signal none, expected P0 P1") << design;
  }
}

TEST(MemoryFailureVictims, PrintsParsesAndRefuses) {
  const Trace trace = parse_ok("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nexpect kill P0:0x100 P0\nP0 fork P3\n"
                               "expect kill P3:0x100 P0 P3\nP3 exit\nexpect kill P0:0x100 P0\n");
  EXPECT_EQ(print_trace(trace),
            "# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 write 0x100 1\nexpect kill P0:0x100 P0\nP0 fork P3\n"
            "expect kill P3:0x100 P0 P3\nP3 exit\nexpect kill P0:0x100 P0\n");
  EXPECT_EQ(run_trace(trace, "lazy", true).kind, Verdict::Kind::kPass);
  // Victims the walk does not find, a page that is not anonymous, bad lists.
  const Verdict wrong = run_trace(parse_ok("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nexpect kill P0:0x100 none\n"), "eager", true);
  ASSERT_EQ(wrong.kind, Verdict::Kind::kFail);
  EXPECT_EQ(wrong.violations[0].message, "memory_failure of P0:0x100 would signal P0, expected none");
  const Verdict zero = run_trace(parse_ok("P0 mmap 0x100 1 rw\nP0 read 0x100 1\nexpect kill P0:0x100 P0\n"), "eager", true);
  ASSERT_EQ(zero.kind, Verdict::Kind::kFail);
  EXPECT_EQ(zero.violations[0].message, "P0:0x100 maps no anonymous page");
  for (const auto& [text, error] : std::vector<std::pair<std::string, std::string>>{
           {"expect kill P0:0x100\n", "t:3: expect kill: syntax: expect kill P<n>:ADDR P<a> P<b> ... | none"},
           {"expect kill P0:0x100 P1\n", "t:3: expect: P1 does not exist"},
           {"expect kill P0:0x100 P0 P0\n", "t:3: expect kill: list the processes once each, in order ('P0')"},
           {"expect kill P0:0x100 Q1\n", "t:3: expect kill: bad process 'Q1'"}}) {
    ParseResult parsed = parse_trace("# rmapcheck trace 1\nP0 mmap 0x100 1 rw\n" + text, "t");
    ASSERT_TRUE(std::holds_alternative<TraceError>(parsed)) << text;
    EXPECT_EQ(std::get<TraceError>(parsed).str(), error);
  }
}

}  // namespace
}  // namespace rmc
