// coverage.h - which kernel paths the model's ops have taken: the coverage
// figure of `rmapcheck fuzz`, whose in-process engine has no compiler
// coverage (the libFuzzer build has its own).
//
// A path is a decision the kernel makes that an anon-rmap change can get
// wrong: which merge case, whether a fault reuses or copies, whether fork
// reuses an anon_vma, whether a lazy VMA upgrades. Each is named after the
// kernel function that takes it, and counted where the model takes it
// (World::cover). The list is the manual: a campaign that never took
// `vma/merge-new-both` never tested a three-way merge.
//
// Only paths a correct design can take are listed. Left out: do_wp_page
// reusing a PageAnonExclusive page (change_protection makes such a PTE
// writable when its VMA becomes writable, and no trace of the corpus or of
// a campaign ever write-faulted one), and the
// failures of try_to_unmap, try_to_migrate and the split's unmap after a
// walk missed a mapping (an rmap-missing report at the step that broke the
// walk, where a campaign stops that design); their failure at a pinned
// page is a path (reclaim/unmap-pinned). Two paths need a model option
// (their text says which).
//
// Coverage is an observation, not state: no check reads it, mutations()
// does not count it, and World::reset() keeps it (a campaign's worlds
// accumulate it across their traces).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rmc {

// X(id, name, what): name is area/short-name, what says when it is taken.
#define RMC_COVERAGE_PATHS(X)                                                                            \
  /* mm/vma.c (vma_ops.cpp) */                                                                           \
  X(kSplitVma, "vma/split", "__split_vma: a VMA is cut in two")                                          \
  X(kMergeExistingBoth, "vma/merge-existing-both", "vma_merge_existing_range: prev absorbs middle and next") \
  X(kMergeExistingPrev, "vma/merge-existing-prev", "vma_merge_existing_range: prev grows over the range") \
  X(kMergeExistingNext, "vma/merge-existing-next", "vma_merge_existing_range: next grows down over the range") \
  X(kMergeExistingPartial, "vma/merge-existing-partial", "the merge shifts a boundary (part of middle stays)") \
  X(kMergeNewPrev, "vma/merge-new-prev", "vma_merge_new_range: the new range joins prev")                \
  X(kMergeNewNext, "vma/merge-new-next", "vma_merge_new_range: the new range joins next")                \
  X(kMergeNewBoth, "vma/merge-new-both", "vma_merge_new_range: prev, range and next become one")         \
  X(kDupAnonVma, "vma/dup-anon-vma", "dup_anon_vma: an unfaulted VMA imports anon state in a merge")     \
  X(kMergeUnify, "vma/merge-unify", "two faulted VMAs of different anon state merged (only with --option lazy.merge=upgrade)") \
  /* mm/mmap.c, mm/mprotect.c, mm/mlock.c, mm/madvise.c (mmap.cpp) */                                    \
  X(kMmapNewVma, "mmap/new-vma", "mmap: a new VMA")                                                      \
  X(kMmapMerged, "mmap/merged", "mmap: the range merged into a neighbour")                               \
  X(kMmapOverExisting, "mmap/over-existing", "MAP_FIXED over mapped pages: they are unmapped first")     \
  X(kMmapDevZero, "mmap/dev-zero", "mmap of /dev/zero: an anonymous VMA with a file pgoff")              \
  X(kMmapPopulate, "mmap/populate", "MAP_POPULATE or MAP_LOCKED faults the range in")                    \
  X(kMunmapSplit, "munmap/edge-split", "do_vmi_munmap splits a VMA at an edge of the range")             \
  X(kMunmapRemove, "munmap/remove", "a VMA inside the range is detached, zapped and freed")              \
  X(kBrkExpand, "brk/expand", "brk grows the heap VMA in place")                                         \
  X(kBrkNewVma, "brk/new-vma", "brk grows with a new VMA")                                               \
  X(kBrkShrink, "brk/shrink", "brk shrinks the heap (munmap)")                                           \
  X(kMprotectModify, "mprotect/modify", "mprotect_fixup changes a VMA's protection")                     \
  X(kMprotectMkwrite, "mprotect/mkwrite", "change_protection makes an exclusive page writable at once")  \
  X(kMprotectPopulate, "mprotect/populate-locked", "a VM_LOCKED VMA made writable is populated")        \
  X(kMlockLock, "mlock/lock", "mlock_fixup sets VM_LOCKED")                                               \
  X(kMlockUnlock, "mlock/unlock", "munlock clears VM_LOCKED")                                            \
  X(kMlockPopulate, "mlock/populate", "mlock faults the range in")                                       \
  X(kMlockStopsAtProtNone, "mlock/stops-at-prot-none", "__mm_populate stops at a PROT_NONE VMA")         \
  X(kMadviseDontneed, "madvise/dontneed", "MADV_DONTNEED zaps the range")                                \
  X(kMadvisePageout, "madvise/pageout", "MADV_PAGEOUT reclaims the range")                               \
  X(kMadviseFlags, "madvise/flags", "MADV_(DONT|DO)FORK, MADV_(WIPE|KEEP)ONFORK change a VMA's flags")   \
  X(kStackExpand, "stack/expand-downwards", "a fault below a stack VMA grows it")                       \
  /* mm/memory.c (fault.cpp) */                                                                          \
  X(kFaultZeroPage, "fault/zero-page", "do_anonymous_page: a read maps the shared zero page")           \
  X(kFaultRacePrepare, "fault/race-prepare", "two threads' first faults both find the VMA unprepared (S20)") \
  X(kGrowRaceWalk, "fault/grow-race-walk", "a migration or split ends while expand_downwards grows a stack (S5)") \
  X(kMprotectRaceWalk, "vma/mprotect-race-walk", "a migration or split ends while mprotect splits and changes VMAs (S5)") \
  X(kFaultNewFolio, "fault/new-folio", "do_anonymous_page: a write maps a new exclusive folio")         \
  X(kFaultLargeFolio, "fault/large-folio", "do_anonymous_page maps a large folio")                       \
  X(kFaultLargeFallback, "fault/large-fallback", "a large folio does not fit: order 0 instead")         \
  X(kWpReuseLastRef, "fault/wp-reuse-last-ref", "do_wp_page reuses a small folio it holds the last reference to (folio_move_anon_rmap)") \
  X(kWpReuseLarge, "fault/wp-reuse-large", "do_wp_page reuses a large folio mapped only by this mm")    \
  X(kWpCopy, "fault/wp-copy", "wp_page_copy: COW into a new folio")                                      \
  X(kWpCopyZeroPage, "fault/wp-copy-zero-page", "wp_page_copy of the zero page")                         \
  X(kSwapInRead, "fault/swap-in-read", "do_swap_page reads the slot into a new swap-cache folio")        \
  X(kSwapInCached, "fault/swap-in-cached", "do_swap_page maps the folio found in the swap cache")        \
  X(kSwapInCopy, "fault/swap-in-copy", "ksm_might_need_to_copy: the cached folio does not fit, a copy is mapped") \
  X(kSwapInFreeSwap, "fault/swap-in-free-swap", "should_try_to_free_swap drops the swap cache")          \
  X(kSwapInWpFault, "fault/swap-in-then-wp", "a write swap-in maps read-only, then do_wp_page")         \
  /* kernel/fork.c (fork.cpp) */                                                                         \
  X(kForkDontcopy, "fork/dontcopy", "dup_mmap skips a VM_DONTCOPY VMA")                                  \
  X(kForkWipeonfork, "fork/wipeonfork", "dup_mmap leaves a VM_WIPEONFORK copy empty")                    \
  X(kForkCopyVma, "fork/copy-vma", "dup_mmap copies a faulted VMA (anon_vma_fork)")                      \
  X(kForkSharePage, "fork/share-page", "copy_present_pte shares an anon page (COW)")                     \
  X(kForkShareSwap, "fork/share-swap-entry", "copy_nonpresent_pte shares a swap entry")                  \
  X(kForkCopyPinned, "fork/copy-pinned", "copy_present_page gives the child a copy of a pinned exclusive page") \
  X(kExitMmap, "exit/exit-mmap", "exit_mmap tears down an mm")                                            \
  /* mm/mremap.c (mremap.cpp) */                                                                         \
  X(kMremapShrink, "mremap/shrink", "mremap shrinks in place")                                           \
  X(kMremapGrowInPlace, "mremap/grow-in-place", "vma_merge_extend grows the VMA in place")               \
  X(kMremapMove, "mremap/move", "move_vma moves a VMA")                                                  \
  X(kMremapMoveMerged, "mremap/move-merged", "copy_vma merges the destination with a neighbour")        \
  X(kMremapMoveNewVma, "mremap/move-new-vma", "copy_vma creates a new VMA with a clone of the anon state") \
  X(kMremapMultiVma, "mremap/move-multi-vma", "remap_move (6.17+): every VMA of the range moves on its own") \
  X(kMremapDontunmap, "mremap/dontunmap", "MREMAP_DONTUNMAP leaves the old VMA in place, unlocked")      \
  X(kMremapDontunmapUnlink, "mremap/dontunmap-unlink", "dontunmap_complete drops the old VMA's anon state") \
  X(kMremapPopulate, "mremap/populate-expand", "a VM_LOCKED VMA that grew is populated")                 \
  /* mm/vmscan.c, mm/migrate.c, mm/huge_memory.c (reclaim.cpp) */                                       \
  X(kPageoutFreed, "reclaim/pageout-freed", "shrink_folio_list swaps a folio out and frees it")          \
  X(kPageoutCached, "reclaim/pageout-cached", "a folio swapped out stays in the swap cache (writeback)")  \
  X(kPageoutSplit, "reclaim/pageout-split", "MADV_PAGEOUT splits a large folio first")                   \
  X(kMigrateFolio, "migrate/folio", "migrate_pages moves a folio to a new one")                          \
  X(kMigrateBegin, "migrate/begin", "migrate_begin leaves a folio between its two halves")               \
  X(kMigrateEnd, "migrate/end", "migrate_end restores the entries of the migration in flight")          \
  X(kMigrationWait, "migrate/entry-wait", "an access waits on a migration entry for the migration to end") \
  X(kSplitFolio, "split/large-folio", "__folio_split makes a large folio small")                         \
  X(kSplitBegin, "split/begin", "split_begin leaves a large folio unmapped to migration entries")        \
  X(kSplitEnd, "split/end", "split_end makes the small folios and maps them back")                       \
  X(kSplitToZeroPage, "split/to-zero-page", "remap_page maps a never-written page as the zero page")     \
  X(kPageoutPinned, "reclaim/pageout-pinned", "shrink_folio_list keeps a pinned folio before it gets a swap slot") \
  X(kUnmapPinned, "reclaim/unmap-pinned", "try_to_unmap_one / try_to_migrate_one stop at a pinned exclusive page") \
  X(kSplitPinned, "split/pinned", "can_split_folio refuses a pinned large folio")                        \
  /* mm/gup.c, io_uring/rsrc.c (gup.cpp) */                                                              \
  X(kPinPage, "gup/pin", "pin_user_pages (FOLL_WRITE | FOLL_LONGTERM) pins a page")                      \
  X(kUnpin, "gup/unpin", "unpin_user_pages drops a process's pins")                                      \
  /* mm/userfaultfd.c (userfaultfd.cpp) */                                                               \
  X(kUffdMovePresent, "uffd/move-present", "move_present_pte moves an exclusive folio (folio_move_anon_rmap, new index)") \
  X(kUffdMoveZeroPage, "uffd/move-zero-page", "move_zeropage_pte moves a zero-page PTE")                  \
  X(kUffdMoveSwap, "uffd/move-swap", "move_swap_pte moves an exclusive swap entry")                      \
  X(kUffdMoveSwapCache, "uffd/move-swapcache", "move_swap_pte re-points the entry's swap-cache folio too") \
  X(kUffdMoveSplit, "uffd/move-split", "move_pages_pte splits a large folio before moving its page")    \
  X(kUffdMoveBusy, "uffd/move-busy", "a page or swap entry shared with a fork child stops the move (EBUSY)") \
  X(kUffdMovePinned, "uffd/move-pinned", "a pinned page stops the move (EBUSY)")                         \
  X(kUffdMoveExists, "uffd/move-exists", "a populated destination page stops the move (EEXIST)")       \
  X(kUffdMoveInvalid, "uffd/move-invalid", "the ranges fail validation after the destination's anon rmap was prepared") \
  X(kUffdUnregisterMerge, "uffd/unregister-merge", "unregistering the destination VMA merges it with a neighbour") \
  /* fs/exec.c, mm/vma_exec.c (exec.cpp) */                                                              \
  X(kExecNewMm, "exec/new-mm", "exec_mmap: a new mm with the stack")                                     \
  X(kExecRelocateStack, "exec/relocate-stack", "relocate_vma_down moves the stack down")                 \
  /* mm/rmap.c, the eager design (eager_policy.cpp) */                                                   \
  X(kEagerPrepareNew, "eager/prepare-new", "__anon_vma_prepare allocates a new root anon_vma")          \
  X(kEagerPrepareReuse, "eager/prepare-reuse", "__anon_vma_prepare reuses a neighbour's anon_vma")      \
  X(kEagerForkReuse, "eager/fork-reuse", "anon_vma_clone reuses an anon_vma with no VMA at fork")      \
  X(kEagerForkNew, "eager/fork-new", "anon_vma_fork allocates the child's anon_vma")                     \
  X(kEagerSetAnonRoot, "eager/set-anon-root", "__folio_set_anon puts a shared folio in the root anon_vma") \
  /* the lazy designs (lazy_policy.cpp) */                                                               \
  X(kLazyPrepare, "lazy/prepare", "the first fault makes the VMA its own root (nothing allocated)")      \
  X(kLazyPrepareRaced, "lazy/prepare-raced", "... and a racing thread's prepare does it again (lazy.prepare_race plain)") \
  X(kLazyTornBase, "lazy/torn-base", "the lazy walk reads a root's vm_start from before a stack growth (lazy.base_read torn)") \
  X(kLazyBase0Regular, "lazy/base0-regular", "base0: a VMA whose base is not 0 gets a regular anon_vma") \
  X(kLazyUpgrade, "lazy/upgrade", "a lazy VMA leaves lazy mode for a regular anon_vma")                  \
  X(kLazyUpgradeRepoint, "lazy/upgrade-repoint", "the upgrade re-points the VMA's folios")               \
  X(kLazyUpgradeParent, "lazy/upgrade-tree-parent", "a TREE_PARENT VMA gets an anon_vma of its own")    \
  X(kLazyUpgradeParentReuse, "lazy/upgrade-tree-parent-reuse", "... reusing one of its chain (only with --option lazy.parent_upgrade=reuse)") \
  X(kLazyForkTreeParent, "lazy/fork-tree-parent", "the fork child becomes TREE_PARENT (the series)")    \
  X(kLazyForkReuse, "lazy/fork-reuse", "the fork child reuses an anon_vma (GKI, base0)")                 \
  X(kLazyForkNew, "lazy/fork-new", "the fork child gets a new anon_vma (GKI, base0)")                    \
  X(kLazyForkPageRepoint, "lazy/fork-page-repoint", "try_dup_anon_rmap re-points a lazy folio at fork")  \
  X(kLazyMoveUpgrade, "lazy/move-upgrade", "copy_vma upgrades a lazy VMA before mremap moves it")        \
  X(kLazyMovedPteRepoint, "lazy/moved-pte-repoint", "move_ptes re-points a lazy folio")                  \
  X(kLazyRelocateUpgrade, "lazy/relocate-upgrade", "base0 leaves lazy mode before exec moves the stack") \
  X(kLazyMergeRefused, "lazy/merge-refused", "a merge of two lazy trees, or lazy with regular, is refused") \
  X(kLazyZombieRoot, "lazy/zombie-root", "a root VMA is unmapped while its tree keeps it alive")          \
  X(kLazyMigrationRef, "lazy/migration-ref", "a migration holds a lazy folio's root (or mm) until it ends")  \
  X(kLazyParentCow, "lazy/parent-cow", "a TREE_PARENT VMA's COW folio goes to the parent's anon_vma")    \
  X(kLazySwitchOffNew, "lazy/switch-off-new", "with the runtime switch off, a first fault allocates an anon_vma (mainline __anon_vma_prepare)") \
  X(kLazySwitchOffReuse, "lazy/switch-off-reuse", "... or reuses a regular or TREE_PARENT neighbour's (find_mergeable_anon_vma)") \
  X(kLazyUffdMove, "lazy/uffd-move", "UFFDIO_MOVE moves a lazy folio to the destination VMA's root")      \
  /* the COW-context design (cow_context_policy.cpp) */                                                  \
  X(kCowctxFork, "cowctx/fork-context", "the child mm's context hangs below the parent's")               \
  X(kCowctxExit, "cowctx/exit-context", "an mm goes; its context stays for children and folios")         \
  X(kCowctxSharedRoot, "cowctx/shared-root", "a shared swap-in folio goes to the fork tree's root context") \
  X(kCowctxMoveAnon, "cowctx/move-anon", "COW reuse moves a folio to the reusing mm's context")

