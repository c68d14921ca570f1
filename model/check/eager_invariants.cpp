// eager_invariants.cpp - I1-I3, I5-I9, I11 for the eager anon_vma design.
#include "model/check/eager_invariants.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"
#include "model/eager/anon_vma_view.h"

namespace rmc {

namespace {

void add(std::vector<Violation>& out, const char* property, std::string message) {
  out.push_back(Violation{property, std::move(message)});
}

std::string av_name(AnonVmaId id) { return fmt::format("av{}", idx(id)); }

bool av_valid(const AnonVmaView& p, AnonVmaId id) { return p.forest.valid(id); }

// The anon_vmas of a VMA's chain, sorted (a set).
std::vector<AnonVmaId> chain_set(const AnonVmaView& p, VmaId vma) {
  std::vector<AnonVmaId> set;
  for (AvcId avc : p.forest.chain(vma)) set.push_back(p.forest.avc(avc).anon_vma);
  std::sort(set.begin(), set.end());
  return set;
}

// forest.in_chain(vma, av) for the VMA's chain already in hand: the checks
// ask it for every entry and AVC of a VMA.
bool in_chain(const AnonVmaView& p, const std::vector<AvcId>& chain, AnonVmaId av) {
  for (AvcId avc : chain)
    if (p.forest.avc(avc).anon_vma == av) return true;
  return false;
}

// Calls fn(vma, first, last) for every VMA of every live process with the
// page-table entries inside it, [first, last). The page tables and the VMA
// list are both sorted, so one pass over each finds every VMA's entries.
// That holds while each VMA is non-empty and starts at or after the end of
// the one before; from a VMA that breaks it on (a vma-layout violation),
// each VMA's entries are looked up on their own, as PageTable::range does.
template <class Fn>
void for_each_vma_entries(const World& w, Fn&& fn) {
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    const auto& entries = proc.pt.entries();
    const PageTable::Entry* next = entries.data();
    const PageTable::Entry* const end = entries.data() + entries.size();
    bool sorted = true;
    PageNo prev_end = 0;
    for (VmaId id : proc.vmas) {
      const Vma& v = w.vma(id);
      sorted = sorted && v.start < v.end && v.start >= prev_end;
      prev_end = v.end;
      if (!sorted) {
        auto [first, last] = proc.pt.range(v.start, v.end);
        fn(v, first, last);
        continue;
      }
      while (next != end && next->page < v.start) ++next;
      const PageTable::Entry* first = next;
      while (next != end && next->page < v.end) ++next;
      fn(v, first, next);
    }
  }
}

// The folio an entry refers to for I3/I5: present and migration entries, and
// swap entries whose folio is in the swap cache. kNoFolio otherwise.
FolioId entry_folio(const World& w, const Pte& pte) {
  if (pte.kind == PteKind::kPresent || pte.kind == PteKind::kMigration) {
    if (pte.target == 0 || pte.target >= w.pfn_slots()) return kNoFolio;
    return w.folio_of(pte.pfn());
  }
  if (pte.kind == PteKind::kSwap && pte.target < w.swap_slots()) return w.slot(pte.slot()).cache;
  return kNoFolio;
}

// I3 and I5 for the entries [first, last) of one VMA: both ask every entry
// for its folio and that folio's anon_vma, so one pass answers both. Each
// reports into its own output; a null output skips that invariant. I11
// reports I3 of a merged VMA as its own property (`i3_property`).
void check_entries_in(const World& w, const AnonVmaView& p, const Vma& v, const PageTable::Entry* first,
                      const PageTable::Entry* last, std::vector<Violation>* i3, std::vector<Violation>* i5,
                      const char* i3_property = "I3") {
  if (first == last) return;
  const auto& chain = p.forest.chain(v.id);
  const bool linked = p.linked(v);
  // The VMA's own anon_vma (or its chain's newest), read once per VMA and
  // only if an entry needs it (an unlinked VMA has no chain to read).
  AnonVmaId own = kNoAnonVma;
  bool own_read = false;
  for (const auto* e = first; e != last; ++e) {
    FolioId f = entry_folio(w, e->pte);
    if (f == kNoFolio || !w.folio(f).alive) continue;
    const AnonVmaId av = p.mapping(w.folio(f).mapping);
    if (av == kNoAnonVma) continue;  // not an anon_vma mapping (another design's state)
    if (i3 && !in_chain(p, chain, av))
      add(*i3, i3_property, fmt::format("{}:{} maps folio {} whose anon_vma {} is not in the chain of VMA {} [{}, {})",
                                        process_name(v.mm), hex(e->page), idx(f), av_name(av), idx(v.id), hex(v.start),
                                        hex(v.end)));
    if (!i5) continue;
    if (!linked) {
      add(*i5, "I5", fmt::format("{}:{} maps folio {} of {} in VMA {}, which is linked to no anon_vma",
                                 process_name(v.mm), hex(e->page), idx(f), av_name(av), idx(v.id)));
      continue;
    }
    if (!own_read) {
      own = p.own(v);
      if (own == kNoAnonVma) own = p.forest.avc(chain.front()).anon_vma;
      own_read = true;
    }
    if (!av_valid(p, av) || !av_valid(p, own)) continue;  // I8
    if (p.forest.anon_vma(av).root != p.forest.anon_vma(own).root)
      add(*i5, "I5", fmt::format("{}:{}: folio {} has root {} but VMA {} has root {}", process_name(v.mm), hex(e->page),
                                 idx(f), av_name(p.forest.anon_vma(av).root), idx(v.id),
                                 av_name(p.forest.anon_vma(own).root)));
  }
}

// ---- the forest invariants, one VMA at a time ----------------------------
// Each takes the VMA's chain already in hand (every one of them asks for it).

void i1_vma(const AnonVmaView& p, const Vma& v, const std::vector<AvcId>& chain, std::vector<Violation>& out) {
  const AnonVmaId own = p.own(v);
  if (p.linked(v) != !chain.empty()) {
    add(out, "I1", fmt::format("VMA {}: anon_vma {} but a chain of {} AVCs", idx(v.id),
                               own != kNoAnonVma ? av_name(own) : "NULL", chain.size()));
    return;
  }
  if (chain.empty()) return;
  if (own != kNoAnonVma && !in_chain(p, chain, own))
    add(out, "I1", fmt::format("VMA {}: own {} is not in its chain", idx(v.id), av_name(own)));
  const AnonVmaId anchor = own != kNoAnonVma ? own : p.forest.avc(chain.front()).anon_vma;
  if (!av_valid(p, anchor)) return;
  const AnonVmaId root = p.forest.anon_vma(anchor).root;
  bool root_seen = false;
  for (AvcId avc : chain) {
    AnonVmaId av = p.forest.avc(avc).anon_vma;
    if (!av_valid(p, av)) continue;  // I8
    if (p.forest.anon_vma(av).root != root)
      add(out, "I1", fmt::format("VMA {}: chain mixes roots {} and {}", idx(v.id), av_name(root), av_name(p.forest.anon_vma(av).root)));
    root_seen |= av == root;
  }
  if (!root_seen) add(out, "I1", fmt::format("VMA {}: root {} is not in its chain", idx(v.id), av_name(root)));
}

// I2: which AVCs are in a tree (in_a_tree, filled before the VMAs are
// visited), and which are in the list of their VMA (in_a_list).
void i2_trees(const AnonVmaView& p, std::vector<uint8_t>& in_a_tree, std::vector<Violation>& out) {
  for (size_t i = 0; i < p.forest.anon_vma_slots(); i++) {
    const AnonVma& av = p.forest.anon_vma(AnonVmaId{static_cast<uint32_t>(i)});
    if (!av.alive && !av.tree.empty()) add(out, "I2", fmt::format("freed {} still has a tree", av_name(av.id)));
    for (size_t k = 0; k < av.tree.size(); k++) {
      const Avc& avc = p.forest.avc(av.tree[k]);
      if (avc.anon_vma == av.id) in_a_tree[idx(avc.id)] = 1;
      else add(out, "I2", fmt::format("{}: tree holds AVC {} of {}", av_name(av.id), idx(avc.id), av_name(avc.anon_vma)));
      if (k > 0 && p.forest.avc(av.tree[k - 1]).first > avc.first)
        add(out, "I2", fmt::format("{}: tree out of order at AVC {}", av_name(av.id), idx(avc.id)));
    }
  }
}

void i2_vma(const AnonVmaView& p, const Vma& v, const std::vector<AvcId>& chain, const std::vector<uint8_t>& in_a_tree,
            std::vector<uint8_t>& in_a_list, std::vector<Violation>& out) {
  for (AvcId id : chain) {
    const Avc& avc = p.forest.avc(id);
    if (!avc.alive || avc.vma != v.id) {
      add(out, "I2", fmt::format("VMA {}: chain holds AVC {} of VMA {} (alive {})", idx(v.id), idx(id), idx(avc.vma), avc.alive));
      continue;
    }
    in_a_list[idx(id)] = 1;
    if (!av_valid(p, avc.anon_vma)) continue;  // I8
    if (!avc.in_tree || !in_a_tree[idx(id)])
      add(out, "I2", fmt::format("VMA {}: AVC {} is not in the tree of {}", idx(v.id), idx(id), av_name(avc.anon_vma)));
    const PageNo last = geom::vma_last_pgoff(v.start, v.end, v.pgoff);
    if (avc.first != v.pgoff || avc.last != last)
      add(out, "I2", fmt::format("VMA {}: AVC {} is keyed [{}, {}] in {} but the VMA spans [{}, {}]", idx(v.id), idx(id),
                                 hex(avc.first), hex(avc.last), av_name(avc.anon_vma), hex(v.pgoff), hex(last)));
  }
}

void i2_unlisted(const AnonVmaView& p, const std::vector<uint8_t>& in_a_tree, const std::vector<uint8_t>& in_a_list,
                 std::vector<Violation>& out) {
  for (size_t i = 0; i < p.forest.avc_slots(); i++)
    if (in_a_tree[i] && !in_a_list[i])
      add(out, "I2", fmt::format("AVC {} is in the tree of {} but not in the list of a live VMA", i,
                                 av_name(p.forest.avc(AvcId{static_cast<uint32_t>(i)}).anon_vma)));
}

// I7: `active` counts the VMAs that own each anon_vma (from the VMA visits).
void i7_counters(const AnonVmaView& p, const std::vector<int32_t>& active, std::vector<Violation>& out) {
  const size_t n = p.forest.anon_vma_slots();
  thread_local std::vector<int32_t> children, refs;  // reused: checks run every step
  children.assign(n, 0);
  refs.assign(n, 0);
  for (size_t i = 0; i < n; i++) {
    const AnonVma& av = p.forest.anon_vma(AnonVmaId{static_cast<uint32_t>(i)});
    if (!av.alive) continue;
    const bool is_root = av.root == av.id;
    refs[i] += av.migration_refs;
    if (!av.tree.empty()) {
      refs[i]++;
      // A child counts while its tree is non-empty; a root counts itself.
      if (idx(av.parent) < n) children[idx(av.parent)]++;
    }
    if (!is_root && idx(av.root) < n) refs[idx(av.root)]++;
  }
  for (size_t i = 0; i < n; i++) {
    const AnonVma& av = p.forest.anon_vma(AnonVmaId{static_cast<uint32_t>(i)});
    if (!av.alive) continue;
    if (av.num_active_vmas != active[i])
      add(out, "I7", fmt::format("{}: num_active_vmas {} but {} VMAs use it", av_name(av.id), av.num_active_vmas, active[i]));
    if (av.num_children != children[i])
      add(out, "I7", fmt::format("{}: num_children {} but counts {}", av_name(av.id), av.num_children, children[i]));
    if (av.refcount != refs[i])
      add(out, "I7", fmt::format("{}: refcount {} but {} references", av_name(av.id), av.refcount, refs[i]));
  }
}

void i8_vma(const AnonVmaView& p, const Vma& v, const std::vector<AvcId>& chain, std::vector<Violation>& out) {
  const AnonVmaId own = p.own(v);
  if (own != kNoAnonVma && !av_valid(p, own))
    add(out, "I8", fmt::format("VMA {} uses freed anon_vma {}", idx(v.id), av_name(own)));
  for (AvcId id : chain) {
    const Avc& avc = p.forest.avc(id);
    if (!avc.alive) add(out, "I8", fmt::format("VMA {} lists freed AVC {}", idx(v.id), idx(id)));
    else if (!av_valid(p, avc.anon_vma)) add(out, "I8", fmt::format("AVC {} of VMA {} links freed {}", idx(id), idx(v.id), av_name(avc.anon_vma)));
  }
}

void i8_trees_and_folios(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  for (size_t i = 0; i < p.forest.anon_vma_slots(); i++) {
    const AnonVma& av = p.forest.anon_vma(AnonVmaId{static_cast<uint32_t>(i)});
    if (!av.alive) continue;
    for (AvcId id : av.tree) {
      const Avc& avc = p.forest.avc(id);
      if (!avc.alive || !w.vma(avc.vma).alive)
        add(out, "I8", fmt::format("{}: tree links AVC {} of freed VMA {}", av_name(av.id), idx(id), idx(avc.vma)));
    }
  }
  // A folio that can still be reached (mapped, or cached for a swap entry)
  // must not point at a freed anon_vma.
  for (size_t i = 0; i < w.folio_slots(); i++) {
    const Folio& f = w.folio(FolioId{static_cast<uint32_t>(i)});
    if (!f.alive) continue;
    const AnonVmaId av = p.mapping(f.mapping);
    if (av == kNoAnonVma) continue;
    const bool reachable = f.mapcount > 0 || (f.in_swapcache && w.slot(f.swap).count > 0);
    if (reachable && !av_valid(p, av))
      add(out, "I8", fmt::format("folio {} (pfn {}, {}) points at freed {}", i, idx(f.pfn),
                                 f.mapcount > 0 ? "mapped" : "in the swap cache", av_name(av)));
  }
}

void i9_anon_vmas(const AnonVmaView& p, std::vector<Violation>& out) {
  for (size_t i = 0; i < p.forest.anon_vma_slots(); i++) {
    const AnonVma& av = p.forest.anon_vma(AnonVmaId{static_cast<uint32_t>(i)});
    if (!av.alive || av.root == av.id) continue;
    // Only the root is refcounted (anon_vma_fork's get_anon_vma(root)). An
    // anon_vma whose tree is empty, kept by a migration's folio_get_anon_vma,
    // has left its parent (unlink_anon_vmas: parent->num_children--), which
    // may be freed first; only its root must live.
    if (av.tree.empty() && av.migration_refs > 0) {
      if (!av_valid(p, av.root)) add(out, "I9", fmt::format("{}: root {} is freed", av_name(av.id), av_name(av.root)));
      continue;
    }
    if (!av_valid(p, av.root) || !av_valid(p, av.parent)) {
      add(out, "I9", fmt::format("{}: root {} or parent {} is freed", av_name(av.id), av_name(av.root), av_name(av.parent)));
      continue;
    }
    if (p.forest.anon_vma(av.parent).root != av.root)
      add(out, "I9", fmt::format("{}: parent {} has another root", av_name(av.id), av_name(av.parent)));
    // The parent chain reaches the root within as many steps as there are anon_vmas.
    AnonVmaId cursor = av.id;
    size_t steps = 0;
    while (cursor != av.root && steps <= p.forest.anon_vma_slots() && av_valid(p, cursor)) {
      cursor = p.forest.anon_vma(cursor).parent;
      steps++;
    }
    if (cursor != av.root) add(out, "I9", fmt::format("{}: parent chain does not reach root {}", av_name(av.id), av_name(av.root)));
  }
}

void i9_vma(const AnonVmaView& p, const Vma& v, const std::vector<AvcId>& chain, std::vector<Violation>& out) {
  for (AvcId id : chain) {
    AnonVmaId av = p.forest.avc(id).anon_vma;
    if (!av_valid(p, av) || p.forest.anon_vma(av).root == av) continue;
    if (!in_chain(p, chain, p.forest.anon_vma(av).parent))
      add(out, "I9", fmt::format("VMA {}: chain holds {} but not its parent {}", idx(v.id), av_name(av), av_name(p.forest.anon_vma(av).parent)));
  }
}

// Where the forest invariants report; a null output skips that invariant.
struct ForestChecks {
  std::vector<Violation>* i1 = nullptr;
  std::vector<Violation>* i2 = nullptr;
  std::vector<Violation>* i3 = nullptr;
  std::vector<Violation>* i5 = nullptr;
  std::vector<Violation>* i7 = nullptr;
  std::vector<Violation>* i8 = nullptr;
  std::vector<Violation>* i9 = nullptr;
};

// The invariants asked for in `c`, in one visit of every VMA of every live
// process (with its page-table entries for I3 and I5): each used to walk
// the VMAs on its own, and the walks, not the few objects of a fuzzed
// world, were the cost. The parts over anon_vmas, AVCs and folios run
// before or after the visit, as each invariant ran them; every invariant
// reports into its own output, so its reports are what it reported alone.
void check_forest(const World& w, const AnonVmaView& p, const ForestChecks& c) {
  thread_local std::vector<uint8_t> in_a_tree, in_a_list;  // I2
  thread_local std::vector<int32_t> active;                // I7
  if (c.i2) {
    in_a_tree.assign(p.forest.avc_slots(), 0);
    in_a_list.assign(p.forest.avc_slots(), 0);
    i2_trees(p, in_a_tree, *c.i2);
  }
  if (c.i7) active.assign(p.forest.anon_vma_slots(), 0);
  if (c.i9) i9_anon_vmas(p, *c.i9);
  for_each_vma_entries(w, [&](const Vma& v, const PageTable::Entry* first, const PageTable::Entry* last) {
    const auto& chain = p.forest.chain(v.id);
    if (c.i1) i1_vma(p, v, chain, *c.i1);
    if (c.i2) i2_vma(p, v, chain, in_a_tree, in_a_list, *c.i2);
    if (c.i3 || c.i5) check_entries_in(w, p, v, first, last, c.i3, c.i5);
    if (c.i7) {
      const AnonVmaId own = p.own(v);
      if (own != kNoAnonVma && idx(own) < active.size()) active[idx(own)]++;
    }
    if (c.i8) i8_vma(p, v, chain, *c.i8);
    if (c.i9) i9_vma(p, v, chain, *c.i9);
  });
  if (c.i2) i2_unlisted(p, in_a_tree, in_a_list, *c.i2);
  if (c.i7) i7_counters(p, active, *c.i7);
  if (c.i8) i8_trees_and_folios(w, p, *c.i8);
}

// The reports of the invariants check_forest ran into buffers of their own.
struct ForestReports {
  std::vector<Violation> i2, i3, i5, i7, i8, i9;
  void clear() {
    for (auto* v : {&i2, &i3, &i5, &i7, &i8, &i9}) v->clear();
  }
};

}  // namespace

