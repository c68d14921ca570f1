// cvc5.cpp - run `cvc5 --lang=smt2 --solve-bv-as-int=sum --rlimit=N --seed=0
// FILE`, read its answer.
#include "proofs/cvc5.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "proofs/subprocess.h"

namespace rmc::proofs {

std::string_view answer_name(Cvc5Answer::Kind kind) {
  switch (kind) {
    case Cvc5Answer::Kind::kSat: return "sat";
    case Cvc5Answer::Kind::kUnsat: return "unsat";
    case Cvc5Answer::Kind::kUnknown: return "unknown";
    case Cvc5Answer::Kind::kError: return "error";
  }
  return "?";
}

std::optional<std::string> cvc5_version() {
  const ProgramResult r = run_program({"cvc5", "--version"});
  if (!r.started || r.exit_status != 0) return std::nullopt;
  // "This is cvc5 version 1.0.3 ..."
  const std::string marker = "cvc5 version ";
  const size_t at = r.out.find(marker);
  if (at == std::string::npos) return std::nullopt;
  const size_t begin = at + marker.size();
  const size_t end = r.out.find_first_of(" \n[", begin);
  return r.out.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

Cvc5Answer cvc5_check_file(const std::string& path, uint64_t rlimit) {
  const ProgramResult r = run_program(
      {"cvc5", "--lang=smt2", "--solve-bv-as-int=sum", fmt::format("--rlimit={}", rlimit), "--seed=0", path});
  Cvc5Answer answer;
  answer.ms = r.cpu_ms;
  std::string first_line = r.out.substr(0, r.out.find('\n'));
  if (!r.started) {
    answer.detail = "cannot run cvc5 (is it installed? tools/install-deps)";
  } else if (r.exit_status != 0) {
    std::string why = r.err.empty() ? r.out : r.err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    answer.detail = fmt::format("cvc5 exited with status {}: {}", r.exit_status, why);
  } else if (first_line == "sat") {
    answer.kind = Cvc5Answer::Kind::kSat;
  } else if (first_line == "unsat") {
    answer.kind = Cvc5Answer::Kind::kUnsat;
  } else if (first_line == "unknown") {
    answer.kind = Cvc5Answer::Kind::kUnknown;
  } else {
    answer.detail = fmt::format("unexpected cvc5 output '{}'", first_line);
  }
  return answer;
}

Cvc5Answer cvc5_check_text(const std::string& smt2, uint64_t rlimit) {
  std::string path = (std::filesystem::temp_directory_path() / "rmapcheck-prove-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return {Cvc5Answer::Kind::kError, "cannot create a temporary file", 0};
  close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << smt2;
  }
  Cvc5Answer answer = cvc5_check_file(path, rlimit);
  std::filesystem::remove(path);
  return answer;
}

bool agrees(Verdict z3_verdict, const Cvc5Answer& answer) {
  return (z3_verdict == Verdict::kProved && answer.kind == Cvc5Answer::Kind::kUnsat) ||
         (z3_verdict == Verdict::kCounterexample && answer.kind == Cvc5Answer::Kind::kSat);
}

}  // namespace rmc::proofs
