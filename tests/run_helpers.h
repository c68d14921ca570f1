// run_helpers.h - traces written inline in a test: parse one, run it on a
// design with every check, and fail the test at the first line that breaks.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "model/check/runner.h"
#include "model/core/op_semantics.h"
#include "model/core/trace.h"
#include "model/designs.h"

namespace rmc {

// `body` after the trace header line; the test fails if it does not parse.
inline Trace parse_ok(const std::string& body) {
  ParseResult parsed = parse_trace("# rmapcheck trace 1\n" + body, "test");
  EXPECT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  return std::get<Trace>(parsed);
}

// Runs every line on a new world of `design` (checks on) and returns it.
inline std::unique_ptr<World> run_ok(const Trace& trace, std::string_view design = "eager") {
  auto world = make_world(design, trace.options);
  Runner runner(*world, /*checks=*/true);
  for (const TraceLine& line : trace.lines) {
    StepResult r = runner.run_line(line);
    EXPECT_TRUE(r.ok()) << design << " line " << line.line << ": " << r.error.value_or("")
                        << (r.violations.empty() ? "" : " " + r.violations[0].message);
  }
  return world;
}

// Why `op` is refused where `w` stands now; empty if it is valid.
inline std::string refusal(const World& w, const Op& op) { return op_invalid_reason(w, op).value_or(""); }

}  // namespace rmc
