// kernel_ops.cpp - trace ops as system calls.
#include "kernel/kernel_ops.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <cstring>

#include "kernel/host.h"
#include "kernel/worker/protocol.h"
#include "kernel/workers.h"
#include "model/check/memory_spec.h"
#include "model/core/bounds.h"
#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc::kernel {

namespace {

constexpr uint64_t kPageSize = 4096;

// mmap's flags for `mmap` (anonymous) and `mmap_zero` (a /dev/zero file).
uint64_t mmap_flags(uint8_t flags, bool anonymous = true) {
  uint64_t out = MAP_PRIVATE | MAP_FIXED | (anonymous ? MAP_ANONYMOUS : 0);
  if (flags & kMapNoreserve) out |= MAP_NORESERVE;
  if (flags & kMapGrowsdown) out |= MAP_GROWSDOWN;
  if (flags & kMapLocked) out |= MAP_LOCKED;
  if (flags & kMapPopulate) out |= MAP_POPULATE;
  return out;
}

uint64_t prot_bits(uint8_t prot) {
  uint64_t out = PROT_NONE;
  if (prot & kProtRead) out |= PROT_READ;
  if (prot & kProtWrite) out |= PROT_WRITE;
  if (prot & kProtExec) out |= PROT_EXEC;
  return out;
}

int advice_value(Advice advice) {
  switch (advice) {
    case Advice::kDontneed: return MADV_DONTNEED;
    case Advice::kPageout: return MADV_PAGEOUT;
    case Advice::kDontfork: return MADV_DONTFORK;
    case Advice::kDofork: return MADV_DOFORK;
    case Advice::kWipeonfork: return MADV_WIPEONFORK;
    case Advice::kKeeponfork: return MADV_KEEPONFORK;
    case Advice::kCount: break;
  }
  return -1;
}

// The mremap the kernel is asked to do: flags and new address.
struct MremapCall {
  uint64_t flags = 0;
  PageNo new_addr = 0;
  bool has_new_addr = false;
};

MremapCall mremap_call(const Op& op, PageNo chosen_address) {
  MremapCall call;
  if (op.flags & kMremapMaymove) call.flags |= MREMAP_MAYMOVE;
  if (op.flags & kMremapFixed) call.flags |= MREMAP_FIXED;
  if (op.flags & kMremapDontunmap) call.flags |= MREMAP_DONTUNMAP;
  if (op.flags & kMremapFixed) {
    call.new_addr = op.new_addr;
    call.has_new_addr = true;
  } else if (chosen_address != kArenaPages) {
    call.flags |= MREMAP_FIXED;  // the model's choice of address, made explicit
    call.new_addr = chosen_address;
    call.has_new_addr = true;
  }
  return call;
}

// mmap_zero's file offset, in bytes. The model's vm_pgoff is in arena pages,
// the kernel's in pages of the address space: adding the arena's base page
// keeps base = vm_start - vm_pgoff the same on both sides, so contiguity (and
// merging) agrees, also with a pgoff the kernel resets to vm_start >> 12 when
// mremap moves an unfaulted VMA (copy_vma), as the model resets it to the
// arena page. PGOFF <= kMaxFilePgoff (option mmap_pgoff_check, on: traces
// with it off are not run here) keeps the byte offset below 2^64.
uint64_t dev_zero_offset(uint64_t arena_base, PageNo pgoff) { return (arena_base / kPageSize + pgoff) * kPageSize; }

// exec cannot run here (trace_unsupported says why); this is the reason if
// an exec op comes this far anyway.
constexpr const char* kExecNotRun =
    "exec cannot run on the kernel: execve would replace the worker, and the kernel puts the new stack at "
    "STACK_TOP, outside the arena";

std::string errno_text(int64_t result) {
  if (result >= 0 || result < -4095) return fmt::format("{:#x}", static_cast<uint64_t>(result));
  return fmt::format("-{} ({})", strerrorname_np(static_cast<int>(-result)), strerror(static_cast<int>(-result)));
}

}  // namespace

