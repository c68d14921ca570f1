// mmap.cpp - the syscalls that create, remove and re-attribute VMAs:
// mmap, munmap, brk, mprotect, mlock, madvise's flag advices, and downward
// stack growth (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/mlock.c, mm/madvise.c).
#include <cassert>
#include <vector>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

namespace {

// The VMA ending at or before `addr` that is last in address order, or kNoVma
// (the `prev` of a gap at addr).
VmaId vma_before(const World& w, ProcessId pid, PageNo addr) {
  VmaId after = w.find_vma(pid, addr);
  if (after == kNoVma) {
    const std::vector<VmaId>& list = w.proc(pid).vmas;
    return list.empty() ? kNoVma : list.back();
  }
  if (w.vma(after).start < addr) return kNoVma;  // addr is inside a VMA
  return w.vma_prev(after);
}

// The first VMA starting at or after `addr`, or kNoVma.
VmaId vma_at_or_after(const World& w, ProcessId pid, PageNo addr) {
  VmaId id = w.find_vma(pid, addr);
  if (id != kNoVma && w.vma(id).start < addr) id = w.vma_next(id);
  return id;
}

}  // namespace

// vms_gather_munmap_vmas + the tear-down of do_vmi_align_munmap: split the
// VMAs at the edges of [start, end), detach those inside, zap their page
// tables, then unlink their anon state and free them (free_pgtables order).
bool World::do_munmap(ProcessId pid, PageNo start, PageNo end) {
  VmaId first = find_vma(pid, start);
  if (first == kNoVma || std::as_const(*this).vma(first).start >= end) return false;
  // The surviving outer pieces are new structs; the original is freed.
  if (vma(first).start < start) {
    cover(Path::kMunmapSplit);
    split_vma(first, start, /*new_below=*/true);
  }
  thread_local std::vector<VmaId> detached;  // do_munmap does not nest
  detached.clear();
  for (VmaId id = first; id != kNoVma && vma(id).start < end; id = vma_next(id)) {
    if (vma(id).end > end) {
      cover(Path::kMunmapSplit);
      split_vma(id, end, /*new_below=*/false);
    }
    cover(Path::kMunmapRemove);
    detached.push_back(id);
  }
  for (VmaId id : detached) vma_unlink_from_mm(id);
  for (VmaId id : detached) zap_range(pid, vma(id).start, vma(id).end);
  for (VmaId id : detached)
    if (vma(id).faulted()) policy().unlink(*this, id);
  for (VmaId id : detached) vma_free(id);
  return true;
}

void World::munmap(ProcessId pid, PageNo addr, PageNo len) { do_munmap(pid, addr, addr + len); }

// __mmap_region for MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED: tear down what was
// there first (its page tables and anon links go before the merge), then
// merge with the neighbours or create a new VMA. Returns the VMA now
// covering the range.
VmaId World::map_anon_range(ProcessId pid, PageNo addr, PageNo len, uint8_t prot,
                            VmFlags flags, PageNo pgoff) {
  if (do_munmap(pid, addr, addr + len)) cover(Path::kMmapOverExisting);
  Merge m;
  m.mm = pid;
  m.prev = vma_before(*this, pid, addr);
  m.next = vma_at_or_after(*this, pid, addr + len);
  m.start = addr;
  m.end = addr + len;
  m.pgoff = pgoff;
  m.prot = prot;
  m.flags = flags;
  VmaId target = merge_new_range(m);
  if (target != kNoVma) {
    cover(Path::kMmapMerged);
    return target;
  }
  cover(Path::kMmapNewVma);
  VmaId id = vma_alloc(pid, addr, addr + len, pgoff, prot, flags);
  vma_link(id);
  return id;
}

namespace {

// do_mmap's vm_flags for a MAP_PRIVATE mapping (calc_vm_flag_bits and
// accountable_mapping: private writable memory is committed unless NORESERVE).
VmFlags private_mapping_flags(uint8_t prot, uint8_t mmap_flags) {
  VmFlags flags = 0;
  if (mmap_flags & kMapNoreserve) flags |= kVmNoreserve;
  if (mmap_flags & kMapGrowsdown) flags |= kVmGrowsdown;
  if (mmap_flags & kMapLocked) flags |= kVmLocked;
  if ((prot & kProtWrite) && !(flags & kVmNoreserve)) flags |= kVmAccount;
  return flags;
}

}  // namespace

