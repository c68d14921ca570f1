// test_campaign.cpp - the in-process campaign (model/check/campaign.h): one
// seed repeats a campaign, findings, coverage and all; rare-path traces are
// extended; a recorder is told every op before it runs.
#include <gtest/gtest.h>

#include "model/check/campaign.h"
#include "model/check/shrink.h"

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

// The recorder (what `rmapcheck fuzz` keeps in its flight recorder, so that
// a job an assertion kills leaves its trace) is told every op of every
// execution before the generator's world runs it, and the ops it was told
// are the trace the designs run: for a fresh trace, the seed's own.
struct ListRecorder final : ExecutionRecorder {
  struct Execution {
    uint64_t exec = 0, seed = 0;
    ModelOptions options;
    std::vector<Op> ops;
    bool generated = false;
  };
  std::vector<Execution> executions;
  void begin(uint64_t exec, uint64_t seed, const ModelOptions& options) override {
    ASSERT_TRUE(executions.empty() || executions.back().generated) << "an execution began before the last was whole";
    executions.push_back({exec, seed, options, {}, false});
  }
  void op(const Op& op) override {
    ASSERT_FALSE(executions.empty());
    ASSERT_FALSE(executions.back().generated);
    executions.back().ops.push_back(op);
  }
  void generated() override { executions.back().generated = true; }
};

TEST(Campaign, TheRecorderIsToldEveryOpBeforeItRuns) {
  for (uint32_t extend_one_in : {0u, 4u}) {
    ListRecorder recorder;
    CampaignOptions o;
    o.extend_one_in = extend_one_in;
    o.seconds = 600;
    o.max_execs = 100;
    o.seed = 42;
    o.shrink = false;
    o.recorder = &recorder;
    const CampaignResult result = run_campaign(o);
    ASSERT_EQ(recorder.executions.size(), 100u);
    for (size_t i = 0; i < recorder.executions.size(); i++) {
      const ListRecorder::Execution& e = recorder.executions[i];
      EXPECT_EQ(e.exec, i);
      EXPECT_EQ(e.seed, 42 + i);
      EXPECT_TRUE(e.generated);
      EXPECT_EQ(e.ops.size(), o.steps) << "execution " << i;
      if (extend_one_in) continue;
      const SwarmConfig config = swarm_config(e.seed, o);
      const Trace fresh = random_trace(e.seed, o.steps, config.generator, config.model);
      EXPECT_EQ(e.ops, trace_ops(fresh)) << "execution " << i;
      EXPECT_EQ(option_lines(e.options), option_lines(config.model)) << "execution " << i;
    }
    EXPECT_EQ(result.extended > 0, extend_one_in > 0);
  }
}

}  // namespace
}  // namespace rmc
