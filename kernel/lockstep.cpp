// lockstep.cpp - a trace, step by step, on both sides.
#include "kernel/lockstep.h"

#include <fmt/format.h>
#include <malloc.h>

#include <memory>
#include <tuple>

#include "kernel/arena_counts.h"
#include "kernel/host.h"
#include "kernel/kernel_expect.h"
#include "kernel/kernel_ops.h"
#include "kernel/proc_view.h"
#include "kernel/workers.h"
#include "model/check/runner.h"
#include "model/core/layout.h"
#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc::kernel {

namespace {

using K = OracleVerdict::Kind;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Keeps the controller's own memory map still while counts are read: with
// the mmap threshold at its maximum, malloc grows the heap VMA in place
// instead of mapping (and later unmapping) a VMA for each large buffer.
void keep_controller_map_still() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
}

std::string line_text(const TraceLine& line) {
  return line.kind == TraceLine::Kind::kOp ? print_op(line.op) : print_expect(line.expect);
}

std::string counts_text(const ArenaCounts& now, const ArenaCounts& before) {
  return fmt::format("vma {} ({:+}) anon_vma {} ({:+}) avc {} ({:+})", now.vmas, now.vmas - before.vmas, now.anon_vmas,
                     now.anon_vmas - before.anon_vmas, now.avcs, now.avcs - before.avcs);
}

// Both sides after a step: the kernel's view drawn in the model's style,
// the model's own pictures, and the sharing rows of both.
std::string pictures(const Observation& kernel, const Observation& model_view, const World& model) {
  return fmt::format(
      "  kernel (upper case: the VMA maps anonymous pages):\n{}  kernel sharing (same letter = same physical page or swap "
      "entry):\n{}{}"
      "  model:\n{}{}  model sharing:\n{}{}",
      render_observation_layout(kernel), render_sharing(kernel), render_vma_lists(kernel), render_layout(model),
      render_vma_table(model), render_sharing(model_view), render_vma_lists(model_view));
}

class LockStep {
 public:
  LockStep(const Trace& trace, Host& host, const OracleOptions& options)
      : trace_(trace),
        options_(options),
        config_(worker_config(trace, host, options)),
        world_(make_world("eager", trace.options)),
        runner_(*world_, /*checks=*/true),
        reader_(kArenaBase),
        quiet_(reader_),
        host_(host) {}

  OracleVerdict run() {
    keep_controller_map_still();
    try {
      Clock::time_point t = Clock::now();
      control_ = control_run(trace_, config_);
      v_.observe_seconds += seconds_since(t);
      t = Clock::now();
      workers_ = std::make_unique<Workers>(config_);
      v_.kernel_seconds += seconds_since(t);
      t = Clock::now();
      std::tie(base_, kernel_) = quiet_.read(*workers_);
      v_.observe_seconds += seconds_since(t);
      model_ = observe_model(*world_);
      for (const TraceLine& line : trace_.lines) {
        if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
        v_.step++;
        v_.line = line.line;
        const bool go_on = line.kind == TraceLine::Kind::kOp ? op_step(line) : expect_step(line);
        if (!go_on) return v_;
        v_.steps = v_.step;
      }
      v_.detail = steps_report_;
      for (const std::string& note : expectations_.not_judged()) v_.notes.push_back("not judged on the kernel: " + note);
      v_.kind = K::kAgree;
    } catch (const KernelError& e) {
      v_.kind = K::kKernelError;
      v_.what = e.what();
    }
    return v_;
  }

 private:
  // An expectation line: the model's own judgement, then the kernel's.
  bool expect_step(const TraceLine& line) {
    const std::string text = line_text(line);
    StepResult r = runner_.judge(line.expect);
    if (!r.violations.empty()) {
      v_.kind = K::kModelFailed;
      v_.what = fmt::format("the model fails '{}': {}", text, r.violations[0].message);
      return false;
    }
    if (auto failure = expectations_.judge(line.expect, kernel_)) {
      v_.kind = K::kExpectFailed;
      v_.what = fmt::format("'{}' does not hold on the kernel: {}", text, *failure);
      v_.detail = pictures(kernel_, model_, *world_);
      return false;
    }
    return true;
  }

