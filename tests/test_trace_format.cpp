// test_trace_format.cpp - the text format of traces (docs/trace-format.md):
// canonical printing, print(parse(t)) == t, what the parser accepts, the
// exact "source:line: message" of every kind of bad input, and robustness
// against mutated input.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/core/bounds.h"
#include "model/core/op_table.h"
#include "model/core/random_trace.h"
#include "model/core/trace.h"

namespace rmc {
namespace {

constexpr std::string_view kHeader = "# rmapcheck trace 1\n";

std::string with_header(std::string_view body) { return std::string(kHeader) + std::string(body); }

// Parses `text`; on an error, fails the test and returns an empty trace.
Trace parse_ok(std::string_view text) {
  ParseResult parsed = parse_trace(text, "t");
  if (auto* error = std::get_if<TraceError>(&parsed)) {
    ADD_FAILURE() << "unexpected parse error: " << error->str() << "\n--- text ---\n" << text;
    return Trace{};
  }
  return std::get<Trace>(std::move(parsed));
}

// The error of `text`, as "t:LINE: message", or "(parsed)" if it parses.
std::string parse_error(std::string_view text) {
  ParseResult parsed = parse_trace(text, "t");
  if (auto* error = std::get_if<TraceError>(&parsed)) return error->str();
  return "(parsed)";
}

std::vector<Op> ops_of(const Trace& trace) {
  std::vector<Op> ops;
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
  return ops;
}

// Lines of `text` as the parser counts them (a final '\n' ends the last line).
uint32_t line_count(std::string_view text) {
  uint32_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') n++;
  return n;
}

// ---- canonical form ----------------------------------------------------------

// Canonical traces: print(parse(t)) must give back t byte for byte.
const std::vector<std::string>& canonical_examples() {
  static const std::vector<std::string> examples = {
      // The smallest trace: the version line alone.
      "# rmapcheck trace 1\n",
      // Header with a verdict, comments, options, every op form.
      "# rmapcheck trace 1\n"
      "# EXPECT: pass\n"
      "# Fork, COW, and the zero page.\n"
      "option large_folio_order 2\n"
      "option swapcache_after_pageout off\n"
      "\n"
      "P0 mmap 0x100 8 rw\n"
      "P0 write 0x100 4  # fault A\n"
      "P0 read 0x104 4\n"
      "P0 fork P1\n"
      "P1 write 0x100 1\n"
      "expect different P0:0x100 P1:0x100\n"
      "expect same P0:0x101 P1:0x101\n"
      "expect state P0:0x104 zero\n"
      "expect vmas P0 0x100-0x108:rw:faulted\n"
      "expect vmas P1 0x100-0x108\n"
      "expect delta vma +1 anon_vma +2 avc +3\n"
      "expect count vma 2 anon_vma 2 avc 3 folio 6\n"
      "P1 exit\n"
      "expect vmas P0 0x100-0x108:rw\n",
      // Every mmap flag, each prot, madvise advice, mremap flag combination.
      "# rmapcheck trace 1\n"
      "# EXPECT: error\n"
      "P0 mmap 0x0 1 none\n"
      "P0 mmap 0x10 2 r noreserve\n"
      "P0 mmap 0x20 3 rx growsdown\n"
      "P0 mmap 0x30 4 rwx locked\n"
      "P0 mmap 0x40 5 w populate\n"
      "P0 mmap 0x50 6 x noreserve,growsdown,locked,populate\n"
      "P0 mmap 0x60 7 wx noreserve,populate\n"
      "P0 mprotect 0x10 2 rw\n"
      "P0 mlock 0x10 1\n"
      "P0 munlock 0x10 1\n"
      "P0 madvise 0x40 5 dontneed\n"
      "P0 madvise 0x40 5 pageout\n"
      "P0 madvise 0x40 5 dontfork\n"
      "P0 madvise 0x40 5 dofork\n"
      "P0 madvise 0x40 5 wipeonfork\n"
      "P0 madvise 0x40 5 keeponfork\n"
      "P0 mremap 0x40 5 3\n"
      "P0 mremap 0x40 3 9 maymove\n"
      "P0 mremap 0x30 4 4 0xff00 maymove,fixed\n"
      "P0 mremap 0xff00 4 4 0x300 maymove,fixed,dontunmap\n"
      "P0 mremap 0x300 2 2 maymove,dontunmap\n"
      "P0 migrate 0x10 4096\n"
      "P0 brk 0x8010\n"
      "P0 split_folio 0xffff\n"
      "P0 munmap 0x0 4096\n"
      "P0 fork P7\n"
      "P7 fork P3\n"
      "P3 exit\n",
      // Comments in all places, kept verbatim (tabs and trailing blanks too).
      "# rmapcheck trace 1\n"
      "#EXPECT: fail I3\n"
      "   # indented comment\t\n"
      "#\n"
      "option bug B16  # the bug under test\n"
      "option bug B3\n"
      "P0 mmap 0x100 4 rw\t# tab before the comment\n"
      "P0 write 0x100 4#no space\n"
      "expect vmas P0 none  # none at all?\n"
      "expect count vma 1 # trailing  \n"
      "\n"
      "\n",
      // An expectation before any op, and vmas specs of every shape.
      "# rmapcheck trace 1\n"
      "expect count vma 0 anon_vma 0 avc 0 folio 0\n"
      "expect delta folio +0\n"
      "expect vmas P0 none\n"
      "P0 mmap 0x100 2 rw\n"
      "P0 mmap 0x102 2 r\n"
      "expect vmas P0 0x100-0x102:rw:unfaulted 0x102-0x104:r 0x104-0x105:faulted 0x105-0x10000\n"
      "expect delta vma +2 folio -3\n",
  };
  return examples;
}

TEST(TraceFormat, CanonicalExamplesRoundTrip) {
  for (const std::string& text : canonical_examples()) {
    Trace trace = parse_ok(text);
    EXPECT_EQ(print_trace(trace), text);
  }
}

TEST(TraceFormat, MinusZeroDeltaPrintsAsPlusZero) {
  EXPECT_EQ(print_trace(parse_ok(with_header("expect delta folio -0 vma -00\n"))),
            with_header("expect delta folio +0 vma +0\n"));
}

TEST(TraceFormat, ParsedFieldsOfCanonicalExample) {
  Trace trace = parse_ok(canonical_examples()[1]);
  ASSERT_TRUE(trace.expected.has_value());
  EXPECT_EQ(trace.expected->kind, ExpectedVerdict::Kind::kPass);
  EXPECT_EQ(trace.options.large_folio_order, 2u);
  EXPECT_FALSE(trace.options.swapcache_after_pageout);
  EXPECT_EQ(trace.op_count(), 6u);
  // Line numbers are 1-based and count the version line.
  ASSERT_GE(trace.lines.size(), 7u);
  EXPECT_EQ(trace.lines[0].line, 2u);
  EXPECT_EQ(trace.lines[0].kind, TraceLine::Kind::kComment);
  EXPECT_EQ(trace.lines[2].kind, TraceLine::Kind::kOption);
  EXPECT_EQ(trace.lines[2].option_name, "large_folio_order");
  EXPECT_EQ(trace.lines[2].option_value, "2");
  EXPECT_EQ(trace.lines[4].kind, TraceLine::Kind::kBlank);
  const TraceLine& mmap = trace.lines[5];
  EXPECT_EQ(mmap.line, 7u);
  ASSERT_EQ(mmap.kind, TraceLine::Kind::kOp);
  EXPECT_EQ(mmap.op.kind, OpKind::kMmap);
  EXPECT_EQ(mmap.op.addr, 0x100u);
  EXPECT_EQ(mmap.op.len, 8u);
  EXPECT_EQ(mmap.op.prot, kProtRead | kProtWrite);
  EXPECT_EQ(mmap.op.flags, 0);
  EXPECT_EQ(trace.lines[6].trailing, "  # fault A");
}

// ---- random traces -----------------------------------------------------------

void check_random_round_trip(uint64_t seed, const ModelOptions& model) {
  Trace generated = random_trace(seed, 64, GeneratorOptions{}, model);
  const std::string printed = print_trace(generated);
  ParseResult parsed = parse_trace(printed, "random");
  auto* error = std::get_if<TraceError>(&parsed);
  ASSERT_EQ(error, nullptr) << "seed " << seed << ": " << error->str() << "\n" << printed;
  const Trace& trace = std::get<Trace>(parsed);
  EXPECT_EQ(print_trace(trace), printed) << "seed " << seed;
  EXPECT_EQ(ops_of(trace), ops_of(generated)) << "seed " << seed;
  EXPECT_EQ(trace.options, model) << "seed " << seed;
  EXPECT_EQ(trace.op_count(), 64u) << "seed " << seed;
}

TEST(TraceFormat, RandomTracesRoundTrip) {
  for (uint64_t seed = 1; seed <= 200; seed++) check_random_round_trip(seed, ModelOptions{});
}

TEST(TraceFormat, RandomTracesWithOptionsRoundTrip) {
  ModelOptions large;
  large.large_folio_order = 2;
  ModelOptions no_swapcache;
  no_swapcache.swapcache_after_pageout = false;
  ModelOptions both = large;
  both.swapcache_after_pageout = false;
  for (uint64_t seed = 1; seed <= 10; seed++) {
    check_random_round_trip(seed, large);
    check_random_round_trip(seed, no_swapcache);
    check_random_round_trip(seed, both);
  }
}

// ---- what the parser accepts ---------------------------------------------------

TEST(TraceFormat, AcceptsDecimalAndHexNumbers) {
  Trace trace = parse_ok(with_header(
      "P0 mmap 256 0x8 rw\n"
      "P0 mremap 0X100 8 0x10 512 fixed,maymove\n"
      "P0 read 0xAbC 010\n"
      "expect count vma 0x2\n"
      "expect delta vma +0x10\n"
      "expect state P0:4096 none\n"
      "expect vmas P0 512-0x210\n"));
  const std::vector<Op> ops = ops_of(trace);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].addr, 0x100u);
  EXPECT_EQ(ops[0].len, 8u);
  EXPECT_EQ(ops[1].addr, 0x100u);
  EXPECT_EQ(ops[1].new_len, 16u);
  EXPECT_EQ(ops[1].new_addr, 0x200u);
  EXPECT_EQ(ops[1].flags, kMremapMaymove | kMremapFixed);
  EXPECT_EQ(ops[2].addr, 0xabcu);
  EXPECT_EQ(ops[2].len, 10u) << "leading zeros are decimal, not octal";
  EXPECT_EQ(print_trace(trace), with_header(
      "P0 mmap 0x100 8 rw\n"
      "P0 mremap 0x100 8 16 0x200 maymove,fixed\n"
      "P0 read 0xabc 10\n"
      "expect count vma 2\n"
      "expect delta vma +16\n"
      "expect state P0:0x1000 none\n"
      "expect vmas P0 0x200-0x210\n"));
}

