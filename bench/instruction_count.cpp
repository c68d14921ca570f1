// instruction_count.cpp - a fixed amount of model work for counting
// instructions, the speed figure that the load of other jobs does not move
// (timed benchmarks on a shared 2-core machine drift by 30%).
//
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null build/bench/rmc_instruction_count JOB REPS
//
// JOB is one of
//   eager         the eager model without checks, 200 random traces of 32 ops
//                 over 4 processes on one reused world (a fuzzer's loop)
//   diff          all five designs in lock-step with every check, 100 random
//                 traces of 64 ops (bench_differential's loop)
//   diff-nochecks the same without the per-design checks
// Instructions per trace = (count at REPS=2 - count at REPS=1) / traces,
// which cancels the generation of the traces and the program's start.
// Figures: docs/performance.md.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/check/differential.h"
#include "model/check/runner.h"
#include "model/core/random_trace.h"
#include "model/designs.h"

namespace rmc {
namespace {

std::vector<Trace> random_traces(uint32_t count, uint32_t ops) {
  GeneratorOptions generator;
  generator.max_processes = 4;
  std::vector<Trace> traces;
  for (uint32_t seed = 1; seed <= count; seed++) traces.push_back(random_trace(seed, ops, generator, ModelOptions{}));
  return traces;
}

void eager(int reps) {
  const std::vector<Trace> traces = random_traces(200, 32);
  auto world = make_world("eager", ModelOptions{});
  Runner runner(*world, /*checks=*/false);
  for (int r = 0; r < reps; r++)
    for (const Trace& trace : traces) {
      runner.reset();
      run_lines(runner, trace);
    }
}

void differential(int reps, bool checks) {
  const std::vector<Trace> traces = random_traces(100, 64);
  Differential diff({"eager", "lazy", "lazy-gki", "base0", "cowctx"}, ModelOptions{}, checks);
  std::vector<Finding> findings;
  for (int r = 0; r < reps; r++)
    for (const Trace& trace : traces) {
      diff.reset();
      findings.clear();
      for (const TraceLine& line : trace.lines) diff.step(line, findings);
    }
}

}  // namespace
}  // namespace rmc

int main(int argc, char** argv) {
  const std::string job = argc > 1 ? argv[1] : "";
  const int reps = argc > 2 ? std::atoi(argv[2]) : 1;
  if (reps < 1 || reps > 1000) {
    std::fprintf(stderr, "rmc_instruction_count: REPS must be 1-1000\n");
    return 2;
  }
  if (job == "eager") rmc::eager(reps);
  else if (job == "diff") rmc::differential(reps, true);
  else if (job == "diff-nochecks") rmc::differential(reps, false);
  else {
    std::fprintf(stderr, "usage: rmc_instruction_count eager|diff|diff-nochecks REPS\n");
    return 2;
  }
  return 0;
}
