// step_json.cpp - the JSON form of a world after a step.
#include "model/check/step_json.h"

#include "model/core/op_table.h"

namespace rmc {

namespace {

const char* state_name(PteKind kind) {
  switch (kind) {
    case PteKind::kPresent: return "present";
    case PteKind::kZero: return "zero";
    case PteKind::kSwap: return "swapped";
    case PteKind::kMigration: return "migration";
  }
  return "?";
}

}  // namespace

nlohmann::json step_json(const World& w, size_t step, const TraceLine& line, const StepResult& result) {
  nlohmann::json j;
  j["step"] = step;
  j["line"] = line.line;
  j["text"] = line.kind == TraceLine::Kind::kOp ? print_op(line.op) : print_expect(line.expect);
  j["verdict"] = result.error ? "error" : (result.violations.empty() ? "ok" : "fail");
  if (result.error) j["error"] = *result.error;
  nlohmann::json violations = nlohmann::json::array();
  for (const Violation& v : result.violations) violations.push_back({{"property", v.property}, {"message", v.message}});
  j["violations"] = violations;
  nlohmann::json processes = nlohmann::json::array();
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    nlohmann::json vmas = nlohmann::json::array();
    for (VmaId id : proc.vmas) {
      const Vma& v = w.vma(id);
      vmas.push_back({{"start", v.start}, {"end", v.end}, {"prot", prot_name(v.prot)}, {"pgoff", v.pgoff},
                      {"anon_vma", v.faulted()}, {"anon", w.policy().describe_anon(w, id)}});
      if (v.flags & kVmFileDevZero) vmas.back()["file"] = "/dev/zero";  // only mmap_zero's VMAs have one
    }
    nlohmann::json pages = nlohmann::json::array();
    for (const PageTable::Entry& e : proc.pt.entries()) {
      nlohmann::json page = {{"addr", e.page}, {"state", state_name(e.pte.kind)}};
      if (e.pte.kind == PteKind::kPresent || e.pte.kind == PteKind::kZero || e.pte.kind == PteKind::kMigration) {
        page["page"] = e.pte.target;
        page["writable"] = e.pte.writable;
        if (e.pte.kind == PteKind::kPresent) page["exclusive"] = w.page(e.pte.pfn()).anon_exclusive;
      } else {
        page["swap_slot"] = e.pte.target;
        page["exclusive"] = e.pte.exclusive;
      }
      pages.push_back(page);
    }
    processes.push_back({{"pid", p}, {"vmas", vmas}, {"pages", pages}});
  }
  j["processes"] = processes;
  const ObjectCounts counts = count_objects(w);
  j["counts"] = {{"vma", counts.vmas},       {"anon_vma", counts.anon_vmas},      {"avc", counts.avcs},
                 {"folio", counts.folios}, {"zombie_vma", counts.zombie_vmas}, {"context", counts.contexts}};
  return j;
}

}  // namespace rmc