void check_i1_chain_own(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i1 = &out});
}

void check_i2_tree_mirror(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i2 = &out});
}

void check_i3_reachability(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i3 = &out});
}

void check_i5_same_root(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i5 = &out});
}

void check_i3_and_i5(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  thread_local std::vector<Violation> i5;  // after all of I3's, as if run one after the other
  i5.clear();
  check_forest(w, p, {.i3 = &out, .i5 = &i5});
  append_reports(out, i5);
}

void check_i6_equal_own_equal_chain(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  // (a) within one mm, VMAs sharing an anon_vma have the same chain set;
  // (b) an anon_vma is the own anon_vma of VMAs of one mm only: fork reuses
  //     an anon_vma only when no VMA uses it (num_active_vmas == 0), and
  //     neighbour reuse, split and merge stay inside the mm. CVE-2022-42703
  //     broke (b) first, then (a).
  thread_local std::vector<std::pair<AnonVmaId, VmaId>> by_own;
  by_own.clear();
  for (uint8_t pid = 0; pid < kMaxProcesses; pid++) {
    const Process& proc = w.proc(ProcessId{pid});
    if (!proc.live()) continue;
    for (VmaId id : proc.vmas) {
      const AnonVmaId own = p.own(w.vma(id));
      if (own != kNoAnonVma) by_own.push_back({own, id});
    }
  }
  std::sort(by_own.begin(), by_own.end(), [&](const auto& a, const auto& b) {
    return std::tie(a.first, w.vma(a.second).mm, a.second) < std::tie(b.first, w.vma(b.second).mm, b.second);
  });
  for (size_t i = 1; i < by_own.size(); i++) {
    if (by_own[i].first != by_own[i - 1].first) continue;
    const Vma& a = w.vma(by_own[i - 1].second);
    const Vma& b = w.vma(by_own[i].second);
    const std::string av = av_name(by_own[i].first);
    if (a.mm != b.mm) {
      add(out, "I6", fmt::format("{} is the anon_vma of VMA {} in {} and of VMA {} in {}: reused while still in use",
                                 av, idx(a.id), process_name(a.mm), idx(b.id), process_name(b.mm)));
    } else if (chain_set(p, a.id) != chain_set(p, b.id)) {
      add(out, "I6", fmt::format("{}: VMAs {} and {} share anon_vma {} but have different chains ({} vs {} AVCs)",
                                 process_name(a.mm), idx(a.id), idx(b.id), av, p.forest.chain(a.id).size(), p.forest.chain(b.id).size()));
    }
  }
}

