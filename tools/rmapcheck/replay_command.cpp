// replay_command.cpp - `rmapcheck replay` and `rmapcheck judge`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "memory/dot_graph.h"
#include "model/check/differential.h"
#include "model/check/runner.h"
#include "model/check/step_json.h"
#include "model/core/atomic_file.h"
#include "model/core/layout.h"
#include "model/core/op_table.h"
#include "model/designs.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

struct ReplayArgs {
  std::string trace_path;
  std::string json_path;
  std::string design = "eager";
  std::string models;  // several designs in lock-step
  bool quiet = false;
  bool no_checks = false;
  bool keep_going = false;  // run on past failing steps (the verdict is still the first)
  std::string dot_path;  // the rmap graph as Graphviz DOT (memory/dot_graph.h)
  size_t dot_step = 0;   // after this step; 0: the last one run
};

std::string options_summary(const ModelOptions& options) {
  std::string out;
  for (auto& [name, value] : option_lines(options)) out += fmt::format(" {}={}", name, value);
  return out.empty() ? " (defaults)" : out;
}

// At most kShownPerProperty messages per property, in check order, then a
// count of the rest: one broken rule usually breaks it on every page.
constexpr size_t kShownPerProperty = 3;

std::string summarize_violations(const std::vector<Violation>& violations) {
  std::string out;
  std::vector<std::string> order;
  for (const Violation& v : violations)
    if (std::find(order.begin(), order.end(), v.property) == order.end()) order.push_back(v.property);
  for (const std::string& property : order) {
    size_t shown = 0, total = 0;
    for (const Violation& v : violations) {
      if (v.property != property) continue;
      if (shown++ < kShownPerProperty) out += fmt::format("  [{}] {}\n", v.property, v.message);
      total++;
    }
    if (total > kShownPerProperty) out += fmt::format("  [{}] ... and {} more\n", property, total - kShownPerProperty);
  }
  return out;
}

int exit_code_of(const Verdict& verdict) {
  switch (verdict.kind) {
    case Verdict::Kind::kPass: return kExitPass;
    case Verdict::Kind::kFail: return kExitCheckFailed;
    case Verdict::Kind::kError: return kExitBadInput;
    case Verdict::Kind::kSkip: return kExitPass;
  }
  return kExitBadInput;
}

// Every design's layouts, VMAs and objects, one block each.
void print_designs(const Differential& diff) {
  for (const DesignRun& run : diff.runs()) {
    const ObjectCounts c = count_objects(*run.world);
    fmt::print("--- {}{}: {} VMAs (+{} zombie), {} anon_vmas, {} AVCs, {} contexts, {} folios\n", run.design,
               run.failed ? " (failed)" : "", c.vmas, c.zombie_vmas, c.anon_vmas, c.avcs, c.contexts, c.folios);
    fmt::print("{}{}", render_layout(*run.world), render_vma_table(*run.world));
  }
}

// replay --models: every design in lock-step; the first step where one fails
// shows every design's state.
int replay_models(const ReplayArgs& args, const Trace& trace) {
  std::vector<std::string> designs;
  std::stringstream in(args.models);
  for (std::string d; std::getline(in, d, ',');)
    if (!d.empty()) designs.push_back(d);
  if (designs.empty() || designs[0] != "eager") designs.insert(designs.begin(), "eager");
  for (const std::string& d : designs)
    if (!valid_design(d)) {
      fmt::print(stderr, "rmapcheck: unknown design '{}'\n", d);
      return kExitBadInput;
    }
  Differential diff(designs, trace.options, !args.no_checks);
  std::vector<Finding> findings;
  bool shown = false;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
    const size_t before = findings.size();
    const std::string text = line.kind == TraceLine::Kind::kOp ? print_op(line.op) : print_expect(line.expect);
    if (!args.quiet) {
      // Out before the step runs, as in the one-design replay.
      fmt::print("step {}  line {}  {}\n", diff.steps() + 1, line.line, text);
      std::fflush(stdout);
    }
    if (auto error = diff.step(line, findings)) {
      fmt::print(stderr, "{}:{}: {}\n", trace.source, line.line, *error);
      return kExitBadInput;
    }
    for (size_t i = before; i < findings.size(); i++)
      fmt::print("  {} [{}] {}\n", findings[i].signature(), findings[i].property, findings[i].message);
    if (findings.size() > before && !shown) {
      fmt::print("\nevery design after step {}:\n", diff.steps());
      print_designs(diff);
      fmt::print("\n");
      shown = true;
    }
  }
  fmt::print("\n{:<12} {:>6} {:>7} {:>9} {:>6} {:>8} {:>7}   {}\n", "design", "VMAs", "zombie", "anon_vmas", "AVCs",
             "contexts", "folios", "verdict");
  for (const DesignRun& run : diff.runs()) {
    const ObjectCounts c = count_objects(*run.world);
    std::string verdict = "pass";
    for (const Finding& f : findings)
      if (f.design == run.design) verdict = "fail " + f.property + " at step " + std::to_string(f.step);
    fmt::print("{:<12} {:>6} {:>7} {:>9} {:>6} {:>8} {:>7}   {}\n", run.design, c.vmas, c.zombie_vmas, c.anon_vmas,
               c.avcs, c.contexts, c.folios, verdict);
  }
  return findings.empty() ? kExitPass : kExitCheckFailed;
}

