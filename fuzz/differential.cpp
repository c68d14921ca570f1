// differential.cpp - the libFuzzer target: bytes -> ops (model/core/op_codec.h)
// -> every design in lock-step (model/check/differential.h). An input whose
// run reports a finding signature not recorded in corpus/findings aborts,
// after printing the finding and the trace of accepted ops (shrink it with
// `rmapcheck shrink CRASH-FILE`; `rmapcheck decode` prints any input's trace).
//
//   clang build (cmake --preset fuzz):  build-fuzz/fuzz/differential corpus/fuzz-seed -dict=corpus/fuzz.dict
//   g++ build (every build):            build/fuzz/differential FILE...   (replays files, no fuzzing)
//
// Environment: RMAPCHECK_DESIGNS (comma-separated, default every design),
// RMAPCHECK_KNOWN (directory of recorded findings, default the source tree's
// corpus/findings).
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "model/check/differential.h"
#include "model/check/findings.h"
#include "model/core/op_codec.h"
#include "model/designs.h"

namespace {

struct Config {
  std::vector<std::string> designs;
  std::set<std::string> known;
};

const Config& config() {
  static const Config c = [] {
    Config out;
    const char* designs = std::getenv("RMAPCHECK_DESIGNS");
    std::stringstream in(designs ? designs : "eager,lazy,lazy-gki,base0,cowctx");
    for (std::string d; std::getline(in, d, ',');)
      if (!d.empty()) out.designs.push_back(d);
    if (out.designs.empty() || out.designs[0] != "eager") out.designs.insert(out.designs.begin(), "eager");
    for (const std::string& d : out.designs)
      if (!rmc::valid_design(d)) {
        std::fprintf(stderr, "differential: unknown design '%s' in RMAPCHECK_DESIGNS\n", d.c_str());
        std::exit(2);
      }
    const char* known = std::getenv("RMAPCHECK_KNOWN");
    out.known = rmc::recorded_signatures(known ? known : RMC_SOURCE_DIR "/corpus/findings");
    return out;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Config& c = config();
  rmc::DecodedInput input = rmc::decode_ops(data, size);
  std::vector<rmc::Op> accepted;
  rmc::DifferentialResult result = rmc::run_differential_ops(input.ops, input.options, c.designs, &accepted);
  for (const rmc::Finding& f : result.findings) {
    if (c.known.count(f.signature())) continue;
    std::fprintf(stderr, "\nNEW FINDING %s at step %zu: %s\n", f.signature().c_str(), f.step, f.message.c_str());
    std::fprintf(stderr, "%s", rmc::print_trace(rmc::trace_of(accepted, input.options, "fuzz input")).c_str());
    std::abort();
  }
  return 0;
}
