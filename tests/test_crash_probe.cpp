// test_crash_probe.cpp - running what may kill its process in a child
// (model/check/crash_probe.h), and shrinking through it: what `rmapcheck
// shrink` does with a trace that fires a model's assertion.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "model/check/crash_probe.h"
#include "model/check/runner.h"
#include "model/check/shrink.h"

namespace rmc {
namespace {

// An assertion that stands for a model's: it fires when P2 forks P3 in a
// trace the eager model accepts (as the designs' runs stop at a refused op).
void fork_p2_p3_asserts(const Trace& trace) {
  if (run_trace(trace, "eager", /*checks=*/false).kind == Verdict::Kind::kError) return;
  for (const Op& op : trace_ops(trace))
    if (op.kind == OpKind::kFork && op.pid == ProcessId{2} && op.child == ProcessId{3})
      __assert_fail("P2 forks P3", "model/fake.cpp", 7, "void fake()");
}

TEST(CrashProbe, SaysHowTheChildEnded) {
  EXPECT_FALSE(run_in_child([] {}).died);
  ChildEnd assertion = run_in_child([] { __assert_fail("x == 1", "model/fake.cpp", 7, "void fake()"); });
  EXPECT_TRUE(assertion.died);
  EXPECT_EQ(assertion.what, "model/fake.cpp:7: void fake(): Assertion `x == 1' failed.");
  ChildEnd segv = run_in_child([] { std::raise(SIGSEGV); });
  EXPECT_TRUE(segv.died);
#ifdef __SANITIZE_ADDRESS__
  // ASan catches the signal, reports it and exits with status 1.
  EXPECT_EQ(segv.what.rfind("ERROR: AddressSanitizer: SEGV", 0), 0u) << segv.what;
#else
  EXPECT_EQ(segv.what, "signal 11 (Segmentation fault)");
#endif
  ChildEnd sanitizer = run_in_child([] {
    std::fputs("==1234==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc 0x55\n", stderr);
    std::abort();
  });
  EXPECT_EQ(sanitizer.what, "ERROR: AddressSanitizer: heap-use-after-free");
  // ASan and UBSan exit with status 1 by default, not by a signal.
  ChildEnd sanitizer_exit = run_in_child([] {
    std::fputs("model/x.cpp:3:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented\n", stderr);
    _exit(1);
  });
  EXPECT_TRUE(sanitizer_exit.died);
  EXPECT_EQ(sanitizer_exit.what, "model/x.cpp:3:5: runtime error: signed integer overflow");
  ChildEnd exit_status = run_in_child([] { _exit(3); });
  EXPECT_TRUE(exit_status.died);
  EXPECT_EQ(exit_status.what, "exit status 3");
  ChildEnd hang = run_in_child([] { pause(); }, /*timeout_seconds=*/1);
  EXPECT_TRUE(hang.died);
  EXPECT_EQ(hang.what, "timeout: still running after 1 s");
}

TEST(CrashProbe, ShrinksATraceThatKillsItsProcess) {
  ParseResult parsed = parse_trace(
      "# rmapcheck trace 1\n"
      "P0 mmap 0x100 8 rw\n"
      "P0 write 0x100 4\n"
      "P0 fork P1\n"
      "P1 mmap 0x200 2 rw populate\n"
      "P1 fork P2\n"
      "P0 munmap 0x100 2\n"
      "P2 fork P3\n"
      "P3 write 0x104 1\n",
      "crash");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed));
  const Trace& trace = std::get<Trace>(parsed);
  const ChildEnd end = run_in_child([&] { fork_p2_p3_asserts(trace); });
  ASSERT_TRUE(end.died);
  const Trace small = shrink_trace(trace, [&](const Trace& attempt) {
    const ChildEnd e = run_in_child([&] { fork_p2_p3_asserts(attempt); });
    return e.died && e.what == end.what;
  });
  // P1 folded into P0 (the names P2 and P3 are what the crash needs).
  EXPECT_EQ(print_trace(small), "# rmapcheck trace 1\nP0 fork P2\nP2 fork P3\n");
}

}  // namespace
}  // namespace rmc
