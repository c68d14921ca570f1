// memory_table.cpp - rows, text and JSON of the memory table.
#include "memory/memory_table.h"

#include <fmt/format.h>

#include <cmath>

namespace rmc::memory {

namespace {

struct ObjectKind {
  const char* name;
  int64_t (*count)(const Counts&);
  const ObjectSize ObjectSizes::*size;
};

// The slab objects of the table, in the series' order (VMA, AVC, anon_vma
// there; anon_vma before AVC here, as the designs allocate them).
const ObjectKind kObjects[] = {
    {"vm_area_struct", [](const Counts& c) { return c.vmas + c.zombie_vmas; }, &ObjectSizes::vma},
    {"anon_vma", [](const Counts& c) { return c.anon_vmas; }, &ObjectSizes::anon_vma},
    {"anon_vma_chain", [](const Counts& c) { return c.avcs; }, &ObjectSizes::avc},
    {"cow_context", [](const Counts& c) { return c.contexts; }, &ObjectSizes::context},
};

const DesignRun* eager_run(const MemoryTable& table) {
  for (const DesignRun& run : table.runs)
    if (run.design == "eager" && !run.error) return &run;
  return nullptr;
}

std::optional<double> change(double value, std::optional<double> reference) {
  if (!reference || *reference == 0) return std::nullopt;
  return (value - *reference) * 100.0 / *reference;
}

}  // namespace

std::string percent_text(double percent) {
  const double rounded = std::round(percent * 10) / 10;
  if (rounded == 0) return "0.0%";
  return fmt::format("{:+.1f}%", rounded);
}

double total_kb(const MemoryTable& table, const DesignRun& run) {
  double kb = 0;
  for (const ObjectKind& kind : kObjects) kb += kilobytes(kind.count(run.counts), table.sizes.*kind.size);
  return kb;
}

std::vector<MemoryRow> table_rows(const MemoryTable& table) {
  std::vector<MemoryRow> rows;
  const DesignRun* eager = eager_run(table);
  for (const ObjectKind& kind : kObjects) {
    const ObjectSize& size = table.sizes.*kind.size;
    std::optional<double> reference;
    if (eager) reference = static_cast<double>(kind.count(eager->counts));
    for (const DesignRun& run : table.runs) {
      if (run.error) continue;
      const int64_t objects = kind.count(run.counts);
      rows.push_back({kind.name, run.design, objects, kilobytes(objects, size),
                      run.design == "eager" ? std::nullopt : change(static_cast<double>(objects), reference)});
    }
  }
  std::optional<double> reference_kb;
  if (eager) reference_kb = total_kb(table, *eager);
  for (const DesignRun& run : table.runs) {
    if (run.error) continue;
    const double kb = total_kb(table, run);
    rows.push_back({"total", run.design, 0, kb, run.design == "eager" ? std::nullopt : change(kb, reference_kb)});
  }
  return rows;
}

std::string render_table(const MemoryTable& table) {
  std::string out = fmt::format("workload {}: {}\n", table.workload, table.description);
  const ObjectSizes& s = table.sizes;
  out += fmt::format("{} processes; bytes per object (slab_size): vm_area_struct {} ({}), anon_vma {} ({}), "
                     "anon_vma_chain {} ({}), cow_context {} ({})\n",
                     table.processes, s.vma.slab_bytes, s.vma.source, s.anon_vma.slab_bytes, s.anon_vma.source,
                     s.avc.slab_bytes, s.avc.source, s.context.slab_bytes, s.context.source);
  for (const DesignRun& run : table.runs)
    if (run.error) out += fmt::format("{}: skipped: {}\n", run.design, *run.error);
  out += fmt::format("\n{:<16} {:<10} {:>10} {:>12} {:>10}\n", "object", "design", "objects", "KB", "vs eager");
  std::string last_object;
  for (const MemoryRow& row : table_rows(table)) {
    const bool first = row.object != last_object;
    if (first && !last_object.empty()) out += "\n";
    last_object = row.object;
    const std::string objects = row.object == "total" ? "" : fmt::format("{}", row.objects);
    out += fmt::format("{:<16} {:<10} {:>10} {:>12.1f} {:>10}\n", first ? row.object : "", row.design, objects, row.kb,
                       row.change_percent ? percent_text(*row.change_percent) : "");
  }
  out += "\n";
  bool zombies = false;
  for (const DesignRun& run : table.runs) zombies |= !run.error && run.counts.zombie_vmas > 0;
  if (zombies) {
    out += "zombie root VMAs (in vm_area_struct above):";
    for (const DesignRun& run : table.runs)
      if (!run.error) out += fmt::format(" {} {}", run.design, run.counts.zombie_vmas);
    out += "\n";
  }
  out += "series (lazy-design.md 4.1, lazy vs eager): vm_area_struct +0.2% to +1.0%, anon_vma -92% to -97%, "
         "anon_vma_chain -50% to -57%\n";
  return out;
}

nlohmann::json table_json(const MemoryTable& table) {
  auto size_json = [](const ObjectSize& s) {
    return nlohmann::json{{"cache", s.cache}, {"object_bytes", s.object_bytes}, {"slab_bytes", s.slab_bytes},
                          {"source", s.source}};
  };
  nlohmann::json designs = nlohmann::json::array();
  for (const DesignRun& run : table.runs) {
    nlohmann::json d = {{"design", run.design}, {"worlds", run.stats.worlds}, {"ops", run.stats.ops}};
    if (run.error) {
      d["error"] = *run.error;
    } else {
      const Counts& c = run.counts;
      d["counts"] = {{"vmas", c.vmas},     {"zombie_vmas", c.zombie_vmas}, {"anon_vmas", c.anon_vmas},
                     {"avcs", c.avcs},     {"contexts", c.contexts},       {"folios", c.folios}};
      d["total_kb"] = total_kb(table, run);
    }
    designs.push_back(std::move(d));
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const MemoryRow& row : table_rows(table)) {
    nlohmann::json r = {{"object", row.object}, {"design", row.design}, {"kb", row.kb}};
    if (row.object != "total") r["objects"] = row.objects;
    if (row.change_percent) r["change_percent"] = *row.change_percent;
    rows.push_back(std::move(r));
  }
  return {{"workload", table.workload},
          {"description", table.description},
          {"processes", table.processes},
          {"sizes",
           {{"vm_area_struct", size_json(table.sizes.vma)},
            {"anon_vma", size_json(table.sizes.anon_vma)},
            {"anon_vma_chain", size_json(table.sizes.avc)},
            {"cow_context", size_json(table.sizes.context)}}},
          {"designs", designs},
          {"rows", rows}};
}

}  // namespace rmc::memory
