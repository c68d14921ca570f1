// eager_invariants.h - the invariants of today's anon rmap (kernel-eager.md
// 3.2), one function each, checked after every step of the eager model.
//
//   I1  chain/own:   own(V) == NULL iff chain(V) is empty; own(V) in chain(V);
//                    one root for the whole chain, and it is in the chain.
//   I2  tree mirror: AVC(V, AV) is in V's list iff in AV's tree, keyed by V's
//                    current [vm_pgoff, vm_pgoff + pages - 1].
//   I3  reachability: every present / migration entry, and every swap entry
//                    whose folio is in the swap cache, maps a folio whose
//                    anon_vma is in chain(V).
//   I5  same root:   folio->mapping's root == own(V)'s root.
//   I6  equal own => equal chain, within one mm (what merges rely on); and
//       an anon_vma is the own of VMAs of a single mm (fork reuses only an
//       anon_vma no VMA uses).
//   I7  counters:    num_active_vmas, num_children and refcount equal what
//                    they count.
//   I8  lifetime:    no VMA, AVC, anon_vma or referenced folio points at a
//                    freed anon_vma / VMA / AVC.
//   I9  fork tree:   parents and roots alive and consistent; every chain is
//                    closed under ->parent.
//   I11 merge soundness: after a merge, I3 and I4 hold on the merged VMA.
// (I4 and I10 do not depend on the design: model/check/core_checks.h.)
#pragma once

#include <vector>

#include "model/core/violation.h"

namespace rmc {

class World;
struct AnonVmaView;

void check_i1_chain_own(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i2_tree_mirror(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i3_reachability(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i5_same_root(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
// Both in one pass over the page tables, I3's reports before I5's (what the
// two above report, one after the other).
void check_i3_and_i5(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i6_equal_own_equal_chain(const World& w, const AnonVmaView& p,
                                    std::vector<Violation>& out);
void check_i7_counters(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i8_lifetime(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i9_fork_tree(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
void check_i11_merge_soundness(const World& w, const AnonVmaView& p, std::vector<Violation>& out);

// All of them, in the order above (EagerPolicy::check), in one visit of the
// VMAs; each reports what it reports alone.
void check_eager_invariants(const World& w, const AnonVmaView& p, std::vector<Violation>& out);
// The same without I6: what a lazy design checks of the VMAs and folios it
// keeps in anon_vma trees (TREE_PARENT VMAs of several mms share their
// parent's anon_vma, which I6 forbids).
void check_forest_invariants(const World& w, const AnonVmaView& p, std::vector<Violation>& out);

}  // namespace rmc
