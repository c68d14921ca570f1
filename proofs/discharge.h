// discharge.h - ask Z3 about one obligation.
//
// Each obligation gets a fresh z3::context ("cold": nothing learnt from the
// previous one) and its solvers a fixed random seed and an rlimit budget
// (Z3's deterministic resource count, never a wall-clock timeout). Z3 is
// asked whether the hypotheses with the negated claim can hold; if not (a
// proof), whether the hypotheses alone can, for otherwise the proof would
// be vacuous (kError). Z3 answers on the queries translated to integers
// (int_blast.h); the SMT-LIB dump is the bit-vector query itself, and the
// values of a counterexample are checked on it. A bounded search tries its
// bounds shortest first and stops at the first counterexample.
#pragma once

#include <cstdint>
#include <string>

#include "proofs/obligation.h"

namespace rmc::proofs {

// The default budget per solver call. Page units keep every obligation far
// below it (docs/proofs.md has the measured counts).
inline constexpr uint64_t kDefaultRlimit = 20'000'000;

struct Outcome {
  Verdict verdict = Verdict::kError;
  std::string detail;       // why kUnknown / kError; the bound of a search
  unsigned bound = 0;       // the bound that decided (bounded searches)
  double ms = 0;            // CPU time of this thread from a fresh context to the verdict
  double wall_ms = 0;       // the same in wall-clock time (inflated on a busy machine)
  uint64_t rlimit_used = 0; // Z3's "rlimit count", summed over the calls
  Values values;            // kCounterexample: the shown terms' values
  std::string smt2;         // the deciding query as SMT-LIB 2
};

Outcome discharge(const Obligation& obligation, uint64_t rlimit);

// "4.8.12.0": the Z3 library actually linked.
std::string z3_version();

}  // namespace rmc::proofs
