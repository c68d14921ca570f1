// object_sizes.h - bytes per kernel object, for the KB columns.
//
// The series' table is in slab "active KB": objects times the cache's
// object size as /proc/slabinfo and slabtop report it, which is
// kmem_cache->size (mm/slab_common.c cache_show prints s->size), the
// object plus its slab metadata. /sys/kernel/slab/CACHE/slab_size is that
// number and object_size the bare struct; KB here uses slab_size.
//
// Read from this machine's /sys/kernel/slab when readable; otherwise the
// Linux 6.18 x86-64 defaults below (as a 6.18.44 x86-64 kernel with NUMA,
// PER_VMA_LOCK and USERFAULTFD, without lock or VM debugging, reports them):
//   anon_vma        object 96, slab 104 (SLAB_TYPESAFE_BY_RCU keeps the
//                   free pointer outside the object: +8)
//   anon_vma_chain  object 64, slab 64
//   vm_area_struct  object 192, slab 192 (cache-line aligned; zombie root
//                   VMAs of the lazy designs are vm_area_structs too)
// The COW context has no cache in mainline: 88 bytes is an estimate from
// the fields of the PoC's struct cow_context (lazy-design.md 2(d): mm,
// parent, children and siblings list heads, refcount, the remap maple
// tree root, an RCU head), always printed as an estimate.
#pragma once

#include <cstdint>
#include <string>

namespace rmc::memory {

struct ObjectSize {
  std::string cache;       // slab cache name ("anon_vma"), or "" if none
  uint32_t object_bytes = 0;
  uint32_t slab_bytes = 0;  // what KB is computed with
  std::string source;       // "/sys/kernel/slab", "6.18 default", "estimate"
};

struct ObjectSizes {
  ObjectSize vma;
  ObjectSize anon_vma;
  ObjectSize avc;
  ObjectSize context;
};

ObjectSizes default_object_sizes();
// Each cache read from `slab_dir` (object_size and slab_size) where both
// files parse; the default otherwise.
ObjectSizes read_object_sizes(const std::string& slab_dir = "/sys/kernel/slab");

// KB as slabtop prints it: bytes / 1024.
double kilobytes(int64_t objects, const ObjectSize& size);

}  // namespace rmc::memory
