// lazy_policy.cpp - the ANON_VMA_LAZY series and its variants, told simply.
#include "model/lazy/lazy_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "model/check/eager_invariants.h"
#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"
#include "model/lazy/lazy_invariants.h"
#include "model/lazy/lazy_words.h"

namespace rmc {

using namespace lazy;

namespace {

PageNo base_of(const Vma& v) { return geom::mapping_base(v.start, v.pgoff); }

// The anon_vma a regular or TREE_PARENT VMA's folios go to.
AnonVmaId target_anon_vma(const Vma& v) { return anon_vma_in(v.anon); }

}  // namespace

std::string_view LazyPolicy::name() const {
  switch (flavor_) {
    case Flavor::kSeries: return "lazy";
    case Flavor::kGki: return "lazy-gki";
    case Flavor::kBase0: return "base0";
  }
  return "?";
}

void LazyPolicy::reset() {
  forest_.reset();
  root_refs_.clear();
  held_mms_.clear();
  root_anon_vma_.clear();
}

// ---- root VMA lifetime -------------------------------------------------------------

void LazyPolicy::get_root(VmaId root) {
  if (idx(root) >= root_refs_.size()) root_refs_.resize(idx(root) + 1, 0);
  root_refs_[idx(root)]++;
}

void LazyPolicy::put_root(VmaId root) {
  assert(idx(root) < root_refs_.size() && root_refs_[idx(root)] > 0);
  root_refs_[idx(root)]--;
}

bool LazyPolicy::root_allocated(const World& w, uint64_t root) const {
  if (base0()) {
    const ProcessId pid = base0_mm(root);
    if (std::find(held_mms_.begin(), held_mms_.end(), root) != held_mms_.end()) return true;
    return idx(pid) < kMaxProcesses && w.proc(pid).live() && base0_root(pid, w.proc(pid).mm_generation) == root;
  }
  const VmaId r{static_cast<uint32_t>(root)};
  if (idx(r) >= w.vma_slots()) return false;
  return w.vma(r).alive || (idx(r) < root_refs_.size() && root_refs_[idx(r)] > 0);
}

uint64_t LazyPolicy::zombie_roots(const World& w) const {
  uint64_t n = 0;
  for (size_t i = 0; i < root_refs_.size(); i++) n += root_refs_[i] > 0 && !w.vma(VmaId{static_cast<uint32_t>(i)}).alive;
  return n;
}

// ---- first fault, split, fork, unlink -----------------------------------------------

// __vmf_anon_prepare with the lazy switch on: nothing is allocated; the VMA
// becomes its own root. base0 makes only VMAs with base 0 lazy; the others
// get a regular anon_vma (a fresh root, as the eager design would).
void LazyPolicy::prepare(World& w, VmaId id) {
  Vma& v = w.vma(id);
  if (v.faulted()) return;
  if (!w.lazy_enabled()) {
    prepare_mainline(w, id);
    return;
  }
  if (base0()) {
    if (base_of(v) == 0) {
      w.cover(Path::kLazyPrepare);
      v.anon = lazy_word(VmaId{static_cast<uint32_t>(base0_root(v.mm, w.proc(v.mm).mm_generation))});
      return;
    }
    w.cover(Path::kLazyBase0Regular);
    attach_regular(w, id, new_root());
    return;
  }
  w.cover(Path::kLazyPrepare);
  v.anon = lazy_word(id);
  get_root(id);
}

// S20: a second thread that tested the word before the first stored it.
// Under lazy.prepare_race plain it runs the lazy prepare again: the same
// word, and a second reference on the root that no VMA will drop. The
// other first faults are mainline's __anon_vma_prepare (the switch off,
// base0's VMAs with a base), which test again under page_table_lock; and
// base0's lazy word takes no reference, so storing it twice is harmless.
void LazyPolicy::prepare_raced(World& w, VmaId id) {
  if (w.options().lazy.prepare_race == LazyOptions::PrepareRace::kAtomic) return;
  if (base0() || !is_lazy(w.vma(id).anon) || root_of(w.vma(id).anon) != id) return;
  w.cover(Path::kLazyPrepareRaced);
  get_root(id);
}

// With anon_vma_lazy_enabled() false a first fault runs mainline's
// __anon_vma_prepare (S7): find_mergeable_anon_vma reads the neighbour's tree
// word through the series' accessor (patch 04 converts mm/vma.c), and
// reusable_anon_vma's singular-chain test comes first. A lazy neighbour has
// an empty anon_vma_chain, so its word (a root VMA) is never taken for an
// anon_vma; a regular neighbour with one AVC is reused as in eager, and so is
// a TREE_PARENT one whose chain is its parent's anon_vma alone (the accessor
// returns that anon_vma: the new VMA joins the parent's).
void LazyPolicy::prepare_mainline(World& w, VmaId id) {
  const VmaId neighbour = forest_.find_mergeable_neighbour(w, id, /*any_chain=*/false);
  if (neighbour != kNoVma) {
    assert(!is_lazy(w.vma(neighbour).anon));  // a lazy VMA has no chain
    w.cover(Path::kLazySwitchOffReuse);
    attach_regular(w, id, anon_vma_in(w.vma(neighbour).anon));
  } else {
    w.cover(Path::kLazySwitchOffNew);
    attach_regular(w, id, new_root());
  }
}

// anon_vma_alloc for a new root: its self-parent link counts as a child.
AnonVmaId LazyPolicy::new_root() {
  const AnonVmaId av = forest_.alloc();
  forest_.anon_vma_mut(av).num_children = 1;
  return av;
}

// The VMA gets `av` as its own regular anon_vma: one AVC, one active VMA.
void LazyPolicy::attach_regular(World& w, VmaId id, AnonVmaId av) {
  w.vma(id).anon = regular_word(av);
  forest_.link(w, id, av);
  forest_.anon_vma_mut(av).num_active_vmas++;
}

// Split, copy_vma and dup_anon_vma: the copy shares the root (one more
// reference) or, for regular and TREE_PARENT VMAs, the chain.
void LazyPolicy::clone(World& w, VmaId dst, VmaId src) {
  const AnonWord word = w.vma(src).anon;
  if (is_lazy(word)) {
    if (!base0()) get_root(root_of(word));
    return;
  }
  forest_.clone_chain(w, dst, src, nullptr);
  if (is_regular(word) || w.options().lazy.count_tree_parent)
    forest_.anon_vma_mut(anon_vma_in(word)).num_active_vmas++;
}

// Leave lazy mode: a lazy VMA gets a regular anon_vma (per VMA, or one per
// root with lazy.upgrade root); a TREE_PARENT VMA gets its own anon_vma as a
// child of the one it was linked to, or reuses one of its chain
// (lazy.parent_upgrade reuse) as anon_vma_fork would.
void LazyPolicy::upgrade(World& w, VmaId id) {
  const AnonWord word = w.vma(id).anon;
  if (is_parent(word)) {
    w.cover(Path::kLazyUpgradeParent);
    const AnonVmaId parent = anon_vma_in(word);
    if (w.options().lazy.count_tree_parent) forest_.anon_vma_mut(parent).num_active_vmas--;
    if (w.options().lazy.parent_upgrade == LazyOptions::ParentUpgrade::kReuse) {
      for (auto it = forest_.chain(id).rbegin(); it != forest_.chain(id).rend(); ++it) {
        AnonVma& a = forest_.anon_vma_mut(forest_.avc(*it).anon_vma);
        if (a.num_children < 2 && a.num_active_vmas == 0) {
          w.cover(Path::kLazyUpgradeParentReuse);
          a.num_active_vmas++;
          w.vma(id).anon = regular_word(a.id);
          return;
        }
      }
    }
    AnonVmaId av = forest_.alloc_child(parent);
    forest_.anon_vma_mut(av).num_active_vmas = 1;
    w.vma(id).anon = regular_word(av);
    forest_.link(w, id, av);
    return;
  }
  if (!is_lazy(word)) return;
  w.cover(Path::kLazyUpgrade);
  // base0 always fixes every folio when it leaves lazy mode; the series only
  // those fork copies or mremap moves, unless lazy.repoint all.
  join_anon_vma(w, id, upgrade_target(w, root_of(word)),
                base0() || w.options().lazy.repoint == LazyOptions::Repoint::kAll);
}

// The anon_vma a VMA of lazy tree `root` (base0: of mm `root`) upgrades
// into: a new root anon_vma, or the tree's one under lazy.upgrade root.
// base0 keeps it by process (exit_mm forgets it when the mm goes).
AnonVmaId LazyPolicy::upgrade_target(World& w, VmaId tree) {
  const VmaId root = base0() ? VmaId{idx(base0_mm(idx(tree)))} : tree;
  const bool per_root = w.options().lazy.upgrade == LazyOptions::UpgradeScope::kRoot;
  if (per_root && idx(root) < root_anon_vma_.size() && forest_.valid(root_anon_vma_[idx(root)]))
    return root_anon_vma_[idx(root)];
  const AnonVmaId av = new_root();
  if (per_root) {
    if (idx(root) >= root_anon_vma_.size()) root_anon_vma_.resize(idx(root) + 1, kNoAnonVma);
    root_anon_vma_[idx(root)] = av;
  }
  return av;
}

// A lazy VMA leaves its tree for the regular anon_vma `av`; with `repoint`,
// its folios that pointed at the root now point at `av`.
void LazyPolicy::join_anon_vma(World& w, VmaId id, AnonVmaId av, bool repoint) {
  const VmaId root = root_of(w.vma(id).anon);
  attach_regular(w, id, av);
  if (!base0()) put_root(root);
  if (repoint) {
    w.cover(Path::kLazyUpgradeRepoint);
    repoint_folios(w, id, lazy_mapping(root), regular_word(av));
  }
}

// Every present (or migrating) folio of the VMA whose mapping is `from`
// now has mapping `to`; with lazy.repoint_swap, also the swap-cached folios
// behind its swap entries.
void LazyPolicy::repoint_folios(World& w, VmaId id, MappingWord from, MappingWord to) {
  const Vma& v = w.vma(id);
  const bool swap_too = w.options().lazy.repoint_swap;
  auto [first, last] = w.proc(v.mm).pt.range(v.start, v.end);
  for (auto* e = first; e != last; ++e) {
    FolioId folio = kNoFolio;
    if (e->pte.kind == PteKind::kPresent || e->pte.kind == PteKind::kMigration) folio = w.folio_of(e->pte.pfn());
    else if (e->pte.kind == PteKind::kSwap && swap_too) folio = w.slot(e->pte.slot()).cache;
    if (folio == kNoFolio) continue;
    Folio& f = w.folio(folio);
    if (f.mapping == from) f.mapping = to;
  }
}

// A merge under lazy.merge upgrade is about to join two faulted VMAs of
// different anon state (is_mergeable_anon allowed it: at least one is lazy,
// neither is TREE_PARENT or a fork child). Both end in one regular
// anon_vma: the regular side's, or the target's upgrade; every folio of the
// lazy side is re-pointed, as the merged VMA's walk would not find it else.
void LazyPolicy::unify_anon(World& w, VmaId target, VmaId other) {
  assert(w.options().lazy.merge == LazyOptions::Merge::kUpgrade);
  if (is_lazy(w.vma(target).anon) && is_lazy(w.vma(other).anon))
    join_anon_vma(w, target, upgrade_target(w, root_of(w.vma(target).anon)), true);
  const bool target_lazy = is_lazy(w.vma(target).anon);
  const VmaId lazy_side = target_lazy ? target : other;
  const VmaId regular_side = target_lazy ? other : target;
  assert(is_regular(w.vma(regular_side).anon) && is_lazy(w.vma(lazy_side).anon));
  join_anon_vma(w, lazy_side, anon_vma_of(w.vma(regular_side).anon), true);
}

// base0 keys lazy.upgrade root by mm: a new mm with the same pid starts
// afresh.
void LazyPolicy::exit_mm(World& /*w*/, ProcessId pid) {
  if (base0() && idx(pid) < root_anon_vma_.size()) root_anon_vma_[idx(pid)] = kNoAnonVma;
}

// anon_vma_fork: the parent leaves lazy mode first (patch 10); the child is a
// TREE_PARENT linked into the parent's tree (series), or gets an anon_vma
// of its own as in the eager design (GKI, base0).
void LazyPolicy::fork(World& w, VmaId child, VmaId parent) {
  if (!w.vma(parent).faulted()) return;
  upgrade(w, parent);
  const AnonVmaId parent_av = target_anon_vma(w.vma(parent));
  w.vma(child).anon = kNoAnon;
  if (flavor_ == Flavor::kSeries) {
    w.cover(Path::kLazyForkTreeParent);
    forest_.clone_chain(w, child, parent, nullptr);
    w.vma(child).anon = parent_word(parent_av);
    if (w.options().lazy.count_tree_parent) forest_.anon_vma_mut(parent_av).num_active_vmas++;
    return;
  }
  AnonVmaId reused = forest_.clone_chain(w, child, parent, [](const AnonVma& a) {
    return a.num_children < 2 && a.num_active_vmas == 0;
  });
  if (reused != kNoAnonVma) {
    w.cover(Path::kLazyForkReuse);
    w.vma(child).anon = regular_word(reused);
    forest_.anon_vma_mut(reused).num_active_vmas++;
    return;
  }
  w.cover(Path::kLazyForkNew);
  AnonVmaId av = forest_.alloc_child(parent_av);
  forest_.anon_vma_mut(av).num_active_vmas = 1;
  w.vma(child).anon = regular_word(av);
  forest_.link(w, child, av);
}

// try_dup_anon_rmap: a lazy folio about to be shared is re-pointed to the
// (now regular) parent VMA's anon_vma.
void LazyPolicy::fork_page(World& w, FolioId folio, VmaId parent_vma) {
  Folio& f = w.folio(folio);
  if (!is_lazy_mapping(f.mapping)) return;
  w.cover(Path::kLazyForkPageRepoint);
  f.mapping = regular_word(target_anon_vma(w.vma(parent_vma)));
}

void LazyPolicy::unlink(World& w, VmaId id) {
  Vma& v = w.vma(id);
  if (is_lazy(v.anon)) {
    if (!base0()) {
      put_root(root_of(v.anon));
      // The root is unlinked while other VMAs of its tree keep its struct.
      if (root_of(v.anon) == id && root_refs_[idx(id)] > 0) w.cover(Path::kLazyZombieRoot);
    }
  } else if (is_regular(v.anon)) {
    forest_.unlink_chain(id, anon_vma_in(v.anon));
  } else if (is_parent(v.anon)) {
    forest_.unlink_chain(id, w.options().lazy.count_tree_parent ? anon_vma_in(v.anon) : kNoAnonVma);
  }
  v.anon = kNoAnon;
}

void LazyPolicy::range_will_change(World& /*w*/, VmaId vma) { forest_.remove_from_trees(vma); }
void LazyPolicy::range_changed(World& w, VmaId vma) { forest_.insert_into_trees(w, vma); }

// ---- mremap -------------------------------------------------------------------------

// copy_vma upgrades a lazy VMA before it moves: the new range has another
// base, so the root could not address it.
void LazyPolicy::before_move(World& w, VmaId vma) {
  if (is_lazy(w.vma(vma).anon)) {
    w.cover(Path::kLazyMoveUpgrade);
    upgrade(w, vma);
  }
}

// exec's stack relocation: the series and GKI keep the stack lazy (it is its
// own root, so base + index follows the struct); base0 names pages by their
// virtual page and must leave lazy mode (lazy-design.md 2(c)), unless
// lazy.base0_exec stay.
void LazyPolicy::before_relocate(World& w, VmaId vma) {
  if (base0() && w.options().lazy.base0_exec == LazyOptions::Base0Exec::kLeave && is_lazy(w.vma(vma).anon)) {
    w.cover(Path::kLazyRelocateUpgrade);
    upgrade(w, vma);
  }
}

// move_ptes re-points the lazy folio of every present entry it moves;
// migration entries unless lazy.mremap_fix_migration off, swap entries only
// with lazy.mremap_fix_swap (the series says neither).
void LazyPolicy::moved_pte(World& w, const Pte& pte, VmaId to) {
  FolioId id = kNoFolio;
  if (pte.kind == PteKind::kPresent || (pte.kind == PteKind::kMigration && w.options().lazy.mremap_fix_migration))
    id = w.folio_of(pte.pfn());
  else if (pte.kind == PteKind::kSwap && w.options().lazy.mremap_fix_swap) id = w.slot(pte.slot()).cache;
  if (id == kNoFolio || !is_lazy_mapping(w.folio(id).mapping)) return;
  const Vma& dst = w.vma(to);
  if (is_regular(dst.anon) || is_parent(dst.anon)) {
    w.cover(Path::kLazyMovedPteRepoint);
    w.folio(id).mapping = regular_word(target_anon_vma(dst));
  }
}

// ---- migration and UFFDIO_MOVE ---------------------------------------------------------

// folio_get_anon_vma in move_pages_pte: hooked for lazy folios (the root is
// what the move locks; folio_move_anon_rmap then names the destination's
// root), or, with lazy.uffd_move eagain, the mainline function, which finds
// no anon_vma in a lazy mapping.
bool LazyPolicy::uffd_move_can_lock(const World& w, FolioId folio) const {
  if (!is_lazy_mapping(w.folio(folio).mapping)) return true;
  if (w.options().lazy.uffd_move == LazyOptions::UffdMove::kEagain) return false;
  w.cover(Path::kLazyUffdMove);
  return true;
}

// folio_get_anon_vma: a regular mapping pins its anon_vma, as in the eager
// design; a lazy one pins its root VMA, or in base0 its mm, unless
// lazy.migration_ref none. A mapping already freed gives nothing (the
// eager design's VM_BUG_ON_FOLIO).
MappingWord LazyPolicy::migration_get(World& w, MappingWord mapping) {
  if (mapping == kNoMapping) return kNoMapping;
  if (is_lazy_mapping(mapping) && w.options().lazy.migration_ref == LazyOptions::MigrationRef::kNone)
    return kNoMapping;
  const uint64_t root = mapping & kIdMask;
  const bool got = !is_lazy_mapping(mapping) ? forest_.get_for_migration(anon_vma_of(mapping))
                                             : root_allocated(w, root);
  if (!got) {
    w.events().warnings.push_back(fmt::format("migrate_folio_unmap: the anon rmap of a mapped folio is freed ({})",
                                              describe_mapping(w, mapping)));
    return kNoMapping;
  }
  if (is_lazy_mapping(mapping)) {
    w.cover(Path::kLazyMigrationRef);
    if (base0()) held_mms_.push_back(root);
    else get_root(VmaId{static_cast<uint32_t>(root)});
  }
  return mapping;
}

void LazyPolicy::migration_put(World& /*w*/, MappingWord held) {
  if (held == kNoMapping) return;
  if (!is_lazy_mapping(held)) {
    forest_.put_for_migration(anon_vma_of(held));
    return;
  }
  const uint64_t root = held & kIdMask;
  if (!base0()) {
    put_root(VmaId{static_cast<uint32_t>(root)});
    return;
  }
  auto it = std::find(held_mms_.begin(), held_mms_.end(), root);
  assert(it != held_mms_.end());
  held_mms_.erase(it);
}

// ---- merging ---------------------------------------------------------------------------

bool LazyPolicy::fork_child(const World& w, VmaId vma) const {
  if (vma == kNoVma) return false;
  const AnonWord word = w.vma(vma).anon;
  return is_parent(word) || (is_regular(word) && forest_.chain(vma).size() > 1);
}

// Regular and TREE_PARENT VMAs merge by the eager rules. A lazy VMA merges
// with the same tree or with an unfaulted VMA (which joins the tree); with
// another tree or a regular anon_vma never (lazy.merge refuse, the
// plausible reading of the series, lazy-design.md 1.3), or after both are
// upgraded into one anon_vma (lazy.merge upgrade), unless the other side is
// TREE_PARENT or a fork child, which the eager rules keep apart too.
bool LazyPolicy::is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon,
                                   VmaId middle, VmaId copied_from) const {
  const AnonWord target_anon = w.vma(target).anon;
  if (is_lazy(target_anon) || is_lazy(source_anon)) {
    if (target_anon == source_anon || target_anon == kNoAnon || source_anon == kNoAnon) return true;
    if (w.options().lazy.merge == LazyOptions::Merge::kRefuse) {
      w.cover(Path::kLazyMergeRefused);
      return false;
    }
    if (is_parent(target_anon) || is_parent(source_anon)) return false;
    if (is_regular(target_anon)) return !fork_child(w, target);
    if (is_regular(source_anon)) return !fork_child(w, middle) && !fork_child(w, copied_from);
    return true;  // two lazy trees
  }
  if (target_anon == kNoAnon && source_anon != kNoAnon)
    return !fork_child(w, middle) && !fork_child(w, copied_from);
  if (target_anon != kNoAnon && source_anon == kNoAnon) return !fork_child(w, target);
  return target_anon == source_anon;
}

