// eager_policy.h - today's anonymous reverse mapping (Linux 6.18 mm/rmap.c):
// anon_vma trees, anon_vma_chains, the fork-time reuse rule, the rmap walk.
//
// Read it against mm/rmap.c: prepare() is __anon_vma_prepare, clone() is
// anon_vma_clone, fork() is anon_vma_fork, unlink() is unlink_anon_vmas,
// set_anon() is __folio_set_anon, rmap_walk() is rmap_walk_anon.
#pragma once

#include <vector>

#include "model/core/options.h"
#include "model/core/rmap_policy.h"
#include "model/eager/anon_vma.h"

namespace rmc {

class EagerPolicy final : public RmapPolicy {
 public:
  std::string_view name() const override { return "eager"; }
  void reset() override;

  void prepare(World& w, VmaId vma) override;
  void clone(World& w, VmaId dst, VmaId src) override;
  void fork(World& w, VmaId child, VmaId parent) override;
  void unlink(World& w, VmaId vma) override;
  void range_will_change(World& w, VmaId vma) override;
  void range_changed(World& w, VmaId vma) override;
  bool is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon, VmaId middle,
                         VmaId copied_from) const override;
  void set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) override;
  void move_anon(World& w, FolioId folio, VmaId vma) override;
  bool swapcache_folio_fits(const World& w, FolioId folio, VmaId vma,
                            PageNo addr) const override;
  void rmap_walk(const World& w, FolioId folio, RmapWalk& out) const override;
  RmapObjectCounts counts() const override { return {live_anon_vmas_, live_avcs_}; }
  std::string describe_anon(const World& w, VmaId vma) const override;
  std::string describe_mapping(const World& w, MappingWord mapping) const override;
  void check(const World& w, std::vector<Violation>& out) const override;

  // Read access for the invariant checks (model/check/eager_invariants.cpp).
  const AnonVma& anon_vma(AnonVmaId id) const { return anon_vmas_[idx(id)]; }
  const Avc& avc(AvcId id) const { return avcs_[idx(id)]; }
  size_t anon_vma_slots() const { return anon_vmas_.size(); }
  size_t avc_slots() const { return avcs_.size(); }
  // vma->anon_vma_chain, newest first; empty for a VMA never linked.
  const std::vector<AvcId>& chain(VmaId vma) const;
  // For tests that break the state on purpose.
  AnonVma& anon_vma_mut(AnonVmaId id) { return anon_vmas_[idx(id)]; }
  Avc& avc_mut(AvcId id) { return avcs_[idx(id)]; }
  std::vector<AvcId>& chain_mut(VmaId vma);

 private:
  AnonVmaId anon_vma_alloc();
  void put_anon_vma(AnonVmaId id);
  void link(World& w, VmaId vma, AnonVmaId av);  // anon_vma_chain_link
  void tree_insert(const World& w, AvcId avc);
  void tree_remove(AvcId avc);
  AnonVmaId find_mergeable_anon_vma(const World& w, VmaId vma) const;
  bool fork_child(const World& w, VmaId vma) const;

  std::vector<AnonVma> anon_vmas_;
  std::vector<Avc> avcs_;
  std::vector<std::vector<AvcId>> chains_;  // by VmaId
  uint64_t live_anon_vmas_ = 0;
  uint64_t live_avcs_ = 0;
};

}  // namespace rmc
