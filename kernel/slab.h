// slab.h - exact counts of the kernel's anon rmap objects.
//
// /sys/kernel/slab/CACHE/objects counts objects in slabs, including the
// free objects that sit in per-CPU slabs and sheaves; writing 1 to
// /sys/kernel/slab/CACHE/shrink flushes those back. Shrink, read, and
// repeat until kStableReadings readings in a row agree: on a quiet machine
// that is the exact number of live objects (kernel-eager.md section 8).
//
// anon_vma_chain shares its cache with other 64-byte caches on the CI
// kernel (fs_cache, eventpoll_pwq): the workers fork with CLONE_FS and use
// no epoll, so only AVCs move it while a trace runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rmc::kernel {

struct SlabCounts {
  int64_t vmas = 0;       // vm_area_struct
  int64_t anon_vmas = 0;  // anon_vma
  int64_t avcs = 0;       // anon_vma_chain
  SlabCounts operator-(const SlabCounts& o) const { return {vmas - o.vmas, anon_vmas - o.anon_vmas, avcs - o.avcs}; }
  SlabCounts operator+(const SlabCounts& o) const { return {vmas + o.vmas, anon_vmas + o.anon_vmas, avcs + o.avcs}; }
  bool operator==(const SlabCounts&) const = default;
};

// Readings in a row that must agree, and the most readings per cache.
inline constexpr int kStableReadings = 3;
inline constexpr int kMaxReadings = 200;

// Why the counts cannot be read here (not root, no SLUB sysfs, ...), or
// nothing when they can.
std::optional<std::string> slab_counts_unavailable();

// Throws KernelError if a cache never settles within kMaxReadings.
SlabCounts read_slab_counts();

}  // namespace rmc::kernel
