// kernel_fuzz.cpp - the campaign loop, shrinking, saving findings.
#include "kernel/kernel_fuzz.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "kernel/host.h"
#include "model/core/op_table.h"
#include "model/check/shrink.h"
#include "model/core/atomic_file.h"
#include "model/core/random_trace.h"

namespace rmc::kernel {

namespace {

using Clock = std::chrono::steady_clock;

// Orders of the mTHP traces (16, 32 and 64 KiB folios).
constexpr uint32_t kFuzzFolioOrders[] = {2, 3, 4};

// "# " before every line of a block of text.
std::string commented(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += "# " + line + "\n";
  return out;
}

// The finding as a trace file: the shrunk ops, what happened, both layouts.
std::string finding_text(const Trace& shrunk, const FuzzFinding& f) {
  Trace out = shrunk;
  std::vector<TraceLine> header;
  auto comment = [&](const std::string& text) {
    std::istringstream in(commented(text));
    std::string line;
    while (std::getline(in, line)) {
      TraceLine l;
      l.kind = TraceLine::Kind::kComment;
      l.comment = line;
      header.push_back(l);
    }
  };
  if (f.verdict.kind == OracleVerdict::Kind::kAgree)
    comment(fmt::format("rmapcheck kernel-fuzz: seed {} agreed after {} runs; the other runs did not (notes below).\n"
                        "Reproduce: rmapcheck kernel THIS_FILE",
                        f.seed, f.verdict.runs));
  else
    comment(fmt::format(
        "rmapcheck kernel-fuzz finding: seed {}, shrunk from {} to {} ops.\n{} at step {} [{}]: {}\nReproduce: "
        "rmapcheck kernel THIS_FILE",
        f.seed, f.ops_before, f.ops_after, verdict_kind_name(f.verdict.kind), f.verdict.step, f.verdict.category,
        f.verdict.what));
  for (const std::string& note : f.verdict.notes) comment("note: " + note);
  for (const std::string& note : f.verdict.rerun_notes) comment("note: " + note);
  if (!f.verdict.detail.empty()) comment("\n" + f.verdict.detail);
  // Options stay first (they must precede the ops); comments after them.
  auto first_op = std::find_if(out.lines.begin(), out.lines.end(), [](const TraceLine& l) { return l.kind != TraceLine::Kind::kOption; });
  out.lines.insert(first_op, header.begin(), header.end());
  return print_trace(out);
}

}  // namespace

std::string explained_by_environment(const OracleVerdict& verdict) {
  for (const std::string& note : verdict.notes)
    if (note.find(kMthpSwapoutNote) != std::string::npos) return "environment: mTHP swap-out";
  return "";
}

double FuzzReport::agreement_rate() const {
  const size_t compared = traces - skipped - noisy;
  return compared == 0 ? 0.0 : static_cast<double>(agree) / static_cast<double>(compared);
}

Trace fuzz_trace(uint64_t seed, const FuzzOptions& options) {
  SeededChooser choose(seed ^ 0x6b65726e656cull);  // "kernel": the shape, apart from the ops
  GeneratorOptions generator;
  if (!options.split_folio) generator.weights[static_cast<size_t>(OpKind::kSplitFolio)] = 0;
  // exec would replace the worker and put its stack outside the arena: it
  // cannot run on the kernel (trace_unsupported), so it is never drawn.
  generator.weights[static_cast<size_t>(OpKind::kExec)] = 0;
  // Nor can a migration in two halves.
  generator.weights[static_cast<size_t>(OpKind::kMigrateBegin)] = 0;
  generator.weights[static_cast<size_t>(OpKind::kMigrateEnd)] = 0;
  generator.weights[static_cast<size_t>(OpKind::kSplitBegin)] = 0;
  generator.weights[static_cast<size_t>(OpKind::kSplitEnd)] = 0;
  for (OpKind kind : options.left_out) generator.weights[static_cast<size_t>(kind)] = 0;
  generator.max_processes = options.min_procs + static_cast<uint32_t>(choose.below(options.max_procs - options.min_procs + 1));
  const uint32_t ops = options.min_ops + static_cast<uint32_t>(choose.below(options.max_ops - options.min_ops + 1));
  ModelOptions model;
  if (options.large_folios && choose.one_in(4)) {
    model.large_folio_order = kFuzzFolioOrders[choose.below(std::size(kFuzzFolioOrders))];
    model.large_folio_order_set = true;
  }
  Trace trace = random_trace(seed, ops, generator, model);
  trace.source = fmt::format("seed-{}", seed);
  return trace;
}

FuzzReport kernel_fuzz(const FuzzOptions& given, Host& host, const FuzzProgress& progress) {
  FuzzReport report;
  FuzzOptions options = given;
  TraceNeeds split;
  split.split = true;
  if (options.split_folio && options.large_folios)
    if (auto why = host.prepare(split)) {
      options.split_folio = false;
      report.notes.push_back("split_folio left out of the traces: " + *why);
    }
  const Clock::time_point start = Clock::now();
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  for (size_t i = 0; std::chrono::duration<double>(Clock::now() - start).count() < options.seconds; i++) {
    const uint64_t seed = options.seed + i;
    const Trace trace = fuzz_trace(seed, options);
    const OracleVerdict verdict = run_on_kernel(trace, host, options.oracle);
    report.traces++;
    if (progress) progress(i, seed, verdict);
    if (verdict.kind == OracleVerdict::Kind::kSkipped) {
      report.skipped++;
      if (std::find(report.skip_reasons.begin(), report.skip_reasons.end(), verdict.what) == report.skip_reasons.end())
        report.skip_reasons.push_back(verdict.what);
      continue;
    }
    if (verdict.kind == OracleVerdict::Kind::kNoisy) {
      report.noisy++;
      continue;
    }
    report.steps += verdict.steps;
    if (verdict.kind == OracleVerdict::Kind::kAgree) {
      report.agree++;
      for (const TraceLine& line : trace.lines)
        if (line.kind == TraceLine::Kind::kOp) report.agreed_ops[static_cast<size_t>(line.op.kind)]++;
      if (verdict.runs > 1) {
        // Agreed in the end, but one run did not: kept for a closer look.
        report.unconfirmed++;
        FuzzFinding f;
        f.seed = seed;
        f.ops_before = f.ops_after = trace.op_count();
        f.verdict = verdict;
        const std::string path = (std::filesystem::path(options.out_dir) / fmt::format("unconfirmed-{}.trace", seed)).string();
        if (auto err = write_file_atomically(path, finding_text(trace, f))) report.notes.push_back("not saved: " + *err);
        else report.unconfirmed_paths.push_back(path);
      }
      continue;
    }
    // A finding: shrink it with single runs (a candidate "still fails" when
    // it ends with the same kind and category), then confirm the result.
    const Clock::time_point shrink_start = Clock::now();
    OracleOptions single = options.oracle;
    single.confirm_runs = 0;
    const std::string signature = verdict.signature();
    ShrinkStats stats;
    Trace shrunk = shrink_trace(
        trace, [&](const Trace& candidate) { return run_on_kernel(candidate, host, single).signature() == signature; },
        &stats, options.shrink_attempts);
    shrunk.source = fmt::format("finding-{}", seed);
    FuzzFinding finding;
    finding.seed = seed;
    finding.ops_before = trace.op_count();
    finding.ops_after = shrunk.op_count();
    finding.verdict = run_on_kernel(shrunk, host, options.oracle);
    if (finding.verdict.signature() != signature) {
      // The shrunk trace does not reproduce when confirmed: keep the original.
      shrunk = trace;
      finding.ops_after = finding.ops_before;
      finding.verdict = verdict;
    }
    finding.path = (std::filesystem::path(options.out_dir) / fmt::format("finding-{}.trace", seed)).string();
    if (auto err = write_file_atomically(finding.path, finding_text(shrunk, finding)))
      finding.path = fmt::format("(not saved: {})", *err);
    report.shrink_seconds += std::chrono::duration<double>(Clock::now() - shrink_start).count();
    finding.explained = explained_by_environment(finding.verdict);
    report.explained += !finding.explained.empty();
    report.findings.push_back(std::move(finding));
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace rmc::kernel