  // An op line: model, kernel, observe both, compare.
  bool op_step(const TraceLine& line) {
    const Op& op = line.op;
    if (auto reason = op_invalid_reason(*world_, op)) return bad_input(line, *reason);
    ModelSide side = model_side_before(*world_, op, next_value_ + 1);
    next_value_ += values_written(op);
    Clock::time_point t = Clock::now();
    StepResult r = runner_.run_op(op);
    v_.model_seconds += seconds_since(t);
    if (r.error) return bad_input(line, *r.error);
    if (!r.violations.empty()) {
      v_.kind = K::kModelFailed;
      v_.what = fmt::format("the model's check [{}] fails after '{}': {}", r.violations[0].property, print_op(op),
                            r.violations[0].message);
      return false;
    }
    side.after = world_.get();
    side.spec = &runner_.spec();
    if (side.chosen_address != kArenaPages)
      v_.notes.push_back(fmt::format("line {}: the kernel would pick the new address itself (outside the arena); "
                                     "made MREMAP_FIXED to the model's choice {}",
                                     line.line, hex(side.chosen_address)));

    const Observation kernel_before = kernel_, model_before = model_;
    OpContext ctx{*workers_, host_, kArenaBase, trace_.options.large_folio_order > 0};
    const bool large_pageout =
        ctx.large_folios && op.kind == OpKind::kMadvise && op.advice == Advice::kPageout;
    const uint64_t swapped_whole = large_pageout ? mthp_swapped_out_whole() : 0;
    t = Clock::now();
    const OpOutcome outcome = run_op_on_kernel(ctx, op, side);
    v_.kernel_seconds += seconds_since(t);
    if (outcome.note) v_.notes.push_back(*outcome.note);
    if (large_pageout && mthp_swapped_out_whole() != swapped_whole)
      v_.notes.push_back(fmt::format("line {}: {}", line.line, kMthpSwapoutNote));
    ops_++;
    if (options_.tamper) options_.tamper(*workers_, ops_);

    t = Clock::now();
    SlabCounts slab;
    std::tie(slab, kernel_) = quiet_.read(*workers_);
    const SlabCounts arena = slab - base_ - control_[ops_];
    kernel_.counts = {arena.vmas, arena.anon_vmas, arena.avcs};
    v_.observe_seconds += seconds_since(t);
    model_ = observe_model(*world_);

    if (outcome.difference) {
      v_.category = "op result";
      v_.what = *outcome.difference;
    } else if (auto d = compare(kernel_, model_, options_.compare)) {
      v_.category = difference_kind_name(d->kind);
      v_.what = d->message;
    }
    const std::string counts = fmt::format("    kernel {}\n    model  {}\n", counts_text(kernel_.counts, kernel_before.counts),
                                           counts_text(model_.counts, model_before.counts));
    if (options_.picture_every_step)
      steps_report_ += fmt::format("step {}  line {}  {}\n  live arena objects (change in the step):\n{}{}", v_.step, line.line,
                                   print_op(op), counts, pictures(kernel_, model_, *world_));
    if (v_.what.empty()) return true;
    v_.kind = K::kDisagree;
    v_.detail = steps_report_ + fmt::format(
                                    "step {}  line {}  {}\n  kernel call: {}\n  live arena objects after the step (change in "
                                    "the step):\n{}\nafter the step:\n{}\nbefore the step:\n  kernel:\n{}  model:\n{}",
                                    v_.step, line.line, print_op(op), describe_kernel_call(op, kArenaBase, side.chosen_address),
                                    counts, pictures(kernel_, model_, *world_), render_observation_layout(kernel_before),
                                    render_observation_layout(model_before));
    return false;
  }

  bool bad_input(const TraceLine& line, const std::string& reason) {
    v_.kind = K::kBadInput;
    v_.what = fmt::format("{}:{}: {}", trace_.source, line.line, reason);
    return false;
  }

  const Trace& trace_;
  const OracleOptions& options_;
  const WorkerConfig config_;
  std::unique_ptr<World> world_;
  Runner runner_;
  ProcReader reader_;
  QuietReader quiet_;
  Host& host_;
  KernelExpectations expectations_;
  std::unique_ptr<Workers> workers_;
  std::vector<SlabCounts> control_;  // the workers' own cost after each op
  SlabCounts base_;                  // the counts before the first op
  Observation kernel_, model_;       // both sides after the last step
  uint64_t next_value_ = 0;          // the model's last written value
  size_t ops_ = 0;                   // ops run so far
  std::string steps_report_;
  OracleVerdict v_;
};

}  // namespace

OracleVerdict run_lockstep(const Trace& trace, Host& host, const OracleOptions& options) {
  return LockStep(trace, host, options).run();
}

}  // namespace rmc::kernel
