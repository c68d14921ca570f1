// test_campaign.cpp - the in-process campaign (model/check/campaign.h): one
// seed repeats a campaign, findings, coverage and all; rare-path traces are
// extended.
#include <gtest/gtest.h>

#include "model/check/campaign.h"

namespace rmc {
namespace {

CampaignResult campaign(uint64_t execs, uint32_t extend_one_in = 4) {
  CampaignOptions o;
  o.extend_one_in = extend_one_in;
  o.seconds = 600;
  o.max_execs = execs;
  o.seed = 42;
  o.shrink = false;
  return run_campaign(o);
}

TEST(Campaign, OneSeedRepeatsTheCampaign) {
  const CampaignResult a = campaign(400), b = campaign(400);
  EXPECT_EQ(a.execs, b.execs);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.extended, b.extended);
  ASSERT_EQ(a.signatures.size(), b.signatures.size());
  for (const auto& [sig, s] : a.signatures) {
    ASSERT_TRUE(b.signatures.count(sig)) << sig;
    EXPECT_EQ(s.hits, b.signatures.at(sig).hits) << sig;
    EXPECT_EQ(s.first_exec, b.signatures.at(sig).first_exec) << sig;
    EXPECT_EQ(s.origin, b.signatures.at(sig).origin) << sig;
  }
  ASSERT_EQ(a.coverage.size(), b.coverage.size());
  for (const auto& [design, c] : a.coverage) EXPECT_EQ(c.all(), b.coverage.at(design).all()) << design;
}

// About one execution in four extends a pooled trace once the pool has one
// (a campaign's first executions all take paths that are rare so far); a
// finding found by an extension names both seeds in its origin.
TEST(Campaign, SomeExecutionsExtendRarePathTraces) {
  const CampaignResult off = campaign(400, 0), on = campaign(400, 4);
  EXPECT_EQ(off.extended, 0u);
  EXPECT_GT(on.extended, 60u);
  EXPECT_LT(on.extended, 140u);
  size_t extended_origins = 0;
  for (const auto& [sig, s] : on.signatures) extended_origins += s.origin.find("the first ") != std::string::npos;
  for (const auto& [sig, s] : off.signatures) EXPECT_EQ(s.origin.find("the first "), std::string::npos) << s.origin;
  // Seed 42: 108 of 400 executions extend; 4 of the 23 signatures are
  // first found by one of them.
  EXPECT_GT(extended_origins, 0u);
}

}  // namespace
}  // namespace rmc
