// snapshot_report.h - `memory --snapshot`: the eager estimate beside the
// live slab counts (the fidelity figure), then every design's table.
//
//   object           estimate     live slab   estimate/live
//   vm_area_struct       2140          2153           0.994
//   anon_vma              690           686           1.006
//   anon_vma_chain       1100          1177           0.935
//
// The estimate is the eager model run on the rebuilt workload
// (snapshot_workload.h); "live slab" is /sys/kernel/slab/CACHE/objects,
// after writing 1 to its shrink file. Where a count cannot be read the row
// says "skipped" and why.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "memory/memory_table.h"
#include "memory/snapshot.h"
#include "memory/snapshot_workload.h"

namespace rmc::memory {

struct SnapshotReport {
  const Snapshot* snapshot = nullptr;
  const ForkForest* forest = nullptr;
  const SnapshotWorkload* rebuilt = nullptr;
  MemoryTable table;  // every design on the rebuilt workload
};

// estimate / live, or nothing when the live count is missing or zero or
// there is no eager run.
std::optional<double> fidelity(const SnapshotReport& report, const std::string& object);
std::string render_snapshot(const SnapshotReport& report);
nlohmann::json snapshot_json(const SnapshotReport& report);

}  // namespace rmc::memory
