// trace_text.cpp - trace lines for counterexamples.
#include "proofs/trace_text.h"

#include <fmt/format.h>

namespace rmc::proofs {

std::string hex(uint64_t value) { return fmt::format("{:#x}", value); }

TraceText::TraceText() : text_("# rmapcheck trace 1\n") {}

TraceText& TraceText::comment(std::string_view paragraph) {
  constexpr size_t kWidth = 78;
  std::string line = "#";
  size_t at = 0;
  while (at < paragraph.size()) {
    while (at < paragraph.size() && paragraph[at] == ' ') at++;
    const size_t end = std::min(paragraph.find(' ', at), paragraph.size());
    const std::string_view word = paragraph.substr(at, end - at);
    at = end;
    if (word.empty()) continue;
    if (line.size() > 1 && line.size() + 1 + word.size() > kWidth) {
      text_ += line + "\n";
      line = "#";
    }
    line += " ";
    line += word;
  }
  text_ += line + "\n";
  return *this;
}

TraceText& TraceText::blank() {
  text_ += "\n";
  return *this;
}

TraceText& TraceText::expect(std::string_view verdict) {
  text_ += fmt::format("# EXPECT: {}\n", verdict);
  return *this;
}

TraceText& TraceText::expect_for(std::string_view design, std::string_view verdict) {
  text_ += fmt::format("# EXPECT[{}]: {}\n", design, verdict);
  return *this;
}

TraceText& TraceText::option(std::string_view name, uint64_t value) {
  text_ += fmt::format("option {} {}\n", name, value);
  return *this;
}

TraceText& TraceText::option(std::string_view name, std::string_view value) {
  text_ += fmt::format("option {} {}\n", name, value);
  return *this;
}

TraceText& TraceText::op(const std::string& line, std::string_view why) {
  text_ += why.empty() ? line + "\n" : fmt::format("{:<40}# {}\n", line + " ", why);
  return *this;
}

}  // namespace rmc::proofs
