// bench_differential.cpp - traces per second of the differential run: every
// design (eager, lazy, lazy-gki, base0, cowctx) in lock-step on random traces
// of 64 ops over 4 processes, each with every check after every step, the
// observables compared across designs after every step. One iteration = one
// trace = one fuzzer execution (the loop of `rmapcheck fuzz` and of
// fuzz/differential, without the generation or decoding of the input).
// BM_DifferentialUnchecked runs the same lock-step without the per-design
// checks (only observables and op results compared), to show where the time
// goes. Results: docs/performance.md. Run: build/bench/rmc_bench_differential
#include <benchmark/benchmark.h>

#include "model/check/differential.h"
#include "model/core/random_trace.h"

namespace rmc {
namespace {

constexpr uint32_t kTraces = 500;
constexpr uint32_t kOpsPerTrace = 64;

const std::vector<Trace>& traces() {
  static const std::vector<Trace> all = [] {
    std::vector<Trace> out;
    GeneratorOptions generator;
    generator.max_processes = 4;
    for (uint32_t seed = 1; seed <= kTraces; seed++) out.push_back(random_trace(seed, kOpsPerTrace, generator, ModelOptions{}));
    return out;
  }();
  return all;
}

void lock_step(benchmark::State& state, bool checks) {
  const std::vector<std::string> designs = {"eager", "lazy", "lazy-gki", "base0", "cowctx"};
  Differential differential(designs, ModelOptions{}, checks);
  const auto& all = traces();
  size_t next = 0;
  uint64_t execs = 0, findings = 0;
  std::vector<Finding> found;
  for (auto _ : state) {
    differential.reset();
    found.clear();
    for (const TraceLine& line : all[next].lines) benchmark::DoNotOptimize(differential.step(line, found));
    findings += found.size();
    execs++;
    next = (next + 1) % all.size();
  }
  state.counters["exec/s"] = benchmark::Counter(static_cast<double>(execs), benchmark::Counter::kIsRate);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(execs * kOpsPerTrace), benchmark::Counter::kIsRate);
  state.counters["findings/exec"] = static_cast<double>(findings) / static_cast<double>(execs);
}

void BM_DifferentialChecked(benchmark::State& state) { lock_step(state, true); }
void BM_DifferentialUnchecked(benchmark::State& state) { lock_step(state, false); }

BENCHMARK(BM_DifferentialChecked)->MinTime(3.0);
BENCHMARK(BM_DifferentialUnchecked)->MinTime(3.0);

}  // namespace
}  // namespace rmc

BENCHMARK_MAIN();
