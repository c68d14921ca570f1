// addressing.cpp - from a page offset to an address and back: the chain of
// equalities seed 003 rests on, for every 64-bit value, wrapped bases included.
//
// "vma_address(vma, pgoff, 1) = vma->vm_start + ((pgoff - vma->vm_pgoff)
//  << PAGE_SHIFT) = vma_mapping_base(vma) + pgoff * PAGE_SIZE =
//  vma_mapping_base(root_vma) + folio_pgoff * PAGE_SIZE" (wangtao, seed 003)
#include <fmt/format.h>

#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace addressing {

// A page `addr` of a VMA and its linear index; `wrapped` asks for a base
// that wraps below 0 (vm_pgoff > vm_start, a MAP_PRIVATE file offset: S19).
struct PageInVma {
  VmaWords vma;
  z3::expr addr, index;
};

PageInVma page_in_vma(Goal& g, bool wrapped) {
  const VmaWords v = vma_words(g, "vma");
  const z3::expr addr = g.word("addr");
  g.assume(covers(v, addr));
  if (wrapped) g.assume(z3::ult(v.start, v.pgoff));
  return {v, addr, index_of(v, addr)};
}

z3::expr round_trip(const PageInVma& p) {
  return base(p.vma) + p.index == p.addr &&
         geom::page_address(p.vma.start, p.vma.pgoff, p.index) == p.addr &&
         geom::lazy_root_address(p.vma.start, p.vma.pgoff, p.index) == p.addr;
}

// The counterexample as a trace: a MAP_PRIVATE mapping of /dev/zero at the
// witness's file offset gives the VMA its wrapped base (mmap_zero keeps the
// offset as vm_pgoff), and its first write fault makes it a lazy root.
std::string naive_check_trace(const Values& v) {
  const uint64_t start = v.at("vma.start"), len = v.at("vma.end") - start, pgoff = v.at("vma.pgoff");
  const uint64_t addr = v.at("addr");
  TraceText t;
  t.generated_from("address.naive_range_check_fails_on_wrap", fmt::format(
      "A MAP_PRIVATE mapping of /dev/zero [{}, {}) at file page {}: vm_pgoff is above vm_start, so "
      "vma_mapping_base = {} wraps below 0 (S19). Its first write fault makes it a lazy root.",
      hex(start), hex(start + len), hex(pgoff), hex(v.at("base"))));
  t.comment(fmt::format(
      "Predicted: with option lazy.addr_check naive the lazy walk drops a folio whose address "
      "{} is below the root's base, so lazy and lazy-gki fail rmap-missing at the fault. The "
      "default (modular: no range test) passes, as do eager, cowctx (interval tree) and base0 "
      "(a base other than 0 is never lazy there).",
      hex(addr)));
  t.expect("pass");
  t.expect_for("lazy", "fail rmap-missing");
  t.expect_for("lazy-gki", "fail rmap-missing");
  t.option("lazy.addr_check", "naive");
  t.op(fmt::format("P0 mmap_zero {} {} rw {}", hex(start), len, hex(pgoff)), "base wraps below 0");
  t.op(fmt::format("P0 write {} 1", hex(addr)), "lazy root: the naive check loses the page");
  return t.str();
}

}  // namespace addressing

std::vector<Obligation> addressing_obligations() {
  using namespace addressing;
  std::vector<Obligation> table;

  table.push_back({
      .name = "address.vma_address_is_base_plus_index",
      .expected = Verdict::kProved,
      .claim = "vma_address: vm_start + (index - vm_pgoff) equals vma_mapping_base + index for all values",
      .thread = "seed 003: \"vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT) = vma_mapping_base(vma) + pgoff * PAGE_SIZE\"",
      .state = [](Goal& g) {
        const z3::expr start = g.word("vm_start"), pgoff = g.word("vm_pgoff"), index = g.word("index");
        g.claim(geom::page_address(start, pgoff, index) == geom::mapping_base(start, pgoff) + index);
      },
  });

  table.push_back({
      .name = "address.round_trip",
      .expected = Verdict::kProved,
      .claim = "for every page of a VMA, base + linear_page_index(addr) == addr (and vma_address gives addr back)",
      .thread = "lazy-design.md 1.1: \"addr = vma_mapping_base(vma) + folio->index * PAGE_SIZE exactly (mod 2^64)\"",
      .state = [](Goal& g) { g.claim(round_trip(page_in_vma(g, false))); },
  });

  table.push_back({
      .name = "address.round_trip_wrapped_base",
      .expected = Verdict::kProved,
      .claim = "the round trip also holds when the base wraps below 0 (vm_pgoff > vm_start)",
      .thread = "lazy-design.md S19: \"base wraps below 0 ... Check all base arithmetic is modular\"",
      .state = [](Goal& g) { g.claim(round_trip(page_in_vma(g, true))); },
  });

  table.push_back({
      .name = "address.naive_range_check_fails_on_wrap",
      .expected = Verdict::kCounterexample,
      .claim = "a sanity check 'addr >= base' rejects the pages of a VMA whose base wraps",
      .thread = "lazy-design.md S19: \"no signed compare or 'addr >= base' range check is used\"",
      .state = [](Goal& g) {
        const PageInVma p = page_in_vma(g, true);
        // Replayable: a /dev/zero mapping in the trace window, at a file
        // offset mmap(2) can give.
        g.assume(in_trace_window(p.vma) && z3::ule(p.vma.pgoff, g.page(kMaxFilePgoff)));
        show_vma(g, "vma", p.vma);
        g.show("addr", p.addr);
        g.show("base", base(p.vma));
        g.claim(z3::ule(base(p.vma), p.addr));
      },
      .trace = naive_check_trace,
  });

  table.push_back({
      .name = "address.base0_agrees_with_root_at_base_zero",
      .expected = Verdict::kProved,
      .claim = "when the root's base is 0, the base==0 variant computes the same address and accepts the same VMAs",
      .thread = "lazy-design.md 2(c): \"restrict laziness to anonymous VMAs with vma_mapping_base == 0 ... folio->index is the virtual page number\"",
      .state = [](Goal& g) {
        const VmaWords root = vma_words(g, "root");
        const VmaWords other = vma_words(g, "vma");
        const z3::expr index = g.word("index");
        g.assume(base(root) == 0);
        g.claim(geom::base0_address(index) == geom::lazy_root_address(root.start, root.pgoff, index) &&
                geom::base0_walk_accepts(other.start, other.end, other.pgoff, index) ==
                    geom::lazy_walk_accepts(other.start, other.end, other.pgoff, root.start,
                                            root.pgoff, index));
      },
  });

  return table;
}

}  // namespace rmc::proofs
