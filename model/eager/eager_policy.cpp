// eager_policy.cpp - mm/rmap.c (Linux 6.18) told simply.
#include "model/eager/eager_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "model/check/eager_invariants.h"
#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

namespace {

const std::vector<AvcId> kEmptyChain;

}  // namespace

void EagerPolicy::reset() {
  anon_vmas_.clear();
  avcs_.clear();
  chains_.clear();
  live_anon_vmas_ = 0;
  live_avcs_ = 0;
}

const std::vector<AvcId>& EagerPolicy::chain(VmaId vma) const {
  return idx(vma) < chains_.size() ? chains_[idx(vma)] : kEmptyChain;
}

std::vector<AvcId>& EagerPolicy::chain_mut(VmaId vma) {
  if (idx(vma) >= chains_.size()) chains_.resize(idx(vma) + 1);
  return chains_[idx(vma)];
}

// ---- object lifetime ----------------------------------------------------------

// anon_vma_alloc: refcount 1 (dropped when the tree empties), its own root
// and parent. (Before 2022, degree started at 1 "for the first vma".)
AnonVmaId EagerPolicy::anon_vma_alloc() {
  AnonVmaId id{static_cast<uint32_t>(anon_vmas_.size())};
  AnonVma av;
  av.id = id;
  av.root = id;
  av.parent = id;
  av.degree = 1;
  anon_vmas_.push_back(av);
  live_anon_vmas_++;
  return id;
}

// put_anon_vma / __put_anon_vma: the last reference frees the anon_vma, and a
// non-root then drops its reference on the root.
void EagerPolicy::put_anon_vma(AnonVmaId id) {
  AnonVma& av = anon_vmas_[idx(id)];
  assert(av.alive && av.refcount > 0);
  if (--av.refcount > 0) return;
  av.alive = false;
  live_anon_vmas_--;
  if (av.root != id) put_anon_vma(av.root);
}

