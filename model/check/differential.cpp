// differential.cpp - lock-step runs and the cross-design comparison.
#include "model/check/differential.h"

#include <fmt/format.h>

#include <cassert>
#include <cstring>

#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc {

Differential::Differential(const std::vector<std::string>& designs, const ModelOptions& options, bool checks) {
  for (const std::string& design : designs) {
    DesignRun run;
    run.design = design;
    run.world = make_world(design, options);
    assert(run.world && "unknown design");
    run.runner = std::make_unique<Runner>(*run.world, checks, /*cost_expectations=*/design == "eager");
    runs_.push_back(std::move(run));
  }
  reset();
}

void Differential::reset() {
  for (DesignRun& run : runs_) {
    run.runner->reset();
    run.failed = false;
    run.costs = DesignCosts{};
    run.counted_at = run.compared_at = ~uint64_t{0};
  }
  step_ = 0;
}

namespace {

void keep_peak(DesignCosts& costs, const ObjectCounts& now) {
  costs.final_counts = now;
  costs.peak_counts.vmas = std::max(costs.peak_counts.vmas, now.vmas);
  costs.peak_counts.anon_vmas = std::max(costs.peak_counts.anon_vmas, now.anon_vmas);
  costs.peak_counts.avcs = std::max(costs.peak_counts.avcs, now.avcs);
  costs.peak_counts.folios = std::max(costs.peak_counts.folios, now.folios);
  costs.peak_counts.zombie_vmas = std::max(costs.peak_counts.zombie_vmas, now.zombie_vmas);
  costs.peak_counts.contexts = std::max(costs.peak_counts.contexts, now.contexts);
}

}  // namespace

std::optional<std::string> Differential::step(const TraceLine& line, std::vector<Finding>& findings) {
  step_++;
  const bool is_op = line.kind == TraceLine::Kind::kOp;
  const std::string op_name = is_op ? std::string(op_spec(line.op.kind).name) : "expect";
  DesignRun& reference = runs_[0];
  // The reference's runner refuses an invalid op before changing anything,
  // so running it first is the validity check; a failed reference no
  // longer runs, so then the op is checked on its world alone.
  if (is_op && reference.failed)
    if (auto reason = op_invalid_reason(*reference.world, line.op)) return reason;
  for (DesignRun& run : runs_) {
    if (run.failed) continue;
    StepResult result = run.runner->run_line(line);
    if (result.error && &run == &reference) return result.error;
    if (result.error) {
      // The reference accepted this op: refusing it is a visible difference.
      findings.push_back({run.design, "op-refused", op_name, step_, line.line, *result.error});
      run.failed = true;
      continue;
    }
    if (run.counted_at != run.world->mutations()) {
      keep_peak(run.costs, count_objects(*run.world));
      run.counted_at = run.world->mutations();
    }
    if (!result.violations.empty()) {
      findings.push_back({run.design, result.violations[0].property, op_name, step_, line.line,
                          result.violations[0].message});
      run.failed = true;
    }
  }
  if (is_op && line.op.kind == OpKind::kUffdMove) compare_uffd_move_results(op_name, findings);
  if (is_op) compare_observables(op_name, findings);
  return std::nullopt;
}

// UFFDIO_MOVE's return value (pages moved, or -errno) is what the program
// sees of it; each design's memory specification follows its own moves, so
// a design that moves less (or fails otherwise) shows here.
void Differential::compare_uffd_move_results(const std::string& op_name, std::vector<Finding>& findings) {
  const DesignRun& reference = runs_[0];
  if (reference.failed) return;
  const int64_t want = reference.world->events().uffd_move_result;
  auto text = [](int64_t result) {
    return result >= 0 ? fmt::format("{} pages moved", result) : fmt::format("-{}", strerrorname_np(static_cast<int>(-result)));
  };
  for (size_t i = 1; i < runs_.size(); i++) {
    DesignRun& run = runs_[i];
    if (run.failed) continue;
    const int64_t got = run.world->events().uffd_move_result;
    if (got == want) continue;
    findings.push_back({run.design, "observable", op_name, step_, 0,
                        fmt::format("UFFDIO_MOVE returned {} in eager, {} in {}", text(want), text(got), run.design)});
    run.failed = true;
  }
}

