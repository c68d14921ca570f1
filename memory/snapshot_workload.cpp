// snapshot_workload.cpp - fork forest and rebuilt address spaces of a
// snapshot (snapshot_workload.h).
#include "memory/snapshot_workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "model/core/bounds.h"

namespace rmc::memory {

namespace {

// Ancestors looked at per process (ppid chains are short; this bounds loops).
constexpr uint32_t kMaxAncestors = 64;
constexpr PageNo kArenaStart = 0x100;
constexpr uint8_t kRw = kProtRead | kProtWrite;

bool share_a_page(const SnapshotProcess& a, const SnapshotProcess& b) {
  auto i = a.shared_pfns.begin(), j = b.shared_pfns.begin();
  while (i != a.shared_pfns.end() && j != b.shared_pfns.end()) {
    if (*i == *j) return true;
    if (*i < *j) ++i;
    else ++j;
  }
  return false;
}

// Where each VMA of a process sits in the arena, by its real range.
struct Placed {
  PageNo addr = 0;
  uint8_t prot = 0;
  bool faulted = false;
};
using Layout = std::map<std::pair<uint64_t, uint64_t>, Placed>;

std::pair<uint64_t, uint64_t> range_of(const SnapshotVma& v) { return {v.start, v.end}; }

// Own VMAs in runs: adjacent faulted private VMAs whose protections differ
// and that could have been one VMA (both anonymous, or the same file at
// contiguous offsets: a library's RELRO and .data) stay together: one VMA
// split by mprotect in the model, sharing its anon_vma as in the kernel
// (split, or find_mergeable_anon_vma's neighbour reuse).
std::vector<std::vector<const SnapshotVma*>> runs_of(const std::vector<const SnapshotVma*>& own) {
  std::vector<std::vector<const SnapshotVma*>> runs;
  for (const SnapshotVma* v : own) {
    auto joinable = [&](const SnapshotVma* prev) {
      const bool one_object = (prev->anonymous && v->anonymous) ||
                              (prev->file == v->file && v->offset == prev->offset + (prev->end - prev->start));
      return prev->end == v->start && prev->faulted && v->faulted && one_object && !prev->shared && !v->shared &&
             prev->prot != v->prot;
    };
    if (!runs.empty() && joinable(runs.back().back())) runs.back().push_back(v);
    else runs.push_back({v});
  }
  return runs;
}

PageNo run_pages(const std::vector<std::vector<const SnapshotVma*>>& runs) {
  PageNo pages = 0;
  for (const auto& run : runs) pages += run.size() + 1;  // + the gap
  return pages;
}

class Builder {
 public:
  Builder(const Snapshot& s, const ForkForest& forest) : s_(s), forest_(forest), children_(s.processes.size()) {
    for (size_t i = 0; i < s.processes.size(); i++)
      if (forest.parent[i] >= 0) children_[static_cast<size_t>(forest.parent[i])].push_back(i);
  }

  SnapshotWorkload build() {
    SnapshotWorkload out;
    out.workload.name = "snapshot";
    for (size_t i = 0; i < s_.processes.size(); i++) {
      if (forest_.parent[i] >= 0) continue;
      std::vector<PageNo> band_pages;
      own_sizes(i, nullptr, 0, band_pages);
      PageNo total = 0;
      for (PageNo pages : band_pages) total += pages;
      uint64_t processes = 0, vmas = 0;
      count_tree(i, processes, vmas);
      if (kArenaStart + total > kArenaPages) {
        out.skipped_processes += processes;
        out.skipped_vmas += vmas;
        out.notes.push_back(fmt::format("pid {} ({}) and its {} forked descendants: {} VMAs do not fit in the arena",
                                        s_.processes[i].pid, s_.processes[i].comm, processes - 1, vmas));
        continue;
      }
      band_start_.assign(band_pages.size(), kArenaStart);
      for (size_t d = 1; d < band_pages.size(); d++) band_start_[d] = band_start_[d - 1] + band_pages[d - 1];
      out.vmas += vmas;
      out.workload.roots.push_back(plan(i, nullptr, 0));
    }
    out.workload.description = fmt::format("this machine's {} processes, rebuilt (snapshot_workload.h)",
                                           process_count(out.workload));
    return out;
  }

 private:
  // Splits a process's VMAs into kept (same range as one of the parent's)
  // and own.
  void split(size_t i, const Layout* parent, std::vector<const SnapshotVma*>& kept,
             std::vector<const SnapshotVma*>& own) const {
    for (const SnapshotVma& v : s_.processes[i].vmas)
      (parent && parent->count(range_of(v)) ? kept : own).push_back(&v);
  }