int replay(const ReplayArgs& args) {
  ParseResult parsed = parse_trace_file(args.trace_path);
  if (auto* error = std::get_if<TraceError>(&parsed)) {
    fmt::print(stderr, "{}\n", error->str());
    if (error->line == 1 && error->message.rfind("non-printable", 0) == 0)
      fmt::print(stderr, "  (fuzzer bytes? `rmapcheck decode {}` prints the trace they run)\n", args.trace_path);
    return kExitBadInput;
  }
  const Trace& trace = std::get<Trace>(parsed);
  if (args.dot_step != 0 && args.dot_path.empty()) {
    fmt::print(stderr, "rmapcheck replay: --dot-step needs --dot FILE\n");
    return kExitBadInput;
  }
  if (!args.models.empty() && !args.dot_path.empty()) {
    fmt::print(stderr, "rmapcheck replay: --dot draws one design: use --design, not --models\n");
    return kExitBadInput;
  }
  if (!args.models.empty() && args.keep_going) {
    fmt::print(stderr, "rmapcheck replay: --keep-going runs one design: use --design, not --models\n");
    return kExitBadInput;
  }
  if (!args.models.empty()) return replay_models(args, trace);
  if (!valid_design(args.design)) {
    fmt::print(stderr, "rmapcheck: unknown design '{}'\n", args.design);
    return kExitBadInput;
  }
  if (!args.quiet) {
    fmt::print("rmapcheck replay {}  design {}  options{}  checks {}\n", trace.source, args.design,
               options_summary(trace.options), args.no_checks ? "off" : "after every step");
    fmt::print("{}\n", layout_legend());
  }
  nlohmann::json steps = nlohmann::json::array();
  auto world = make_world(args.design, trace.options);
  Runner runner(*world, !args.no_checks, /*cost_expectations=*/args.design == "eager");
  Verdict verdict;
  size_t step = 0, failing_steps = 0;
  std::string dot, last_dot_title;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
    step++;
    const std::string before = render_layout(*world) + render_vma_table(*world);
    const std::string text = line.kind == TraceLine::Kind::kOp ? print_op(line.op) : print_expect(line.expect);
    if (!args.quiet) {
      // Out before the step runs: if a model's assertion kills the process
      // there, the last line shown is the step that fired it.
      fmt::print("step {}  line {}  {}\n", step, line.line, text);
      std::fflush(stdout);
    }
    StepResult result = runner.run_line(line);
    if (!args.json_path.empty()) steps.push_back(step_json(*world, step, line, result));
    const std::string dot_title = fmt::format("{} step {}: {}", trace.source, step, text);
    if (!args.dot_path.empty() && args.dot_step == step) dot = memory::world_dot(*world, dot_title);
    if (!args.dot_path.empty() && args.dot_step == 0) last_dot_title = dot_title;
    if (!args.quiet && line.kind == TraceLine::Kind::kOp && !result.error) fmt::print("{}", render_layout(*world));
    if (result.error) {
      fmt::print(stderr, "{}:{}: {}\n", trace.source, line.line, *result.error);
      verdict.kind = Verdict::Kind::kError;
      verdict.line = line.line;
      verdict.step = step;
      verdict.error = *result.error;
      break;
    }
    if (!result.violations.empty()) {
      if (failing_steps++ == 0) {
        verdict.kind = Verdict::Kind::kFail;
        verdict.line = line.line;
        verdict.step = step;
        verdict.violations = result.violations;
      }
      fmt::print("\n{}:{}: step {} ({}) breaks {} check(s):\n{}", trace.source, line.line, step, text,
                 result.violations.size(), summarize_violations(result.violations));
      fmt::print("\nbefore the step:\n{}\nafter the step:\n{}{}", before, render_layout(*world),
                 render_vma_table(*world));
      // --keep-going: what a broken state leads to (a counterexample's later
      // divergence, docs/proofs.md); the verdict stays the first failure.
      if (!args.keep_going) break;
      fmt::print("\n");
    }
  }
  if (!args.json_path.empty()) {
    nlohmann::json doc = {{"trace", trace.source}, {"design", args.design}, {"steps", steps},
                          {"verdict", describe_verdict(verdict)}};
    if (auto err = write_file_atomically(args.json_path, doc.dump(1) + "\n")) {
      fmt::print(stderr, "rmapcheck: cannot write {}\n", *err);
      return kExitBadInput;
    }
  }
  if (!args.dot_path.empty()) {
    if (args.dot_step == 0 && step > 0) dot = memory::world_dot(*world, last_dot_title);
    if (dot.empty()) {
      fmt::print(stderr, "rmapcheck replay: --dot-step {}: the run has {} steps\n", args.dot_step, step);
      return kExitBadInput;
    }
    if (auto err = write_file_atomically(args.dot_path, dot)) {
      fmt::print(stderr, "rmapcheck: cannot write {}\n", *err);
      return kExitBadInput;
    }
  }
  if (args.keep_going && failing_steps > 1) fmt::print("{} failing steps; the first decides the verdict\n", failing_steps);
  fmt::print("verdict: {}  ({} steps{})\n", describe_verdict(verdict), step,
             trace.expectation(args.design) ? fmt::format(", trace expects {}", print_verdict(*trace.expectation(args.design))) : "");
  return exit_code_of(verdict);
}

