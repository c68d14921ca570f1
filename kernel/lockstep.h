// lockstep.h - one run of a trace on the kernel and the model side by side.
//
// For each op line: the model validates it and runs it with every check;
// the workers run it as system calls (kernel_ops.h); both sides are observed
// (observation.h; the kernel's counts via arena_counts.h) and compared; the
// first difference ends the run with both sides' pictures before and after
// the step. Expectation lines are judged on both sides (kernel_expect.h).
// Throws NoisyMachine when another process disturbed the counts; every
// other kernel-side failure is a kKernelError verdict.
#pragma once

#include "kernel/oracle.h"

namespace rmc::kernel {

OracleVerdict run_lockstep(const Trace& trace, Host& host, const OracleOptions& options);

}  // namespace rmc::kernel