void check_i7_counters(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i7 = &out});
}

void check_i8_lifetime(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i8 = &out});
}

void check_i9_fork_tree(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_forest(w, p, {.i9 = &out});
}

void check_i11_merge_soundness(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  for (VmaId id : w.events().merged) {
    const Vma& v = w.vma(id);
    if (!v.alive) continue;
    auto [first, last] = w.proc(v.mm).pt.range(v.start, v.end);
    check_entries_in(w, p, v, first, last, &out, nullptr, "I11");
    for (const auto* e = first; e != last; ++e) {
      FolioId f = entry_folio(w, e->pte);
      if (f == kNoFolio || !w.folio(f).alive) continue;
      uint32_t subpage = e->pte.kind == PteKind::kSwap ? 0 : e->pte.target - idx(w.folio(f).pfn);
      if (w.folio(f).index + subpage != geom::linear_page_index(v.start, v.pgoff, e->page))
        add(out, "I11", fmt::format("{}:{}: after the merge into VMA {} the folio index no longer fits", process_name(v.mm), hex(e->page), idx(id)));
    }
  }
}

namespace {

// I1-I3, I5, I6 (if asked), I7-I9 and I11, reported in that order.
void check_all(const World& w, const AnonVmaView& p, bool i6, std::vector<Violation>& out) {
  thread_local ForestReports r;  // reused: checks run every step
  r.clear();
  check_forest(w, p, {.i1 = &out, .i2 = &r.i2, .i3 = &r.i3, .i5 = &r.i5, .i7 = &r.i7, .i8 = &r.i8, .i9 = &r.i9});
  for (auto* reports : {&r.i2, &r.i3, &r.i5}) append_reports(out, *reports);
  if (i6) check_i6_equal_own_equal_chain(w, p, out);
  for (auto* reports : {&r.i7, &r.i8, &r.i9}) append_reports(out, *reports);
  check_i11_merge_soundness(w, p, out);
}

}  // namespace

void check_eager_invariants(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_all(w, p, /*i6=*/true, out);
}

void check_forest_invariants(const World& w, const AnonVmaView& p, std::vector<Violation>& out) {
  check_all(w, p, /*i6=*/false, out);
}

}  // namespace rmc
