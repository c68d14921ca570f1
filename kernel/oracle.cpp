// oracle.cpp - what can run, noisy runs, confirming a difference.
#include "kernel/oracle.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "kernel/arena_counts.h"
#include "kernel/host.h"
#include "kernel/lockstep.h"
#include "model/check/runner.h"

#ifndef RMC_WORKER_PATH
#define RMC_WORKER_PATH ""
#endif

namespace rmc::kernel {

namespace {

constexpr uint64_t kPageSize = 4096;
// Runs thrown away because another process moved the slab counts, before
// giving up on a busy machine.
constexpr int kMaxNoisyRuns = 8;

// Runs until one run is not disturbed by other processes (kMaxNoisyRuns).
OracleVerdict quiet_run(const Trace& trace, Host& host, const OracleOptions& options, std::vector<std::string>& noise) {
  for (int attempt = 0;; attempt++) {
    try {
      return run_lockstep(trace, host, options);
    } catch (const NoisyMachine& n) {
      noise.push_back(n.why);
      if (attempt + 1 >= kMaxNoisyRuns) {
        OracleVerdict v;
        v.kind = OracleVerdict::Kind::kNoisy;
        v.what = fmt::format("the machine is not quiet: other processes changed the slab counts in {} runs in a row ({})",
                             kMaxNoisyRuns, n.why);
        return v;
      }
      usleep(static_cast<useconds_t>(20000 * (attempt + 1)));  // let the other process finish
    }
  }
}

bool same_outcome(const OracleVerdict& a, const OracleVerdict& b) {
  return a.kind == b.kind && a.step == b.step && a.category == b.category && a.what == b.what;
}

}  // namespace

std::string OracleVerdict::signature() const {
  if (kind == Kind::kKernelError) return fmt::format("{}/{}", verdict_kind_name(kind), what);
  return fmt::format("{}/{}", verdict_kind_name(kind), category);
}

std::string_view verdict_kind_name(OracleVerdict::Kind kind) {
  switch (kind) {
    case OracleVerdict::Kind::kAgree: return "agree";
    case OracleVerdict::Kind::kDisagree: return "disagree";
    case OracleVerdict::Kind::kExpectFailed: return "expect-failed";
    case OracleVerdict::Kind::kModelFailed: return "model-failed";
    case OracleVerdict::Kind::kBadInput: return "bad-input";
    case OracleVerdict::Kind::kSkipped: return "skipped";
    case OracleVerdict::Kind::kKernelError: return "kernel-error";
    case OracleVerdict::Kind::kNoisy: return "noisy";
  }
  return "?";
}

WorkerConfig worker_config(const Trace& trace, const Host& host, const OracleOptions& options) {
  WorkerConfig c;
  c.worker_path = options.worker_path.empty() ? default_worker_path() : options.worker_path;
  c.cpu = host.worker_cpu();
  c.thp = trace.options.large_folio_order > 0;
  c.arena_base = kArenaBase;
  c.start_brk = kArenaBase + kDefaultStartBrk * kPageSize;
  c.timeout = options.timeout;
  return c;
}

std::string default_worker_path() {
  if (const char* env = std::getenv("RMC_WORKER"); env && *env) return env;
  return RMC_WORKER_PATH;
}

OracleVerdict run_on_kernel(const Trace& trace, Host& host, const OracleOptions& options) {
  using K = OracleVerdict::Kind;
  OracleVerdict skipped;
  skipped.kind = K::kSkipped;
  if (auto why = kernel_oracle_unavailable()) return skipped.what = *why, skipped;
  if (auto why = trace_unsupported(trace)) return skipped.what = *why, skipped;
  if (auto why = host.prepare(trace_needs(trace))) return skipped.what = *why, skipped;
  // Bad input is found on the model alone, before any worker starts (the
  // control run would otherwise trip over an op in a process that does not
  // exist).
  const Verdict model_only = run_trace(trace, "eager", /*checks=*/false);
  if (model_only.kind == Verdict::Kind::kError) {
    OracleVerdict bad;
    bad.kind = K::kBadInput;
    bad.step = model_only.step;
    bad.line = model_only.line;
    bad.what = fmt::format("{}:{}: {}", trace.source, model_only.line, model_only.error);
    return bad;
  }

  // A difference counts when a second run reproduces it exactly. Reruns
  // (up to confirm_runs, not counting runs another process disturbed) stop
  // at the first outcome seen twice. With no outcome seen twice, a run that
  // agreed wins (the others were disturbed in a way the noise checks did not
  // see, and are kept as notes); with none, the result is "unstable".
  std::vector<std::string> noise;
  auto finish = [&noise](OracleVerdict v) {
    if (!noise.empty())
      v.rerun_notes.push_back(
          fmt::format("{} run(s) discarded: another process changed the slab counts ({})", noise.size(), noise[0]));
    return v;
  };
  auto with_notes = [](OracleVerdict decided, const std::vector<OracleVerdict>& runs) {
    decided.runs = static_cast<int>(runs.size());
    for (const OracleVerdict& other : runs)
      if (!same_outcome(other, decided))
        decided.rerun_notes.push_back(fmt::format("one run of {} ended otherwise (not reproduced): {} at step {}: {}", runs.size(),
                                            verdict_kind_name(other.kind), other.step, other.what));
    return decided;
  };
  std::vector<OracleVerdict> runs{quiet_run(trace, host, options, noise)};
  auto disputed = [](const OracleVerdict& v) { return v.kind == K::kDisagree || v.kind == K::kExpectFailed; };
  if (!disputed(runs[0]) || options.confirm_runs <= 0) return finish(runs[0]);
  for (int rerun = 0; rerun < options.confirm_runs; rerun++) {
    OracleVerdict again = quiet_run(trace, host, options, noise);
    if (again.kind == K::kNoisy) continue;
    runs.push_back(std::move(again));
    for (size_t i = 0; i + 1 < runs.size(); i++)
      if (same_outcome(runs[i], runs.back())) return finish(with_notes(runs.back(), runs));
  }
  for (const OracleVerdict& run : runs)
    if (run.kind == K::kAgree) return finish(with_notes(run, runs));
  OracleVerdict unstable = runs[0];
  unstable.runs = static_cast<int>(runs.size());
  unstable.category = "unstable";
  for (size_t i = 1; i < runs.size(); i++)
    unstable.notes.push_back(fmt::format("run {} of {}: {} at step {}: {}", i + 1, runs.size(),
                                         verdict_kind_name(runs[i].kind), runs[i].step, runs[i].what));
  unstable.notes.push_back("no two runs ended alike: the kernel's outcome is not deterministic here");
  return finish(unstable);
}

}  // namespace rmc::kernel
