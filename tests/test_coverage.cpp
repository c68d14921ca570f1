// test_coverage.cpp - the kernel paths of model/core/coverage.h: each is
// counted where the model takes it, every one is reachable, and counting
// them changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <variant>

#include "model/check/campaign.h"
#include "model/check/differential.h"
#include "model/check/runner.h"
#include "model/core/coverage.h"
#include "model/core/trace.h"
#include "model/designs.h"

namespace rmc {
namespace {

Trace parse(const std::string& ops) {
  ParseResult parsed = parse_trace("# rmapcheck trace 1\n" + ops, "test");
  EXPECT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  return std::holds_alternative<Trace>(parsed) ? std::get<Trace>(parsed) : Trace{};
}

// The coverage of one design running `ops` (every step must pass).
Coverage run(std::string_view design, const std::string& ops) {
  const Trace trace = parse(ops);
  auto world = make_world(design, trace.options);
  Runner runner(*world, /*checks=*/true);
  for (const TraceLine& line : trace.lines) {
    const StepResult r = runner.run_line(line);
    EXPECT_TRUE(r.ok()) << design << " line " << line.line << ": "
                        << (r.error ? *r.error : r.violations[0].property + " " + r.violations[0].message);
  }
  return world->coverage();
}

TEST(Coverage, PathsHaveUniqueAreaSlashNames) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kPathCount; i++) {
    const std::string_view name = path_name(static_cast<Path>(i));
    EXPECT_NE(name.find('/'), std::string_view::npos) << name;
    EXPECT_FALSE(path_description(static_cast<Path>(i)).empty()) << name;
    EXPECT_TRUE(names.insert(name).second) << name << " twice";
  }
}

// Each case: the path a few ops must take, and one they must not (its
// neighbour in the same decision), so that a count in the wrong branch fails.
struct PathCase {
  const char* design;
  const char* ops;
  Path taken;
  Path not_taken;
};

