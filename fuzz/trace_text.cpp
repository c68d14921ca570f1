// trace_text.cpp - the libFuzzer target of bad input: bytes are a trace file
// (model/core/trace.h), as a user would hand one to `rmapcheck replay`. The
// oracle is the standards' promise about bad input: whatever the bytes,
//
//   - parse_trace returns a trace or a "source:line: message" error whose
//     line lies inside the input, and never crashes or loops;
//   - a trace that parses prints canonically, and its print parses back to
//     the same print (the fixed point of trace.h);
//   - a trace that parses runs on every design, with every check after every
//     step, to a verdict (pass, fail, error or skip): an op the parser
//     accepts but the model cannot do (an address outside the arena, a dead
//     process, flags that do not go together) must be refused as an "error"
//     by the op's validation, not reach one of the model's assertions;
//   - the differential of every design against eager runs to its findings.
//
// Any abort (an assertion of the model, a sanitizer report, the checks
// below) is a bug of rmapcheck, not a finding about a design.
//
//   clang build (cmake --preset fuzz):  build-fuzz/fuzz/trace_text DIR corpus/examples corpus/scenarios -dict=corpus/trace.dict
//   g++ build (every build):            build/fuzz/trace_text FILE...   (replays files, no fuzzing)
//
// Bound: inputs over kMaxInput bytes are ignored; with 4 bytes per op at the
// least, that is at most a few thousand steps per input, so one input runs
// in milliseconds and libFuzzer's -timeout catches a loop.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "model/check/differential.h"
#include "model/check/runner.h"
#include "model/core/trace.h"
#include "model/designs.h"

namespace {

constexpr size_t kMaxInput = 16384;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\ntrace_text: %s\n%s\n", what, detail.c_str());
  std::abort();
}

size_t line_count(std::string_view text) {
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rmc::ParseResult parsed = rmc::parse_trace(text, "input");
  if (const auto* error = std::get_if<rmc::TraceError>(&parsed)) {
    if (error->source != "input" || error->message.empty() || error->line > line_count(text))
      fail("a parse error that does not say where", error->str());
    return 0;
  }
  const rmc::Trace& trace = std::get<rmc::Trace>(parsed);

  const std::string printed = rmc::print_trace(trace);
  rmc::ParseResult again = rmc::parse_trace(printed, "printed");
  if (const auto* error = std::get_if<rmc::TraceError>(&again)) fail("the print does not parse", error->str() + "\n" + printed);
  if (rmc::print_trace(std::get<rmc::Trace>(again)) != printed) fail("the print is not a fixed point", printed);

  for (std::string_view design : rmc::design_names()) {
    const rmc::Verdict verdict = rmc::run_trace(trace, design, /*checks=*/true);
    if (verdict.kind == rmc::Verdict::Kind::kError && verdict.error.empty())
      fail("an error verdict without a message", std::string(design));
  }
  if (trace.options.bugs == 0) {
    std::vector<std::string> designs;
    for (std::string_view design : rmc::design_names()) designs.emplace_back(design);
    rmc::run_differential(trace, designs);
  }
  return 0;
}
