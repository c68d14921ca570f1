// world.h - one complete simulated mm world with a pluggable anon rmap.
//
// Processes, VMAs, page tables, folios, swap: the machinery every design
// shares. The entry points below are the operations of a trace; each one is
// written to read like the kernel function it models (named in its comment),
// told simply and sequentially: no locks, no races, no allocation failures.
// Wherever the kernel calls anon rmap code, the World calls the RmapPolicy.
//
// Each entry point assumes the op is valid (model/core/execute.h checks that
// first and turns invalid ops into errors); inside, a broken assumption is a
// bug of the model and fails an assertion.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/core/bounds.h"
#include "model/core/coverage.h"
#include "model/core/folio.h"
#include "model/core/geometry.h"
#include "model/core/options.h"
#include "model/core/process.h"
#include "model/core/rmap_policy.h"
#include "model/core/types.h"
#include "model/core/vma.h"

namespace rmc {

// mmap(2) flags beyond MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, which are implied.
enum MmapFlag : uint8_t {
  kMapNoreserve = 1 << 0,
  kMapGrowsdown = 1 << 1,
  kMapLocked = 1 << 2,
  kMapPopulate = 1 << 3,
};

// mremap(2) flags.
enum MremapFlag : uint8_t {
  kMremapMaymove = 1 << 0,
  kMremapFixed = 1 << 1,
  kMremapDontunmap = 1 << 2,
};

// madvise(2) advice that the model implements.
enum class Advice : uint8_t {
  kDontneed,
  kPageout,
  kDontfork,
  kDofork,
  kWipeonfork,
  kKeeponfork,
  kCount,
};

// What happened in the current step that checks want to know about.
struct StepEvents {
  std::vector<VmaId> merged;          // VMAs that absorbed another range by merging
  std::vector<std::string> warnings;  // VM_BUG_ON / VM_WARN_ON the kernel would hit
  std::vector<std::string> no_progress;  // a syscall that would retry for ever (livelock)
  // What the last uffd_move returned, as the ioctl does: pages moved (holes
  // included), or -errno if none. User visible: the differential and the
  // kernel oracle compare it.
  int64_t uffd_move_result = 0;
  void clear() {
    merged.clear();
    warnings.clear();
    no_progress.clear();
    uffd_move_result = 0;
  }
};

// A migration between its two halves (migrate_begin / migrate_end): the
// folio being migrated, already unmapped to migration entries; its copy,
// whose mapping and index are the old folio's (move_to_new_folio); and the
// anon rmap handle the migration took at the unmap (folio_get_anon_vma),
// which keeps what the copy's mapping names allocated until the end.
// A migration or a split between its two halves. A split unmaps the large
// folio to migration entries as a migration does; its second half makes the
// small folios and maps them back, so src == dst until then.
struct Migration {
  FolioId src = kNoFolio;
  FolioId dst = kNoFolio;
  MappingWord held = kNoMapping;
  bool split = false;
  bool mlocked = false;  // split: remap_page may not use the shared zero page
  bool active() const { return src != kNoFolio; }
};

class World {
 public:
  World(std::unique_ptr<RmapPolicy> policy, ModelOptions options);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Back to the initial state: P0 live with an empty mm, nothing else.
  void reset();

  // ---- objects -------------------------------------------------------------
  const Vma& vma(VmaId id) const { return vmas_[idx(id)]; }
  Vma& vma(VmaId id) { return touched(vmas_[idx(id)]); }
  const Folio& folio(FolioId id) const { return folios_[idx(id)]; }
  Folio& folio(FolioId id) { return touched(folios_[idx(id)]); }
  const PageState& page(Pfn pfn) const { return memmap_[idx(pfn)]; }
  PageState& page(Pfn pfn) { return touched(memmap_[idx(pfn)]); }
  const SwapSlot& slot(SwapSlotId id) const { return slots_[idx(id)]; }
  SwapSlot& slot(SwapSlotId id) { return touched(slots_[idx(id)]); }
  const Process& proc(ProcessId pid) const { return procs_[idx(pid)]; }
  Process& proc(ProcessId pid) { return touched(procs_[idx(pid)]); }

  // How often the state may have changed since reset: every non-const
  // accessor above and every allocation counts one. An over-approximation
  // by construction (nothing changes the state without one), so equal
  // counts before and after a step mean it changed nothing, and the checks
  // of the state before still hold (Runner::run_op skips them). The one
  // exception is a user store into a present writable page (write()): it
  // changes that page's contents only, which check_contents alone reads,
  // and the runner runs that check after every step.
  uint64_t mutations() const { return mutations_; }