TEST(TraceFormat, AcceptsCrlfLineEnds) {
  const std::string lf = with_header(
      "# EXPECT: pass\n"
      "P0 mmap 0x100 2 rw  # comment\n"
      "\n"
      "expect vmas P0 0x100-0x102\n");
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Trace trace = parse_ok(crlf);
  EXPECT_EQ(print_trace(trace), lf);
  EXPECT_EQ(trace.lines[1].trailing, "  # comment");
  // A last line without any line end.
  EXPECT_EQ(print_trace(parse_ok("# rmapcheck trace 1\r\nP0 exit\r")), "# rmapcheck trace 1\nP0 exit\n");
  EXPECT_EQ(print_trace(parse_ok("# rmapcheck trace 1\nP0 exit")), "# rmapcheck trace 1\nP0 exit\n");
}

TEST(TraceFormat, AcceptsTabsAndExtraBlanks) {
  Trace trace = parse_ok(with_header(
      "\t option  large_folio_order\t2\n"
      "\tP0\tmmap  0x100\t\t4 rw   \n"
      "   expect\tvmas P0  0x100-0x104 \t\n"));
  EXPECT_EQ(print_trace(trace), with_header(
      "option large_folio_order 2\n"
      "P0 mmap 0x100 4 rw\n"
      "expect vmas P0 0x100-0x104\n"));
}

TEST(TraceFormat, KeepsCommentsVerbatim) {
  const std::string text = with_header(
      "#   spaced   comment  \n"
      "\t# tabbed\n"
      "option bug B4   #\n"
      "P0 mmap 0x100 4 rw \t # fault A: wp_page_copy\n"
      "expect vmas P0 0x100-0x104#x\n");
  Trace trace = parse_ok(text);
  EXPECT_EQ(print_trace(trace), text);
  EXPECT_EQ(trace.lines[0].comment, "#   spaced   comment  ");
  EXPECT_EQ(trace.lines[1].comment, "\t# tabbed");
  EXPECT_EQ(trace.lines[2].trailing, "   #");
  EXPECT_EQ(trace.lines[3].trailing, " \t # fault A: wp_page_copy");
  EXPECT_EQ(trace.lines[4].trailing, "#x");
}

TEST(TraceFormat, BlankLinesAreKeptAndEmptied) {
  Trace trace = parse_ok(with_header("\n  \n\t\nP0 exit\n\n"));
  ASSERT_EQ(trace.lines.size(), 5u);
  for (size_t i : {0, 1, 2, 4}) EXPECT_EQ(trace.lines[i].kind, TraceLine::Kind::kBlank);
  EXPECT_EQ(trace.lines[3].line, 5u);
  EXPECT_EQ(print_trace(trace), with_header("\n\n\nP0 exit\n\n"));
}

TEST(TraceFormat, NonCanonicalInputPrintsCanonically) {
  Trace trace = parse_ok(
      "# rmapcheck trace 1\n"
      "P0 mmap 0x100 4 rw populate,noreserve\n"
      "P0 mremap 0x100 4 4 0x200 dontunmap,fixed,maymove\n"
      "expect vmas P0 0x100-0x104:faulted:rw 0x200-0x204:unfaulted\n"
      "expect count folio 4 vma 2\n"
      "P0 write 00256 1    \n");
  EXPECT_EQ(print_trace(trace),
            "# rmapcheck trace 1\n"
            "P0 mmap 0x100 4 rw noreserve,populate\n"
            "P0 mremap 0x100 4 4 0x200 maymove,fixed,dontunmap\n"
            "expect vmas P0 0x100-0x104:rw:faulted 0x200-0x204:unfaulted\n"
            "expect count folio 4 vma 2\n"
            "P0 write 0x100 1\n");
}