void World::mmap(ProcessId pid, PageNo addr, PageNo len, uint8_t prot, uint8_t mmap_flags) {
  VmaId id = map_anon_range(pid, addr, len, prot, private_mapping_flags(prot, mmap_flags),
                            geom::new_anon_pgoff(addr));
  if (mmap_flags & (kMapLocked | kMapPopulate)) {
    cover(Path::kMmapPopulate);
    populate(id, addr, addr + len);
  }
}

// mmap(MAP_PRIVATE | MAP_FIXED) of /dev/zero at file page `pgoff`: the file's
// mmap_zero() turns the VMA anonymous (vma_set_anonymous), so from here on it
// is an anonymous VMA in every way but two: vm_pgoff is the file offset, not
// vm_start (its base need not be 0, and may wrap: S19), and vm_file is set,
// so it merges only with /dev/zero neighbours whose offsets continue it.
void World::mmap_zero(ProcessId pid, PageNo addr, PageNo len, uint8_t prot, uint8_t mmap_flags,
                      PageNo pgoff) {
  cover(Path::kMmapDevZero);
  VmaId id = map_anon_range(pid, addr, len, prot, private_mapping_flags(prot, mmap_flags) | kVmFileDevZero,
                            pgoff);
  if (mmap_flags & (kMapLocked | kMapPopulate)) {
    cover(Path::kMmapPopulate);
    populate(id, addr, addr + len);
  }
}

// brk(2): grow with a "just expand" merge into the VMA right below the old
// break (or a new VMA), shrink with munmap. A refused brk leaves everything
// as it was (the syscall returns the old break).
void World::brk(ProcessId pid, PageNo new_brk) {
  const Process& p = std::as_const(*this).proc(pid);  // const: see mutations()
  const PageNo old_brk = p.brk;
  if (new_brk < p.start_brk || new_brk == old_brk) return;
  if (new_brk < old_brk) {
    VmaId first = find_vma(pid, new_brk);
    if (first == kNoVma || std::as_const(*this).vma(first).start >= old_brk) return;  // nothing to unmap: fail
    cover(Path::kBrkShrink);
    proc(pid).brk = new_brk;
    do_munmap(pid, new_brk, old_brk);
    return;
  }
  // check_brk_limits / the collision test: one free page must stay below the
  // next VMA (its guard gap for a stack).
  VmaId next = find_vma(pid, old_brk);
  if (next != kNoVma) {
    const Vma& n = std::as_const(*this).vma(next);
    PageNo gap_start = (n.flags & kVmGrowsdown) ? n.start - std::min(n.start, kStackGuardGapPages)
                                                : n.start;
    if (new_brk + 1 > gap_start) return;
  }
  // do_brk_flags: the heap has the flags of mmap(PROT_READ|PROT_WRITE).
  const uint8_t prot = kProtRead | kProtWrite;
  const VmFlags flags = kVmAccount;
  VmaId brkvma = vma_before(*this, pid, old_brk);
  if (brkvma != kNoVma && vma(brkvma).end <= p.start_brk) brkvma = kNoVma;  // vma_prev_limit
  Merge m;
  m.mm = pid;
  m.prev = brkvma;
  m.start = old_brk;
  m.end = new_brk;
  m.pgoff = geom::new_anon_pgoff(old_brk);
  m.prot = prot;
  m.flags = flags;
  m.just_expand = true;
  if (brkvma == kNoVma || vma(brkvma).end != old_brk || merge_new_range(m) == kNoVma) {
    cover(Path::kBrkNewVma);
    VmaId id = vma_alloc(pid, old_brk, new_brk, geom::new_anon_pgoff(old_brk), prot, flags);
    vma_link(id);
  } else {
    cover(Path::kBrkExpand);
  }
  proc(pid).brk = new_brk;
}

