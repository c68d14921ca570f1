// timing.cpp - medians of model, kernel and oracle runs of one trace.
#include "kernel/timing.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "kernel/host.h"
#include "kernel/kernel_ops.h"
#include "kernel/workers.h"
#include "model/check/runner.h"
#include "model/core/op_semantics.h"
#include "model/designs.h"

namespace rmc::kernel {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kModelSeconds = 0.2;
constexpr int kMaxModelRuns = 100000;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

double model_median_us(const Trace& with_expectations, bool checks, int& runs, ModelWorld world_kind) {
  // The ops alone, as on the kernel side: expectation lines are the trace's
  // own checks, not work the kernel does.
  Trace trace = with_expectations;
  std::erase_if(trace.lines, [](const TraceLine& l) { return l.kind == TraceLine::Kind::kExpect; });
  // The kept world is the model's counterpart of the kernel side's worker
  // host: it exists before the run, and runner.reset() (P0 live with an
  // empty mm) is its counterpart of starting P0.
  auto world = make_world("eager", trace.options);
  Runner runner(*world, checks);
  std::vector<double> samples;
  const Clock::time_point start = Clock::now();
  while (samples.size() < static_cast<size_t>(kMaxModelRuns) &&
         std::chrono::duration<double>(Clock::now() - start).count() < kModelSeconds) {
    const Clock::time_point t = Clock::now();
    if (world_kind == ModelWorld::kFresh) {
      run_trace(trace, "eager", checks);
    } else {
      runner.reset();
      run_lines(runner, trace);
    }
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  runs = static_cast<int>(samples.size());
  return median(samples);
}

double kernel_run_seconds(const Trace& trace, Host& host, const OracleOptions& options, double* ops_seconds) {
  const WorkerConfig config = worker_config(trace, host, options);
  auto world = make_world("eager", trace.options);
  Runner runner(*world, /*checks=*/false);
  double seconds = 0, ops = 0;
  Clock::time_point t = Clock::now();
  {
    Workers workers(config);
    seconds += std::chrono::duration<double>(Clock::now() - t).count();
    OpContext ctx{workers, host, kArenaBase, trace.options.large_folio_order > 0};
    uint64_t next_value = 0;
    for (const TraceLine& line : trace.lines) {
      if (line.kind != TraceLine::Kind::kOp) continue;
      ModelSide side = model_side_before(*world, line.op, next_value + 1);
      next_value += values_written(line.op);
      StepResult r = runner.run_op(line.op);
      if (r.error) throw KernelError(fmt::format("{}:{}: {}", trace.source, line.line, *r.error));
      side.after = world.get();
      side.spec = &runner.spec();
      t = Clock::now();
      run_op_on_kernel(ctx, line.op, side);
      const double op_seconds = std::chrono::duration<double>(Clock::now() - t).count();
      seconds += op_seconds;
      ops += op_seconds;
    }
    t = Clock::now();
  }  // the workers are killed and reaped here
  seconds += std::chrono::duration<double>(Clock::now() - t).count();
  if (ops_seconds) *ops_seconds = ops;
  return seconds;
}

TraceTiming time_trace(const Trace& trace, Host& host, const OracleOptions& options, int kernel_runs) {
  TraceTiming timing;
  timing.model_us = model_median_us(trace, false, timing.model_runs, ModelWorld::kKept);
  int ignored = 0;
  timing.model_checks_us = model_median_us(trace, true, ignored, ModelWorld::kKept);
  timing.model_fresh_us = model_median_us(trace, false, ignored, ModelWorld::kFresh);
  if (auto why = kernel_oracle_unavailable()) return timing.skipped = *why, timing;
  if (auto why = trace_unsupported(trace)) return timing.skipped = *why, timing;
  if (auto why = host.prepare(trace_needs(trace))) return timing.skipped = *why, timing;
  std::vector<double> kernel, kernel_ops, oracle;
  OracleOptions once = options;
  once.confirm_runs = 0;
  for (int i = 0; i < kernel_runs; i++) {
    double ops = 0;
    kernel.push_back(kernel_run_seconds(trace, host, options, &ops) * 1e6);
    kernel_ops.push_back(ops * 1e6);
    const Clock::time_point t = Clock::now();
    run_on_kernel(trace, host, once);
    oracle.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  timing.kernel_us = median(kernel);
  timing.kernel_ops_us = median(kernel_ops);
  timing.oracle_us = median(oracle);
  timing.kernel_runs = kernel_runs;
  return timing;
}

}  // namespace rmc::kernel