// An op of `kind` with every operand it has set to a distinct value.
Op sample_op(const OpSpec& spec) {
  Op op;
  op.kind = spec.kind;
  op.pid = ProcessId{0};
  for (size_t i = 0; i < spec.operand_count; i++) {
    switch (spec.operands[i]) {
      case Operand::kAddr: op.addr = 0x100; break;
      case Operand::kLen: op.len = 4; break;
      case Operand::kNewLen: op.new_len = 4; break;
      case Operand::kNewAddr: op.new_addr = 0x300; break;
      case Operand::kProt: op.prot = kProtRead | kProtExec; break;
      case Operand::kMmapFlags: op.flags = kMapNoreserve | kMapLocked; break;
      case Operand::kMremapFlags: op.flags = kMremapMaymove | kMremapFixed; break;
      case Operand::kAdvice: op.advice = Advice::kWipeonfork; break;
      case Operand::kChild: op.child = ProcessId{5}; break;
      case Operand::kFilePgoff: op.pgoff = 0x123456789; break;
      case Operand::kShift: op.shift = 3; break;
      case Operand::kDstAddr: op.new_addr = 0x200; break;
    }
  }
  return op;
}

TEST(TraceFormat, EveryOpKindParsesAndPrints) {
  ASSERT_EQ(op_table().size(), static_cast<size_t>(OpKind::kCount));
  for (size_t i = 0; i < op_table().size(); i++) {
    const OpSpec& spec = op_table()[i];
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_EQ(static_cast<size_t>(spec.kind), i);
    EXPECT_EQ(&op_spec(spec.kind), &spec);
    EXPECT_EQ(op_kind_from_name(spec.name), spec.kind);
    EXPECT_FALSE(spec.syntax.empty());
    EXPECT_FALSE(spec.summary.empty());
    EXPECT_EQ(spec.syntax.substr(0, 5 + spec.name.size()), "P<n> " + std::string(spec.name));
    const Op op = sample_op(spec);
    EXPECT_EQ(op_form_error(op), std::nullopt);
    const std::string line = print_op(op);
    EXPECT_EQ(line.substr(0, 3 + spec.name.size()), "P0 " + std::string(spec.name));
    // One token per operand: the optional ones (flags, NEWADDR) are set.
    size_t tokens = 1;
    for (char c : line) tokens += c == ' ';
    EXPECT_EQ(tokens, 2u + spec.operand_count) << line;
    Trace trace = parse_ok(with_header(line + "\n"));
    const std::vector<Op> ops = ops_of(trace);
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0], op) << line;
    EXPECT_EQ(print_trace(trace), with_header(line + "\n"));
  }
}

TEST(TraceFormat, OptionalOperandsMayBeLeftOut) {
  Trace trace = parse_ok(with_header(
      "P0 mmap 0x100 4 none\n"
      "P0 mremap 0x100 4 2\n"));
  const std::vector<Op> ops = ops_of(trace);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].flags, 0);
  EXPECT_EQ(ops[0].prot, kProtNone);
  EXPECT_EQ(ops[1].flags, 0);
  EXPECT_EQ(ops[1].new_addr, 0u);
  EXPECT_EQ(ops[1].new_len, 2u);
}

TEST(TraceFormat, EveryProtectionParses) {
  const std::vector<std::pair<std::string, uint8_t>> prots = {
      {"none", kProtNone},
      {"r", kProtRead},
      {"w", kProtWrite},
      {"x", kProtExec},
      {"rw", kProtRead | kProtWrite},
      {"rx", kProtRead | kProtExec},
      {"wx", kProtWrite | kProtExec},
      {"rwx", kProtRead | kProtWrite | kProtExec}};
  for (const auto& [name, prot] : prots) {
    EXPECT_EQ(prot_from_name(name), prot) << name;
    EXPECT_EQ(prot_name(prot), name);
  }
  for (std::string_view bad : {"", "wr", "xr", "rr", "rwxr", "R", "NONE", "-", "rw-"})
    EXPECT_EQ(prot_from_name(bad), std::nullopt) << bad;
}

TEST(TraceFormat, ProcessNames) {
  for (uint32_t p = 0; p < kMaxProcesses; p++) {
    const std::string name = "P" + std::to_string(p);
    ASSERT_TRUE(parse_process(name).has_value()) << name;
    EXPECT_EQ(idx(*parse_process(name)), p);
    EXPECT_EQ(process_name(ProcessId{static_cast<uint8_t>(p)}), name);
  }
  for (std::string_view bad : {"P", "P8", "P9", "P10", "P01", "P00", "p0", "Q0", "P0x1", "P-1", "P+1", "0"})
    EXPECT_EQ(parse_process(bad), std::nullopt) << bad;
}

TEST(TraceFormat, OptionsAndVerdicts) {
  Trace trace = parse_ok(with_header(
      "# EXPECT: fail I5\n"
      "option large_folio_order 9\n"
      "option swapcache_after_pageout on\n"
      "option stack_pgoff_guard off\n"
      "option bug B3\n"
      "option bug B4\n"
      "option bug B12\n"
      "option bug B16\n"
      "option bug B17\n"));
  ASSERT_TRUE(trace.expected.has_value());
  EXPECT_EQ(trace.expected->kind, ExpectedVerdict::Kind::kFail);
  EXPECT_EQ(trace.expected->property, "I5");
  EXPECT_EQ(print_verdict(*trace.expected), "fail I5");
  EXPECT_EQ(trace.options.large_folio_order, 9u);
  EXPECT_TRUE(trace.options.swapcache_after_pageout);
  EXPECT_FALSE(trace.options.stack_pgoff_guard);
  EXPECT_TRUE(parse_ok(with_header("P0 exit\n")).options.stack_pgoff_guard);  // on unless turned off
  for (size_t b = 0; b < static_cast<size_t>(Bug::kCount); b++) EXPECT_TRUE(trace.options.bug(static_cast<Bug>(b)));

  EXPECT_EQ(parse_ok(with_header("#EXPECT:error\n")).expected->kind, ExpectedVerdict::Kind::kError);
  EXPECT_EQ(parse_ok(with_header("#   EXPECT:   pass  \n")).expected->kind, ExpectedVerdict::Kind::kPass);
  EXPECT_FALSE(parse_ok(with_header("P0 exit\n")).expected.has_value());
  // Only "EXPECT:" right after '#' and blanks is the verdict.
  EXPECT_FALSE(parse_ok(with_header("## EXPECT: fail\n")).expected.has_value());
  EXPECT_FALSE(parse_ok(with_header("P0 exit # EXPECT: fail\n")).expected.has_value());
}

