// kernel_ops.h - one trace op as the system calls a worker makes.
//
// The op table's meaning (docs/trace-format.md), on the real kernel:
//   mmap        mmap(base + ADDR, LEN, PROT, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|FLAGS)
//   mmap_zero   mmap(base + ADDR, LEN, PROT, MAP_PRIVATE|MAP_FIXED|FLAGS, /dev/zero,
//               (base / 4096 + PGOFF) * 4096): one /dev/zero fd, opened before
//               P0 starts and inherited by every fork (workers.h), so all
//               processes map one struct file, as the model assumes. The
//               arena's base page is added to the offset as to every address,
//               so vm_start - vm_pgoff is the model's in both.
//   exec        not run: execve would replace the worker, and the new stack
//               would be at STACK_TOP, outside the arena (trace_unsupported)
//   munmap, mprotect, mlock, munlock, madvise   the same call on the byte range
//   read        one 8-byte load per page; the values must be the ones the
//               trace's memory specification says (what was written/inherited)
//   write       one 8-byte store per page of the value the model stores there
//   fork, exit  fork and exit of the worker process
//   mremap      mremap(2) with the op's flags. Where the kernel would choose the
//               address (MAYMOVE without room, DONTUNMAP without FIXED) it would
//               pick one near mmap_base, outside the arena: the op is made
//               MREMAP_FIXED to the address the model chose (the highest free
//               gap of the arena), so both sides move to the same place.
//   migrate     move_pages(MPOL_MF_MOVE_ALL) of every page to node 0. With one
//               NUMA node that moves nothing (the page is already there); the
//               model's migration changes only PFNs, which keeps every sharing
//               class, so the two still agree on everything observed.
//   brk         brk(base + ADDR); the break it returns must be the model's.
//   mlock       over a range with a PROT_NONE VMA the kernel sets VM_LOCKED on
//               the whole range, then its populate stops at the PROT_NONE VMA
//               (GUP cannot fault it) and mlock returns ENOMEM. The model has
//               no "did it but failed" ops: the ENOMEM is accepted with a note,
//               and the state after it is compared as after any op.
//   split_folio /sys/kernel/debug/split_huge_pages for the page, when the trace
//               has large folios (without them it is a no-op on both sides).
// A call the model accepted that the kernel refuses, a read that returns
// another value, or a break that differs is a disagreement (OpOutcome), not
// an error: the two sides did different things.
#pragma once

#include <optional>
#include <string>

#include "model/core/op.h"

namespace rmc {
class MemorySpec;
}

namespace rmc::kernel {

class Workers;
class Host;

struct OpContext {
  Workers& workers;
  Host& host;
  uint64_t arena_base = 0;
  bool large_folios = false;
};

// What the model said about the op before it ran, and after.
struct ModelSide {
  PageNo chosen_address = 0;  // mremap_chosen_address() before the op; kArenaPages if none
  uint64_t first_value = 0;   // the value the first written page gets
  const World* after = nullptr;       // the model after the op (reads, brk)
  const MemorySpec* spec = nullptr;  // what reads must return
  // uffd_move: the VMA at the destination before the op, which the worker
  // registers with its userfaultfd ([0, 0) if there is none).
  PageNo uffd_vma_start = 0, uffd_vma_end = 0;
};

// The ModelSide fields read from the model before `op` runs.
ModelSide model_side_before(const World& before, const Op& op, uint64_t first_value);

struct OpOutcome {
  std::optional<std::string> difference;  // how the kernel's result differs from the model's
  std::optional<std::string> note;        // a kernel result accepted as it is (see mlock)
};

// Runs `op` on the kernel.
OpOutcome run_op_on_kernel(OpContext& ctx, const Op& op, const ModelSide& model);

// The op as C would write it, for reports ("mremap(0x100000100000, ...)").
std::string describe_kernel_call(const Op& op, uint64_t arena_base, PageNo chosen_address);

}  // namespace rmc::kernel
