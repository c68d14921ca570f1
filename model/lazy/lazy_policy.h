// lazy_policy.h - the ANON_VMA_LAZY designs (lazy-design.md sections 1, 2).
//
// A VMA's first fault allocates nothing: the VMA becomes lazy, with itself as
// the "root VMA" (ANON_VMA_TREE_VMA), and its folios point at that root.
// The lazy rmap walk computes the folio's address from the root,
//     addr = vma_mapping_base(root) + folio->index,
// and visits the one VMA of the root's mm that covers it, if that VMA is in
// the same lazy tree and has the same base. A VMA leaves lazy mode (is
// "upgraded" to a regular anon_vma) when it is forked or moved by mremap.
// Flavors:
//   lazy      the full series: fork children are ANON_VMA_TREE_PARENT (linked
//             into the parent's anon_vma tree, no anon_vma of their own);
//   lazy-gki  the reduced GKI version: no TREE_PARENT, a fork child gets an
//             anon_vma as in the eager design;
//   base0     the base==0 simplification: only VMAs with
//             vma_mapping_base == 0 are lazy, folio->mapping names the mm and
//             folio->index is the virtual page; fork and mremap leave lazy
//             mode, re-pointing every folio of the VMA.
// Every point the series leaves open is a LazyOptions choice (options.h).
// Regular anon_vmas live in the same AnonVmaForest as in the eager design.
#pragma once

#include <vector>

#include "model/core/options.h"
#include "model/core/rmap_policy.h"
#include "model/eager/anon_vma_forest.h"
#include "model/eager/anon_vma_view.h"

namespace rmc {

class LazyPolicy final : public RmapPolicy {
 public:
  enum class Flavor : uint8_t { kSeries, kGki, kBase0 };
  explicit LazyPolicy(Flavor flavor) : flavor_(flavor) {}

  std::string_view name() const override;
  void reset() override;

  void prepare(World& w, VmaId vma) override;
  void prepare_raced(World& w, VmaId vma) override;
  void clone(World& w, VmaId dst, VmaId src) override;
  void fork(World& w, VmaId child, VmaId parent) override;
  void unlink(World& w, VmaId vma) override;
  void range_will_change(World& w, VmaId vma) override;
  void range_changed(World& w, VmaId vma) override;
  bool is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon, VmaId middle,
                         VmaId copied_from) const override;
  void unify_anon(World& w, VmaId target, VmaId other) override;
  void exit_mm(World& w, ProcessId pid) override;
  void set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) override;
  void move_anon(World& w, FolioId folio, VmaId vma) override;
  bool swapcache_folio_fits(const World& w, FolioId folio, VmaId vma, PageNo addr) const override;
  void fork_page(World& w, FolioId folio, VmaId parent_vma) override;
  void before_move(World& w, VmaId vma) override;
  void moved_pte(World& w, const Pte& pte, VmaId to) override;
  void before_relocate(World& w, VmaId vma) override;
  MappingWord migration_get(World& w, MappingWord mapping) override;
  void migration_put(World& w, MappingWord held) override;
  bool uffd_move_can_lock(const World& w, FolioId folio) const override;
  void rmap_walk(const World& w, FolioId folio, RmapWalk& out) const override;
  RmapObjectCounts counts(const World& w) const override {
    RmapObjectCounts c = forest_.counts();
    c.zombie_vmas = zombie_roots(w);
    return c;
  }
  std::string describe_anon(const World& w, VmaId vma) const override;
  std::string describe_mapping(const World& w, MappingWord mapping) const override;
  void check(const World& w, std::vector<Violation>& out) const override;

  Flavor flavor() const { return flavor_; }
  const AnonVmaForest& forest() const { return forest_; }
  // Is the root VMA struct still allocated (in an mm, or kept by the VMAs of
  // its tree as a "zombie")? For base0, the root is the mm.
  bool root_allocated(const World& w, uint64_t root) const;
  // Root VMA structs kept alive only by references (unmapped, not freed).
  uint64_t zombie_roots(const World& w) const;
  // The reference count of root VMA `root` (not base0: its roots are mms).
  uint32_t root_refs(VmaId root) const { return idx(root) < root_refs_.size() ? root_refs_[idx(root)] : 0; }
  size_t root_ref_slots() const { return root_refs_.size(); }
  AnonVmaView view(bool count_tree_parent) const;

 private:
  // __anon_vma_prepare as mainline has it, for a first fault while the
  // runtime switch is off (S7).
  void prepare_mainline(World& w, VmaId vma);
  AnonVmaId new_root();
  void attach_regular(World& w, VmaId vma, AnonVmaId av);
  bool base0() const { return flavor_ == Flavor::kBase0; }
  void get_root(VmaId root);
  void put_root(VmaId root);
  void upgrade(World& w, VmaId vma);
  AnonVmaId upgrade_target(World& w, VmaId root);
  void join_anon_vma(World& w, VmaId vma, AnonVmaId av, bool repoint);
  void repoint_folios(World& w, VmaId vma, MappingWord from, MappingWord to);
  bool fork_child(const World& w, VmaId vma) const;
  PageNo start_as_walked(const World& w, const Vma& v) const;

  Flavor flavor_;
  AnonVmaForest forest_;
  std::vector<uint32_t> root_refs_;        // by VmaId: VMAs in that root's lazy tree, migrations
  std::vector<uint64_t> held_mms_;         // base0: roots (mms) held by migrations (mmgrab)
  // By root VmaId (base0: by mm): its anon_vma under lazy.upgrade root.
  std::vector<AnonVmaId> root_anon_vma_;
};

}  // namespace rmc
