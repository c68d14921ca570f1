// detection_time.cpp - how long the differential campaign takes to find
// things, from an empty corpus, on one core (median of N seeds).
//
//   rmc_detect zoo [SEEDS] [BUDGET_S] [EXTEND]       each historical bug of
//       the eager policy (B3 B4 B12 B16 B17): campaign of eager against
//       eager+Bn until the first signature of eager+Bn
//   rmc_detect findings [SEEDS] [BUDGET_S] [EXTEND]  every signature recorded
//       in corpus/findings: time of its first hit in a campaign of every design
//
// EXTEND is the campaign's --extend (CampaignOptions::extend_one_in; default
// 4, 0 for fresh traces only).
//
// Times are this thread's CPU seconds (CampaignOptions::cpu_time), so the
// figures mean "on one core" even on a busy machine.
//
// Prints a table (found in how many seeds, median / min / max seconds) for
// docs/findings.md. Campaign seeds: 1000003 * k for k = 1..SEEDS.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "model/check/campaign.h"

namespace rmc {
namespace {

struct Times {
  std::vector<double> seconds;  // one per seed that found it
};

void print_row(const std::string& name, const Times& t, size_t seeds) {
  std::vector<double> s = t.seconds;
  std::sort(s.begin(), s.end());
  if (s.empty()) {
    fmt::print("{:<40} {:>3}/{:<3} {:>9} {:>9} {:>9}\n", name, 0, seeds, "-", "-", "-");
    return;
  }
  // The median over all seeds; a seed that did not find it counts as the
  // whole budget or more, so the median is "> budget" if half never did.
  const size_t lower = (seeds - 1) / 2, upper = seeds / 2;
  std::string median = upper < s.size() ? fmt::format("{:.2f}", (s[lower] + s[upper]) / 2) : std::string(">budget");
  fmt::print("{:<40} {:>3}/{:<3} {:>9} {:>9.2f} {:>9.2f}\n", name, s.size(), seeds, median, s.front(), s.back());
}

int zoo(size_t seeds, double budget, uint32_t extend) {
  fmt::print("{:<40} {:>7} {:>9} {:>9} {:>9}\n", "bug (eager vs eager+bug)", "found", "median s", "min s", "max s");
  for (const char* bug : {"B3", "B4", "B12", "B16", "B17"}) {
    Times times;
    for (size_t k = 1; k <= seeds; k++) {
      CampaignOptions options;
      options.seconds = budget;
      options.cpu_time = true;
      options.seed = 1000003 * k;
      options.extend_one_in = extend;
      options.designs = {"eager", std::string("eager+") + bug};
      options.stop_on_new = true;
      options.shrink = false;
      CampaignResult r = run_campaign(options);
      for (const auto& [sig, s] : r.signatures)
        if (sig.rfind(options.designs[1] + "/", 0) == 0) {
          times.seconds.push_back(s.first_seconds);
          break;
        }
    }
    print_row(bug, times, seeds);
  }
  return 0;
}

int findings(size_t seeds, double budget, uint32_t extend) {
  const std::set<std::string> recorded = recorded_signatures(RMC_SOURCE_DIR "/corpus/findings");
  std::map<std::string, Times> times;
  std::map<std::string, std::string> origins;  // of signatures not recorded yet
  for (size_t k = 1; k <= seeds; k++) {
    CampaignOptions options;
    options.seconds = budget;
    options.cpu_time = true;
    options.seed = 1000003 * k;
    options.extend_one_in = extend;
    options.shrink = false;
    CampaignResult r = run_campaign(options);
    for (const auto& [sig, s] : r.signatures) {
      times[sig].seconds.push_back(s.first_seconds);
      if (!recorded.count(sig) && !origins.count(sig))
        origins[sig] = fmt::format("{}; reproduce: rmapcheck fuzz --seed {} --max-execs {} --extend {}", s.origin,
                                   options.seed, s.first_exec + 1, extend);
    }
  }
  fmt::print("{:<40} {:>7} {:>9} {:>9} {:>9}\n", "signature (every design vs eager)", "found", "median s", "min s", "max s");
  for (const std::string& sig : recorded) print_row(sig, times[sig], seeds);
  for (const auto& [sig, t] : times)
    if (!recorded.count(sig)) print_row(sig + " (not recorded)", t, seeds);
  // The origin names the execution's seed(s) and swarm configuration; an
  // execution that extended a pooled trace needs the campaign up to it, so
  // the line says how to re-run that campaign (it shrinks and records it).
  for (const auto& [sig, origin] : origins) fmt::print("not recorded: {} from {}\n", sig, origin);
  return 0;
}

}  // namespace
}  // namespace rmc

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const size_t seeds = argc > 2 ? std::stoul(argv[2]) : 10;
  const double budget = argc > 3 ? std::stod(argv[3]) : 60;
  const uint32_t extend = argc > 4 ? static_cast<uint32_t>(std::stoul(argv[4])) : rmc::CampaignOptions{}.extend_one_in;
  if (mode == "zoo") return rmc::zoo(seeds, budget, extend);
  if (mode == "findings") return rmc::findings(seeds, budget, extend);
  fmt::print(stderr, "usage: rmc_detect zoo|findings [SEEDS] [BUDGET_S] [EXTEND]\n");
  return 2;
}
