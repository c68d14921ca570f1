// anon_vma_forest.cpp - the mechanics of anon_vma trees (mm/rmap.c).
#include "model/eager/anon_vma_forest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

void AnonVmaForest::reset() {
  // Keep the lists' room for the next trace (a fuzzer resets once per
  // input): the trees go to a pool alloc() takes from, the chains stay
  // sized and empty, which chain() cannot tell from never linked.
  for (AnonVma& av : anon_vmas_) {
    av.tree.clear();
    spare_trees_.push_back(std::move(av.tree));
  }
  anon_vmas_.clear();
  avcs_.clear();
  for (std::vector<AvcId>& list : chains_) list.clear();
  live_anon_vmas_ = 0;
  live_avcs_ = 0;
}

std::vector<AvcId>& AnonVmaForest::chain_mut(VmaId vma) {
  if (idx(vma) >= chains_.size()) chains_.resize(idx(vma) + 1);
  return chains_[idx(vma)];
}

AnonVmaId AnonVmaForest::alloc() {
  assert(anon_vmas_.size() < kMaxObjectsPerWorld);
  AnonVmaId id{static_cast<uint32_t>(anon_vmas_.size())};
  AnonVma av;
  av.id = id;
  av.root = id;
  av.parent = id;
  av.degree = 1;  // pre-2022: "reference for first vma"
  if (!spare_trees_.empty()) {
    av.tree = std::move(spare_trees_.back());
    spare_trees_.pop_back();
  }
  anon_vmas_.push_back(std::move(av));
  live_anon_vmas_++;
  return id;
}

AnonVmaId AnonVmaForest::alloc_child(AnonVmaId parent) {
  AnonVmaId id = alloc();
  AnonVma& child = anon_vmas_[idx(id)];
  child.root = anon_vmas_[idx(parent)].root;
  child.parent = parent;
  anon_vmas_[idx(child.root)].refcount++;  // get_anon_vma(root): the lock lives there
  anon_vmas_[idx(parent)].num_children++;
  anon_vmas_[idx(parent)].degree++;
  return id;
}

void AnonVmaForest::put(AnonVmaId id) {
  AnonVma& av = anon_vmas_[idx(id)];
  assert(av.alive && av.refcount > 0);
  if (--av.refcount > 0) return;
  av.alive = false;
  live_anon_vmas_--;
  if (av.root != id) put(av.root);
}

bool AnonVmaForest::get_for_migration(AnonVmaId id) {
  if (idx(id) >= anon_vmas_.size() || !anon_vmas_[idx(id)].alive) return false;
  AnonVma& av = anon_vmas_[idx(id)];
  assert(av.refcount > 0);
  av.refcount++;
  av.migration_refs++;
  return true;
}

void AnonVmaForest::put_for_migration(AnonVmaId id) {
  assert(anon_vmas_[idx(id)].migration_refs > 0);
  anon_vmas_[idx(id)].migration_refs--;
  put(id);
}

void AnonVmaForest::link(const World& w, VmaId vma, AnonVmaId av) {
  assert(avcs_.size() < kMaxObjectsPerWorld);
  AvcId id{static_cast<uint32_t>(avcs_.size())};
  Avc avc;
  avc.id = id;
  avc.vma = vma;
  avc.anon_vma = av;
  avcs_.push_back(avc);
  live_avcs_++;
  std::vector<AvcId>& list = chain_mut(vma);
  list.insert(list.begin(), id);
  tree_insert(w, id);
}

// The tree is keyed by the VMA's page offsets when the AVC goes in; equal
// keys keep insertion order (the rb-tree's in-order walk).
void AnonVmaForest::tree_insert(const World& w, AvcId id) {
  Avc& avc = avcs_[idx(id)];
  const Vma& v = w.vma(avc.vma);
  avc.first = v.pgoff;
  avc.last = geom::vma_last_pgoff(v.start, v.end, v.pgoff);
  avc.in_tree = true;
  std::vector<AvcId>& tree = anon_vmas_[idx(avc.anon_vma)].tree;
  auto pos = std::upper_bound(tree.begin(), tree.end(), avc.first,
                              [&](PageNo first, AvcId other) { return first < avcs_[idx(other)].first; });
  tree.insert(pos, id);
}

void AnonVmaForest::tree_remove(AvcId id) {
  Avc& avc = avcs_[idx(id)];
  std::vector<AvcId>& tree = anon_vmas_[idx(avc.anon_vma)].tree;
  auto it = std::find(tree.begin(), tree.end(), id);
  assert(it != tree.end());
  tree.erase(it);
  avc.in_tree = false;
}

