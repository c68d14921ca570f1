// shrink.h - op-level shrinking: a failing trace becomes a minimal trace
// that still fails the same way.
//
// Byte-level minimisation of fuzzer inputs does not give readable traces;
// shrinking ops does (Hypothesis, RapidCheck, syz-repro). The passes, run
// until none makes progress or the attempt budget is spent:
//   1. cut everything after the shortest failing prefix;
//   2. delete chunks of ops, halving the chunk size down to single ops;
//   3. drop a whole process: its fork, its ops and its descendants';
//   4. fold a forked process into its parent: drop the fork, and the
//      child's ops become the parent's;
//   5. simplify operands: shorter ranges, fewer flags, plainer protections,
//      mremap without resizing;
//   6. renumber processes in order of appearance (P0, P1, ...).
// Every candidate is checked with `still_fails`, which decides what "the same
// failure" means (the caller compares finding signatures); an invalid
// candidate simply does not fail. Options of the trace are kept; comments
// and expectation lines are dropped.
#pragma once

#include <cstddef>
#include <functional>

#include "model/core/trace.h"

namespace rmc {

using StillFails = std::function<bool(const Trace&)>;

struct ShrinkStats {
  size_t attempts = 0;     // calls of still_fails
  size_t ops_before = 0;
  size_t ops_after = 0;
};

// Bound on still_fails calls for one shrink.
inline constexpr size_t kMaxShrinkAttempts = 20000;

// `trace` must fail (still_fails(trace) is true); the result fails too.
Trace shrink_trace(const Trace& trace, const StillFails& still_fails, ShrinkStats* stats = nullptr,
                   size_t max_attempts = kMaxShrinkAttempts);

// The ops of a trace, and a trace of ops with the given options.
std::vector<Op> trace_ops(const Trace& trace);
Trace trace_of(const std::vector<Op>& ops, const ModelOptions& options, const std::string& source);

}  // namespace rmc
