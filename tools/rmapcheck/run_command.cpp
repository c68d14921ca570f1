// run_command.cpp - `rmapcheck run`, the main job behind tools/run: judge
// every trace of the corpus on the eager model and on every other design (by
// its "# EXPECT[design]:" line, or the common one), then run random traces
// of the eager model with every check after every step, and print a summary
// table and which kernel paths (model/core/coverage.h) the corpus takes in
// any design. (tools/run then runs the differential campaign, `rmapcheck fuzz`.)
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "model/check/runner.h"
#include "model/core/bounds.h"
#include "model/core/random_trace.h"
#include "model/designs.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

struct RunArgs {
  std::string corpus = std::string(RMC_SOURCE_DIR) + "/corpus";
  uint32_t random_traces = 3000;
  uint32_t steps = 64;
  uint32_t processes = 4;
  uint64_t seed = 1;
};

struct JobRow {
  std::string name;
  uint64_t traces = 0, steps = 0, checks = 0, failures = 0;
  double seconds = 0;
  Coverage coverage;  // the kernel paths its runs took
};

// Per-seed model options ("swarm" at the level of options), so the random
// job covers large folios and both swap-cache behaviours.
ModelOptions options_for_seed(uint64_t seed) {
  ModelOptions options;
  if (seed % 4 == 1) options.large_folio_order = 2;
  if (seed % 3 == 2) options.swapcache_after_pageout = false;
  return options;
}

// Every design but eager, judged on one corpus trace as tests/test_corpus.cpp
// does (a design with no verdict line of its own takes the common one).
void judge_other_designs(const Trace& trace, const std::string& path, JobRow& row) {
  for (const std::string& design : designs_judged_besides_eager(trace)) {
    const std::optional<ExpectedVerdict> expected = trace.expectation(design);
    RunStats stats;
    const Verdict verdict = run_trace(trace, design, true, &stats);
    row.traces++;
    row.steps += stats.steps;
    row.checks += stats.checks;
    row.coverage.merge(stats.coverage);
    if (!verdict_matches(verdict, *expected)) {
      row.failures++;
      fmt::print("  corpus FAIL {} on {}: expected {}, got {}\n", path, design, print_verdict(*expected),
                 describe_verdict(verdict));
    }
  }
}

int run_main_job(const RunArgs& args) {
  using Clock = std::chrono::steady_clock;
  std::vector<JobRow> rows;

  JobRow corpus{"corpus (eager)"};
  JobRow designs_row{"corpus (designs)"};
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(args.corpus))
    for (const auto& entry : std::filesystem::recursive_directory_iterator(args.corpus))
      if (entry.is_regular_file() && entry.path().extension() == ".trace") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  auto start = Clock::now();
  for (const auto& path : files) {
    corpus.traces++;
    ParseResult parsed = parse_trace_file(path.string());
    std::optional<ExpectedVerdict> expected;
    Verdict verdict;
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      verdict.kind = Verdict::Kind::kError;
      verdict.error = error->str();
      expected = error->expected;
    } else {
      RunStats stats;
      verdict = run_trace(std::get<Trace>(parsed), "eager", true, &stats);
      expected = std::get<Trace>(parsed).expectation("eager");
      corpus.steps += stats.steps;
      corpus.checks += stats.checks;
      corpus.coverage.merge(stats.coverage);
      judge_other_designs(std::get<Trace>(parsed), path.string(), designs_row);
    }
    if (!expected || !verdict_matches(verdict, *expected)) {
      corpus.failures++;
      fmt::print("  corpus FAIL {}: expected {}, got {}\n", path.string(),
                 expected ? print_verdict(*expected) : "(no EXPECT line)", describe_verdict(verdict));
    }
  }
  corpus.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  designs_row.seconds = corpus.seconds * (corpus.steps ? double(designs_row.steps) / (corpus.steps + designs_row.steps) : 0);
  corpus.seconds -= designs_row.seconds;
  rows.push_back(corpus);
  rows.push_back(designs_row);

  JobRow random{"random (eager)"};
  GeneratorOptions generator;
  generator.max_processes = args.processes;
  for (uint32_t i = 0; i < args.random_traces; i++) {
    const uint64_t seed = args.seed + i;
    const ModelOptions options = options_for_seed(seed);
    Trace trace = random_trace(seed, args.steps, generator, options);
    RunStats stats;
    start = Clock::now();  // time the checked run, not the generation
    Verdict verdict = run_trace(trace, "eager", true, &stats);
    random.seconds += std::chrono::duration<double>(Clock::now() - start).count();
    random.traces++;
    random.steps += stats.steps;
    random.checks += stats.checks;
    if (verdict.kind != Verdict::Kind::kPass) {
      random.failures++;
      fmt::print("  random FAIL seed {}: {} at step {}{}\n", seed, describe_verdict(verdict), verdict.step,
                 verdict.violations.empty() ? " " + verdict.error : ": " + verdict.violations[0].message);
      fmt::print("    reproduce: rmapcheck random --seed {} --steps {} --procs {}\n", seed, args.steps, args.processes);
    }
  }
  rows.push_back(random);

  fmt::print("\n{:<18} {:>8} {:>10} {:>10} {:>9} {:>10}\n", "job", "traces", "steps", "checks", "failures", "steps/s");
  uint64_t failures = 0;
  for (const JobRow& row : rows) {
    const double rate = row.seconds > 0 ? row.steps / row.seconds : 0;
    fmt::print("{:<18} {:>8} {:>10} {:>10} {:>9} {:>10.0f}\n", row.name, row.traces, row.steps, row.checks,
               row.failures, rate);
    failures += row.failures;
  }
  fmt::print("\ncorpus (designs): every corpus trace on every other design (lazy, lazy-gki, base0, cowctx,"
             " and eager+bug designs its header names), one row per run, judged by its EXPECT[design] line\n");
  fmt::print("random traces: seeds {}..{}, {} ops each over {} processes, every check after every step"
             " (steps/s: the checked runs, generation not included)\n",
             args.seed, args.seed + args.random_traces - 1, args.steps, args.processes);
  Coverage corpus_paths = corpus.coverage;
  corpus_paths.merge(designs_row.coverage);
  fmt::print("corpus coverage: {} of {} kernel paths taken by some design (model/core/coverage.h); never taken: {}\n",
             corpus_paths.covered(), kPathCount, paths_never_taken(corpus_paths));
  return failures == 0 ? kExitPass : kExitCheckFailed;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "The main job: judge the corpus, run random traces, print a summary");
  cmd->add_option("--corpus", args->corpus, "Corpus directory (default: the source tree's corpus/)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--random", args->random_traces, "Random traces to run (default 3000)");
  cmd->add_option("--steps", args->steps, "Ops per random trace (default 64)")
      ->check(CLI::Range(uint32_t{1}, kMaxTraceOps));
  cmd->add_option("--procs", args->processes, "Processes per random trace (default 4)")
      ->check(CLI::Range(uint32_t{1}, kMaxProcesses));
  cmd->add_option("--seed", args->seed, "First seed (default 1)");
  cmd->callback([args, &exit_code] { exit_code = run_main_job(*args); });
}

}  // namespace rmc::cli