  size_t vma_slots() const { return vmas_.size(); }
  size_t folio_slots() const { return folios_.size(); }
  size_t pfn_slots() const { return memmap_.size(); }
  size_t swap_slots() const { return slots_.size(); }
  uint64_t live_vmas() const { return live_vmas_; }
  uint64_t live_folios() const { return live_folios_; }

  RmapPolicy& policy() { return touched(*policy_); }
  const RmapPolicy& policy() const { return *policy_; }
  const ModelOptions& options() const { return options_; }
  ModelOptions& options() { return touched(options_); }
  StepEvents& events() { return events_; }
  const StepEvents& events() const { return events_; }
  // The migration between migrate_begin and migrate_end, or the split
  // between split_begin and split_end, if any (at most one of either).
  const Migration& migration() const { return migration_; }
  // anon_vma_lazy_enabled(): the series' runtime switch (S7, ops lazy_off and
  // lazy_on). Only the lazy designs read it, at a VMA's first fault; eager
  // and cowctx have no lazy mode.
  bool lazy_enabled() const { return lazy_enabled_; }
  void set_lazy_enabled(bool on);
  // Will the migration in flight restore this migration entry (it points at
  // the migrating folio)? An access waits for it then; else for ever.
  bool migration_restores(const Pte& entry) const {
    return migration_.active() && folio_of(entry.pfn()) == migration_.src;
  }
  // vm_start as an rmap walk that takes no lock reads it (S5): inside a
  // grow_race or mprotect_race, the vm_start a VMA had before the op
  // changed it, though its vm_pgoff is already the new one; else vm_start.
  // Walks that take the anon_vma lock read vma().start: the change holds it
  // for write.
  PageNo walker_start(VmaId id) const {
    for (const TornRead& t : torn_)
      if (t.vma == id) return t.start;
    return vma(id).start;
  }
  // Is the swap-cache folio of this slot the copy of the migration in
  // flight (locked until the migration ends)?
  bool swapcache_is_migrating(SwapSlotId slot_id) const {
    return migration_.active() && slot(slot_id).cache == migration_.dst;
  }
  // The kernel paths the ops took (coverage.h): an observation, not state.
  // Const, and not counted by mutations(); reset() keeps it.
  void cover(Path path) const { coverage_.hit(path); }
  const Coverage& coverage() const { return coverage_; }

  // ---- lookups (mm/mmap.c helpers) -----------------------------------------
  // The VMA containing `addr`, or kNoVma (vma_lookup).
  VmaId vma_lookup(ProcessId pid, PageNo addr) const {
    VmaId id = find_vma(pid, addr);
    return (id != kNoVma && vma(id).start <= addr) ? id : kNoVma;
  }
  // The first VMA ending after `addr`, or kNoVma (find_vma).
  VmaId find_vma(ProcessId pid, PageNo addr) const {
    const Process& p = proc(pid);
    size_t i = first_ending_after(p, addr);
    return i < p.vmas.size() ? p.vmas[i] : kNoVma;
  }
  // Index in p.vmas of the first VMA with end > addr. Consecutive lookups
  // mostly land where the last one did (the kernel's old vmacache idea), so
  // that is tried inline before the binary search.
  size_t first_ending_after(const Process& p, PageNo addr) const {
    const size_t hint = p.lookup_hint;
    const std::vector<VmaId>& list = p.vmas;
    if (hint < list.size() && vma(list[hint]).end > addr && (hint == 0 || vma(list[hint - 1]).end <= addr))
      return hint;
    return first_ending_after_search(p, addr);
  }
  size_t first_ending_after_search(const Process& p, PageNo addr) const;
  // Neighbours in the mm's VMA list (vma_prev / vma_next), or kNoVma.
  VmaId vma_prev(VmaId id) const;
  VmaId vma_next(VmaId id) const;
  // The folio a pfn belongs to.
  FolioId folio_of(Pfn pfn) const { return page(pfn).folio; }
  // Page `i` of a folio.
  Pfn folio_page(const Folio& f, uint32_t i) const { return Pfn{idx(f.pfn) + i}; }
  // Is [start, start+len) covered by VMAs with no holes?
  bool range_mapped(ProcessId pid, PageNo start, PageNo len) const;
  // What a read of `addr` returns now (0 for none/zero page); the content
  // check compares it with the memory specification.
  uint64_t visible_content(ProcessId pid, PageNo addr) const;
  // The same for an entry already in hand.
  uint64_t content_of(const Pte& pte) const;

