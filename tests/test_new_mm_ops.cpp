// test_new_mm_ops.cpp - the ops that reach bases other than 0: mmap_zero
// (a MAP_PRIVATE /dev/zero mapping, anonymous with the file offset as
// vm_pgoff) and exec (a new mm, relocate_vma_down), and their op codec.
#include <gtest/gtest.h>

#include "model/check/runner.h"
#include "model/core/op_codec.h"
#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"
#include "tests/run_helpers.h"

namespace rmc {
namespace {

const Vma& vma_at(const World& w, PageNo addr) {
  const VmaId id = w.vma_lookup(ProcessId{0}, addr);
  EXPECT_NE(id, kNoVma) << addr;
  return w.vma(id);
}

TEST(MmapZero, KeepsTheFileOffsetAsVmPgoff) {
  auto w = run_ok(parse_ok("P0 mmap_zero 0x100 4 rw 0x123456789\nP0 write 0x101 1\n"));
  const Vma& v = vma_at(*w, 0x100);
  EXPECT_EQ(v.pgoff, 0x123456789u);
  EXPECT_TRUE(v.flags & kVmFileDevZero);
  EXPECT_TRUE(v.faulted());
  EXPECT_EQ(w->folio(w->folio_of(w->proc(ProcessId{0}).pt.find(0x101)->pfn())).index, 0x12345678au);
}

// is_mergeable_vma compares vm_file: /dev/zero neighbours merge when their
// offsets continue, never with anonymous memory.
TEST(MmapZero, MergesOnlyWithDevZeroWhoseOffsetsContinue) {
  auto w = run_ok(parse_ok(
      "P0 mmap_zero 0x100 4 rw 0x5000\n"
      "P0 mmap_zero 0x104 4 rw 0x5004\n"    // continues: merges
      "P0 mmap_zero 0x108 4 rw 0x5009\n"    // a gap in the offsets: apart
      "P0 mmap 0x10c 4 rw\n"                // anonymous: apart
      "P0 mmap 0xfc 4 rw\n"));              // anonymous below, base 0 too: apart
  EXPECT_EQ(w->proc(ProcessId{0}).vmas.size(), 4u);
  EXPECT_EQ(vma_at(*w, 0x100).end, 0x108u);
  EXPECT_EQ(vma_at(*w, 0x108).start, 0x108u);
  EXPECT_FALSE(vma_at(*w, 0x10c).flags & kVmFileDevZero);
  EXPECT_EQ(vma_at(*w, 0xfc).end, 0x100u);
  // Offsets that continue an anonymous VMA's (base 0 on both sides) are not
  // enough: vm_file differs.
  auto same_base = run_ok(parse_ok("P0 mmap 0xfc 4 rw\nP0 mmap_zero 0x100 4 rw 0x100\nP0 mmap 0x104 4 rw\n"));
  EXPECT_EQ(same_base->proc(ProcessId{0}).vmas.size(), 3u);
}

TEST(MmapZero, WipeonforkIsRefused) {
  auto w = run_ok(parse_ok("P0 mmap 0x100 4 rw\nP0 mmap_zero 0x104 4 rw 0x104\n"));
  Op op;
  op.kind = OpKind::kMadvise;
  op.addr = 0x100;
  op.len = 8;
  op.advice = Advice::kWipeonfork;
  auto reason = op_invalid_reason(*w, op);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("EINVAL"), std::string::npos) << *reason;
  op.len = 4;  // the anonymous VMA alone is fine
  EXPECT_FALSE(op_invalid_reason(*w, op).has_value());
}

// Two refusals the kernel oracle found (kernel-fuzz, 2026-11-22): do_mmap
// refuses VM_GROWSDOWN for a private file mapping before mmap_zero() makes it
// anonymous, and remap_move's vma_multi_allowed() refuses to move a /dev/zero
// VMA together with anything else (its file has a get_unmapped_area).
TEST(MmapZero, RefusalsTheKernelOracleFound) {
  Verdict growsdown = run_trace(parse_ok("P0 mmap_zero 0x100 8 rw 0x100 growsdown\n"), "eager", true);
  EXPECT_EQ(growsdown.kind, Verdict::Kind::kError);
  EXPECT_NE(growsdown.error.find("EINVAL"), std::string::npos) << growsdown.error;
  for (const char* move : {"P0 mmap_zero 0x119 1 rw 0x119\nP0 mremap 0x119 2 2 0x2ebe maymove,fixed\n",
                           "P0 mmap 0x12a 1 rw\nP0 mmap_zero 0x131 1 rw 0x131\nP0 mremap 0x12a 8 8 0x113 maymove,fixed\n"}) {
    Verdict v = run_trace(parse_ok(move), "eager", true);
    EXPECT_EQ(v.kind, Verdict::Kind::kError) << move;
    EXPECT_NE(v.error.find("vma_multi_allowed (EFAULT)"), std::string::npos) << v.error;
  }
  // Alone in the range it moves; so does anonymous memory with a hole.
  EXPECT_EQ(run_trace(parse_ok("P0 mmap_zero 0x119 2 rw 0x119\nP0 mremap 0x119 2 2 0x2ebe maymove,fixed\n"), "eager", true).kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(run_trace(parse_ok("P0 mmap 0x119 1 rw\nP0 mremap 0x119 2 2 0x2ebe maymove,fixed\n"), "eager", true).kind,
            Verdict::Kind::kPass);
}

// A 64-bit kernel's vm_pgoff comes from a byte offset; option
// mmap_pgoff_check off lifts that (the trace of a proof).
TEST(MmapZero, OffsetsPastTheLimitNeedTheCheckOff) {
  const std::string ops = "P0 mmap_zero 0x100 2 rw 0xffffffffffffffff\nP0 write 0x101 1\n";
  Verdict checked = run_trace(parse_ok(ops), "eager", true);
  EXPECT_EQ(checked.kind, Verdict::Kind::kError);
  EXPECT_NE(checked.error.find("EOVERFLOW"), std::string::npos) << checked.error;
  Verdict at_limit = run_trace(parse_ok("P0 mmap_zero 0x100 2 rw 0x7ffffffffffff\nP0 write 0x101 1\n"), "eager", true);
  EXPECT_EQ(at_limit.kind, Verdict::Kind::kPass);
  Trace unchecked = parse_ok("option mmap_pgoff_check off\n" + ops);
  EXPECT_FALSE(unchecked.options.mmap_pgoff_check);
  EXPECT_EQ(run_trace(unchecked, "eager", true).first_property(), "rmap-missing");  // the interval wraps
  EXPECT_EQ(run_trace(unchecked, "lazy", true).kind, Verdict::Kind::kPass);         // base + index mod 2^64
}

// A wrapped base (file offset above the address) is fine in every design
// unless the lazy walk adds a naive "addr >= base" test.
TEST(MmapZero, WrappedBaseNeedsModularArithmetic) {
  const std::string ops = "P0 mmap_zero 0x100 4 rw 0x200000\nP0 write 0x100 4\nP0 fork P1\nP1 write 0x101 1\nP0 migrate 0x100 4\n";
  for (std::string_view design : {"eager", "lazy", "lazy-gki", "base0", "cowctx"}) run_ok(parse_ok(ops), design);
  Trace naive = parse_ok("option lazy.addr_check naive\n" + ops);
  EXPECT_EQ(run_trace(naive, "lazy", true).first_property(), "rmap-missing");
  EXPECT_EQ(run_trace(naive, "eager", true).kind, Verdict::Kind::kPass);
}

TEST(Exec, ReplacesTheMmAndRelocatesTheStack) {
  const std::string ops =
      "P0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 brk 0x8004\nP0 fork P1\n"
      "P0 exec 0x900 4 16\n"
      "P0 read 0x8f0 4\nP1 read 0x100 4\n";
  for (std::string_view design : {"eager", "lazy", "lazy-gki", "base0", "cowctx"}) {
    SCOPED_TRACE(std::string(design));
    auto w = run_ok(parse_ok(ops), design);
    const Process& p = w->proc(ProcessId{0});
    ASSERT_EQ(p.vmas.size(), 1u);
    const Vma& stack = w->vma(p.vmas[0]);
    EXPECT_EQ(stack.start, 0x8f0u);
    EXPECT_EQ(stack.end, 0x8f4u);
    EXPECT_EQ(stack.pgoff, 0x900u);  // relocate_vma_down keeps vm_pgoff
    EXPECT_TRUE(stack.flags & kVmGrowsdown);
    EXPECT_EQ(p.brk, kDefaultStartBrk);
    EXPECT_EQ(p.mm_generation, 1u);
    EXPECT_EQ(p.pt.size(), 4u);
  }
}

// base0 names pages by virtual page: it must leave lazy mode at the
// relocation (the default), or its walk computes the old addresses.
TEST(Exec, Base0MustLeaveLazyMode) {
  const std::string ops = "P0 exec 0x900 4 2\nP0 migrate 0x8fe 4\n";
  EXPECT_EQ(run_trace(parse_ok(ops), "base0", true).kind, Verdict::Kind::kPass);
  Trace stay = parse_ok("option lazy.base0_exec stay\n" + ops);
  EXPECT_EQ(run_trace(stay, "base0", true).first_property(), "rmap-missing");
  EXPECT_EQ(run_trace(stay, "lazy", true).kind, Verdict::Kind::kPass);  // its root moved itself
}

TEST(Exec, BadOperandsAreBadInput) {
  Op op;
  std::vector<std::string_view> below_zero = {"P0", "exec", "0x2", "1", "3"};
  auto err = parse_op(below_zero, op);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("below page 0"), std::string::npos) << *err;
  std::vector<std::string_view> no_shift = {"P0", "exec", "0x200", "1", "0"};
  ASSERT_TRUE(parse_op(no_shift, op).has_value());
  std::vector<std::string_view> too_long = {"P0", "exec", "0x1000", "4000", "1"};
  err = parse_op(too_long, op);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("RLIMIT_STACK"), std::string::npos) << *err;
}