TEST(TraceFormat, ExpectationsRoundTripThroughTheirPrinter) {
  const std::vector<std::string> lines = {
      "expect vmas P0 none",
      "expect vmas P3 0x0-0x1 0x1-0x2:none 0x2-0x3:rwx:faulted 0xfff0-0x10000:unfaulted",
      "expect same P0:0x100 P1:0x100 P2:0x100",
      "expect different P0:0x0 P0:0xffff",
      "expect state P0:0x100 present",
      "expect state P0:0x100 zero",
      "expect state P0:0x100 swapped",
      "expect state P0:0x100 none",
      "expect delta vma +0 anon_vma -1 avc +2 folio -1000000000",
      "expect count folio 1000000000 avc 0",
  };
  for (const std::string& line : lines) {
    std::vector<std::string_view> tokens;
    size_t start = 0;
    while (start < line.size()) {
      size_t space = line.find(' ', start);
      if (space == std::string::npos) space = line.size();
      tokens.push_back(std::string_view(line).substr(start, space - start));
      start = space + 1;
    }
    Expect expect;
    ASSERT_EQ(parse_expect(tokens, expect), std::nullopt) << line;
    EXPECT_EQ(print_expect(expect), line);
  }
}

// ---- bad input -------------------------------------------------------------------

struct BadTrace {
  const char* what;
  std::string text;
  std::string error;  // TraceError::str() with source "t"
};

