// base_moved.cpp - the obligations of seed 003's third category and of exec:
// a move changes vma_mapping_base by exactly the displacement.
//
// "If the start address changes, the page is moved from (vma, addr) to
//  (new_vma, new_addr). In this case: vma_mapping_base(new_vma) =
//  vma_mapping_base(vma) + new_addr - old_addr. We first upgrade the VMA,
//  and then fix folio->mapping in move_ptes()." (wangtao, seed 003)
//
// The fix-up in move_ptes() sees present PTEs only. A page that is a swap or
// migration entry while its VMA moves keeps a folio->mapping that names the
// old root, whose base is the old one: mremap.stale_root_address shows the
// address the lazy walk then computes.
#include <fmt/format.h>

#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace base_moved {

using geom::lazy_root_address;
using geom::mapping_base;

// A faulted VMA, part of which, [old, old + len) with the page in it, moves
// to new_addr (move_vma: copy_vma keeps the linear pgoff).
struct Move {
  VmaWords vma, moved;
  z3::expr page, old, len, new_addr, page_now;
};

Move move(Goal& g, bool fresh_anon) {
  const VmaWords v = fresh_anon ? anon_vma_words(g, "vma") : vma_words(g, "vma");
  const z3::expr page = g.word("page"), old = g.word("old"), len = g.word("len"),
                 new_addr = g.word("new");
  g.assume(covers(v, old) && z3::ult(0, len) && z3::ule(len, v.end - old));
  g.assume(z3::ult(page - old, len));  // the page is in the moved range
  const VmaWords moved{new_addr, new_addr + len,
                       geom::mremap_pgoff_faulted(v.start, v.pgoff, old)};
  g.assume(z3::ult(moved.start, moved.end));  // the new range does not wrap
  return {v, moved, page, old, len, new_addr, new_addr + (page - old)};
}

// The stale-root trace: the page is swapped out when its VMA moves.
std::string stale_root_trace(const Values& v) {
  const uint64_t page = v.at("page"), old = v.at("old"), len = v.at("len"), to = v.at("new");
  TraceText t;
  t.generated_from("mremap.stale_root_address", fmt::format(
      "Lazy-design.md S11: a page that is a swap entry while its VMA moves keeps a folio->mapping naming the old root, "
      "because move_ptes() fixes the folios of present PTEs only. The old root (unmapped, "
      "kept as a zombie) still has vm_start {} and vm_pgoff {}, base {}, so the lazy walk "
      "computes base + folio->index = {} for a page that is now at {}.",
      hex(v.at("root.start")), hex(v.at("root.pgoff")), hex(v.at("root.start") - v.at("root.pgoff")),
      hex(v.at("computed")), hex(v.at("page_now"))));
  t.comment(
      "Predicted: eager keeps folio->mapping and folio->index across the move and passes. "
      "lazy and lazy-gki fail L3 at the mremap: the move unmaps the root VMA while the "
      "swap-cached folio, not fixed, still names it, so the root is a freed struct the "
      "walk would read (a use of a freed root; were it kept as a zombie, the walk would "
      "compute the stale address above and miss the page at the swap-in). base0 (the mm "
      "is the root) and cowctx pass; with option lazy.mremap_fix_swap on, lazy passes too.");
  t.expect("pass").expect_for("lazy", "fail L3").expect_for("lazy-gki", "fail L3");
  t.op(fmt::format("P0 mmap {} {} rw", hex(v.at("vma.start")), v.at("vma.end") - v.at("vma.start")),
       "vm_pgoff = vm_start: base 0");
  t.op(fmt::format("P0 write {} 1", hex(page)), "first fault: this VMA is the lazy root");
  t.op(fmt::format("P0 madvise {} 1 pageout", hex(page)), "a swap entry; the folio stays in the swap cache");
  t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(old), len, len, hex(to)),
       "lazy: L3, the root is freed here");
  t.op(fmt::format("P0 read {} 1", hex(v.at("page_now"))), "swap-in at the new address");
  return t.str();
}