  // ---- the operations of a trace -------------------------------------------
  void mmap(ProcessId pid, PageNo addr, PageNo len, uint8_t prot, uint8_t mmap_flags);
  void mmap_zero(ProcessId pid, PageNo addr, PageNo len, uint8_t prot, uint8_t mmap_flags,
                 PageNo pgoff);
  void munmap(ProcessId pid, PageNo addr, PageNo len);
  void mprotect(ProcessId pid, PageNo addr, PageNo len, uint8_t prot);
  void mlock(ProcessId pid, PageNo addr, PageNo len, bool lock);
  void madvise(ProcessId pid, PageNo addr, PageNo len, Advice advice);
  // A user read / write of one page (the page fault, if one is needed, and
  // the access). write() stores `value`; read() returns what was read.
  uint64_t read(ProcessId pid, PageNo addr);
  void write(ProcessId pid, PageNo addr, uint64_t value);
  // Two threads of `pid` store to `a` and `b` at once (S20): if both pages
  // are in one unfaulted VMA, both faults pass __vmf_anon_prepare's unlocked
  // test before either prepares it. Then the stores, `a` first.
  void fault_race(ProcessId pid, PageNo a, uint64_t value_a, PageNo b, uint64_t value_b);
  // A store of `value` to `addr` below a stack grows it (expand_downwards)
  // while the migration or split in flight ends in another thread (S5):
  // its walk runs in the middle of the growth (walker_start).
  void grow_race(ProcessId pid, PageNo addr, uint64_t value);
  // mprotect whose __split_vma (and merge) change vm_start and vm_pgoff of
  // a VMA while the migration or split in flight ends in another thread
  // (S5's second form): its walk runs in the middle of the change.
  void mprotect_race(ProcessId pid, PageNo addr, PageNo len, uint8_t prot);
  void fork(ProcessId parent, ProcessId child);
  void exit(ProcessId pid);
  void mremap(ProcessId pid, PageNo old_addr, PageNo old_len, PageNo new_len,
              PageNo new_addr, uint8_t mremap_flags);
  void migrate(ProcessId pid, PageNo addr, PageNo len);
  // One migration in two halves, with other ops in between (a migration
  // without mmap_lock: compaction, CMA, offlining). migrate_begin unmaps the
  // folio mapped at `addr` to migration entries and copies it; migrate_end
  // restores the entries through the copy's rmap walk. A second
  // migrate_begin first ends the migration in flight; a migrate_end with
  // none in flight does nothing.
  void migrate_begin(ProcessId pid, PageNo addr);
  void migrate_end();
  // A split in two halves the same way (S6): split_begin unmaps the large
  // folio mapped at `addr` to migration entries; split_end makes the small
  // folios and maps them back through their rmap walks. Other ops between
  // them run where the kernel's split holds the folio lock and, in eager,
  // the anon_vma lock.
  void split_begin(ProcessId pid, PageNo addr);
  void split_end();
  void brk(ProcessId pid, PageNo new_brk);
  void split_folio(ProcessId pid, PageNo addr);
  // UFFDIO_MOVE of [src, src+len) to dst (userfaultfd.cpp). Returns the
  // pages it got through, holes included (move_pages' count, in pages): page
  // i < that count moved from src+i to dst+i, in that order. The ioctl's
  // return value is events().uffd_move_result.
  PageNo uffd_move(ProcessId pid, PageNo src, PageNo len, PageNo dst);
  // pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) of [addr, addr+len), as
  // IORING_REGISTER_BUFFERS does (gup.cpp): each page is write-faulted, then
  // its folio holds a pin for the process until unpin_all (IORING_UNREGISTER_
  // BUFFERS), exit or exec.
  void pin(ProcessId pid, PageNo addr, PageNo len);
  void unpin_all(ProcessId pid);
  // execve(2) in two halves around the argv/envp writes (exec.cpp): the new
  // mm with its stack [addr, addr + len), then relocate_vma_down by `shift`.
  void exec_new_mm(ProcessId pid, PageNo addr, PageNo len);
  void exec_relocate_stack(ProcessId pid, PageNo addr, PageNo shift);

  // ---- questions the op checks ask before an op runs ------------------------
  // Would a fault at `addr` (not inside any VMA) grow a stack VMA down to it?
  // Returns that VMA, or kNoVma (the access would SIGSEGV).
  VmaId stack_to_expand(ProcessId pid, PageNo addr) const;
  // Where mremap would put a MAYMOVE move that cannot grow in place
  // (get_unmapped_area, top-down below the highest mapping in the arena).
  PageNo mremap_target(ProcessId pid, PageNo old_addr, PageNo new_len) const;
  // Could [vma.end, vma.end + delta) be added in place (vma_expandable)?
  bool can_expand_in_place(VmaId vma, PageNo delta) const;

