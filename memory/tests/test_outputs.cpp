// test_outputs.cpp - what `rmapcheck memory` prints and writes: the table
// (rows, changes, text, JSON), object sizes, trace workloads, the SVG bars
// and the DOT graph (rendered by Graphviz where it is installed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "memory/compose.h"
#include "memory/dot_graph.h"
#include "memory/memory_table.h"
#include "memory/object_sizes.h"
#include "memory/svg_plot.h"
#include "memory/trace_run.h"
#include "memory/workloads.h"
#include "model/check/runner.h"
#include "model/designs.h"

namespace rmc::memory {
namespace {

const std::string kSource = RMC_SOURCE_DIR;

Trace load(const std::string& path) {
  ParseResult parsed = parse_trace_file(kSource + "/" + path);
  EXPECT_TRUE(std::holds_alternative<Trace>(parsed));
  return std::get<Trace>(parsed);
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

MemoryTable table_of(const Trace& trace) {
  MemoryTable t;
  t.workload = "zygote_two_apps";
  t.sizes = default_object_sizes();
  for (std::string_view d : design_names()) t.runs.push_back(run_trace_counts(trace, d, true));
  return t;
}

TEST(TraceRun, CountsAtTheEndOfATrace) {
  const Trace trace = load("corpus/memory/zygote_two_apps.trace");
  const DesignRun eager = run_trace_counts(trace, "eager", true);
  ASSERT_FALSE(eager.error) << *eager.error;
  // 2 zygote VMAs, 2 + 2 inherited ones, P1's own one; 3 folios written.
  EXPECT_EQ(eager.counts, (Counts{7, 7, 11, 3, 0, 0}));
  const DesignRun lazy = run_trace_counts(trace, "lazy", true);
  ASSERT_FALSE(lazy.error) << *lazy.error;
  EXPECT_EQ(lazy.counts.anon_vmas, 2);  // the zygote's upgrade, once
  EXPECT_EQ(lazy.counts.avcs, 2 + 2 + 2);
  EXPECT_EQ(run_trace_counts(trace, "cowctx", true).counts.contexts, 3);
}

TEST(TraceRun, ABadTraceNamesFileAndLine) {
  ParseResult parsed = parse_trace("# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 write 0x200 1\n", "bad.trace");
  const DesignRun run = run_trace_counts(std::get<Trace>(parsed), "eager", false);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->rfind("bad.trace:3: ", 0), 0u) << *run.error;
}

TEST(Table, RowsChangesAndText) {
  const MemoryTable t = table_of(load("corpus/memory/zygote_two_apps.trace"));
  const std::vector<MemoryRow> rows = table_rows(t);
  // 4 objects + total, 5 designs each.
  ASSERT_EQ(rows.size(), 25u);
  const MemoryRow* lazy_av = nullptr;
  for (const MemoryRow& r : rows)
    if (r.object == "anon_vma" && r.design == "lazy") lazy_av = &r;
  ASSERT_NE(lazy_av, nullptr);
  EXPECT_EQ(lazy_av->objects, 2);
  ASSERT_TRUE(lazy_av->change_percent);
  EXPECT_NEAR(*lazy_av->change_percent, (2.0 - 7.0) * 100 / 7.0, 1e-9);
  EXPECT_NEAR(lazy_av->kb, 2 * 104 / 1024.0, 1e-9);
  const std::string text = render_table(t);
  EXPECT_NE(text.find("-71.4%"), std::string::npos) << text;
  EXPECT_NE(text.find("series (lazy-design.md 4.1"), std::string::npos);
  const nlohmann::json j = table_json(t);
  EXPECT_EQ(j["designs"][0]["counts"]["avcs"], 11);
  EXPECT_EQ(j["sizes"]["anon_vma"]["slab_bytes"], 104);
}

TEST(Table, PercentText) {
  EXPECT_EQ(percent_text(-97.04), "-97.0%");
  EXPECT_EQ(percent_text(1.0), "+1.0%");
  EXPECT_EQ(percent_text(0.01), "0.0%");
  EXPECT_EQ(percent_text(-0.04), "0.0%");
}

TEST(Table, AFailedDesignIsShownAsSkipped) {
  MemoryTable t;
  t.workload = "w";
  t.sizes = default_object_sizes();
  t.runs.push_back({"eager", {10, 5, 5, 0, 0, 0}, {}, std::nullopt});
  t.runs.push_back({"lazy", {}, {}, std::string("x.trace:3: nope")});
  EXPECT_EQ(table_rows(t).size(), 5u);
  EXPECT_NE(render_table(t).find("lazy: skipped: x.trace:3: nope"), std::string::npos);
}

TEST(ObjectSizes, DefaultsAndSysfs) {
  const ObjectSizes d = default_object_sizes();
  EXPECT_EQ(d.anon_vma.slab_bytes, 104u);
  EXPECT_EQ(d.avc.object_bytes, 64u);
  EXPECT_EQ(d.vma.slab_bytes, 192u);
  EXPECT_EQ(d.context.source, "estimate");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "rmc-slab-test";
  std::filesystem::create_directories(dir / "anon_vma");
  std::ofstream(dir / "anon_vma" / "object_size") << "88\n";
  std::ofstream(dir / "anon_vma" / "slab_size") << "96\n";
  const ObjectSizes read = read_object_sizes(dir.string());
  EXPECT_EQ(read.anon_vma.slab_bytes, 96u);
  EXPECT_EQ(read.anon_vma.source, dir.string());
  EXPECT_EQ(read.avc.source, "6.18 default");  // no anon_vma_chain there
  std::filesystem::remove_all(dir);
}

TEST(Svg, OneBarPerObjectAndDesign) {
  const MemoryTable t = table_of(load("corpus/memory/zygote_two_apps.trace"));
  const std::string svg = bars_svg(t);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(occurrences(svg, "</title></rect>"), table_rows(t).size());
  EXPECT_EQ(occurrences(svg, "<rect"), 1 + table_rows(t).size() + t.runs.size());  // background, bars, legend
  EXPECT_NE(svg.find("-71.4%"), std::string::npos);
  EXPECT_EQ(bars_svg(t), svg);  // deterministic
  const std::string lines = loglog_svg("t", "x", "y", {{"a", {{10, 1}, {100, 10}, {1000, 100}}}});
  EXPECT_EQ(occurrences(lines, "<circle"), 3u);
  EXPECT_EQ(occurrences(lines, "<polyline"), 1u);
}

// The graph of every design after the zygote trace: one node per live VMA,
// anon_vma, AVC and folio, one mapping edge per folio.
TEST(Dot, NodesForEveryLiveObject) {
  const Trace trace = load("corpus/memory/zygote_two_apps.trace");
  for (std::string_view design : design_names()) {
    auto world = make_world(design, trace.options);
    Runner runner(*world, true, design == "eager");
    for (const TraceLine& line : trace.lines) ASSERT_TRUE(runner.run_line(line).ok());
    const ObjectCounts c = count_objects(*world);
    const std::string dot = world_dot(*world, "t");
    EXPECT_EQ(dot.rfind("digraph rmap {", 0), 0u);
    EXPECT_EQ(occurrences(dot, "[shape=box, label="), static_cast<size_t>(c.vmas)) << design;
    EXPECT_EQ(occurrences(dot, "[shape=ellipse"), static_cast<size_t>(c.anon_vmas)) << design;
    EXPECT_EQ(occurrences(dot, "[shape=box, style=rounded"), static_cast<size_t>(c.avcs)) << design;
    EXPECT_EQ(occurrences(dot, "[shape=component"), static_cast<size_t>(c.folios)) << design;
    EXPECT_EQ(occurrences(dot, "label=\"mapping\""), static_cast<size_t>(c.folios)) << design;
    EXPECT_EQ(occurrences(dot, "{"), occurrences(dot, "}")) << design;
  }
}

bool have_graphviz() { return std::system("command -v dot >/dev/null 2>&1") == 0; }

TEST(Dot, GraphvizRendersIt) {
  if (!have_graphviz()) GTEST_SKIP() << "Graphviz 'dot' is not installed (apt-get install graphviz to run this)";
  const Trace trace = load("corpus/memory/zygote_two_apps.trace");
  for (std::string_view design : design_names()) {
    auto world = make_world(design, trace.options);
    Runner runner(*world, false, design == "eager");
    for (const TraceLine& line : trace.lines) runner.run_line(line);
    const std::filesystem::path file = std::filesystem::temp_directory_path() / "rmc-dot-test.dot";
    std::ofstream(file) << world_dot(*world, "zygote \"two\" apps");
    const std::string cmd = "dot -Tsvg " + file.string() + " -o " + file.string() + ".svg 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << design;
    EXPECT_GT(std::filesystem::file_size(file.string() + ".svg"), 1000u) << design;
    std::filesystem::remove(file);
    std::filesystem::remove(file.string() + ".svg");
  }
}

}  // namespace
}  // namespace rmc::memory
