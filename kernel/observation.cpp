// observation.cpp - the model's view, sharing classes, comparison, pictures.
#include "kernel/observation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "model/check/runner.h"
#include "model/core/layout.h"
#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc::kernel {

namespace {

std::string page_name(ProcessId pid, PageNo addr) { return fmt::format("{}:{}", process_name(pid), hex(addr)); }

std::string_view kind_name(PageKind kind) {
  switch (kind) {
    case PageKind::kNone: return "none";
    case PageKind::kPresent: return "present";
    case PageKind::kZero: return "zero page";
    case PageKind::kSwapped: return "swapped";
  }
  return "?";
}

// "0x100-0x104:rw", and for a /dev/zero VMA ":/dev/zero@0x100" (its vm_pgoff
// in arena pages).
std::string vma_text(const VmaView& v) {
  std::string out = fmt::format("{}-{}:{}", hex(v.start), hex(v.end), prot_name(v.prot));
  if (v.dev_zero) out += fmt::format(":/dev/zero@{}", hex(v.pgoff));
  return out;
}

std::string vma_list(const ProcessView& p) {
  std::string out;
  for (const VmaView& v : p.vmas) out += " " + vma_text(v);
  return out.empty() ? " none" : out;
}

// What /proc/PID/maps shows of a VMA's file. The offset is in arena pages:
// the kernel's vm_pgoff minus the arena's base page.
std::string file_text(const VmaView& v) {
  if (!v.dev_zero) return "no file (anonymous)";
  return fmt::format("/dev/zero at vm_pgoff arena base + {}", hex(v.pgoff));
}

// Where two VMA lists with the same extents and protections first differ in
// the file mapped or its offset, said as maps shows it; nothing when they do
// not (then the generic list of both is the clearest report).
std::optional<std::string> file_difference(const ProcessView& k, const ProcessView& m) {
  if (k.vmas.size() != m.vmas.size()) return std::nullopt;
  for (size_t i = 0; i < k.vmas.size(); i++)
    if (k.vmas[i].start != m.vmas[i].start || k.vmas[i].end != m.vmas[i].end || k.vmas[i].prot != m.vmas[i].prot)
      return std::nullopt;
  for (size_t i = 0; i < k.vmas.size(); i++)
    if (k.vmas[i] != m.vmas[i])
      return fmt::format("{} VMA {}-{}: the kernel maps {}, the model {}", process_name(k.pid), hex(k.vmas[i].start),
                         hex(k.vmas[i].end), file_text(k.vmas[i]), file_text(m.vmas[i]));
  return std::nullopt;
}

// Address of page i of a process view.
PageNo address_of(const ProcessView& p, size_t i) {
  for (const VmaView& v : p.vmas) {
    if (i < v.end - v.start) return v.start + i;
    i -= v.end - v.start;
  }
  return 0;
}

// The other pages of the same class as page i of process view `pi`.
std::string class_members(const Observation& o, const SharingLabels& s, size_t pi, size_t i) {
  const int label = s.labels[pi][i];
  const PageKind kind = o.processes[pi].pages[i].kind;
  std::string out;
  for (size_t q = 0; q < o.processes.size(); q++)
    for (size_t j = 0; j < o.processes[q].pages.size(); j++)
      if ((q != pi || j != i) && s.labels[q][j] == label && o.processes[q].pages[j].kind == kind)
        out += " " + page_name(o.processes[q].pid, address_of(o.processes[q], j));
  return out.empty() ? "no other page" : out.substr(1);
}

// The pictures of model/core/layout.h, over the kernel's VMAs.
std::vector<PageSpan> spans_to_draw(const Observation& o) {
  std::vector<PageSpan> ranges;
  for (const ProcessView& p : o.processes)
    for (const VmaView& v : p.vmas) ranges.push_back({v.start, v.end});
  return join_spans(std::move(ranges));
}

char page_char(const PageView& v) {
  switch (v.kind) {
    case PageKind::kNone: return '.';
    case PageKind::kPresent: return !v.exclusive_visible ? '?' : v.exclusive ? 'x' : '~';
    case PageKind::kZero: return '0';
    case PageKind::kSwapped: return 's';
  }
  return '?';
}

char label_char(int label) {
  static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return kLetters[static_cast<size_t>(label) % kLetters.size()];
}

// Draws rows for every process over the spans; row(p, pi, addr, page index)
// gives the character of one column.
template <class RowFn>
std::string draw(const Observation& o, int rows, RowFn row) {
  return draw_spans(spans_to_draw(o), [&](PageNo start, PageNo width, std::string& out) {
    for (size_t pi = 0; pi < o.processes.size(); pi++) {
      const ProcessView& p = o.processes[pi];
      std::vector<std::string> lines(rows, std::string(width, ' '));
      size_t index = 0;
      for (size_t vi = 0; vi < p.vmas.size(); vi++) {
        const VmaView& v = p.vmas[vi];
        for (PageNo addr = v.start; addr < v.end; addr++, index++) {
          if (addr < start || addr >= start + width) continue;
          for (int r = 0; r < rows; r++) lines[r][addr - start] = row(r, pi, vi, index);
        }
      }
      for (int r = 0; r < rows; r++)
        out += r == 0 ? fmt::format("  {:<8}{}\n", process_name(p.pid), lines[r]) : fmt::format("          {}\n", lines[r]);
    }
  });
}

}  // namespace