int judge(const std::vector<std::string>& paths, const std::string& design) {
  if (!valid_design(design)) {
    fmt::print(stderr, "rmapcheck judge: unknown design '{}'\n", design);
    return kExitBadInput;
  }
  size_t run = 0, passed = 0, failed = 0, skipped = 0;
  for (const std::string& path : paths) {
    run++;
    ParseResult parsed = parse_trace_file(path);
    Verdict verdict;
    std::optional<ExpectedVerdict> expected;
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      // Bad input: the header may still have said that this is expected.
      verdict.kind = Verdict::Kind::kError;
      verdict.line = error->line;
      verdict.error = error->message;
      expected = error->expected;
    } else {
      const Trace& trace = std::get<Trace>(parsed);
      expected = trace.expectation(design);
      verdict = run_trace(trace, design, /*checks=*/true);
    }
    if (!expected) {
      fmt::print("FAIL {}: no '# EXPECT:' line ({})\n", path,
                 verdict.kind == Verdict::Kind::kError ? verdict.error : describe_verdict(verdict));
      failed++;
      continue;
    }
    if (verdict.kind == Verdict::Kind::kSkip) {
      skipped++;
      fmt::print("SKIP {}: {}\n", path, verdict.error);
      continue;
    }
    if (verdict_matches(verdict, *expected)) {
      passed++;
      continue;
    }
    failed++;
    fmt::print("FAIL {}: expected {}, got {}", path, print_verdict(*expected), describe_verdict(verdict));
    if (verdict.kind == Verdict::Kind::kFail)
      fmt::print(" at line {}: [{}] {}", verdict.line, verdict.violations[0].property, verdict.violations[0].message);
    if (verdict.kind == Verdict::Kind::kError) fmt::print(" at line {}: {}", verdict.line, verdict.error);
    fmt::print("\n");
  }
  fmt::print("{} tests run, {} passed, {} failed", run, passed, failed);
  if (skipped) fmt::print(", {} not applicable to {}", skipped, design);
  fmt::print(".\n");
  return failed == 0 ? kExitPass : kExitCheckFailed;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand("replay", "Run a trace, print every step and the verdict");
  cmd->add_option("trace", args->trace_path, "Trace file")->required();
  cmd->add_option("--json", args->json_path, "Write the state after every step to this JSON file");
  cmd->add_option("--design", args->design, "Rmap design to run: eager, lazy, lazy-gki, base0, cowctx, or eager+B3 ... eager+B17 (default eager)");
  cmd->add_option("--models", args->models, "Run these designs in lock-step (comma-separated; eager is the reference)");
  cmd->add_flag("--quiet,-q", args->quiet, "Print only errors and the verdict");
  cmd->add_flag("--no-checks", args->no_checks, "Run without the per-step checks (expectations still judged)");
  cmd->add_flag("--keep-going", args->keep_going,
                "Run on past a failing step, reporting each one (the verdict is still the first failure)");
  cmd->add_option("--dot", args->dot_path, "Write the VMA/anon_vma/AVC/folio graph as Graphviz DOT to this file");
  cmd->add_option("--dot-step", args->dot_step, "Draw the graph after this step (default: the last step run)");
  cmd->callback([args, &exit_code] { exit_code = replay(*args); });
}

void add_judge_command(CLI::App& app, int& exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto design = std::make_shared<std::string>("eager");
  CLI::App* cmd = app.add_subcommand("judge", "Run traces and compare each verdict with its '# EXPECT:' line");
  cmd->add_option("traces", *paths, "Trace files")->required();
  cmd->add_option("--design", *design, "Rmap design to run (default eager; judged by its # EXPECT[design]: line)");
  cmd->callback([paths, design, &exit_code] { exit_code = judge(*paths, *design); });
}

}  // namespace rmc::cli