// anon_vma_chain_link: new AVC at the head of the VMA's list, into the tree.
void EagerPolicy::link(World& w, VmaId vma, AnonVmaId av) {
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

// anon_vma_interval_tree_insert: keyed by the VMA's current page offsets.
void EagerPolicy::tree_insert(const World& w, AvcId id) {
  Avc& avc = avcs_[idx(id)];
  const Vma& v = w.vma(avc.vma);
  avc.first = v.pgoff;
  avc.last = v.pgoff + v.pages() - 1;
  avc.in_tree = true;
  std::vector<AvcId>& tree = anon_vmas_[idx(avc.anon_vma)].tree;
  auto pos = std::upper_bound(tree.begin(), tree.end(), avc.first,
                              [&](PageNo first, AvcId other) { return first < avcs_[idx(other)].first; });
  tree.insert(pos, id);
}

void EagerPolicy::tree_remove(AvcId id) {
  Avc& avc = avcs_[idx(id)];
  std::vector<AvcId>& tree = anon_vmas_[idx(avc.anon_vma)].tree;
  auto it = std::find(tree.begin(), tree.end(), id);
  assert(it != tree.end());
  tree.erase(it);
  avc.in_tree = false;
}

// ---- the anon_vma entry points --------------------------------------------------

// anon_vma_compatible + reusable_anon_vma: a neighbour's anon_vma may be shared
// if the two VMAs could merge but for protection, and the neighbour never
// took part in a fork tree of its own (a single-entry chain).
AnonVmaId EagerPolicy::find_mergeable_anon_vma(const World& w, VmaId id) const {
  auto compatible = [&](const Vma& a, const Vma& b) {
    return a.end == b.start && a.flags == b.flags &&
           geom::pgoff_continues(a.start, a.end, a.pgoff, b.pgoff);
  };
  auto reusable = [&](VmaId old, const Vma& a, const Vma& b) -> AnonVmaId {
    const Vma& o = w.vma(old);
    if (!compatible(a, b) || !o.faulted()) return kNoAnonVma;
    // B4 (pre-2010 hardening): any chain length would do.
    if (chain(old).size() != 1 && !w.options().bug(Bug::kB4)) return kNoAnonVma;
    return anon_vma_of(o.anon);
  };
  const Vma& v = w.vma(id);
  VmaId next = w.vma_next(id);
  if (next != kNoVma) {
    AnonVmaId av = reusable(next, v, w.vma(next));
    if (av != kNoAnonVma) return av;
  }
  VmaId prev = w.vma_prev(id);
  if (prev != kNoVma) return reusable(prev, w.vma(prev), v);
  return kNoAnonVma;
}

// __anon_vma_prepare: reuse a neighbour's anon_vma or allocate a new root.
void EagerPolicy::prepare(World& w, VmaId id) {
  if (w.vma(id).faulted()) return;
  AnonVmaId av = find_mergeable_anon_vma(w, id);
  if (av == kNoAnonVma) {
    av = anon_vma_alloc();
    anon_vmas_[idx(av)].num_children++;  // the self-parent link of a root
  }
  w.vma(id).anon = anon_word(av);
  link(w, id, av);
  anon_vmas_[idx(av)].num_active_vmas++;
  anon_vmas_[idx(av)].degree++;  // "vma reference or self-parent link for new root"
}

// anon_vma_clone (6.18): link dst into every anon_vma of src's chain, oldest
// first. Only fork arrives with dst->anon_vma == NULL, and only then may an
// anon_vma with no VMA and at most one child be reused for dst.
void EagerPolicy::clone(World& w, VmaId dst, VmaId src) {
  chain_mut(dst);  // size chains_ first: link() must not move src's list
  const std::vector<AvcId>& src_chain = chain_mut(src);
  const AnonWord src_anon = w.vma(src).anon;
  for (auto it = src_chain.rbegin(); it != src_chain.rend(); ++it) {
    const AnonVmaId av = avcs_[idx(*it)].anon_vma;
    link(w, dst, av);
    if (w.vma(dst).faulted() || src_anon == kNoAnon) continue;
    const AnonVma& a = anon_vmas_[idx(av)];
    const bool reusable = w.options().bug(Bug::kB12)
                              ? (anon_word(av) != src_anon && a.degree < 2)  // pre-2022
                              : (a.num_children < 2 && a.num_active_vmas == 0);
    if (reusable) w.vma(dst).anon = anon_word(av);
  }
  if (w.vma(dst).faulted()) {
    AnonVma& own = anon_vmas_[idx(anon_vma_of(w.vma(dst).anon))];
    own.num_active_vmas++;
    own.degree++;
  }
}

// anon_vma_fork: the child VMA joins the parent's fork tree and, unless clone
// reused an orphaned anon_vma, gets a new one whose parent is the parent
// VMA's own and whose root is the tree's root.
void EagerPolicy::fork(World& w, VmaId child, VmaId parent) {
  const AnonWord parent_anon = w.vma(parent).anon;
  if (parent_anon == kNoAnon) return;
  w.vma(child).anon = kNoAnon;
  clone(w, child, parent);
  if (w.vma(child).faulted()) return;
  const AnonVmaId parent_av = anon_vma_of(parent_anon);
  AnonVmaId av = anon_vma_alloc();
  AnonVma& a = anon_vmas_[idx(av)];
  a.num_active_vmas = 1;
  a.root = anon_vmas_[idx(parent_av)].root;
  a.parent = parent_av;
  anon_vmas_[idx(a.root)].refcount++;  // get_anon_vma(root)
  w.vma(child).anon = anon_word(av);
  link(w, child, av);
  anon_vmas_[idx(parent_av)].num_children++;
  anon_vmas_[idx(parent_av)].degree++;
}

// unlink_anon_vmas: remove the VMA's AVCs from their trees, newest first; an
// anon_vma whose tree empties stops counting as its parent's child and loses
// its tree reference (freed after the loop).
void EagerPolicy::unlink(World& w, VmaId id) {
  std::vector<AvcId>& list = chain_mut(id);
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
  Vma& v = w.vma(id);
  if (v.faulted()) {
    AnonVma& own = anon_vmas_[idx(anon_vma_of(v.anon))];
    own.num_active_vmas--;
    own.degree--;
    v.anon = kNoAnon;
  }
  for (AvcId avc_id : emptied) {
    put_anon_vma(avcs_[idx(avc_id)].anon_vma);
    avcs_[idx(avc_id)].alive = false;
    live_avcs_--;
  }
}

// anon_vma_interval_tree_pre_update_vma / _post_update_vma.
void EagerPolicy::range_will_change(World& /*w*/, VmaId vma) {
  for (AvcId avc : chain(vma)) tree_remove(avc);
}

void EagerPolicy::range_changed(World& w, VmaId vma) {
  for (AvcId avc : chain(vma)) tree_insert(w, avc);
}

// vma_had_uncowed_parents / vma_is_fork_child: a faulted VMA whose chain has
// more than one anon_vma belongs to a fork tree.
bool EagerPolicy::fork_child(const World& w, VmaId vma) const {
  return vma != kNoVma && w.vma(vma).faulted() && chain(vma).size() > 1;
}

// is_mergeable_anon_vma (6.18.8+).
bool EagerPolicy::is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon,
                                    VmaId middle, VmaId copied_from) const {
  const AnonWord target_anon = w.vma(target).anon;
  if (target_anon == kNoAnon && source_anon != kNoAnon) {
    // dup_anon_vma() will copy the source's chain into the target: refuse
    // fork children, whose chains are long (scalability). B17: before
    // 6.18.8 an mremap copy (middle == NULL) was not checked at all.
    if (fork_child(w, middle)) return false;
    if (!w.options().bug(Bug::kB17) && fork_child(w, copied_from)) return false;
    return true;
  }
  if (target_anon != kNoAnon && source_anon == kNoAnon) return !fork_child(w, target);
  return target_anon == source_anon;
}

