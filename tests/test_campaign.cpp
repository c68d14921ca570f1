// test_campaign.cpp - the in-process campaign (model/check/campaign.h): one
// seed repeats a campaign, findings, coverage and all.
#include <gtest/gtest.h>

#include "model/check/campaign.h"

namespace rmc {
namespace {

CampaignResult campaign(uint64_t execs) {
  CampaignOptions o;
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

}  // namespace
}  // namespace rmc
