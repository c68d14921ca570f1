// test_obligations.cpp - every obligation reaches the verdict its definition
// expects, within its rlimit budget; a counterexample comes with values,
// and with a trace or the reason it has none; docs/proofs.md states every
// obligation.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "proofs/tests/outcomes.h"

namespace rmc::proofs {
namespace {

class ObligationTest : public ::testing::TestWithParam<const Obligation*> {};

TEST_P(ObligationTest, VerdictIsTheExpectedOne) {
  const Obligation& ob = *GetParam();
  const Outcome& out = outcome_of(ob);
  EXPECT_EQ(out.verdict, ob.expected) << ob.name << ": " << verdict_name(out.verdict) << " (" << out.detail
                                      << "), expected " << verdict_name(ob.expected);
  if (out.verdict == Verdict::kCounterexample) {
    EXPECT_FALSE(out.values.empty()) << ob.name << ": a counterexample must show its values";
    EXPECT_TRUE(ob.trace || !ob.no_trace.empty()) << ob.name;
  }
}

TEST_P(ObligationTest, IsDocumented) {
  std::ifstream in(std::string(RMC_SOURCE_DIR) + "/docs/proofs.md");
  std::ostringstream docs;
  docs << in.rdbuf();
  EXPECT_NE(docs.str().find("`" + GetParam()->name + "`"), std::string::npos)
      << GetParam()->name << " is not described in docs/proofs.md";
}

INSTANTIATE_TEST_SUITE_P(Obligations, ObligationTest, ::testing::ValuesIn(default_obligations()),
                         [](const auto& info) { return test_name_of(info.param->name); });

TEST(ObligationTable, NamesAreUniqueAndCoverTheIssue) {
  // The areas of item 2 of the issue: each has obligations.
  for (const char* area : {"create.", "split.", "merge.", "stack.", "brk.", "mremap.", "exec.", "address.",
                           "large_folio.", "lazy_walk.", "eager_walk.", "search."}) {
    bool found = false;
    for (const Obligation& ob : all_obligations()) found |= ob.name.rfind(area, 0) == 0;
    EXPECT_TRUE(found) << "no obligation in " << area;
  }
}

}  // namespace
}  // namespace rmc::proofs
