// mremap.cpp - mremap(2) (mm/mremap.c): shrink, grow in place, move.
//
// A move copies the VMA to the new range (copy_vma: merge there, or a new VMA
// with a clone of the anon state) and moves the page-table entries; folios
// are not touched, which is sound because a faulted VMA keeps its linear
// pgoff. The source is then unmapped, or with MREMAP_DONTUNMAP left empty.
#include <cassert>
#include <vector>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

namespace {

// The lowest address a VMA lets a new mapping end at (vm_start_gap).
PageNo start_gap(const Vma& v) {
  if (!(v.flags & kVmGrowsdown)) return v.start;
  return v.start > kStackGuardGapPages ? v.start - kStackGuardGapPages : 0;
}

}  // namespace

// get_unmapped_area, top-down, with mmap_base at the top of the arena: the
// highest gap that fits. Returns kArenaPages if there is none.
PageNo World::mremap_target(ProcessId pid, PageNo /*old_addr*/, PageNo new_len) const {
  const std::vector<VmaId>& list = proc(pid).vmas;
  PageNo gap_end = kArenaPages;
  for (size_t i = list.size(); i-- > 0;) {
    const Vma& v = vma(list[i]);
    if (gap_end >= v.end && gap_end - v.end >= new_len) return gap_end - new_len;
    gap_end = std::min(gap_end, start_gap(v));
  }
  return gap_end >= new_len ? gap_end - new_len : kArenaPages;
}

// vma_expandable: nothing mapped in [vm_end, vm_end + delta).
bool World::can_expand_in_place(VmaId id, PageNo delta) const {
  const Vma& v = vma(id);
  if (v.end + delta > kArenaPages) return false;
  VmaId next = vma_next(id);
  return next == kNoVma || vma(next).start >= v.end + delta;
}

// copy_vma: the destination merges with its neighbours if it can (6.18.8+
// imports the copied VMA's anon state into an unfaulted target, and the
// fork-child limit looks at the copied VMA), else a new VMA gets an exact
// copy of the anon state. An unfaulted VMA's pgoff restarts at the new
// address, as if freshly mapped there.
VmaId World::copy_vma(VmaId src, PageNo new_addr, PageNo len, PageNo pgoff) {
  const Vma& v = vma(src);
  if (!v.faulted()) pgoff = geom::mremap_pgoff_unfaulted(new_addr);
  Merge m;
  m.mm = v.mm;
  VmaId after = find_vma(v.mm, new_addr);
  assert(after == kNoVma || vma(after).start >= new_addr + len);  // destination is free
  m.next = after;
  m.prev = after == kNoVma ? (proc(v.mm).vmas.empty() ? kNoVma : proc(v.mm).vmas.back())
                           : vma_prev(after);
  m.start = new_addr;
  m.end = new_addr + len;
  m.pgoff = pgoff;
  m.prot = v.prot;
  m.flags = v.flags;
  m.anon = v.anon;
  m.copied_from = src;
  VmaId target = merge_new_range(m);
  if (target != kNoVma) {
    cover(Path::kMremapMoveMerged);
    return target;
  }
  cover(Path::kMremapMoveNewVma);
  VmaId copy = vma_dup(src);
  Vma& c = vma(copy);
  c.start = new_addr;
  c.end = new_addr + len;
  c.pgoff = pgoff;
  if (c.faulted()) policy().clone(*this, copy, src);
  vma_link(copy);
  return copy;
}

// move_page_tables: every entry of [old_addr, old_addr + len) moves to the
// same offset from new_addr. Folios keep mapping and index.
void World::move_page_tables(VmaId from, PageNo old_addr, VmaId to, PageNo new_addr,
                             PageNo len) {
  const ProcessId pid = vma(from).mm;
  assert(vma(to).mm == pid);
  PageTable& pt = proc(pid).pt;
  auto [first, last] = pt.range(old_addr, old_addr + len);
  std::vector<PageTable::Entry> moving(first, last);
  pt.erase_range(old_addr, old_addr + len);
  for (const PageTable::Entry& e : moving) {
    pt.set(new_addr + (e.page - old_addr), e.pte);
    policy().moved_pte(*this, e.pte, to);
  }
}

void World::mremap(ProcessId pid, PageNo old_addr, PageNo old_len, PageNo new_len,
                   PageNo new_addr, uint8_t flags) {
  // A VM_LOCKED mapping that grows is populated afterwards (check_prep_vma's
  // populate_expand, then mm_populate over the added pages).
  const bool populate_expand =
      new_len > old_len && (std::as_const(*this).vma(vma_lookup(pid, old_addr)).flags & kVmLocked);
  const PageNo final_addr = resize_or_move(pid, old_addr, old_len, new_len, new_addr, flags);
  if (!populate_expand) return;
  cover(Path::kMremapPopulate);
  for (PageNo page = final_addr + old_len; page < final_addr + new_len;) {
    VmaId id = vma_lookup(pid, page);
    if (id == kNoVma) break;
    const PageNo end = std::min(final_addr + new_len, vma(id).end);
    populate(id, page, end);
    page = end;
  }
}

