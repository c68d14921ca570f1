// observation.h - what a user process can see of the arena after a step,
// in one form for the kernel and for the model, and their comparison.
//
// Per live process: its VMAs in the arena (extent, protection, and for a
// /dev/zero VMA its file offset, as /proc/PID/maps shows them) and, for every page of those VMAs, its state
// (none, present, zero page, swapped), for present pages whether they are
// PageAnonExclusive, and an identity: the physical page (PFN) of a present
// page, the swap entry of a swapped one. Identities are compared only as
// equality classes ("which (process, page) pairs share a physical page /
// swap slot"), never as numbers: the model's PFNs are not the kernel's.
// Plus the live anon rmap objects the arena accounts for: VMAs, anon_vmas,
// AVCs (the kernel's come from the slab counts minus what the workers' own
// memory costs; see oracle.h).
//
// compare() returns the first difference, in this order: which processes
// are alive, VMA layouts, page states, sharing classes, exclusivity,
// "mapped once" (pagemap bit 56), counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/core/types.h"

namespace rmc {
class World;
}

namespace rmc::kernel {

enum class PageKind : uint8_t { kNone, kPresent, kZero, kSwapped };

struct PageView {
  PageKind kind = PageKind::kNone;
  bool exclusive = false;  // kPresent: PageAnonExclusive
  // False where the kernel does not show PageAnonExclusive: /proc/kpageflags
  // reports a tail page of a large folio with its head page's flags.
  bool exclusive_visible = true;
  // kPresent: this page is mapped by one PTE in all (pagemap bit 56; the
  // model's page mapcount == 1).
  bool mapped_once = false;
  uint64_t identity = 0;  // kPresent: PFN; kSwapped: swap entry
  bool operator==(const PageView&) const = default;
};

struct VmaView {
  PageNo start = 0;
  PageNo end = 0;
  uint8_t prot = 0;
  // The VMA maps /dev/zero (mmap_zero; the model's kVmFileDevZero), not
  // nothing. /proc/PID/maps shows a file's path and vm_pgoff (as the byte
  // offset); an anonymous VMA has neither.
  bool dev_zero = false;
  // dev_zero only: vm_pgoff in arena pages. The kernel's vm_pgoff minus the
  // arena's base page (kernel_ops.h adds it to mmap_zero's offset), so that
  // both sides give the same number when their bases agree.
  PageNo pgoff = 0;
  bool operator==(const VmaView&) const = default;
};

struct ProcessView {
  ProcessId pid{0};
  std::vector<VmaView> vmas;
  std::vector<PageView> pages;  // every page of `vmas`, in address order
  // Kernel only: every VMA of the process, in the arena or not (the worker's
  // own text and stack too); it tells the slab's other users apart.
  int64_t all_vmas = 0;
  // The view of page `addr`, which must lie in one of the VMAs.
  const PageView* page(PageNo addr) const;
};

struct ArenaCounts {
  int64_t vmas = 0;
  int64_t anon_vmas = 0;
  int64_t avcs = 0;
  bool operator==(const ArenaCounts&) const = default;
};

struct Observation {
  std::vector<ProcessView> processes;  // live processes, by pid
  ArenaCounts counts;                  // live objects the arena accounts for
  const ProcessView* process(ProcessId pid) const;
};

// The model's side: the same view of a World.
Observation observe_model(const World& w);

// How the sharing classes are named: each identity gets the number of its
// first appearance, scanning processes by pid and pages by address; present
// pages and swap entries are numbered separately. Two observations have the
// same sharing exactly when these labels are equal page for page.
struct SharingLabels {
  std::vector<std::vector<int>> labels;  // per process view, per page; -1 for none/zero
};
SharingLabels sharing_labels(const Observation& o);

struct Difference {
  enum class Kind : uint8_t { kProcesses, kVmas, kPageState, kSharing, kExclusive, kMappedOnce, kCounts };
  Kind kind = Kind::kVmas;
  std::string message;  // "P1:0x105: kernel swapped, model present"
};

// What to compare besides layouts, states and sharing.
struct CompareOptions {
  bool exclusive = true;
  bool counts = true;
};

std::optional<Difference> compare(const Observation& kernel, const Observation& model, const CompareOptions& options);

std::string_view difference_kind_name(Difference::Kind kind);

// Pictures in the style of model/core/layout.h, one column per page: the
// VMA row (A, B, C ... per VMA; upper case when the VMA maps anonymous
// pages), the page row (x exclusive, ~ shared or not exclusive, ? present
// but its exclusivity is not visible, 0 zero page, s swap entry, . none).
std::string render_observation_layout(const Observation& o);
// The sharing row: pages of one class carry the same letter (a-z for
// physical pages, then A-Z; swap entries use the same letters, numbered
// apart), '0' the zero page, '.' none.
std::string render_sharing(const Observation& o);
// The VMAs as "0x100-0x105:rw 0x105-0x10a:r" per process.
std::string render_vma_lists(const Observation& o);

}  // namespace rmc::kernel
