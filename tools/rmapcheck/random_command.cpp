// random_command.cpp - `rmapcheck random`: one random trace from a seed.
#include <fmt/format.h>

#include <random>

#include "model/check/runner.h"
#include "model/core/atomic_file.h"
#include "model/core/layout.h"
#include "model/core/op_table.h"
#include "model/core/random_trace.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

struct RandomArgs {
  std::optional<uint64_t> seed;
  uint32_t steps = 64;
  uint32_t processes = 4;
  std::vector<std::string> options;
  std::string save_path;
  bool quiet = false;
};

int run_random(const RandomArgs& args) {
  const uint64_t seed = args.seed ? *args.seed : std::random_device{}();
  ModelOptions model;
  for (const std::string& option : args.options) {
    size_t eq = option.find('=');
    std::optional<std::string> err = eq == std::string::npos
                                         ? std::optional<std::string>("expected NAME=VALUE")
                                         : apply_option(model, option.substr(0, eq), option.substr(eq + 1));
    if (err) {
      fmt::print(stderr, "rmapcheck random: --option {}: {}\n", option, *err);
      return kExitBadInput;
    }
  }
  if (args.processes < 1 || args.processes > kMaxProcesses) {
    fmt::print(stderr, "rmapcheck random: --procs must be 1-{}\n", kMaxProcesses);
    return kExitBadInput;
  }
  if (args.steps < 1 || args.steps > kMaxTraceOps) {
    fmt::print(stderr, "rmapcheck random: --steps must be 1-{}\n", kMaxTraceOps);
    return kExitBadInput;
  }
  GeneratorOptions generator;
  generator.max_processes = args.processes;
  std::string option_text;
  for (auto& [name, value] : option_lines(model)) option_text += fmt::format(" --option {}={}", name, value);
  fmt::print("rmapcheck random --seed {} --steps {} --procs {}{}\n", seed, args.steps, args.processes, option_text);
  Trace trace = random_trace(seed, args.steps, generator, model);
  trace.source = fmt::format("seed-{}", seed);
  if (!args.save_path.empty())
    if (auto err = write_file_atomically(args.save_path, print_trace(trace))) {
      fmt::print(stderr, "rmapcheck random: cannot save: {}\n", *err);
      return kExitBadInput;
    }
  RunStats stats;
  Verdict verdict = run_trace(trace, "eager", /*checks=*/true, &stats);
  if (verdict.kind == Verdict::Kind::kPass) {
    fmt::print("verdict: pass ({} steps, {} check passes)\n", stats.steps, stats.checks);
    return kExitPass;
  }
  if (verdict.kind == Verdict::Kind::kError) {
    fmt::print("verdict: error at step {}: {} (a generator bug: please report the seed)\n", verdict.step, verdict.error);
    return kExitBadInput;
  }
  fmt::print("verdict: fail at step {}\n", verdict.step);
  for (const Violation& v : verdict.violations) fmt::print("  [{}] {}\n", v.property, v.message);
  if (!args.quiet) fmt::print("\nthe trace:\n{}", print_trace(trace));
  fmt::print("reproduce: rmapcheck random --seed {} --steps {} --procs {}{}\n", seed, args.steps, args.processes, option_text);
  return kExitCheckFailed;
}

}  // namespace

void add_random_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RandomArgs>();
  CLI::App* cmd = app.add_subcommand("random", "Generate a random trace from a seed and run it with every check");
  cmd->add_option("--seed", args->seed, "Seed (default: a random one, printed)");
  cmd->add_option("--steps", args->steps, "Ops in the trace (default 64)");
  cmd->add_option("--procs", args->processes, "Processes, P0 included (default 4)");
  cmd->add_option("--option", args->options, "Model option NAME=VALUE (repeatable)");
  cmd->add_option("--save", args->save_path, "Also write the trace to this file");
  cmd->add_flag("--quiet,-q", args->quiet, "Do not print the trace on failure");
  cmd->callback([args, &exit_code] { exit_code = run_random(*args); });
}

}  // namespace rmc::cli