// Version 1 inputs decode as they always did (14 op kinds); version 2 adds
// mmap_zero and exec, and encodes them.
TEST(OpCodec, Version1InputsKeepTheirMeaning) {
  const uint8_t v1[] = {1, 0, /*kind*/ 14, /*pid*/ 0, 0x00, 0x01, /*len*/ 3, /*prot*/ 3, /*flags*/ 0};
  DecodedInput in1 = decode_ops(v1, sizeof v1);
  ASSERT_EQ(in1.ops.size(), 1u);
  EXPECT_EQ(in1.ops[0].kind, OpKind::kMmap);  // 14 % 14
  // Version N knows the kinds below the first one version N + 1 added: that
  // kind wraps to mmap (kind 0) in version N. Version 3 added migrate_begin
  // (16), version 4 uffd_move (18), version 5 pin (19, then unpin, lazy_off,
  // lazy_on, split_begin, split_end).
  for (const auto& [version, first_new_kind] : {std::pair<uint8_t, uint8_t>{2, 16}, {3, 18}, {4, 19}}) {
    const uint8_t input[] = {version, 0, first_new_kind, 0, 0x00, 0x01, /*len*/ 3, /*prot*/ 3, /*flags*/ 0};
    DecodedInput in = decode_ops(input, sizeof input);
    ASSERT_EQ(in.ops.size(), 1u) << int{version};
    EXPECT_EQ(in.ops[0].kind, OpKind::kMmap) << int{version};
  }
  const uint8_t v2[] = {2, 0, 14, 0, 0x00, 0x01, 3, 3, /*pgoff*/ 0x34, 0x12, /*flags*/ 0};
  DecodedInput in2 = decode_ops(v2, sizeof v2);
  ASSERT_EQ(in2.ops.size(), 1u);
  EXPECT_EQ(in2.ops[0].kind, OpKind::kMmapZero);
  EXPECT_EQ(in2.ops[0].pgoff, 0x1234u);
  const uint8_t v3[] = {3, 0, 16, 0, 0x00, 0x01, /*kind*/ 17, /*pid*/ 2};
  DecodedInput in3 = decode_ops(v3, sizeof v3);
  ASSERT_EQ(in3.ops.size(), 2u);
  EXPECT_EQ(in3.ops[0].kind, OpKind::kMigrateBegin);
  EXPECT_EQ(in3.ops[0].addr, 0x100u);
  EXPECT_EQ(in3.ops[1].kind, OpKind::kMigrateEnd);
  const uint8_t v4[] = {4, 0, 18, 1, 0x00, 0x01, /*len*/ 3, /*dst*/ 0x00, 0x02};
  DecodedInput in4 = decode_ops(v4, sizeof v4);
  ASSERT_EQ(in4.ops.size(), 1u);
  EXPECT_EQ(in4.ops[0].kind, OpKind::kUffdMove);
  EXPECT_EQ(in4.ops[0].pid, ProcessId{1});
  EXPECT_EQ(in4.ops[0].addr, 0x100u);
  EXPECT_EQ(in4.ops[0].len, 4u);
  EXPECT_EQ(in4.ops[0].new_addr, 0x200u);
  const uint8_t v5[] = {5, 0, 19, 2, 0x00, 0x01, /*len*/ 1, /*kind*/ 20, /*pid*/ 2};
  Op pin;
  pin.kind = OpKind::kPin;
  pin.pid = ProcessId{2};
  pin.addr = 0x100;
  pin.len = 2;
  Op unpin;
  unpin.kind = OpKind::kUnpin;
  unpin.pid = ProcessId{2};
  EXPECT_EQ(decode_ops(v5, sizeof v5).ops, (std::vector<Op>{pin, unpin}));
  // Version 5 has no fault_race: kind 25 wraps to 0 (mmap) there.
  const uint8_t v6[] = {6, 0, 25, 1, 0x00, 0x01, 0x02, 0x01};
  Op race;
  race.kind = OpKind::kFaultRace;
  race.pid = ProcessId{1};
  race.addr = 0x100;
  race.new_addr = 0x102;
  EXPECT_EQ(decode_ops(v6, sizeof v6).ops, (std::vector<Op>{race}));
  const uint8_t v5_wrapped[] = {5, 0, 25, 1, 0x00, 0x01, 3, 3, 0};
  ASSERT_EQ(decode_ops(v5_wrapped, sizeof v5_wrapped).ops.size(), 1u);
  EXPECT_EQ(decode_ops(v5_wrapped, sizeof v5_wrapped).ops[0].kind, OpKind::kMmap);
  const uint8_t v7[] = {7, 0, 0, 0, 0, 1, 3, 3, 0};
  EXPECT_TRUE(decode_ops(v7, sizeof v7).ops.empty());
}

