// memory_table.h - the per-design memory table, in the shape of the
// series' table (lazy-design.md 4.1): per kernel object, per design, the
// objects, their KB and the change against eager.
//
//   object           design     objects        KB   vs eager
//   vm_area_struct   eager        50071    9388.3
//                    lazy         50211    9414.6     +0.3%
//   ...
//
// vm_area_struct counts the VMAs in some mm plus the zombie root VMAs the
// lazy designs keep after unmapping (they stay in the vm_area_struct slab);
// the zombies are also shown on their own line. cow_context is the COW
// context design's object (size an estimate, object_sizes.h).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "memory/compose.h"
#include "memory/object_sizes.h"

namespace rmc::memory {

struct MemoryTable {
  std::string workload;
  std::string description;
  uint64_t processes = 0;
  ObjectSizes sizes;
  std::vector<DesignRun> runs;  // eager first, if present: the reference
};

// One line of the table.
struct MemoryRow {
  std::string object;  // "vm_area_struct", "anon_vma", ...
  std::string design;
  int64_t objects = 0;
  double kb = 0;
  std::optional<double> change_percent;  // against eager; none without eager or when eager has none
};

std::vector<MemoryRow> table_rows(const MemoryTable& table);
// Total KB of one design over the objects of the table.
double total_kb(const MemoryTable& table, const DesignRun& run);
std::string render_table(const MemoryTable& table);
nlohmann::json table_json(const MemoryTable& table);
// "+1.0%", "-97.0%", "0.0%".
std::string percent_text(double percent);

}  // namespace rmc::memory
