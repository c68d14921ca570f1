// lazy_invariants.h - the lazy designs' own invariants (lazy-design.md 1.4).
//
//   L1 single owner: every entry (present, migration, or swap with the folio
//      in the swap cache) of a lazy folio lies in its root's mm.
//   L2 address: it sits at base(root) + index + i, in a VMA of the same lazy
//      tree whose base equals the root's (base0: a lazy VMA with base 0).
//   L3 root lifetime: the root (VMA struct, or mm for base0) is allocated
//      while any VMA is in its tree or any reachable folio points at it.
//   root-refcount, L3's counter: a root VMA's reference count is the number
//      of live VMAs in its lazy tree, plus one for a migration or split in
//      flight that holds it. More references leak the root struct (it is
//      never freed); fewer free it under a VMA that still uses it.
// L4 (after an upgrade, folios point at the VMA's anon_vma or are still
// lazy and consistent) is I3 plus L1/L2; L6 (completeness) is the rmap
// check; L5 and L7 show through them (a missed or torn walk is rmap-missing
// or lifetime).
#pragma once

#include <vector>

#include "model/core/violation.h"

namespace rmc {

class World;
class LazyPolicy;

void check_l1_single_owner(const World& w, const LazyPolicy& p, std::vector<Violation>& out);
void check_l2_address(const World& w, const LazyPolicy& p, std::vector<Violation>& out);
void check_l3_root_lifetime(const World& w, const LazyPolicy& p, std::vector<Violation>& out);
void check_root_refcount(const World& w, const LazyPolicy& p, std::vector<Violation>& out);
void check_lazy_invariants(const World& w, const LazyPolicy& p, std::vector<Violation>& out);

}  // namespace rmc