const PageView* ProcessView::page(PageNo addr) const {
  size_t index = 0;
  for (const VmaView& v : vmas) {
    if (addr >= v.start && addr < v.end) return &pages[index + (addr - v.start)];
    index += v.end - v.start;
  }
  return nullptr;
}

const ProcessView* Observation::process(ProcessId pid) const {
  for (const ProcessView& p : processes)
    if (p.pid == pid) return &p;
  return nullptr;
}

Observation observe_model(const World& w) {
  Observation o;
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    ProcessView view;
    view.pid = ProcessId{p};
    for (VmaId id : proc.vmas) {
      const Vma& v = w.vma(id);
      const bool dev_zero = v.flags & kVmFileDevZero;
      view.vmas.push_back({v.start, v.end, v.prot, dev_zero, dev_zero ? v.pgoff : 0});
      for (PageNo addr = v.start; addr < v.end; addr++) {
        const Pte* pte = proc.pt.find(addr);
        PageView page;
        if (pte) switch (pte->kind) {
            case PteKind::kPresent:
            case PteKind::kMigration:  // never left after an op; counts as present
              page = {PageKind::kPresent, w.page(pte->pfn()).anon_exclusive, true, w.page(pte->pfn()).mapcount == 1,
                      pte->target};
              break;
            case PteKind::kZero: page = {PageKind::kZero, false, true, false, 0}; break;
            case PteKind::kSwap: page = {PageKind::kSwapped, false, true, false, pte->target}; break;
          }
        view.pages.push_back(page);
      }
    }
    o.processes.push_back(std::move(view));
  }
  const ObjectCounts counts = count_objects(w);
  o.counts = {counts.vmas, counts.anon_vmas, counts.avcs};
  return o;
}

SharingLabels sharing_labels(const Observation& o) {
  SharingLabels s;
  std::map<uint64_t, int> present, swapped;
  for (const ProcessView& p : o.processes) {
    std::vector<int>& labels = s.labels.emplace_back();
    for (const PageView& v : p.pages) {
      int label = -1;
      if (v.kind == PageKind::kPresent) label = present.try_emplace(v.identity, static_cast<int>(present.size())).first->second;
      if (v.kind == PageKind::kSwapped) label = swapped.try_emplace(v.identity, static_cast<int>(swapped.size())).first->second;
      labels.push_back(label);
    }
  }
  return s;
}

std::string_view difference_kind_name(Difference::Kind kind) {
  switch (kind) {
    case Difference::Kind::kProcesses: return "processes";
    case Difference::Kind::kVmas: return "VMA layout";
    case Difference::Kind::kPageState: return "page state";
    case Difference::Kind::kSharing: return "sharing";
    case Difference::Kind::kExclusive: return "exclusivity";
    case Difference::Kind::kMappedOnce: return "mapped once";
    case Difference::Kind::kCounts: return "object counts";
  }
  return "?";
}

