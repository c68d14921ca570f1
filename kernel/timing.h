// timing.h - the eager model against the real kernel on the same trace.
//
// Four figures per trace, each the median of several runs:
//   model        run_trace on the eager model without checks, over the
//                trace's ops (expectation lines left out, as on the kernel)
//   model+checks the same with every check after every step (what `judge` does)
//   kernel       the trace's ops as system calls in real processes: start P0,
//                every op, fork and exit, reap; no observation (the model runs
//                alongside to supply written values and mremap addresses, and
//                is not timed)
//   kernel ops   the same without starting P0 and reaping the workers at the
//                end (a spawn of the worker binary, most of a short trace's
//                kernel time)
//   oracle       one full comparison (run_on_kernel with no reruns): control
//                run, ops, /proc and slab reads after every op, both sides
#pragma once

#include <string>

#include "kernel/oracle.h"
#include "model/core/trace.h"

namespace rmc::kernel {

struct TraceTiming {
  double model_us = 0;
  double model_checks_us = 0;
  double kernel_us = 0;
  double kernel_ops_us = 0;
  double oracle_us = 0;
  int model_runs = 0;
  int kernel_runs = 0;
  std::string skipped;  // why the kernel side could not run, if it could not
};

// `kernel_runs` runs of the kernel and oracle sides; the model runs for at
// least 0.2 s.
TraceTiming time_trace(const Trace& trace, Host& host, const OracleOptions& options, int kernel_runs);

// The model figure alone: the median of runs of run_trace on the eager
// model for at least 0.2 s (`runs` gets their number), over the trace's ops
// (its expectation lines are left out, as on the kernel side).
double model_median_us(const Trace& trace, bool checks, int& runs);

// The kernel figure alone, for one run (the benchmark's inner loop); with
// `ops_seconds`, also the kernel ops figure. Throws KernelError when a worker
// fails; the trace must be runnable here.
double kernel_run_seconds(const Trace& trace, Host& host, const OracleOptions& options,
                          double* ops_seconds = nullptr);

}  // namespace rmc::kernel
