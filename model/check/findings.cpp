// findings.cpp - naming, shrinking and recording findings.
#include "model/check/findings.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "model/core/atomic_file.h"
#include "model/core/op_codec.h"

namespace rmc {

std::string finding_file_name(std::string_view signature) {
  std::string name;
  for (char c : signature) {
    if (c == '/') name += "__";
    else if (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+') name += c;
    else name += '_';
  }
  return name + ".trace";
}

std::set<std::string> recorded_signatures(const std::string& dir) {
  std::set<std::string> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".trace") continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 0; n < 50 && std::getline(in, line); n++)
      if (line.rfind(kFindingLine, 0) == 0) out.insert(line.substr(kFindingLine.size()));
  }
  return out;
}

namespace {

bool reports(const DifferentialResult& result, const std::string& signature) {
  if (result.error) return false;
  for (const Finding& f : result.findings)
    if (f.signature() == signature) return true;
  return false;
}

}  // namespace

Trace shrink_finding(const Trace& trace, const Finding& finding, const std::vector<std::string>& designs,
                     ShrinkStats* stats) {
  const std::string signature = finding.signature();
  return shrink_trace(
      trace, [&](const Trace& candidate) { return reports(run_differential(candidate, designs), signature); }, stats);
}

std::string finding_trace_text(const Finding& finding, const Trace& shrunk, const std::vector<std::string>& designs,
                               const std::string& origin) {
  std::string out = fmt::format("{} {}\n", kTraceMagic, kTraceVersion);
  out += fmt::format("{}{}\n", kFindingLine, finding.signature());
  out += "# EXPECT: pass\n";
  for (const std::string& design : designs) {
    Verdict v = run_trace(shrunk, design, true);
    if (v.kind == Verdict::Kind::kFail) out += fmt::format("# EXPECT[{}]: fail {}\n", design, v.first_property());
    if (v.kind == Verdict::Kind::kError) out += fmt::format("# EXPECT[{}]: error\n", design);
  }
  out += fmt::format("# Found by {}; {}.\n", origin, finding.message);
  out += "# MECHANISM: (to be written)\n";
  Trace body = shrunk;
  std::string text = print_trace(body);
  out += text.substr(text.find('\n') + 1);  // drop the version line printed again
  return out;
}

std::string record_finding(const std::string& dir, const Finding& finding, const Trace& shrunk,
                           const std::vector<std::string>& designs, const std::string& origin) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fmt::format("error: cannot create {}: {}", dir, ec.message());
  const std::string path = (std::filesystem::path(dir) / finding_file_name(finding.signature())).string();
  if (auto err = write_file_atomically(path, finding_trace_text(finding, shrunk, designs, origin)))
    return "error: " + *err;
  return path;
}

Trace decoded_trace(std::string_view bytes, const std::string& source, size_t* refused,
                    const std::function<void(const Op&)>& before_step) {
  DecodedInput input = decode_ops(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::vector<Op> accepted;
  run_differential_ops(input.ops, input.options, {"eager"}, &accepted, before_step);
  if (refused) *refused = input.ops.size() - accepted.size();
  return trace_of(accepted, input.options, source);
}

}  // namespace rmc
