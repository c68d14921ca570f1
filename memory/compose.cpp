// compose.cpp - running workloads one small world at a time (compose.h).
#include "memory/compose.h"

#include <fmt/format.h>

#include <cassert>
#include <memory>

#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc::memory {

Counts Counts::of(const World& world) {
  const ObjectCounts c = count_objects(world);
  return {c.vmas, c.anon_vmas, c.avcs, c.folios, c.zombie_vmas, c.contexts};
}

Counts& Counts::operator+=(const Counts& o) {
  vmas += o.vmas;
  anon_vmas += o.anon_vmas;
  avcs += o.avcs;
  folios += o.folios;
  zombie_vmas += o.zombie_vmas;
  contexts += o.contexts;
  return *this;
}

Counts Counts::operator-(const Counts& o) const {
  return {vmas - o.vmas,   anon_vmas - o.anon_vmas,     avcs - o.avcs,
          folios - o.folios, zombie_vmas - o.zombie_vmas, contexts - o.contexts};
}

std::string describe(const Counts& c) {
  return fmt::format("vmas {} anon_vmas {} avcs {} folios {} zombie_vmas {} contexts {}", c.vmas, c.anon_vmas, c.avcs,
                     c.folios, c.zombie_vmas, c.contexts);
}

void PrintTo(const Counts& counts, std::ostream* out) { *out << describe(counts); }

namespace {

// One world at a time: forks processes, runs a plan's ops as one of them,
// counts. With checks, every op goes through a Runner that checks the whole
// world after it; without, an op is validated and applied, nothing more.
class Driver {
 public:
  Driver(std::string_view design, const RunOptions& options, RunStats& stats)
      : options_(options), stats_(stats), world_(make_world(design, options.model)) {
    if (world_ && options.checks) runner_ = std::make_unique<Runner>(*world_, true);
  }
  bool valid() const { return world_ != nullptr; }

  // A fresh world: P0 live with an empty mm.
  void start() {
    if (runner_) runner_->reset();
    else world_->reset();
    next_value_ = 0;
    used_ = 1;
    stats_.worlds++;
  }
  uint32_t used() const { return used_; }
  bool full() const { return used_ >= options_.world_processes; }
  Counts counts() const { return Counts::of(*world_); }
  bool check_failed() const { return check_failed_; }

  // `parent` forks the next unused pid.
  std::optional<std::string> fork(ProcessId parent, const std::string& who, ProcessId& child) {
    if (full()) return fmt::format("{}: the world's {} process slots are used up", who, options_.world_processes);
    child = ProcessId{static_cast<uint8_t>(used_++)};
    Op op;
    op.kind = OpKind::kFork;
    op.pid = parent;
    op.child = child;
    return apply(op, who);
  }

