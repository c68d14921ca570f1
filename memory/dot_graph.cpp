// dot_graph.cpp - a world as DOT (dot_graph.h).
#include "memory/dot_graph.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "model/core/op_table.h"
#include "model/cowctx/cow_context_policy.h"
#include "model/eager/eager_policy.h"
#include "model/lazy/lazy_policy.h"
#include "model/lazy/lazy_words.h"

namespace rmc::memory {

namespace {

// DOT strings: quotes and backslashes escaped; "\n" stays a line break.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string label_lines(std::initializer_list<std::string> lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\\n") + line;
  return "\"" + out + "\"";
}

class DotWriter {
 public:
  DotWriter(const World& w, const std::string& title) : w_(w) {
    out_ += "digraph rmap {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n";
    out_ += fmt::format("  label={};\n  labelloc=t;\n", quoted(title + " (design " + std::string(w.policy().name()) + ")"));
    if (auto* eager = dynamic_cast<const EagerPolicy*>(&w.policy())) forest_ = &eager->forest();
    lazy_ = dynamic_cast<const LazyPolicy*>(&w.policy());
    if (lazy_) forest_ = &lazy_->forest();
    cowctx_ = dynamic_cast<const CowContextPolicy*>(&w.policy()) != nullptr;
  }

  std::string finish() {
    processes();
    if (forest_) anon_vmas();
    folios();
    return out_ + "}\n";
  }

 private:
  std::string vma_node(VmaId id) const { return fmt::format("vma{}", idx(id)); }

  void processes() {
    for (uint8_t p = 0; p < kMaxProcesses; p++) {
      const Process& proc = w_.proc(ProcessId{p});
      if (!proc.live()) continue;
      out_ += fmt::format("  subgraph cluster_P{} {{\n    label=\"P{}\";\n", p, p);
      if (lazy_ && lazy_->flavor() == LazyPolicy::Flavor::kBase0)
        out_ += fmt::format("    mm{} [shape=house, label=\"mm P{}\"];\n", p, p);
      for (VmaId id : proc.vmas) {
        const Vma& v = w_.vma(id);
        out_ += fmt::format("    {} [shape=box, label={}];\n", vma_node(id),
                            label_lines({fmt::format("VMA {}", idx(id)), fmt::format("{}-{} {}", hex(v.start), hex(v.end), prot_name(v.prot)),
                                         fmt::format("pgoff {}", hex(v.pgoff)), w_.policy().describe_anon(w_, id)}));
      }
      out_ += "  }\n";
      for (VmaId id : proc.vmas) vma_edges(id);
    }
  }

  // The lazy designs' VMA words: a root VMA, or TREE_PARENT's anon_vma.
  void vma_edges(VmaId id) {
    const AnonWord word = w_.vma(id).anon;
    if (!lazy_ || word == kNoAnon) return;
    if (lazy::is_lazy(word) && lazy_->flavor() != LazyPolicy::Flavor::kBase0) {
      const VmaId root = lazy::root_of(word);
      if (root != id) out_ += fmt::format("  {} -> {} [style=dashed, label=\"lazy root\"];\n", vma_node(id), vma_node(root));
      if (!w_.vma(root).alive && zombies_.insert(root).second)
        out_ += fmt::format("  {} [shape=box, style=filled, fillcolor=lightgrey, label={}];\n", vma_node(root),
                            label_lines({fmt::format("VMA {} (zombie root)", idx(root)),
                                         fmt::format("{}-{} pgoff {}", hex(w_.vma(root).start), hex(w_.vma(root).end),
                                                     hex(w_.vma(root).pgoff))}));
    }
    if (lazy::is_parent(word))
      out_ += fmt::format("  {} -> av{} [style=dashed, label=\"TREE_PARENT\"];\n", vma_node(id), idx(lazy::anon_vma_in(word)));
  }

