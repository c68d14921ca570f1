// cow_context_policy.h - Lorenzo Stoakes' "COW context" design
// (lazy-design.md 2(d); the project/cow-context PoC, LSF/MM/BPF 2026).
//
// No anon_vma, no anon_vma_chain. Every mm has a cow_context whose parent is
// the context of the mm it was forked from; a context outlives its mm while
// children or folios refer to it. vma->anon_vma degenerates to a "faulted"
// marker. A folio records the context of the mm that created it
// (folio->cow_context) and its linear index; COW reuse moves it to the
// reusing mm's context. The rmap walk visits the folio's context and every
// descendant: in each live mm, the faulted VMAs whose page offsets cover the
// folio (offset 0, or a remapped offset recorded for moved VMAs: the model
// derives the remap tracking from the VMAs, i.e. it is exact).
// The open point is an option: cowctx.shared_swapin (options.h).
#pragma once

#include <array>
#include <vector>

#include "model/core/bounds.h"
#include "model/core/rmap_policy.h"
#include "model/core/violation.h"

namespace rmc {

class CowContextPolicy final : public RmapPolicy {
 public:
  std::string_view name() const override { return "cowctx"; }
  void reset() override;

  void prepare(World& w, VmaId vma) override;
  void clone(World& /*w*/, VmaId /*dst*/, VmaId /*src*/) override {}
  void fork(World& w, VmaId child, VmaId parent) override;
  void unlink(World& w, VmaId vma) override;
  void range_will_change(World& /*w*/, VmaId /*vma*/) override {}
  void range_changed(World& /*w*/, VmaId /*vma*/) override {}
  bool is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon, VmaId middle,
                         VmaId copied_from) const override;
  void set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) override;
  void move_anon(World& w, FolioId folio, VmaId vma) override;
  bool swapcache_folio_fits(const World& w, FolioId folio, VmaId vma, PageNo addr) const override;
  void fork_mm(World& w, ProcessId parent, ProcessId child) override;
  void exit_mm(World& w, ProcessId pid) override;
  void rmap_walk(const World& w, FolioId folio, RmapWalk& out) const override;
  RmapObjectCounts counts(const World& w) const override { return {0, 0, 0, live_contexts(w)}; }
  std::string describe_anon(const World& w, VmaId vma) const override;
  std::string describe_mapping(const World& w, MappingWord mapping) const override;
  void check(const World& w, std::vector<Violation>& out) const override;

  // The context of a live process (created at its first use), and whether
  // context `ancestor` is `ctx` or one of its ancestors.
  uint32_t context_of(ProcessId pid);
  bool descends_from(uint32_t ctx, uint32_t ancestor) const;
  // Contexts allocated now: their mm is live, or a folio or a live child
  // context refers to them.
  uint64_t live_contexts(const World& w) const;

 private:
  struct Context {
    ProcessId mm{0};
    bool mm_live = true;
    int64_t parent = -1;  // index into contexts_, -1 for a root
  };
  static constexpr uint32_t kNoContext = UINT32_MAX;
  std::vector<Context> contexts_;
  std::array<uint32_t, kMaxProcesses> context_of_pid_{};
};

}  // namespace rmc
