// bench_memory.cpp - how the time of `rmapcheck memory` grows with the size
// of the workload (issue 5: "memory workloads scale linearly to a million
// VMAs and 100,000 processes").
//
// Three families, each run through eager and lazy (the two ends of the
// table; the other designs share lazy's code paths), one iteration per
// size, the workload built before the clock starts:
//
//   wide-tree/N    processes: a small zygote (8 faulted VMAs) with N
//                  children of ~12 VMAs each, every 8th forking one more;
//                  N = 100 .. 100,000 (up to ~2 million VMAs)
//   apps/N         the android-boot tree plus N user apps (apps-N of
//                  workloads.h, full-size processes): N = 0 .. 300
//                  (130,000 .. 1.2 million VMAs)
//   fork-chain/V   one process with V faulted VMAs and a chain of 8 forks
//                  (all in one world: the per-process VMA tree's cost)
//
// Counters per run: processes, vmas (live VMAs at the end, as counted by
// the design), ops applied, worlds run, ns per VMA. After the runs a
// markdown table is printed (CPU time: the machine may be shared), with the
// marginal cost per added VMA and the log-log slope of time against size
// per family and design (1.0 is linear), and --svg=FILE draws time against
// VMAs (docs/memory-scaling.svg):
//
//   build/memory/bench/rmc_memory_bench --benchmark_repetitions=3 --svg=docs/memory-scaling.svg
//
// Results: docs/memory.md "Scaling".
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "memory/compose.h"
#include "memory/svg_plot.h"
#include "memory/workloads.h"