// The counterexample as a trace: one exec op builds the stack at the
// witness's place, writes every page (argv and envp) and relocates it.
std::string base0_exec_trace(const Values& v) {
  const uint64_t start = v.at("stack.start"), len = v.at("stack.end") - start, shift = v.at("shift");
  TraceText t;
  t.generated_from("exec.base0_loses_relocated_pages", fmt::format(
      "exec builds the stack [{}, {}) with base 0, writes its pages (copy_strings), then relocate_vma_down moves it "
      "down by {} page{}, keeping vm_pgoff: its base becomes -{}.",
      hex(start), hex(start + len), shift, shift == 1 ? "" : "s", shift));
  t.comment(fmt::format(
      "Predicted: with option lazy.base0_exec stay the base==0 variant keeps the stack lazy, "
      "and its walk takes folio->index as the virtual page: for the page now at {} it "
      "computes {}, the old address, and base0 fails rmap-missing at the exec. Leaving lazy "
      "mode (the default, leave) passes; lazy and lazy-gki pass too (the stack is its own "
      "root and its base is recomputed from the moved struct), as do eager and cowctx.",
      hex(v.at("page_now")), hex(v.at("computed"))));
  t.expect("pass");
  t.expect_for("base0", "fail rmap-missing");
  t.option("lazy.base0_exec", "stay");
  t.op(fmt::format("P0 exec {} {} {}", hex(start), len, shift), "base0 loses the relocated pages");
  return t.str();
}

}  // namespace base_moved

