// trace_out.h - a counterexample's trace, in canonical form.
//
// The obligation's recipe writes the text; this parses it with the model's
// trace parser (so every op is one rmapcheck accepts) and prints it in
// canonical form (so corpus/proofs passes `rmapcheck fmt --check`).
#pragma once

#include <string>
#include <variant>

#include "proofs/discharge.h"

namespace rmc::proofs {

struct TraceOut {
  std::string path;  // DIR/<stem>.trace
  std::string text;  // canonical
};

// The trace of a counterexample outcome, or an error message (a recipe that
// writes a line the parser refuses is a bug of the recipe).
std::variant<TraceOut, std::string> counterexample_trace(const Obligation& ob, const Outcome& outcome,
                                                         const std::string& dir);

}  // namespace rmc::proofs
