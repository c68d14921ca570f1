// report.cpp - the table and the JSON of a prove run.
#include "proofs/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rmc::proofs {

namespace {

std::string cvc5_cell(const Row& row) {
  if (!row.cvc5) return "-";
  if (agrees(row.z3.verdict, *row.cvc5)) return "agrees";
  return fmt::format("DISAGREES ({})", answer_name(row.cvc5->kind));
}

std::vector<std::string> counterexample_lines(const Row& row) {
  if (row.obligation->describe) return row.obligation->describe(row.z3.values);
  // Wrap "label=value" items at about 100 columns.
  std::vector<std::string> lines{""};
  for (const Value& v : row.z3.values.items()) {
    const std::string item = v.is_flag ? fmt::format("{}={}", v.label, v.value ? "true" : "false")
                                       : fmt::format("{}={:#x}", v.label, v.value);
    if (!lines.back().empty() && lines.back().size() + item.size() > 100) lines.push_back("");
    lines.back() += (lines.back().empty() ? "" : " ") + item;
  }
  return lines;
}

}  // namespace

bool as_expected(const Row& row) {
  return row.z3.verdict == row.obligation->expected && (!row.cvc5 || agrees(row.z3.verdict, *row.cvc5));
}

void print_report(const Report& report, std::FILE* out) {
  fmt::print(out,
             "rmapcheck prove: Z3 {}, {}; rlimit {} per solver call (Z3's count); time is CPU time "
             "from a fresh Z3 context\n\n",
             report.z3_version,
             report.cvc5_version ? "cvc5 " + *report.cvc5_version : std::string("cvc5 cross-check off"),
             report.rlimit);
  size_t width = 10;
  for (const Row& row : report.rows) width = std::max(width, row.obligation->name.size());
  fmt::print(out, "{:<{}}  {:<14}  {:<14}  {:>9}  {:>9}  {}\n", "obligation", width, "expected", "verdict",
             "time", "rlimit", "cvc5");
  int unexpected = 0, proved = 0, counterexamples = 0, cvc5_agree = 0, cvc5_asked = 0;
  double z3_ms = 0, cvc5_ms = 0, slowest = 0;
  for (const Row& row : report.rows) {
    const Outcome& z = row.z3;
    const bool ok = as_expected(row);
    unexpected += !ok;
    proved += z.verdict == Verdict::kProved;
    counterexamples += z.verdict == Verdict::kCounterexample;
    z3_ms += z.ms;
    slowest = std::max(slowest, z.ms);
    if (row.cvc5) {
      cvc5_asked++;
      cvc5_agree += agrees(z.verdict, *row.cvc5);
      cvc5_ms += row.cvc5->ms;
    }
    fmt::print(out, "{:<{}}  {:<14}  {:<14}  {:>6.1f} ms  {:>9}  {}{}\n", row.obligation->name, width,
               verdict_name(row.obligation->expected), verdict_name(z.verdict), z.ms, z.rlimit_used,
               cvc5_cell(row), ok ? "" : "   <-- UNEXPECTED");
    if (!z.detail.empty()) fmt::print(out, "    {}\n", z.detail);
    if (row.cvc5 && row.cvc5->kind == Cvc5Answer::Kind::kError) fmt::print(out, "    cvc5: {}\n", row.cvc5->detail);
    if (z.verdict == Verdict::kCounterexample) {
      for (const std::string& line : counterexample_lines(row)) fmt::print(out, "    {}\n", line);
      if (!row.trace_path.empty()) fmt::print(out, "    trace: {}\n", row.trace_path);
      else if (!row.obligation->no_trace.empty()) fmt::print(out, "    no trace: {}\n", row.obligation->no_trace);
    }
  }
  fmt::print(out, "\n{} obligations: {} proved, {} counterexamples, {} not as expected\n", report.rows.size(),
             proved, counterexamples, unexpected);
  fmt::print(out, "Z3 {:.0f} ms CPU in all (slowest {:.1f} ms)", z3_ms, slowest);
  if (report.cvc5_version)
    fmt::print(out, "; cvc5 agrees on {} of {} ({:.0f} ms CPU)", cvc5_agree, cvc5_asked, cvc5_ms);
  fmt::print(out, "; {:.0f} ms wall-clock in all\n", report.ms);
}

std::string report_json(const Report& report) {
  nlohmann::ordered_json j;
  j["z3_version"] = report.z3_version;
  j["cvc5_version"] = report.cvc5_version ? nlohmann::ordered_json(*report.cvc5_version) : nlohmann::ordered_json();
  j["rlimit"] = report.rlimit;
  j["wall_ms"] = report.ms;
  j["obligations"] = nlohmann::ordered_json::array();
  for (const Row& row : report.rows) {
    nlohmann::ordered_json o;
    o["name"] = row.obligation->name;
    o["claim"] = row.obligation->claim;
    o["thread"] = row.obligation->thread;
    o["expected"] = verdict_name(row.obligation->expected);
    o["verdict"] = verdict_name(row.z3.verdict);
    o["as_expected"] = as_expected(row);
    o["detail"] = row.z3.detail;
    o["ms"] = row.z3.ms;
    o["wall_ms"] = row.z3.wall_ms;
    o["rlimit_used"] = row.z3.rlimit_used;
    if (row.cvc5) {
      o["cvc5"] = {{"answer", answer_name(row.cvc5->kind)}, {"agrees", agrees(row.z3.verdict, *row.cvc5)},
                   {"ms", row.cvc5->ms}, {"detail", row.cvc5->detail}};
    }
    if (row.z3.verdict == Verdict::kCounterexample) {
      nlohmann::ordered_json values = nlohmann::ordered_json::object();
      for (const Value& v : row.z3.values.items())
        values[v.label] = v.is_flag ? nlohmann::ordered_json(v.value != 0) : nlohmann::ordered_json(v.value);
      o["counterexample"] = values;
      if (!row.trace_path.empty()) o["trace"] = row.trace_path;
      else o["no_trace"] = row.obligation->no_trace;
    }
    j["obligations"].push_back(o);
  }
  return j.dump(2) + "\n";
}

}  // namespace rmc::proofs
