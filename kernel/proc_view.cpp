// proc_view.cpp - parsing /proc/PID/maps, pagemap and kpageflags.
#include "kernel/proc_view.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "kernel/workers.h"
#include "model/core/bounds.h"
#include "model/core/op_table.h"

namespace rmc::kernel {

namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPresent = 1ull << 63;
constexpr uint64_t kSwapped = 1ull << 62;
constexpr uint64_t kMappedOnce = 1ull << 56;  // PM_MMAP_EXCLUSIVE
constexpr uint64_t kFrameMask = (1ull << 55) - 1;

// Reads all of a /proc file (maps is generated as it is read).
void read_whole(const std::string& path, std::vector<char>& buf) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("{}: {}", path, strerror(errno)));
  if (buf.size() < 65536) buf.resize(65536);
  size_t used = 0;
  for (;;) {
    if (used == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = read(fd, buf.data() + used, buf.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      throw KernelError(fmt::format("{}: {}", path, strerror(err)));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  close(fd);
  buf.resize(used);
}

void pread_all(int fd, void* buf, size_t len, uint64_t offset, const std::string& what) {
  char* out = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = pread(fd, out, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw KernelError(fmt::format("{}: {}", what, n < 0 ? strerror(errno) : "short read"));
    out += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
}

// The file part of a maps line inside the arena: nothing or a pseudo name
// ("[heap]": the arena holds the heap) for an anonymous VMA, "/dev/zero" for
// mmap_zero's; `offset` is vm_pgoff in bytes (shown for files only). No op
// maps another file, so one is a surprise.
void read_file_part(VmaView& v, std::string_view path, uint64_t offset, uint64_t base, const std::string& maps) {
  if (path.empty() || path.front() == '[') return;
  if (path != "/dev/zero")
    throw KernelError(fmt::format("{}: arena VMA {:#x}-{:#x} maps '{}', a file no op maps", maps, v.start, v.end, path));
  v.dev_zero = true;
  v.pgoff = offset / kPageSize - base / kPageSize;  // arena pages, as kernel_ops.h translated them
}

// The path at the end of a maps line, after the five fields before it.
std::string_view path_of(std::string_view line) {
  size_t at = 0;
  for (int field = 0; field < 5; field++) {
    at = line.find_first_not_of(' ', at);
    at = line.find(' ', at);
    if (at == std::string_view::npos) return {};
  }
  at = line.find_first_not_of(' ', at);
  return at == std::string_view::npos ? std::string_view{} : line.substr(at);
}

uint8_t prot_of(const char* perms) {
  uint8_t prot = 0;
  if (perms[0] == 'r') prot |= kProtRead;
  if (perms[1] == 'w') prot |= kProtWrite;
  if (perms[2] == 'x') prot |= kProtExec;
  return prot;
}

}  // namespace

std::optional<std::string> proc_view_unavailable() {
  if (geteuid() != 0) return "needs root (pagemap shows PFNs to root only)";
  if (access("/proc/kpageflags", R_OK) != 0) return fmt::format("needs /proc/kpageflags: {}", strerror(errno));
  if (access("/proc/self/pagemap", R_OK) != 0) return fmt::format("needs /proc/PID/pagemap: {}", strerror(errno));
  return std::nullopt;
}

ProcReader::ProcReader(uint64_t arena_base) : base_(arena_base) {
  kpageflags_fd_ = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
  if (kpageflags_fd_ < 0) throw KernelError(fmt::format("/proc/kpageflags: {}", strerror(errno)));
  maps_buf_.reserve(1 << 20);
  pagemap_buf_.reserve(kArenaPages);
}

ProcReader::~ProcReader() {
  if (kpageflags_fd_ >= 0) close(kpageflags_fd_);
}

std::vector<VmaView> ProcReader::read_maps(pid_t pid, int64_t& all_vmas) {
  const std::string path = fmt::format("/proc/{}/maps", pid);
  read_whole(path, maps_buf_);
  const uint64_t arena_end = base_ + kArenaPages * kPageSize;
  std::vector<VmaView> vmas;
  all_vmas = 0;
  const char* p = maps_buf_.data();
  const char* end = p + maps_buf_.size();
  while (p < end) {
    const char* eol = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!eol) eol = end;
    const std::string_view line(p, static_cast<size_t>(eol - p));
    unsigned long long start = 0, stop = 0, offset = 0;
    char perms[5] = {};
    // "start-end perms offset dev inode path"
    if (sscanf(std::string(line).c_str(), "%llx-%llx %4s %llx", &start, &stop, perms, &offset) != 4)
      throw KernelError(fmt::format("{}: cannot parse '{}'", path, line));
    const bool inside = start >= base_ && stop <= arena_end;
    const bool overlaps = start < arena_end && stop > base_;
    if (overlaps && !inside)
      throw KernelError(fmt::format("{}: VMA {:#x}-{:#x} straddles the arena's edge", path, start, stop));
    if (inside) {
      VmaView v{(start - base_) / kPageSize, (stop - base_) / kPageSize, prot_of(perms)};
      read_file_part(v, path_of(line), offset, base_, path);
      vmas.push_back(v);
    }
    // The vsyscall page is a static gate VMA, not in the vm_area_struct cache.
    if (line.find("[vsyscall]") == std::string_view::npos) all_vmas++;
    p = eol + 1;
  }
  return vmas;
}

uint64_t ProcReader::kpageflags(uint64_t pfn) {
  uint64_t flags = 0;
  pread_all(kpageflags_fd_, &flags, sizeof flags, pfn * sizeof flags, "/proc/kpageflags");
  return flags;
}

ProcessView ProcReader::read(ProcessId trace_pid, pid_t pid) {
  ProcessView view;
  view.pid = trace_pid;
  view.vmas = read_maps(pid, view.all_vmas);
  const std::string path = fmt::format("/proc/{}/pagemap", pid);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("{}: {}", path, strerror(errno)));
  try {
    for (const VmaView& v : view.vmas) {
      const uint64_t pages = v.end - v.start;
      pagemap_buf_.resize(pages);
      pread_all(fd, pagemap_buf_.data(), pages * sizeof(uint64_t), (base_ / kPageSize + v.start) * sizeof(uint64_t), path);
      for (uint64_t entry : pagemap_buf_) {
        PageView page;
        if (entry & kPresent) {
          const uint64_t pfn = entry & kFrameMask;
          if (pfn == 0) throw KernelError(fmt::format("{}: PFNs read as 0 (not root?)", path));
          const uint64_t flags = kpageflags(pfn);
          if (flags & (1ull << kKpfZeroPage))
            page = {PageKind::kZero, false, true, false, 0};
          else
            page = {PageKind::kPresent, ((flags >> kKpfAnonExclusive) & 1) != 0,
                    (flags & (1ull << kKpfCompoundTail)) == 0, (entry & kMappedOnce) != 0, pfn};
        } else if (entry & kSwapped) {
          page = {PageKind::kSwapped, false, true, false, entry & kFrameMask};
        }
        view.pages.push_back(page);
      }
    }
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return view;
}

}  // namespace rmc::kernel
