// trace_run.cpp - object counts at the end of a trace.
#include "memory/trace_run.h"

#include <fmt/format.h>

#include "model/check/runner.h"
#include "model/designs.h"

namespace rmc::memory {

DesignRun run_trace_counts(const Trace& trace, std::string_view design, bool checks) {
  DesignRun run{std::string(design), {}, {}, std::nullopt};
  if (trace.options.bugs != 0 && design != "eager") {
    run.error = "bug options apply to the eager design only";
    return run;
  }
  auto world = make_world(design, trace.options);
  if (!world) {
    run.error = fmt::format("unknown design '{}'", design);
    return run;
  }
  Runner runner(*world, checks, /*cost_expectations=*/design == "eager");
  run.stats.worlds = 1;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
    StepResult result = runner.run_line(line);
    if (line.kind == TraceLine::Kind::kOp) run.stats.ops++;
    if (result.error) {
      run.error = fmt::format("{}:{}: {}", trace.source, line.line, *result.error);
      return run;
    }
    if (!result.violations.empty()) {
      run.check_failed = true;
      run.error = fmt::format("{}:{}: [{}] {}", trace.source, line.line, result.violations[0].property,
                              result.violations[0].message);
      return run;
    }
  }
  run.counts = Counts::of(*world);
  return run;
}

}  // namespace rmc::memory
