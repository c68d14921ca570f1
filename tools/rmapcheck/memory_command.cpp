// memory_command.cpp - `rmapcheck memory`: the memory table of every design
// for a workload, this machine's snapshot, and the bars as SVG.
//
//   rmapcheck memory --workload android-boot|apps-N|fork-chain|FILE.trace
//                    [--models eager,lazy,...] [--json FILE] [--plot FILE.svg]
//                    [--checks] [--option NAME=VALUE]...
//   rmapcheck memory --snapshot [--no-shrink] [--json FILE] [--plot FILE.svg]
//
// Exit codes: 0 the table was printed; 1 a check or a trace expectation
// failed in some design (--checks, or a trace's expect lines); 2 bad input
// (unknown workload or design, apps-N out of range, unreadable or malformed
// trace as `file:line: message`, an op a design refuses, an unwritable
// output file, /proc unreadable for --snapshot).
//
// docs/memory.md is the manual: the workloads and their parameters, the
// composition rule, the snapshot's method, and the comparison with the
// series' figures.
#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "memory/compose.h"
#include "memory/memory_table.h"
#include "memory/object_sizes.h"
#include "memory/snapshot.h"
#include "memory/snapshot_report.h"
#include "memory/snapshot_workload.h"
#include "memory/svg_plot.h"
#include "memory/trace_run.h"
#include "memory/workloads.h"
#include "model/core/atomic_file.h"
#include "model/designs.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

struct MemoryArgs {
  std::string workload;
  std::string models;
  std::string json_path;
  std::string plot_path;
  std::vector<std::string> options;
  bool checks = false;
  bool snapshot = false;
  bool no_shrink = false;
};

std::optional<std::vector<std::string>> parse_models(const std::string& text) {
  std::vector<std::string> designs;
  if (text.empty()) {
    for (std::string_view d : design_names()) designs.emplace_back(d);
    return designs;
  }
  std::stringstream in(text);
  for (std::string d; std::getline(in, d, ',');) {
    if (d.empty()) continue;
    if (!valid_design(d) || d.find('+') != std::string::npos) {
      fmt::print(stderr, "rmapcheck memory: unknown design '{}' (known: eager, lazy, lazy-gki, base0, cowctx)\n", d);
      return std::nullopt;
    }
    designs.push_back(d);
  }
  if (designs.empty()) {
    fmt::print(stderr, "rmapcheck memory: --models names no design\n");
    return std::nullopt;
  }
  return designs;
}

std::optional<ModelOptions> parse_options(const std::vector<std::string>& lines) {
  ModelOptions options;
  for (const std::string& line : lines) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      fmt::print(stderr, "rmapcheck memory: --option {}: expected NAME=VALUE\n", line);
      return std::nullopt;
    }
    if (auto error = apply_option(options, line.substr(0, eq), line.substr(eq + 1))) {
      fmt::print(stderr, "rmapcheck memory: --option {}: {}\n", line, *error);
      return std::nullopt;
    }
  }
  return options;
}

bool write_output(const std::string& path, const std::string& text) {
  if (path.empty()) return true;
  if (auto error = write_file_atomically(path, text)) {
    fmt::print(stderr, "rmapcheck memory: cannot write {}\n", *error);
    return false;
  }
  return true;
}

bool write_outputs(const MemoryArgs& args, const memory::MemoryTable& table) {
  return write_output(args.json_path, memory::table_json(table).dump(1) + "\n") &&
         write_output(args.plot_path, memory::bars_svg(table));
}

// A workload name, or a trace file: one ending in .trace or naming a file.
bool is_trace_file(const std::string& name) {
  std::error_code ec;
  return name.ends_with(".trace") || std::filesystem::is_regular_file(name, ec);
}

// Errors go to stderr as well as into the table (a design's "skipped"
// line): 1 if any was a failed check, else 2.
int exit_code_of(const memory::MemoryTable& table) {
  int code = kExitPass;
  for (const memory::DesignRun& run : table.runs) {
    if (!run.error) continue;
    fmt::print(stderr, "rmapcheck memory: {}: {}\n", run.design, *run.error);
    code = std::max(code, run.check_failed ? kExitCheckFailed : kExitBadInput);
  }
  return code;
}