// ---- attribute changes: mprotect, mlock, madvise flags --------------------------

namespace {

// mprotect_fixup's VM_ACCOUNT rule: becoming writable charges commit; an
// unfaulted anonymous VMA losing write gives it back. A VMA whose
// protection does not change is left as it is (newflags == oldflags: the
// early return), VM_ACCOUNT included, even if it is unfaulted and not
// writable (a fork child's copy of an accounted read-only VMA).
VmFlags mprotect_flags(const Vma& v, uint8_t new_prot) {
  VmFlags flags = v.flags;
  if (new_prot == v.prot) return flags;
  if (new_prot & kProtWrite) {
    if (!(v.flags & (kVmAccount | kVmNoreserve)) && !(v.prot & kProtWrite)) flags |= kVmAccount;
  } else if ((v.flags & kVmAccount) && !v.faulted()) {
    flags &= static_cast<VmFlags>(~kVmAccount);
  }
  return flags;
}

}  // namespace

// change_protection: PTEs follow the new protection; with write allowed, a
// PTE of an exclusive anon page becomes writable at once (no fault needed).
void World::change_protection(VmaId id) {
  const Vma& v = vma(id);
  auto [first, last] = proc(v.mm).pt.range(v.start, v.end);
  for (auto* e = first; e != last; ++e) {
    if (e->pte.kind == PteKind::kMigration && e->pte.writable) {
      // change_pte_range: "a protection check is difficult so just be safe
      // and disable write": a readable exclusive migration entry.
      e->pte.writable = false;
      e->pte.exclusive = true;
      continue;
    }
    if (e->pte.kind != PteKind::kPresent) continue;
    e->pte.writable = (v.prot & kProtWrite) && page(e->pte.pfn()).anon_exclusive;
    if (e->pte.writable) cover(Path::kMprotectMkwrite);
  }
}

void World::mprotect(ProcessId pid, PageNo addr, PageNo len, uint8_t prot) {
  PageNo cursor = addr;
  const PageNo end = addr + len;
  while (cursor < end) {
    VmaId id = vma_lookup(pid, cursor);
    assert(id != kNoVma);  // the op check requires the range to be mapped
    const Vma& v = std::as_const(*this).vma(id);  // const: see mutations()
    const PageNo piece_end = std::min(end, v.end);
    const VmFlags flags = mprotect_flags(v, prot);
    const bool newly_writable_locked =
        (flags & kVmLocked) && (prot & kProtWrite) && !(v.prot & kProtWrite);
    if (prot != v.prot || flags != v.flags) {
      cover(Path::kMprotectModify);
      VmaId target = vma_modify(id, cursor, piece_end, prot, flags);
      vma(target).prot = prot;
      vma(target).flags = flags;
      change_protection(target);
      if (newly_writable_locked) {
        cover(Path::kMprotectPopulate);
        populate(target, cursor, piece_end);
      }
    }
    cursor = piece_end;
  }
}

namespace {

VmFlags with_flag(VmFlags flags, VmFlag flag, bool on) {
  return on ? static_cast<VmFlags>(flags | flag) : static_cast<VmFlags>(flags & ~flag);
}

}  // namespace