namespace rmc::memory {
namespace {

const char* const kDesigns[] = {"eager", "lazy"};

// The processes family: every process small, so that 100,000 of them stay
// within a few hundred MB of workload plans.
Workload wide_tree(uint32_t children) {
  AndroidShape s;
  s.zygote = {.heaps = 6, .stacks = 1, .files = 4};
  s.system_server = {.heaps = 4, .stacks = 1, .cow_pages = 2, .files = 2};
  s.user_apps = children - 1;
  s.user_app = {.heaps = 4, .stacks = 1, .sealed_pairs = 1, .moves = 1, .cow_pages = 2, .files = 2};
  s.fork_every = 8;
  s.forked_child = {.heaps = 1, .cow_pages = 1};
  s.spread = 0.25;
  s.seed = 1;
  return android_workload(fmt::format("wide-tree/{}", children), s);
}

void run(benchmark::State& state, const Workload& workload) {
  const char* design = kDesigns[state.range(0)];
  DesignRun result;
  for (auto _ : state) {
    result = run_workload(workload, design, RunOptions{});
    if (result.error) state.SkipWithError(result.error->c_str());
  }
  state.SetLabel(design);
  state.counters["processes"] = static_cast<double>(process_count(workload));
  state.counters["vmas"] = static_cast<double>(result.counts.vmas);
  state.counters["ops"] = static_cast<double>(result.stats.ops);
  state.counters["worlds"] = static_cast<double>(result.stats.worlds);
  state.counters["ns/vma"] = benchmark::Counter(static_cast<double>(result.counts.vmas),
                                                benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_WideTree(benchmark::State& state) { run(state, wide_tree(static_cast<uint32_t>(state.range(1)))); }
void BM_Apps(benchmark::State& state) {
  run(state, android_workload(fmt::format("apps-{}", state.range(1)),
                              android_apps_shape(static_cast<uint32_t>(state.range(1)))));
}
void BM_ForkChain(benchmark::State& state) {
  run(state, fork_chain_workload({.vmas = static_cast<uint32_t>(state.range(1)), .processes = 8, .cow_pages = 100,
                                  .own_heaps = 10}));
}

BENCHMARK(BM_WideTree)
    ->ArgsProduct({{0, 1}, {100, 1000, 10000, 100000}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Apps)->ArgsProduct({{0, 1}, {0, 30, 100, 300}})->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ForkChain)->ArgsProduct({{0, 1}, {1000, 3000, 10000}})->Iterations(1)->Unit(benchmark::kMillisecond);

// Keeps every run for the table and the chart, and prints as usual.
class Collector : public benchmark::ConsoleReporter {
 public:
  struct Point {
    double processes, vmas, seconds, wall;  // seconds: CPU time (the machine is shared)
  };
  std::map<std::string, std::vector<Point>> series;  // "wide-tree eager" -> points

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      // One point per size: the run itself, or with --benchmark_repetitions
      // the median of the repetitions.
      const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.error_occurred || !(single || median)) continue;
      const std::string name = r.benchmark_name();  // BM_Apps/1/300/iterations:1
      const std::string family = name.substr(3, name.find('/') - 3);
      series[family + " " + r.report_label].push_back(
          {r.counters.at("processes").value, r.counters.at("vmas").value,
           r.cpu_accumulated_time / static_cast<double>(r.iterations),
           r.real_accumulated_time / static_cast<double>(r.iterations)});
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

// Slope of log(CPU time) against log(size), first to last point: 1.0 is
// linear.
double loglog_slope(const std::vector<Collector::Point>& p, double Collector::Point::*size) {
  if (p.size() < 2 || p.front().*size == p.back().*size) return NAN;
  return std::log(p.back().seconds / p.front().seconds) / std::log(p.back().*size / p.front().*size);
}

// Per family and design, each size with its CPU time per VMA and, from the
// previous size, the marginal CPU time per VMA added: a workload with a
// fixed part (android-boot under apps-N) is linear when the marginal cost
// stays flat, even though the average moves towards it.
std::string table(const Collector& c) {
  std::string out =
      "| family design | processes | VMAs | CPU s | wall s | CPU ns per VMA | marginal CPU ns per added VMA |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [name, points] : c.series)
    for (size_t i = 0; i < points.size(); i++) {
      const Collector::Point& p = points[i];
      const std::string marginal =
          i == 0 ? "" : fmt::format("{:.0f}", (p.seconds - points[i - 1].seconds) * 1e9 / (p.vmas - points[i - 1].vmas));
      out += fmt::format("| {} | {:.0f} | {:.0f} | {:.3f} | {:.3f} | {:.0f} | {} |\n", name, p.processes, p.vmas,
                         p.seconds, p.wall, p.seconds * 1e9 / p.vmas, marginal);
    }
  out += "\n| family design | log-log slope of CPU time against VMAs | ... against processes |\n|---|---:|---:|\n";
  for (const auto& [name, points] : c.series)
    out += fmt::format("| {} | {:.2f} | {:.2f} |\n", name, loglog_slope(points, &Collector::Point::vmas),
                       loglog_slope(points, &Collector::Point::processes));
  return out;
}

std::string chart(const Collector& c) {
  std::vector<Series> lines;
  for (const auto& [name, points] : c.series) {
    Series s{name, {}};
    for (const Collector::Point& p : points) s.points.emplace_back(p.vmas, p.seconds);
    lines.push_back(std::move(s));
  }
  // A slope-1 line through the wide tree's first eager point: linear time.
  auto it = c.series.find("WideTree eager");
  if (it != c.series.end() && !it->second.empty()) {
    const Collector::Point p = it->second.front();
    lines.push_back({"linear (slope 1)", {{p.vmas, p.seconds}, {p.vmas * 1000, p.seconds * 1000}}});
  }
  return loglog_svg("rmapcheck memory: run time against workload size", "live VMAs at the end of the workload",
                    "CPU seconds (one design)", lines);
}

}  // namespace
}  // namespace rmc::memory

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string svg_path;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg.starts_with("--svg=")) {
      svg_path = arg.substr(6);
    } else {
      fmt::print(stderr, "rmc_memory_bench: unknown argument '{}' (benchmark flags, or --svg=FILE)\n", arg);
      return 2;
    }
  }
  rmc::memory::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();
  fmt::print("\n{}", rmc::memory::table(collector));
  if (!svg_path.empty()) {
    std::ofstream out(svg_path);
    out << rmc::memory::chart(collector);
    if (!out) {
      fmt::print(stderr, "rmc_memory_bench: cannot write {}\n", svg_path);
      return 2;
    }
  }
  return 0;
}