// ---- folios ---------------------------------------------------------------------------

// __folio_set_anon: a lazy VMA's folios point at its root; regular ones as
// in the eager design; a TREE_PARENT VMA's new folios (COW) go to the
// anon_vma it is linked to (the series does not say; the plausible choice),
// or, with lazy.parent_cow upgrade, the VMA first gets one of its own.
void LazyPolicy::set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) {
  if (is_parent(w.vma(vma).anon) && w.options().lazy.parent_cow == LazyOptions::ParentCow::kUpgrade)
    upgrade(w, vma);
  const Vma& v = w.vma(vma);
  assert(v.faulted());
  if (is_lazy(v.anon)) {
    w.folio(folio).mapping = lazy_mapping(root_of(v.anon));
    return;
  }
  const AnonVmaId av = target_anon_vma(v);
  if (is_parent(v.anon)) w.cover(Path::kLazyParentCow);
  w.folio(folio).mapping = regular_word(exclusive ? av : forest_.anon_vma(av).root);
}

void LazyPolicy::move_anon(World& w, FolioId folio, VmaId vma) {
  const Vma& v = w.vma(vma);
  assert(v.faulted());
  w.folio(folio).mapping = is_lazy(v.anon) ? lazy_mapping(root_of(v.anon)) : regular_word(target_anon_vma(v));
}