// mlock(2) / munlock(2): VM_LOCKED over the range (mlock_fixup), then mlock
// populates the range VMA by VMA (__mm_populate with ignore_errors = 0): GUP
// refuses a PROT_NONE VMA (-EFAULT, which mlock returns as ENOMEM), and the
// populate stops there, so the VMAs after it stay locked but unpopulated
// (mm/gup.c __mm_populate, populate_vma_page_range; corpus/kernel/
// mlock_stops_at_prot_none.trace).
void World::mlock(ProcessId pid, PageNo addr, PageNo len, bool lock) {
  PageNo cursor = addr;
  const PageNo end = addr + len;
  while (cursor < end) {
    VmaId id = vma_lookup(pid, cursor);
    assert(id != kNoVma);
    const Vma& v = std::as_const(*this).vma(id);  // const: see mutations()
    const PageNo piece_end = std::min(end, v.end);
    const VmFlags flags = with_flag(v.flags, kVmLocked, lock);
    if (flags != v.flags) {
      cover(lock ? Path::kMlockLock : Path::kMlockUnlock);
      VmaId target = vma_modify(id, cursor, piece_end, v.prot, flags);
      vma(target).flags = flags;
    }
    cursor = piece_end;
  }
  if (!lock) return;
  for (cursor = addr; cursor < end;) {
    VmaId id = vma_lookup(pid, cursor);
    if (vma(id).prot == kProtNone) {
      cover(Path::kMlockStopsAtProtNone);
      break;
    }
    const PageNo piece_end = std::min(end, vma(id).end);
    cover(Path::kMlockPopulate);
    populate(id, cursor, piece_end);
    cursor = piece_end;
  }
}

void World::madvise(ProcessId pid, PageNo addr, PageNo len, Advice advice) {
  const PageNo end = addr + len;
  if (advice == Advice::kDontneed) {  // zap; the VMA keeps its anon state
    cover(Path::kMadviseDontneed);
    for (PageNo cursor = addr; cursor < end;) {
      VmaId id = vma_lookup(pid, cursor);
      const PageNo piece_end = std::min(end, std::as_const(*this).vma(id).end);
      zap_range(pid, cursor, piece_end);
      cursor = piece_end;
    }
    return;
  }
  if (advice == Advice::kPageout) {
    cover(Path::kMadvisePageout);
    pageout_range(pid, addr, end);
    return;
  }
  VmFlag flag = (advice == Advice::kDontfork || advice == Advice::kDofork) ? kVmDontcopy
                                                                            : kVmWipeonfork;
  bool on = advice == Advice::kDontfork || advice == Advice::kWipeonfork;
  for (PageNo cursor = addr; cursor < end;) {
    VmaId id = vma_lookup(pid, cursor);
    assert(id != kNoVma);
    const Vma& v = std::as_const(*this).vma(id);  // const: see mutations()
    const PageNo piece_end = std::min(end, v.end);
    const VmFlags flags = with_flag(v.flags, flag, on);
    if (flags != v.flags) {  // madvise_update_vma: nothing to do if unchanged
      cover(Path::kMadviseFlags);
      VmaId target = vma_modify(id, cursor, piece_end, v.prot, flags);
      vma(target).flags = flags;
    }
    cursor = piece_end;
  }
}

// ---- stack growth -----------------------------------------------------------------

// lock_mm_and_find_vma: a fault at `addr` below a VM_GROWSDOWN VMA grows it,
// if expand_downwards allows: the guard gap to an accessible, non-stack
// previous VMA, vm_pgoff not wrapping, and RLIMIT_STACK.
VmaId World::stack_to_expand(ProcessId pid, PageNo addr) const {
  VmaId id = find_vma(pid, addr);
  if (id == kNoVma) return kNoVma;
  const Vma& stack = vma(id);
  if (stack.start <= addr || !(stack.flags & kVmGrowsdown)) return kNoVma;
  VmaId prev = vma_prev(id);
  if (prev != kNoVma) {
    const Vma& p = vma(prev);
    if (!(p.flags & kVmGrowsdown) && p.prot != kProtNone && addr - p.end < kStackGuardGapPages)
      return kNoVma;
  }
  if (options_.stack_pgoff_guard && !geom::stack_growth_allowed(stack.pgoff, stack.start - addr)) return kNoVma;
  if (stack.end - addr > kStackRlimitPages) return kNoVma;
  return id;
}

// expand_downwards: prepare the anon state first (a growing stack always has
// it), then move vm_start down and vm_pgoff with it, so the base is kept.
void World::expand_downwards(VmaId id, PageNo new_start) {
  assert(new_start < vma(id).start);
  cover(Path::kStackExpand);
  policy().prepare(*this, id);
  const Vma& v = vma(id);
  vma_set_range(id, new_start, v.end, geom::stack_growth_pgoff(v.pgoff, v.start - new_start));
}

}  // namespace rmc