// __folio_set_anon: an exclusive folio belongs to the VMA's own anon_vma; a
// folio that may be shared (non-exclusive swap-in) goes to the root, where
// every VMA of the fork tree can find it.
void EagerPolicy::set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) {
  const AnonVmaId own = anon_vma_of(w.vma(vma).anon);
  assert(w.vma(vma).faulted());
  w.folio(folio).mapping = anon_word(exclusive ? own : anon_vmas_[idx(own)].root);
}

// folio_move_anon_rmap: a folio reused on COW moves to the VMA's own anon_vma.
void EagerPolicy::move_anon(World& w, FolioId folio, VmaId vma) {
  assert(w.vma(vma).faulted());
  w.folio(folio).mapping = w.vma(vma).anon;
}

// ksm_might_need_to_copy: a swap-cache folio can be mapped as it is only if
// it is not anon yet, or its index and anon_vma root fit the faulting VMA.
bool EagerPolicy::swapcache_folio_fits(const World& w, FolioId folio, VmaId vma,
                                       PageNo addr) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return true;
  const Vma& v = w.vma(vma);
  if (!v.faulted()) return false;
  const AnonVmaId folio_av = anon_vma_of(f.mapping);
  return f.index == geom::linear_page_index(v.start, v.pgoff, addr) &&
         anon_vmas_[idx(folio_av)].root == anon_vmas_[idx(anon_vma_of(v.anon))].root;
}

// rmap_walk_anon: only the anon_vma in folio->mapping is searched; every AVC
// whose VMA's page offsets overlap the folio's is visited, in tree order.
void EagerPolicy::rmap_walk(const World& w, FolioId folio, RmapWalk& out) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return;
  const AnonVmaId av_id = anon_vma_of(f.mapping);
  if (idx(av_id) >= anon_vmas_.size()) {
    out.faults.push_back(fmt::format("folio {} has a mapping that is no anon_vma", idx(folio)));
    return;
  }
  const AnonVma& av = anon_vmas_[idx(av_id)];
  if (!av.alive) {
    out.faults.push_back(fmt::format("folio {} (pfn {}) maps freed anon_vma av{}", idx(folio),
                                     idx(f.pfn), idx(av_id)));
    return;
  }
  const PageNo first = f.index, last = f.index + f.nr_pages() - 1;
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

std::string EagerPolicy::describe_anon(const World& w, VmaId vma) const {
  const Vma& v = w.vma(vma);
  if (!v.faulted()) return "-";
  std::string out = fmt::format("av{}", idx(anon_vma_of(v.anon)));
  if (chain(vma).size() > 1) out += fmt::format("/{}", chain(vma).size());
  return out;
}

std::string EagerPolicy::describe_mapping(const World& /*w*/, MappingWord mapping) const {
  if (mapping == kNoMapping) return "-";
  return fmt::format("av{}", idx(anon_vma_of(mapping)));
}

void EagerPolicy::check(const World& w, std::vector<Violation>& out) const {
  check_eager_invariants(w, *this, out);
}

}  // namespace rmc