std::vector<Obligation> base_moved_obligations() {
  using namespace base_moved;
  std::vector<Obligation> table;

  table.push_back({
      .name = "mremap.base_moves_by_displacement",
      .expected = Verdict::kProved,
      .claim = "the VMA an mremap moves (faulted: linear pgoff kept) has base old base + new_addr - old_addr",
      .thread = "seed 003: \"vma_mapping_base(new_vma) = vma_mapping_base(vma) + new_addr - old_addr\"",
      .state = [](Goal& g) {
        const Move m = move(g, false);
        g.claim(base(m.moved) == base(m.vma) + (m.new_addr - m.old));
      },
  });

  table.push_back({
      .name = "mremap.keeps_every_index",
      .expected = Verdict::kProved,
      .claim = "every moved page has, at its new address, the linear index it had (folios need no change for eager)",
      .thread = "lazy-design.md 0: \"folios keep their mapping and index because the new VMA keeps the old pgoff\"",
      .state = [](Goal& g) {
        const Move m = move(g, false);
        g.claim(index_of(m.moved, m.page_now) == index_of(m.vma, m.page));
      },
  });

  table.push_back({
      .name = "mremap.unfaulted_restarts_at_base_zero",
      .expected = Verdict::kProved,
      .claim = "an unfaulted VMA moved by mremap gets pgoff = new address, base 0, as if freshly mapped",
      .thread = "mm/vma.c copy_vma: an unfaulted anonymous VMA's pgoff is reset to the new address",
      .state = [](Goal& g) {
        const z3::expr new_addr = g.word("new");
        g.claim(mapping_base(new_addr, geom::mremap_pgoff_unfaulted(new_addr)) == 0);
      },
  });

  table.push_back({
      .name = "mremap.stale_root_address",
      .expected = Verdict::kCounterexample,
      .claim = "a page moved while a swap/migration entry keeps its old root, which computes the old address",
      .thread = "seed 003: \"We first upgrade the VMA, and then fix folio->mapping in move_ptes()\" (lazy-design.md S11: non-present PTEs)",
      .state = [](Goal& g) {
        // The page's VMA is the root (it took the first fault); all of it
        // stays in the arena so that the counterexample is a trace.
        const Move m = move(g, true);
        g.assume(in_trace_window(m.vma) && in_trace_window(m.moved) && disjoint(m.vma, m.moved));
        const z3::expr index = index_of(m.vma, m.page);
        // move_vma unmaps [old, old + len): do_munmap splits the original
        // struct down to exactly that range and frees it; the folio's
        // mapping still names it (a zombie root with these fields).
        const VmaWords root{m.old, m.old + m.len,
                            geom::split_upper_pgoff(m.vma.start, m.vma.pgoff, m.old)};
        const z3::expr computed = lazy_root_address(root.start, root.pgoff, index);
        show_vma(g, "vma", m.vma);
        g.show("page", m.page);
        g.show("old", m.old);
        g.show("len", m.len);
        g.show("new", m.new_addr);
        g.show("index", index);
        g.show("root.start", root.start);
        g.show("root.pgoff", root.pgoff);
        g.show("computed", computed);
        g.show("page_now", m.page_now);
        g.claim(computed == m.page_now);
      },
      .trace = stale_root_trace,
  });

  table.push_back({
      .name = "exec.base_moves_by_shift",
      .expected = Verdict::kProved,
      .claim = "relocate_vma_down moves the stack by shift and keeps vm_pgoff: base - shift",
      .thread = "lazy-design.md 1.3: \"exec stack relocation ... vm_start changes, vm_pgoff kept => base changes\"",
      .state = [](Goal& g) {
        const VmaWords stack = vma_words(g, "stack");
        const z3::expr shift = g.word("shift");
        g.claim(mapping_base(geom::relocated_start(stack.start, shift), stack.pgoff) ==
                base(stack) - shift);
      },
  });

  table.push_back({
      .name = "exec.root_follows_its_own_move",
      .expected = Verdict::kProved,
      .claim = "a stack that is its own lazy root still computes every page's new address after relocation",
      .thread = "lazy-design.md 1.3 and S18: \"because base is recomputed from the same struct, base + index*PAGE still yields the new address\"",
      .state = [](Goal& g) {
        const VmaWords stack = vma_words(g, "stack");
        const z3::expr shift = g.word("shift"), page = g.word("page");
        g.assume(covers(stack, page));
        const z3::expr index = index_of(stack, page);  // argv/envp pages faulted before the move
        const VmaWords moved{geom::relocated_start(stack.start, shift),
                             geom::relocated_start(stack.end, shift), stack.pgoff};
        const z3::expr page_now = geom::relocated_start(page, shift);  // move_page_tables moves the page with the stack
        g.claim(lazy_root_address(moved.start, moved.pgoff, index) == page_now &&
                geom::lazy_walk_accepts(moved.start, moved.end, moved.pgoff, moved.start,
                                        moved.pgoff, index));
      },
  });

  table.push_back({
      .name = "exec.base0_loses_relocated_pages",
      .expected = Verdict::kCounterexample,
      .claim = "the base==0 variant computes a relocated stack page's old address (it must leave lazy mode)",
      .thread = "lazy-design.md 2(c): \"Must leave lazy mode ... on exec stack relocation (relocate_vma_down makes base != 0)\"",
      .state = [](Goal& g) {
        const VmaWords stack = anon_vma_words(g, "stack");  // insert_vm_struct: base 0
        const z3::expr shift = g.word("shift"), page = g.word("page");
        g.assume(covers(stack, page));
        // Replayable: an exec op's stack and shift (op_table.cpp).
        g.assume(in_trace_window(stack) && z3::ule(1, shift) && z3::ule(shift, g.page(kMaxExecShift)) &&
                 z3::ule(shift, stack.start));
        const z3::expr index = index_of(stack, page);
        const z3::expr page_now = geom::relocated_start(page, shift);
        show_vma(g, "stack", stack);
        g.show("shift", shift);
        g.show("page", page);
        g.show("computed", geom::base0_address(index));
        g.show("page_now", page_now);
        g.claim(geom::base0_address(index) == page_now);
      },
      .trace = base0_exec_trace,
  });

  return table;
}

}  // namespace rmc::proofs