AnonVmaId AnonVmaForest::clone_chain(const World& w, VmaId dst, VmaId src,
                                     const std::function<bool(const AnonVma&)>& reusable) {
  chain_mut(dst);  // size chains_ first: link() must not move src's list
  const std::vector<AvcId>& src_chain = chain_mut(src);
  AnonVmaId reused = kNoAnonVma;
  for (auto it = src_chain.rbegin(); it != src_chain.rend(); ++it) {
    const AnonVmaId av = avcs_[idx(*it)].anon_vma;
    link(w, dst, av);
    if (reused == kNoAnonVma && reusable && reusable(anon_vmas_[idx(av)])) reused = av;
  }
  return reused;
}

void AnonVmaForest::unlink_chain(VmaId vma, AnonVmaId own) {
  std::vector<AvcId>& list = chain_mut(vma);
  thread_local std::vector<AvcId> emptied;  // unlink does not nest
  emptied.clear();
  for (AvcId avc_id : list) {
    tree_remove(avc_id);
    AnonVma& av = anon_vmas_[idx(avcs_[idx(avc_id)].anon_vma)];
    if (av.tree.empty()) {
      anon_vmas_[idx(av.parent)].num_children--;
      anon_vmas_[idx(av.parent)].degree--;
      emptied.push_back(avc_id);
    } else {
      avcs_[idx(avc_id)].alive = false;
      live_avcs_--;
    }
  }
  list.clear();
  if (own != kNoAnonVma) {
    anon_vmas_[idx(own)].num_active_vmas--;
    anon_vmas_[idx(own)].degree--;
  }
  for (AvcId avc_id : emptied) {
    put(avcs_[idx(avc_id)].anon_vma);
    avcs_[idx(avc_id)].alive = false;
    live_avcs_--;
  }
}

void AnonVmaForest::remove_from_trees(VmaId vma) {
  for (AvcId avc : chain(vma)) tree_remove(avc);
}

void AnonVmaForest::insert_into_trees(const World& w, VmaId vma) {
  for (AvcId avc : chain(vma)) tree_insert(w, avc);
}

void AnonVmaForest::walk(const World& w, const Folio& f, AnonVmaId av_id, RmapWalk& out) const {
  if (idx(av_id) >= anon_vmas_.size()) {
    out.faults.push_back(fmt::format("folio {} has a mapping that is no anon_vma", idx(f.id)));
    return;
  }
  const AnonVma& av = anon_vmas_[idx(av_id)];
  if (!av.alive) {
    out.faults.push_back(fmt::format("folio {} (pfn {}) maps freed anon_vma av{}", idx(f.id), idx(f.pfn), idx(av_id)));
    return;
  }
  const PageNo first = f.index, last = geom::folio_last_index(f.index, PageNo{f.nr_pages()});
  for (AvcId avc_id : av.tree) {
    const Avc& avc = avcs_[idx(avc_id)];
    if (!geom::interval_overlaps(avc.first, avc.last, first, last)) continue;
    const Vma& v = w.vma(avc.vma);
    if (!v.alive) {
      out.faults.push_back(fmt::format("av{} links freed VMA {}", idx(av_id), idx(avc.vma)));
      continue;
    }
    out.visits.push_back({avc.vma, geom::page_address(v.start, v.pgoff, f.index)});
  }
}

// anon_vma_compatible + reusable_anon_vma: the two VMAs could merge but for
// their protection, and the neighbour never took part in a fork tree of its
// own (a single-entry chain).
VmaId AnonVmaForest::find_mergeable_neighbour(const World& w, VmaId vma, bool any_chain) const {
  auto compatible = [](const Vma& a, const Vma& b) {
    return a.end == b.start && a.flags == b.flags && geom::pgoff_continues(a.start, a.end, a.pgoff, b.pgoff);
  };
  auto reusable = [&](VmaId old, const Vma& a, const Vma& b) {
    return compatible(a, b) && w.vma(old).faulted() && (any_chain || chain(old).size() == 1);
  };
  const Vma& v = w.vma(vma);
  const VmaId next = w.vma_next(vma);
  if (next != kNoVma && reusable(next, v, w.vma(next))) return next;
  const VmaId prev = w.vma_prev(vma);
  if (prev != kNoVma && reusable(prev, w.vma(prev), v)) return prev;
  return kNoVma;
}

}  // namespace rmc