const std::vector<BadTrace>& bad_traces() {
  const std::string H(kHeader);
  static const std::vector<BadTrace> cases = {
      // File and version line.
      {"empty file", "", "t:1: empty file: the first line must be '# rmapcheck trace 1'"},
      {"no magic line", "P0 mmap 0x100 1 rw\n",
       "t:1: not an rmapcheck trace: the first line must be '# rmapcheck trace 1'"},
      {"blank before magic", "\n# rmapcheck trace 1\n",
       "t:1: not an rmapcheck trace: the first line must be '# rmapcheck trace 1'"},
      {"wrong magic", "# rmapcheck-trace 1\n",
       "t:1: not an rmapcheck trace: the first line must be '# rmapcheck trace 1'"},
      {"magic without version", "# rmapcheck trace\n", "t:1: bad version line (expected '# rmapcheck trace 1')"},
      {"magic glued to version", "# rmapcheck tracer 1\n", "t:1: bad version line (expected '# rmapcheck trace 1')"},
      {"version not a number", "# rmapcheck trace one\n", "t:1: bad version line (expected '# rmapcheck trace 1')"},
      {"version with comment", "# rmapcheck trace 1 # v1\n",
       "t:1: bad version line (expected '# rmapcheck trace 1')"},
      {"unsupported version", "# rmapcheck trace 2\nP0 exit\n",
       "t:1: trace version 2 is not supported (this rmapcheck reads version 1)"},
      {"version 0", "# rmapcheck trace 0\n", "t:1: trace version 0 is not supported (this rmapcheck reads version 1)"},
      // Line shape.
      {"word alone", H + "hello\n", "t:2: 'hello': expected 'P<n> OP ...', 'option' or 'expect'"},
      {"process alone", H + "P0\n", "t:2: 'P0': expected 'P<n> OP ...', 'option' or 'expect'"},
      {"non-ASCII byte", H + "P0 exit  # caf\xc3\xa9\n", "t:2: non-printable or non-ASCII character"},
      {"control byte", H + "P0 exit\x01\n", "t:2: non-printable or non-ASCII character"},
      {"DEL byte", H + "# \x7f\n", "t:2: non-printable or non-ASCII character"},
      {"bare CR inside a line", H + "P0 exit\r# x\n", "t:2: non-printable or non-ASCII character"},
      {"NUL byte", H + std::string("P0 exit\0\n", 9), "t:2: non-printable or non-ASCII character"},
      {"non-ASCII in magic line", "# rmapcheck trace 1\xa0\n", "t:1: non-printable or non-ASCII character"},
      {"over-long line", H + "#" + std::string(kMaxLineChars, 'x') + "\n", "t:2: line longer than 4096 characters"},
      // Ops and processes.
      {"unknown op", H + "P0 mmapp 0x100 1 rw\n",
       "t:2: unknown op 'mmapp' (ops: mmap munmap mprotect mlock munlock madvise read write fork exit mremap "
       "migrate brk split_folio mmap_zero exec migrate_begin migrate_end uffd_move pin unpin lazy_off lazy_on split_begin split_end fault_race grow_race mprotect_race)"},
      {"op name in capitals", H + "P0 EXIT\n",
       "t:2: unknown op 'EXIT' (ops: mmap munmap mprotect mlock munlock madvise read write fork exit mremap "
       "migrate brk split_folio mmap_zero exec migrate_begin migrate_end uffd_move pin unpin lazy_off lazy_on split_begin split_end fault_race grow_race mprotect_race)"},
      {"process P9", H + "P9 exit\n", "t:2: bad process 'P9' (P0-P7)"},
      {"process P8", H + "P8 exit\n", "t:2: bad process 'P8' (P0-P7)"},
      {"process Q0", H + "Q0 exit\n", "t:2: 'Q0': expected 'P<n> OP ...', 'option' or 'expect'"},
      {"process P01", H + "P01 exit\n", "t:2: bad process 'P01' (P0-P7)"},
      {"process p0", H + "p0 exit\n", "t:2: 'p0': expected 'P<n> OP ...', 'option' or 'expect'"},
      {"lower-case verdict", H + "# expect: fail\n", "t:2: write the verdict line as '# EXPECT: ...' (upper case)"},
      {"version in hex", "# rmapcheck trace 0x1\n", "t:1: bad version line (expected '# rmapcheck trace 1')"},
      {"option twice", H + "option swapcache_after_pageout off\noption swapcache_after_pageout on\n",
       "t:3: swapcache_after_pageout given twice"},
      {"misspelt keyword", H + "opton large_folio_order 2\n", "t:2: 'opton': expected 'P<n> OP ...', 'option' or 'expect'"},
      {"process never forked", H + "P0 mmap 0x100 1 rw\nP1 exit\n",
       "t:3: P1 does not exist (processes are created by fork)"},
      {"op on exited process", H + "P0 fork P1\nP1 exit\nP1 read 0x100 1\n", "t:4: P1 has exited"},
      {"op on exited P0", H + "P0 exit\nP0 exit\n", "t:3: P0 has exited"},
      // migrate_end may name a process that has exited, but not one that never existed.
      {"migrate_end of a process never forked", H + "P0 exit\nP2 migrate_end\n",
       "t:3: P2 does not exist (processes are created by fork)"},
      {"migrate_begin on exited process", H + "P0 exit\nP0 migrate_begin 0x100\n", "t:3: P0 has exited"},
      {"fork into an exited name", H + "P0 fork P1\nP1 exit\nP0 fork P1\n",
       "t:4: fork: P1 was already used (each child needs a new name)"},
      {"fork into a live name", H + "P0 fork P1\nP1 fork P0\n",
       "t:3: fork: P0 was already used (each child needs a new name)"},
      {"fork of self", H + "P0 fork P0\n", "t:2: fork: a process cannot be its own child"},
      {"fork child P8", H + "P0 fork P8\n", "t:2: fork: bad child process 'P8' (P0-P7)"},
      {"fork child not a process", H + "P0 fork 1\n", "t:2: fork: bad child process '1' (P0-P7)"},
      // Operands.
      {"missing PROT", H + "P0 mmap 0x100 4\n", "t:2: mmap: missing PROT (syntax: P<n> mmap ADDR LEN PROT [FLAGS])"},
      {"missing ADDR", H + "P0 munmap\n", "t:2: munmap: missing ADDR (syntax: P<n> munmap ADDR LEN)"},
      {"missing LEN", H + "P0 read 0x100\n", "t:2: read: missing LEN (syntax: P<n> read ADDR LEN)"},
      {"missing NEWLEN", H + "P0 mremap 0x100 4\n",
       "t:2: mremap: missing NEWLEN (syntax: P<n> mremap ADDR OLDLEN NEWLEN [NEWADDR] [FLAGS])"},
      {"missing ADVICE", H + "P0 madvise 0x100 4\n",
       "t:2: madvise: missing ADVICE (syntax: P<n> madvise ADDR LEN ADVICE)"},
      {"missing child", H + "P0 fork\n", "t:2: fork: missing child process (syntax: P<n> fork P<m>)"},
      {"extra operand of exit", H + "P0 exit now\n", "t:2: exit: unexpected 'now' (syntax: P<n> exit)"},
      {"extra operand of read", H + "P0 read 0x100 1 2\n", "t:2: read: unexpected '2' (syntax: P<n> read ADDR LEN)"},
      {"extra operand after flags", H + "P0 mmap 0x100 4 rw noreserve populate\n",
       "t:2: mmap: unexpected 'populate' (syntax: P<n> mmap ADDR LEN PROT [FLAGS])"},
      {"bad hex digit", H + "P0 read 0x10g 1\n", "t:2: read: bad address '0x10g' (a page number: 0x... or decimal)"},
      {"bare 0x", H + "P0 brk 0x\n", "t:2: brk: bad address '0x' (a page number: 0x... or decimal)"},
      {"negative address", H + "P0 brk -1\n", "t:2: brk: bad address '-1' (a page number: 0x... or decimal)"},
      {"number too big for 64 bits", H + "P0 brk 18446744073709551616\n",
       "t:2: brk: bad address '18446744073709551616' (a page number: 0x... or decimal)"},
      {"bad length", H + "P0 read 0x100 one\n", "t:2: read: bad length 'one' (a number of pages)"},
      {"signed length", H + "P0 read 0x100 +1\n", "t:2: read: bad length '+1' (a number of pages)"},
      {"address outside the arena", H + "P0 read 0x10000 1\n",
       "t:2: read: address 0x10000 is outside the arena (pages 0x0-0xffff)"},
      {"brk outside the arena", H + "P0 brk 65536\n",
       "t:2: brk: address 0x10000 is outside the arena (pages 0x0-0xffff)"},
      {"length 0", H + "P0 read 0x100 0\n", "t:2: read: length 0 out of range (1-4096 pages)"},
      {"length too big", H + "P0 write 0x100 4097\n", "t:2: write: length 4097 out of range (1-4096 pages)"},
      {"new length 0", H + "P0 mremap 0x100 4 0\n", "t:2: mremap: new length 0 out of range (1-4096 pages)"},
      {"range past the arena end", H + "P0 mmap 0xfff0 32 rw\n",
       "t:2: mmap: range 0xfff0+32 runs past the end of the arena (0x10000)"},
      {"range one page past the end", H + "P0 munmap 0xffff 2\n",
       "t:2: munmap: range 0xffff+2 runs past the end of the arena (0x10000)"},
      {"protection out of order", H + "P0 mmap 0x100 4 wr\n",
       "t:2: mmap: bad protection 'wr' (none, or r/w/x in that order: r, rw, rwx, ...)"},
      {"protection letter twice", H + "P0 mprotect 0x100 4 rrw\n",
       "t:2: mprotect: bad protection 'rrw' (none, or r/w/x in that order: r, rw, rwx, ...)"},
      {"protection in capitals", H + "P0 mprotect 0x100 4 RW\n",
       "t:2: mprotect: bad protection 'RW' (none, or r/w/x in that order: r, rw, rwx, ...)"},
      {"unknown mmap flag", H + "P0 mmap 0x100 4 rw shared\n",
       "t:2: mmap: unknown flag 'shared' (flags: noreserve,growsdown,locked,populate)"},
      {"mremap flag on mmap", H + "P0 mmap 0x100 4 rw noreserve,maymove\n",
       "t:2: mmap: unknown flag 'maymove' (flags: noreserve,growsdown,locked,populate)"},
      {"duplicate mmap flag", H + "P0 mmap 0x100 4 rw locked,locked\n", "t:2: mmap: flag 'locked' given twice"},
      {"empty flag at the end", H + "P0 mmap 0x100 4 rw noreserve,\n", "t:2: mmap: empty flag after ','"},
      {"unknown mremap flag", H + "P0 mremap 0x100 4 8 may_move\n",
       "t:2: mremap: unknown flag 'may_move' (flags: maymove,fixed,dontunmap)"},
      {"duplicate mremap flag", H + "P0 mremap 0x100 4 8 maymove,maymove\n",
       "t:2: mremap: flag 'maymove' given twice"},
      {"fixed without NEWADDR", H + "P0 mremap 0x100 4 4 maymove,fixed\n",
       "t:2: mremap: 'fixed' needs NEWADDR (syntax: P<n> mremap ADDR OLDLEN NEWLEN [NEWADDR] [FLAGS])"},
      {"NEWADDR without fixed", H + "P0 mremap 0x100 4 4 0x200 maymove\n",
       "t:2: mremap: a new address needs the 'fixed' flag"},
      {"NEWADDR without any flag", H + "P0 mremap 0x100 4 4 0x200\n",
       "t:2: mremap: a new address needs the 'fixed' flag"},
      {"NEWADDR outside the arena", H + "P0 mremap 0x100 4 4 0x10000 maymove,fixed\n",
       "t:2: mremap: new address 0x10000 is outside the arena (pages 0x0-0xffff)"},
      {"fixed without maymove", H + "P0 mremap 0x100 4 4 0x200 fixed\n",
       "t:2: mremap: 'fixed' needs 'maymove' (EINVAL)"},
      {"dontunmap without maymove", H + "P0 mremap 0x100 4 4 dontunmap\n",
       "t:2: mremap: 'dontunmap' needs 'maymove' (EINVAL)"},
      {"dontunmap with different lengths", H + "P0 mremap 0x100 4 8 maymove,dontunmap\n",
       "t:2: mremap: 'dontunmap' needs OLDLEN == NEWLEN (EINVAL)"},
      {"overlapping fixed ranges", H + "P0 mremap 0x100 4 4 0x102 maymove,fixed\n",
       "t:2: mremap: new range overlaps the old one (EINVAL)"},
      {"fixed target overlapping from below", H + "P0 mremap 0x100 4 8 0xfc maymove,fixed\n",
       "t:2: mremap: new range overlaps the old one (EINVAL)"},
      {"fixed target past the arena end", H + "P0 mremap 0x100 4 32 0xfff0 maymove,fixed\n",
       "t:2: mremap: range 0xfff0+32 runs past the end of the arena (0x10000)"},
      {"uffd_move without its destination", H + "P0 uffd_move 0x100 4\n",
       "t:2: uffd_move: missing DST (syntax: P<n> uffd_move SRC LEN DST)"},
      {"uffd_move destination past the arena end", H + "P0 uffd_move 0x100 4 0xfffe\n",
       "t:2: uffd_move: destination range 0xfffe+4 runs past the end of the arena (0x10000)"},
      {"uffd_move destination outside the arena", H + "P0 uffd_move 0x100 4 0x10000\n",
       "t:2: uffd_move: destination 0x10000 is outside the arena (pages 0x0-0xffff)"},
      {"unknown advice", H + "P0 madvise 0x100 4 free\n",
       "t:2: madvise: unknown advice 'free' (dontneed pageout dontfork dofork wipeonfork keeponfork)"},
      {"advice in capitals", H + "P0 madvise 0x100 4 MADV_DONTNEED\n",
       "t:2: madvise: unknown advice 'MADV_DONTNEED' (dontneed pageout dontfork dofork wipeonfork keeponfork)"},
      // Options.
      {"option after an op", H + "P0 mmap 0x100 4 rw\noption large_folio_order 2\n",
       "t:3: option lines must come before the first op"},
      {"option after an exit", H + "P0 fork P1\nP1 exit\noption bug B3\n",
       "t:4: option lines must come before the first op"},
      {"unknown option", H + "option thp on\n",
       "t:2: unknown option 'thp' (large_folio_order swapcache_after_pageout stack_pgoff_guard mmap_pgoff_check bug lazy.* cowctx.*)"},
      {"option without value", H + "option large_folio_order\n", "t:2: syntax: option NAME VALUE"},
      {"option with two values", H + "option bug B3 B4\n", "t:2: syntax: option NAME VALUE"},
      {"folio order too big", H + "option large_folio_order 10\n", "t:2: large_folio_order must be 0-9, not '10'"},
      {"folio order not a number", H + "option large_folio_order two\n",
       "t:2: large_folio_order must be 0-9, not 'two'"},
      {"bad switch value", H + "option swapcache_after_pageout yes\n",
       "t:2: swapcache_after_pageout is on or off, not 'yes'"},
      {"unknown bug", H + "option bug B5\n", "t:2: unknown bug 'B5' (B3 B4 B12 B16 B17)"},
      {"bug given twice", H + "option bug B3\noption bug B3\n", "t:3: bug B3 given twice"},
      {"guard given twice", H + "option stack_pgoff_guard off\noption stack_pgoff_guard off\n",
       "t:3: stack_pgoff_guard given twice"},
      {"bad guard switch", H + "option stack_pgoff_guard maybe\n", "t:2: stack_pgoff_guard is on or off, not 'maybe'"},
      // The verdict line.
      {"second EXPECT line", H + "# EXPECT: pass\n# EXPECT: error\n", "t:3: a second EXPECT line"},
      {"second EXPECT after an op", H + "# EXPECT: pass\nP0 exit\n# EXPECT: error\n", "t:4: a second EXPECT line"},
      {"bad EXPECT word", H + "#EXPECT:maybe\n", "t:2: bad EXPECT 'maybe' (pass | fail PROPERTY | error)"},
      {"EXPECT fail without property", H + "#EXPECT:fail\n", "t:2: bad EXPECT 'fail' (pass | fail PROPERTY | error)"},
      {"EXPECT after the first op", H + "P0 mmap 0x100 4 rw\n# EXPECT: pass\n",
       "t:3: EXPECT belongs in the header, before the first op"},
      // Expectations.
      {"expect alone", H + "expect\n", "t:2: expect: what? (vmas same different state delta count kill)"},
      {"unknown expectation", H + "expect vma P0 none\n",
       "t:2: expect: unknown expectation 'vma' (vmas same different state delta count kill)"},
      {"vmas without spec", H + "expect vmas P0\n",
       "t:2: expect vmas: syntax: expect vmas P<n> START-END[:PROT][:faulted] ... | none"},
      {"vmas of a bad process", H + "expect vmas P9 none\n", "t:2: expect vmas: bad process 'P9'"},
      {"vmas of a process never forked", H + "expect vmas P1 none\n", "t:2: expect: P1 does not exist"},
      {"vmas of an exited process", H + "P0 fork P1\nP1 exit\nexpect vmas P1 none\n", "t:4: expect: P1 has exited"},
      {"VMA without a dash", H + "expect vmas P0 0x100\n",
       "t:2: expect vmas: bad VMA '0x100' (START-END[:PROT][:faulted|:unfaulted])"},
      {"VMA range reversed", H + "expect vmas P0 0x105-0x100\n",
       "t:2: expect vmas: bad VMA range '0x105-0x100' (START-END, START < END <= 0x10000)"},
      {"VMA range empty", H + "expect vmas P0 0x100-0x100\n",
       "t:2: expect vmas: bad VMA range '0x100-0x100' (START-END, START < END <= 0x10000)"},
      {"VMA range past the arena", H + "expect vmas P0 0xff00-0x10001\n",
       "t:2: expect vmas: bad VMA range '0xff00-0x10001' (START-END, START < END <= 0x10000)"},
      {"VMA range not a number", H + "expect vmas P0 0x100-end\n",
       "t:2: expect vmas: bad VMA range '0x100-end' (START-END, START < END <= 0x10000)"},
      {"unknown VMA attribute", H + "expect vmas P0 0x100-0x104:rw:dirty\n",
       "t:2: expect vmas: bad VMA attribute 'dirty' (a protection, 'faulted' or 'unfaulted')"},
      {"empty VMA attribute", H + "expect vmas P0 0x100-0x104:\n",
       "t:2: expect vmas: bad VMA attribute '' (a protection, 'faulted' or 'unfaulted')"},
      {"anon state twice", H + "expect vmas P0 0x100-0x104:faulted:unfaulted\n",
       "t:2: expect vmas: anon state given twice"},
      {"overlapping VMA specs", H + "expect vmas P0 0x100-0x108 0x104-0x10c\n",
       "t:2: expect vmas: '0x104-0x10c' overlaps or precedes the VMA before it"},
      {"VMA specs out of order", H + "expect vmas P0 0x200-0x204 0x100-0x104\n",
       "t:2: expect vmas: '0x100-0x104' overlaps or precedes the VMA before it"},
      {"page ref without colon", H + "expect same P0:0x100 P1\n",
       "t:2: expect same: bad page 'P1' (P<n>:ADDR, e.g. P0:0x100)"},
      {"page ref bad process", H + "expect state P9:0x100 present\n", "t:2: expect state: bad process in 'P9:0x100'"},
      {"page ref bad address", H + "expect different P0:0x100 P0:zz\n",
       "t:2: expect different: bad address 'zz' (a page number: 0x... or decimal)"},
      {"page ref outside the arena", H + "expect state P0:0x10000 present\n",
       "t:2: expect state: address 0x10000 is outside the arena (pages 0x0-0xffff)"},
      {"page ref of a process never forked", H + "expect same P0:0x100 P1:0x100\n", "t:2: expect: P1 does not exist"},
      {"same with one page", H + "expect same P0:0x100\n",
       "t:2: expect same: needs at least two pages (P0:0x100 P1:0x100)"},
      {"state without a state", H + "expect state P0:0x100\n",
       "t:2: expect state: syntax: expect state P<n>:ADDR present|zero|swapped|none"},
      {"unknown page state", H + "expect state P0:0x100 gone\n",
       "t:2: expect state: unknown state 'gone' (present zero swapped none)"},
      {"delta without sign", H + "expect delta vma 1\n", "t:2: expect delta: delta '1' needs a sign (+1, -2, +0)"},
      {"delta of nothing", H + "expect delta\n", "t:2: expect delta: nothing to count (vma anon_vma avc folio zombie_vma)"},
      {"odd count pairs", H + "expect count vma 1 avc\n", "t:2: expect count: counts come in pairs: NAME VALUE"},
      {"unknown count name", H + "expect count vmas 1\n",
       "t:2: expect count: unknown count 'vmas' (vma anon_vma avc folio zombie_vma)"},
      {"count with a sign", H + "expect count vma +1\n", "t:2: expect count: bad value '+1' for vma"},
      {"count too large", H + "expect count folio 1000000001\n",
       "t:2: expect count: bad value '1000000001' for folio"},
      {"delta sign without digits", H + "expect delta avc +\n", "t:2: expect delta: bad value '+' for avc"},
      {"count name twice", H + "expect delta vma +1 vma +1\n", "t:2: expect delta: 'vma' given twice"},
  };
  return cases;
}

