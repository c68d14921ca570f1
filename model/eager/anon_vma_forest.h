// anon_vma_forest.h - anon_vmas and anon_vma_chains as mm/rmap.c keeps them,
// without the policy: allocation and freeing, AVC links, the interval trees,
// the chain copy of anon_vma_clone and the teardown of unlink_anon_vmas.
//
// The eager design (eager_policy.h) is this plus the rules of when to
// allocate, reuse and merge; the lazy designs use the same forest for the
// VMAs they upgrade. The forest never reads vma->anon: callers say which
// anon_vma a VMA owns.
#pragma once

#include <functional>
#include <vector>

#include "model/core/rmap_policy.h"
#include "model/eager/anon_vma.h"

namespace rmc {

class World;
struct Folio;

class AnonVmaForest {
 public:
  AnonVmaForest() {  // room for a fuzz-sized trace (see World::World)
    anon_vmas_.reserve(32);
    avcs_.reserve(64);
    chains_.reserve(64);
  }
  void reset();

  const AnonVma& anon_vma(AnonVmaId id) const { return anon_vmas_[idx(id)]; }
  AnonVma& anon_vma_mut(AnonVmaId id) { return anon_vmas_[idx(id)]; }
  const Avc& avc(AvcId id) const { return avcs_[idx(id)]; }
  Avc& avc_mut(AvcId id) { return avcs_[idx(id)]; }
  size_t anon_vma_slots() const { return anon_vmas_.size(); }
  size_t avc_slots() const { return avcs_.size(); }
  bool valid(AnonVmaId id) const { return idx(id) < anon_vmas_.size() && anon_vmas_[idx(id)].alive; }
  // vma->anon_vma_chain, newest first; empty for a VMA never linked.
  // (Inline: the checks ask for chains several times per VMA per step.)
  const std::vector<AvcId>& chain(VmaId vma) const {
    static const std::vector<AvcId> kEmpty;
    return idx(vma) < chains_.size() ? chains_[idx(vma)] : kEmpty;
  }
  std::vector<AvcId>& chain_mut(VmaId vma);
  bool in_chain(VmaId vma, AnonVmaId av) const {
    for (AvcId avc : chain(vma))
      if (avcs_[idx(avc)].anon_vma == av) return true;
    return false;
  }
  RmapObjectCounts counts() const { return {live_anon_vmas_, live_avcs_, 0, 0}; }

  // anon_vma_alloc: refcount 1 (the tree's), its own root and parent.
  AnonVmaId alloc();
  // The new anon_vma of a fork child (anon_vma_fork): root and parent from
  // `parent`, the root pinned, one more child for the parent.
  AnonVmaId alloc_child(AnonVmaId parent);
  // put_anon_vma: the last reference frees it (and drops the root's).
  void put(AnonVmaId id);
  // folio_get_anon_vma / put_anon_vma for a migration (anon_vma.migration_refs).
  // A freed (or no) anon_vma gives nothing: returns false.
  bool get_for_migration(AnonVmaId id);
  void put_for_migration(AnonVmaId id);
  // anon_vma_chain_link: a new AVC at the head of the VMA's list, into the tree.
  void link(const World& w, VmaId vma, AnonVmaId av);
  // anon_vma_clone's loop: link dst into every anon_vma of src's chain,
  // oldest first; returns the first one `reusable` accepts (the fork-time
  // reuse), or kNoAnonVma. `reusable` may be empty (no reuse).
  AnonVmaId clone_chain(const World& w, VmaId dst, VmaId src,
                        const std::function<bool(const AnonVma&)>& reusable);
  // unlink_anon_vmas: take the VMA's AVCs out of their trees, newest first;
  // an anon_vma whose tree empties stops counting as its parent's child and
  // is put. `own` (if any) loses one active VMA.
  void unlink_chain(VmaId vma, AnonVmaId own);
  // anon_vma_interval_tree_{pre,post}_update_vma.
  void remove_from_trees(VmaId vma);
  void insert_into_trees(const World& w, VmaId vma);
  // rmap_walk_anon over one anon_vma: every AVC whose VMA overlaps the
  // folio's page offsets, in tree order.
  void walk(const World& w, const Folio& folio, AnonVmaId av, RmapWalk& out) const;
  // find_mergeable_anon_vma (mm/vma.c): the neighbour, next then prev, whose
  // anon_vma a first fault of `vma` may share: anon_vma_compatible, faulted,
  // and a single AVC in its chain (reusable_anon_vma; any chain length with
  // `any_chain`, the pre-2010 B4). Returns that neighbour, or kNoVma; the
  // caller reads the anon_vma from its word.
  VmaId find_mergeable_neighbour(const World& w, VmaId vma, bool any_chain) const;

 private:
  void tree_insert(const World& w, AvcId avc);
  void tree_remove(AvcId avc);

  std::vector<AnonVma> anon_vmas_;
  std::vector<Avc> avcs_;
  std::vector<std::vector<AvcId>> chains_;  // by VmaId
  std::vector<std::vector<AvcId>> spare_trees_;  // empty, with room (reset)
  uint64_t live_anon_vmas_ = 0;
  uint64_t live_avcs_ = 0;
};

}  // namespace rmc
