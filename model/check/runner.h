// runner.h - runs a trace on one world, step by step, with every check after
// every step, and judges the result.
//
// A step is one trace line: an op (validated, executed, then checked) or an
// expectation (judged against the state). The first step with a violation
// ends the run with verdict "fail"; an invalid op ends it with "error" (bad
// input, the trace's fault, not the model's).
//
// "Every check after every step" is kept exactly, not by re-running every
// check: after a step that left the world unchanged (World::mutations()),
// following a step whose checks all passed, the checks that read only the
// world would say what they said; only the contents (which depend on the
// memory specification too) and the step's kernel warnings are checked
// again. tests/test_unchanged_steps.cpp holds the runner to that.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/check/memory_spec.h"
#include "model/core/trace.h"
#include "model/core/violation.h"
#include "model/core/world.h"

namespace rmc {

// Live objects, the figures JSON reports and "expect count/delta" compare.
struct ObjectCounts {
  int64_t vmas = 0;         // VMAs in some mm
  int64_t anon_vmas = 0;
  int64_t avcs = 0;
  int64_t folios = 0;
  int64_t zombie_vmas = 0;  // VMA structs kept alive after unmapping (lazy roots)
  int64_t contexts = 0;     // COW contexts
  int64_t get(CountKind kind) const;
};

ObjectCounts count_objects(const World& w);

struct StepResult {
  std::vector<Violation> violations;
  std::optional<std::string> error;  // the op is invalid here (bad input)
  bool ok() const { return violations.empty() && !error; }
};

class Runner {
 public:
  // `checks` off runs the ops only (expectations are still judged).
  // Expectations of layout, physical sharing and object counts (vmas, same,
  // different, count, delta) are facts about today's kernel: a design that
  // differs there differs in cost, not in behaviour, so other designs are
  // not judged by them (`cost_expectations` false). What a process can
  // observe (state: present, swapped, ...) and which processes
  // memory_failure would signal (kill) are judged always.
  Runner(World& world, bool checks, bool cost_expectations = true);
  void reset();
  StepResult run_op(const Op& op);
  StepResult judge(const Expect& expect);
  StepResult run_line(const TraceLine& line);
  const MemorySpec& spec() const { return spec_; }
  bool checks() const { return checks_; }

  World& world() { return world_; }

 private:
  World& world_;
  bool checks_;
  bool cost_expectations_;
  MemorySpec spec_;
  uint64_t next_value_ = 0;
  ObjectCounts delta_base_;
  // World::mutations() when every check last passed; kNotClean before the
  // first check and after one that found something (checked again in full).
  static constexpr uint64_t kNotClean = ~uint64_t{0};
  uint64_t clean_at_mutations_ = kNotClean;

};

struct Verdict {
  // kSkip: the trace does not apply to the design (bug options re-introduce
  // bugs of today's kernel, so they apply to the eager design only).
  enum class Kind : uint8_t { kPass, kFail, kError, kSkip };
  Kind kind = Kind::kPass;
  uint32_t line = 0;            // the failing or bad line
  size_t step = 0;              // 1-based index of that line among ops and expectations
  std::vector<Violation> violations;
  std::string error;            // kError: the message
  std::string first_property() const { return violations.empty() ? "" : violations[0].property; }
};

struct RunStats {
  uint64_t steps = 0;  // ops executed
  // Ops checked (every op with checks on; after an op that changed nothing
  // only the contents and warnings are checked again: Runner::run_op).
  uint64_t checks = 0;
  // The kernel paths the ops took (model/core/coverage.h); run_trace only.
  Coverage coverage;
};

// Called after every step (line) with its result; used by `replay` to print.
using StepObserver = std::function<void(const TraceLine&, size_t step, const StepResult&)>;

// Runs the whole trace on a fresh world of `design` with the trace's options.
Verdict run_trace(const Trace& trace, std::string_view design, bool checks, RunStats* stats = nullptr,
                  const StepObserver& observer = nullptr);

// The same on a world the caller keeps (after runner.reset()): timing
// loops and fuzzers reuse one world rather than build one per trace. The
// trace's options are the world's (make_world) and it must apply to the
// design (see run_trace's kSkip).
Verdict run_lines(Runner& runner, const Trace& trace, RunStats* stats = nullptr,
                  const StepObserver& observer = nullptr);

// Does the verdict match what the trace file expects ("# EXPECT:")?
bool verdict_matches(const Verdict& verdict, const ExpectedVerdict& expected);
std::string describe_verdict(const Verdict& verdict);

}  // namespace rmc
