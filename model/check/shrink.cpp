// shrink.cpp - the shrinking passes.
#include "model/check/shrink.h"

#include <algorithm>
#include <array>

#include "model/core/op_table.h"

namespace rmc {

std::vector<Op> trace_ops(const Trace& trace) {
  std::vector<Op> ops;
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
  return ops;
}

Trace trace_of(const std::vector<Op>& ops, const ModelOptions& options, const std::string& source) {
  Trace trace;
  trace.source = source;
  trace.options = options;
  for (auto& [name, value] : option_lines(options)) {
    TraceLine line;
    line.kind = TraceLine::Kind::kOption;
    line.option_name = name;
    line.option_value = value;
    trace.lines.push_back(line);
  }
  for (const Op& op : ops) trace.add_op(op);
  return trace;
}

namespace {

class Shrinker {
 public:
  Shrinker(const Trace& trace, const StillFails& still_fails, size_t max_attempts)
      : options_(trace.options), source_(trace.source), still_fails_(still_fails),
        max_attempts_(max_attempts), ops_(trace_ops(trace)) {}

  std::vector<Op> run() {
    cut_after_failure();
    bool progress = true;
    while (progress && budget_left()) {
      progress = false;
      progress |= delete_chunks();
      progress |= drop_processes();
      progress |= fold_children();
      progress |= simplify_operands();
      progress |= renumber_processes();
    }
    return ops_;
  }
  size_t attempts() const { return attempts_; }

 private:
  bool budget_left() const { return attempts_ < max_attempts_; }

  // Adopts `candidate` if it still fails.
  bool try_ops(const std::vector<Op>& candidate) {
    if (!budget_left()) return false;
    attempts_++;
    if (!still_fails_(trace_of(candidate, options_, source_))) return false;
    ops_ = candidate;
    return true;
  }

  // Binary search for the shortest failing prefix (failure is monotone in
  // the prefix for a deterministic run: ops after the failing step do not
  // matter).
  void cut_after_failure() {
    size_t low = 1, high = ops_.size();
    while (low < high && budget_left()) {
      const size_t mid = low + (high - low) / 2;
      std::vector<Op> prefix(ops_.begin(), ops_.begin() + static_cast<ptrdiff_t>(mid));
      attempts_++;
      if (still_fails_(trace_of(prefix, options_, source_)))
        high = mid;
      else
        low = mid + 1;
    }
    ops_.resize(std::min(ops_.size(), high));
  }

  bool delete_chunks() {
    bool progress = false;
    for (size_t chunk = std::max<size_t>(1, ops_.size() / 2); chunk >= 1 && budget_left(); chunk /= 2) {
      for (size_t start = 0; start + chunk <= ops_.size() && budget_left();) {
        std::vector<Op> candidate = ops_;
        candidate.erase(candidate.begin() + static_cast<ptrdiff_t>(start),
                        candidate.begin() + static_cast<ptrdiff_t>(start + chunk));
        if (!candidate.empty() && try_ops(candidate))
          progress = true;  // same start: the next chunk moved here
        else
          start += chunk;
      }
      if (chunk == 1) break;
    }
    return progress;
  }

  // A process and every process it forked, transitively.
  static std::array<bool, kMaxProcesses> family(const std::vector<Op>& ops, ProcessId root) {
    std::array<bool, kMaxProcesses> in{};
    in[idx(root)] = true;
    for (const Op& op : ops)
      if (op.kind == OpKind::kFork && in[idx(op.pid)]) in[idx(op.child)] = true;
    return in;
  }

  bool drop_processes() {
    bool progress = false;
    for (uint8_t p = 1; p < kMaxProcesses && budget_left(); p++) {
      const ProcessId pid{p};
      bool used = false;
      for (const Op& op : ops_) used |= op.pid == pid;
      if (!used) continue;
      const auto gone = family(ops_, pid);
      std::vector<Op> candidate;
      for (const Op& op : ops_) {
        if (gone[idx(op.pid)]) continue;
        if (op.kind == OpKind::kFork && gone[idx(op.child)]) continue;
        candidate.push_back(op);
      }
      if (!candidate.empty() && try_ops(candidate)) progress = true;
    }
    return progress;
  }

