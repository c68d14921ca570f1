// report.h - what `rmapcheck prove` prints: one row per obligation (expected,
// verdict, time, rlimit used, cvc5's agreement), the counterexamples as
// concrete values, the solver versions; and the same as JSON.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "proofs/cvc5.h"
#include "proofs/discharge.h"

namespace rmc::proofs {

struct Row {
  const Obligation* obligation = nullptr;
  Outcome z3;
  std::optional<Cvc5Answer> cvc5;  // none: cross-check off, or nothing to check
  std::string trace_path;          // where its counterexample trace was written
};

struct Report {
  std::string z3_version;
  std::optional<std::string> cvc5_version;  // none: --no-cvc5
  uint64_t rlimit = 0;
  std::vector<Row> rows;
  double ms = 0;  // wall-clock time of the whole run, cvc5 included
};

// The verdict is the expected one and cvc5 (if asked) says the same.
bool as_expected(const Row& row);

void print_report(const Report& report, std::FILE* out);
std::string report_json(const Report& report);

}  // namespace rmc::proofs
