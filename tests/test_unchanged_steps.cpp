// test_unchanged_steps.cpp - the runner skips the checks of a step that left
// the world unchanged (World::mutations()); these tests hold it to that.
//
// The skip is sound only if every change of the state is counted. The first
// test runs random traces in every design and, at every step the runner
// skipped, runs all the checks anyway: they must report nothing beyond what
// the runner reported (contents and kernel warnings, which it always checks).
// The second breaks a state through an accessor between two steps and
// requires the next step, which by itself changes nothing, to find it.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <ostream>
#include <utility>

#include "model/check/core_checks.h"
#include "model/check/runner.h"
#include "model/core/random_trace.h"
#include "model/designs.h"

namespace rmc {
namespace {

// Properties the runner checks even after a step that changed nothing.
bool checked_every_step(const Violation& v) { return v.property == "contents" || v.property == "kernel-warn"; }

TEST(UnchangedSteps, SkippedChecksWouldHaveFoundNothing) {
  GeneratorOptions generator;
  generator.max_processes = 4;
  size_t skipped = 0, steps = 0;
  for (std::string_view design : design_names()) {
    for (uint32_t seed = 1; seed <= 150; seed++) {
      const Trace trace = random_trace(seed, 64, generator, ModelOptions{});
      auto world = make_world(design, trace.options);
      Runner runner(*world, /*checks=*/true);
      bool last_clean = false;
      for (const TraceLine& line : trace.lines) {
        if (line.kind != TraceLine::Kind::kOp) continue;
        const uint64_t before = world->mutations();
        const StepResult result = runner.run_line(line);
        if (result.error) break;
        steps++;
        if (last_clean && world->mutations() == before) {
          skipped++;
          std::vector<Violation> all;
          check_world(*world, runner.spec(), all);
          for (const Violation& v : all)
            EXPECT_TRUE(checked_every_step(v)) << design << " seed " << seed << " line " << line.line
                                               << ": a skipped check reports " << v.property << ": " << v.message;
        }
        last_clean = result.ok();
        if (!last_clean) break;  // as the fuzzer: a failing design stops
      }
    }
  }
  std::printf("%zu of %zu steps skipped\n", skipped, steps);
  // The skip must be exercised, or this test proves nothing.
  EXPECT_GT(skipped, steps / 10) << skipped << " of " << steps << " steps skipped";
}

// One way to break the state between two steps, through one accessor.
struct Breaker {
  const char* accessor;
  const char* property;  // what the next step must report
  std::function<void(World&, const Pte&)> brk;
};

void PrintTo(const Breaker& breaker, std::ostream* os) { *os << breaker.accessor; }

class ChangeBetweenSteps : public ::testing::TestWithParam<Breaker> {};

TEST_P(ChangeBetweenSteps, IsCheckedAtTheNextStep) {
  auto world = make_world("eager", ModelOptions{});
  Runner runner(*world, /*checks=*/true);
  ParseResult parsed = parse_trace(
      "# rmapcheck trace 1\n"
      "P0 mmap 0x100 4 rw\n"
      "P0 write 0x100 1\n"
      "P0 migrate 0x200 4\n",  // nothing mapped there: changes nothing
      "test");
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed));
  const auto& lines = std::get<Trace>(parsed).lines;
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_TRUE(runner.run_line(lines[0]).ok());
  ASSERT_TRUE(runner.run_line(lines[1]).ok());
  // Read through const access, so only the breaker's accessor can count.
  const Pte pte = *std::as_const(*world).proc(ProcessId{0}).pt.find(0x100);
  const uint64_t clean = world->mutations();
  GetParam().brk(*world, pte);
  EXPECT_NE(world->mutations(), clean) << GetParam().accessor << " did not count";
  const uint64_t before = world->mutations();
  const StepResult result = runner.run_line(lines[2]);
  EXPECT_EQ(world->mutations(), before) << "the migrate of an empty range should change nothing";
  ASSERT_FALSE(result.ok()) << GetParam().accessor;
  EXPECT_EQ(result.violations[0].property, GetParam().property);
}

INSTANTIATE_TEST_SUITE_P(
    EveryAccessor, ChangeBetweenSteps,
    ::testing::Values(
        Breaker{"page", "mapcount", [](World& w, const Pte& pte) { w.page(pte.pfn()).mapcount++; }},
        Breaker{"folio", "mapcount",
                [](World& w, const Pte& pte) { w.folio(std::as_const(w).folio_of(pte.pfn())).mapcount++; }},
        Breaker{"vma", "page-table",
                [](World& w, const Pte&) {
                  w.vma(std::as_const(w).vma_lookup(ProcessId{0}, 0x100)).start = 0x101;
                }},
        Breaker{"proc", "mapcount", [](World& w, const Pte&) { w.proc(ProcessId{0}).pt.clear(0x100); }},
        Breaker{"policy", "lifetime",
                [](World& w, const Pte&) {
                  w.policy().unlink(w, std::as_const(w).vma_lookup(ProcessId{0}, 0x100));
                }}),
    [](const ::testing::TestParamInfo<Breaker>& info) { return std::string(info.param.accessor); });

}  // namespace
}  // namespace rmc
