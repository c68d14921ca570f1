// object_sizes.cpp - object sizes from /sys/kernel/slab or the defaults.
#include "memory/object_sizes.h"

#include <fstream>

namespace rmc::memory {

namespace {

ObjectSize builtin(std::string cache, uint32_t object_bytes, uint32_t slab_bytes) {
  return {std::move(cache), object_bytes, slab_bytes, "6.18 default"};
}

// The first number in a sysfs attribute ("96\n").
bool read_number(const std::string& path, uint32_t& out) {
  std::ifstream in(path);
  uint64_t value = 0;
  if (!(in >> value) || value == 0 || value > (1u << 20)) return false;
  out = static_cast<uint32_t>(value);
  return true;
}

void read_cache(const std::string& slab_dir, ObjectSize& size) {
  uint32_t object_bytes = 0, slab_bytes = 0;
  const std::string dir = slab_dir + "/" + size.cache + "/";
  if (!read_number(dir + "object_size", object_bytes) || !read_number(dir + "slab_size", slab_bytes)) return;
  size.object_bytes = object_bytes;
  size.slab_bytes = slab_bytes;
  size.source = slab_dir;
}

}  // namespace

ObjectSizes default_object_sizes() {
  ObjectSizes s;
  s.vma = builtin("vm_area_struct", 192, 192);
  s.anon_vma = builtin("anon_vma", 96, 104);
  s.avc = builtin("anon_vma_chain", 64, 64);
  s.context = {"", 88, 88, "estimate"};
  return s;
}

ObjectSizes read_object_sizes(const std::string& slab_dir) {
  ObjectSizes s = default_object_sizes();
  read_cache(slab_dir, s.vma);
  read_cache(slab_dir, s.anon_vma);
  read_cache(slab_dir, s.avc);
  return s;
}

double kilobytes(int64_t objects, const ObjectSize& size) {
  return static_cast<double>(objects) * size.slab_bytes / 1024.0;
}

}  // namespace rmc::memory