int memory_workload(const MemoryArgs& args, const std::vector<std::string>& designs, const ModelOptions& options) {
  memory::MemoryTable table;
  table.sizes = memory::read_object_sizes();
  std::string why;
  std::optional<memory::Workload> workload = memory::named_workload(args.workload, &why);
  if (workload) {
    memory::RunOptions run_options;
    run_options.model = options;
    run_options.checks = args.checks;
    table.workload = workload->name;
    table.description = workload->description;
    table.processes = memory::process_count(*workload);
    for (const std::string& d : designs) table.runs.push_back(memory::run_workload(*workload, d, run_options));
  } else if (is_trace_file(args.workload)) {
    ParseResult parsed = parse_trace_file(args.workload);
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      fmt::print(stderr, "{}\n", error->str());
      return kExitBadInput;
    }
    Trace trace = std::get<Trace>(parsed);
    if (!args.options.empty()) trace.options = options;
    table.workload = args.workload;
    table.description = fmt::format("the trace, {} ops, in one world per design", trace.op_count());
    for (const std::string& d : designs) table.runs.push_back(memory::run_trace_counts(trace, d, args.checks));
    table.processes = 1;  // P0, and one per fork
    for (const TraceLine& line : trace.lines)
      if (line.kind == TraceLine::Kind::kOp && line.op.kind == OpKind::kFork) table.processes++;
  } else {
    fmt::print(stderr, "rmapcheck memory: {}\n", why);
    return kExitBadInput;
  }
  fmt::print("{}", memory::render_table(table));
  if (!write_outputs(args, table)) return kExitBadInput;
  return exit_code_of(table);
}

// Exit 2 when /proc cannot be listed; a missing slab count or PFNs hidden
// from a non-root user only degrade the report (rows say "skipped"). A
// design that cannot run the rebuilt workload is reported as for a named
// workload (exit_code_of).
int memory_snapshot(const MemoryArgs& args, const std::vector<std::string>& designs, const ModelOptions& options) {
  memory::SnapshotOptions snapshot_options;
  snapshot_options.shrink = !args.no_shrink;
  memory::Snapshot snapshot;
  if (auto error = memory::read_snapshot(snapshot_options, snapshot)) {
    fmt::print(stderr, "rmapcheck memory --snapshot: {}\n", *error);
    return kExitBadInput;
  }
  const memory::ForkForest forest = memory::infer_fork_forest(snapshot);
  const memory::SnapshotWorkload rebuilt = memory::snapshot_workload(snapshot, forest);
  memory::SnapshotReport report{&snapshot, &forest, &rebuilt, {}};
  report.table.workload = "snapshot";
  report.table.description = rebuilt.workload.description;
  report.table.processes = memory::process_count(rebuilt.workload);
  report.table.sizes = memory::read_object_sizes(snapshot_options.slab_dir);
  memory::RunOptions run_options;
  run_options.model = options;
  run_options.checks = args.checks;
  for (const std::string& d : designs) report.table.runs.push_back(memory::run_workload(rebuilt.workload, d, run_options));
  fmt::print("{}", memory::render_snapshot(report));
  if (!write_output(args.json_path, memory::snapshot_json(report).dump(1) + "\n") ||
      !write_output(args.plot_path, memory::bars_svg(report.table)))
    return kExitBadInput;
  return exit_code_of(report.table);
}

int memory(const MemoryArgs& args) {
  if (args.snapshot == !args.workload.empty()) {
    fmt::print(stderr, "rmapcheck memory: give exactly one of --workload NAME and --snapshot\n");
    return kExitBadInput;
  }
  auto designs = parse_models(args.models);
  if (!designs) return kExitBadInput;
  auto options = parse_options(args.options);
  if (!options) return kExitBadInput;
  return args.snapshot ? memory_snapshot(args, *designs, *options) : memory_workload(args, *designs, *options);
}

}  // namespace

void add_memory_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MemoryArgs>();
  CLI::App* cmd = app.add_subcommand("memory", "Objects and KB of every design for a workload, or for this machine");
  cmd->add_option("--workload", args->workload, "android-boot, apps-N (N = 1..10000; apps-24), fork-chain, or a trace file");
  cmd->add_flag("--snapshot", args->snapshot, "Estimate from this machine's processes and compare with its slab counts");
  cmd->add_option("--models", args->models, "Designs to run, comma-separated (default: eager,lazy,lazy-gki,base0,cowctx)");
  cmd->add_option("--json", args->json_path, "Write the table as JSON to this file");
  cmd->add_option("--plot", args->plot_path, "Draw the per-design bars as SVG to this file");
  cmd->add_option("--option", args->options, "Model option NAME=VALUE for every design (repeatable)");
  cmd->add_flag("--checks", args->checks, "Run every check after every op (slow; a failed check is an error)");
  cmd->add_flag("--no-shrink", args->no_shrink, "--snapshot: do not write 1 to /sys/kernel/slab/*/shrink first");
  cmd->callback([args, &exit_code] { exit_code = memory(*args); });
}

}  // namespace rmc::cli
