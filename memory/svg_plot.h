// svg_plot.h - hand-written SVG charts: the memory table's per-design bars
// (`memory --plot`) and the line chart of the scaling benchmark. No
// plotting library: a few rectangles, lines and text elements, in a fixed
// 800 x 420 canvas, deterministic for the same input.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_table.h"

namespace rmc::memory {

// One group of bars per object (vm_area_struct, anon_vma, anon_vma_chain,
// cow_context, total), one bar per design, in KB, labelled with the change
// against eager.
std::string bars_svg(const MemoryTable& table);

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

// A log-log line chart (sizes spanning decades); axes labelled with powers
// of ten.
std::string loglog_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<Series>& series);

}  // namespace rmc::memory
