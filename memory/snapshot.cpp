// snapshot.cpp - reading /proc/PID/{stat,maps,pagemap} and /sys/kernel/slab.
#include "memory/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "model/core/types.h"

namespace rmc::memory {

namespace {

constexpr uint64_t kPageBytes = 4096;
// Pages of one VMA whose pagemap entries are read: large reservations
// (PROT_NONE heaps of runtimes) would cost 8 bytes per page otherwise.
constexpr uint64_t kMaxPagemapPagesPerVma = uint64_t{1} << 18;  // 1 GiB
constexpr size_t kPagemapChunk = 4096;                           // entries per pread
constexpr uint64_t kUnreadableNamed = 5;                         // notes naming unreadable pids

constexpr uint64_t kPmPresent = uint64_t{1} << 63;
constexpr uint64_t kPmSwap = uint64_t{1} << 62;
constexpr uint64_t kPmFileOrSharedAnon = uint64_t{1} << 61;
constexpr uint64_t kPmExclusive = uint64_t{1} << 56;
constexpr uint64_t kPmPfnMask = (uint64_t{1} << 55) - 1;

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

bool parse_hex(std::string_view text, uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc{} && end == text.data() + text.size();
}

// "pid (comm) S ppid ...": comm may hold spaces and parentheses.
bool parse_stat(const std::string& text, std::string& comm, int& ppid) {
  const size_t open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  return static_cast<bool>(rest >> state >> ppid);
}

// The entries of [first_page, first_page + pages) of an open pagemap.
bool read_pagemap(int fd, uint64_t first_page, uint64_t pages, std::vector<uint64_t>& out) {
  out.resize(pages);
  uint64_t done = 0;
  while (done < pages) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kPagemapChunk, pages - done));
    const ssize_t got = pread(fd, out.data() + done, want * 8, static_cast<off_t>((first_page + done) * 8));
    if (got <= 0 || got % 8 != 0) return false;
    done += static_cast<uint64_t>(got) / 8;
  }
  return true;
}

bool is_zero(const Snapshot& s, uint64_t pfn) {
  for (auto [first, last] : s.zero_pfns)
    if (pfn >= first && pfn <= last) return true;
  return false;
}

// The zero page's PFN as this process sees it after a read fault on fresh
// anonymous memory; the huge zero page too, where THP maps one.
void probe_zero_pfns(Snapshot& s) {
  const int fd = open("/proc/self/pagemap", O_RDONLY);
  if (fd < 0) return;
  auto probe = [&](size_t bytes, bool huge) {
    void* raw = mmap(nullptr, bytes * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return;
    auto* base = reinterpret_cast<volatile char*>((reinterpret_cast<uintptr_t>(raw) + bytes - 1) & ~(bytes - 1));
    if (huge) madvise(const_cast<char*>(base), bytes, MADV_HUGEPAGE);
    (void)base[0];
    std::vector<uint64_t> entry;
    if (read_pagemap(fd, reinterpret_cast<uintptr_t>(base) / kPageBytes, 1, entry) && (entry[0] & kPmPresent) &&
        (entry[0] & kPmPfnMask) != 0) {
      const uint64_t pfn = entry[0] & kPmPfnMask;
      s.zero_pfns.push_back({pfn, pfn + (huge ? bytes / kPageBytes - 1 : 0)});
    }
    munmap(raw, bytes * 2);
  };
  probe(kPageBytes, false);
  probe(2 << 20, true);
  close(fd);
}

// Marks faulted VMAs and gathers the PFNs of shared anonymous pages.
void read_pages(Snapshot& s, int pid, SnapshotProcess& p, uint64_t& truncated) {
  const int fd = open(fmt::format("{}/{}/pagemap", "/proc", pid).c_str(), O_RDONLY);
  if (fd < 0) return;
  std::vector<uint64_t> entries;
  for (SnapshotVma& v : p.vmas) {
    if (v.shared) continue;
    uint64_t pages = (v.end - v.start) / kPageBytes;
    if (pages > kMaxPagemapPagesPerVma) {
      pages = kMaxPagemapPagesPerVma;
      truncated++;
    }
    if (!read_pagemap(fd, v.start / kPageBytes, pages, entries)) continue;
    for (uint64_t e : entries) {
      if (e & kPmSwap) {
        v.faulted = true;
        continue;
      }
      if (!(e & kPmPresent) || (e & kPmFileOrSharedAnon)) continue;
      const uint64_t pfn = e & kPmPfnMask;
      if (pfn != 0) s.pfns_visible = true;
      if (pfn != 0 && is_zero(s, pfn)) continue;
      // PFN 0 without root: present and anonymous, but the zero page
      // cannot be told apart; only a page known exclusive counts then.
      if (pfn == 0 && !(e & kPmExclusive)) continue;
      v.faulted = true;
      if (pfn != 0 && !(e & kPmExclusive)) p.shared_pfns.push_back(pfn);
    }
  }
  close(fd);
  std::sort(p.shared_pfns.begin(), p.shared_pfns.end());
  p.shared_pfns.erase(std::unique(p.shared_pfns.begin(), p.shared_pfns.end()), p.shared_pfns.end());
}

}  // namespace