TEST(TraceFormat, BadInputGivesTheExactError) {
  ASSERT_GE(bad_traces().size(), 30u);
  for (const BadTrace& c : bad_traces()) EXPECT_EQ(parse_error(c.text), c.error) << c.what;
}

TEST(TraceFormat, BadInputErrorIsOnALineOfTheText) {
  for (const BadTrace& c : bad_traces()) {
    ParseResult parsed = parse_trace(c.text, "t");
    auto* error = std::get_if<TraceError>(&parsed);
    ASSERT_NE(error, nullptr) << c.what;
    EXPECT_EQ(error->source, "t");
    EXPECT_GE(error->line, 1u) << c.what;
    EXPECT_LE(error->line, std::max(1u, line_count(c.text))) << c.what;
  }
}

// Errors on the right line whose wording is questionable (reported, not
// enshrined): only the line and the start of the message are pinned here.
TEST(TraceFormat, BadInputWithRoughMessages) {
  struct Rough {
    std::string text;
    std::string prefix;
  };
  const std::vector<Rough> cases = {
      // The quoted text keeps the blank after "EXPECT:".
      {with_header("# EXPECT: maybe\n"), "t:2: bad EXPECT '"},
      {with_header("# EXPECT: fail\n"), "t:2: bad EXPECT '"},
      {with_header("# EXPECT: fail I3 I5\n"), "t:2: bad EXPECT '"},
      {with_header("# EXPECT: pass # comment\n"), "t:2: bad EXPECT '"},
      // A misspelled directive is reported as a bad process name.
      {with_header("opton large_folio_order 2\n"), "t:2: "},
      {with_header("expects vmas P0 none\n"), "t:2: "},
      // A protection given twice is called "not a protection".
      {with_header("expect vmas P0 0x100-0x104:rw:r\n"), "t:2: expect vmas: "},
  };
  for (const Rough& c : cases) {
    const std::string error = parse_error(c.text);
    EXPECT_EQ(error.substr(0, c.prefix.size()), c.prefix) << error;
  }
}

