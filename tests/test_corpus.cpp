// test_corpus.cpp - every trace under corpus/ is a test: it is run on the
// eager model with every check after every step, and its verdict must be the
// one its "# EXPECT:" line states. Every corpus file must also be canonical
// (print(parse(file)) == file) and replay to the same verdict twice. A
// file with a "# FINDING: design/property/op" line must also reproduce that
// signature in the differential run against eager (observable and layout
// divergences have no single-design verdict to check).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/check/differential.h"
#include "model/check/runner.h"
#include "model/designs.h"

namespace rmc {
namespace {

std::string source_dir() { return RMC_SOURCE_DIR; }

std::vector<std::string> corpus_files() {
  std::vector<std::string> files;
  const std::filesystem::path root = std::filesystem::path(source_dir()) / "corpus";
  if (!std::filesystem::is_directory(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().extension() == ".trace")
      files.push_back(std::filesystem::relative(entry.path(), source_dir()).string());
  std::sort(files.begin(), files.end());
  return files;
}

class CorpusTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTrace, VerdictMatchesExpectation) {
  const std::string path = source_dir() + "/" + GetParam();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  ParseResult parsed = parse_trace(text.str(), GetParam());
  if (auto* error = std::get_if<TraceError>(&parsed)) {
    ASSERT_TRUE(error->expected.has_value()) << error->str() << " (and no EXPECT line before it)";
    EXPECT_EQ(error->expected->kind, ExpectedVerdict::Kind::kError) << error->str();
    return;
  }
  const Trace& trace = std::get<Trace>(parsed);
  const std::optional<ExpectedVerdict> expected = trace.expectation("eager");
  ASSERT_TRUE(expected.has_value()) << GetParam() << ": no '# EXPECT:' line";
  EXPECT_EQ(print_trace(trace), text.str()) << GetParam() << " is not canonical (rmapcheck fmt)";
  Verdict first = run_trace(trace, "eager", true);
  EXPECT_TRUE(verdict_matches(first, *expected))
      << GetParam() << ": expected " << print_verdict(*expected) << ", got " << describe_verdict(first)
      << " at line " << first.line << ": "
      << (first.violations.empty() ? first.error : "[" + first.violations[0].property + "] " + first.violations[0].message);
  Verdict second = run_trace(trace, "eager", true);
  EXPECT_EQ(describe_verdict(first), describe_verdict(second));
  EXPECT_EQ(first.step, second.step);
}

// Every other design, judged by its own verdict line (# EXPECT[design]:) or
// the common one; a design whose verdict differs from eager's says so in the
// file, with the finding behind it.
TEST_P(CorpusTrace, EveryDesignMatchesItsExpectation) {
  ParseResult parsed = parse_trace_file(source_dir() + "/" + GetParam());
  if (!std::holds_alternative<Trace>(parsed)) return;  // judged above
  const Trace& trace = std::get<Trace>(parsed);
  for (const std::string& design : designs_judged_besides_eager(trace)) {
    const std::optional<ExpectedVerdict> expected = trace.expectation(design);
    Verdict v = run_trace(trace, design, true);
    EXPECT_TRUE(verdict_matches(v, *expected))
        << GetParam() << " on " << design << ": expected " << print_verdict(*expected) << ", got "
        << describe_verdict(v) << " at line " << v.line << ": "
        << (v.violations.empty() ? v.error : "[" + v.violations[0].property + "] " + v.violations[0].message);
  }
}

TEST_P(CorpusTrace, RecordedFindingReproduces) {
  const std::string path = source_dir() + "/" + GetParam();
  std::ifstream in(path, std::ios::binary);
  std::string line, signature;
  while (std::getline(in, line))
    if (line.rfind("# FINDING: ", 0) == 0) signature = line.substr(11);
  if (signature.empty()) return;
  ParseResult parsed = parse_trace_file(path);
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << GetParam();
  const std::string design = signature.substr(0, signature.find('/'));
  DifferentialResult r = run_differential(std::get<Trace>(parsed), {"eager", design});
  ASSERT_FALSE(r.error.has_value()) << GetParam() << ": eager refuses line " << r.error_line << ": " << *r.error;
  std::string found;
  for (const Finding& f : r.findings) found += " " + f.signature();
  EXPECT_NE(found.find(" " + signature), std::string::npos)
      << GetParam() << ": expected finding " << signature << ", the differential run found:" << found;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusTrace, ::testing::ValuesIn(corpus_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusTrace);

}  // namespace
}  // namespace rmc