// ksm_might_need_to_copy. For a lazy folio the unconverted kernel finds no
// anon_vma and maps it as it is; converted, it copies unless the faulting
// VMA is in the folio's lazy tree at the folio's index.
bool LazyPolicy::swapcache_folio_fits(const World& w, FolioId folio, VmaId vma, PageNo addr) const {
  const Folio& f = w.folio(folio);
  const Vma& v = w.vma(vma);
  if (f.mapping == kNoMapping) return true;
  const bool index_fits = f.index == geom::linear_page_index(v.start, v.pgoff, addr);
  if (is_lazy_mapping(f.mapping)) {
    if (w.options().lazy.swapin == LazyOptions::Swapin::kUnconverted) return true;
    return v.anon == lazy_word(root_of(f.mapping)) && index_fits;
  }
  if (!is_regular(v.anon) && !is_parent(v.anon)) return false;
  const AnonVmaId folio_av = anon_vma_of(f.mapping);
  if (!forest_.valid(folio_av)) return false;
  return index_fits && forest_.anon_vma(folio_av).root == forest_.anon_vma(target_anon_vma(v)).root;
}

// ---- the walk ---------------------------------------------------------------------------

// vm_start as the lazy walk reads it: it takes no lock, so under
// lazy.base_read torn it reads a stack's vm_start from before a growth
// under way (S5), whose vm_pgoff is already the new one.
PageNo LazyPolicy::start_as_walked(const World& w, const Vma& v) const {
  const PageNo seen = w.walker_start(v.id);
  if (w.options().lazy.base_read == LazyOptions::BaseRead::kStable || seen == v.start) return v.start;
  w.cover(Path::kLazyTornBase);
  return seen;
}

