// vma_ops.cpp - mm/vma.c told simply: split, the two kinds of merge, removal.
//
// Linux 6.18.8+ semantics (kernel-eager.md 2.7-2.9, corrected against the
// code in docs/kernel-rules.md). The anon side of every decision is the rmap
// policy's (is_mergeable_anon, clone, unlink); the geometry is geometry.h's.
#include <cassert>
#include <initializer_list>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

namespace {

// is_mergeable_vma: flags (here: prot and the VmFlag bits) must be equal.
// The model has no mempolicy, anon name, uffd context or file to compare.
bool attributes_match(const Vma& v, uint8_t prot, VmFlags flags) {
  return v.prot == prot && v.flags == flags;
}

}  // namespace

// ---- split ----------------------------------------------------------------------

// __split_vma(vma, at, new_below): the new struct takes the lower piece
// (new_below) or the upper one; both pieces share the anon state (an exact
// copy of the chain). Returns the new VMA.
VmaId World::split_vma(VmaId id, PageNo at, bool new_below) {
  assert(vma(id).start < at && at < vma(id).end);
  cover(Path::kSplitVma);
  VmaId piece = vma_dup(id);
  {
    Vma& n = vma(piece);
    const Vma& v = vma(id);
    if (new_below) {
      n.end = at;
    } else {
      n.start = at;
      n.pgoff = geom::split_upper_pgoff(v.start, v.pgoff, at);
    }
  }
  if (vma(piece).faulted()) policy().clone(*this, piece, id);
  const Vma& v = vma(id);
  if (new_below)
    vma_set_range(id, at, v.end, geom::split_upper_pgoff(v.start, v.pgoff, at));
  else
    vma_set_range(id, v.start, at, v.pgoff);
  vma_link(piece);
  return piece;
}

// ---- merge ----------------------------------------------------------------------

// dup_anon_vma(dst, src): the expanding VMA imports src's anon state if it
// has none ("easily overlooked: when mprotect shifts the boundary ...").
bool World::dup_anon_vma(VmaId dst, VmaId src) {
  if (src == kNoVma || !vma(src).faulted() || vma(dst).faulted()) return false;
  cover(Path::kDupAnonVma);
  vma(dst).anon = vma(src).anon;
  policy().clone(*this, dst, src);
  return true;
}

// A VMA absorbed by a merge goes away (vma_complete: anon_vma_merge, which
// insists both had the same anon_vma, then unlink and free).
void World::remove_vma(VmaId id) {
  if (vma(id).faulted()) policy().unlink(*this, id);
  vma_unlink_from_mm(id);
  vma_free(id);
}

namespace {

// VMAs about to become one whose faulted members differ in anon state: the
// design must make them agree first (World's merges never do it themselves;
// only a design whose is_mergeable_anon allows it gets here).
void unify(World& w, std::initializer_list<VmaId> vmas) {
  VmaId anchor = kNoVma;
  for (VmaId v : vmas) {
    if (v == kNoVma || !w.vma(v).faulted()) continue;
    if (anchor == kNoVma) anchor = v;
    else if (w.vma(v).anon != w.vma(anchor).anon) {
      w.cover(Path::kMergeUnify);
      w.policy().unify_anon(w, anchor, v);
    }
  }
}

void check_absorbed(World& w, VmaId target, VmaId removed) {
  const Vma& r = w.vma(removed);
  if (r.faulted() && w.vma(target).anon != r.anon)
    w.events().warnings.push_back(
        "anon_vma_merge: VMA " + std::to_string(idx(removed)) +
        " is removed by a merge but its anon state differs from the surviving VMA " +
        std::to_string(idx(target)) + " (VM_BUG_ON)");
}

}  // namespace

// can_vma_merge_after / can_vma_merge_left: append the range to prev.
static bool can_merge_left(const World& w, const World::Merge& m) {
  if (m.prev == kNoVma) return false;
  const Vma& prev = w.vma(m.prev);
  return prev.end == m.start && attributes_match(prev, m.prot, m.flags) &&
         w.policy().is_mergeable_anon(w, m.prev, m.anon, m.middle, m.copied_from) &&
         geom::pgoff_continues(prev.start, prev.end, prev.pgoff, m.pgoff);
}

// can_vma_merge_before / can_vma_merge_right: prepend the range to next. If
// both sides would be absorbed, their anon states must be compatible too.
static bool can_merge_right(const World& w, const World::Merge& m, bool merge_left) {
  if (m.next == kNoVma) return false;
  const Vma& next = w.vma(m.next);
  if (m.end != next.start || !attributes_match(next, m.prot, m.flags) ||
      !w.policy().is_mergeable_anon(w, m.next, m.anon, m.middle, m.copied_from) ||
      !geom::pgoff_continues(m.start, m.end, m.pgoff, next.pgoff))
    return false;
  if (!merge_left) return true;
  const Vma& prev = w.vma(m.prev);
  return !prev.faulted() || !next.faulted() || prev.anon == next.anon;
}