TEST(Coverage, OpsTakeTheirPaths) {
  const PathCase cases[] = {
      {"eager", "P0 mmap 0x100 2 rw\nP0 mmap 0x102 2 rw\n", Path::kMergeNewPrev, Path::kMergeNewNext},
      {"eager", "P0 mmap 0x100 2 rw\nP0 mmap 0x104 2 rw\nP0 mmap 0x102 2 rw\n", Path::kMergeNewBoth,
       Path::kMergeNewNext},
      {"eager", "P0 mmap 0x100 4 rw\nP0 mprotect 0x101 2 r\n", Path::kSplitVma, Path::kMergeExistingPrev},
      {"eager", "P0 mmap 0x100 4 rw\nP0 mprotect 0x100 2 r\nP0 mprotect 0x100 2 rw\n", Path::kMergeExistingNext,
       Path::kMergeExistingBoth},
      {"eager", "P0 mmap 0x100 1 rw\nP0 read 0x100 1\n", Path::kFaultZeroPage, Path::kFaultNewFolio},
      {"eager", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\nP1 write 0x100 1\n", Path::kWpCopy,
       Path::kWpCopyZeroPage},
      {"eager", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n", Path::kForkSharePage, Path::kForkWipeonfork},
      {"eager", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n", Path::kEagerForkNew, Path::kEagerForkReuse},
      {"eager", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 mmap 0x101 1 rwx\nP0 write 0x101 1\n",
       Path::kEagerPrepareReuse, Path::kMmapMerged},
      {"eager", "P0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 mremap 0x100 2 2 0x200 maymove,fixed\n",
       Path::kMremapMoveNewVma, Path::kMremapMoveMerged},
      {"lazy", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n", Path::kLazyForkTreeParent, Path::kLazyForkNew},
      {"lazy-gki", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n", Path::kLazyForkNew,
       Path::kLazyForkTreeParent},
      {"lazy", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\n", Path::kLazyPrepare, Path::kLazyUpgrade},
      {"cowctx", "P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 fork P1\n", Path::kCowctxFork, Path::kCowctxExit},
      {"eager", "P0 mmap 0x100 1 rw\nP0 pin 0x100 1\nP0 fork P1\n", Path::kForkCopyPinned, Path::kForkSharePage},
      {"eager", "P0 mmap 0x100 1 rw\nP0 pin 0x100 1\nP0 madvise 0x100 1 pageout\n", Path::kPageoutPinned,
       Path::kPageoutFreed},
      {"lazy", "P0 lazy_off\nP0 mmap 0x100 1 rw\nP0 write 0x100 1\n", Path::kLazySwitchOffNew, Path::kLazyPrepare},
      {"eager", "P0 mmap 0x100 2 rw\nP0 fault_race 0x100 0x101\n", Path::kFaultRacePrepare, Path::kFaultZeroPage},
      {"lazy", "option lazy.prepare_race atomic\nP0 mmap 0x100 2 rw\nP0 fault_race 0x100 0x101\n",
       Path::kFaultRacePrepare, Path::kLazyPrepareRaced},
      {"eager", "P0 mmap 0x1000 4 rw growsdown\nP0 write 0x1002 1\nP0 migrate_begin 0x1002\nP0 grow_race 0xff0\n",
       Path::kGrowRaceWalk, Path::kLazyTornBase},
      {"lazy",
       "option lazy.base_read stable\nP0 mmap 0x1000 4 rw growsdown\nP0 write 0x1002 1\nP0 migrate_begin 0x1002\n"
       "P0 grow_race 0xff0\n",
       Path::kGrowRaceWalk, Path::kLazyTornBase},
      {"cowctx", "P0 mmap 0x100 8 rw\nP0 write 0x106 1\nP0 migrate_begin 0x106\nP0 mprotect_race 0x104 4 r\n",
       Path::kMprotectRaceWalk, Path::kLazyTornBase},
  };
  for (const PathCase& c : cases) {
    const Coverage coverage = run(c.design, c.ops);
    EXPECT_GT(coverage.hits(c.taken), 0u) << c.design << " does not take " << path_name(c.taken) << ":\n" << c.ops;
    EXPECT_EQ(coverage.hits(c.not_taken), 0u) << c.design << " takes " << path_name(c.not_taken) << ":\n" << c.ops;
  }
}

// Counting is not state: the same trace on a reset world leaves the same
// world, the same mutation count, and twice the hits.
TEST(Coverage, IsNotState) {
  const Trace trace = parse("P0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 fork P1\nP1 mprotect 0x101 2 r\n");
  auto world = make_world("eager", trace.options);
  Runner runner(*world, /*checks=*/true);
  const uint64_t before_first = world->mutations();
  run_lines(runner, trace);
  const uint64_t first = world->mutations() - before_first;
  const Coverage once = world->coverage();
  runner.reset();
  const uint64_t before_second = world->mutations();
  run_lines(runner, trace);
  EXPECT_EQ(world->mutations() - before_second, first) << "the same ops on a reset world count the same";
  for (size_t i = 0; i < kPathCount; i++)
    EXPECT_EQ(world->coverage().hits(static_cast<Path>(i)), 2 * once.hits(static_cast<Path>(i)))
        << path_name(static_cast<Path>(i));
  EXPECT_GT(once.covered(), 5u);
}

// Every path is reachable: a short campaign of every design with its
// default options, and two with the options two paths need, take them all.
// A path no campaign takes is either dead code or counted in the wrong place.
TEST(Coverage, EveryPathIsTakenByACampaign) {
  Coverage total;
  auto campaign = [&](uint64_t execs, std::vector<std::pair<const char*, const char*>> options) {
    CampaignOptions o;
    o.seconds = 600;
    o.max_execs = execs;
    o.seed = 11;
    o.shrink = false;
    for (auto [name, value] : options) ASSERT_FALSE(apply_option(o.model, name, value));
    total.merge(run_campaign(o).any_design());
  };
  campaign(5000, {});
  campaign(300, {{"lazy.merge", "upgrade"}});
  campaign(300, {{"lazy.parent_upgrade", "reuse"}});
  for (size_t i = 0; i < kPathCount; i++)
    EXPECT_GT(total.hits(static_cast<Path>(i)), 0u) << path_name(static_cast<Path>(i)) << " was never taken";
}

// The corpus is the regression suite: every path is taken by some trace
// of it in some design (as `rmapcheck run` judges it), so a change that
// makes a path unreachable from the corpus, or stops counting it, fails here.
// corpus/ops/swap_nocache_shared_swapin_root.trace was added for the two
// paths no trace took.
TEST(Coverage, TheCorpusTakesEveryPath) {
  Coverage corpus;
  size_t traces = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RMC_SOURCE_DIR "/corpus")) {
    if (entry.path().extension() != ".trace") continue;
    ParseResult parsed = parse_trace_file(entry.path().string());
    if (!std::holds_alternative<Trace>(parsed)) continue;  // the bad-input traces
    const Trace& trace = std::get<Trace>(parsed);
    std::vector<std::string> designs = designs_judged_besides_eager(trace);
    designs.insert(designs.begin(), "eager");
    for (const std::string& design : designs) {
      RunStats stats;
      run_trace(trace, design, /*checks=*/true, &stats);
      corpus.merge(stats.coverage);
    }
    traces++;
  }
  EXPECT_GT(traces, 200u);
  EXPECT_EQ(paths_never_taken(corpus), "none");
}

}  // namespace
}  // namespace rmc
