// bounds.h - every limit of the model, named in one place.
//
// TigerBeetle's rule: put a limit on everything. A trace, a world and a
// campaign are bounded by these constants; going past one is bad input
// (a clear error), never undefined behaviour.
#pragma once

#include <cstdint>

// Assertions are the checker's oracle: a build without them checks nothing.
#ifdef NDEBUG
#error "rmapcheck must be built with assertions enabled (NDEBUG is defined)"
#endif

namespace rmc {

// The simulated address space ("arena") in pages. Trace addresses are page
// numbers inside it; the real-kernel oracle adds a fixed base address.
// 0x10000 pages = 256 MiB of 4 KiB pages: room for the 256-page stack guard
// gap around a few stacks.
inline constexpr uint64_t kArenaPages = 0x10000;

// Processes named in one trace: P0 .. P7.
inline constexpr uint32_t kMaxProcesses = 8;

// Ops in one trace.
inline constexpr uint32_t kMaxTraceOps = 100000;

// Pages touched by one op (write/read/migrate ... of LEN pages).
inline constexpr uint64_t kMaxOpPages = 4096;

// Largest folio order the large-folio option may ask for (PMD order on x86-64).
inline constexpr uint32_t kMaxFolioOrder = 9;

// VMAs per process (the kernel's default vm.max_map_count is 65530).
inline constexpr uint32_t kMaxVmasPerProcess = 65530;

// Length of a trace line, in characters.
inline constexpr uint32_t kMaxLineChars = 4096;

// Bytes of an input file (a trace, or a fuzzer input for shrink). Read
// with this bound, a device such as /dev/zero is "file too large", not a
// hang. A trace at the op limit with a comment on every op is ~10 MB.
inline constexpr uint64_t kMaxInputFileBytes = uint64_t{64} << 20;

// The largest file offset, in pages, mmap_zero accepts (option
// mmap_pgoff_check on). mmap(2) takes the offset in bytes, so a 64-bit
// kernel's vm_pgoff is below 2^52; the kernel oracle adds the arena's base
// page (below 2^36) to it, and 2^51 leaves room for that.
inline constexpr uint64_t kMaxFilePgoff = (uint64_t{1} << 51) - 1;

// The largest shift of an exec op: how far relocate_vma_down moves the stack.
inline constexpr uint64_t kMaxExecShift = 256;

// Pages one process may hold pinned (pin op) at a time. The kernel oracle
// registers each pin op's range as one io_uring ring's buffer, so this also
// bounds the rings a worker holds open.
inline constexpr uint64_t kMaxPinnedPages = 64;

// The kernel's default stack_guard_gap: 256 pages.
inline constexpr uint64_t kStackGuardGapPages = 256;

// RLIMIT_STACK default of 8 MiB, in pages: the most a growsdown VMA may span.
inline constexpr uint64_t kStackRlimitPages = 2048;

// Objects allocated in one world over its life (ids are never reused, so
// this bounds memory). A 64-op trace uses a few hundred.
inline constexpr uint64_t kMaxObjectsPerWorld = uint64_t{1} << 30;

}  // namespace rmc
