// compose.h - runs a workload through one design and adds up its objects,
// one small world at a time.
//
// A World holds at most kMaxProcesses (8) processes. A workload tree that
// fits runs in one world, in depth-first order: each process runs its ops,
// then forks its children one by one, each child's subtree running to the
// end before the next child is forked. That order is the workload's meaning,
// and run_single_world() runs it literally.
//
// A larger tree is COMPOSED from small worlds. The rule, for the live object
// counts C (VMAs, anon_vmas, AVCs, folios, zombie VMAs, COW contexts):
//
//   total = sum over roots r of  C(r alone, after its ops)
//                              + sum over every other process x of m(x)
//
//   m(x) = C(after "parent fork x" and x's ops) - C(just before that fork)
//
// measured in a world that holds the path from the root to x's parent (each
// running its ops, then forking the next process of the path) and, whenever
// the process forked next is not its parent's first child, a bare "dummy"
// child forked just before it. Leaf siblings share a world: each one's m()
// is measured around its own fork, as many as fit.
//
// Why the sum is exact (the tests check it against run_single_world() for
// every design, on every tree that fits in one world):
//  * Roots are exec'd address spaces: no design shares an object between
//    them (a root forked from an empty mm inherits nothing).
//  * A parent runs no ops after its first fork, so what a child inherits
//    does not depend on its siblings, and no sibling's ops reach another
//    sibling's objects: every object a fork or a child's op creates hangs
//    off that child, or off the parent's anon state as it was at the fork.
//  * The one thing a parent's anon state remembers of its children is
//    "has forked": the lazy designs upgrade a lazy VMA to a regular anon_vma
//    at its first fork and never again. That cost is paid once, inside
//    m(first child); the dummy puts later siblings' parents in the
//    has-forked state without counting it again.
//  * Eager's anon_vma reuse at fork (num_active_vmas == 0 and
//    num_children <= 1) needs an ancestor anon_vma without VMAs; ancestors
//    keep their VMAs while they have forked (they run no ops after), so it
//    never depends on which siblings exist.
//
// Deterministic: the same workload, design and options give the same counts.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "memory/workload.h"
#include "model/check/runner.h"
#include "model/core/options.h"

namespace rmc::memory {

struct RunOptions {
  ModelOptions model;          // the design options every world gets
  bool checks = false;         // every check after every op (slow); a failed check is an error
  // Process slots a world may use (tests shrink it to force composition).
  uint32_t world_processes = kMaxProcesses;
  // Compose even a tree that fits in one world (tests compare both ways).
  bool always_compose = false;
  // Fork the dummy sibling (always, but for the test that shows why).
  bool dummy_siblings = true;
};

struct RunStats {
  uint64_t worlds = 0;  // worlds run
  uint64_t ops = 0;     // ops applied (forks included)
};

// The live objects of one world, or a sum of them (count_objects' fields).
struct Counts {
  int64_t vmas = 0;         // VMAs in some mm
  int64_t anon_vmas = 0;
  int64_t avcs = 0;
  int64_t folios = 0;
  int64_t zombie_vmas = 0;  // VMA structs kept after unmapping (lazy roots)
  int64_t contexts = 0;     // COW contexts
  static Counts of(const World& world);
  Counts& operator+=(const Counts& o);
  Counts operator-(const Counts& o) const;
  bool operator==(const Counts&) const = default;
};
// "vmas 7 anon_vmas 7 avcs 11 ..." (also how GoogleTest prints a Counts).
std::string describe(const Counts& counts);
void PrintTo(const Counts& counts, std::ostream* out);

struct DesignRun {
  std::string design;
  Counts counts;
  RunStats stats;
  std::optional<std::string> error;  // bad workload, or a check failed with checks on
  bool check_failed = false;         // the error is a failed check or expectation, not bad input
};

// Every tree composed as above (or run in one world where it fits).
DesignRun run_workload(const Workload& workload, std::string_view design, const RunOptions& options);

// The whole workload in one world, depth first; roots after the first are
// forked from P0 before P0 runs any op (an empty mm: nothing inherited).
// An error if the workload has more than world_processes processes.
DesignRun run_single_world(const Workload& workload, std::string_view design, const RunOptions& options);

}  // namespace rmc::memory
