// trace.h - the text form of a run: parse, print, and the judge's verdict.
//
// Format (docs/trace-format.md has the whole grammar):
//
//   # rmapcheck trace 1                  <- version line, always first
//   # EXPECT: pass                       <- the verdict a judge checks
//   # EXPECT[lazy]: fail rmap-missing    <- the verdict for one design
//   option large_folio_order 4           <- model options, before any op
//   P0 mmap 0x100 8 rw                   <- one op per line
//   P0 write 0x100 4   # why            <- trailing comments are kept
//   expect vmas P0 0x100-0x108:rw        <- expectations, checked in place
//
// Printing is canonical (hex addresses, decimal lengths, single spaces), and
// print(parse(t)) == t for every canonical trace. Any bad line is an error
// "file:line: message"; parsing never crashes or loops.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/core/op.h"
#include "model/core/options.h"

namespace rmc {

inline constexpr uint32_t kTraceVersion = 1;
inline constexpr std::string_view kTraceMagic = "# rmapcheck trace";

struct TraceLine {
  enum class Kind : uint8_t { kOp, kExpect, kOption, kComment, kBlank };
  Kind kind = Kind::kBlank;
  Op op;
  Expect expect;
  std::string option_name;
  std::string option_value;
  std::string comment;   // kComment: the whole line, starting with '#'
  std::string trailing;  // "   # why": whitespace and comment after an op
  uint32_t line = 0;     // 1-based line in the source
};

// The verdict a trace file expects ("# EXPECT: ..."), judged in ctest.
struct ExpectedVerdict {
  enum class Kind : uint8_t { kPass, kFail, kError };
  Kind kind = Kind::kPass;
  std::string property;  // kFail: the property of the first failure ("I3")
};

struct Trace {
  std::string source = "<trace>";  // file name, for messages
  ModelOptions options;            // from the option lines, applied in order
  std::vector<TraceLine> lines;    // everything after the version line
  std::optional<ExpectedVerdict> expected;  // "# EXPECT:" (every design)
  std::map<std::string, ExpectedVerdict> expected_for;  // "# EXPECT[design]:"

  // The verdict the trace expects from `design`: its own line, else the
  // common one.
  std::optional<ExpectedVerdict> expectation(std::string_view design) const;
  size_t op_count() const;
  void add_op(const Op& op);  // appends an op line
  // Comment lines ("# ...") at the top, after the version line: where a
  // crash or decode report says where the trace came from.
  void add_header_comments(const std::vector<std::string>& comments);
};

struct TraceError {
  std::string source;
  uint32_t line = 0;
  std::string message;
  std::optional<ExpectedVerdict> expected;  // if the header said it before the bad line
  std::string str() const;  // "source:line: message"
};

using ParseResult = std::variant<Trace, TraceError>;

ParseResult parse_trace(std::string_view text, std::string_view source);
ParseResult parse_trace_file(const std::string& path);
// The bytes of an input file, at most kMaxInputFileBytes (bounds.h), or
// the error "path:0: cannot open file" / "file too large".
std::variant<std::string, TraceError> read_input_file(const std::string& path);
std::string print_trace(const Trace& trace);
std::string print_verdict(const ExpectedVerdict& verdict);

}  // namespace rmc