  // The plan's ops, as process `self`.
  std::optional<std::string> run(ProcessId self, const ProcessPlan& plan) {
    for (size_t i = 0; i < plan.ops.size(); i++) {
      Op op = plan.ops[i];
      if (op.kind == OpKind::kFork || op.kind == OpKind::kExit || idx(op.pid) != 0)
        return fmt::format("{}: op {} ({}): a plan's ops are P0's own, without fork or exit", plan.name, i + 1,
                           print_op(op));
      op.pid = self;
      if (auto error = apply(op, fmt::format("{}: op {}", plan.name, i + 1))) return error;
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> apply(const Op& op, const std::string& who) {
    stats_.ops++;
    if (runner_) {
      StepResult result = runner_->run_op(op);
      if (result.error) return fmt::format("{} ({}): {}", who, print_op(op), *result.error);
      if (!result.violations.empty()) {
        check_failed_ = true;
        return fmt::format("{} ({}): check failed: [{}] {}", who, print_op(op), result.violations[0].property,
                           result.violations[0].message);
      }
      return std::nullopt;
    }
    if (auto reason = op_invalid_reason(*world_, op)) return fmt::format("{} ({}): {}", who, print_op(op), *reason);
    apply_op(*world_, op, next_value_, nullptr);
    return std::nullopt;
  }

  const RunOptions& options_;
  RunStats& stats_;
  std::unique_ptr<World> world_;
  std::unique_ptr<Runner> runner_;
  uint64_t next_value_ = 0;
  uint32_t used_ = 1;
  bool check_failed_ = false;
};

// The path from a root to the parent whose children are being measured:
// nodes[0] is the root; nodes[i] is child number index[i] of nodes[i - 1].
struct Path {
  std::vector<const ProcessPlan*> nodes;
  std::vector<size_t> index;
};

class Composer {
 public:
  Composer(Driver& driver, Counts& total, bool dummies) : d_(driver), total_(total), dummies_(dummies) {}

  std::optional<std::string> root(const ProcessPlan& root) {
    root_counted_ = false;
    Path path{{&root}, {0}};
    if (root.children.empty()) {
      ProcessId pid;
      if (auto error = build(path, pid)) return error;
      return std::nullopt;
    }
    return children(path);
  }

 private:
  // A fresh world holding the path, each node after its ops, the last one
  // ready to fork: returns its pid.
  std::optional<std::string> build(const Path& path, ProcessId& pid) {
    d_.start();
    pid = ProcessId{0};
    if (auto error = d_.run(pid, *path.nodes[0])) return error;
    if (!root_counted_) {
      total_ += d_.counts();  // C(root alone, after its ops)
      root_counted_ = true;
    }
    for (size_t i = 1; i < path.nodes.size(); i++) {
      if (auto error = fork_next(pid, path.index[i], *path.nodes[i], pid)) return error;
      if (auto error = d_.run(pid, *path.nodes[i])) return error;
    }
    return std::nullopt;
  }

  // `parent` forks `child`, its child number `index`: after a dummy, unless
  // it is the first, so the parent is in the has-forked state either way.
  std::optional<std::string> fork_next(ProcessId parent, size_t index, const ProcessPlan& child, ProcessId& pid) {
    if (index > 0 && dummies_) {
      ProcessId dummy;
      if (auto error = d_.fork(parent, child.name + " (dummy sibling)", dummy)) return too_deep(child, error);
    }
    if (auto error = d_.fork(parent, child.name, pid)) return too_deep(child, error);
    return std::nullopt;
  }

  static std::string too_deep(const ProcessPlan& child, const std::optional<std::string>& why) {
    return fmt::format("{} (fork tree too deep to compose: the path to a process and the dummy siblings "
                       "must fit in one world)",
                       why.value_or(child.name));
  }

  // m(x) for every child x of the path's last node, and recursively below.
  std::optional<std::string> children(const Path& path) {
    const std::vector<ProcessPlan>& kids = path.nodes.back()->children;
    for (size_t j = 0; j < kids.size();) {
      ProcessId parent;
      if (auto error = build(path, parent)) return error;
      if (kids[j].children.empty()) {
        // A batch of leaf siblings, each measured around its own fork.
        const size_t first = j;
        while (j < kids.size() && kids[j].children.empty() && (j == first || !d_.full())) {
          if (auto error = measure(parent, j, first, kids[j])) return error;
          j++;
        }
        continue;
      }
      if (auto error = measure(parent, j, j, kids[j])) return error;
      Path deeper = path;
      deeper.nodes.push_back(&kids[j]);
      deeper.index.push_back(j);
      if (auto error = children(deeper)) return error;
      j++;
    }
    return std::nullopt;
  }

  // m(child number j): its fork (after a dummy if j is the first of this
  // world but not of its parent) and its ops.
  std::optional<std::string> measure(ProcessId parent, size_t j, size_t first_in_world, const ProcessPlan& child) {
    ProcessId pid;
    if (j == first_in_world && j > 0 && dummies_) {
      ProcessId dummy;
      if (auto error = d_.fork(parent, child.name + " (dummy sibling)", dummy)) return too_deep(child, error);
    }
    const Counts before = d_.counts();
    if (auto error = d_.fork(parent, child.name, pid)) return too_deep(child, error);
    if (auto error = d_.run(pid, child)) return error;
    total_ += d_.counts() - before;
    return std::nullopt;
  }

  Driver& d_;
  Counts& total_;
  bool dummies_;
  bool root_counted_ = false;
};

// Depth first: ops, then each child's whole subtree.
std::optional<std::string> run_tree(Driver& d, ProcessId self, const ProcessPlan& plan) {
  if (auto error = d.run(self, plan)) return error;
  for (const ProcessPlan& child : plan.children) {
    ProcessId pid;
    if (auto error = d.fork(self, child.name, pid)) return error;
    if (auto error = run_tree(d, pid, child)) return error;
  }
  return std::nullopt;
}

bool fits(uint64_t processes, const RunOptions& options) { return processes <= options.world_processes; }

}  // namespace

DesignRun run_workload(const Workload& workload, std::string_view design, const RunOptions& options) {
  DesignRun run{std::string(design), {}, {}, std::nullopt};
  assert(options.world_processes >= 1 && options.world_processes <= kMaxProcesses);
  Driver driver(design, options, run.stats);
  if (!driver.valid()) {
    run.error = fmt::format("unknown design '{}'", design);
    return run;
  }
  for (const ProcessPlan& root : workload.roots) {
    if (!options.always_compose && fits(process_count(root), options)) {
      driver.start();
      if (auto error = run_tree(driver, ProcessId{0}, root)) {
        run.error = error;
        run.check_failed = driver.check_failed();
        return run;
      }
      run.counts += driver.counts();
      continue;
    }
    Composer composer(driver, run.counts, options.dummy_siblings);
    if (auto error = composer.root(root)) {
      run.error = error;
      run.check_failed = driver.check_failed();
      return run;
    }
  }
  return run;
}

DesignRun run_single_world(const Workload& workload, std::string_view design, const RunOptions& options) {
  DesignRun run{std::string(design), {}, {}, std::nullopt};
  Driver driver(design, options, run.stats);
  if (!driver.valid()) {
    run.error = fmt::format("unknown design '{}'", design);
    return run;
  }
  if (!fits(process_count(workload), options)) {
    run.error = fmt::format("{}: {} processes do not fit in one world ({})", workload.name,
                            process_count(workload), options.world_processes);
    return run;
  }
  driver.start();
  std::vector<ProcessId> root_pids{ProcessId{0}};
  for (size_t i = 1; i < workload.roots.size(); i++) {
    ProcessId pid;
    if (auto error = driver.fork(ProcessId{0}, workload.roots[i].name, pid)) {
      run.error = error;
      return run;
    }
    root_pids.push_back(pid);
  }
  for (size_t i = 0; i < workload.roots.size(); i++)
    if (auto error = run_tree(driver, root_pids[i], workload.roots[i])) {
      run.error = error;
      run.check_failed = driver.check_failed();
      return run;
    }
  run.counts = driver.counts();
  return run;
}

}  // namespace rmc::memory
