// memory_spec.h - what every page of every process must contain, by the
// semantics of the syscalls alone (the content oracle).
//
// It knows nothing of folios, COW or swap: a write stores a value in one
// process; fork copies the parent's values (not for VM_DONTCOPY ranges, zero
// for VM_WIPEONFORK); munmap, MADV_DONTNEED and a fresh mmap make pages read
// as zero; mremap moves values, and so does UFFDIO_MOVE, page by page as far
// as it got. Pageout, migration and folio splits change
// nothing a process can see. The model's visible contents must always match.
#pragma once

#include <array>
#include <cstdint>

#include "model/core/bounds.h"
#include "model/core/op.h"
#include "model/core/page_table.h"

namespace rmc {

class World;

class MemorySpec {
 public:
  void reset();
  // Update for `op`, given the world as it was before the op ran (fork reads
  // the parent's VMA flags; a non-fixed mremap move needs its target).
  void apply(const Op& op, const World& before, PageNo mremap_target);
  void write(ProcessId pid, PageNo addr, uint64_t value);
  // UFFDIO_MOVE: the value at `from` is now at `to`, and `from` reads zero.
  // Which pages moved is the run's answer (the op stops at the first page
  // it cannot move, for reasons below the syscall: PageAnonExclusive), so
  // the runner reports each page as it goes.
  void move_page(ProcessId pid, PageNo from, PageNo to);
  uint64_t expected(ProcessId pid, PageNo addr) const;
  // The non-zero pages of a process, in address order.
  const PageMap<uint64_t>& pages(ProcessId pid) const { return pages_[idx(pid)]; }

 private:
  void erase(ProcessId pid, PageNo start, PageNo end);
  void move(ProcessId pid, PageNo from, PageNo len, PageNo to);
  std::array<PageMap<uint64_t>, kMaxProcesses> pages_;  // non-zero values only
};

}  // namespace rmc
