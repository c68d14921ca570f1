// process.h - one simulated process: an mm (VMAs and page tables) and brk.
#pragma once

#include <vector>

#include "model/core/page_table.h"
#include "model/core/types.h"

namespace rmc {

// Where the heap starts in every process (mm->start_brk), in pages. The
// real-kernel oracle sets the same with prctl(PR_SET_MM_START_BRK).
inline constexpr PageNo kDefaultStartBrk = 0x8000;

enum class ProcessState : uint8_t { kUnused, kLive, kExited };

struct Process {
  ProcessState state = ProcessState::kUnused;
  std::vector<VmaId> vmas;  // the mm's VMAs, sorted by vm_start, disjoint
  PageTable pt;
  PageNo start_brk = kDefaultStartBrk;
  PageNo brk = kDefaultStartBrk;
  // Which mm the process has: exec replaces it (a new mm_struct), so
  // whoever names an mm (base0's folio->mapping) names (process, generation).
  uint32_t mm_generation = 0;
  // The pages this process pinned (pin op), one entry per pinned page: the
  // pfn whose folio holds the pin. They belong to the process's io_uring
  // buffers, not to the mm: they outlive an munmap of the page and go at
  // unpin, exit or exec (the ring fd is O_CLOEXEC), never at fork.
  std::vector<Pfn> pinned;
  // Where the last VMA lookup landed in `vmas` (the kernel's vmacache idea):
  // consecutive lookups mostly hit the same VMA. Only a hint: it is
  // re-validated against the list on every use.
  mutable size_t lookup_hint = 0;

  bool live() const { return state == ProcessState::kLive; }
  // Back to an unused slot, keeping the vectors' room: a fuzzer resets its
  // worlds once per input, and regrowing them was a tenth of its time.
  void reset() {
    std::vector<VmaId> keep_vmas = std::move(vmas);
    std::vector<Pfn> keep_pinned = std::move(pinned);
    PageTable keep_pt = std::move(pt);
    *this = Process{};  // every other field back to its default
    vmas = std::move(keep_vmas);
    vmas.clear();
    pinned = std::move(keep_pinned);
    pinned.clear();
    pt = std::move(keep_pt);
    pt.clear_all();
  }
};

}  // namespace rmc
