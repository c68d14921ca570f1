// test_prove_command.cpp - `rmapcheck prove` as a user runs it: the table
// with the solver versions, the exit status, --json, --list, bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "proofs/subprocess.h"

namespace rmc::proofs {
namespace {

ProgramResult prove(std::vector<std::string> args) {
  args.insert(args.begin(), {RMC_RMAPCHECK, "prove"});
  return run_program(args);
}

TEST(ProveCommand, PrintsTheTableWithVersions) {
  const ProgramResult r = prove({"--filter", "split."});
  ASSERT_TRUE(r.started);
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Z3 4."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cvc5 1."), std::string::npos) << r.out;
  for (const char* column : {"obligation", "expected", "verdict", "time", "rlimit", "cvc5"})
    EXPECT_NE(r.out.find(column), std::string::npos) << column;
  EXPECT_NE(r.out.find("split.base_kept"), std::string::npos);
  EXPECT_NE(r.out.find("agrees"), std::string::npos);
  EXPECT_EQ(r.out.find("merge."), std::string::npos) << "--filter let other obligations through";
}

TEST(ProveCommand, ShowsCounterexampleValues) {
  const ProgramResult r = prove({"--filter", "exec.base0_loses_relocated_pages", "--no-cvc5"});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("counterexample  counterexample"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shift=0x"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("no trace: "), std::string::npos) << r.out;  // exec is an op now
}

// Every counterexample of the default run has a trace now; `prove --traces`
// names the file it wrote for each.
TEST(ProveCommand, EveryCounterexampleNamesItsTrace) {
  const std::string dir = ::testing::TempDir() + "rmc_prove_traces";
  const ProgramResult r = prove({"--no-cvc5", "--traces", dir});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("no trace: "), std::string::npos) << r.out;
  size_t traces = 0;
  for (size_t at = r.out.find("    trace: "); at != std::string::npos; at = r.out.find("    trace: ", at + 1)) traces++;
  EXPECT_EQ(traces, 8u) << r.out;
}

TEST(ProveCommand, AnUnexpectedVerdictExitsOne) {
  const ProgramResult r = prove({"--filter", "split.base_kept", "--rlimit", "1", "--no-cvc5"});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("UNEXPECTED"), std::string::npos) << r.out;
}

TEST(ProveCommand, BadInputExitsTwo) {
  const ProgramResult none = prove({"--filter", "no_such_obligation"});
  EXPECT_EQ(none.exit_status, 2);
  EXPECT_NE(none.err.find("no obligation matches 'no_such_obligation'"), std::string::npos) << none.err;
  EXPECT_EQ(prove({"--rlimit", "0"}).exit_status, 2);
  EXPECT_EQ(prove({"--no-such-flag"}).exit_status, 2);
}

TEST(ProveCommand, MissingCvc5IsBadInputUnlessSkipped) {
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  setenv("PATH", "/nonexistent", 1);  // the child inherits it; rmapcheck's path is absolute
  const ProgramResult missing = prove({"--filter", "split.base_kept"});
  const ProgramResult skipped = prove({"--filter", "split.base_kept", "--no-cvc5"});
  setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(missing.exit_status, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("cvc5 not found"), std::string::npos) << missing.err;
  EXPECT_EQ(skipped.exit_status, 0) << skipped.out << skipped.err;
  EXPECT_NE(skipped.out.find("cvc5 cross-check off"), std::string::npos) << skipped.out;
}

TEST(ProveCommand, WritesJson) {
  const std::string path = (std::filesystem::temp_directory_path() / "rmapcheck-prove-test.json").string();
  const ProgramResult r = prove({"--filter", "mremap.", "--json", path});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  EXPECT_TRUE(j["z3_version"].is_string());
  EXPECT_TRUE(j["cvc5_version"].is_string());
  ASSERT_GE(j["obligations"].size(), 4u);
  for (const auto& o : j["obligations"]) {
    EXPECT_TRUE(o["as_expected"].get<bool>()) << o.dump();
    EXPECT_TRUE(o["cvc5"]["agrees"].get<bool>()) << o.dump();
  }
}

TEST(ProveCommand, ListsObligations) {
  const ProgramResult r = prove({"--list"});
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_NE(r.out.find("search.unfixed_entry_live_root"), std::string::npos);
  EXPECT_EQ(r.out.find("_bmc_"), std::string::npos) << "--deep obligations listed without --deep";
  EXPECT_NE(prove({"--list", "--deep"}).out.find("_bmc_"), std::string::npos);
}

}  // namespace
}  // namespace rmc::proofs
