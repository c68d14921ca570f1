// prove_command.cpp - `rmapcheck prove`: discharge the geometry obligations.
//
//   rmapcheck prove [--filter TEXT] [--json FILE] [--dump DIR] [--traces DIR]
//                   [--rlimit N] [--no-cvc5] [--list] [--deep]
//
// Every obligation (proofs/obligations/*.cpp) goes to Z3 in a fresh context
// with an rlimit budget; its query, as SMT-LIB 2, then goes to cvc5, which
// must agree. The table lists obligation, expected verdict, verdict, time,
// rlimit used and cvc5's agreement, and below each counterexample its
// concrete values. --dump writes every query to DIR/<name>.smt2 (the
// committed copies are proofs/smt2/), --traces every counterexample that has
// a recipe to DIR/<name>.trace (corpus/proofs/).
//
// The time column is CPU time (Z3 runs in this thread), not wall-clock: on a
// shared machine wall-clock measures the neighbours. --deep adds the slow
// unrolled 4-op searches. docs/proofs.md is the manual.
//
// Exit status: 0 every verdict is the expected one and cvc5 agrees; 1 one is
// not (unknown and error included), or cvc5 disagrees; 2 bad input (no
// obligation matches --filter, --rlimit out of range, cvc5 missing without
// --no-cvc5, a file that cannot be written).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "model/core/atomic_file.h"
#include "proofs/obligations/tables.h"
#include "proofs/report.h"
#include "proofs/trace_out.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

using namespace rmc::proofs;

struct ProveArgs {
  std::string filter;
  std::string json;
  std::string dump;
  std::string traces;
  uint64_t rlimit = kDefaultRlimit;
  bool no_cvc5 = false;
  bool list = false;
  bool deep = false;
};

bool write_into(const std::string& dir, const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (auto error = write_file_atomically(path, text)) {
    fmt::print(stderr, "{}: {}\n", path, *error);
    return false;
  }
  return true;
}

int prove(const ProveArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<const Obligation*> chosen;
  for (const Obligation& ob : all_obligations())
    if ((args.deep || !ob.deep) && ob.name.find(args.filter) != std::string::npos) chosen.push_back(&ob);
  if (chosen.empty()) {
    fmt::print(stderr, "rmapcheck prove: no obligation matches '{}' (rmapcheck prove --list)\n", args.filter);
    return kExitBadInput;
  }
  if (args.list) {
    for (const Obligation* ob : chosen)
      fmt::print("{:<52} {:<14} {}\n", ob->name, verdict_name(ob->expected), ob->claim);
    return kExitPass;
  }
  if (args.rlimit == 0 || args.rlimit > 0xffffffffu) {
    fmt::print(stderr, "rmapcheck prove: --rlimit must be 1-4294967295 (Z3's rlimit is 32-bit)\n");
    return kExitBadInput;
  }

  Report report;
  report.z3_version = z3_version();
  report.rlimit = args.rlimit;
  if (!args.no_cvc5) {
    report.cvc5_version = cvc5_version();
    if (!report.cvc5_version) {
      fmt::print(stderr,
                 "rmapcheck prove: cvc5 not found on PATH (tools/install-deps installs it; --no-cvc5 "
                 "skips the cross-check)\n");
      return kExitBadInput;
    }
  }
  for (const Obligation* ob : chosen) {
    Row row;
    row.obligation = ob;
    row.z3 = discharge(*ob, ob->rlimit ? ob->rlimit : args.rlimit);
    const bool decided = row.z3.verdict == Verdict::kProved || row.z3.verdict == Verdict::kCounterexample;
    if (report.cvc5_version && decided) row.cvc5 = cvc5_check_text(row.z3.smt2);
    if (!args.dump.empty() &&
        !write_into(args.dump, (std::filesystem::path(args.dump) / (file_stem(ob->name) + ".smt2")).string(),
                    row.z3.smt2))
      return kExitBadInput;
    if (!args.traces.empty() && ob->trace && row.z3.verdict == Verdict::kCounterexample) {
      auto trace = counterexample_trace(*ob, row.z3, args.traces);
      if (auto* error = std::get_if<std::string>(&trace)) {
        fmt::print(stderr, "rmapcheck prove: {}\n", *error);
        return kExitCheckFailed;
      }
      const TraceOut& out = std::get<TraceOut>(trace);
      if (!write_into(args.traces, out.path, out.text)) return kExitBadInput;
      row.trace_path = out.path;
    }
    report.rows.push_back(std::move(row));
  }
  report.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  print_report(report, stdout);
  if (!args.json.empty()) {
    if (auto error = write_file_atomically(args.json, report_json(report))) {
      fmt::print(stderr, "{}: {}\n", args.json, *error);
      return kExitBadInput;
    }
  }
  for (const Row& row : report.rows)
    if (!as_expected(row)) return kExitCheckFailed;
  return kExitPass;
}

}  // namespace

void add_prove_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ProveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "prove", "Discharge the vma_mapping_base obligations with Z3, cross-checked by cvc5 (docs/proofs.md)");
  cmd->add_option("--filter", args->filter, "Only obligations whose name contains TEXT");
  cmd->add_option("--json", args->json, "Also write the results as JSON to FILE");
  cmd->add_option("--dump", args->dump, "Write every query as SMT-LIB 2 to DIR/<name>.smt2");
  cmd->add_option("--traces", args->traces, "Write every counterexample trace to DIR/<name>.trace");
  cmd->add_option("--rlimit", args->rlimit, "Z3 rlimit budget per solver call")->capture_default_str();
  cmd->add_flag("--no-cvc5", args->no_cvc5, "Skip the cvc5 cross-check");
  cmd->add_flag("--list", args->list, "List the obligations and their expected verdicts");
  cmd->add_flag("--deep", args->deep, "Also the slow obligations (the unrolled 4-op searches)");
  cmd->callback([args, &exit_code] { exit_code = prove(*args); });
}

}  // namespace rmc::cli
