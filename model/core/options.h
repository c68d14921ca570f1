// options.h - the knobs of one model run, settable per trace ("option" lines)
// and per campaign.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rmc {

// Historical anon_vma bugs that the eager policy can re-introduce, one rule
// each (kernel-eager.md section 6). Off by default: the model is 6.18.8+.
enum class Bug : uint8_t {
  kB3,   // merge that imports faulted pages skips dup_anon_vma (vma_adjust, 2010)
  kB4,   // anon_vma_prepare reuses a neighbour's anon_vma with a non-singular chain
  kB12,  // one "degree" counter instead of num_children/num_active_vmas (CVE-2022-42703)
  kB16,  // mremap merge into an unfaulted VMA does not dup the copied anon_vma (< 6.18.8)
  kB17,  // mremap merge checks the fork-child limit on `middle`, not the copied VMA (< 6.18.8)
  kCount,
};

std::string_view bug_name(Bug bug);
std::optional<Bug> bug_from_name(std::string_view name);

// The points the ANON_VMA_LAZY series leaves open ([GUESS] in
// lazy-design.md), one named choice each, defaulting to the most plausible
// reading of the patches. Option lines: "option lazy.NAME VALUE".
struct LazyOptions {
  // Upgrade of a lazy VMA at fork or mremap: a new anon_vma per VMA, or one
  // shared by all VMAs of the same root (lazy.upgrade vma|root).
  enum class UpgradeScope : uint8_t { kVma, kRoot };
  UpgradeScope upgrade = UpgradeScope::kVma;
  // Which lazy folios get folio->mapping rewritten: those whose PTEs fork
  // copies (try_dup_anon_rmap) and mremap moves (move_ptes), as the series
  // says, or every present folio of the VMA at upgrade time
  // (lazy.repoint copied|all).
  enum class Repoint : uint8_t { kCopied, kAll };
  Repoint repoint = Repoint::kCopied;
  // The lazy walk visits the one VMA covering the folio's first page, or
  // every VMA of the root's mm covering any of its pages (lazy.walk one|all).
  enum class Walk : uint8_t { kOne, kAll };
  Walk walk = Walk::kOne;
  // ksm_might_need_to_copy on a lazy swap-cache folio: converted (copy unless
  // the faulting VMA is in the folio's lazy tree) or unconverted (no anon_vma
  // -> no copy) (lazy.swapin converted|unconverted).
  enum class Swapin : uint8_t { kConverted, kUnconverted };
  Swapin swapin = Swapin::kConverted;
  // mremap also rewrites the mapping of swap-cached folios behind swap
  // entries it moves (lazy.mremap_fix_swap on|off).
  bool mremap_fix_swap = false;
  // mremap rewrites the mapping of the folio behind a migration entry it
  // moves (a migration in flight), as for a present PTE; the series does not
  // say. On by default, the reading most favourable to the series: M10 (the
  // migration's copy keeps the old root) stands even then
  // (lazy.mremap_fix_migration on|off).
  bool mremap_fix_migration = true;
  // TREE_PARENT VMAs count in their anon_vma's num_active_vmas
  // (lazy.count_tree_parent on|off).
  bool count_tree_parent = false;
  // A lazy VMA merges only with its own tree or an unfaulted VMA (refuse), or
  // also with another tree or a regular anon_vma of the mm, both sides being
  // upgraded into one anon_vma first (lazy.merge refuse|upgrade).
  enum class Merge : uint8_t { kRefuse, kUpgrade };
  Merge merge = Merge::kRefuse;
  // Leaving lazy mode with every folio re-pointed (lazy.repoint all, and
  // base0 always) also re-points swap-cached folios behind the VMA's swap
  // entries (lazy.repoint_swap on|off).
  bool repoint_swap = false;
  // A TREE_PARENT VMA leaving lazy mode gets a new anon_vma (new), or may
  // reuse one of its chain as anon_vma_fork would (lazy.parent_upgrade
  // new|reuse).
  enum class ParentUpgrade : uint8_t { kNew, kReuse };
  ParentUpgrade parent_upgrade = ParentUpgrade::kNew;
  // A new folio in a TREE_PARENT VMA (a COW fault, or a first fault of a page
  // the parent never touched) goes to the anon_vma the VMA is linked to (the
  // plausible reading, lazy-design.md 1.3), or first upgrades the VMA to an
  // anon_vma of its own, as an eager fork child has (lazy.parent_cow
  // parent|upgrade).
  enum class ParentCow : uint8_t { kParent, kUpgrade };
  ParentCow parent_cow = ParentCow::kParent;
  // The lazy walk computes base + index modulo 2^64 and takes it as it is
  // (modular, what S19 asks), or first drops a folio whose address is below
  // the root's base, as a sanity check "addr >= base" would (naive): a
  // wrapped base, from a MAP_PRIVATE file offset, then loses every page
  // (lazy.addr_check modular|naive; proof address.naive_range_check_fails_on_wrap).
  enum class AddrCheck : uint8_t { kModular, kNaive };
  AddrCheck addr_check = AddrCheck::kModular;
  // base0 leaves lazy mode when exec relocates the new stack down
  // (relocate_vma_down makes its base != 0; lazy-design.md 2(c)), or the
  // stack stays lazy and the walk computes its pages' old addresses
  // (lazy.base0_exec leave|stay; proof exec.base0_loses_relocated_pages).
  enum class Base0Exec : uint8_t { kLeave, kStay };
  Base0Exec base0_exec = Base0Exec::kLeave;
  // A migration between its unmap and remove_migration_ptes holds a lazy
  // folio's root VMA (base0: its mm, mmgrab), as folio_get_anon_vma holds an
  // anon_vma, so that the root outlives an munmap meanwhile (held); or it
  // holds nothing, and the walk of the new folio may find the root freed
  // (none). The series parks its handle in dst->mapping but does not say
  // what keeps it valid (lazy-design.md 1.3; lazy.migration_ref held|none).
  enum class MigrationRef : uint8_t { kHeld, kNone };
  MigrationRef migration_ref = MigrationRef::kHeld;
  // UFFDIO_MOVE of a lazy folio. mm/userfaultfd.c is not in the series'
  // diffstat: move_pages_pte still calls folio_get_anon_vma() and retries
  // -EAGAIN while it returns NULL. Barry Song's list of hooks for the GKI
  // version (seeds/002) hooks folio_get_anon_vma for lazy VMAs and has
  // folio_move_anon_rmap set the mapping to the lazy root: then the move
  // goes through and the folio names the destination VMA's root (move, the
  // default). Unhooked, folio_get_anon_vma finds no anon_vma in a lazy
  // folio and UFFDIO_MOVE retries for ever (eagain; lazy-design.md 1.3, S14;
  // lazy.uffd_move move|eagain).
  enum class UffdMove : uint8_t { kMove, kEagain };
  UffdMove uffd_move = UffdMove::kMove;
  // Two threads' first faults in one VMA (S20). The series calls its lazy
  // prepare in __vmf_anon_prepare before the per-VMA-lock fallback, so it
  // runs under the per-VMA read lock alone, and the hunk takes no other
  // lock (lazy-design.md 1.3): both threads test the VMA's word, both store
  // TREE_VMA(self) and both take the root's reference (plain, the default);
  // or the test and the store are one step (a cmpxchg of the word, or
  // mm->page_table_lock as mainline takes): the second thread finds the VMA
  // prepared (atomic; lazy.prepare_race plain|atomic).
  enum class PrepareRace : uint8_t { kPlain, kAtomic };
  PrepareRace prepare_race = PrepareRace::kPlain;
  // The lazy walk takes no anon_vma lock, so nothing keeps it out of
  // expand_downwards (or __split_vma) changing a root's vm_start and
  // vm_pgoff, which mainline does under the anon_vma write lock: it may
  // read vm_start from before and vm_pgoff from after (torn, the default:
  // lazy-design.md P4; the series' walk shows no lock or seqcount), or reads
  // the pair consistently (stable: a seqcount, or the VMA lock;
  // lazy.base_read torn|stable).
  enum class BaseRead : uint8_t { kTorn, kStable };
  BaseRead base_read = BaseRead::kTorn;
  bool operator==(const LazyOptions&) const = default;
};