  // Pages each depth's band needs: the most any process at that depth
  // needs for its own VMAs. The parent layout only matters by its ranges.
  void own_sizes(size_t i, const Layout* parent, uint32_t depth, std::vector<PageNo>& band_pages) const {
    std::vector<const SnapshotVma*> kept, own;
    split(i, parent, kept, own);
    if (band_pages.size() <= depth) band_pages.resize(depth + 1, 0);
    band_pages[depth] = std::max(band_pages[depth], run_pages(runs_of(own)));
    Layout mine;
    for (const SnapshotVma& v : s_.processes[i].vmas) mine[range_of(v)] = {};
    for (size_t c : children_[i]) own_sizes(c, &mine, depth + 1, band_pages);
  }

  void count_tree(size_t i, uint64_t& processes, uint64_t& vmas) const {
    processes++;
    vmas += s_.processes[i].vmas.size();
    for (size_t c : children_[i]) count_tree(c, processes, vmas);
  }

  ProcessPlan plan(size_t i, const Layout* parent, uint32_t depth) {
    const SnapshotProcess& p = s_.processes[i];
    ProcessPlan plan;
    plan.name = fmt::format("pid {} ({})", p.pid, p.comm);
    std::vector<const SnapshotVma*> kept, own;
    split(i, parent, kept, own);
    Layout mine;
    auto& ops = plan.ops;
    if (parent) {
      // The parent's VMAs this process does not have: unmapped.
      std::set<std::pair<uint64_t, uint64_t>> has;
      for (const SnapshotVma* v : kept) has.insert(range_of(*v));
      for (const auto& [range, placed] : *parent)
        if (!has.count(range)) ops.push_back(op_munmap(placed.addr, 1));
      for (const SnapshotVma* v : kept) {
        const Placed& inherited = parent->at(range_of(*v));
        uint8_t prot = inherited.prot;
        if (v->faulted && !inherited.faulted) {
          if (!(prot & kProtWrite)) ops.push_back(op_mprotect(inherited.addr, 1, prot = kRw));
          ops.push_back(op_write(inherited.addr, 1));
        }
        if (prot != v->prot) ops.push_back(op_mprotect(inherited.addr, 1, v->prot));
        mine[range_of(*v)] = {inherited.addr, v->prot, v->faulted || inherited.faulted};
      }
    }
    PageNo at = band_start_[depth];
    for (const auto& run : runs_of(own)) {
      const bool faulted = run.front()->faulted;
      ops.push_back(op_mmap(at, run.size(), faulted ? kRw : run.front()->prot));
      for (size_t k = 0; k < run.size(); k++) {
        if (faulted) ops.push_back(op_write(at + k, 1));
        if (faulted && run[k]->prot != kRw) ops.push_back(op_mprotect(at + k, 1, run[k]->prot));
        mine[range_of(*run[k])] = {at + k, run[k]->prot, faulted};
      }
      at += run.size() + 1;
    }
    for (size_t c : children_[i]) plan.children.push_back(this->plan(c, &mine, depth + 1));
    return plan;
  }

  const Snapshot& s_;
  const ForkForest& forest_;
  std::vector<std::vector<size_t>> children_;
  std::vector<PageNo> band_start_;
};

}  // namespace

ForkForest infer_fork_forest(const Snapshot& s) {
  ForkForest forest;
  const size_t n = s.processes.size();
  forest.parent.assign(n, -1);
  std::unordered_map<int, size_t> by_pid;
  for (size_t i = 0; i < n; i++) by_pid[s.processes[i].pid] = i;
  for (size_t i = 0; i < n; i++) {
    if (s.processes[i].shared_pfns.empty()) continue;
    int ppid = s.processes[i].ppid;
    for (uint32_t step = 0; step < kMaxAncestors; step++) {
      auto it = by_pid.find(ppid);
      if (it == by_pid.end() || it->second == i) break;
      if (share_a_page(s.processes[i], s.processes[it->second])) {
        forest.parent[i] = static_cast<int>(it->second);
        break;
      }
      ppid = s.processes[it->second].ppid;
    }
  }
  // Depth, and roots sharing pages with another tree (a parent that exited).
  std::vector<size_t> root(n);
  for (size_t i = 0; i < n; i++) {
    uint32_t depth = 1;
    size_t r = i;
    while (forest.parent[r] >= 0 && depth <= kMaxAncestors) {
      r = static_cast<size_t>(forest.parent[r]);
      depth++;
    }
    root[i] = r;
    forest.depth = std::max(forest.depth, depth);
  }
  std::map<uint64_t, size_t> first_tree_of_pfn;
  std::vector<bool> orphan(n, false);
  for (size_t i = 0; i < n; i++)
    for (uint64_t pfn : s.processes[i].shared_pfns) {
      auto [it, inserted] = first_tree_of_pfn.emplace(pfn, root[i]);
      if (!inserted && it->second != root[i]) orphan[root[i]] = true;
    }
  for (size_t i = 0; i < n; i++) forest.orphans += orphan[i];
  return forest;
}

SnapshotWorkload snapshot_workload(const Snapshot& snapshot, const ForkForest& forest) {
  return Builder(snapshot, forest).build();
}

}  // namespace rmc::memory
