// layout.cpp - ASCII address-space pictures.
#include "model/core/layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc {

namespace {

std::vector<PageSpan> spans_to_draw(const World& w) {
  std::vector<PageSpan> ranges;
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    for (VmaId id : proc.vmas) ranges.push_back({w.vma(id).start, w.vma(id).end});
  }
  return join_spans(std::move(ranges));
}

char vma_letter(size_t index, bool faulted) {
  const char base = faulted ? 'A' : 'a';
  return static_cast<char>(base + index % 26);
}

char pte_char(const World& w, const Pte* pte) {
  if (!pte) return '.';
  switch (pte->kind) {
    case PteKind::kPresent: return w.page(pte->pfn()).anon_exclusive ? 'x' : '~';
    case PteKind::kZero: return '0';
    case PteKind::kSwap: return 's';
    case PteKind::kMigration: return 'm';
  }
  return '?';
}

}  // namespace

std::vector<PageSpan> join_spans(std::vector<PageSpan> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const PageSpan& a, const PageSpan& b) { return a.start < b.start; });
  std::vector<PageSpan> joined;
  for (const PageSpan& r : ranges) {
    if (!joined.empty() && r.start <= joined.back().end + kJoinGapPages)
      joined.back().end = std::max(joined.back().end, r.end);
    else
      joined.push_back(r);
  }
  return joined;
}

std::string layout_ruler(PageNo start, PageNo width) {
  std::string line = hex(start);
  for (PageNo col = 16; col < width; col += 16) {
    std::string label = hex(start + col);
    if (col + label.size() > width) break;
    line.resize(col, ' ');
    line += label;
  }
  return line;
}

std::string draw_spans(const std::vector<PageSpan>& spans,
                       const std::function<void(PageNo start, PageNo width, std::string& out)>& rows) {
  if (spans.empty()) return "          (no VMAs)\n";
  std::string out;
  for (size_t s = 0; s < spans.size(); s++) {
    const PageNo start = spans[s].start;
    const PageNo width = std::min(spans[s].end - start, kMaxPictureWidth);
    if (s > 0) out += "          ...\n";
    out += fmt::format("          {}\n", layout_ruler(start, width));
    rows(start, width, out);
    if (spans[s].end - start > width)
      out += fmt::format("          (cut at {} pages; the range ends at {})\n", width, hex(spans[s].end));
  }
  return out;
}

std::string render_layout(const World& w) {
  return draw_spans(spans_to_draw(w), [&](PageNo start, PageNo width, std::string& out) {
    for (uint8_t p = 0; p < kMaxProcesses; p++) {
      const Process& proc = w.proc(ProcessId{p});
      if (!proc.live()) continue;
      std::string vmas(width, ' '), ptes(width, ' ');
      for (size_t i = 0; i < proc.vmas.size(); i++) {
        const Vma& v = w.vma(proc.vmas[i]);
        for (PageNo page = std::max(v.start, start); page < std::min(v.end, start + width); page++) {
          vmas[page - start] = vma_letter(i, v.faulted());
          ptes[page - start] = pte_char(w, proc.pt.find(page));
        }
      }
      // Entries outside any VMA would be a bug; show them anyway.
      auto [first, last] = proc.pt.range(start, start + width);
      for (auto* e = first; e != last; ++e)
        if (vmas[e->page - start] == ' ') ptes[e->page - start] = '!';
      out += fmt::format("  {:<8}{}\n", process_name(ProcessId{p}), vmas);
      out += fmt::format("          {}\n", ptes);
    }
  });
}

std::string render_vma_table(const World& w) {
  std::string out;
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    for (size_t i = 0; i < proc.vmas.size(); i++) {
      const Vma& v = w.vma(proc.vmas[i]);
      std::string flags;
      if (v.flags & kVmAccount) flags += " account";
      if (v.flags & kVmNoreserve) flags += " noreserve";
      if (v.flags & kVmDontcopy) flags += " dontcopy";
      if (v.flags & kVmWipeonfork) flags += " wipeonfork";
      if (v.flags & kVmLocked) flags += " locked";
      if (v.flags & kVmGrowsdown) flags += " growsdown";
      if (v.flags & kVmFileDevZero) flags += " /dev/zero";
      out += fmt::format("  {} {} [{}, {}) {:<4} pgoff {}{}  anon {}\n", process_name(ProcessId{p}),
                         vma_letter(i, v.faulted()), hex(v.start), hex(v.end), prot_name(v.prot), hex(v.pgoff),
                         flags, w.policy().describe_anon(w, v.id));
    }
  }
  if (const Migration& m = w.migration(); m.active() && m.split)
    out += fmt::format("  split in flight: folio {} (mapping {}), holding {}\n", idx(m.src),
                       w.policy().describe_mapping(w, w.folio(m.src).mapping), w.policy().describe_mapping(w, m.held));
  else if (m.active())
    out += fmt::format("  migration in flight: folio {} (mapping {}) -> folio {} (mapping {}), holding {}\n", idx(m.src),
                       w.policy().describe_mapping(w, w.folio(m.src).mapping), idx(m.dst),
                       w.policy().describe_mapping(w, w.folio(m.dst).mapping), w.policy().describe_mapping(w, m.held));
  return out;
}

std::string layout_legend() {
  return "layout: one column per page; A B C.. = VMAs (upper case: has anon state, lower: unfaulted)\n"
         "        x exclusive page, ~ non-exclusive (COW) page, 0 zero page, s swap entry, m migration entry, . none\n";
}

}  // namespace rmc