// Encoding picks the oldest version that has every kind of the trace, so the
// seeds written before version 3 keep their bytes.
TEST(OpCodec, EncodeUsesTheOldestVersionThatFits) {
  Trace old_ops = parse_ok("P0 mmap_zero 0x100 4 rw 0x1234\nP0 exec 0x900 8 16\n");
  Trace halves = parse_ok("P0 mmap 0x100 4 rw\nP0 migrate_begin 0x100\nP0 migrate_end\n");
  Trace moves = parse_ok("P0 mmap 0x100 4 rw\nP0 migrate_begin 0x100\nP0 uffd_move 0x100 2 0x1234\n");
  Trace pins = parse_ok("P0 mmap 0x100 4 rw\nP0 pin 0x100 2\nP0 uffd_move 0x100 2 0x1234\nP0 unpin\n");
  Trace races = parse_ok("P0 mmap 0x100 4 rw\nP0 pin 0x100 2\nP0 fault_race 0x102 0x103\n");
  for (const auto& [trace, version] : {std::pair{&old_ops, 2}, std::pair{&halves, 3}, std::pair{&moves, 4},
                                       std::pair{&pins, 5}, std::pair{&races, 6}}) {
    std::vector<Op> ops;
    for (const TraceLine& line : trace->lines)
      if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
    auto bytes = encode_ops(ops, trace->options);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(static_cast<uint8_t>((*bytes)[0]), version);
    DecodedInput back = decode_ops(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    EXPECT_EQ(back.ops, ops);
  }
}

TEST(OpCodec, NewOpsRoundTrip) {
  Trace trace = parse_ok("P0 mmap_zero 0x100 4 rw 0x1234\nP0 exec 0x900 8 16\n");
  std::vector<Op> ops;
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp) ops.push_back(line.op);
  auto bytes = encode_ops(ops, trace.options);
  ASSERT_TRUE(bytes.has_value());
  DecodedInput back = decode_ops(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  EXPECT_EQ(back.ops, ops);
  // What the codec cannot say, it refuses.
  ops[0].pgoff = 0x10000;
  EXPECT_FALSE(encode_ops(ops, trace.options).has_value());
  EXPECT_FALSE(encode_ops({}, parse_ok("option mmap_pgoff_check off\nP0 exit\n").options).has_value());
}

}  // namespace
}  // namespace rmc