std::optional<Difference> compare(const Observation& kernel, const Observation& model, const CompareOptions& options) {
  using K = Difference::Kind;
  auto pids = [](const Observation& o) {
    std::string out;
    for (const ProcessView& p : o.processes) out += " " + process_name(p.pid);
    return out;
  };
  if (kernel.processes.size() != model.processes.size())
    return Difference{K::kProcesses, fmt::format("live processes: kernel{}, model{}", pids(kernel), pids(model))};
  for (size_t i = 0; i < kernel.processes.size(); i++)
    if (kernel.processes[i].pid != model.processes[i].pid)
      return Difference{K::kProcesses, fmt::format("live processes: kernel{}, model{}", pids(kernel), pids(model))};
  for (size_t i = 0; i < kernel.processes.size(); i++) {
    const ProcessView& k = kernel.processes[i];
    const ProcessView& m = model.processes[i];
    if (k.vmas == m.vmas) continue;
    if (auto file = file_difference(k, m)) return Difference{K::kVmas, *file};
    return Difference{K::kVmas, fmt::format("{} VMAs: kernel{}, model{}", process_name(k.pid), vma_list(k), vma_list(m))};
  }
  for (size_t i = 0; i < kernel.processes.size(); i++) {
    const ProcessView& k = kernel.processes[i];
    const ProcessView& m = model.processes[i];
    for (size_t j = 0; j < k.pages.size(); j++)
      if (k.pages[j].kind != m.pages[j].kind)
        return Difference{K::kPageState, fmt::format("{}: kernel {}, model {}", page_name(k.pid, address_of(k, j)),
                                                     kind_name(k.pages[j].kind), kind_name(m.pages[j].kind))};
  }
  const SharingLabels ks = sharing_labels(kernel);
  const SharingLabels ms = sharing_labels(model);
  for (size_t i = 0; i < kernel.processes.size(); i++)
    for (size_t j = 0; j < kernel.processes[i].pages.size(); j++)
      if (ks.labels[i][j] != ms.labels[i][j]) {
        const ProcessView& k = kernel.processes[i];
        const bool swap = k.pages[j].kind == PageKind::kSwapped;
        return Difference{K::kSharing,
                          fmt::format("{} {}: in the kernel it shares with {}; in the model with {}",
                                      page_name(k.pid, address_of(k, j)), swap ? "(swap entry)" : "(physical page)",
                                      class_members(kernel, ks, i, j), class_members(model, ms, i, j))};
      }
  if (options.exclusive)
    for (size_t i = 0; i < kernel.processes.size(); i++) {
      const ProcessView& k = kernel.processes[i];
      const ProcessView& m = model.processes[i];
      for (size_t j = 0; j < k.pages.size(); j++)
        if (k.pages[j].kind == PageKind::kPresent && k.pages[j].exclusive_visible && m.pages[j].exclusive_visible &&
            k.pages[j].exclusive != m.pages[j].exclusive)
          return Difference{K::kExclusive, fmt::format("{}: PageAnonExclusive is {} in the kernel, {} in the model",
                                                       page_name(k.pid, address_of(k, j)), k.pages[j].exclusive ? "set" : "clear",
                                                       m.pages[j].exclusive ? "set" : "clear")};
    }
  for (size_t i = 0; i < kernel.processes.size(); i++) {
    const ProcessView& k = kernel.processes[i];
    const ProcessView& m = model.processes[i];
    for (size_t j = 0; j < k.pages.size(); j++)
      if (k.pages[j].kind == PageKind::kPresent && k.pages[j].mapped_once != m.pages[j].mapped_once)
        return Difference{K::kMappedOnce, fmt::format("{}: the page is {}mapped once in the kernel (pagemap bit 56), {}mapped once in the model",
                                                      page_name(k.pid, address_of(k, j)), k.pages[j].mapped_once ? "" : "not ",
                                                      m.pages[j].mapped_once ? "" : "not ")};
  }
  if (options.counts && kernel.counts != model.counts)
    return Difference{K::kCounts, fmt::format("live arena objects: kernel vma {} anon_vma {} avc {}; model vma {} anon_vma {} avc {}",
                                              kernel.counts.vmas, kernel.counts.anon_vmas, kernel.counts.avcs,
                                              model.counts.vmas, model.counts.anon_vmas, model.counts.avcs)};
  return std::nullopt;
}

std::string render_observation_layout(const Observation& o) {
  // A VMA that maps anonymous pages must have an anon_vma; one that maps
  // none may or may not (the kernel does not show it).
  std::vector<std::vector<bool>> anon(o.processes.size());
  for (size_t pi = 0; pi < o.processes.size(); pi++) {
    const ProcessView& p = o.processes[pi];
    size_t index = 0;
    for (const VmaView& v : p.vmas) {
      bool any = false;
      for (PageNo a = v.start; a < v.end; a++, index++)
        any |= p.pages[index].kind == PageKind::kPresent || p.pages[index].kind == PageKind::kSwapped;
      anon[pi].push_back(any);
    }
  }
  return draw(o, 2, [&](int row, size_t pi, size_t vi, size_t index) {
    if (row == 0) return static_cast<char>((anon[pi][vi] ? 'A' : 'a') + vi % 26);
    return page_char(o.processes[pi].pages[index]);
  });
}

std::string render_sharing(const Observation& o) {
  const SharingLabels s = sharing_labels(o);
  return draw(o, 1, [&](int, size_t pi, size_t, size_t index) {
    const PageView& v = o.processes[pi].pages[index];
    if (v.kind == PageKind::kZero) return '0';
    if (v.kind == PageKind::kNone) return '.';
    return label_char(s.labels[pi][index]);
  });
}

std::string render_vma_lists(const Observation& o) {
  std::string out;
  for (const ProcessView& p : o.processes) out += fmt::format("  {}{}\n", process_name(p.pid), vma_list(p));
  return out;
}

}  // namespace rmc::kernel
