// verdict.h - what the solver says about one obligation.
//
// An obligation states a claim under hypotheses. Z3 is asked whether the
// hypotheses and the negated claim can hold together:
//
//   unsat    -> kProved          the claim holds for every 64-bit value
//   sat      -> kCounterexample  a model: concrete values that break it
//   unknown  -> kUnknown         the rlimit budget ran out (or Z3 gave up)
//   anything else -> kError      the hypotheses contradict each other (the
//                                proof would be vacuous), a model that does
//                                not check out, a Z3 exception
//
// Every obligation states the verdict it expects: kProved, or
// kCounterexample where the property is known not to hold (Alive2's
// "; ERROR: ..." line at the end of a test, kept inside the definition).
#pragma once

#include <cstdint>
#include <string_view>

namespace rmc::proofs {

enum class Verdict : uint8_t { kProved, kCounterexample, kUnknown, kError };

constexpr std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kProved: return "proved";
    case Verdict::kCounterexample: return "counterexample";
    case Verdict::kUnknown: return "unknown";
    case Verdict::kError: return "error";
  }
  return "?";
}

// The SMT-LIB status of the query (hypotheses and the negated claim) that
// gives this verdict: what cvc5 must answer on the dumped file.
constexpr std::string_view smt_status(Verdict v) {
  switch (v) {
    case Verdict::kProved: return "unsat";
    case Verdict::kCounterexample: return "sat";
    default: return "unknown";
  }
}

}  // namespace rmc::proofs
