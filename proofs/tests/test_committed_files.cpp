// test_committed_files.cpp - what is committed is what the prover writes, and
// the second solver agrees with it.
//
//   proofs/smt2/<name>.smt2     every obligation's query; must equal what
//                               `rmapcheck prove --dump proofs/smt2` writes
//   corpus/proofs/<name>.trace  every counterexample trace; must equal what
//                               `rmapcheck prove --traces corpus/proofs` writes
//
// and cvc5 is run on every obligation's committed .smt2 file: its answer
// must be the file's :status, which must be the obligation's expected
// verdict. Any disagreement fails, and so does a missing file or a file no
// obligation writes. (The --deep obligations have no committed dump: see
// docs/proofs.md.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "proofs/cvc5.h"
#include "proofs/tests/outcomes.h"
#include "proofs/trace_out.h"

namespace rmc::proofs {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = RMC_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == extension) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

class CommittedDump : public ::testing::TestWithParam<const Obligation*> {};

TEST_P(CommittedDump, IsUpToDate) {
  const Obligation& ob = *GetParam();
  const fs::path path = kSource / "proofs/smt2" / (file_stem(ob.name) + ".smt2");
  ASSERT_TRUE(fs::exists(path)) << path << " is missing: run build/rmapcheck prove --dump proofs/smt2";
  EXPECT_EQ(read(path), outcome_of(ob).smt2)
      << path << " is stale: run build/rmapcheck prove --dump proofs/smt2";
}

TEST_P(CommittedDump, TraceIsUpToDate) {
  const Obligation& ob = *GetParam();
  if (!ob.trace) return;
  auto trace = counterexample_trace(ob, outcome_of(ob), "corpus/proofs");
  ASSERT_TRUE(std::holds_alternative<TraceOut>(trace)) << std::get<std::string>(trace);
  const TraceOut& out = std::get<TraceOut>(trace);
  EXPECT_EQ(read(kSource / out.path), out.text)
      << out.path << " is missing or stale: run build/rmapcheck prove --traces corpus/proofs";
}

INSTANTIATE_TEST_SUITE_P(Proofs, CommittedDump, ::testing::ValuesIn(default_obligations()),
                         [](const auto& info) { return test_name_of(info.param->name); });

TEST(CommittedFiles, EveryFileBelongsToAnObligation) {
  std::set<std::string> smt2, traces;
  for (const Obligation* ob : default_obligations()) {
    smt2.insert(file_stem(ob->name) + ".smt2");
    if (ob->trace) traces.insert(file_stem(ob->name) + ".trace");
  }
  for (const fs::path& p : files_in(kSource / "proofs/smt2", ".smt2"))
    EXPECT_TRUE(smt2.count(p.filename().string())) << p << " belongs to no obligation: remove it";
  for (const fs::path& p : files_in(kSource / "corpus/proofs", ".trace"))
    EXPECT_TRUE(traces.count(p.filename().string())) << p << " belongs to no obligation: remove it";
}

// cvc5 on every obligation's committed file. The suite is instantiated from
// the obligation table, not from the directory, so that a missing file is a
// failure that names it (an empty directory would otherwise be an empty,
// uninstantiated suite); EveryFileBelongsToAnObligation catches the files
// no obligation writes.
class Cvc5OnDump : public ::testing::TestWithParam<const Obligation*> {};

TEST_P(Cvc5OnDump, AgreesWithTheFile) {
  const Obligation& ob = *GetParam();
  const fs::path path = kSource / "proofs/smt2" / (file_stem(ob.name) + ".smt2");
  ASSERT_TRUE(fs::exists(path)) << path << " is missing: run build/rmapcheck prove --dump proofs/smt2";
  const std::string text = read(path);
  std::string status;
  for (const char* s : {"unsat", "sat"})
    if (text.find(std::string("(set-info :status ") + s + ")") != std::string::npos && status.empty()) status = s;
  ASSERT_FALSE(status.empty()) << path << " has no sat/unsat :status";
  EXPECT_EQ(status, smt_status(ob.expected)) << path << ": Z3's answer is not the expected verdict";
  const Cvc5Answer answer = cvc5_check_file(path.string());
  EXPECT_EQ(answer_name(answer.kind), status) << path << ": cvc5 says " << answer_name(answer.kind) << " "
                                              << answer.detail;
}

INSTANTIATE_TEST_SUITE_P(Proofs, Cvc5OnDump, ::testing::ValuesIn(default_obligations()),
                         [](const auto& info) { return test_name_of(info.param->name); });

}  // namespace
}  // namespace rmc::proofs
