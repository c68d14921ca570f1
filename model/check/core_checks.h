// core_checks.h - the checks every design must pass after every step.
//
// Ground truth is the page tables: for every folio, the (process, page)
// pairs that map it. The design's rmap walk must find exactly those
// (rmap-missing / rmap-extra). Beside it: lifetime (nothing refers to a freed
// object), page-table and counter consistency, the design-independent
// invariants I4 (index linearity) and I10 (exclusivity), the memory contents
// against the specification, and the kernel warnings an op provoked.
//
// Each check is a function of its own, so a test can break a state on
// purpose and see exactly that check fire.
#pragma once

#include <vector>

#include "model/core/violation.h"

namespace rmc {

class World;
class MemorySpec;

// VMAs of every process: alive, inside the arena, sorted and disjoint.
void check_vma_layout(const World& w, std::vector<Violation>& out);
// Page tables: every entry inside a VMA of its process, no migration entry
// left after an op, every referenced folio / swap slot alive ("lifetime"),
// per-page and per-folio mapcounts and swap counts equal to the entries.
void check_page_tables(const World& w, std::vector<Violation>& out);
// Folios: a mapped or swap-referenced folio's pages belong to it.
void check_folios(const World& w, std::vector<Violation>& out);
// I4: folio->index + i == linear_page_index(vma, addr) for page i at addr.
void check_i4_index_linearity(const World& w, std::vector<Violation>& out);
// I10: an AnonExclusive page is mapped once; a writable PTE maps an
// AnonExclusive page.
void check_i10_exclusivity(const World& w, std::vector<Violation>& out);
// The rmap walk of every mapped folio against the page tables.
void check_rmap_walks(const World& w, std::vector<Violation>& out);
// Every page of every live process reads what the specification says.
void check_contents(const World& w, const MemorySpec& spec, std::vector<Violation>& out);
// VM_BUG_ON / VM_WARN_ON hits and faulting rmap walks during the last op,
// and syscalls that would have retried for ever (no-progress).
void check_kernel_warnings(const World& w, std::vector<Violation>& out);

// All of the above, then the design's own checks (RmapPolicy::check).
void check_world(const World& w, const MemorySpec& spec, std::vector<Violation>& out);

}  // namespace rmc
