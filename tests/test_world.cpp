// test_world.cpp - the World's machinery outside the trace corpus: geometry,
// determinism, JSON and layout output, and a few semantics checked directly.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/check/runner.h"
#include "model/check/step_json.h"
#include "model/core/geometry.h"
#include "model/core/layout.h"
#include "model/core/op_table.h"
#include "model/core/random_trace.h"
#include "model/designs.h"

namespace rmc {
namespace {

TEST(Geometry, SplitKeepsTheBase) {
  const uint64_t start = 0x100, pgoff = 0x7000, at = 0x104;
  EXPECT_EQ(geom::mapping_base(start, pgoff), geom::mapping_base(at, geom::split_upper_pgoff(start, pgoff, at)));
}

TEST(Geometry, WrapsModulo64Bits) {
  // A private file offset larger than the address: the base wraps below 0,
  // and the round trip still holds (lazy-design.md S19).
  const uint64_t start = 0x100, pgoff = ~uint64_t{0} - 5;
  const uint64_t base = geom::mapping_base(start, pgoff);
  for (uint64_t addr = start; addr < start + 4; addr++)
    EXPECT_EQ(base + geom::linear_page_index(start, pgoff, addr), addr);
}

TEST(Geometry, StackGrowthNeverWrapsPgoff) {
  EXPECT_TRUE(geom::stack_growth_allowed<uint64_t>(5, 5));
  EXPECT_FALSE(geom::stack_growth_allowed<uint64_t>(4, 5));
}

TEST(Geometry, IntervalOverlap) {
  EXPECT_TRUE(geom::interval_overlaps<uint64_t>(0x100, 0x103, 0x103, 0x103));
  EXPECT_FALSE(geom::interval_overlaps<uint64_t>(0x100, 0x103, 0x104, 0x107));
}

TEST(Determinism, SameSeedSameTrace) {
  GeneratorOptions generator;
  ModelOptions model;
  for (uint64_t seed : {1, 77, 123456789}) {
    EXPECT_EQ(print_trace(random_trace(seed, 64, generator, model)),
              print_trace(random_trace(seed, 64, generator, model)));
  }
  EXPECT_NE(print_trace(random_trace(1, 64, generator, model)), print_trace(random_trace(2, 64, generator, model)));
}

// The share of a trace's ranged ops whose address is where one of the last
// four ranged ops started or ended.
double share_on_recent_ranges(const GeneratorOptions& generator) {
  size_t ranged = 0, on_recent = 0;
  for (uint64_t seed = 1; seed <= 200; seed++) {
    std::vector<std::pair<PageNo, PageNo>> recent;  // start, end
    for (const TraceLine& line : random_trace(seed, 64, generator, ModelOptions{}).lines) {
      if (line.kind != TraceLine::Kind::kOp) continue;
      const OpSpec& spec = op_spec(line.op.kind);
      if (spec.operand_count == 0 || spec.operands[0] != Operand::kAddr) continue;
      const PageNo addr = line.op.addr;
      ranged++;
      on_recent += std::any_of(recent.end() - std::min<ptrdiff_t>(4, recent.size()), recent.end(),
                               [addr](const auto& r) { return addr == r.first || addr == r.second; });
      recent.emplace_back(addr, addr + std::max(line.op.len, PageNo{1}));
    }
  }
  return double(on_recent) / double(ranged);
}

TEST(Generator, RecentRangesBringOpsBackToTheSamePages) {
  GeneratorOptions off, often;
  often.recent_one_in = 2;
  const double share_off = share_on_recent_ranges(off), share_often = share_on_recent_ranges(often);
  // Measured: 0.35 without (addresses are often a VMA start anyway), 0.60
  // with one address in two re-used.
  EXPECT_LT(share_off, 0.4);
  EXPECT_GT(share_often, share_off + 0.15);
  for (uint64_t seed : {1, 77}) {
    EXPECT_EQ(print_trace(random_trace(seed, 64, often, ModelOptions{})),
              print_trace(random_trace(seed, 64, often, ModelOptions{})));
  }
}

std::vector<Op> ops_of(const Trace& trace) {
  std::vector<Op> ops;
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
  return ops;
}

// A campaign re-visits a rare state by keeping a prefix of the trace that
// reached it: the prefix is kept op for op, the model options are the
// prefix's, the rest is drawn from the new seed, every op valid.
TEST(Generator, ExtendKeepsThePrefixAndDrawsTheRest) {
  ModelOptions model;
  model.large_folio_order = 2;
  const Trace parent = random_trace(5, 64, GeneratorOptions{}, model);
  const Trace child = extend_trace(parent, 20, 6, 64, GeneratorOptions{});
  const std::vector<Op> p = ops_of(parent), c = ops_of(child);
  ASSERT_EQ(c.size(), 64u);
  EXPECT_TRUE(std::equal(p.begin(), p.begin() + 20, c.begin(), [](const Op& a, const Op& b) {
    return print_op(a) == print_op(b);
  }));
  EXPECT_NE(print_op(p[20]) + print_op(p[21]) + print_op(p[22]), print_op(c[20]) + print_op(c[21]) + print_op(c[22]));
  EXPECT_EQ(child.options.large_folio_order, 2u);
  EXPECT_EQ(print_trace(child), print_trace(extend_trace(parent, 20, 6, 64, GeneratorOptions{})));
  // Every drawn op is valid where it lands: the trace runs clean in eager
  // up to whatever the checks say, never refused.
  auto world = make_world("eager", child.options);
  Runner runner(*world, false);
  for (const TraceLine& line : child.lines) {
    const auto result = runner.run_line(line);
    ASSERT_FALSE(result.error.has_value()) << print_op(line.op) << ": " << *result.error;
  }
}

// Every step's JSON of a run, concatenated.
std::string json_of_run(const Trace& trace) {
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  std::string out;
  size_t step = 0;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp) continue;
    out += step_json(*world, ++step, line, runner.run_line(line)).dump() + "\n";
  }
  return out;
}

