// crash_probe.h - run something that may kill the process that runs it (a
// model's assertion, a sanitizer's report) in a child process, and report
// how the child ended.
//
// The models keep their assertions on; a trace that fires one (a crash file
// of the fuzz target, a campaign job's crash-*.trace) cannot be run by the
// shrinker in its own process. `rmapcheck shrink` runs each attempt through
// this probe instead and keeps an attempt whose child dies the same way.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/core/trace.h"

namespace rmc {

struct ChildEnd {
  bool died = false;  // killed by a signal (an assertion aborts), a non-zero
                      // exit, or still running at the timeout
  // What ended it, the same for every run that fails the same way: the line
  // of the failed assertion ("file:line: function: Assertion `...'
  // failed."), else a sanitizer's report without its addresses and values
  // ("ERROR: AddressSanitizer: heap-use-after-free", "file:line:col: runtime
  // error: signed integer overflow"), else the signal or the exit status;
  // "timeout: ...".
  std::string what;
};

// Bound on one run: a trace of the shrinker's size runs in milliseconds, so
// a child still running after this is hung.
inline constexpr int kChildTimeoutSeconds = 20;

// Runs `body` in a forked child, its stderr captured (the first 64 KiB).
ChildEnd run_in_child(const std::function<void()>& body, int timeout_seconds = kChildTimeoutSeconds);

// The differential run of `designs` on `trace`, in a child.
ChildEnd run_differential_in_child(const Trace& trace, const std::vector<std::string>& designs);

}  // namespace rmc