TEST(TraceFormat, ErrorCarriesTheExpectedVerdictOfTheHeader) {
  {
    ParseResult parsed = parse_trace(with_header("# EXPECT: error\nP0 mmap 0x100 4 wr\n"), "t");
    auto* error = std::get_if<TraceError>(&parsed);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->str(), "t:3: mmap: bad protection 'wr' (none, or r/w/x in that order: r, rw, rwx, ...)");
    ASSERT_TRUE(error->expected.has_value());
    EXPECT_EQ(error->expected->kind, ExpectedVerdict::Kind::kError);
  }
  {
    ParseResult parsed = parse_trace(with_header("# EXPECT: fail I3\noption bug B99\n"), "t");
    auto* error = std::get_if<TraceError>(&parsed);
    ASSERT_NE(error, nullptr);
    ASSERT_TRUE(error->expected.has_value());
    EXPECT_EQ(error->expected->kind, ExpectedVerdict::Kind::kFail);
    EXPECT_EQ(error->expected->property, "I3");
  }
  {
    // The bad line comes before the EXPECT line: no verdict known yet.
    ParseResult parsed = parse_trace(with_header("P0 exit now\n# EXPECT: error\n"), "t");
    auto* error = std::get_if<TraceError>(&parsed);
    ASSERT_NE(error, nullptr);
    EXPECT_FALSE(error->expected.has_value());
  }
  {
    // A bad EXPECT line itself carries no verdict; a second one keeps the first.
    ParseResult first = parse_trace(with_header("# EXPECT: perhaps\n"), "t");
    ASSERT_TRUE(std::holds_alternative<TraceError>(first));
    EXPECT_FALSE(std::get<TraceError>(first).expected.has_value());
    ParseResult second = parse_trace(with_header("# EXPECT: pass\n# EXPECT: error\n"), "t");
    ASSERT_TRUE(std::holds_alternative<TraceError>(second));
    ASSERT_TRUE(std::get<TraceError>(second).expected.has_value());
    EXPECT_EQ(std::get<TraceError>(second).expected->kind, ExpectedVerdict::Kind::kPass);
  }
  {
    ParseResult parsed = parse_trace("", "empty.trace");
    ASSERT_TRUE(std::holds_alternative<TraceError>(parsed));
    EXPECT_EQ(std::get<TraceError>(parsed).str(), "empty.trace:1: empty file: the first line must be '# rmapcheck trace 1'");
    EXPECT_FALSE(std::get<TraceError>(parsed).expected.has_value());
  }
}

TEST(TraceFormat, LineLimit) {
  std::string text(kHeader);
  for (uint32_t i = 1; i < kMaxTraceOps * 4; i++) text += "#\n";
  ASSERT_TRUE(std::holds_alternative<Trace>(parse_trace(text, "t")));  // 400000 lines
  text += "#\n";
  EXPECT_EQ(parse_error(text), "t:400001: trace too long");
}

// The op limit is counted as the ops are parsed (a recount of the whole
// trace after every op made a trace at the limit take ~20 s to parse).
TEST(TraceFormat, OpCountLimit) {
  std::string text(kHeader);
  for (uint32_t i = 0; i < kMaxTraceOps; i++) text += "P0 brk 0x8000\n";
  ASSERT_TRUE(std::holds_alternative<Trace>(parse_trace(text, "t")));
  text += "P0 brk 0x8000\n";
  EXPECT_EQ(parse_error(text), "t:100002: more than 100000 ops");
}

// ---- robustness ------------------------------------------------------------------

