// oracle.h - one trace on the live kernel and on the eager model, in lock
// step, compared after every op (docs/kernel-oracle.md).
//
// run_on_kernel: first what cannot run here is skipped with the reason
// (host.h) and bad input is found on the model alone; then the lock-step
// run (lockstep.h: control run, ops, observation, comparison). A run that
// another process disturbed (arena_counts.h) is thrown away and rerun, up to
// 8 times. A difference counts only when a rerun reproduces it exactly (up
// to `confirm_runs` reruns); with no outcome seen twice, a run that agreed
// wins and the others are kept as notes; with none, the verdict is
// "unstable".
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernel/observation.h"
#include "kernel/workers.h"
#include "model/core/trace.h"

namespace rmc::kernel {

class Host;

// Where the arena lives in every worker: far from the worker's own text
// (0x400000), stack and mmap_base, and 2 MiB aligned, so that a folio
// aligned in arena pages is aligned in the kernel too. A fresh VMA's pgoff
// is its address, so every pgoff is the model's plus a constant: no merge
// decision changes.
inline constexpr uint64_t kArenaBase = 0x100000000000ull;

// The note a run gets when a MADV_PAGEOUT swapped a large folio out whole
// (host.h mthp_swapped_out_whole): a known environment difference, which
// kernel-fuzz counts as explained (docs/kernel-oracle.md).
inline constexpr const char* kMthpSwapoutNote =
    "the kernel swapped out a large folio whole (mTHP swpout); the model splits it first, as this kernel does "
    "when that falls back";

struct OracleOptions {
  std::string worker_path;  // empty: default_worker_path()
  CompareOptions compare;
  std::chrono::milliseconds timeout{10000};  // per worker command
  int confirm_runs = 2;                      // reruns that confirm a difference
  bool picture_every_step = false;           // the report shows every step's layouts
  // Tests only: called after the kernel ran op number `ops_done` (1-based),
  // before it is observed, to make the kernel side deliberately different
  // and see the comparison catch it.
  std::function<void(Workers&, size_t ops_done)> tamper;
};

struct OracleVerdict {
  enum class Kind : uint8_t {
    kAgree,         // every op observed alike on both sides, every expectation held
    kDisagree,      // the kernel and the model differ after `step`
    kExpectFailed,  // an expectation line does not hold on the kernel
    kModelFailed,   // the model's own checks or expectations failed (not a comparison)
    kBadInput,      // an op the kernel would refuse: file:line: message
    kSkipped,       // this trace cannot be compared on this machine (why)
    kKernelError,   // a worker died, hung, or /proc could not be read
    kNoisy,         // other processes kept changing the slab counts: nothing compared
  };
  Kind kind = Kind::kAgree;
  size_t step = 0;    // 1-based step (op or expectation line) where the run stopped
  uint32_t line = 0;  // its source line
  size_t steps = 0;   // steps run
  std::string category;  // kDisagree: "VMA layout", "sharing", ..., "op result"
  std::string what;      // one line: the difference, failure, error or reason
  std::string detail;    // both sides' layouts, before and after the step
  std::vector<std::string> notes;        // about this trace (the same on every run)
  std::vector<std::string> rerun_notes;  // runs thrown away or overruled (depends on the machine)
  double model_seconds = 0;    // the eager model, with every check
  double kernel_seconds = 0;   // executing the ops on the kernel (spawn, syscalls, fork, exit)
  double observe_seconds = 0;  // reading /proc and the slab counts
  int runs = 1;                // runs made (confirmation included)

  // What a shrinker must keep: the kind and the category of the outcome
  // (and, for a kernel-side error, its message).
  std::string signature() const;
};

std::string_view verdict_kind_name(OracleVerdict::Kind kind);

// The rmc_worker executable: $RMC_WORKER, else the one built with rmapcheck.
std::string default_worker_path();

// How the workers of `trace` are started on this host.
WorkerConfig worker_config(const Trace& trace, const Host& host, const OracleOptions& options);

OracleVerdict run_on_kernel(const Trace& trace, Host& host, const OracleOptions& options);

}  // namespace rmc::kernel
