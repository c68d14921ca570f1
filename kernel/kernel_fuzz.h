// kernel_fuzz.h - random traces on the kernel and the model, for a while.
//
// Trace i of a campaign comes from seed S + i (model/core/random_trace.h):
// 16-32 ops over 2-4 processes, every op the generator knows but exec (which
// cannot run on the kernel; migrate is a no-op on one NUMA node, split_folio
// on small folios; split_folio is left out where debugfs cannot be used),
// one trace in four with mTHP
// (large_folio_order 2, 3 or 4). Each is run with run_on_kernel;
// every outcome other than "agree" is a finding: shrunk with the op-level
// shrinker (model/check/shrink.h) to a small trace with the same outcome
// (same kind and category), confirmed, and written atomically to
// OUT_DIR/finding-SEED.trace with the difference and both layouts as
// comments. A finding whose run notes name a known environment difference
// (kMthpSwapoutNote) is counted as explained. A trace that agreed only on a rerun is saved unshrunk as
// OUT_DIR/unconfirmed-SEED.trace. The same seed gives the same traces.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernel/oracle.h"

namespace rmc::kernel {

struct FuzzOptions {
  double seconds = 60;       // start no trace after this
  uint64_t seed = 1;
  uint32_t min_ops = 16;
  uint32_t max_ops = 32;
  uint32_t min_procs = 2;
  uint32_t max_procs = 4;
  bool large_folios = true;  // one trace in four with mTHP
  bool split_folio = true;   // split_folio ops (left out where debugfs is locked down)
  std::vector<OpKind> left_out;  // ops never generated (--no-op: to look past a known difference)
  size_t shrink_attempts = 300;  // kernel runs per shrink
  std::string out_dir = "fuzz-findings/kernel";  // git ignores fuzz-findings/
  OracleOptions oracle;
};

struct FuzzFinding {
  uint64_t seed = 0;
  size_t ops_before = 0;
  size_t ops_after = 0;
  OracleVerdict verdict;  // of the shrunk trace
  std::string path;       // where it was saved
  std::string explained;  // a known environment difference behind it, if any
};

struct FuzzReport {
  size_t traces = 0;
  size_t agree = 0;
  size_t skipped = 0;     // could not run here (reason in skip_reasons)
  size_t noisy = 0;       // not compared: other processes kept changing the slab counts
  size_t unconfirmed = 0; // agreed, after one run that did not
  std::vector<std::string> unconfirmed_paths;  // saved as unconfirmed-SEED.trace
  std::vector<FuzzFinding> findings;
  size_t explained = 0;   // findings with a known environment difference behind them
  std::vector<std::string> skip_reasons;
  double seconds = 0;
  double shrink_seconds = 0;
  size_t steps = 0;       // ops and expectations compared
  // Ops of each kind in the traces that agreed (every one of them ran and was
  // compared): what the campaign exercised.
  std::array<size_t, static_cast<size_t>(OpKind::kCount)> agreed_ops{};
  double agreement_rate() const;  // agree / (traces - skipped - noisy)
  std::vector<std::string> notes;  // how the campaign was adapted to this machine
};

// Called after each trace with its index, seed and verdict (progress output).
using FuzzProgress = std::function<void(size_t index, uint64_t seed, const OracleVerdict&)>;

FuzzReport kernel_fuzz(const FuzzOptions& options, Host& host, const FuzzProgress& progress);

// The known environment difference behind a difference, from its run notes
// ("environment: mTHP swap-out"), or "" when none is known.
std::string explained_by_environment(const OracleVerdict& verdict);

// The random trace `seed` of a campaign with these options.
Trace fuzz_trace(uint64_t seed, const FuzzOptions& options);

}  // namespace rmc::kernel
