// trace.cpp - parsing and printing traces.
#include "model/core/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/core/bounds.h"
#include "model/core/op_table.h"

namespace rmc {

namespace {

// Splits `line` into whitespace-separated tokens up to a '#', which starts a
// comment; `comment_at` is where the comment (with the whitespace before it)
// starts, or npos.
std::vector<std::string_view> tokenize(std::string_view line, size_t& comment_at) {
  std::vector<std::string_view> tokens;
  comment_at = std::string_view::npos;
  size_t i = 0;
  while (i < line.size()) {
    size_t ws = i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == line.size()) break;
    if (line[i] == '#') {
      comment_at = ws;
      break;
    }
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '#') i++;
    tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

std::optional<std::string> parse_verdict(std::string_view text, ExpectedVerdict& verdict) {
  std::istringstream in{std::string(text)};
  std::string word, property, extra;
  in >> word >> property >> extra;
  if (word == "pass" && property.empty()) {
    verdict = {ExpectedVerdict::Kind::kPass, ""};
  } else if (word == "error" && property.empty()) {
    verdict = {ExpectedVerdict::Kind::kError, ""};
  } else if (word == "fail" && !property.empty() && extra.empty()) {
    verdict = {ExpectedVerdict::Kind::kFail, property};
  } else {
    return fmt::format("bad EXPECT '{}' (pass | fail PROPERTY | error)", text);
  }
  return std::nullopt;
}

// Statically checks the process life cycle: P0 exists at the start, fork
// creates a never-used name, exit ends a process, nothing runs in a dead one
// (but migrate_end, which only names a process).
class ProcessTracker {
 public:
  ProcessTracker() { state_[0] = kLive; }
  std::optional<std::string> step(const Op& op) {
    uint8_t p = idx(op.pid);
    if (state_[p] == kUnused)
      return fmt::format("{} does not exist (processes are created by fork)", process_name(op.pid));
    // migrate_end runs in no process (kcompactd): it may name one that has
    // exited since its migrate_begin.
    if (state_[p] == kDead && op.kind != OpKind::kMigrateEnd) return fmt::format("{} has exited", process_name(op.pid));
    if (op.kind == OpKind::kFork) {
      uint8_t c = idx(op.child);
      if (state_[c] != kUnused)
        return fmt::format("fork: {} was already used (each child needs a new name)",
                           process_name(op.child));
      state_[c] = kLive;
    }
    if (op.kind == OpKind::kExit) state_[p] = kDead;
    return std::nullopt;
  }
  std::optional<std::string> check_ref(ProcessId pid) const {
    if (state_[idx(pid)] == kUnused) return fmt::format("{} does not exist", process_name(pid));
    if (state_[idx(pid)] == kDead) return fmt::format("{} has exited", process_name(pid));
    return std::nullopt;
  }

 private:
  enum : uint8_t { kUnused, kLive, kDead };
  std::array<uint8_t, kMaxProcesses> state_{};
};

}  // namespace

std::optional<ExpectedVerdict> Trace::expectation(std::string_view design) const {
  auto it = expected_for.find(std::string(design));
  if (it != expected_for.end()) return it->second;
  return expected;
}

void Trace::add_header_comments(const std::vector<std::string>& comments) {
  std::vector<TraceLine> header(comments.size());
  for (size_t i = 0; i < comments.size(); i++) {
    header[i].kind = TraceLine::Kind::kComment;
    header[i].comment = comments[i];
  }
  lines.insert(lines.begin(), header.begin(), header.end());
}

size_t Trace::op_count() const {
  size_t n = 0;
  for (const TraceLine& line : lines) n += line.kind == TraceLine::Kind::kOp;
  return n;
}

void Trace::add_op(const Op& op) {
  TraceLine line;
  line.kind = TraceLine::Kind::kOp;
  line.op = op;
  lines.push_back(std::move(line));
}

std::string TraceError::str() const { return fmt::format("{}:{}: {}", source, line, message); }

ParseResult parse_trace(std::string_view text, std::string_view source) {
  Trace trace;
  trace.source = std::string(source);
  ProcessTracker processes;
  bool seen_op = false;
  uint32_t op_lines = 0;
  uint32_t line_no = 0;
  size_t pos = 0;
  auto error = [&](std::string message) {
    return TraceError{trace.source, line_no, std::move(message), trace.expected};
  };

  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    line_no++;
    if (line_no > kMaxTraceOps * 4) return error("trace too long");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLineChars) return error(fmt::format("line longer than {} characters", kMaxLineChars));
    for (char c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || static_cast<unsigned char>(c) >= 0x7f)
        return error("non-printable or non-ASCII character");

    if (line_no == 1) {
      if (line.substr(0, kTraceMagic.size()) != kTraceMagic)
        return error(fmt::format("not an rmapcheck trace: the first line must be '{} {}'", kTraceMagic, kTraceVersion));
      const std::string_view digits = line.substr(std::min(line.size(), kTraceMagic.size() + 1));
      auto version = parse_number(digits);
      if (!version || digits.find_first_not_of("0123456789") != std::string_view::npos ||
          line.size() <= kTraceMagic.size() || line[kTraceMagic.size()] != ' ')
        return error(fmt::format("bad version line (expected '{} {}')", kTraceMagic, kTraceVersion));
      if (*version != kTraceVersion)
        return error(fmt::format("trace version {} is not supported (this rmapcheck reads version {})", *version, kTraceVersion));
      continue;
    }

