// test_shrink.cpp - the op-level shrinker keeps the failure and removes noise.
#include <gtest/gtest.h>

#include "model/check/runner.h"
#include "model/check/shrink.h"

namespace rmc {
namespace {

bool fails_with(const Trace& trace, const std::string& property) {
  Verdict v = run_trace(trace, "eager", true);
  if (v.kind != Verdict::Kind::kFail) return false;
  for (const Violation& violation : v.violations)
    if (violation.property == property) return true;
  return false;
}

Trace parse_ok(const std::string& text) {
  ParseResult parsed = parse_trace(text, "test");
  EXPECT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  return std::get<Trace>(parsed);
}

// B12's trace (corpus/bugs/b12_degree_double_reuse.trace) with unrelated
// work interleaved: mappings elsewhere, writes, an extra process.
constexpr const char* kNoisyB12 =
    "# rmapcheck trace 1\n"
    "option bug B12\n"
    "P0 mmap 0x300 8 rwx populate\n"
    "P0 mmap 0x100 4 rw\n"
    "P0 write 0x300 3\n"
    "P0 write 0x100 4\n"
    "P0 mprotect 0x302 2 r\n"
    "P0 fork P1\n"
    "P1 write 0x304 2\n"
    "P1 mremap 0x300 1 1 0x400 maymove,fixed\n"
    "P1 fork P2\n"
    "P0 fork P5\n"
    "P5 write 0x304 4\n"
    "P1 munmap 0x100 4\n"
    "P2 mmap 0x500 2 rw locked\n"
    "P2 fork P3\n"
    "P5 exit\n"
    "P3 read 0x100 4\n"
    "P3 fork P4\n"
    "P4 write 0x301 1\n";

TEST(Shrink, KeepsTheFailureAndDropsTheNoise) {
  Trace noisy = parse_ok(kNoisyB12);
  ASSERT_TRUE(fails_with(noisy, "I6"));
  ShrinkStats stats;
  Trace small = shrink_trace(noisy, [](const Trace& t) { return fails_with(t, "I6"); }, &stats);
  EXPECT_TRUE(fails_with(small, "I6"));
  EXPECT_EQ(stats.ops_before, noisy.op_count());
  EXPECT_EQ(stats.ops_after, small.op_count());
  // The essential steps: map, fault, three forks, the munmap, and P3 -> P4.
  EXPECT_LE(small.op_count(), 7u) << print_trace(small);
  EXPECT_EQ(small.options.bugs, noisy.options.bugs);
  // Processes are renumbered in order of appearance.
  std::string text = print_trace(small);
  EXPECT_EQ(text.find("P5"), std::string::npos) << text;
}

// A failure inside one mm, found in a grandchild (the smoke campaign's first
// trace of lazy/root-refcount/fault_race): the forks that led there go, and
// the grandchild's ops become P0's. Dropping a process cannot do that.
TEST(Shrink, FoldsAChildIntoItsParent) {
  Trace found = parse_ok(
      "# rmapcheck trace 1\n"
      "P0 fork P1\n"
      "P1 fork P2\n"
      "P2 mmap 0x8006 10 rw\n"
      "P2 fault_race 0x800f 0x8008\n");
  auto root_refcount = [](const Trace& t) {
    Verdict v = run_trace(t, "lazy", true);
    return v.kind == Verdict::Kind::kFail && v.violations[0].property == "root-refcount";
  };
  ASSERT_TRUE(root_refcount(found));
  Trace small = shrink_trace(found, root_refcount);
  EXPECT_EQ(print_trace(small), "# rmapcheck trace 1\nP0 mmap 0x8006 10 rw\nP0 fault_race 0x800f 0x8008\n")
      << print_trace(small);
}

TEST(Shrink, ResultIsDeterministic) {
  Trace noisy = parse_ok(kNoisyB12);
  auto pred = [](const Trace& t) { return fails_with(t, "I6"); };
  EXPECT_EQ(print_trace(shrink_trace(noisy, pred)), print_trace(shrink_trace(noisy, pred)));
}

TEST(Shrink, RespectsTheAttemptBudget) {
  Trace noisy = parse_ok(kNoisyB12);
  ShrinkStats stats;
  shrink_trace(noisy, [](const Trace& t) { return fails_with(t, "I6"); }, &stats, 5);
  EXPECT_LE(stats.attempts, 5u);
}

}  // namespace
}  // namespace rmc

#include "model/check/findings.h"
#include "model/core/op_codec.h"

namespace rmc {
namespace {

// `rmapcheck decode` and `shrink CRASH-FILE`: fuzzer bytes become the trace
// they run, which the eager reference accepts op by op.
TEST(DecodedTrace, IsTheTraceTheBytesRunLessRefusedOps) {
  Trace trace = parse_ok(
      "# rmapcheck trace 1\n"
      "option large_folio_order 2\n"
      "P0 mmap 0x110 6 rw populate\n"
      "P0 fork P1\n"
      "P1 exit\n"
      "P0 write 0x110 1\n"
      "P0 madvise 0x115 1 pageout\n");
  std::vector<Op> ops = trace_ops(trace);
  ops[3].pid = ProcessId{1};  // P1 is dead: the parser would refuse it, the reference does
  auto bytes = encode_ops(ops, trace.options);
  ASSERT_TRUE(bytes.has_value());
  size_t refused = 0;
  Trace decoded = decoded_trace(*bytes, "input", &refused);
  EXPECT_EQ(refused, 1u);
  EXPECT_EQ(print_trace(decoded),
            "# rmapcheck trace 1\n"
            "option large_folio_order 2\n"
            "P0 mmap 0x110 6 rw populate\n"
            "P0 fork P1\n"
            "P1 exit\n"
            "P0 madvise 0x115 1 pageout\n");
  // Bytes that decode to nothing are an empty trace, not an error.
  EXPECT_EQ(decoded_trace("", "empty", &refused).op_count(), 0u);
  EXPECT_EQ(refused, 0u);
}

}  // namespace
}  // namespace rmc
