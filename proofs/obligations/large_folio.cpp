// large_folio.cpp - a large folio straddling a split (lazy-design.md S3):
// every page is still addressed correctly from the root, but no single VMA
// covers them all.
//
// Harry Yoo (seed 003): "VMAs are subject to change (even before being
// shared with other processes), and rmap needs something that doesn't go
// away across VMA merging, split, etc." The base does not go away; the
// "only one vma" of the lazy walk does.
#include <fmt/format.h>

#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace large_folio {

// A folio of nr pages mapped at [head, head + nr) of a VMA (folio->index =
// linear_page_index of the head), and a split at `at` strictly inside it.
struct Straddle {
  VmaWords vma, lower, upper;
  z3::expr nr, head, index, at, subpage, addr;
};

Straddle straddle(Goal& g, const VmaWords& v, const z3::expr& nr) {
  const z3::expr head = g.word("head"), at = g.word("at"), subpage = g.word("subpage");
  g.assume(covers(v, head) && z3::ule(nr, v.end - head));
  g.assume(z3::ult(head, at) && z3::ult(at - head, nr));
  g.assume(z3::ult(subpage, nr));
  const VmaWords lower{v.start, at, v.pgoff};
  const VmaWords upper{at, v.end, geom::split_upper_pgoff(v.start, v.pgoff, at)};
  return {v, lower, upper, nr, head, index_of(v, head), at, subpage, head + subpage};
}

std::string one_vma_walk_trace(const Values& v) {
  const uint64_t start = v.at("vma.start"), end = v.at("vma.end"), at = v.at("at"),
                 head = v.at("head"), order = v.at("order");
  TraceText t;
  t.generated_from("large_folio.one_vma_walk_misses_pages", fmt::format(
      "Lazy-design.md S3: an order-{} folio at {} is split by mprotect at {}. Its pages keep their "
      "addresses (large_folio.split_keeps_every_subpage_address), but page {} is at {}, "
      "outside the VMA that covers the head.",
      order, hex(head), hex(at), v.at("subpage"), hex(v.at("addr"))));
  t.comment(
      "Predicted: eager finds both VMAs through the anon_vma's interval tree and passes. "
      "lazy and lazy-gki walk one VMA, the one covering base + folio->index (lazy-design.md "
      "1.2), and fail rmap-missing at the mprotect: the pages past the split are not "
      "visited. base0 looks up every VMA over the folio's range and passes, as does lazy "
      "with option lazy.walk all; cowctx passes.");
  t.expect("pass").expect_for("lazy", "fail rmap-missing").expect_for("lazy-gki", "fail rmap-missing");
  t.option("large_folio_order", order);
  t.op(fmt::format("P0 mmap {} {} rw", hex(start), end - start), "vm_pgoff = vm_start: base 0");
  t.op(fmt::format("P0 write {} 1", hex(head)), fmt::format("one order-{} folio; lazy root", order));
  t.op(fmt::format("P0 mprotect {} {} r", hex(at), end - at), "split inside the folio: lazy misses");
  return t.str();
}

}  // namespace large_folio

std::vector<Obligation> large_folio_obligations() {
  using namespace large_folio;
  std::vector<Obligation> table;

  table.push_back({
      .name = "large_folio.split_keeps_every_subpage_address",
      .expected = Verdict::kProved,
      .claim = "after a split through a large folio, either piece as root computes every page's address, and that page's piece accepts it",
      .thread = "seed 003: \"= vma_mapping_base(root_vma) + folio_pgoff * PAGE_SIZE\" (lazy-design.md S3)",
      .state = [](Goal& g) {
        const VmaWords v = vma_words(g, "vma");
        const z3::expr nr = g.word("nr");
        g.assume(z3::ule(2, nr) && z3::ule(nr, 1u << kMaxFolioOrder));
        const Straddle s = straddle(g, v, nr);
        const VmaWords piece = select(z3::ult(s.addr, s.at), s.lower, s.upper);
        const z3::expr page_index = s.index + s.subpage;  // folio_page(folio, subpage)
        z3::expr ok = g.ctx().bool_val(true);
        for (const VmaWords& root : {s.lower, s.upper})  // the root struct is either piece
          ok = ok && geom::lazy_root_address(root.start, root.pgoff, page_index) == s.addr &&
               geom::lazy_walk_accepts(piece.start, piece.end, piece.pgoff, root.start, root.pgoff,
                                       page_index);
        g.claim(ok);
      },
  });

  table.push_back({
      .name = "large_folio.one_vma_walk_misses_pages",
      .expected = Verdict::kCounterexample,
      .claim = "the VMA covering a straddling folio's head does not cover all its pages: a one-VMA walk misses some",
      .thread = "lazy-design.md 1.2: \"Only one VMA and one mm are visited\"; S3 \"attacks 'there is only one vma'\"",
      .state = [](Goal& g) {
        // Realisable: a fresh anonymous VMA in the arena and an order-2
        // mTHP (16 KiB, the smallest common mTHP size) aligned to its size,
        // what a write fault allocates with large_folio_order 2. One
        // instance is all a counterexample needs; the proof above covers
        // every order.
        const VmaWords v = anon_vma_words(g, "vma");
        g.assume(in_trace_window(v));
        constexpr uint64_t kOrder = 2;
        const z3::expr order = g.page(kOrder), nr = g.page(uint64_t{1} << kOrder);
        const Straddle s = straddle(g, v, nr);
        g.assume((s.head & g.page((uint64_t{1} << kOrder) - 1)) == 0);
        const VmaWords head_piece = select(z3::ult(s.head, s.at), s.lower, s.upper);
        show_vma(g, "vma", v);
        g.show("order", order);
        g.show("head", s.head);
        g.show("at", s.at);
        g.show("subpage", s.subpage);
        g.show("addr", s.addr);
        g.claim(covers(head_piece, s.addr));
      },
      .trace = one_vma_walk_trace,
  });

  return table;
}

}  // namespace rmc::proofs