// vma_merge_existing_range: [start, end) of `middle` changes attributes and
// may merge into prev and/or next. Returns true and sets m.target on a merge.
bool World::merge_existing_range(Merge& m) {
  const VmaId mid = m.middle;
  const bool left_side = m.start == vma(mid).start;
  const bool right_side = m.end == vma(mid).end;
  if (!left_side && !right_side) return false;
  const bool merge_left = left_side && can_merge_left(*this, m);
  m.next = right_side ? vma_next(mid) : kNoVma;
  const bool merge_right = right_side && can_merge_right(*this, m, merge_left);
  if (!merge_left && !merge_right) return false;
  // B3 (2010): a merge that shifts the boundary forgets the imported anon state.
  const bool partial = !(left_side && right_side);
  const bool skip_dup = partial && options_.bug(Bug::kB3);
  if (partial) cover(Path::kMergeExistingPartial);

  if (merge_left && merge_right) {  // P absorbs M and N
    cover(Path::kMergeExistingBoth);
    const VmaId p = m.prev, n = m.next;
    unify(*this, {p, mid, n});
    dup_anon_vma(p, vma(n).faulted() ? n : mid);
    check_absorbed(*this, p, mid);
    check_absorbed(*this, p, n);
    const PageNo new_end = vma(n).end;
    remove_vma(mid);
    remove_vma(n);
    vma_set_range(p, vma(p).start, new_end, vma(p).pgoff);
    m.target = p;
  } else if (merge_left) {  // P grows over [M.start, end)
    cover(Path::kMergeExistingPrev);
    const VmaId p = m.prev;
    unify(*this, {p, mid});
    if (!skip_dup) dup_anon_vma(p, mid);
    if (right_side) {
      check_absorbed(*this, p, mid);
      remove_vma(mid);
    } else {
      const Vma& v = vma(mid);
      vma_set_range(mid, m.end, v.end, geom::split_upper_pgoff(v.start, v.pgoff, m.end));
    }
    vma_set_range(p, vma(p).start, m.end, vma(p).pgoff);
    m.target = p;
  } else {  // N grows down over [start, M.end)
    cover(Path::kMergeExistingNext);
    const VmaId n = m.next;
    unify(*this, {n, mid});
    if (!skip_dup) dup_anon_vma(n, mid);
    if (left_side) {
      check_absorbed(*this, n, mid);
      remove_vma(mid);
    } else {
      vma_set_range(mid, vma(mid).start, m.start, vma(mid).pgoff);
    }
    const Vma& next = vma(n);
    vma_set_range(n, m.start, next.end, geom::merge_down_pgoff(next.start, next.pgoff, m.start));
    m.target = n;
  }
  events_.merged.push_back(m.target);
  return true;
}

// vma_merge_new_range (+ vma_expand): a new range [start, end) (mmap, brk,
// mremap copy or growth) joins prev and/or next. Returns the target or kNoVma.
VmaId World::merge_new_range(Merge& m) {
  if (m.prev == kNoVma && m.next == kNoVma) return kNoVma;
  const bool merge_left = can_merge_left(*this, m);
  const bool merge_right = !m.just_expand && can_merge_right(*this, m, merge_left);
  if (!merge_left && !merge_right) return kNoVma;
  cover(merge_left && merge_right ? Path::kMergeNewBoth : merge_left ? Path::kMergeNewPrev : Path::kMergeNewNext);
  PageNo start = m.start, end = m.end, pgoff = m.pgoff;
  VmaId target = kNoVma;
  if (merge_right) {
    end = vma(m.next).end;
    target = m.next;
  }
  if (merge_left) {
    start = vma(m.prev).start;
    pgoff = vma(m.prev).pgoff;
    target = m.prev;
  }
  // vma_expand: absorb next if it goes away; 6.18.8+ also imports the anon
  // state of the VMA an mremap copies (B16 is the release that did not).
  const bool remove_next = merge_left && merge_right;
  unify(*this, {target, remove_next ? m.next : kNoVma, m.copied_from});
  if (remove_next) dup_anon_vma(target, m.next);
  if (m.copied_from != kNoVma && !options_.bug(Bug::kB16)) dup_anon_vma(target, m.copied_from);
  if (remove_next) {
    check_absorbed(*this, target, m.next);
    remove_vma(m.next);
  }
  vma_set_range(target, start, end, pgoff);
  events_.merged.push_back(target);
  m.target = target;
  return target;
}

// vma_modify: give [start, end) of `id` new attributes, merging if possible,
// else splitting off the outer pieces (the original struct stays the middle).
// Returns the VMA that now spans [start, end).
VmaId World::vma_modify(VmaId id, PageNo start, PageNo end, uint8_t prot, VmFlags flags) {
  const Vma& v = vma(id);
  Merge m;
  m.mm = v.mm;
  m.prev = start == v.start ? vma_prev(id) : kNoVma;
  m.middle = id;
  m.start = start;
  m.end = end;
  m.pgoff = geom::linear_page_index(v.start, v.pgoff, start);
  m.prot = prot;
  m.flags = flags;
  m.anon = v.anon;
  if (merge_existing_range(m)) return m.target;
  if (vma(id).start < start) split_vma(id, start, /*new_below=*/true);
  if (vma(id).end > end) split_vma(id, end, /*new_below=*/false);
  return id;
}

}  // namespace rmc