// The COW-context design's open point: where a folio that may be shared
// (non-exclusive swap-in) goes: the root context of the fork tree, as the
// eager design sends it to the root anon_vma, or the faulting mm's context
// (cowctx.shared_swapin root|faulting).
struct CowContextOptions {
  enum class SharedSwapin : uint8_t { kRoot, kFaulting };
  SharedSwapin shared_swapin = SharedSwapin::kRoot;
  // mm/vma.c's fork-child test (vma_is_fork_child: anon_vma set and the AVC
  // list not singular) left unchanged reads the PoC's empty lists as "fork
  // child" for every faulted VMA, so faulted and unfaulted VMAs never merge;
  // or the test is dropped and they always may (cowctx.fork_child_check
  // unchanged|none).
  enum class ForkChildCheck : uint8_t { kUnchanged, kNone };
  ForkChildCheck fork_child_check = ForkChildCheck::kUnchanged;
  bool operator==(const CowContextOptions&) const = default;
};

struct ModelOptions {
  // Write faults allocate folios of this order where the aligned range is
  // empty and inside the VMA (mTHP "always" for that size); 0 = small folios.
  uint32_t large_folio_order = 0;
  // MADV_PAGEOUT leaves the folio in the swap cache, as with a swap file,
  // where writeback is still in flight when the call returns (the CI
  // kernel's setup). Off: the folio is freed at once, so a later swap-in reads
  // a fresh folio (a non-exclusive one lands in the root anon_vma).
  bool swapcache_after_pageout = true;
  // expand_downwards' "if (grow <= vma->vm_pgoff)": on in every kernel. Off
  // is a kernel without the test, whose grown stack's page offsets wrap
  // below 0 (the counterexample of proof stack.unguarded_growth_wraps_pgoffs
  // replayed as a trace, docs/proofs.md); a trace that turns it off is not
  // run on the real kernel.
  bool stack_pgoff_guard = true;
  // mmap_zero's file offset: at most kMaxFilePgoff pages, as mmap(2)'s byte
  // offset on a 64-bit kernel allows, so pgoff + pages never wraps (do_mmap's
  // "offset overflow?" EOVERFLOW test). Off takes both limits out: any 64-bit
  // vm_pgoff, whose interval [vm_pgoff, last] may wrap (the counterexample of
  // proof eager_walk.interval_query_relies_on_no_wrap); not run on the real
  // kernel.
  bool mmap_pgoff_check = true;
  uint32_t bugs = 0;  // bit per Bug
  LazyOptions lazy;
  CowContextOptions cowctx;
  // Set by option lines, so that a trace cannot give an option twice.
  bool large_folio_order_set = false;
  bool swapcache_after_pageout_set = false;
  bool stack_pgoff_guard_set = false;
  bool mmap_pgoff_check_set = false;

  bool bug(Bug b) const { return bugs & (1u << static_cast<uint32_t>(b)); }
  void set_bug(Bug b) { bugs |= 1u << static_cast<uint32_t>(b); }
  bool operator==(const ModelOptions& o) const {
    return large_folio_order == o.large_folio_order &&
           swapcache_after_pageout == o.swapcache_after_pageout && stack_pgoff_guard == o.stack_pgoff_guard &&
           mmap_pgoff_check == o.mmap_pgoff_check &&
           bugs == o.bugs && lazy == o.lazy &&
           cowctx == o.cowctx;
  }
};

// Option lines of a trace, in the order written: ("large_folio_order", "4").
// Returns an error message, or nothing when applied.
std::optional<std::string> apply_option(ModelOptions& options, std::string_view name,
                                        std::string_view value);
// The value as an option line prints it ("0x2" -> "2").
std::string canonical_option_value(std::string_view name, std::string_view value);
// The option lines that reproduce `options` (non-defaults only).
std::vector<std::pair<std::string, std::string>> option_lines(const ModelOptions& options);

}  // namespace rmc
