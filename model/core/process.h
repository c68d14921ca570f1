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
  // Where the last VMA lookup landed in `vmas` (the kernel's vmacache idea):
  // consecutive lookups mostly hit the same VMA. Only a hint: it is
  // re-validated against the list on every use.
  mutable size_t lookup_hint = 0;

  bool live() const { return state == ProcessState::kLive; }
};

}  // namespace rmc
