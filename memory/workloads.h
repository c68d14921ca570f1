// workloads.h - the named memory workloads: android-boot, apps-N and
// fork-chain, built from the parameters of lazy-design.md section 4.3.
//
// The Android workloads are a zygote-style fork tree plus exec'd native
// daemons. Every parameter below is a reading of section 4.3's description
// ("zygote with a few thousand faulted VMAs, tens of children"; "+24 apps,
// each with its own mmaps/faults (ART heaps, malloc arenas, thread stacks),
// occasional mremap (ART/jemalloc), few forks"), fixed before any result was
// seen and never tuned to the series' figures. docs/memory.md gives the
// reasons for each value and, with memory/bench/sensitivity.cpp, what the
// results do when one changes.
//
// In the model every VMA is private anonymous. A VMA that no design gives
// anon state (file mappings of libraries, reservations, guard pages) is an
// unfaulted VMA here: in every design it costs one vm_area_struct and
// nothing else, exactly as a file VMA does.
//
// Process shapes, in the ops each process runs (compose.h runs them):
//   heap        mmap 1 page rw, write it: an ART heap / malloc region
//   stack       mmap 3 pages rw, mprotect the lowest to none (guard), write
//               the top: a pthread stack (2 VMAs, 1 faulted)
//   sealed pair mmap A rw, write, mprotect r; mmap B right above A rw,
//               write, mprotect r: memory sealed read-only after init.
//               Eager: B reuses A's anon_vma (find_mergeable_anon_vma) and
//               merges back into A; lazy designs: two roots, two VMAs
//   move        mremap (MAYMOVE|FIXED) of a faulted heap region to a new
//               address (ART/jemalloc growing a region)
//   cow         write one page of an inherited faulted VMA (COW copy)
//   file        mmap 1 page r, never written (a file mapping in the model)
// Every object is separated from the next by a one-page gap, so that only
// the sealed pairs sit next to each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/workload.h"

namespace rmc::memory {

// What one process does on its own (after its fork, before its own forks).
struct ProcessShape {
  uint32_t heaps = 0;
  uint32_t stacks = 0;
  uint32_t sealed_pairs = 0;
  uint32_t moves = 0;        // of its own heaps (moves <= heaps)
  uint32_t cow_pages = 0;    // inherited faulted VMAs it writes to
  uint32_t files = 0;
};

// A zygote tree and the exec'd daemons beside it.
struct AndroidShape {
  uint32_t daemons = 0;              // exec'd native daemons (roots of their own)
  ProcessShape daemon;
  ProcessShape zygote;               // before its first fork
  ProcessShape system_server;        // the zygote's first child
  uint32_t system_apps = 0;          // further children at boot
  ProcessShape system_app;
  uint32_t user_apps = 0;            // children started after boot
  ProcessShape user_app;
  uint32_t fork_every = 0;           // every fork_every-th app forks one child (0: none)
  ProcessShape forked_child;         // what that child does
  // Apps are not all alike: each app's counts are scaled by a factor drawn
  // uniformly from [1 - spread, 1 + spread] by a generator seeded with `seed`.
  double spread = 0;
  uint64_t seed = 1;
};

// android-boot: the parameters of section 4.3 (i).
AndroidShape android_boot_shape();
// apps-N: android-boot plus N user apps (section 4.3 (ii) for N = 24).
AndroidShape android_apps_shape(uint32_t user_apps);
Workload android_workload(std::string name, const AndroidShape& shape);

// fork-chain: a process with `vmas` faulted VMAs, then a chain of forks of
// `processes` processes in all (each child forks the next), each child
// writing `cow_pages` inherited pages and faulting `own_heaps` heaps.
struct ChainShape {
  uint32_t vmas = 1000;
  uint32_t processes = 8;
  uint32_t cow_pages = 100;
  uint32_t own_heaps = 10;
};
Workload fork_chain_workload(const ChainShape& shape);

// The names `memory --workload` accepts: "android-boot", "apps-N"
// (1 <= N <= kMaxApps), "fork-chain"; for another name nothing, and the
// reason in `why` if given. apps-N holds every process's ops in memory
// (~35 KB per app): the bound keeps a typo from exhausting memory. Larger
// trees are measured by memory/bench (rmc_memory_bench).
inline constexpr uint32_t kMaxApps = 10000;
std::optional<Workload> named_workload(std::string_view name, std::string* why = nullptr);
std::vector<std::string> workload_names();  // for help texts

}  // namespace rmc::memory
