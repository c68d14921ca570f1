// snapshot_report.cpp - text and JSON of the snapshot.
#include "memory/snapshot_report.h"

#include <fmt/format.h>

namespace rmc::memory {

namespace {

const DesignRun* eager_of(const SnapshotReport& r) {
  for (const DesignRun& run : r.table.runs)
    if (run.design == "eager" && !run.error) return &run;
  return nullptr;
}

struct Line {
  const char* object;
  const SlabCount* live;
  std::optional<int64_t> estimate;
};

std::vector<Line> lines(const SnapshotReport& r) {
  const DesignRun* eager = eager_of(r);
  auto est = [&](int64_t (*f)(const Counts&)) -> std::optional<int64_t> {
    if (!eager) return std::nullopt;
    return f(eager->counts);
  };
  return {
      {"vm_area_struct", &r.snapshot->vm_area_struct, est([](const Counts& c) { return c.vmas + c.zombie_vmas; })},
      {"anon_vma", &r.snapshot->anon_vma, est([](const Counts& c) { return c.anon_vmas; })},
      {"anon_vma_chain", &r.snapshot->anon_vma_chain, est([](const Counts& c) { return c.avcs; })},
  };
}

}  // namespace

std::optional<double> fidelity(const SnapshotReport& report, const std::string& object) {
  for (const Line& l : lines(report))
    if (object == l.object && l.estimate && l.live->objects && *l.live->objects > 0)
      return static_cast<double>(*l.estimate) / static_cast<double>(*l.live->objects);
  return std::nullopt;
}

std::string render_snapshot(const SnapshotReport& r) {
  const Snapshot& s = *r.snapshot;
  uint64_t vmas = 0, faulted = 0, forked = 0;
  for (const SnapshotProcess& p : s.processes)
    for (const SnapshotVma& v : p.vmas) {
      vmas++;
      faulted += v.faulted;
    }
  for (int parent : r.forest->parent) forked += parent >= 0;
  std::string out = fmt::format(
      "snapshot: {} processes read ({} without mm, {} unreadable), {} VMAs ({} with anonymous pages)\n"
      "fork forest (shared anonymous PFNs): {} roots, {} forked children, deepest chain {} processes, "
      "{} roots sharing pages outside their tree\n",
      s.processes.size(), s.kernel_threads, s.unreadable, vmas, faulted, s.processes.size() - forked, forked,
      r.forest->depth, r.forest->orphans);
  if (r.rebuilt->skipped_processes)
    out += fmt::format("not estimated: {} processes with {} VMAs (see notes)\n", r.rebuilt->skipped_processes,
                       r.rebuilt->skipped_vmas);
  out += fmt::format("\n{:<16} {:>12} {:>12} {:>14}\n", "object", "estimate", "live slab", "estimate/live");
  for (const Line& l : lines(r)) {
    const std::string estimate = l.estimate ? fmt::format("{}", *l.estimate) : "skipped";
    if (!l.live->objects) {
      out += fmt::format("{:<16} {:>12} {:>12}   ({})\n", l.object, estimate, "skipped", l.live->error);
      continue;
    }
    const std::optional<double> ratio = fidelity(r, l.object);
    out += fmt::format("{:<16} {:>12} {:>12} {:>14}\n", l.object, estimate, *l.live->objects,
                       ratio ? fmt::format("{:.3f}", *ratio) : "-");
  }
  for (const std::string& note : s.notes) out += fmt::format("note: {}\n", note);
  for (const std::string& note : r.rebuilt->notes) out += fmt::format("note: {}\n", note);
  out += "\nevery design on the same processes:\n" + render_table(r.table);
  return out;
}

nlohmann::json snapshot_json(const SnapshotReport& r) {
  nlohmann::json fid = nlohmann::json::array();
  for (const Line& l : lines(r)) {
    nlohmann::json j = {{"object", l.object}};
    if (l.estimate) j["estimate"] = *l.estimate;
    if (l.live->objects) j["live"] = *l.live->objects;
    else j["live_error"] = l.live->error;
    if (auto ratio = fidelity(r, l.object)) j["estimate_over_live"] = *ratio;
    fid.push_back(std::move(j));
  }
  return {{"processes", r.snapshot->processes.size()},
          {"kernel_threads", r.snapshot->kernel_threads},
          {"unreadable", r.snapshot->unreadable},
          {"pfns_visible", r.snapshot->pfns_visible},
          {"orphan_trees", r.forest->orphans},
          {"fork_depth", r.forest->depth},
          {"skipped_processes", r.rebuilt->skipped_processes},
          {"fidelity", fid},
          {"notes", r.snapshot->notes},
          {"designs", table_json(r.table)}};
}

}  // namespace rmc::memory