// The body of mremap(2); returns where the range is now.
PageNo World::resize_or_move(ProcessId pid, PageNo old_addr, PageNo old_len, PageNo new_len,
                             PageNo new_addr, uint8_t flags) {
  const bool fixed = flags & kMremapFixed;
  const bool dontunmap = flags & kMremapDontunmap;
  if (fixed && old_len == new_len) {
    // remap_move (6.17+): every VMA in the range moves on its own, keeping
    // the gaps between them.
    cover(Path::kMremapMultiVma);
    std::vector<std::pair<PageNo, PageNo>> pieces;
    for (VmaId id = vma_lookup(pid, old_addr); id != kNoVma && vma(id).start < old_addr + old_len;
         id = vma_next(id))
      pieces.push_back({std::max(old_addr, vma(id).start), std::min(old_addr + old_len, vma(id).end)});
    for (auto [start, end] : pieces) {
      const PageNo dest = new_addr + (start - old_addr);
      do_munmap(pid, dest, dest + (end - start));
      move_vma(pid, start, end - start, dest, end - start, dontunmap);
    }
    return new_addr;
  }
  if (!fixed && !dontunmap) {
    if (new_len == old_len) return old_addr;
    if (new_len < old_len) {
      cover(Path::kMremapShrink);
      do_munmap(pid, old_addr + new_len, old_addr + old_len);
      return old_addr;
    }
    VmaId id = vma_lookup(pid, old_addr);
    const PageNo delta = new_len - old_len;
    if (old_addr + old_len == vma(id).end && can_expand_in_place(id, delta)) {
      // vma_merge_extend: [vm_end, vm_end + delta) joins the VMA itself, and
      // perhaps the next one.
      cover(Path::kMremapGrowInPlace);
      const Vma& v = vma(id);
      Merge m;
      m.mm = pid;
      m.prev = id;
      m.next = vma_next(id);
      m.start = v.end;
      m.end = v.end + delta;
      m.pgoff = v.pgoff + v.pages();
      m.prot = v.prot;
      m.flags = v.flags;
      m.anon = v.anon;
      VmaId target = merge_new_range(m);
      assert(target == id);
      (void)target;
      return old_addr;
    }
    assert(flags & kMremapMaymove);
    new_addr = mremap_target(pid, old_addr, new_len);
    move_vma(pid, old_addr, old_len, new_addr, new_len, false);
    return new_addr;
  }
  // mremap_to: unmap the destination (FIXED), shrink first if asked, move.
  if (fixed) do_munmap(pid, new_addr, new_addr + new_len);
  if (new_len < old_len) {
    cover(Path::kMremapShrink);
    do_munmap(pid, old_addr + new_len, old_addr + old_len);
    old_len = new_len;
  }
  if (!fixed) new_addr = mremap_target(pid, old_addr, new_len);
  move_vma(pid, old_addr, old_len, new_addr, new_len, dontunmap);
  return new_addr;
}

// move_vma: copy_vma_and_data, then unmap the source (or, for DONTUNMAP,
// dontunmap_complete: the old VMA stays, loses VM_LOCKED, and loses its anon
// state if it moved as a whole). Losing VM_LOCKED does not munlock the folios
// the old VMA still maps outside the moved range: they keep PG_mlocked
// (mm/mremap.c dontunmap_complete clears the flag with vm_flags_clear, not
// mlock_fixup; corpus/kernel/dontunmap_leaves_folios_mlocked.trace).
void World::move_vma(ProcessId pid, PageNo addr, PageNo old_len, PageNo new_addr, PageNo new_len,
                     bool dontunmap) {
  VmaId id = vma_lookup(pid, addr);
  assert(id != kNoVma && addr + old_len <= vma(id).end);
  cover(Path::kMremapMove);
  policy().before_move(*this, id);
  const PageNo pgoff = geom::mremap_pgoff_faulted(vma(id).start, vma(id).pgoff, addr);
  VmaId moved = copy_vma(id, new_addr, new_len, pgoff);
  // An unfaulted VMA may have merged with its own copy; the source is then
  // whatever VMA now holds the old address.
  id = vma_lookup(pid, addr);
  move_page_tables(id, addr, moved, new_addr, old_len);
  if (!dontunmap) {
    do_munmap(pid, addr, addr + old_len);
    return;
  }
  cover(Path::kMremapDontunmap);
  Vma& old = vma(id);
  if (old.flags & kVmLocked) {
    auto [first, last] = proc(pid).pt.range(old.start, old.end);
    for (auto* e = first; e != last; ++e)
      if (e->pte.kind == PteKind::kPresent) folio(folio_of(e->pte.pfn())).stale_mlock = true;
  }
  old.flags &= static_cast<VmFlags>(~kVmLocked);
  if (moved != id && addr == old.start && addr + old_len == old.end && old.faulted()) {
    cover(Path::kMremapDontunmapUnlink);
    policy().unlink(*this, id);
  }
}

}  // namespace rmc
