// snapshot_workload.h - the fork forest of a snapshot, and a workload that
// rebuilds its address spaces so that every design can run it.
//
// Fork relations: a process's fork parent is its nearest ancestor (by
// /proc ppid) with which it shares a private anonymous page (same PFN, not
// exclusively mapped). An exec'd process shares nothing with its parent and
// is a root; so is one whose parent is gone (its pages may be shared with
// siblings only: counted in `orphans`, whose dead parent's anon_vmas, still
// alive in the kernel, the estimate cannot see).
//
// The rebuilt workload, per process (compose.h runs it; every VMA becomes
// one page of the arena, distinct VMAs one gap apart):
//  * a root maps each of its VMAs with its protection and writes a page of
//    each faulted one; adjacent faulted anonymous VMAs whose protections
//    differ (one VMA split by mprotect, or a neighbour reusing its anon_vma)
//    are mapped as one VMA, written, then split by mprotect, so that they
//    share one anon_vma in eager as they most likely do in the kernel;
//  * a forked child inherits the parent's VMAs; a child VMA with the same
//    start and end as one of the parent's is that VMA (inherited: mprotect'd
//    if its protection changed, written if only the child faulted it); the
//    parent's VMAs the child lacks are unmapped; the child's other VMAs are
//    its own, mapped in its own band of the arena.
// The VMAs and faulted VMAs of each process are kept exactly; which
// anon_vma a VMA has and how long its chain is follows from the model.
#pragma once

#include <string>
#include <vector>

#include "memory/snapshot.h"
#include "memory/workload.h"

namespace rmc::memory {

struct ForkForest {
  std::vector<int> parent;   // by index into Snapshot::processes; -1 for a root
  uint64_t orphans = 0;      // roots that share pages with non-ancestors
  uint32_t depth = 0;        // deepest fork chain, in processes
};

ForkForest infer_fork_forest(const Snapshot& snapshot);

struct SnapshotWorkload {
  Workload workload;
  uint64_t vmas = 0;             // VMAs of the processes it holds
  uint64_t skipped_processes = 0;  // trees that do not fit in the arena
  uint64_t skipped_vmas = 0;
  std::vector<std::string> notes;
};

SnapshotWorkload snapshot_workload(const Snapshot& snapshot, const ForkForest& forest);

}  // namespace rmc::memory
