// rmap_policy.h - the seam between the shared mm machinery and one design of
// anonymous reverse mapping.
//
// The World (model/core) does what mm/vma.c, mm/memory.c, mm/mremap.c and
// kernel/fork.c do with VMAs, page tables and folios. At each point where the
// kernel calls into the anon rmap code (anon_vma_prepare, anon_vma_clone,
// anon_vma_fork, unlink_anon_vmas, is_mergeable_anon_vma, __folio_set_anon,
// folio_move_anon_rmap, rmap_walk_anon, ...) it calls this interface instead.
// A design (eager anon_vma, the lazy series, COW context, ...) is one
// implementation of it. The words Vma::anon and Folio::mapping belong to the
// policy, exactly as vma->anon_vma and folio->mapping belong to rmap.c.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/core/page_table.h"
#include "model/core/types.h"

namespace rmc {

class World;
struct Violation;

// Live objects a design allocates for anon rmap, for accounting and JSON.
struct RmapObjectCounts {
  uint64_t anon_vmas = 0;
  uint64_t avcs = 0;
  uint64_t zombie_vmas = 0;  // VMA structs kept after their unmapping (lazy roots)
  uint64_t contexts = 0;     // COW contexts (cowctx)
};

// What one rmap walk visited: for every VMA, the address at which the folio's
// page offset `index` would sit there (vma_address). The World then checks
// that VMA's page tables (page_vma_mapped_walk). Problems the walk itself
// hits (a dangling folio->mapping, ...) are reported as faults.
struct RmapWalk {
  struct Visit {
    VmaId vma;
    PageNo index_address;  // address of page offset folio->index in `vma`
  };
  std::vector<Visit> visits;
  std::vector<std::string> faults;
  void clear() {
    visits.clear();
    faults.clear();
  }
};

class RmapPolicy {
 public:
  virtual ~RmapPolicy() = default;
  virtual std::string_view name() const = 0;
  virtual void reset() = 0;

  // anon_vma_prepare(vma): give an unfaulted VMA its anon state before the
  // first anonymous folio is added to it. No-op if vma->anon is set.
  virtual void prepare(World& w, VmaId vma) = 0;
  // A second thread's first fault that read vma->anon before the first
  // thread's `prepare` stored it (S20, World::fault_race). Mainline's
  // __anon_vma_prepare tests again under mm->page_table_lock and frees the
  // anon_vma it allocated, so the default does nothing.
  virtual void prepare_raced(World& /*w*/, VmaId /*vma*/) {}
  // anon_vma_clone(dst, src) for split, copy_vma and dup_anon_vma: the World
  // has already copied src->anon into dst->anon.
  virtual void clone(World& w, VmaId dst, VmaId src) = 0;
  // anon_vma_fork(child, parent): child->anon is a copy of parent->anon when
  // called; the policy decides what the child really gets.
  virtual void fork(World& w, VmaId child, VmaId parent) = 0;
  // unlink_anon_vmas(vma): drop the VMA's anon state; vma->anon becomes 0.
  virtual void unlink(World& w, VmaId vma) = 0;
  // anon_vma_interval_tree_pre_update_vma / _post_update_vma: bracket every
  // change of vm_start, vm_end or vm_pgoff of a VMA with anon state.
  virtual void range_will_change(World& w, VmaId vma) = 0;
  virtual void range_changed(World& w, VmaId vma) = 0;

  // is_mergeable_anon_vma(): may `target` absorb a range whose anon state is
  // `source_anon`? `middle` is the existing VMA whose range is being merged
  // (kNoVma for a new range); `copied_from` is the VMA an mremap copy comes
  // from (kNoVma otherwise).
  virtual bool is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon,
                                 VmaId middle, VmaId copied_from) const = 0;

  // __folio_set_anon: set folio->mapping for a new folio added in `vma`
  // (folio->index is already set by the World).
  virtual void set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) = 0;
  // folio_move_anon_rmap: an exclusive folio now belongs to `vma` (COW reuse).
  virtual void move_anon(World& w, FolioId folio, VmaId vma) = 0;
  // ksm_might_need_to_copy(): may a folio found in the swap cache be mapped
  // at `addr` in `vma` as it is (true), or must swap-in copy it (false)?
  virtual bool swapcache_folio_fits(const World& w, FolioId folio, VmaId vma,
                                    PageNo addr) const = 0;

  // Hooks other designs need; the eager design does nothing there.
  // dup_mmap begins (before any VMA is copied) / exit_mmap begins.
  virtual void fork_mm(World& /*w*/, ProcessId /*parent*/, ProcessId /*child*/) {}
  virtual void exit_mm(World& /*w*/, ProcessId /*pid*/) {}
  // copy_present_pte -> folio_try_dup_anon_rmap: a page of `folio` mapped
  // in `parent_vma` is about to be shared with the fork child.
  virtual void fork_page(World& /*w*/, FolioId /*folio*/, VmaId /*parent_vma*/) {}
  // A merge is about to put two faulted VMAs with different anon state into
  // one (only if is_mergeable_anon allowed it: never in the eager design).
  virtual void unify_anon(World& /*w*/, VmaId /*target*/, VmaId /*other*/) {}
  // mremap is about to move (part of) `vma` (copy_vma).
  virtual void before_move(World& /*w*/, VmaId /*vma*/) {}
  // move_ptes: an entry moved from the old range into `to`.
  virtual void moved_pte(World& /*w*/, const Pte& /*pte*/, VmaId /*to*/) {}
  // relocate_vma_down is about to move exec's new stack down within its own
  // struct (vm_pgoff kept, so its base changes).
  virtual void before_relocate(World& /*w*/, VmaId /*vma*/) {}
  // folio_get_anon_vma / put_anon_vma around a migration: from the unmap
  // until remove_migration_ptes has run, the migration holds what
  // folio->mapping names at the unmap. migration_get returns what it holds
  // (kNoMapping: nothing, e.g. the anon_vma was already freed), which
  // migration_put later gets back.
  virtual MappingWord migration_get(World& /*w*/, MappingWord mapping) { return mapping; }
  virtual void migration_put(World& /*w*/, MappingWord /*held*/) {}
  // folio_get_anon_vma in move_pages_pte (UFFDIO_MOVE): does it find what
  // to lock for a present exclusive folio? If not, the move retries -EAGAIN
  // for ever. Eager: always (the folio is mapped).
  virtual bool uffd_move_can_lock(const World& /*w*/, FolioId /*folio*/) const { return true; }

  // rmap_walk_anon: the VMAs (of any process) the design would visit for
  // this folio, each with the address the folio's index has there.
  virtual void rmap_walk(const World& w, FolioId folio, RmapWalk& out) const = 0;

  virtual RmapObjectCounts counts(const World& w) const = 0;
  // One short word for a VMA's anon state ("av3", "-") and for a folio's
  // mapping ("av3"), for layouts, reports and JSON.
  virtual std::string describe_anon(const World& w, VmaId vma) const = 0;
  virtual std::string describe_mapping(const World& w, MappingWord mapping) const = 0;

  // The design's own structural invariants and lifetime rules, appended to
  // `out` (the shared checks live in model/check).
  virtual void check(const World& w, std::vector<Violation>& out) const = 0;
};

}  // namespace rmc
