// trace_text.h - write a counterexample as a trace file.
//
// The text this builds is a trace in the format of docs/trace-format.md
// (addresses and lengths in pages); `rmapcheck prove --traces` parses and
// prints it through model/core/trace.h before writing it, so a recipe that
// writes a bad line fails loudly there.
//
//   TraceText t;
//   t.comment("what it shows and why");
//   t.expect("pass").expect_for("lazy", "fail rmap-missing");
//   t.op(fmt::format("P0 mmap {} {} rw", hex(start), len), "the root VMA");
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rmc::proofs {

std::string hex(uint64_t value);  // "0x100"

class TraceText {
 public:
  TraceText();
  // A paragraph, wrapped into "# ..." lines of at most 78 characters.
  TraceText& comment(std::string_view paragraph);
  // The first paragraph of every counterexample trace: which obligation it
  // comes from, that it is generated, then `what` (the setting).
  TraceText& generated_from(std::string_view obligation, std::string_view what);
  TraceText& blank();
  TraceText& expect(std::string_view verdict);  // "# EXPECT: pass"
  TraceText& expect_for(std::string_view design, std::string_view verdict);
  TraceText& option(std::string_view name, uint64_t value);
  TraceText& option(std::string_view name, std::string_view value);
  // An op line, with an optional trailing comment.
  TraceText& op(const std::string& line, std::string_view why = {});
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

}  // namespace rmc::proofs