TEST(Determinism, ReplayIsByteForByte) {
  ModelOptions model;
  model.large_folio_order = 2;
  Trace trace = random_trace(99, 64, GeneratorOptions{}, model);
  EXPECT_EQ(json_of_run(trace), json_of_run(trace));
}

// Fuzzers and timing loops reset one world per trace; the reset keeps the
// vectors' room (Process::reset, AnonVmaForest::reset) but must leave
// nothing else behind: every step's JSON on a world reused after other
// traces equals a new world's, for every design.
TEST(Determinism, AResetWorldRunsLikeANewOne) {
  ModelOptions model;
  model.large_folio_order = 2;
  std::vector<Trace> traces;
  for (uint64_t seed = 1; seed <= 40; seed++) traces.push_back(random_trace(seed, 64, GeneratorOptions{}, model));
  for (std::string_view design : design_names()) {
    auto reused = make_world(design, model);
    Runner runner(*reused, true);
    for (const Trace& trace : traces) {
      auto fresh = make_world(design, model);
      Runner fresh_runner(*fresh, true);
      runner.reset();
      size_t step = 0;
      for (const TraceLine& line : trace.lines) {
        if (line.kind != TraceLine::Kind::kOp) continue;
        step++;
        const StepResult a = runner.run_line(line), b = fresh_runner.run_line(line);
        ASSERT_EQ(step_json(*reused, step, line, a).dump(), step_json(*fresh, step, line, b).dump())
            << design << " " << trace.source << " step " << step;
        if (!a.ok()) break;
      }
    }
  }
}

Trace parse_ok(const std::string& body) {
  ParseResult parsed = parse_trace("# rmapcheck trace 1\n" + body, "test");
  EXPECT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  return std::get<Trace>(parsed);
}

TEST(StepJson, SharedPagesHaveOneIdentity) {
  Trace trace = parse_ok("P0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 fork P1\nP1 write 0x101 1\n");
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  nlohmann::json last;
  size_t step = 0;
  for (const TraceLine& line : trace.lines) last = step_json(*world, ++step, line, runner.run_line(line));
  ASSERT_EQ(last["processes"].size(), 2u);
  const auto& p0 = last["processes"][0]["pages"];
  const auto& p1 = last["processes"][1]["pages"];
  EXPECT_EQ(p0[0]["page"], p1[0]["page"]);  // 0x100 still shared (COW)
  EXPECT_NE(p0[1]["page"], p1[1]["page"]);  // 0x101 copied by P1's write
  EXPECT_EQ(last["processes"][0]["vmas"][0]["anon_vma"], true);
  EXPECT_EQ(last["counts"]["anon_vma"], 2);
  EXPECT_EQ(last["counts"]["avc"], 3);
  EXPECT_EQ(last["counts"]["folio"], 3);
  EXPECT_EQ(last["verdict"], "ok");
}