namespace {

// Designs "eager+B..." re-introduce historical bugs into the eager design:
// their VMA layouts must be the reference's exactly (a different merge
// decision is the bug showing, as in B17).
bool same_layout(const World& a, const World& b, ProcessId pid, std::string& why) {
  const auto& va = a.proc(pid).vmas;
  const auto& vb = b.proc(pid).vmas;
  for (size_t i = 0; i < std::max(va.size(), vb.size()); i++) {
    if (i >= va.size() || i >= vb.size()) {
      why = fmt::format("{} has {} VMAs in eager, {} here", process_name(pid), va.size(), vb.size());
      return false;
    }
    const Vma& x = a.vma(va[i]);
    const Vma& y = b.vma(vb[i]);
    if (x.start != y.start || x.end != y.end || x.prot != y.prot) {
      why = fmt::format("{}: eager has VMA [{}, {}), this design [{}, {})", process_name(pid), hex(x.start), hex(x.end),
                        hex(y.start), hex(y.end));
      return false;
    }
  }
  return true;
}

// Do two page tables map the same pages, each swapped in both or in neither?
// A branch-free pass: the designs' page tables mostly have the same pages.
bool same_swapped_pages(const std::vector<PageTable::Entry>& a, const std::vector<PageTable::Entry>& b) {
  if (a.size() != b.size()) return false;
  bool same = true;
  for (size_t i = 0; i < a.size(); i++)
    same &= (a[i].page == b[i].page) & ((a[i].pte.kind == PteKind::kSwap) == (b[i].pte.kind == PteKind::kSwap));
  return same;
}

}  // namespace

// Which pages a process sees swapped out must not depend on the design. Only
// pages mapped in both count: whether a page has been populated at all can
// legitimately differ (a larger VMA lets a fault allocate a larger folio).
void Differential::compare_observables(const std::string& op_name, std::vector<Finding>& findings) {
  DesignRun& reference = runs_[0];
  if (reference.failed) return;
  const World& ref = *reference.world;
  // Observables are read from the worlds alone: a pair of worlds that has
  // not changed since it was last found equal is equal still.
  const bool reference_changed = reference.compared_at != ref.mutations();
  reference.compared_at = ref.mutations();
  for (size_t i = 1; i < runs_.size(); i++) {
    DesignRun& run = runs_[i];
    if (run.failed) continue;
    const World& other = *run.world;
    if (!reference_changed && run.compared_at == other.mutations()) continue;
    run.compared_at = other.mutations();
    const bool bug_design = run.design.rfind("eager+", 0) == 0;
    for (uint8_t p = 0; p < kMaxProcesses && !run.failed; p++) {
      const ProcessId pid{p};
      if (ref.proc(pid).live() != other.proc(pid).live()) {
        findings.push_back({run.design, "observable", op_name, step_, 0,
                            fmt::format("{} is live in one design only", process_name(pid))});
        run.failed = true;
        break;
      }
      if (!ref.proc(pid).live()) continue;
      if (bug_design) {
        std::string why;
        if (!same_layout(ref, other, pid, why)) {
          findings.push_back({run.design, "layout", op_name, step_, 0, why});
          run.failed = true;
          break;
        }
      }
      // Both page tables are sorted by page: one merge pass over the pages
      // mapped in both.
      const auto& mine = ref.proc(pid).pt.entries();
      const auto& theirs = other.proc(pid).pt.entries();
      if (same_swapped_pages(mine, theirs)) continue;  // the usual case, without the merge
      for (size_t a = 0, b = 0; a < mine.size() && b < theirs.size();) {
        if (mine[a].page < theirs[b].page) { a++; continue; }
        if (theirs[b].page < mine[a].page) { b++; continue; }
        const bool ref_swapped = mine[a].pte.kind == PteKind::kSwap;
        if (ref_swapped != (theirs[b].pte.kind == PteKind::kSwap)) {
          findings.push_back({run.design, "observable", op_name, step_, 0,
                              fmt::format("{}:{} is {} in eager but not in {}", process_name(pid), hex(mine[a].page),
                                          ref_swapped ? "swapped" : "present", run.design)});
          run.failed = true;
          break;
        }
        a++;
        b++;
      }
    }
  }
}

namespace {

// What a run leaves besides its findings: steps, each design's costs and
// kernel paths.
void finish(const Differential& diff, DifferentialResult& result) {
  result.steps = diff.steps();
  for (const DesignRun& run : diff.runs()) {
    result.costs.push_back({run.design, run.costs});
    result.coverage.push_back({run.design, run.world->coverage()});
  }
}

}  // namespace

DifferentialResult run_differential_ops(const std::vector<Op>& ops, const ModelOptions& options,
                                        const std::vector<std::string>& designs, std::vector<Op>* accepted,
                                        const std::function<void(const Op&)>& before_step) {
  DifferentialResult result;
  Differential diff(designs, options);
  TraceLine line;
  line.kind = TraceLine::Kind::kOp;
  for (const Op& op : ops) {
    if (op_invalid_reason(*diff.runs()[0].world, op, /*explain=*/false)) continue;
    line.op = op;
    if (accepted) accepted->push_back(op);
    if (before_step) before_step(op);
    diff.step(line, result.findings);
  }
  finish(diff, result);
  return result;
}

DifferentialResult run_differential(const Trace& trace, const std::vector<std::string>& designs, bool checks) {
  DifferentialResult result;
  Differential diff(designs, trace.options, checks);
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
    if (auto error = diff.step(line, result.findings)) {
      result.error = *error;
      result.error_line = line.line;
      break;
    }
  }
  finish(diff, result);
  return result;
}

}  // namespace rmc