// rmap_walk: regular folios as in the eager design. A lazy folio: the
// address from the root's base, then the VMA(s) of the root's mm covering it,
// accepted if they are in the same lazy tree with the same base (base0: any
// lazy VMA with base 0). One mm, no lock, and by default one VMA.
void LazyPolicy::rmap_walk(const World& w, FolioId folio, RmapWalk& out) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return;
  if (!is_lazy_mapping(f.mapping)) {
    forest_.walk(w, f, anon_vma_of(f.mapping), out);
    return;
  }
  const uint64_t root = f.mapping & kIdMask;
  if (!root_allocated(w, root)) {
    out.faults.push_back(fmt::format("folio {} (pfn {}) maps freed {} {}", idx(f.id), idx(f.pfn),
                                     base0() ? "mm" : "root VMA", root));
    return;
  }
  ProcessId mm;
  PageNo addr;
  AnonWord tree;
  if (base0()) {
    mm = base0_mm(root);
    addr = geom::base0_address(f.index);
    tree = lazy_word(VmaId{static_cast<uint32_t>(root)});
  } else {
    const Vma& r = w.vma(VmaId{static_cast<uint32_t>(root)});
    mm = r.mm;
    addr = geom::lazy_root_address(start_as_walked(w, r), r.pgoff, f.index);
    tree = lazy_word(r.id);
    if (!w.proc(mm).live()) return;
  }
  const PageNo base = addr - f.index;
  // lazy.addr_check naive: a sanity check "addr >= base" that reads a
  // wrapped base (a private file offset above vm_start, S19) as an overflow.
  if (w.options().lazy.addr_check == LazyOptions::AddrCheck::kNaive && addr < base) return;
  auto accept = [&](VmaId id) {
    const Vma& v = w.vma(id);
    if (v.anon == tree && geom::mapping_base(start_as_walked(w, v), v.pgoff) == base) out.visits.push_back({id, addr});
  };
  const bool all = base0() || w.options().lazy.walk == LazyOptions::Walk::kAll;
  if (!all) {
    VmaId id = w.vma_lookup(mm, addr);
    if (id != kNoVma) accept(id);
    return;
  }
  for (VmaId id = w.find_vma(mm, addr); id != kNoVma && w.vma(id).start < addr + f.nr_pages(); id = w.vma_next(id))
    accept(id);
}

