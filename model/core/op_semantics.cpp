// op_semantics.cpp - when an op is valid, and applying it.
#include "model/core/op_semantics.h"

#include <fmt/format.h>

#include <cassert>

#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc {

namespace {

// Formats a refusal's reason only for callers that will read it: the trace
// generators ask thousands of times per second whether a candidate op is
// valid, and formatting was a tenth of their time.
struct Why {
  bool explain = true;
  template <class... Args>
  std::string operator()(fmt::format_string<Args...> format, Args&&... args) const {
    return explain ? fmt::format(format, std::forward<Args>(args)...) : std::string();
  }
};

// access_error() on x86: a read needs the VMA to be accessible at all (write
// and exec imply read there); a write needs VM_WRITE.
bool accessible(uint8_t vma_prot, uint8_t access) {
  if (access & kProtWrite) return vma_prot & kProtWrite;
  return vma_prot != kProtNone;
}

// Every page of [addr, addr + len) is accessible with `prot` (touched from
// low to high, so the first page below a stack grows it over the rest).
std::optional<std::string> check_access(const World& w, ProcessId pid, PageNo addr, PageNo len,
                                        uint8_t prot, const char* what, const Why& why) {
  PageNo grown_end = 0;  // pages below this, above the first touch, are in a grown stack
  for (PageNo page = addr; page < addr + len; page++) {
    VmaId id = w.vma_lookup(pid, page);
    if (id == kNoVma && page < grown_end) continue;
    if (id == kNoVma) {
      VmaId stack = w.stack_to_expand(pid, page);
      if (stack == kNoVma)
        return why("{} of {:#x}: no VMA maps it and no stack can grow down to it (SIGSEGV)", what, page);
      if (!accessible(w.vma(stack).prot, prot))
        return why("{} of {:#x}: the stack it would grow is {} (SIGSEGV)", what, page, prot_name(w.vma(stack).prot));
      grown_end = w.vma(stack).start;
      continue;
    }
    if (!accessible(w.vma(id).prot, prot))
      return why("{} of {:#x}: the VMA is {} (SIGSEGV)", what, page, prot_name(w.vma(id).prot));
  }
  return std::nullopt;
}

// pin_user_pages fails (EFAULT) on a page outside a writable VMA; GUP no
// longer grows a stack (gup_vma_lookup). The kernel would have faulted the
// pages before the failing one, and io_uring unpinned them again; the model
// refuses the whole op instead, as it does for a bad access.
std::optional<std::string> check_pin(const World& w, const Op& op, const Why& why) {
  for (PageNo page = op.addr; page < op.addr + op.len; page++) {
    const VmaId id = w.vma_lookup(op.pid, page);
    if (id == kNoVma) return why("pin of {:#x}: no VMA maps it (EFAULT)", page);
    if (!(w.vma(id).prot & kProtWrite)) return why("pin of {:#x}: the VMA is not writable (EFAULT)", page);
    if (w.vma(id).flags & kVmFileDevZero)
      return why("pin of {:#x}: the model pins anonymous VMAs only, not a private /dev/zero mapping", page);
  }
  if (w.proc(op.pid).pinned.size() + op.len > kMaxPinnedPages)
    return why("pin: {} would hold more than {} pinned pages (the model's bound)", process_name(op.pid), kMaxPinnedPages);
  return std::nullopt;
}

// Two threads' stores (S20): each page inside a writable VMA (a stack that
// two threads grow at once is another race, not modelled), and two pages
// (one page's two stores would race for its value).
std::optional<std::string> check_fault_race(const World& w, const Op& op, const Why& why) {
  for (PageNo page : {op.addr, op.new_addr}) {
    const VmaId id = w.vma_lookup(op.pid, page);
    if (id == kNoVma) return why("fault_race of {:#x}: no VMA maps it (the model races faults inside VMAs only)", page);
    if (!accessible(w.vma(id).prot, kProtWrite))
      return why("fault_race of {:#x}: the VMA is {} (SIGSEGV)", page, prot_name(w.vma(id).prot));
  }
  if (op.addr == op.new_addr) return why("fault_race: both threads store to {:#x} (which value wins is not defined)", op.addr);
  return std::nullopt;
}

// A store that grows a stack (S5): below a stack VMA that may grow down to
// it, not inside a VMA.
std::optional<std::string> check_grow_race(const World& w, const Op& op, const Why& why) {
  if (w.vma_lookup(op.pid, op.addr) != kNoVma)
    return why("grow_race of {:#x}: a VMA maps it already (the op's store must grow a stack)", op.addr);
  return check_access(w, op.pid, op.addr, 1, kProtWrite, "grow_race", why);
}

std::optional<std::string> check_mapped(const World& w, const Op& op, const char* what, const Why& why) {
  if (!w.range_mapped(op.pid, op.addr, op.len))
    return why("{} [{:#x}, {:#x}): part of the range is not mapped (ENOMEM)", what, op.addr, op.addr + op.len);
  return std::nullopt;
}

// An advice the kernel refuses (EINVAL) on a VMA with `flag`: VM_LOCKED for
// MADV_DONTNEED and MADV_PAGEOUT, vm_file for MADV_WIPEONFORK
// (madvise_vma_behavior). The kernel has changed the VMAs before that one by
// then; the model refuses the whole op.
std::optional<std::string> check_no_vma_with(const World& w, const Op& op, VmFlags flag, const char* what,
                                             const char* vma_kind, const Why& why) {
  for (PageNo cursor = op.addr; cursor < op.addr + op.len;) {
    VmaId id = w.vma_lookup(op.pid, cursor);
    if (w.vma(id).flags & flag) return why("{} on a {} VMA (EINVAL)", what, vma_kind);
    cursor = w.vma(id).end;
  }
  return std::nullopt;
}

// remap_move (6.17+, MREMAP_FIXED with an unchanged length) moves every VMA
// of the range, and holes after its start are fine; but vma_multi_allowed()
// refuses a VMA whose file brings its own get_unmapped_area (/dev/zero's)
// unless it is the first VMA and the range ends inside it.
std::optional<std::string> check_remap_move(const World& w, const Op& op, VmaId first, const Why& why) {
  const PageNo end = op.addr + op.len;
  for (VmaId id = first; id != kNoVma && w.vma(id).start < end; id = w.vma_next(id)) {
    if (!(w.vma(id).flags & kVmFileDevZero)) continue;
    if (id != first || w.vma(id).end < end)
      return why("mremap: the move spans a /dev/zero VMA and more (another VMA or a hole): vma_multi_allowed (EFAULT)");
  }
  return std::nullopt;
}

std::optional<std::string> check_mremap(const World& w, const Op& op, const Why& why) {
  VmaId id = w.vma_lookup(op.pid, op.addr);
  if (id == kNoVma) return why("mremap: no VMA at {:#x} (EFAULT)", op.addr);
  const bool fixed = op.flags & kMremapFixed;
  const bool dontunmap = op.flags & kMremapDontunmap;
  const Vma& v = w.vma(id);
  if (fixed && op.len == op.new_len) return check_remap_move(w, op, id, why);
  if (!fixed && !dontunmap) {
    if (op.new_len <= op.len) return std::nullopt;
    if (op.addr + op.len > v.end) return why("mremap: the old range crosses the end of its VMA (EFAULT)");
    if (op.addr + op.len == v.end && w.can_expand_in_place(id, op.new_len - op.len)) return std::nullopt;
    if (!(op.flags & kMremapMaymove)) return why("mremap: cannot grow in place and 'maymove' is not set (ENOMEM)");
  } else {
    const PageNo kept = op.new_len < op.len ? op.new_len : op.len;
    if (op.addr + kept > v.end) return why("mremap: the old range crosses the end of its VMA (EFAULT)");
    if (fixed) return std::nullopt;
  }
  if (w.mremap_target(op.pid, op.addr, op.new_len) == kArenaPages)
    return why("mremap: no free range in the arena to move to (ENOMEM)");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> op_invalid_reason(const World& w, const Op& op, bool explain) {
  const Why why{explain};
  // The migration's second half runs in no process (kcompactd): the
  // process named is only a label, and it may have exited meanwhile.
  if (op.kind == OpKind::kMigrateEnd && w.proc(op.pid).state == ProcessState::kExited) return std::nullopt;
  if (!w.proc(op.pid).live()) return why("{} is not a live process", process_name(op.pid));
  switch (op.kind) {
    case OpKind::kMmap:
    case OpKind::kMunmap:
    case OpKind::kExit:
    case OpKind::kMigrate:
    case OpKind::kBrk:
    case OpKind::kSplitFolio: return std::nullopt;
    case OpKind::kMprotect: return check_mapped(w, op, "mprotect", why);
    case OpKind::kMprotectRace: return check_mapped(w, op, "mprotect_race", why);
    case OpKind::kMlock: return check_mapped(w, op, "mlock", why);
    case OpKind::kMunlock: return check_mapped(w, op, "munlock", why);
    case OpKind::kMadvise: {
      if (auto err = check_mapped(w, op, "madvise", why)) return err;
      if (op.advice == Advice::kDontneed || op.advice == Advice::kPageout)
        return check_no_vma_with(w, op, kVmLocked, op.advice == Advice::kDontneed ? "MADV_DONTNEED" : "MADV_PAGEOUT",
                                 "VM_LOCKED", why);
      if (op.advice == Advice::kWipeonfork)
        return check_no_vma_with(w, op, kVmFileDevZero, "MADV_WIPEONFORK", "/dev/zero", why);
      return std::nullopt;
    }
    case OpKind::kRead: return check_access(w, op.pid, op.addr, op.len, kProtRead, "read", why);
    case OpKind::kWrite: return check_access(w, op.pid, op.addr, op.len, kProtWrite, "write", why);
    case OpKind::kFork:
      if (w.proc(op.child).state != ProcessState::kUnused)
        return why("fork: {} was already used", process_name(op.child));
      return std::nullopt;
    case OpKind::kMremap: return check_mremap(w, op, why);
    case OpKind::kMmapZero:
      if (op.flags & kMapGrowsdown) return why("mmap_zero: do_mmap refuses MAP_GROWSDOWN for a file mapping (EINVAL)");
      if (w.options().mmap_pgoff_check && op.pgoff > kMaxFilePgoff)
        return why("mmap_zero: file offset {:#x} pages is above {:#x}: mmap(2) takes it in bytes, and "
                   "do_mmap refuses an offset whose last page wraps (EOVERFLOW; option mmap_pgoff_check off "
                   "lifts both)", op.pgoff, kMaxFilePgoff);
      return std::nullopt;
    case OpKind::kExec:
    case OpKind::kMigrateBegin:
    case OpKind::kMigrateEnd:
    case OpKind::kUffdMove: return std::nullopt;  // its errors come after it changed things (userfaultfd.cpp)
    case OpKind::kPin: return check_pin(w, op, why);
    case OpKind::kUnpin:
    case OpKind::kLazyOff:
    case OpKind::kLazyOn:
    case OpKind::kSplitBegin:
    case OpKind::kSplitEnd: return std::nullopt;
    case OpKind::kFaultRace: return check_fault_race(w, op, why);
    case OpKind::kGrowRace: return check_grow_race(w, op, why);
    case OpKind::kCount: break;
  }
  return why("unknown op");
}

PageNo mremap_chosen_address(const World& w, const Op& op) {
  if (op.kind != OpKind::kMremap) return kArenaPages;
  const bool fixed = op.flags & kMremapFixed;
  const bool dontunmap = op.flags & kMremapDontunmap;
  if (fixed) return kArenaPages;
  if (!dontunmap) {
    if (op.new_len <= op.len) return kArenaPages;
    VmaId id = w.vma_lookup(op.pid, op.addr);
    if (op.addr + op.len == w.vma(id).end && w.can_expand_in_place(id, op.new_len - op.len))
      return kArenaPages;
  }
  return w.mremap_target(op.pid, op.addr, op.new_len);
}

uint64_t values_written(const Op& op) {
  switch (op.kind) {
    case OpKind::kWrite:
    case OpKind::kExec: return op.len;
    case OpKind::kFaultRace: return 2;
    case OpKind::kGrowRace: return 1;
    default: return 0;
  }
}

void apply_op(World& w, const Op& op, uint64_t& next_value, OpObserver* observer) {
  switch (op.kind) {
    case OpKind::kMmap: w.mmap(op.pid, op.addr, op.len, op.prot, op.flags); break;
    case OpKind::kMunmap: w.munmap(op.pid, op.addr, op.len); break;
    case OpKind::kMprotect: w.mprotect(op.pid, op.addr, op.len, op.prot); break;
    case OpKind::kMprotectRace: w.mprotect_race(op.pid, op.addr, op.len, op.prot); break;
    case OpKind::kMlock: w.mlock(op.pid, op.addr, op.len, true); break;
    case OpKind::kMunlock: w.mlock(op.pid, op.addr, op.len, false); break;
    case OpKind::kMadvise: w.madvise(op.pid, op.addr, op.len, op.advice); break;
    case OpKind::kRead:
      for (PageNo page = op.addr; page < op.addr + op.len; page++) {
        const uint64_t value = w.read(op.pid, page);
        if (observer) observer->on_read(op.pid, page, value);
      }
      break;
    case OpKind::kWrite:
      for (PageNo page = op.addr; page < op.addr + op.len; page++) {
        const uint64_t value = ++next_value;
        w.write(op.pid, page, value);
        if (observer) observer->on_write(op.pid, page, value);
      }
      break;
    case OpKind::kFork: w.fork(op.pid, op.child); break;
    case OpKind::kExit: w.exit(op.pid); break;
    case OpKind::kMremap: w.mremap(op.pid, op.addr, op.len, op.new_len, op.new_addr, op.flags); break;
    case OpKind::kMigrate: w.migrate(op.pid, op.addr, op.len); break;
    case OpKind::kBrk: w.brk(op.pid, op.addr); break;
    case OpKind::kSplitFolio: w.split_folio(op.pid, op.addr); break;
    case OpKind::kMmapZero: w.mmap_zero(op.pid, op.addr, op.len, op.prot, op.flags, op.pgoff); break;
    case OpKind::kExec: {
      // copy_strings writes argv and envp into the new stack; the process
      // sees them where relocate_vma_down puts them.
      w.exec_new_mm(op.pid, op.addr, op.len);
      const uint64_t first_value = next_value + 1;
      for (PageNo page = op.addr; page < op.addr + op.len; page++) w.write(op.pid, page, ++next_value);
      w.exec_relocate_stack(op.pid, op.addr, op.shift);
      if (observer)
        for (PageNo i = 0; i < op.len; i++)
          observer->on_write(op.pid, geom::relocated_start(op.addr, op.shift) + i, first_value + i);
      break;
    }
    case OpKind::kMigrateBegin: w.migrate_begin(op.pid, op.addr); break;
    case OpKind::kMigrateEnd: w.migrate_end(); break;
    case OpKind::kUffdMove: {
      const PageNo moved = w.uffd_move(op.pid, op.addr, op.len, op.new_addr);
      if (observer)
        for (PageNo i = 0; i < moved; i++) observer->on_move(op.pid, op.addr + i, op.new_addr + i);
      break;
    }
    case OpKind::kPin: w.pin(op.pid, op.addr, op.len); break;
    case OpKind::kUnpin: w.unpin_all(op.pid); break;
    case OpKind::kLazyOff: w.set_lazy_enabled(false); break;
    case OpKind::kLazyOn: w.set_lazy_enabled(true); break;
    case OpKind::kSplitBegin: w.split_begin(op.pid, op.addr); break;
    case OpKind::kSplitEnd: w.split_end(); break;
    case OpKind::kFaultRace: {
      const uint64_t first = ++next_value, second = ++next_value;
      w.fault_race(op.pid, op.addr, first, op.new_addr, second);
      if (observer) {
        observer->on_write(op.pid, op.addr, first);
        observer->on_write(op.pid, op.new_addr, second);
      }
      break;
    }
    case OpKind::kGrowRace: {
      const uint64_t value = ++next_value;
      w.grow_race(op.pid, op.addr, value);
      if (observer) observer->on_write(op.pid, op.addr, value);
      break;
    }
    case OpKind::kCount: assert(false); break;
  }
}

}  // namespace rmc