    TraceLine out;
    out.line = line_no;
    size_t comment_at = 0;
    std::vector<std::string_view> tokens = tokenize(line, comment_at);
    if (tokens.empty()) {
      if (comment_at == std::string_view::npos) {
        out.kind = TraceLine::Kind::kBlank;
      } else {
        out.kind = TraceLine::Kind::kComment;
        out.comment = std::string(line);
        std::string_view body = line.substr(line.find('#') + 1);
        while (!body.empty() && body[0] == ' ') body.remove_prefix(1);
        if (body.substr(0, 7) == "EXPECT:") {
          if (trace.expected) return error("a second EXPECT line");
          if (seen_op) return error("EXPECT belongs in the header, before the first op");
          ExpectedVerdict verdict;
          std::string_view text = body.substr(7);
          while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) text.remove_prefix(1);
          if (auto err = parse_verdict(text, verdict)) return error(*err);
          trace.expected = verdict;
        } else if (body.substr(0, 7) == "EXPECT[") {
          const size_t close = body.find("]:");
          const std::string design(body.substr(7, close == std::string_view::npos ? 0 : close - 7));
          if (close == std::string_view::npos || design.empty() ||
              design.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-") != std::string::npos)
            return error("bad design verdict line (syntax: '# EXPECT[design]: pass | fail PROPERTY | error')");
          if (trace.expected_for.count(design)) return error(fmt::format("a second EXPECT line for {}", design));
          if (seen_op) return error("EXPECT belongs in the header, before the first op");
          ExpectedVerdict verdict;
          std::string_view text = body.substr(close + 2);
          while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) text.remove_prefix(1);
          if (auto err = parse_verdict(text, verdict)) return error(*err);
          trace.expected_for[design] = verdict;
        } else if (body.size() >= 7 && std::equal(body.begin(), body.begin() + 7, "EXPECT:",
                                                 [](char a, char b) { return std::toupper(a) == b; })) {
          return error("write the verdict line as '# EXPECT: ...' (upper case)");
        }
      }
      trace.lines.push_back(std::move(out));
      continue;
    }
    if (comment_at != std::string_view::npos) out.trailing = std::string(line.substr(comment_at));

    if (tokens[0] == "option") {
      if (seen_op) return error("option lines must come before the first op");
      if (tokens.size() != 3) return error("syntax: option NAME VALUE");
      out.kind = TraceLine::Kind::kOption;
      out.option_name = std::string(tokens[1]);
      if (auto err = apply_option(trace.options, tokens[1], tokens[2])) return error(*err);
      out.option_value = canonical_option_value(tokens[1], tokens[2]);
    } else if (tokens[0] == "expect") {
      out.kind = TraceLine::Kind::kExpect;
      if (auto err = parse_expect(tokens, out.expect)) return error(*err);
      for (const PageRef& ref : out.expect.pages)
        if (auto err = processes.check_ref(ref.pid)) return error("expect: " + *err);
      if (out.expect.kind == ExpectKind::kVmas)
        if (auto err = processes.check_ref(out.expect.pid)) return error("expect: " + *err);
      for (ProcessId pid : out.expect.victims)
        if (auto err = processes.check_ref(pid)) return error("expect: " + *err);
    } else {
      if (tokens.size() < 2 || tokens[0].empty() || tokens[0][0] != 'P')
        return error(fmt::format("'{}': expected 'P<n> OP ...', 'option' or 'expect'", tokens[0]));
      out.kind = TraceLine::Kind::kOp;
      if (auto err = parse_op(tokens, out.op)) return error(*err);
      if (auto err = processes.step(out.op)) return error(*err);
      seen_op = true;
      if (++op_lines > kMaxTraceOps) return error(fmt::format("more than {} ops", kMaxTraceOps));
    }
    trace.lines.push_back(std::move(out));
  }
  if (line_no == 0) return TraceError{trace.source, 1, "empty file: the first line must be '# rmapcheck trace 1'", {}};
  return trace;
}

std::variant<std::string, TraceError> read_input_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return TraceError{path, 0, "is a directory, not a file", {}};
  std::ifstream in(path, std::ios::binary);
  if (!in) return TraceError{path, 0, "cannot open file", {}};
  // Read in chunks and stop one byte past the bound: a device never ends.
  std::string bytes;
  std::array<char, 1 << 16> chunk;
  while (bytes.size() <= kMaxInputFileBytes) {
    in.read(chunk.data(), chunk.size());
    bytes.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) return TraceError{path, 0, "read error", {}};
  if (bytes.size() > kMaxInputFileBytes)
    return TraceError{path, 0, fmt::format("file too large (more than {} bytes)", kMaxInputFileBytes), {}};
  return bytes;
}

ParseResult parse_trace_file(const std::string& path) {
  auto bytes = read_input_file(path);
  if (auto* error = std::get_if<TraceError>(&bytes)) return *error;
  return parse_trace(std::get<std::string>(bytes), path);
}

std::string print_verdict(const ExpectedVerdict& verdict) {
  switch (verdict.kind) {
    case ExpectedVerdict::Kind::kPass: return "pass";
    case ExpectedVerdict::Kind::kError: return "error";
    case ExpectedVerdict::Kind::kFail: return "fail " + verdict.property;
  }
  return "?";
}

std::string print_trace(const Trace& trace) {
  std::string out = fmt::format("{} {}\n", kTraceMagic, kTraceVersion);
  for (const TraceLine& line : trace.lines) {
    switch (line.kind) {
      case TraceLine::Kind::kBlank: break;
      case TraceLine::Kind::kComment: out += line.comment; break;
      case TraceLine::Kind::kOption: out += fmt::format("option {} {}", line.option_name, line.option_value); break;
      case TraceLine::Kind::kExpect: out += print_expect(line.expect); break;
      case TraceLine::Kind::kOp: out += print_op(line.op); break;
    }
    out += line.trailing;
    out += '\n';
  }
  return out;
}

}  // namespace rmc
