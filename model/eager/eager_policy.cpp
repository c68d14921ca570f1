// eager_policy.cpp - mm/rmap.c (Linux 6.18) told simply: when anon_vmas are
// allocated, shared, reused and merged.
#include "model/eager/eager_policy.h"

#include <fmt/format.h>

#include <cassert>

#include "model/check/eager_invariants.h"
#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

namespace {

AnonVmaId own_of(const World& w, VmaId vma) { return anon_vma_of(w.vma(vma).anon); }

}  // namespace

// A neighbour's anon_vma may be shared (AnonVmaForest::find_mergeable_neighbour);
// B4 (pre-2010 hardening) accepts any chain length.
AnonVmaId EagerPolicy::find_mergeable_anon_vma(const World& w, VmaId id) const {
  const VmaId neighbour = forest_.find_mergeable_neighbour(w, id, w.options().bug(Bug::kB4));
  return neighbour == kNoVma ? kNoAnonVma : anon_vma_of(w.vma(neighbour).anon);
}

// __anon_vma_prepare: reuse a neighbour's anon_vma or allocate a new root.
void EagerPolicy::prepare(World& w, VmaId id) {
  if (w.vma(id).faulted()) return;
  AnonVmaId av = find_mergeable_anon_vma(w, id);
  w.cover(av == kNoAnonVma ? Path::kEagerPrepareNew : Path::kEagerPrepareReuse);
  if (av == kNoAnonVma) {
    av = forest_.alloc();
    forest_.anon_vma_mut(av).num_children++;  // the self-parent link of a root
  }
  w.vma(id).anon = anon_word(av);
  forest_.link(w, id, av);
  forest_.anon_vma_mut(av).num_active_vmas++;
  forest_.anon_vma_mut(av).degree++;  // "vma reference or self-parent link for new root"
}

// anon_vma_clone (6.18): link dst into every anon_vma of src's chain, oldest
// first. Only fork arrives with dst->anon_vma == NULL, and only then may an
// anon_vma with no VMA and at most one child be reused for dst.
void EagerPolicy::clone(World& w, VmaId dst, VmaId src) {
  const AnonWord src_anon = w.vma(src).anon;
  std::function<bool(const AnonVma&)> reusable;
  if (!w.vma(dst).faulted() && src_anon != kNoAnon) {
    if (w.options().bug(Bug::kB12))  // pre-2022: one counter for children and VMAs
      reusable = [src_anon](const AnonVma& a) { return anon_word(a.id) != src_anon && a.degree < 2; };
    else
      reusable = [](const AnonVma& a) { return a.num_children < 2 && a.num_active_vmas == 0; };
  }
  AnonVmaId reused = forest_.clone_chain(w, dst, src, reusable);
  if (reused != kNoAnonVma) {
    w.cover(Path::kEagerForkReuse);
    w.vma(dst).anon = anon_word(reused);
  }
  if (w.vma(dst).faulted()) {
    AnonVma& own = forest_.anon_vma_mut(own_of(w, dst));
    own.num_active_vmas++;
    own.degree++;
  }
}

// anon_vma_fork: the child VMA joins the parent's fork tree and, unless clone
// reused an orphaned anon_vma, gets a new one whose parent is the parent
// VMA's own and whose root is the tree's root.
void EagerPolicy::fork(World& w, VmaId child, VmaId parent) {
  if (!w.vma(parent).faulted()) return;
  w.vma(child).anon = kNoAnon;
  clone(w, child, parent);
  if (w.vma(child).faulted()) return;
  w.cover(Path::kEagerForkNew);
  AnonVmaId av = forest_.alloc_child(own_of(w, parent));
  forest_.anon_vma_mut(av).num_active_vmas = 1;
  w.vma(child).anon = anon_word(av);
  forest_.link(w, child, av);
}

// unlink_anon_vmas.
void EagerPolicy::unlink(World& w, VmaId id) {
  Vma& v = w.vma(id);
  forest_.unlink_chain(id, v.faulted() ? own_of(w, id) : kNoAnonVma);
  v.anon = kNoAnon;
}

void EagerPolicy::range_will_change(World& /*w*/, VmaId vma) { forest_.remove_from_trees(vma); }

void EagerPolicy::range_changed(World& w, VmaId vma) { forest_.insert_into_trees(w, vma); }

// vma_had_uncowed_parents / vma_is_fork_child: a faulted VMA whose chain has
// more than one anon_vma belongs to a fork tree.
bool EagerPolicy::fork_child(const World& w, VmaId vma) const {
  return vma != kNoVma && w.vma(vma).faulted() && forest_.chain(vma).size() > 1;
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
  assert(w.vma(vma).faulted());
  const AnonVmaId own = own_of(w, vma);
  if (!exclusive) w.cover(Path::kEagerSetAnonRoot);
  w.folio(folio).mapping = anon_word(exclusive ? own : forest_.anon_vma(own).root);
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
  return f.index == geom::linear_page_index(v.start, v.pgoff, addr) &&
         forest_.anon_vma(anon_vma_of(f.mapping)).root == forest_.anon_vma(own_of(w, vma)).root;
}

// folio_get_anon_vma: a migration pins the folio's anon_vma until its
// entries are restored. migrate_folio_unmap's VM_BUG_ON_FOLIO fires for a
// mapped anon folio whose anon_vma could not be had.
MappingWord EagerPolicy::migration_get(World& w, MappingWord mapping) {
  if (mapping == kNoMapping) return kNoMapping;
  if (forest_.get_for_migration(anon_vma_of(mapping))) return mapping;
  w.events().warnings.push_back(fmt::format("migrate_folio_unmap: the anon_vma of a mapped folio is freed ({})",
                                            describe_mapping(w, mapping)));
  return kNoMapping;
}

void EagerPolicy::migration_put(World& /*w*/, MappingWord held) {
  if (held != kNoMapping) forest_.put_for_migration(anon_vma_of(held));
}

// rmap_walk_anon: only the anon_vma in folio->mapping is searched.
void EagerPolicy::rmap_walk(const World& w, FolioId folio, RmapWalk& out) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return;
  forest_.walk(w, f, anon_vma_of(f.mapping), out);
}

std::string EagerPolicy::describe_anon(const World& w, VmaId vma) const {
  const Vma& v = w.vma(vma);
  if (!v.faulted()) return "-";
  std::string out = fmt::format("av{}", idx(anon_vma_of(v.anon)));
  if (forest_.chain(vma).size() > 1) out += fmt::format("/{}", forest_.chain(vma).size());
  return out;
}

std::string EagerPolicy::describe_mapping(const World& /*w*/, MappingWord mapping) const {
  if (mapping == kNoMapping) return "-";
  return fmt::format("av{}", idx(anon_vma_of(mapping)));
}

AnonVmaView EagerPolicy::view() const {
  return AnonVmaView{
      forest_,
      [](const Vma& v) { return v.faulted() ? anon_vma_of(v.anon) : kNoAnonVma; },
      [](const Vma& v) { return v.faulted(); },
      [](MappingWord m) { return m == kNoMapping ? kNoAnonVma : anon_vma_of(m); },
  };
}

void EagerPolicy::check(const World& w, std::vector<Violation>& out) const {
  check_eager_invariants(w, view(), out);
}

}  // namespace rmc