// ---- reporting and checks ------------------------------------------------------------------

std::string LazyPolicy::describe_anon(const World& w, VmaId vma) const {
  const AnonWord word = w.vma(vma).anon;
  if (word == kNoAnon) return "-";
  if (is_lazy(word)) return base0() ? "lazy(mm)" : fmt::format("lazy(root {})", idx(root_of(word)));
  if (is_parent(word)) return fmt::format("parent(av{})", idx(anon_vma_in(word)));
  std::string out = fmt::format("av{}", idx(anon_vma_of(word)));
  if (forest_.chain(vma).size() > 1) out += fmt::format("/{}", forest_.chain(vma).size());
  return out;
}

std::string LazyPolicy::describe_mapping(const World& /*w*/, MappingWord mapping) const {
  if (mapping == kNoMapping) return "-";
  if (is_lazy_mapping(mapping))
    return base0() ? fmt::format("mm {}", process_name(base0_mm(mapping & kIdMask)))
                   : fmt::format("root VMA {}", mapping & kIdMask);
  return fmt::format("av{}", idx(anon_vma_of(mapping)));
}

AnonVmaView LazyPolicy::view(bool count_tree_parent) const {
  // TREE_PARENT VMAs are linked but own no anon_vma, unless counted.
  auto own_regular = [](const Vma& v) { return is_regular(v.anon) ? anon_vma_of(v.anon) : kNoAnonVma; };
  auto own_counted = [](const Vma& v) {
    return is_regular(v.anon) || is_parent(v.anon) ? anon_vma_in(v.anon) : kNoAnonVma;
  };
  return AnonVmaView{
      forest_,
      count_tree_parent ? +own_counted : +own_regular,
      [](const Vma& v) { return is_regular(v.anon) || is_parent(v.anon); },
      [](MappingWord m) { return m == kNoMapping || is_lazy_mapping(m) ? kNoAnonVma : anon_vma_of(m); },
  };
}

void LazyPolicy::check(const World& w, std::vector<Violation>& out) const {
  // The forest invariants hold for the VMAs and folios in anon_vma trees;
  // I6 does not (TREE_PARENT VMAs of several mms share their parent's).
  const AnonVmaView v = view(w.options().lazy.count_tree_parent);
  check_forest_invariants(w, v, out);
  check_lazy_invariants(w, *this, out);
}

}  // namespace rmc
