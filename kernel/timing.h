// timing.h - the eager model against the real kernel on the same trace.
//
// Figures per trace, each the median of several runs:
//   model        the trace's ops on the eager model without checks
//                (expectation lines left out, as on the kernel), on a world
//                kept across runs and reset before each: the world is the
//                model's counterpart of the kernel side's worker host, which
//                also exists before the run, and its reset (P0 live, empty
//                mm) the counterpart of starting P0
//   model+checks the same with every check after every step (what `judge` does)
//   model fresh  `model` with a new world per run (run_trace: building the
//                world's tables, the model's counterpart of booting)
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

#include <cstdint>
#include <string>

#include "kernel/oracle.h"
#include "model/core/trace.h"

namespace rmc::kernel {

struct TraceTiming {
  double model_us = 0;
  double model_checks_us = 0;
  double model_fresh_us = 0;
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

// Where each model run's world comes from (see the figures above).
enum class ModelWorld : uint8_t { kKept, kFresh };

// The model figure alone: the median of runs of the eager model for at
// least 0.2 s (`runs` gets their number), over the trace's ops (its
// expectation lines are left out, as on the kernel side).
double model_median_us(const Trace& trace, bool checks, int& runs, ModelWorld world);

// The kernel figure alone, for one run (the benchmark's inner loop); with
// `ops_seconds`, also the kernel ops figure. Throws KernelError when a worker
// fails; the trace must be runnable here.
double kernel_run_seconds(const Trace& trace, Host& host, const OracleOptions& options,
                          double* ops_seconds = nullptr);

}  // namespace rmc::kernel
