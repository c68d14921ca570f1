// bench_eager.cpp - steps per second of the eager model on random traces of
// 64 ops over 4 processes, with and without every check after every step.
//
// The traces are generated before timing; each benchmark iteration replays
// one trace on a reused world (Runner::reset), the loop a fuzzer runs.
// Results: docs/performance.md. Run: build/bench/rmc_bench
#include <benchmark/benchmark.h>

#include "model/check/runner.h"
#include "model/core/random_trace.h"
#include "model/designs.h"

namespace rmc {
namespace {

constexpr uint32_t kTraces = 1000;
constexpr uint32_t kOpsPerTrace = 64;

const std::vector<std::vector<Op>>& traces() {
  static const std::vector<std::vector<Op>> all = [] {
    std::vector<std::vector<Op>> out;
    GeneratorOptions generator;
    generator.max_processes = 4;
    for (uint32_t seed = 1; seed <= kTraces; seed++) {
      Trace trace = random_trace(seed, kOpsPerTrace, generator, ModelOptions{});
      std::vector<Op> ops;
      for (const TraceLine& line : trace.lines)
        if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
      out.push_back(std::move(ops));
    }
    return out;
  }();
  return all;
}

void replay(benchmark::State& state, bool checks) {
  auto world = make_world("eager", ModelOptions{});
  Runner runner(*world, checks);
  const auto& all = traces();
  size_t next = 0;
  uint64_t steps = 0;
  for (auto _ : state) {
    runner.reset();
    for (const Op& op : all[next]) {
      StepResult result = runner.run_op(op);
      if (!result.ok()) state.SkipWithError("a random trace failed: run rmapcheck run");
      benchmark::DoNotOptimize(result);
    }
    steps += all[next].size();
    next = (next + 1) % all.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(steps));
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_EagerUnchecked(benchmark::State& state) { replay(state, false); }
void BM_EagerChecked(benchmark::State& state) { replay(state, true); }

BENCHMARK(BM_EagerUnchecked)->MinTime(2.0);
BENCHMARK(BM_EagerChecked)->MinTime(2.0);

}  // namespace
}  // namespace rmc

BENCHMARK_MAIN();