  void anon_vmas() {
    for (size_t i = 0; i < forest_->anon_vma_slots(); i++) {
      const AnonVmaId id{static_cast<uint32_t>(i)};
      if (!forest_->valid(id)) continue;
      const AnonVma& a = forest_->anon_vma(id);
      out_ += fmt::format("  av{} [shape=ellipse, label={}];\n", i,
                          label_lines({fmt::format("anon_vma {}", i),
                                       fmt::format("ref {} children {} active {}", a.refcount, a.num_children, a.num_active_vmas)}));
      if (a.parent != id) out_ += fmt::format("  av{} -> av{} [style=dashed, label=\"parent\"];\n", i, idx(a.parent));
      if (a.root != id && a.root != a.parent) out_ += fmt::format("  av{} -> av{} [style=dotted, label=\"root\"];\n", i, idx(a.root));
    }
    for (size_t v = 0; v < w_.vma_slots(); v++) {
      const VmaId vma{static_cast<uint32_t>(v)};
      if (!w_.vma(vma).alive) continue;
      for (AvcId avc : forest_->chain(vma)) {
        const Avc& c = forest_->avc(avc);
        if (!c.alive) continue;
        out_ += fmt::format("  avc{} [shape=box, style=rounded, fontsize=8, label=\"avc {}\"];\n", idx(avc), idx(avc));
        out_ += fmt::format("  {} -> avc{} [arrowhead=none];\n  avc{} -> av{};\n", vma_node(vma), idx(avc), idx(avc),
                            idx(c.anon_vma));
      }
    }
  }

  // The node a folio->mapping word names, or "" if none is drawn.
  std::string mapping_node(MappingWord m) {
    if (m == kNoMapping) return "";
    if (cowctx_) {
      const std::string ctx = w_.policy().describe_mapping(w_, m);
      if (contexts_.insert(ctx).second) out_ += fmt::format("  {} [shape=octagon, label=\"COW context {}\"];\n", ctx, ctx.substr(3));
      return ctx;
    }
    if (lazy_ && lazy::is_lazy_mapping(m)) {
      const uint64_t root = m & lazy::kIdMask;
      if (lazy_->flavor() == LazyPolicy::Flavor::kBase0) return fmt::format("mm{}", root);
      return fmt::format("vma{}", root);
    }
    return fmt::format("av{}", idx(anon_vma_of(m)));
  }

  void folios() {
    // Which VMAs map each folio, and with how many pages.
    std::map<uint32_t, std::map<uint32_t, uint32_t>> mapped_by;  // folio -> vma -> pages
    for (uint8_t p = 0; p < kMaxProcesses; p++) {
      const Process& proc = w_.proc(ProcessId{p});
      if (!proc.live()) continue;
      for (const PageTable::Entry& e : proc.pt.entries()) {
        if (e.pte.kind != PteKind::kPresent && e.pte.kind != PteKind::kMigration) continue;
        const FolioId f = w_.folio_of(e.pte.pfn());
        const VmaId v = w_.vma_lookup(ProcessId{p}, e.page);
        if (f != kNoFolio && v != kNoVma) mapped_by[idx(f)][idx(v)]++;
      }
    }
    for (size_t i = 0; i < w_.folio_slots(); i++) {
      const Folio& f = w_.folio(FolioId{static_cast<uint32_t>(i)});
      if (!f.alive) continue;
      out_ += fmt::format("  folio{} [shape=component, label={}];\n", i,
                          label_lines({fmt::format("folio {}", i), fmt::format("pfn {} order {}", idx(f.pfn), f.order),
                                       fmt::format("index {}{}", hex(f.index), f.in_swapcache ? " swapcache" : "")}));
      const std::string target = mapping_node(f.mapping);
      if (!target.empty()) out_ += fmt::format("  folio{} -> {} [style=bold, label=\"mapping\"];\n", i, target);
      for (auto [vma, pages] : mapped_by[static_cast<uint32_t>(i)])
        out_ += fmt::format("  vma{} -> folio{} [color=grey, label=\"{} page{}\"];\n", vma, i, pages, pages == 1 ? "" : "s");
    }
  }

  const World& w_;
  const AnonVmaForest* forest_ = nullptr;
  const LazyPolicy* lazy_ = nullptr;
  bool cowctx_ = false;
  std::set<VmaId> zombies_;
  std::set<std::string> contexts_;
  std::string out_;
};

}  // namespace

std::string world_dot(const World& world, const std::string& title) { return DotWriter(world, title).finish(); }

}  // namespace rmc::memory
