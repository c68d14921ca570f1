// op_codec.h - the binary form of a trace, for fuzzers.
//
// libFuzzer mutates bytes; the codec turns bytes into ops through the op
// table (each op: a kind byte, a process byte, then each operand in the
// table's order with a fixed width), so a mutated byte changes one operand
// of one op, and a corpus trace has an exact byte form (a seed). Format
// version 6; versions 1, 2, 3, 4 and 5 are the same with the first 14, 16,
// 18, 19 and 25 rows of the op table (before mmap_zero, before
// migrate_begin, before uffd_move, before pin, unpin, lazy_off, lazy_on,
// split_begin and split_end, before fault_race, grow_race and
// mprotect_race), so an old input decodes as it always did:
//
//   byte 0   version (1-6); inputs of another version decode to nothing
//   byte 1   options: bits 0-1 large_folio_order (0, 2, 4, 0),
//            bit 2 swapcache_after_pageout off
//   then ops, each: kind % kinds, pid % processes, operands:
//     ADDR, NEWADDR, DST, ADDR2  2 bytes little endian, page number
//     LEN, NEWLEN    1 byte, 1 + value
//     PROT           1 byte, & 7;  MMAP/MREMAP FLAGS 1 byte, masked
//     ADVICE         1 byte, % advices;  CHILD 1 byte, % processes
//     PGOFF          2 bytes little endian, the file page offset (0-0xffff,
//                    below or above ADDR: bases that wrap and bases that do not)
//     SHIFT          1 byte, 1 + value
//   (NEWADDR is always encoded, and used only with the 'fixed' flag.)
// A truncated last op is dropped. Decoding never fails: ops that are not
// well-formed are dropped here, ops that are not valid in the world are
// dropped by whoever runs them (fuzz/differential.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/core/trace.h"

namespace rmc {

inline constexpr uint8_t kCodecVersion = 6;
// Op kinds each version knows: the first N rows of the op table.
inline constexpr size_t kCodecV1Kinds = 14;
inline constexpr size_t kCodecV2Kinds = 16;
inline constexpr size_t kCodecV3Kinds = 18;
inline constexpr size_t kCodecV4Kinds = 19;
inline constexpr size_t kCodecV5Kinds = 25;
// Ops decoded from one input at most.
inline constexpr size_t kMaxDecodedOps = 256;

struct DecodedInput {
  ModelOptions options;
  std::vector<Op> ops;  // well-formed (op_form_error is empty), not yet validated
};

DecodedInput decode_ops(const uint8_t* data, size_t size);
// The bytes that decode to `ops` with `options`, in the oldest version (2-6)
// that has all of their kinds, so that old seeds keep their bytes; nothing
// if the codec cannot express them (a length above 256, a file offset above
// 0xffff, large_folio_order other than 0, 2, 4, a guard or check turned off,
// bug, lazy or cowctx options).
std::optional<std::string> encode_ops(const std::vector<Op>& ops, const ModelOptions& options);

}  // namespace rmc
