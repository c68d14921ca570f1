// trace_out.cpp - recipe text -> parse -> canonical print.
#include "proofs/trace_out.h"

#include <fmt/format.h>

#include <filesystem>

#include "model/core/trace.h"

namespace rmc::proofs {

std::variant<TraceOut, std::string> counterexample_trace(const Obligation& ob, const Outcome& outcome,
                                                         const std::string& dir) {
  if (!ob.trace || outcome.verdict != Verdict::kCounterexample) return std::string("no counterexample trace");
  TraceOut out;
  out.path = (std::filesystem::path(dir) / (file_stem(ob.name) + ".trace")).string();
  std::string text;
  try {
    text = ob.trace(outcome.values);
  } catch (const std::exception& e) {
    return fmt::format("{}: the trace recipe failed: {}", ob.name, e.what());
  }
  ParseResult parsed = parse_trace(text, out.path);
  if (auto* error = std::get_if<TraceError>(&parsed))
    return fmt::format("{}: the generated trace does not parse: {}", ob.name, error->str());
  out.text = print_trace(std::get<Trace>(parsed));
  return out;
}

}  // namespace rmc::proofs