enum class Path : uint16_t {
#define RMC_COVERAGE_ENUM(id, name, what) id,
  RMC_COVERAGE_PATHS(RMC_COVERAGE_ENUM)
#undef RMC_COVERAGE_ENUM
      kCount,
};

inline constexpr size_t kPathCount = static_cast<size_t>(Path::kCount);

// "vma/merge-new-both"; "fault/wp-copy", ...
std::string_view path_name(Path path);
// When the path is taken, in the kernel's words.
std::string_view path_description(Path path);

class Coverage;
// The names of the paths `coverage` never took, space-separated; "none".
std::string paths_never_taken(const Coverage& coverage);

// How often each path was taken.
class Coverage {
 public:
  void hit(Path path) { hits_[static_cast<size_t>(path)]++; }
  uint64_t hits(Path path) const { return hits_[static_cast<size_t>(path)]; }
  // Paths taken at least once.
  size_t covered() const {
    size_t n = 0;
    for (uint64_t h : hits_) n += h != 0;
    return n;
  }
  void merge(const Coverage& other) {
    for (size_t i = 0; i < kPathCount; i++) hits_[i] += other.hits_[i];
  }
  const std::array<uint64_t, kPathCount>& all() const { return hits_; }
  std::array<uint64_t, kPathCount>& all() { return hits_; }

 private:
  std::array<uint64_t, kPathCount> hits_{};
};

}  // namespace rmc
