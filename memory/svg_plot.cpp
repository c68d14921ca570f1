// svg_plot.cpp - bars and lines as SVG text.
#include "memory/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace rmc::memory {

namespace {

constexpr double kWidth = 800, kHeight = 420;
constexpr double kLeft = 70, kRight = 150, kTop = 40, kBottom = 60;  // margins: legend on the right
const char* const kColors[] = {"#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string header(const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"14\" text-anchor=\"middle\">{3}</text>\n",
      kWidth, kHeight, kWidth / 2, escape(title));
}

std::string legend(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); i++) {
    const double y = kTop + 10 + 18 * static_cast<double>(i);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n", kWidth - kRight + 20, y,
                       kColors[i % std::size(kColors)]);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", kWidth - kRight + 38, y + 10, escape(names[i]));
  }
  return out;
}

// 1, 2, 5 x 10^k steps: about five ticks up to `top`.
double tick_step(double top) {
  const double raw = top / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * power >= raw) return m * power;
  return 10 * power;
}

}  // namespace

std::string bars_svg(const MemoryTable& table) {
  const std::vector<MemoryRow> rows = table_rows(table);
  std::vector<std::string> objects, designs;
  std::map<std::pair<std::string, std::string>, const MemoryRow*> cell;
  double top = 0;
  for (const MemoryRow& row : rows) {
    if (std::find(objects.begin(), objects.end(), row.object) == objects.end()) objects.push_back(row.object);
    if (std::find(designs.begin(), designs.end(), row.design) == designs.end()) designs.push_back(row.design);
    cell[{row.object, row.design}] = &row;
    top = std::max(top, row.kb);
  }
  const double step = tick_step(std::max(top, 1.0));
  top = std::ceil(std::max(top, 1.0) / step) * step;
  std::string out = header(fmt::format("rmapcheck memory: {} (KB of slab objects per design)", table.workload));
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto y_of = [&](double kb) { return kTop + plot_h * (1 - kb / top); };
  for (double t = 0; t <= top + step / 2; t += step) {
    out += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", kLeft, y_of(t),
                       kLeft + plot_w, y_of(t));
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n", kLeft - 6, y_of(t) + 4, t);
  }
  out += fmt::format("<text x=\"16\" y=\"{:.1f}\" transform=\"rotate(-90 16 {:.1f})\" text-anchor=\"middle\">KB</text>\n",
                     kTop + plot_h / 2, kTop + plot_h / 2);
  const double group_w = plot_w / static_cast<double>(std::max<size_t>(objects.size(), 1));
  const double bar_w = group_w * 0.8 / static_cast<double>(std::max<size_t>(designs.size(), 1));
  for (size_t g = 0; g < objects.size(); g++) {
    const double x0 = kLeft + group_w * static_cast<double>(g) + group_w * 0.1;
    for (size_t d = 0; d < designs.size(); d++) {
      auto it = cell.find({objects[g], designs[d]});
      if (it == cell.end()) continue;
      const MemoryRow& row = *it->second;
      const double x = x0 + bar_w * static_cast<double>(d);
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} {}: "
                         "{:.1f} KB</title></rect>\n",
                         x, y_of(row.kb), bar_w - 1, kTop + plot_h - y_of(row.kb), kColors[d % std::size(kColors)],
                         escape(row.object), escape(row.design), row.kb);
      if (row.change_percent)
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"8\" text-anchor=\"middle\">{}</text>\n",
                           x + bar_w / 2, y_of(row.kb) - 3, percent_text(*row.change_percent));
    }
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x0 + group_w * 0.4,
                       kTop + plot_h + 18, escape(objects[g]));
  }
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n", kLeft, kTop + plot_h,
                     kLeft + plot_w, kTop + plot_h);
  out += legend(designs);
  return out + "</svg>\n";
}

std::string loglog_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<Series>& series) {
  double x_min = INFINITY, x_max = 0, y_min = INFINITY, y_max = 0;
  for (const Series& s : series)
    for (auto [x, y] : s.points)
      if (x > 0 && y > 0) {
        x_min = std::min(x_min, x), x_max = std::max(x_max, x);
        y_min = std::min(y_min, y), y_max = std::max(y_max, y);
      }
  std::string out = header(title);
  if (x_max == 0) return out + "</svg>\n";
  const double lx0 = std::floor(std::log10(x_min)), lx1 = std::ceil(std::log10(x_max));
  const double ly0 = std::floor(std::log10(y_min)), ly1 = std::ceil(std::log10(y_max));
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + plot_w * (std::log10(x) - lx0) / std::max(lx1 - lx0, 1.0); };
  auto py = [&](double y) { return kTop + plot_h * (1 - (std::log10(y) - ly0) / std::max(ly1 - ly0, 1.0)); };
  for (double e = lx0; e <= lx1; e++)
    out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">1e{4:g}</text>\n",
                       px(std::pow(10, e)), kTop, kTop + plot_h, kTop + plot_h + 16, e);
  for (double e = ly0; e <= ly1; e++)
    out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">1e{5:g}</text>\n",
                       kLeft, py(std::pow(10, e)), kLeft + plot_w, kLeft - 6, py(std::pow(10, e)) + 4, e);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + plot_w / 2,
                     kHeight - 20, escape(x_label));
  out += fmt::format("<text x=\"16\" y=\"{0:.1f}\" transform=\"rotate(-90 16 {0:.1f})\" text-anchor=\"middle\">{1}</text>\n",
                     kTop + plot_h / 2, escape(y_label));
  std::vector<std::string> names;
  for (size_t i = 0; i < series.size(); i++) {
    names.push_back(series[i].name);
    std::string points;
    for (auto [x, y] : series[i].points)
      if (x > 0 && y > 0) points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       kColors[i % std::size(kColors)], points);
    for (auto [x, y] : series[i].points)
      if (x > 0 && y > 0)
        out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", px(x), py(y),
                           kColors[i % std::size(kColors)]);
  }
  out += legend(names);
  return out + "</svg>\n";
}

}  // namespace rmc::memory
