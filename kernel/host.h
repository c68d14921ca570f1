// host.h - the machine a trace runs on: can it run it, and the settings it
// needs, made for the run and always undone.
//
//   swap     MADV_PAGEOUT needs swap; the CI machines have none. A swap file
//            (default 64 MiB under /var/tmp, which must not be tmpfs) is
//            created, given a swap header and swapon'ed the first time a
//            trace pages out; swapoff and deletion when the Host goes.
//   mTHP     `option large_folio_order N` is mTHP "always" for that one size:
//            hugepages-(4<<N)kB/enabled = always, every other size = never,
//            for as long as such a trace runs; the old values come back.
//            Other traces run with PR_SET_THP_DISABLE in the workers.
//   debugfs  split_folio of a large folio writes to
//            /sys/kernel/debug/split_huge_pages; debugfs is mounted if it
//            is not, and unmounted afterwards.
// Every change is also in the cleanup registry (cleanup.h), so a signal or a
// failed assertion still undoes it. SIGKILL cannot be caught: a swap file
// and the saved mTHP settings (DIR/rmapcheck-thp-PID) left by a killed run
// are found by name and undone by the next Host.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/core/trace.h"

namespace rmc::kernel {

struct HostOptions {
  std::string swap_dir = "/var/tmp";  // also holds the saved mTHP settings
  uint64_t swap_bytes = 64ull << 20;
};

// What a trace asks of the machine.
struct TraceNeeds {
  bool swap = false;         // it pages out
  uint32_t folio_order = 0;  // large_folio_order
  bool split = false;        // it splits large folios (order > 0 and split_folio)
};
TraceNeeds trace_needs(const Trace& trace);

// Why this machine cannot run any trace (not root, no slab sysfs, ...).
std::optional<std::string> kernel_oracle_unavailable();

// Large folios the kernel has swapped out whole since boot (the sum of
// hugepages-*/stats/swpout). The model always splits a large folio before
// swap-out, as this kernel does when it cannot (swpout_fallback); a run in
// which this moved may differ at a pageout for that reason alone.
uint64_t mthp_swapped_out_whole();

// Why this trace cannot be compared with the model on this kernel, or
// nothing: options that change the model away from the kernel, folio orders
// the kernel does not map with PTEs, PROT_EXEC-only mappings on machines
// with protection keys, exec (it would replace the worker), a migration in
// two halves (kMigrationHalvesNotRun) or a split in two (kSplitHalvesNotRun).
std::optional<std::string> trace_unsupported(const Trace& trace);

// Why migrate_begin and migrate_end cannot run on the kernel.
inline constexpr const char* kMigrationHalvesNotRun =
    "a migration in two halves (migrate_begin, migrate_end) cannot run on the kernel: from user space "
    "move_pages(2) migrates a folio at once, so no op can run between the unmap and remove_migration_ptes";
// Why split_begin and split_end cannot run on the kernel.
inline constexpr const char* kSplitHalvesNotRun =
    "a split in two halves (split_begin, split_end) cannot run on the kernel: from user space a split "
    "(split_huge_pages, MADV_PAGEOUT) runs at once, so no op can run between its unmap and remap_page";

class Host {
 public:
  explicit Host(HostOptions options = {});
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Makes the settings `needs` asks for (keeping what earlier traces made,
  // switching the mTHP size). Returns why it cannot, or nothing.
  std::optional<std::string> prepare(const TraceNeeds& needs);
  // The CPU every worker is pinned to.
  int worker_cpu() const { return worker_cpu_; }
  // Writes "pid,start,end" to split_huge_pages (byte addresses).
  void split_huge_pages(int pid, uint64_t start, uint64_t end);
  // Undoes every setting now (the destructor does it too).
  void restore();

 private:
  struct SwapFile;
  struct ThpSizes;
  struct Debugfs;
  HostOptions options_;
  int worker_cpu_ = 0;
  std::unique_ptr<SwapFile> swap_;
  std::unique_ptr<ThpSizes> thp_;
  std::unique_ptr<Debugfs> debugfs_;
};

}  // namespace rmc::kernel
