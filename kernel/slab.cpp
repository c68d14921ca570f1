// slab.cpp - shrink-and-read until the count settles.
#include "kernel/slab.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "kernel/workers.h"

namespace rmc::kernel {

namespace {

constexpr const char* kCaches[] = {"vm_area_struct", "anon_vma", "anon_vma_chain"};

std::string cache_file(const char* cache, const char* file) { return fmt::format("/sys/kernel/slab/{}/{}", cache, file); }

void shrink(const char* cache) {
  const std::string path = cache_file(cache, "shrink");
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("{}: {}", path, strerror(errno)));
  ssize_t n = write(fd, "1", 1);
  int err = errno;
  close(fd);
  if (n != 1) throw KernelError(fmt::format("{}: {}", path, strerror(err)));
}

// The first number of "objects" ("1367 N0=1367").
int64_t objects(const char* cache) {
  const std::string path = cache_file(cache, "objects");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("{}: {}", path, strerror(errno)));
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int err = errno;
  close(fd);
  if (n <= 0) throw KernelError(fmt::format("{}: {}", path, n < 0 ? strerror(err) : "empty"));
  buf[n] = 0;
  char* end = nullptr;
  long long value = strtoll(buf, &end, 10);
  if (end == buf) throw KernelError(fmt::format("{}: not a number: '{}'", path, buf));
  return value;
}

int64_t settled(const char* cache) {
  int64_t last = -1;
  int agreeing = 0;
  for (int i = 0; i < kMaxReadings; i++) {
    shrink(cache);
    int64_t now = objects(cache);
    agreeing = now == last ? agreeing + 1 : 1;
    last = now;
    if (agreeing >= kStableReadings) return now;
  }
  throw KernelError(fmt::format("/sys/kernel/slab/{}/objects did not settle in {} readings (is the machine busy?)",
                                cache, kMaxReadings));
}

}  // namespace

std::optional<std::string> slab_counts_unavailable() {
  if (geteuid() != 0) return "needs root (to shrink /sys/kernel/slab caches and read PFNs)";
  for (const char* cache : kCaches)
    for (const char* file : {"objects", "shrink"}) {
      const std::string path = cache_file(cache, file);
      if (access(path.c_str(), file[0] == 'o' ? R_OK : W_OK) != 0)
        return fmt::format("needs {} (SLUB sysfs): {}", path, strerror(errno));
    }
  return std::nullopt;
}

SlabCounts read_slab_counts() {
  SlabCounts c;
  c.vmas = settled(kCaches[0]);
  c.anon_vmas = settled(kCaches[1]);
  c.avcs = settled(kCaches[2]);
  return c;
}

}  // namespace rmc::kernel
