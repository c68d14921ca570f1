// bench_kernel.cpp - the eager model against the live kernel, same traces.
//
// For each trace: BM_Model (the eager model, no checks, on a world kept
// across runs and reset before each: timing.h says why),
// BM_ModelChecks (every check after every step), BM_ModelFreshWorld (a new
// world per run, run_trace) and BM_Kernel (the ops as
// system calls in real worker processes, start to reap, nothing observed;
// needs root). The ratio BM_Kernel / BM_Model is the figure the issue asks
// for (target: the model at least 100 times faster). BM_KernelStartAndReap is
// the part of every kernel figure that is not the trace's ops. BM_Kernel also shows
// it side by side, from medians (robust on a busy machine, where means are
// not): model_us and kernel_us are the medians of the model's runs and of the
// kernel's iterations, ratio is kernel_us / model_us; ops_us and ops_ratio
// the same without starting P0 and reaping the workers (timing.h);
// fresh_ratio is kernel_us over the median with a new world per run.
//
//   build/kernel/rmc_kernel_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "kernel/host.h"
#include "kernel/oracle.h"
#include "kernel/timing.h"
#include "model/check/runner.h"
#include "model/core/random_trace.h"
#include "model/designs.h"

namespace rmc::kernel {
namespace {

// Scenario traces of different shapes, and a random one of fuzz size.
const char* const kTraces[] = {
    "corpus/experiments/e10_fork_chain.trace",
    "corpus/selftests/merge_with_fork_mremap_faulted_to_unfaulted_prev_forked.trace",
    "corpus/kernel/cow_chain_four_processes.trace",
    "corpus/kernel/pageout_shared_after_exit.trace",
};

Trace load(const std::string& name) {
  ParseResult parsed = parse_trace_file(std::string(RMC_SOURCE_DIR) + "/" + name);
  if (auto* e = std::get_if<TraceError>(&parsed)) {
    Trace empty;
    empty.source = e->str();
    return empty;
  }
  return std::get<Trace>(parsed);
}

Trace random_fuzz_sized() {
  GeneratorOptions g;
  g.max_processes = 4;
  Trace t = random_trace(42, 32, g, ModelOptions{});
  t.source = "random seed 42, 32 ops";
  return t;
}

Host& host() {
  static Host h;
  return h;
}

// The model's figure (timing.h): one world kept across runs, reset before each.
void BM_Model(benchmark::State& state, const Trace& trace, bool checks) {
  auto world = make_world("eager", trace.options);
  Runner runner(*world, checks);
  for (auto _ : state) {
    runner.reset();
    benchmark::DoNotOptimize(run_lines(runner, trace));
  }
  state.SetLabel(trace.source);
}

// The same with a new world per run (run_trace), for comparison.
void BM_ModelFreshWorld(benchmark::State& state, const Trace& trace) {
  for (auto _ : state) benchmark::DoNotOptimize(run_trace(trace, "eager", false));
  state.SetLabel(trace.source);
}

void BM_Kernel(benchmark::State& state, const Trace& trace) {
  if (auto why = kernel_oracle_unavailable()) return state.SkipWithError(why->c_str());
  if (auto why = trace_unsupported(trace)) return state.SkipWithError(why->c_str());
  if (auto why = host().prepare(trace_needs(trace))) return state.SkipWithError(why->c_str());
  std::vector<double> kernel_us, ops_us;
  for (auto _ : state) {
    double ops = 0;
    const double seconds = kernel_run_seconds(trace, host(), OracleOptions{}, &ops);
    state.SetIterationTime(seconds);
    kernel_us.push_back(seconds * 1e6);
    ops_us.push_back(ops * 1e6);
  }
  auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  int runs = 0;
  const double model_us = model_median_us(trace, /*checks=*/false, runs, ModelWorld::kKept);
  const double fresh_us = model_median_us(trace, /*checks=*/false, runs, ModelWorld::kFresh);
  state.counters["fresh_ratio"] = median(kernel_us) / fresh_us;
  state.counters["model_us"] = model_us;
  state.counters["kernel_us"] = median(kernel_us);
  state.counters["ratio"] = median(kernel_us) / model_us;
  state.counters["ops_us"] = median(ops_us);
  state.counters["ops_ratio"] = median(ops_us) / model_us;
  state.SetLabel(trace.source);
}

// What every kernel figure includes besides the ops: starting P0 (a spawn of
// the worker) and reaping it.
void BM_KernelStartAndReap(benchmark::State& state) {
  if (auto why = kernel_oracle_unavailable()) return state.SkipWithError(why->c_str());
  Trace empty;
  empty.source = "no ops";
  for (auto _ : state) state.SetIterationTime(kernel_run_seconds(empty, host(), OracleOptions{}));
}

int register_all() {
  benchmark::RegisterBenchmark("BM_KernelStartAndReap", BM_KernelStartAndReap)->UseManualTime()->Unit(benchmark::kMicrosecond);
  static std::vector<Trace> traces;
  for (const char* name : kTraces) traces.push_back(load(name));
  traces.push_back(random_fuzz_sized());
  for (const Trace& t : traces) {
    const std::string name = t.source.substr(t.source.rfind('/') + 1);
    benchmark::RegisterBenchmark(("BM_Model/" + name).c_str(), BM_Model, t, false)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_ModelChecks/" + name).c_str(), BM_Model, t, true)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_ModelFreshWorld/" + name).c_str(), BM_ModelFreshWorld, t)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_Kernel/" + name).c_str(), BM_Kernel, t)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace rmc::kernel

BENCHMARK_MAIN();