  // ---- helpers the operations share (mm internals) -------------------------
  // Object lifetime.
  VmaId vma_alloc(ProcessId pid, PageNo start, PageNo end, PageNo pgoff, uint8_t prot,
                  VmFlags flags);
  VmaId vma_dup(VmaId src);  // vm_area_dup: same fields, new id, not in any mm
  void vma_link(VmaId id);   // insert into its mm's VMA list
  void vma_unlink_from_mm(VmaId id);
  void vma_free(VmaId id);
  // Change vm_start / vm_end / vm_pgoff under the rmap's interval-tree update.
  void vma_set_range(VmaId id, PageNo start, PageNo end, PageNo pgoff);
  FolioId folio_alloc(uint32_t order);
  void folio_free(FolioId id);
  void folio_put_if_unused(FolioId id);  // free once nothing references it
  SwapSlotId swap_alloc(uint64_t content);
  void swap_put_if_unused(SwapSlotId id);
  // Folio mappings (mm/rmap.c).
  void folio_add_new_anon_rmap(FolioId folio, VmaId vma, PageNo addr, bool exclusive);
  void folio_add_anon_rmap_pte(Pfn pfn, ProcessId pid, bool exclusive);
  void folio_remove_rmap_pte(Pfn pfn, ProcessId pid);
  // folio_free_swap: drop the folio from the swap cache if no swap PTE still
  // refers to its slot.
  bool folio_free_swap(FolioId folio);
  // Zap (unmap) the page tables of [start, end) in `pid` (zap_pte_range).
  void zap_range(ProcessId pid, PageNo start, PageNo end);
  // page_vma_mapped_walk for one VMA an rmap walk of `walked` visited: for
  // each page i of the folio, look at the address the walk computed for it
  // and, if that PTE (present or migration) points at a page of `target`,
  // call fn(pid, addr, pte, subpage). `target` is `walked` except when
  // migration entries of a source folio are restored through a walk of the
  // destination folio.
  template <class Fn>
  void for_each_mapping_in(const Folio& target, const Folio& walked, const RmapWalk::Visit& visit,
                           Fn&& fn) {
    visit_mappings(*this, target, walked, visit, fn);
  }
  template <class Fn>
  void for_each_mapping_in(const Folio& target, const Folio& walked, const RmapWalk::Visit& visit,
                           Fn&& fn) const {
    visit_mappings(*this, target, walked, visit, fn);
  }

  // vma_merge_struct: the range being placed and what it would look like.
  struct Merge {
    ProcessId mm{0};
    VmaId prev = kNoVma;         // candidate left neighbour (may not be adjacent)
    VmaId middle = kNoVma;       // existing VMA being changed; kNoVma for new ranges
    VmaId next = kNoVma;         // candidate right neighbour
    PageNo start = 0;
    PageNo end = 0;
    PageNo pgoff = 0;
    uint8_t prot = 0;
    VmFlags flags = 0;
    AnonWord anon = kNoAnon;     // vmg->anon_vma: anon state of the range
    VmaId copied_from = kNoVma;  // mremap: the VMA being copied (6.18.8+)
    bool just_expand = false;    // brk: only try to grow prev
    VmaId target = kNoVma;       // the VMA that absorbed the range
  };

 private:
  std::unique_ptr<RmapPolicy> policy_;
  ModelOptions options_;
  std::vector<Vma> vmas_;
  std::vector<Folio> folios_;
  std::vector<PageState> memmap_;
  std::vector<SwapSlot> slots_;
  std::vector<Process> procs_;
  uint64_t mutations_ = 0;
  uint64_t live_vmas_ = 0;
  uint64_t live_folios_ = 0;
  StepEvents events_;
  Migration migration_;
  bool lazy_enabled_ = true;
  // The VMAs whose vm_start a grow_race or mprotect_race changed, with
  // their vm_start before, while the walk in the middle of the change runs;
  // empty otherwise (not state: filled and cleared inside one op, while
  // recording_torn_ is set; vma_set_range fills it).
  struct TornRead {
    VmaId vma = kNoVma;
    PageNo start = 0;
  };
  std::vector<TornRead> torn_;
  bool recording_torn_ = false;
  // Runs `change` (an op's VMA updates), then the second half of the
  // migration or split in flight with its walk in the middle of them.
  template <class Fn>
  void walk_in_the_middle_of(Fn&& change);
  mutable Coverage coverage_;
  RmapWalk walk_scratch_;  // reused by every walk an operation makes

