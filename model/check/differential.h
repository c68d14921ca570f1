// differential.h - several designs in lock-step on one trace.
//
// Every op runs in every design's world, each with its own checks after
// every step (rmap walk against its page tables, lifetime, contents, its own
// invariants). Across designs, what a process can observe must be equal:
// which pages are swapped, and whether an op is accepted at all (a design
// whose VMA layout differs may refuse an mremap the kernel accepts). The
// eager design is the reference: an op it refuses is bad input for the trace.
// VMA layouts and object counts may differ: they are recorded as costs
// (except for "eager+B..." designs, the eager design with historical bugs,
// whose layouts must be the reference's: property "layout").
//
// A failure is a Finding with a signature "design/property/op", e.g.
// lazy/rmap-missing/mremap: the design, the first property its checks
// reported at the failing step, and the kind of op (or "expect"). A design
// that fails stops; the others go on.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/check/runner.h"
#include "model/core/coverage.h"

namespace rmc {

struct Finding {
  std::string design;
  std::string property;
  std::string op;        // op name of the failing step, or "expect"
  size_t step = 0;       // 1-based, among ops and expectations
  uint32_t line = 0;     // trace line, when run from a file
  std::string message;   // the first violation's message
  std::string signature() const { return design + "/" + property + "/" + op; }
};

// Live objects of one design, at the end and at the peak.
struct DesignCosts {
  ObjectCounts final_counts;
  ObjectCounts peak_counts;
};

struct DesignRun {
  std::string design;
  std::unique_ptr<World> world;
  std::unique_ptr<Runner> runner;
  bool failed = false;
  DesignCosts costs;
  // World::mutations() when the costs and the observables were last taken:
  // a world that has not changed since needs neither again.
  uint64_t counted_at = ~uint64_t{0};
  uint64_t compared_at = ~uint64_t{0};
};

class Differential {
 public:
  // designs[0] should be "eager" (the reference); unknown names are an
  // error for the caller to catch with design_names().
  Differential(const std::vector<std::string>& designs, const ModelOptions& options, bool checks = true);
  void reset();
  // Runs one trace line in every design still running. Returns the reason
  // if the reference refuses the op (bad input); appends new findings.
  std::optional<std::string> step(const TraceLine& line, std::vector<Finding>& findings);
  const std::vector<DesignRun>& runs() const { return runs_; }
  size_t steps() const { return step_; }

 private:
  void compare_uffd_move_results(const std::string& op_name, std::vector<Finding>& findings);
  void compare_observables(const std::string& op_name, std::vector<Finding>& findings);
  std::vector<DesignRun> runs_;
  size_t step_ = 0;
};

struct DifferentialResult {
  std::vector<Finding> findings;
  std::optional<std::string> error;  // the trace is bad input (reference refused an op)
  uint32_t error_line = 0;
  size_t steps = 0;
  std::vector<std::pair<std::string, DesignCosts>> costs;
  // The kernel paths each design's ops took (model/core/coverage.h).
  std::vector<std::pair<std::string, Coverage>> coverage;
};

DifferentialResult run_differential(const Trace& trace, const std::vector<std::string>& designs, bool checks = true);

// For fuzzers: runs `ops`, skipping those the reference refuses (they are not
// in the trace a finding is reported with); `accepted` gets the ops run, and
// `before_step` is called with each before the designs run it (what a
// flight recorder keeps, in case a model's assertion kills the process).
DifferentialResult run_differential_ops(const std::vector<Op>& ops, const ModelOptions& options,
                                        const std::vector<std::string>& designs, std::vector<Op>* accepted,
                                        const std::function<void(const Op&)>& before_step = nullptr);

}  // namespace rmc