std::string describe_kernel_call(const Op& op, uint64_t base, PageNo chosen_address) {
  auto a = [base](PageNo page) { return fmt::format("{:#x}", base + page * kPageSize); };
  auto n = [](PageNo pages) { return fmt::format("{:#x}", pages * kPageSize); };
  switch (op.kind) {
    case OpKind::kMmap: return fmt::format("mmap({}, {}, {:#x}, {:#x}, -1, 0)", a(op.addr), n(op.len), prot_bits(op.prot), mmap_flags(op.flags));
    case OpKind::kMunmap: return fmt::format("munmap({}, {})", a(op.addr), n(op.len));
    case OpKind::kMprotect:
    case OpKind::kMprotectRace: return fmt::format("mprotect({}, {}, {:#x})", a(op.addr), n(op.len), prot_bits(op.prot));
    case OpKind::kMlock: return fmt::format("mlock({}, {})", a(op.addr), n(op.len));
    case OpKind::kMunlock: return fmt::format("munlock({}, {})", a(op.addr), n(op.len));
    case OpKind::kMadvise: return fmt::format("madvise({}, {}, {})", a(op.addr), n(op.len), advice_value(op.advice));
    case OpKind::kRead: return fmt::format("load 8 bytes at each page of {} + {}", a(op.addr), n(op.len));
    case OpKind::kWrite: return fmt::format("store 8 bytes at each page of {} + {}", a(op.addr), n(op.len));
    case OpKind::kFork: return "clone(CLONE_PARENT|CLONE_FS|SIGCHLD)";
    case OpKind::kExit: return "exit_group(0)";
    case OpKind::kMremap: {
      MremapCall call = mremap_call(op, chosen_address);
      return fmt::format("mremap({}, {}, {}, {:#x}{})", a(op.addr), n(op.len), n(op.new_len), call.flags,
                         call.has_new_addr ? ", " + a(call.new_addr) : "");
    }
    case OpKind::kMigrate: return fmt::format("move_pages(0, every page of {} + {}, node 0, MPOL_MF_MOVE_ALL)", a(op.addr), n(op.len));
    case OpKind::kBrk: return fmt::format("brk({})", a(op.addr));
    case OpKind::kSplitFolio: return fmt::format("split_huge_pages PID,{},{}", a(op.addr), a(op.addr + 1));
    case OpKind::kMmapZero:
      return fmt::format("mmap({}, {}, {:#x}, {:#x}, /dev/zero (fd {}), {:#x})", a(op.addr), n(op.len), prot_bits(op.prot),
                         mmap_flags(op.flags, /*anonymous=*/false), RMC_DEV_ZERO_FD, dev_zero_offset(base, op.pgoff));
    case OpKind::kExec: return "execve (not run on the kernel)";
    case OpKind::kMigrateBegin:
    case OpKind::kMigrateEnd: return "half a migration (not run on the kernel)";
    case OpKind::kUffdMove:
      return fmt::format("userfaultfd, UFFDIO_REGISTER the VMA at {}, UFFDIO_MOVE(dst {}, src {}, len {}, ALLOW_SRC_HOLES), "
                         "UFFDIO_UNREGISTER", a(op.new_addr), a(op.new_addr), a(op.addr), n(op.len));
    case OpKind::kPin:
      return fmt::format("io_uring_setup(1), IORING_REGISTER_BUFFERS({} + {}): pin_user_pages(FOLL_WRITE|FOLL_LONGTERM)",
                         a(op.addr), n(op.len));
    case OpKind::kUnpin: return "IORING_UNREGISTER_BUFFERS and close, every ring the process pinned with";
    case OpKind::kFaultRace:
      return fmt::format("store 8 bytes at {}, then at {} (one thread: see run_op)", a(op.addr), a(op.new_addr));
    case OpKind::kGrowRace: return fmt::format("store 8 bytes at {} (growing the stack; see run_op)", a(op.addr));
    case OpKind::kLazyOff:
    case OpKind::kLazyOn: return "nothing (the kernel has no lazy mode to switch)";
    case OpKind::kSplitBegin:
    case OpKind::kSplitEnd: return "half a split (not run on the kernel)";
    case OpKind::kCount: break;
  }
  return "?";
}

ModelSide model_side_before(const World& before, const Op& op, uint64_t first_value) {
  ModelSide side;
  side.chosen_address = mremap_chosen_address(before, op);
  side.first_value = first_value;
  if (op.kind == OpKind::kUffdMove) {
    const VmaId dst = before.vma_lookup(op.pid, op.new_addr);
    if (dst != kNoVma) {
      side.uffd_vma_start = before.vma(dst).start;
      side.uffd_vma_end = before.vma(dst).end;
    }
  }
  return side;
}

static std::optional<std::string> run_op(OpContext& ctx, const Op& op, const ModelSide& model);

// Does [addr, addr + len) hold a PROT_NONE VMA (mlock's populate stops there)?
static bool range_has_prot_none(const World& w, ProcessId pid, PageNo addr, PageNo len) {
  for (VmaId id : w.proc(pid).vmas) {
    const Vma& v = w.vma(id);
    if (v.start < addr + len && addr < v.end && v.prot == kProtNone) return true;
  }
  return false;
}