std::optional<std::string> parse_maps(const std::string& text, std::vector<SnapshotVma>& out) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); n++) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string range, perms, offset, dev, name;
    uint64_t inode = 0;
    if (!(fields >> range >> perms >> offset >> dev >> inode)) return fmt::format("maps line {}: {}", n, line);
    std::getline(fields >> std::ws, name);
    const size_t dash = range.find('-');
    SnapshotVma v;
    if (dash == std::string::npos || !parse_hex(std::string_view(range).substr(0, dash), v.start) ||
        !parse_hex(std::string_view(range).substr(dash + 1), v.end) || v.end <= v.start || perms.size() != 4)
      return fmt::format("maps line {}: {}", n, line);
    if (name == "[vsyscall]") continue;  // the gate area: no vm_area_struct
    v.prot = static_cast<uint8_t>((perms[0] == 'r' ? kProtRead : 0) | (perms[1] == 'w' ? kProtWrite : 0) |
                                  (perms[2] == 'x' ? kProtExec : 0));
    v.shared = perms[3] == 's';
    v.anonymous = inode == 0;
    if (!v.anonymous) v.file = fmt::format("{} {}", dev, inode);
    if (!parse_hex(offset, v.offset)) return fmt::format("maps line {}: {}", n, line);
    out.push_back(v);
  }
  return std::nullopt;
}

SlabCount read_slab_objects(const std::string& slab_dir, const std::string& cache, bool shrink) {
  const std::string dir = slab_dir + "/" + cache;
  if (shrink) {
    std::ofstream(dir + "/shrink") << "1\n";  // best effort: frees empty slabs, keeps every object
  }
  SlabCount count;
  auto text = read_text(dir + "/objects");
  if (!text) {
    count.error = fmt::format("{}/objects is not readable", dir);
    return count;
  }
  int64_t objects = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), objects);
  if (ec != std::errc{} || objects < 0) {
    count.error = fmt::format("{}/objects: cannot parse '{}'", dir, text->substr(0, 40));
    return count;
  }
  count.objects = objects;
  return count;
}

std::optional<std::string> read_snapshot(const SnapshotOptions& options, Snapshot& s) {
  DIR* dir = opendir(options.proc_dir.c_str());
  if (!dir) return fmt::format("cannot list {}: the snapshot needs /proc", options.proc_dir);
  std::vector<int> pids;
  while (dirent* entry = readdir(dir)) {
    int pid = 0;
    const std::string_view name = entry->d_name;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec == std::errc{} && end == name.data() + name.size() && pid > 0) pids.push_back(pid);
  }
  closedir(dir);
  std::sort(pids.begin(), pids.end());
  if (options.proc_dir == "/proc") probe_zero_pfns(s);
  uint64_t truncated = 0;
  for (int pid : pids) {
    SnapshotProcess p;
    p.pid = pid;
    auto stat = read_text(fmt::format("{}/{}/stat", options.proc_dir, pid));
    auto maps = read_text(fmt::format("{}/{}/maps", options.proc_dir, pid));
    if (!stat || !maps || !parse_stat(*stat, p.comm, p.ppid)) {
      if (s.unreadable++ < kUnreadableNamed)
        s.notes.push_back(fmt::format("pid {}: {}/{}/maps not readable (gone, or no permission): left out",
                                      pid, options.proc_dir, pid));
      continue;
    }
    if (maps->empty()) {
      s.kernel_threads++;  // no mm (or it exited between the reads)
      continue;
    }
    if (auto error = parse_maps(*maps, p.vmas)) {
      s.unreadable++;
      s.notes.push_back(fmt::format("pid {}: {}", pid, *error));
      continue;
    }
    if (options.proc_dir == "/proc") read_pages(s, pid, p, truncated);
    s.processes.push_back(std::move(p));
  }
  if (truncated)
    s.notes.push_back(fmt::format("{} VMAs larger than 1 GiB: only their first GiB of pagemap was read", truncated));
  if (!s.pfns_visible)
    s.notes.push_back("pagemap shows no PFNs (not root?): fork relations cannot be seen; every process is a root");
  s.vm_area_struct = read_slab_objects(options.slab_dir, "vm_area_struct", options.shrink);
  s.anon_vma = read_slab_objects(options.slab_dir, "anon_vma", options.shrink);
  s.anon_vma_chain = read_slab_objects(options.slab_dir, "anon_vma_chain", options.shrink);
  return std::nullopt;
}

}  // namespace rmc::memory
