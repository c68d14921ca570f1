// proc_view.h - the kernel's side of an Observation, read from /proc.
//
//   /proc/PID/maps      the VMAs inside the arena: extent and rwx; the path
//                       "/dev/zero" (mmap_zero) and its offset, vm_pgoff in
//                       bytes, which becomes arena pages like an address
//   /proc/PID/pagemap   per page: bit 63 present, bit 62 swapped, bit 56
//                       mapped once (the page's mapcount is 1), bits 0-54
//                       the PFN (root only) or the swap type and offset
//   /proc/kpageflags    per PFN: bit 24 ZERO_PAGE; bit 34, for anonymous
//                       pages, PG_anon_exclusive (kernel-eager.md section 8),
//                       except on a tail page of a large folio (bit 16):
//                       kpageflags shows the folio's (head page's) flags there
//                       (fs/proc/page.c reads folio->flags), so its own
//                       PG_anon_exclusive is not visible
//
// Addresses are turned back into arena page numbers (byte address minus the
// arena base, over 4096). A VMA that is only partly inside the arena, or any
// other surprise in these files, is a KernelError.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/observation.h"

namespace rmc::kernel {

inline constexpr int kKpfCompoundTail = 16;
inline constexpr int kKpfZeroPage = 24;
inline constexpr int kKpfAnonExclusive = 34;

// Why pagemap PFNs or kpageflags cannot be read here, or nothing.
std::optional<std::string> proc_view_unavailable();

class ProcReader {
 public:
  explicit ProcReader(uint64_t arena_base);
  ~ProcReader();
  ProcReader(const ProcReader&) = delete;
  ProcReader& operator=(const ProcReader&) = delete;
  // The view of one process (VMAs and pages; counts are not filled in).
  ProcessView read(ProcessId trace_pid, pid_t pid);

 private:
  std::vector<VmaView> read_maps(pid_t pid, int64_t& all_vmas);
  uint64_t kpageflags(uint64_t pfn);
  uint64_t base_;
  int kpageflags_fd_ = -1;
  std::vector<char> maps_buf_;       // reused: no allocation per step once grown
  std::vector<uint64_t> pagemap_buf_;
};

}  // namespace rmc::kernel
