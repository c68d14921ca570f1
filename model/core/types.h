// types.h - identifiers and small value types shared by every model.
//
// Objects (VMAs, folios, anon_vmas, ...) live in per-world pools and are named
// by dense ids. Ids are never reused within a world: a freed object keeps its
// slot, marked dead, so a reference to it is detected as a use-after-free
// (KASAN's quarantine, made permanent).
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

namespace rmc {

// Addresses and page offsets are in pages (no PAGE_SHIFT anywhere in the
// model): address 0x100 is the page at byte 0x100000.
using PageNo = uint64_t;

enum class ProcessId : uint8_t {};
enum class VmaId : uint32_t {};
enum class FolioId : uint32_t {};
enum class Pfn : uint32_t {};
enum class SwapSlotId : uint32_t {};

template <class Id>
constexpr auto idx(Id id) {
  return static_cast<std::underlying_type_t<Id>>(id);
}

inline constexpr VmaId kNoVma{std::numeric_limits<uint32_t>::max()};
inline constexpr FolioId kNoFolio{std::numeric_limits<uint32_t>::max()};
inline constexpr SwapSlotId kNoSlot{std::numeric_limits<uint32_t>::max()};
// Pfn 0 is the shared zero page.
inline constexpr Pfn kZeroPfn{0};

// PROT_READ / PROT_WRITE / PROT_EXEC, as VM_READ / VM_WRITE / VM_EXEC.
enum Prot : uint8_t {
  kProtNone = 0,
  kProtRead = 1,
  kProtWrite = 2,
  kProtExec = 4,
};

// The vm_flags that matter for anonymous rmap and merging (mm.h names).
// Prot bits are kept apart in Vma::prot.
enum VmFlag : uint16_t {
  kVmAccount = 1 << 0,     // VM_ACCOUNT: committed memory; must match to merge
  kVmNoreserve = 1 << 1,   // VM_NORESERVE: MAP_NORESERVE
  kVmDontcopy = 1 << 2,    // VM_DONTCOPY: MADV_DONTFORK, child gets a hole
  kVmWipeonfork = 1 << 3,  // VM_WIPEONFORK: child gets an empty (zero) VMA
  kVmLocked = 1 << 4,      // VM_LOCKED: mlock / MAP_LOCKED
  kVmGrowsdown = 1 << 5,   // VM_GROWSDOWN: MAP_GROWSDOWN stack
  // Not a vm_flags bit: vm_file is /dev/zero, the one file the model maps
  // (mmap_zero). mmap_zero() makes a MAP_PRIVATE mapping of it anonymous
  // (vma_set_anonymous: no vm_ops) but keeps vm_file and the file offset as
  // vm_pgoff. is_mergeable_vma and anon_vma_compatible compare vm_file as
  // they compare the flags, and every copy of a VMA keeps it, so it lives here.
  kVmFileDevZero = 1 << 6,
  // VM_UFFD_MISSING, with the process's userfaultfd as vm_userfaultfd_ctx:
  // set on uffd_move's destination VMA only while the op runs (registered,
  // moved into, unregistered: userfaultfd.cpp). is_mergeable_vma compares
  // the flag and the context, anon_vma_compatible the flag, so while it is
  // set the VMA neither merges with nor reuses the anon_vma of a neighbour.
  kVmUffdMissing = 1 << 7,
};
using VmFlags = uint16_t;

// The model's counterpart of vma->anon_vma: one word whose meaning belongs to
// the rmap policy (eager: an anon_vma id + 1; lazy designs: a tagged word).
// 0 is NULL: the VMA is "unfaulted".
using AnonWord = uint64_t;
inline constexpr AnonWord kNoAnon = 0;

// The model's counterpart of folio->mapping for anonymous folios, again a
// policy-defined word; 0 means "not set".
using MappingWord = uint64_t;
inline constexpr MappingWord kNoMapping = 0;

}  // namespace rmc
