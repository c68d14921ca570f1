// cvc5.h - the second opinion: run the cvc5 binary on an SMT-LIB 2 file.
//
// Every obligation's query is dumped as SMT-LIB 2 (QF_BV, with Z3's answer
// as :status) and handed to cvc5, with its own resource limit. cvc5 must
// answer the same: unsat for a proof, sat for a counterexample. It aborts by
// itself when its answer contradicts the file's :status; that, a crash and
// an unreadable answer are all kError here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proofs/verdict.h"

namespace rmc::proofs {

// cvc5's budget per file (its own resource units, not Z3's).
inline constexpr uint64_t kCvc5Rlimit = 50'000'000;

struct Cvc5Answer {
  enum class Kind : uint8_t { kSat, kUnsat, kUnknown, kError };
  Kind kind = Kind::kError;
  std::string detail;  // kError: what went wrong
  double ms = 0;  // CPU time of the cvc5 process (user + system)
};

std::string_view answer_name(Cvc5Answer::Kind kind);

// "1.0.3", or nothing if no cvc5 binary is on PATH.
std::optional<std::string> cvc5_version();

Cvc5Answer cvc5_check_file(const std::string& path, uint64_t rlimit = kCvc5Rlimit);
// Writes `smt2` to a temporary file and checks that.
Cvc5Answer cvc5_check_text(const std::string& smt2, uint64_t rlimit = kCvc5Rlimit);

// Does cvc5's answer say what Z3's verdict says? (proved = unsat,
// counterexample = sat; nothing agrees with unknown or an error.)
bool agrees(Verdict z3_verdict, const Cvc5Answer& answer);

}  // namespace rmc::proofs
