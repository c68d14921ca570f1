// campaign.cpp - the campaign loop.
#include "model/check/campaign.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>

#include "model/core/op_table.h"

namespace rmc {

size_t CampaignResult::new_signatures() const {
  size_t n = 0;
  for (const auto& [sig, stats] : signatures) n += !stats.known;
  return n;
}

Coverage CampaignResult::any_design() const {
  Coverage total;
  for (const auto& [design, c] : coverage) total.merge(c);
  return total;
}

SwarmConfig swarm_config(uint64_t seed, const CampaignOptions& options) {
  SwarmConfig config;
  config.generator.max_processes = options.processes;
  config.model = options.model;
  if (!options.swarm) {
    config.description = "no swarm";
    return config;
  }
  // A separate stream from the trace's own, so that weights and trace are
  // independent draws of the same seed.
  SeededChooser choose(seed ^ 0x5741524d53574152ull);
  static constexpr uint32_t kScales[] = {0, 1, 1, 2, 4};
  std::string weights;
  for (const OpSpec& spec : op_table()) {
    uint32_t scale = kScales[choose.below(std::size(kScales))];
    // Nothing happens without mappings and writes.
    if (spec.kind == OpKind::kMmap || spec.kind == OpKind::kWrite) scale = std::max(scale, 1u);
    config.generator.weights[static_cast<size_t>(spec.kind)] = spec.weight * scale;
    weights += fmt::format("{}{}={}", weights.empty() ? "" : ",", spec.name, spec.weight * scale);
  }
  if (choose.one_in(3)) config.model.large_folio_order = 2;
  if (choose.one_in(2)) config.model.swapcache_after_pageout = false;
  // Deep fork trees need more processes than the usual few.
  static constexpr uint32_t kProcesses[] = {2, 3, 4, 4, 6, 8};
  config.generator.max_processes = std::min<uint32_t>(kProcesses[choose.below(std::size(kProcesses))],
                                                      std::max<uint32_t>(options.processes, 8));
  // How often an address re-uses a recent op's range (random_trace.h); drawn
  // last, so that the draws above are those of the seeds before it existed.
  static constexpr uint32_t kRecent[] = {0, 2, 4, 8};
  config.generator.recent_one_in = kRecent[choose.below(std::size(kRecent))];
  config.description = fmt::format("weights {}; processes {}; large_folio_order {}; swapcache_after_pageout {}; recent {}",
                                   weights, config.generator.max_processes, config.model.large_folio_order,
                                   config.model.swapcache_after_pageout ? "on" : "off",
                                   config.generator.recent_one_in ? fmt::format("1/{}", config.generator.recent_one_in) : "off");
  return config;
}

namespace {

struct PooledTrace {
  Trace trace;
  uint64_t seed = 0;
  std::string description;  // its swarm configuration
};

// Traces that took a rare kernel path: one that fewer than 8 earlier
// executions took, or fewer than 1 in 512. A bounded ring: the newest
// replace the oldest.
struct RarePathPool {
  static constexpr size_t kTraces = 64;
  std::vector<PooledTrace> traces;
  size_t next = 0;
  std::array<uint64_t, kPathCount> execs_taking{};  // per path, how many executions took it

  bool took_rare_path(const DifferentialResult& run, uint64_t execs_before) {
    Coverage taken;
    for (const auto& [design, coverage] : run.coverage) taken.merge(coverage);
    const uint64_t rare_below = std::max<uint64_t>(8, execs_before / 512);
    bool rare = false;
    for (size_t i = 0; i < kPathCount; i++) {
      if (!taken.all()[i]) continue;
      rare = rare || execs_taking[i] < rare_below;
      execs_taking[i]++;
    }
    return rare;
  }

  void add(PooledTrace t) {
    if (traces.size() < kTraces) {
      traces.push_back(std::move(t));
      return;
    }
    traces[next] = std::move(t);
    next = (next + 1) % kTraces;
  }
};

}  // namespace

CampaignResult run_campaign(const CampaignOptions& options, const ProgressFn& progress) {
  auto now = [&options] {
    if (!options.cpu_time) return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
  };
  const double start = now();
  auto elapsed = [&] { return now() - start; };
  CampaignResult result;
  RarePathPool pool;
  double next_progress = 1.0;
  for (uint64_t exec = 0;; exec++) {
    if (options.max_execs && exec >= options.max_execs) break;
    if (elapsed() >= options.seconds) break;
    const uint64_t seed = options.seed + exec * options.stride;
    const SwarmConfig config = swarm_config(seed, options);
    // A separate stream again: whether to extend, and what.
    SeededChooser extend(seed ^ 0x455854454e445452ull);
    const PooledTrace* parent = nullptr;
    if (options.extend_one_in && options.steps >= 2 && !pool.traces.empty() && extend.one_in(options.extend_one_in))
      parent = &pool.traces[extend.below(pool.traces.size())];
    if (options.recorder) options.recorder->begin(exec, seed, parent ? parent->trace.options : config.model);
    GeneratedOpFn record_op;
    if (options.recorder) record_op = [recorder = options.recorder](const Op& op) { recorder->op(op); };
    Trace trace;
    std::string origin;
    if (parent) {
      const size_t keep = 1 + extend.below(options.steps - 1);
      trace = extend_trace(parent->trace, keep, seed, options.steps, config.generator, record_op);
      origin = fmt::format("the first {} ops of seed {} ({}), then seed {}'s draws ({}; model options of seed {})", keep,
                           parent->seed, parent->description, seed, config.description, parent->seed);
    } else {
      trace = random_trace(seed, options.steps, config.generator, config.model, record_op);
      origin = fmt::format("seed {} ({})", seed, config.description);
    }
    if (options.recorder) options.recorder->generated();
    DifferentialResult run = run_differential(trace, options.designs);
    result.execs++;
    result.extended += parent != nullptr;
    result.steps += run.steps;
    for (const auto& [design, coverage] : run.coverage) result.coverage[design].merge(coverage);
    // Only fresh traces join: an origin names at most two seeds.
    if (pool.took_rare_path(run, exec) && !parent)
      pool.add(PooledTrace{trace, seed, config.description});
    bool new_signature = false;
    for (const Finding& finding : run.findings) {
      const std::string signature = finding.signature();
      SignatureStats& stats = result.signatures[signature];
      stats.hits++;
      if (stats.hits > 1) continue;
      stats.signature = signature;
      stats.first_exec = exec;
      stats.first_seconds = elapsed();
      stats.first_step = finding.step;
      stats.known = options.known.count(signature) > 0;
      stats.origin = fmt::format("rmapcheck fuzz step {} of {}: {}", finding.step, options.steps, origin);
      if (stats.known) continue;
      new_signature = true;
      if (!options.shrink) continue;
      ShrinkStats shrink;
      Trace shrunk = shrink_finding(trace, finding, options.designs, &shrink);
      stats.shrunk_ops = shrink.ops_after;
      if (!options.findings_dir.empty())
        stats.file = record_finding(options.findings_dir, finding, shrunk, options.designs, stats.origin);
    }
    if (progress && elapsed() >= next_progress) {
      result.seconds = elapsed();
      progress(result);
      next_progress = result.seconds + 1.0;
    }
    if (new_signature && options.stop_on_new) break;
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace rmc