TEST(Layout, PictureOfAForkedProcess) {
  Trace trace = parse_ok("P0 mmap 0x100 4 rw\nP0 mmap 0x104 2 r\nP0 write 0x100 2\nP0 fork P1\nP1 write 0x100 1\n");
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  for (const TraceLine& line : trace.lines) ASSERT_TRUE(runner.run_line(line).ok());
  EXPECT_EQ(render_layout(*world),
            "          0x100\n"
            "  P0      AAAAbb\n"
            "          ~~....\n"  // P0 keeps its page; it stays non-exclusive until it writes
            "  P1      AAAAbb\n"
            "          x~....\n");
}

TEST(Semantics, PageoutThenReadRestoresContents) {
  Trace trace = parse_ok("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 madvise 0x100 1 pageout\n");
  auto world = make_world("eager", trace.options);
  Runner runner(*world, true);
  for (const TraceLine& line : trace.lines) ASSERT_TRUE(runner.run_line(line).ok());
  ASSERT_EQ(world->proc(ProcessId{0}).pt.find(0x100)->kind, PteKind::kSwap);
  EXPECT_EQ(world->read(ProcessId{0}, 0x100), 1u);
  EXPECT_EQ(world->proc(ProcessId{0}).pt.find(0x100)->kind, PteKind::kPresent);
}

TEST(Semantics, InvalidOpIsAnErrorNotACrash) {
  Trace trace = parse_ok("P0 mmap 0x100 1 r\nP0 write 0x100 1\n");
  Verdict verdict = run_trace(trace, "eager", true);
  EXPECT_EQ(verdict.kind, Verdict::Kind::kError);
  EXPECT_EQ(verdict.line, 3u);
  EXPECT_NE(verdict.error.find("SIGSEGV"), std::string::npos) << verdict.error;
}

// expand_downwards' vm_pgoff test, and the option that takes it out (the
// trace of proof stack.unguarded_growth_wraps_pgoffs).
TEST(Semantics, StackGrowthPastVmPgoffNeedsTheGuardOff) {
  const std::string ops =
      "P0 mmap 0x0 1 rw growsdown\n"
      "P0 write 0x0 1\n"
      "P0 mremap 0x0 1 1 0x1 maymove,fixed\n"  // faulted: vm_pgoff stays 0
      "P0 write 0x0 1\n";                      // grows by 1 page > vm_pgoff
  Verdict guarded = run_trace(parse_ok(ops), "eager", true);
  EXPECT_EQ(guarded.kind, Verdict::Kind::kError);
  EXPECT_NE(guarded.error.find("SIGSEGV"), std::string::npos) << guarded.error;

  Trace unguarded = parse_ok("option stack_pgoff_guard off\n" + ops);
  EXPECT_FALSE(unguarded.options.stack_pgoff_guard);
  auto world = make_world("eager", unguarded.options);
  Runner runner(*world, /*checks=*/false);
  for (const TraceLine& line : unguarded.lines) ASSERT_TRUE(runner.run_line(line).ok());
  const Vma& stack = world->vma(world->vma_lookup(ProcessId{0}, 0));
  EXPECT_EQ(stack.start, 0u);
  EXPECT_EQ(stack.pgoff, ~PageNo{0});  // wrapped below 0
  EXPECT_EQ(run_trace(unguarded, "eager", true).first_property(), "rmap-missing");
}

TEST(Semantics, EveryDesignNameMakesAWorld) {
  for (std::string_view name : design_names()) EXPECT_NE(make_world(name, ModelOptions{}), nullptr);
  EXPECT_EQ(make_world("no-such-design", ModelOptions{}), nullptr);
}

}  // namespace
}  // namespace rmc
