// sensitivity.cpp - what each parameter of the Android workloads does to
// the memory table: android-boot and apps-24 as shipped, then with one knob
// changed at a time, lazy against eager (docs/memory.md "Why the figures
// differ from the series'" cites this table).
//
//   build/memory/bench/rmc_memory_sensitivity
//
// It is an explanation, not a fit: the shipped parameters stay those of
// workloads.cpp whatever this prints.
#include <fmt/format.h>

#include <functional>

#include "memory/compose.h"
#include "memory/memory_table.h"
#include "memory/workloads.h"

namespace rmc::memory {
namespace {

struct Variant {
  const char* name;
  std::function<void(AndroidShape&)> change;
};

void row(const std::string& workload, const char* variant, const AndroidShape& shape) {
  const Workload w = android_workload(workload, shape);
  const DesignRun eager = run_workload(w, "eager", RunOptions{});
  const DesignRun lazy = run_workload(w, "lazy", RunOptions{});
  if (eager.error || lazy.error) {
    fmt::print("| {} | {} | error: {} |\n", workload, variant, eager.error ? *eager.error : *lazy.error);
    return;
  }
  auto pct = [](int64_t l, int64_t e) { return percent_text((static_cast<double>(l) - e) * 100.0 / e); };
  const Counts& e = eager.counts;
  const Counts& l = lazy.counts;
  fmt::print("| {} | {} | {} | {} → {} ({}) | {} → {} ({}) | {} → {} ({}) | {:.2f} |\n", workload, variant,
             process_count(w), e.vmas, l.vmas + l.zombie_vmas, pct(l.vmas + l.zombie_vmas, e.vmas), e.anon_vmas,
             l.anon_vmas, pct(l.anon_vmas, e.anon_vmas), e.avcs, l.avcs, pct(l.avcs, e.avcs),
             static_cast<double>(e.avcs) / static_cast<double>(e.anon_vmas));
}

}  // namespace
}  // namespace rmc::memory

int main() {
  using namespace rmc::memory;
  const Variant variants[] = {
      {"as shipped", [](AndroidShape&) {}},
      {"no app forks (fork_every 0)", [](AndroidShape& s) { s.fork_every = 0; }},
      {"no mremap moves", [](AndroidShape& s) { s.zygote.moves = s.system_server.moves = s.system_app.moves =
                                                       s.user_app.moves = 0; }},
      {"no sealed pairs", [](AndroidShape& s) { s.zygote.sealed_pairs = s.system_server.sealed_pairs =
                                                        s.system_app.sealed_pairs = s.user_app.sealed_pairs = 0; }},
      {"no COW writes", [](AndroidShape& s) { s.system_server.cow_pages = s.system_app.cow_pages = s.user_app.cow_pages =
                                                      s.forked_child.cow_pages = 0; }},
      {"no daemons", [](AndroidShape& s) { s.daemons = 0; }},
      {"apps with 4x own VMAs", [](AndroidShape& s) {
         for (ProcessShape* p : {&s.system_app, &s.user_app}) p->heaps *= 4, p->stacks *= 4;
       }},
  };
  fmt::print("| workload | variant | processes | VMAs eager → lazy | anon_vma eager → lazy | AVC eager → lazy | eager "
             "AVC/anon_vma |\n|---|---|---:|---|---|---|---:|\n");
  for (const char* name : {"android-boot", "apps-24"})
    for (const Variant& v : variants) {
      AndroidShape shape = std::string(name) == "android-boot" ? android_boot_shape() : android_apps_shape(24);
      v.change(shape);
      row(name, v.name, shape);
    }
  return 0;
}