namespace rmc {
namespace {

// split_folio in two halves (S6): the window between unmap and remap.
TEST(SplitHalves, BeginUnmapsEndRemapsSmallFolios) {
  const std::string ops = "option large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 split_begin 0x101\n";
  auto begun = run_ok(parse_ok(ops));
  ASSERT_TRUE(begun->migration().active());
  EXPECT_TRUE(begun->migration().split);
  for (PageNo addr = 0x100; addr < 0x104; addr++)
    EXPECT_EQ(begun->proc(ProcessId{0}).pt.find(addr)->kind, PteKind::kMigration) << addr;
  auto ended = run_ok(parse_ok(ops + "P0 migrate_end\nexpect count folio 1\nP0 split_end\nexpect count folio 4\n"));
  EXPECT_FALSE(ended->migration().active());  // migrate_end left the split alone, split_end ended it
  for (PageNo addr = 0x100; addr < 0x104; addr++) {
    const Pte* pte = ended->proc(ProcessId{0}).pt.find(addr);
    ASSERT_TRUE(pte && pte->kind == PteKind::kPresent) << addr;
    EXPECT_EQ(ended->folio(ended->folio_of(pte->pfn())).order, 0u);
  }
  // An access to an entry waits for the split: it ends there.
  auto waited = run_ok(parse_ok(ops + "P0 read 0x103 1\nexpect count folio 4\n"));
  EXPECT_FALSE(waited->migration().active());
}

TEST(SplitHalves, NothingIsInFlightForASmallOrPinnedFolio) {
  EXPECT_FALSE(run_ok(parse_ok("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 split_begin 0x100\n"))->migration().active());
  EXPECT_FALSE(run_ok(parse_ok("option large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 pin 0x100 1\nP0 split_begin 0x102\n"))
                   ->migration().active());
  // A migration in flight is ended by split_begin, and split_end leaves a migration alone.
  auto w = run_ok(parse_ok("option large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 migrate_begin 0x100\n"
                           "P0 split_end\n"));
  EXPECT_TRUE(w->migration().active());
  EXPECT_FALSE(w->migration().split);
}

}  // namespace
}  // namespace rmc
