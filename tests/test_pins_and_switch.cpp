// test_pins_and_switch.cpp - the pin / unpin ops (long-term pins, S10) and
// the series' runtime switch (lazy_off / lazy_on, S7): what each changes in
// the world, and the bad input each refuses. What the real kernel does with
// pins is in corpus/kernel/pin_*.trace (tests/kernel).
#include <gtest/gtest.h>

#include "model/check/runner.h"
#include "model/core/op_semantics.h"
#include "model/designs.h"
#include "tests/run_helpers.h"

namespace rmc {
namespace {

std::unique_ptr<World> run_ok(const std::string& body, std::string_view design = "eager") {
  return run_ok(parse_ok(body), design);
}

const Folio& folio_at(const World& w, ProcessId pid, PageNo addr) {
  const Pte* pte = w.proc(pid).pt.find(addr);
  EXPECT_TRUE(pte && pte->kind == PteKind::kPresent) << addr;
  return w.folio(w.folio_of(pte->pfn()));
}

TEST(Pin, WriteFaultsThenPinsEveryPage) {
  auto w = run_ok("P0 mmap 0x100 4 rw\nP0 read 0x100 1\nP0 pin 0x100 3\n");
  for (PageNo addr : {0x100u, 0x101u, 0x102u}) {
    const Pte* pte = w->proc(ProcessId{0}).pt.find(addr);
    ASSERT_TRUE(pte && pte->kind == PteKind::kPresent && pte->writable) << addr;  // the zero page was COWed
    EXPECT_TRUE(w->page(pte->pfn()).anon_exclusive);
    EXPECT_EQ(w->folio(w->folio_of(pte->pfn())).dma_pins, 1u);
  }
  EXPECT_EQ(w->proc(ProcessId{0}).pt.find(0x103), nullptr);
  EXPECT_EQ(w->proc(ProcessId{0}).pinned.size(), 3u);
}

TEST(Pin, ForkCopiesThePinnedPageAndSharesTheRest) {
  auto w = run_ok("P0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 pin 0x101 1\nP0 fork P1\n");
  const ProcessId p0{0}, p1{1};
  EXPECT_EQ(&folio_at(*w, p0, 0x100), &folio_at(*w, p1, 0x100));
  EXPECT_NE(&folio_at(*w, p0, 0x101), &folio_at(*w, p1, 0x101));
  EXPECT_TRUE(w->proc(p0).pt.find(0x101)->writable);  // the parent's page is left as it was
  EXPECT_TRUE(w->proc(p1).pt.find(0x101)->writable);  // the copy is the child's alone
  EXPECT_FALSE(w->proc(p0).pt.find(0x100)->writable);
  EXPECT_TRUE(w->proc(p1).pinned.empty());  // pins are not inherited
}

TEST(Pin, AFolioOutlivesItsMappingsUntilUnpin) {
  auto w = run_ok("P0 mmap 0x100 1 rw\nP0 pin 0x100 1\nP0 munmap 0x100 1\n");
  EXPECT_EQ(w->live_folios(), 1u);
  run_ok("P0 mmap 0x100 1 rw\nP0 pin 0x100 1\nP0 munmap 0x100 1\nP0 unpin\nexpect count folio 0\n");
  run_ok("P0 mmap 0x100 1 rw\nP0 pin 0x100 1\nP0 fork P1\nP0 exit\nexpect count folio 1\n");
}

TEST(Pin, PageoutMigrationAndSplitLeaveAPinnedFolioAlone) {
  auto w = run_ok(
      "option large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 mmap 0x200 1 rw\nP0 write 0x100 4\nP0 write 0x200 1\n"
      "P0 pin 0x103 1\nP0 pin 0x200 1\nP0 madvise 0x100 4 pageout\nP0 madvise 0x200 1 pageout\n"
      "P0 split_folio 0x100\nP0 migrate 0x100 4\nP0 migrate 0x200 1\n");
  const Folio& large = folio_at(*w, ProcessId{0}, 0x100);
  EXPECT_EQ(large.order, 2u);
  EXPECT_FALSE(large.in_swapcache);
  const Folio& small = folio_at(*w, ProcessId{0}, 0x200);
  EXPECT_FALSE(small.in_swapcache);  // kept before it got a swap slot
  EXPECT_EQ(small.id, FolioId{1});  // not migrated: still the folio the write made
  EXPECT_EQ(large.id, FolioId{0});
}

TEST(Pin, UffdMoveOfAPinnedPageIsBusy) {
  auto w = run_ok("P0 mmap 0x100 1 rw\nP0 mmap 0x200 1 rw\nP0 pin 0x100 1\nP0 uffd_move 0x100 1 0x200\n");
  EXPECT_EQ(w->events().uffd_move_result, -EBUSY);
  auto large = run_ok(
      "option large_folio_order 2\nP0 mmap 0x100 4 rw\nP0 mmap 0x200 4 rw\nP0 write 0x100 4\nP0 pin 0x101 1\n"
      "P0 uffd_move 0x102 1 0x202\n");
  EXPECT_EQ(large->events().uffd_move_result, -EBUSY);
  EXPECT_EQ(folio_at(*large, ProcessId{0}, 0x102).order, 2u);  // the split failed
}

TEST(Pin, BadInputIsRefusedWithTheReason) {
  auto w = run_ok("P0 mmap 0x100 2 r\nP0 mmap 0x200 70 rw\nP0 mmap_zero 0x300 1 rw 0x300\n");
  auto reason = [&](PageNo addr, PageNo len) { return refusal(*w, {.kind = OpKind::kPin, .addr = addr, .len = len}); };
  EXPECT_NE(reason(0x100, 1).find("not writable (EFAULT)"), std::string::npos);
  EXPECT_NE(reason(0x1ff, 2).find("no VMA maps it (EFAULT)"), std::string::npos);
  EXPECT_NE(reason(0x300, 1).find("anonymous VMAs only"), std::string::npos);
  EXPECT_NE(reason(0x200, 65).find("more than 64 pinned pages"), std::string::npos);
  EXPECT_EQ(reason(0x200, 64), "");
  Verdict v = run_trace(parse_ok("P0 mmap 0x100 1 r\nP0 pin 0x100 1\n"), "eager", true);
  EXPECT_EQ(v.kind, Verdict::Kind::kError);
  EXPECT_NE(v.error.find("pin of 0x100: the VMA is not writable (EFAULT)"), std::string::npos) << v.error;
}

TEST(LazySwitch, OffMakesFirstFaultsMainlineAndRefusesALazyNeighbour) {
  // B (rwx) does not merge with A (rw) but may share its anon_vma.
  const std::string ops = "P0 mmap 0x100 2 rw\nP0 write 0x100 1\nP0 lazy_off\nP0 mmap 0x102 2 rwx\nP0 write 0x102 1\n";
  auto eager = run_ok(ops, "eager");
  EXPECT_EQ(eager->vma(eager->vma_lookup(ProcessId{0}, 0x102)).anon, eager->vma(eager->vma_lookup(ProcessId{0}, 0x100)).anon);
  auto lazy = run_ok(ops, "lazy");
  EXPECT_EQ(lazy->policy().describe_anon(*lazy, lazy->vma_lookup(ProcessId{0}, 0x100)), "lazy(root 0)");
  EXPECT_EQ(lazy->policy().describe_anon(*lazy, lazy->vma_lookup(ProcessId{0}, 0x102)), "av0");
  EXPECT_FALSE(lazy->lazy_enabled());
  auto back_on = run_ok(ops + "P0 lazy_on\nP0 mmap 0x110 1 rw\nP0 write 0x110 1\n", "lazy");
  EXPECT_EQ(back_on->policy().describe_anon(*back_on, back_on->vma_lookup(ProcessId{0}, 0x110)), "lazy(root 2)");
}

TEST(LazySwitch, OffReusesARegularNeighbour) {
  const std::string ops = "P0 mmap 0x100 2 rw\nP0 write 0x100 1\nP0 fork P1\nP0 lazy_off\nP0 mmap 0x102 2 rwx\nP0 write 0x102 1\n";
  auto lazy = run_ok(ops, "lazy");  // the fork upgraded A to a regular anon_vma with one AVC
  EXPECT_EQ(lazy->vma(lazy->vma_lookup(ProcessId{0}, 0x102)).anon, lazy->vma(lazy->vma_lookup(ProcessId{0}, 0x100)).anon);
}

}  // namespace
}  // namespace rmc