  // A forked process folded into its parent: the fork goes and the child's
  // ops become the parent's. A failure that needs no second mm loses the
  // forks that led to the process it happened in. (A child's name is new at
  // its fork, so no op before the fork names it.)
  bool fold_children() {
    bool progress = false;
    for (size_t i = 0; i < ops_.size() && budget_left();) {
      if (ops_[i].kind != OpKind::kFork) {
        i++;
        continue;
      }
      const ProcessId parent = ops_[i].pid, child = ops_[i].child;
      std::vector<Op> candidate;
      for (size_t k = 0; k < ops_.size(); k++) {
        if (k == i) continue;
        Op op = ops_[k];
        if (op.pid == child) op.pid = parent;
        candidate.push_back(op);
      }
      if (!candidate.empty() && try_ops(candidate))
        progress = true;  // the op after the fork is at i now
      else
        i++;
    }
    return progress;
  }

  // Simpler versions of one op, most aggressive first.
  static std::vector<Op> simpler(const Op& op) {
    std::vector<Op> out;
    const OpSpec& spec = op_spec(op.kind);
    auto has = [&](Operand o) {
      return std::find(spec.operands.begin(), spec.operands.begin() + spec.operand_count, o) !=
             spec.operands.begin() + spec.operand_count;
    };
    if (has(Operand::kLen) && op.len > 1) {
      for (PageNo len : {PageNo{1}, op.len / 2, op.len - 1}) {
        Op o = op;
        o.len = len;
        if (o.kind == OpKind::kMremap && (o.flags & kMremapDontunmap)) o.new_len = len;
        if (len >= 1 && len < op.len) out.push_back(o);
      }
    }
    if (has(Operand::kNewLen) && op.new_len != op.len) {
      Op o = op;
      o.new_len = op.len;
      out.push_back(o);
    }
    if ((has(Operand::kMmapFlags) || has(Operand::kMremapFlags)) && op.flags) {
      for (uint8_t bit = 1; bit; bit <<= 1) {
        if (!(op.flags & bit)) continue;
        Op o = op;
        o.flags &= static_cast<uint8_t>(~bit);
        if (o.kind == OpKind::kMremap && (bit & kMremapFixed)) o.new_addr = 0;
        out.push_back(o);
      }
    }
    if (has(Operand::kFilePgoff) && op.pgoff != op.addr) {
      Op o = op;
      o.pgoff = op.addr;  // base 0, as an anonymous mapping has
      out.push_back(o);
    }
    if (has(Operand::kShift) && op.shift > 1) {
      Op o = op;
      o.shift = 1;
      out.push_back(o);
    }
    if (has(Operand::kProt) && op.prot != (kProtRead | kProtWrite)) {
      Op o = op;
      o.prot = kProtRead | kProtWrite;
      out.push_back(o);
    }
    return out;
  }

  bool simplify_operands() {
    bool progress = false;
    for (size_t i = 0; i < ops_.size() && budget_left(); i++) {
      for (const Op& candidate_op : simpler(ops_[i])) {
        if (op_form_error(candidate_op)) continue;
        std::vector<Op> candidate = ops_;
        candidate[i] = candidate_op;
        if (try_ops(candidate)) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }

  bool renumber_processes() {
    std::array<int, kMaxProcesses> rename;
    rename.fill(-1);
    rename[0] = 0;
    int next = 1;
    for (const Op& op : ops_)
      if (op.kind == OpKind::kFork && rename[idx(op.child)] < 0) rename[idx(op.child)] = next++;
    bool changes = false;
    for (uint8_t p = 0; p < kMaxProcesses; p++) changes |= rename[p] >= 0 && rename[p] != p;
    if (!changes) return false;
    std::vector<Op> candidate = ops_;
    for (Op& op : candidate) {
      op.pid = ProcessId{static_cast<uint8_t>(rename[idx(op.pid)])};
      if (op.kind == OpKind::kFork) op.child = ProcessId{static_cast<uint8_t>(rename[idx(op.child)])};
    }
    return try_ops(candidate);
  }

  ModelOptions options_;
  std::string source_;
  const StillFails& still_fails_;
  size_t max_attempts_;
  size_t attempts_ = 0;
  std::vector<Op> ops_;
};

}  // namespace

Trace shrink_trace(const Trace& trace, const StillFails& still_fails, ShrinkStats* stats, size_t max_attempts) {
  Shrinker shrinker(trace, still_fails, max_attempts);
  const size_t before = trace.op_count();
  std::vector<Op> ops = shrinker.run();
  if (stats) {
    stats->attempts = shrinker.attempts();
    stats->ops_before = before;
    stats->ops_after = ops.size();
  }
  return trace_of(ops, trace.options, trace.source);
}

}  // namespace rmc