TEST(TraceFormat, MutatedTracesNeverCrash) {
  const std::string base = canonical_examples()[1] +
                           "P0 mremap 0x100 8 16 0x200 maymove,fixed\n"
                           "P0 madvise 0x200 4 pageout\n"
                           "expect vmas P0 0x200-0x210:rw:faulted\n";
  ASSERT_TRUE(std::holds_alternative<Trace>(parse_trace(base, "base")));
  // Pieces of the grammar, so that mutations reach deep into the parser.
  const std::vector<std::string> words = {
      " ",      "\t",     "\n",         "\r\n",      "#",        ":",        "-",         ",",      "0x",
      "P0",     "P1",     "P7",         "P8",        "0",        "0xffff",   "0x10000",   "4096",   "4097",
      "+1",     "-1",     "rw",         "none",      "fixed",    "maymove",  "dontunmap", "mmap",   "mremap",
      "fork",   "exit",   "option",     "expect",    "vmas",     "same",     "state",     "delta",  "count",
      "EXPECT:", "bug",   "faulted",    "0x100-0x104", "P0:0x100", "noreserve", "18446744073709551615"};
  SeededChooser choose(20240601);
  size_t parsed_ok = 0;
  for (int round = 0; round < 2000; round++) {
    std::string text = base;
    const uint64_t mutations = 1 + choose.below(4);
    for (uint64_t m = 0; m < mutations; m++) {
      const size_t at = choose.below(text.size() + 1);
      switch (choose.below(5)) {
        case 0:  // replace a byte by any byte
          if (at < text.size()) text[at] = static_cast<char>(choose.below(256));
          break;
        case 1:  // insert a byte
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(choose.below(256)));
          break;
        case 2:  // delete a run of bytes
          text.erase(at, 1 + choose.below(8));
          break;
        case 3:  // insert a word of the grammar
          text.insert(at, words[choose.below(words.size())]);
          break;
        default: {  // duplicate a line
          const size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
          const size_t from = start == std::string::npos ? 0 : start + 1;
          const size_t end = text.find('\n', from);
          const std::string line = text.substr(from, end == std::string::npos ? std::string::npos : end - from + 1);
          text.insert(from, line);
          break;
        }
      }
    }
    ParseResult parsed = parse_trace(text, "mutant");
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      EXPECT_EQ(error->source, "mutant");
      EXPECT_GE(error->line, 1u) << error->str();
      EXPECT_LE(error->line, std::max(1u, line_count(text))) << error->str();
      EXPECT_FALSE(error->message.empty());
      continue;
    }
    parsed_ok++;
    // What parses prints canonically, and the canonical form is a fixed point.
    const std::string printed = print_trace(std::get<Trace>(parsed));
    ParseResult again = parse_trace(printed, "mutant");
    ASSERT_TRUE(std::holds_alternative<Trace>(again)) << printed;
    EXPECT_EQ(print_trace(std::get<Trace>(again)), printed);
  }
  // The mutations must not all be fatal, or the fixed-point check tests nothing.
  EXPECT_GT(parsed_ok, 100u);
}

}  // namespace
}  // namespace rmc

namespace rmc {
namespace {

TEST(TraceFormat, VerdictPerDesign) {
  ParseResult parsed = parse_trace(
      "# rmapcheck trace 1\n# EXPECT: pass\n# EXPECT[lazy]: fail rmap-missing\nP0 exit\n", "t");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed));
  const Trace& trace = std::get<Trace>(parsed);
  EXPECT_EQ(trace.expectation("eager")->kind, ExpectedVerdict::Kind::kPass);
  EXPECT_EQ(trace.expectation("lazy")->kind, ExpectedVerdict::Kind::kFail);
  EXPECT_EQ(trace.expectation("lazy")->property, "rmap-missing");
  EXPECT_EQ(print_trace(trace), "# rmapcheck trace 1\n# EXPECT: pass\n# EXPECT[lazy]: fail rmap-missing\nP0 exit\n");
  for (const char* bad : {"# EXPECT[]: pass\n", "# EXPECT[lazy] pass\n",
                          "# EXPECT[lazy]: pass\n# EXPECT[lazy]: error\n", "# EXPECT[lazy]: maybe\n"}) {
    ParseResult r = parse_trace(std::string("# rmapcheck trace 1\n") + bad, "t");
    EXPECT_TRUE(std::holds_alternative<TraceError>(r)) << bad;
  }
}

}  // namespace
}  // namespace rmc

namespace rmc {
namespace {

// The second half of a migration runs in kcompactd: the process it names is
// only a label and may have exited since the first half (the exit zapped
// its entries; migrate_end then restores nothing of it).
TEST(TraceFormat, MigrateEndMayNameAnExitedProcess) {
  const std::string text = "# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n"
                           "P1 migrate_begin 0x100\nP1 exit\nP1 migrate_end\nP0 read 0x100 1\n";
  ParseResult parsed = parse_trace(text, "t");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  EXPECT_EQ(print_trace(std::get<Trace>(parsed)), text);
}

TEST(TraceFormat, LazyOptionsRoundTrip) {
  const std::string text =
      "# rmapcheck trace 1\noption lazy.upgrade root\noption lazy.walk all\noption lazy.count_tree_parent on\nP0 exit\n";
  ParseResult parsed = parse_trace(text, "t");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  const Trace& trace = std::get<Trace>(parsed);
  EXPECT_EQ(trace.options.lazy.upgrade, LazyOptions::UpgradeScope::kRoot);
  EXPECT_EQ(trace.options.lazy.walk, LazyOptions::Walk::kAll);
  EXPECT_TRUE(trace.options.lazy.count_tree_parent);
  EXPECT_EQ(print_trace(trace), text);
  // option_lines() reproduces exactly the non-default choices.
  auto lines = option_lines(trace.options);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].first, "lazy.upgrade");
  for (const char* bad : {"option lazy.upgrade sometimes\n", "option lazy.nope on\n"}) {
    ParseResult r = parse_trace(std::string("# rmapcheck trace 1\n") + bad, "t");
    EXPECT_TRUE(std::holds_alternative<TraceError>(r)) << bad;
  }
}

}  // namespace
}  // namespace rmc

namespace rmc {
namespace {

TEST(TraceFormat, InputFilesAreReadWithABound) {
  auto missing = read_input_file("/nonexistent/t.trace");
  ASSERT_TRUE(std::holds_alternative<TraceError>(missing));
  EXPECT_EQ(std::get<TraceError>(missing).str(), "/nonexistent/t.trace:0: cannot open file");
  auto directory = read_input_file("/tmp");
  ASSERT_TRUE(std::holds_alternative<TraceError>(directory));
  EXPECT_EQ(std::get<TraceError>(directory).str(), "/tmp:0: is a directory, not a file");
  // A device never ends: the read stops one byte past the bound.
  auto endless = read_input_file("/dev/zero");
  ASSERT_TRUE(std::holds_alternative<TraceError>(endless));
  EXPECT_EQ(std::get<TraceError>(endless).str(),
            fmt::format("/dev/zero:0: file too large (more than {} bytes)", kMaxInputFileBytes));
  // A file of exactly the bound is read whole; one byte more is too large.
  const std::string path = testing::TempDir() + "bounded_input";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(kMaxInputFileBytes, 'x');
  }
  auto whole = read_input_file(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(whole));
  EXPECT_EQ(std::get<std::string>(whole).size(), kMaxInputFileBytes);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << 'x';
  }
  EXPECT_TRUE(std::holds_alternative<TraceError>(read_input_file(path)));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rmc
