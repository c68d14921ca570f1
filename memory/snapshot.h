// snapshot.h - this machine's processes, read from /proc, and its live slab
// counts, read from /sys/kernel/slab (`rmapcheck memory --snapshot`).
//
// For every process with an mm: its VMAs from /proc/PID/maps and, for each
// private VMA, its pages from /proc/PID/pagemap (present, swapped, "file or
// shared-anon" bit 61, "exclusively mapped" bit 56, PFN). A VMA is taken to
// have anon state (eager: an anon_vma) when it maps at least one private
// anonymous page or swap entry now: anon_vma_prepare runs at the first
// anonymous fault, and nothing in /proc shows an anon_vma whose pages are
// all gone, so such VMAs are missed. The PFNs of anonymous pages that are
// not exclusively mapped (mapcount > 1: shared since a fork) are kept to
// infer fork relations (snapshot_workload.h). The shared zero page is
// present, anonymous-looking and never exclusive in every process: its PFN
// is probed first and ignored.
//
// Reading needs root for PFNs (without CAP_SYS_ADMIN pagemap reports PFN 0)
// and for other users' maps. Nothing here fails hard: a process that
// vanishes or cannot be read is counted as skipped; a missing slab cache
// leaves its count empty, with the reason.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rmc::memory {

struct SnapshotVma {
  uint64_t start = 0;  // bytes, as in maps
  uint64_t end = 0;
  uint8_t prot = 0;    // kProtRead | kProtWrite | kProtExec
  bool shared = false; // 's' in maps: never anon state
  bool anonymous = false;  // no file (inode 0): heap, stack, anon mmap
  std::string file;        // "dev inode" of a file VMA, "" for anonymous
  uint64_t offset = 0;     // file offset in bytes (0 for anonymous)
  bool faulted = false;    // maps a private anonymous page or swap entry
};

struct SnapshotProcess {
  int pid = 0;
  int ppid = 0;
  std::string comm;
  std::vector<SnapshotVma> vmas;     // in address order, [vsyscall] left out
  std::vector<uint64_t> shared_pfns; // sorted: anon pages mapped more than once
};

struct SlabCount {
  std::optional<int64_t> objects;
  std::string error;  // why objects is empty
};

struct Snapshot {
  std::vector<SnapshotProcess> processes;  // by pid
  uint64_t kernel_threads = 0;             // no mm: skipped
  uint64_t unreadable = 0;                 // vanished or not readable
  bool pfns_visible = false;               // pagemap showed PFNs (root)
  std::vector<std::pair<uint64_t, uint64_t>> zero_pfns;  // [first, last] of the zero page(s)
  SlabCount vm_area_struct;
  SlabCount anon_vma;
  SlabCount anon_vma_chain;
  std::vector<std::string> notes;          // what was bounded or missed
};

struct SnapshotOptions {
  std::string proc_dir = "/proc";
  std::string slab_dir = "/sys/kernel/slab";
  bool shrink = true;  // write 1 to each cache's shrink first (frees empty slabs, not objects)
};

// An error only if proc_dir itself cannot be listed.
std::optional<std::string> read_snapshot(const SnapshotOptions& options, Snapshot& out);

// One process's maps text, parsed (for tests and the reader).
std::optional<std::string> parse_maps(const std::string& text, std::vector<SnapshotVma>& out);
// The slab count in /sys/kernel/slab/CACHE/objects ("686 N0=686").
SlabCount read_slab_objects(const std::string& slab_dir, const std::string& cache, bool shrink);

}  // namespace rmc::memory
