// eager_policy.h - today's anonymous reverse mapping (Linux 6.18 mm/rmap.c):
// anon_vma trees, anon_vma_chains, the fork-time reuse rule, the rmap walk.
//
// Read it against mm/rmap.c: prepare() is __anon_vma_prepare, clone() is
// anon_vma_clone, fork() is anon_vma_fork, unlink() is unlink_anon_vmas,
// set_anon() is __folio_set_anon, rmap_walk() is rmap_walk_anon. The
// mechanics of the trees are in anon_vma_forest.h; this file holds the rules.
#pragma once

#include <vector>

#include "model/core/options.h"
#include "model/core/rmap_policy.h"
#include "model/eager/anon_vma_forest.h"
#include "model/eager/anon_vma_view.h"

namespace rmc {

class EagerPolicy final : public RmapPolicy {
 public:
  std::string_view name() const override { return "eager"; }
  void reset() override { forest_.reset(); }

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
  MappingWord migration_get(World& w, MappingWord mapping) override;
  void migration_put(World& w, MappingWord held) override;
  void rmap_walk(const World& w, FolioId folio, RmapWalk& out) const override;
  RmapObjectCounts counts(const World& /*w*/) const override { return forest_.counts(); }
  std::string describe_anon(const World& w, VmaId vma) const override;
  std::string describe_mapping(const World& w, MappingWord mapping) const override;
  void check(const World& w, std::vector<Violation>& out) const override;

  const AnonVmaForest& forest() const { return forest_; }
  AnonVmaForest& forest_mut() { return forest_; }  // for tests that break states
  AnonVmaView view() const;

 private:
  AnonVmaId find_mergeable_anon_vma(const World& w, VmaId vma) const;
  bool fork_child(const World& w, VmaId vma) const;

  AnonVmaForest forest_;
};

}  // namespace rmc
