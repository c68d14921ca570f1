// campaign.h - an in-process differential fuzzing campaign.
//
// Each execution draws a seed, derives from it the swarm configuration (which
// ops appear and how often; large folios or not; swap cache kept or not),
// generates a random trace with that configuration and runs it on every
// design in lock-step (differential.h). A trace that took a kernel path few
// executions took before (model/core/coverage.h) joins a pool; some later
// executions keep a random prefix of a pooled trace and draw only the rest
// (extend_trace), so that a rare state (a swap-cached folio after a fork, a
// refused merge) is explored further than the one trace that reached it. A finding whose signature is not
// recorded yet is shrunk to a minimal trace and written atomically to the
// findings directory. Everything follows from the first seed: the same
// command line repeats the same campaign (up to where the clock stops it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/check/findings.h"
#include "model/core/coverage.h"
#include "model/core/random_trace.h"

namespace rmc {

struct CampaignOptions {
  double seconds = 10;           // time budget (wall clock, or CPU time below)
  bool cpu_time = false;         // measure this thread's CPU time instead of the
                                 // wall clock: "time on one core" stays honest
                                 // on a machine shared with other jobs
  uint64_t max_execs = 0;        // or stop after this many traces (0: no limit)
  uint64_t seed = 1;             // first seed; execution i uses seed + i * stride
  uint64_t stride = 1;           // for parallel jobs: job j of N uses seed + j, stride N
  uint32_t steps = 64;           // ops per trace
  uint32_t processes = 4;
  bool swarm = true;             // per-seed op weights and options
  std::vector<std::string> designs = {"eager", "lazy", "lazy-gki", "base0", "cowctx"};
  ModelOptions model;            // base options (swarm may change some per seed)
  std::string findings_dir;      // where new findings are written ("" = nowhere)
  std::set<std::string> known;   // signatures already recorded
  bool stop_on_new = false;      // end at the first new signature
  bool shrink = true;            // shrink new findings (off to time detection alone)
  uint32_t extend_one_in = 4;    // an execution re-runs a prefix of an earlier trace
                                 // that took a rare kernel path and draws the rest
                                 // afresh, with probability 1/N (0: never)
  // Told what each execution is about to do, so that an assertion that
  // aborts the process leaves its trace behind (nullptr: nobody).
  class ExecutionRecorder* recorder = nullptr;
};

// What a campaign tells its recorder (tools/rmapcheck/flight_recorder.h)
// before anything of an execution can fire an assertion.
class ExecutionRecorder {
 public:
  virtual ~ExecutionRecorder() = default;
  // Execution `exec` (0-based) of seed `seed` starts generating its trace,
  // which will carry `options`.
  virtual void begin(uint64_t exec, uint64_t seed, const ModelOptions& options) = 0;
  // The next op of the trace, before the generator's own world runs it.
  virtual void op(const Op& op) = 0;
  // The trace is whole (its ops are the ones given to op()); the designs
  // run it next.
  virtual void generated() = 0;
};

struct SignatureStats {
  std::string signature;
  uint64_t hits = 0;
  uint64_t first_exec = 0;       // execution that found it first
  double first_seconds = 0;      // time into the campaign
  size_t first_step = 0;         // failing step in the unshrunk trace
  size_t shrunk_ops = 0;         // 0 if not shrunk (known signatures are not)
  bool known = false;
  std::string file;              // where it was recorded
  std::string origin;            // seed and swarm configuration
};

struct CampaignResult {
  uint64_t execs = 0;
  uint64_t extended = 0;         // executions that extended a rare-path trace's prefix
  uint64_t steps = 0;
  double seconds = 0;
  std::map<std::string, SignatureStats> signatures;
  std::map<std::string, Coverage> coverage;  // by design: the kernel paths its ops took
  size_t new_signatures() const;
  // The paths any design took.
  Coverage any_design() const;
};

// The swarm configuration of one seed, as generator and model options, and
// in words (printed with every finding).
struct SwarmConfig {
  GeneratorOptions generator;
  ModelOptions model;
  std::string description;
};
SwarmConfig swarm_config(uint64_t seed, const CampaignOptions& options);

using ProgressFn = std::function<void(const CampaignResult&)>;
CampaignResult run_campaign(const CampaignOptions& options, const ProgressFn& progress = nullptr);

}  // namespace rmc