  template <class T>
  T& touched(T& object) {
    mutations_++;
    return object;
  }

  // Self is World or const World; fn gets Pte& or const Pte& accordingly.
  template <class Self, class Fn>
  static void visit_mappings(Self& self, const Folio& target, const Folio& walked,
                             const RmapWalk::Visit& visit, Fn& fn) {
    const Vma& v = self.vma(visit.vma);
    auto& pt = self.proc(v.mm).pt;
    const uint32_t first = idx(target.pfn);
    for (uint32_t i = 0; i < walked.nr_pages(); i++) {
      const PageNo addr = visit.index_address + i;  // wraps modulo 2^64, as in the kernel
      if (!geom::address_in_range(v.start, v.end, addr)) continue;
      auto* pte = pt.find(addr);
      if (!pte || (pte->kind != PteKind::kPresent && pte->kind != PteKind::kMigration)) continue;
      const uint32_t pfn = pte->target;
      if (pfn < first || pfn >= first + target.nr_pages()) continue;
      fn(v.mm, addr, *pte, pfn - first);
    }
  }

  // mm/vma.c and mm/mmap.c, told simply (vma_ops.cpp).
  VmaId split_vma(VmaId id, PageNo at, bool new_below);
  VmaId vma_modify(VmaId id, PageNo start, PageNo end, uint8_t prot, VmFlags flags);
  bool merge_existing_range(Merge& m);
  VmaId merge_new_range(Merge& m);
  bool dup_anon_vma(VmaId dst, VmaId src);
  void remove_vma(VmaId id);
  // Returns whether any VMA was in the range.
  bool do_munmap(ProcessId pid, PageNo start, PageNo end);
  VmaId map_anon_range(ProcessId pid, PageNo addr, PageNo len, uint8_t prot, VmFlags flags,
                       PageNo pgoff);
  VmaId copy_vma(VmaId src, PageNo new_addr, PageNo len, PageNo pgoff);
  void move_vma(ProcessId pid, PageNo addr, PageNo old_len, PageNo new_addr, PageNo new_len,
                bool dontunmap);
  PageNo resize_or_move(ProcessId pid, PageNo old_addr, PageNo old_len, PageNo new_len,
                        PageNo new_addr, uint8_t flags);
  void expand_downwards(VmaId stack, PageNo new_start);
  // mm/memory.c (fault.cpp).
  void handle_fault(ProcessId pid, PageNo addr, bool write);
  void do_anonymous_page(VmaId vma, PageNo addr, bool write);
  void do_wp_page(VmaId vma, PageNo addr);
  void do_swap_page(VmaId vma, PageNo addr, bool write);
  void wp_page_copy(VmaId vma, PageNo addr);
  void populate(VmaId vma, PageNo start, PageNo end);
  // kernel/fork.c + copy_page_range (fork.cpp).
  void copy_page_range(VmaId child, VmaId parent);
  void copy_present_page(VmaId child, PageNo addr, Pfn parent_pfn);
  // exit_mmap: tear down every VMA of the mm (exit and exec).
  void exit_mmap(ProcessId pid);
  // mm/vmscan.c, mm/migrate.c, mm/huge_memory.c (reclaim.cpp).
  void pageout_range(ProcessId pid, PageNo start, PageNo end);
  void pageout_folio(FolioId folio);
  void migrate_folio(FolioId folio);
  Migration migrate_folio_start(FolioId folio);
  void migrate_folio_finish(const Migration& m);
  // migration_entry_wait: an access to an entry of the migration (or split)
  // in flight waits for it to end.
  void wait_for_migration();
  // The second half of whatever is in flight.
  void end_in_flight();
  Migration split_folio_start(FolioId folio);
  void split_folio_finish(const Migration& m);
  void split_large_folio(FolioId folio);
  bool try_to_unmap_folio(FolioId folio, bool to_migration, SwapSlotId slot);
  // use_shared_zeropage: RMP_USE_SHARED_ZEROPAGE (the split of an anon folio).
  void remove_migration_ptes(FolioId src, FolioId dst, bool use_shared_zeropage = false);
  bool folio_mlocked(FolioId folio);
  void change_protection(VmaId vma);
  void move_page_tables(VmaId from, PageNo old_addr, VmaId to, PageNo new_addr, PageNo len);
  // mm/userfaultfd.c (userfaultfd.cpp): one page of UFFDIO_MOVE; 0 or -errno.
  int move_pages_pte(VmaId dst_vma, PageNo dst, PageNo src);
};

}  // namespace rmc
