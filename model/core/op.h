// op.h - one step of a trace: an operation, or an expectation about the state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/core/types.h"
#include "model/core/world.h"

namespace rmc {

// The operations. Their names, operands and generator weights are in the op
// table (op_table.h); their semantics in World.
enum class OpKind : uint8_t {
  kMmap,
  kMunmap,
  kMprotect,
  kMlock,
  kMunlock,
  kMadvise,
  kRead,
  kWrite,
  kFork,
  kExit,
  kMremap,
  kMigrate,
  kBrk,
  kSplitFolio,
  // Added in op codec version 2 (op_codec.h): version 1 inputs never decode to them.
  kMmapZero,
  kExec,
  // Added in op codec version 3.
  kMigrateBegin,
  kMigrateEnd,
  // Added in op codec version 4.
  kUffdMove,
  // Added in op codec version 5.
  kPin,
  kUnpin,
  kLazyOff,
  kLazyOn,
  kSplitBegin,
  kSplitEnd,
  // Added in op codec version 6.
  kFaultRace,
  kGrowRace,
  kMprotectRace,
  kCount,
};

struct Op {
  OpKind kind = OpKind::kRead;
  ProcessId pid{0};
  PageNo addr = 0;       // start of the range (mremap: old address; brk: new break)
  PageNo len = 0;        // pages (mremap: old length)
  PageNo new_len = 0;    // mremap
  PageNo new_addr = 0;   // mremap with MREMAP_FIXED; uffd_move: the destination; fault_race: the second page
  uint8_t prot = 0;      // mmap, mprotect
  uint8_t flags = 0;     // MmapFlag / MremapFlag bits
  Advice advice = Advice::kDontneed;
  ProcessId child{0};    // fork
  PageNo pgoff = 0;      // mmap_zero: the file offset in pages, which becomes vm_pgoff
  PageNo shift = 0;      // exec: pages relocate_vma_down moves the new stack down

  bool operator==(const Op&) const = default;
};

// Expectations: checks written into a trace, judged at that point of the
// replay (the kernel's selftests and experiments as traces).
enum class ExpectKind : uint8_t {
  kVmas,       // expect vmas P0 0x100-0x105:r 0x105-0x10a:rw:faulted   (or "none")
  kSame,       // expect same P0:0x100 P1:0x100     one physical page
  kDifferent,  // expect different P0:0x100 P1:0x100
  kState,      // expect state P0:0x100 swapped      (present|zero|swapped|none)
  kDelta,      // expect delta anon_vma +1 avc +1    since the previous delta
  kCounts,     // expect count vma 2 anon_vma 1 avc 1 folio 4
  kKill,       // expect kill P0:0x100 P0 P1    memory_failure's victims (or "none")
};

// What can be counted: live objects of the world and of its rmap design.
enum class CountKind : uint8_t { kVma, kAnonVma, kAvc, kFolio, kZombieVma, kCount };

enum class PageStateKind : uint8_t { kPresent, kZero, kSwapped, kNone, kCount };

struct PageRef {
  ProcessId pid{0};
  PageNo addr = 0;
  bool operator==(const PageRef&) const = default;
};

struct VmaSpec {
  PageNo start = 0;
  PageNo end = 0;
  int16_t prot = -1;    // -1: not checked
  int8_t faulted = -1;  // -1: not checked; 0 unfaulted; 1 has anon state
  bool operator==(const VmaSpec&) const = default;
};

struct CountSpec {
  CountKind what = CountKind::kVma;
  int64_t value = 0;
  bool operator==(const CountSpec&) const = default;
};

struct Expect {
  ExpectKind kind = ExpectKind::kVmas;
  ProcessId pid{0};                // kVmas
  std::vector<VmaSpec> vmas;       // kVmas
  std::vector<PageRef> pages;      // kSame, kDifferent, kState
  PageStateKind state = PageStateKind::kPresent;  // kState
  std::vector<CountSpec> counts;   // kDelta, kCount
  std::vector<ProcessId> victims;  // kKill, in order
  bool operator==(const Expect&) const = default;
};

}  // namespace rmc