OpOutcome run_op_on_kernel(OpContext& ctx, const Op& op, const ModelSide& model) {
  OpOutcome out;
  out.difference = run_op(ctx, op, model);
  if (op.kind == OpKind::kMlock && out.difference && out.difference->find("-ENOMEM") != std::string::npos &&
      range_has_prot_none(*model.after, op.pid, op.addr, op.len)) {
    out.difference.reset();
    out.note = fmt::format("{}: mlock returned ENOMEM (VM_LOCKED is set, then its populate stops at the PROT_NONE "
                           "VMA in the range, as in the model): accepted, the state is compared",
                           print_op(op));
  }
  return out;
}

static std::optional<std::string> run_op(OpContext& ctx, const Op& op, const ModelSide& model) {
  Workers& w = ctx.workers;
  const uint64_t base = ctx.arena_base;
  auto addr = [base](PageNo page) { return base + page * kPageSize; };
  auto bytes = [](PageNo pages) { return pages * kPageSize; };
  // The model accepted the op: a failing call is a disagreement.
  auto expect_result = [&](int64_t result, int64_t want) -> std::optional<std::string> {
    if (result == want) return std::nullopt;
    return fmt::format("{} returned {} in the kernel; the model accepted the op", describe_kernel_call(op, base, model.chosen_address),
                       errno_text(result));
  };
  switch (op.kind) {
    case OpKind::kMmap:
      return expect_result(w.syscall(op.pid, SYS_mmap, {addr(op.addr), bytes(op.len), prot_bits(op.prot), mmap_flags(op.flags), ~0ull, 0}),
                           static_cast<int64_t>(addr(op.addr)));
    case OpKind::kMunmap: return expect_result(w.syscall(op.pid, SYS_munmap, {addr(op.addr), bytes(op.len), 0, 0, 0, 0}), 0);
    case OpKind::kMprotect:
    case OpKind::kMprotectRace:  // its walker never runs here, as grow_race's
      return expect_result(w.syscall(op.pid, SYS_mprotect, {addr(op.addr), bytes(op.len), prot_bits(op.prot), 0, 0, 0}), 0);
    case OpKind::kMlock: return expect_result(w.syscall(op.pid, SYS_mlock, {addr(op.addr), bytes(op.len), 0, 0, 0, 0}), 0);
    case OpKind::kMunlock: return expect_result(w.syscall(op.pid, SYS_munlock, {addr(op.addr), bytes(op.len), 0, 0, 0, 0}), 0);
    case OpKind::kMadvise:
      return expect_result(
          w.syscall(op.pid, SYS_madvise, {addr(op.addr), bytes(op.len), static_cast<uint64_t>(advice_value(op.advice)), 0, 0, 0}), 0);
    case OpKind::kRead: {
      const std::vector<uint64_t> values = w.read(op.pid, addr(op.addr), op.len);
      for (PageNo i = 0; i < op.len; i++) {
        const uint64_t want = model.spec->expected(op.pid, op.addr + i);
        if (values[i] != want)
          return fmt::format("read of {}:{} returned {:#x} in the kernel; the trace's memory specification says {:#x}",
                             process_name(op.pid), hex(op.addr + i), values[i], want);
      }
      return std::nullopt;
    }
    case OpKind::kWrite: w.write(op.pid, addr(op.addr), op.len, model.first_value); return std::nullopt;
    case OpKind::kFaultRace:
      // The two threads' stores one after the other, from one thread: the
      // worker has no threads, and user space cannot time two faults to meet
      // inside __vmf_anon_prepare anyway. In the kernel (eager) every
      // interleaving ends as this one does, since __anon_vma_prepare tests
      // vma->anon_vma again under page_table_lock; the model's eager run
      // of the race ends the same way, and that is what is compared.
      w.write(op.pid, addr(op.addr), 1, model.first_value);
      w.write(op.pid, addr(op.new_addr), 1, model.first_value + 1);
      return std::nullopt;
    case OpKind::kGrowRace:
      // Its walker is the second half of a migration or split, which never
      // runs here (a trace with migrate_begin or split_begin is skipped):
      // what is left is the store that grows the stack.
      w.write(op.pid, addr(op.addr), 1, model.first_value);
      return std::nullopt;
    case OpKind::kFork: w.fork(op.pid, op.child); return std::nullopt;
    case OpKind::kExit: w.exit(op.pid); return std::nullopt;
    case OpKind::kMremap: {
      const MremapCall call = mremap_call(op, model.chosen_address);
      const int64_t result = w.syscall(op.pid, SYS_mremap,
                                       {addr(op.addr), bytes(op.len), bytes(op.new_len), call.flags, call.has_new_addr ? addr(call.new_addr) : 0, 0});
      return expect_result(result, static_cast<int64_t>(addr(call.has_new_addr ? call.new_addr : op.addr)));
    }
    case OpKind::kMigrate: {
      const int64_t result = w.move_pages(op.pid, addr(op.addr), op.len, 0);
      if (result < 0) return expect_result(result, 0);
      return std::nullopt;
    }
    case OpKind::kBrk: {
      const int64_t result = w.syscall(op.pid, SYS_brk, {addr(op.addr), 0, 0, 0, 0, 0});
      const uint64_t model_brk = addr(model.after->proc(op.pid).brk);
      if (static_cast<uint64_t>(result) != model_brk)
        return fmt::format("brk({}) left the break at {:#x} in the kernel, at {:#x} ({}) in the model", hex(op.addr), static_cast<uint64_t>(result),
                           model_brk, hex(model.after->proc(op.pid).brk));
      return std::nullopt;
    }
    case OpKind::kSplitFolio:
      if (ctx.large_folios) ctx.host.split_huge_pages(w.pid(op.pid), addr(op.addr), addr(op.addr + 1));
      return std::nullopt;
    case OpKind::kMmapZero:
      if (op.pgoff > kMaxFilePgoff)  // option mmap_pgoff_check off: not run here (trace_unsupported)
        throw KernelError(fmt::format("mmap_zero: file offset {} is above {} pages", hex(op.pgoff), hex(kMaxFilePgoff)));
      return expect_result(w.syscall(op.pid, SYS_mmap,
                                     {addr(op.addr), bytes(op.len), prot_bits(op.prot), mmap_flags(op.flags, /*anonymous=*/false),
                                      RMC_DEV_ZERO_FD, dev_zero_offset(base, op.pgoff)}),
                           static_cast<int64_t>(addr(op.addr)));
    case OpKind::kExec: throw KernelError(kExecNotRun);
    case OpKind::kMigrateBegin:
    case OpKind::kMigrateEnd: throw KernelError(kMigrationHalvesNotRun);
    case OpKind::kUffdMove: {
      // The model runs every uffd_move (its errors come after it changed
      // things) and keeps what the ioctl returns: bytes moved, or -errno.
      const rmc_reply r = w.uffd_move(op.pid, addr(model.uffd_vma_start), bytes(model.uffd_vma_end - model.uffd_vma_start),
                                      addr(op.new_addr), addr(op.addr), bytes(op.len));
      static constexpr const char* kSteps[] = {"", "userfaultfd(2)", "UFFDIO_API", "UFFDIO_REGISTER", "UFFDIO_UNREGISTER"};
      if (r.count > 0 && r.count < std::size(kSteps))
        return fmt::format("{} returned {} in the kernel (around {})", kSteps[r.count], errno_text(r.result),
                           describe_kernel_call(op, base, model.chosen_address));
      const int64_t model_result = model.after->events().uffd_move_result;
      const int64_t want = model_result > 0 ? static_cast<int64_t>(bytes(static_cast<PageNo>(model_result))) : model_result;
      if (r.result != want)
        return fmt::format("UFFDIO_MOVE returned {} in the kernel, {} in the model", errno_text(r.result), errno_text(want));
      return std::nullopt;
    }
    case OpKind::kPin: {
      const rmc_reply r = w.pin(op.pid, addr(op.addr), bytes(op.len));
      static constexpr const char* kSteps[] = {"", "io_uring_setup", "IORING_REGISTER_BUFFERS", "the worker's ring table"};
      if (r.result != 0)
        return fmt::format("{} returned {} in the kernel; the model accepted the op",
                           r.count < std::size(kSteps) ? kSteps[r.count] : "?", errno_text(r.result));
      return std::nullopt;
    }
    case OpKind::kUnpin: return expect_result(w.unpin(op.pid), 0);
    case OpKind::kLazyOff:
    case OpKind::kLazyOn: return std::nullopt;  // the eager model ignores them too
    case OpKind::kSplitBegin:
    case OpKind::kSplitEnd: throw KernelError(kSplitHalvesNotRun);
    case OpKind::kCount: break;
  }
  throw KernelError("unknown op");
}

}  // namespace rmc::kernel
