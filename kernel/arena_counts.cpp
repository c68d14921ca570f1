// arena_counts.cpp - quiet reads and the control run.
#include "kernel/arena_counts.h"

#include <fmt/format.h>

#include "kernel/proc_view.h"
#include "kernel/workers.h"

namespace rmc::kernel {

Observation observe_kernel(const Workers& workers, ProcReader& reader) {
  Observation o;
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const ProcessId pid{p};
    if (workers.live(pid)) o.processes.push_back(reader.read(pid, workers.pid(pid)));
  }
  return o;
}

std::pair<SlabCounts, Observation> QuietReader::read(const Workers& workers) {
  const SlabCounts slab = read_slab_counts();
  Observation o = observe_kernel(workers, reader_);
  const SlabCounts again = read_slab_counts();
  if (again != slab)
    throw NoisyMachine{fmt::format("the slab counts moved while the workers were idle (vma {:+} anon_vma {:+} avc {:+})",
                                   again.vmas - slab.vmas, again.anon_vmas - slab.anon_vmas, again.avcs - slab.avcs)};
  int64_t ours = 0;
  for (const ProcessView& p : o.processes) ours += p.all_vmas;
  const int64_t others = slab.vmas - ours;
  if (others_ && others != *others_)
    throw NoisyMachine{fmt::format("{:+} VMAs of other processes came or went during a step", others - *others_)};
  others_ = others;
  return {slab, std::move(o)};
}

std::vector<SlabCounts> control_run(const Trace& trace, const WorkerConfig& config) {
  std::vector<SlabCounts> cost{SlabCounts{}};
  Workers workers(config);
  ProcReader reader(config.arena_base);
  QuietReader quiet(reader);
  const SlabCounts base = quiet.read(workers).first;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp) continue;
    const Op& op = line.op;
    if (op.kind == OpKind::kFork) workers.fork(op.pid, op.child);
    if (op.kind == OpKind::kExit) workers.exit(op.pid);
    if (op.kind == OpKind::kFork || op.kind == OpKind::kExit)
      cost.push_back(quiet.read(workers).first - base);
    else
      cost.push_back(cost.back());
  }
  return cost;
}

}  // namespace rmc::kernel
