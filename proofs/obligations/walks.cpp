// walks.cpp - the two rmap walks' tests, in any layout the base invariants
// allow: the lazy walk's acceptance test (covering VMA, equal base) and the
// eager interval-tree query over [index, index + nr - 1].
//
// "We can then use folio_addr to locate the VMA covering this folio."
// (wangtao, seed 003)
#include <fmt/format.h>

#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace walks {

// A reachable lazy state: the page at `page` in VMA `mapping`, whose base
// equals the root's (split, merge and growth keep it: base_kept.cpp), and
// folio->index the page's linear index there (I4; kept by the same ops).
struct LazyPage {
  VmaWords mapping;
  z3::expr root_start, root_pgoff, page, index;
};

LazyPage lazy_page(Goal& g) {
  const VmaWords m = vma_words(g, "mapping");
  const z3::expr root_start = g.word("root.start"), root_pgoff = g.word("root.pgoff");
  const z3::expr page = g.word("page");
  g.assume(base(m) == geom::mapping_base(root_start, root_pgoff));
  g.assume(covers(m, page));
  return {m, root_start, root_pgoff, page, index_of(m, page)};
}

z3::expr accepts(const VmaWords& v, const LazyPage& p) {
  return geom::lazy_walk_accepts(v.start, v.end, v.pgoff, p.root_start, p.root_pgoff, p.index);
}

// The eager query for a folio of nr pages, one of whose pages (`subpage`)
// a VMA maps: the VMA's interval must overlap the folio's.
z3::expr eager_query_finds(Goal& g, bool pgoffs_wrap_allowed) {
  const VmaWords v = vma_words(g, "vma");
  if (!pgoffs_wrap_allowed) g.assume(pgoffs_do_not_wrap(v));
  const z3::expr index = g.word("index"), nr = g.word("nr"), subpage = g.word("subpage"),
                 addr = g.word("addr");
  const z3::expr last = geom::folio_last_index(index, nr);
  g.assume(z3::ule(1, nr) && z3::ule(nr, 1u << kMaxFolioOrder) && z3::ule(index, last));
  g.assume(z3::ult(subpage, nr) && covers(v, addr) && index_of(v, addr) == index + subpage);
  if (pgoffs_wrap_allowed) {
    // Replayable: a small folio of a /dev/zero mapping in the trace window.
    g.assume(in_trace_window(v) && nr == 1);
    show_vma(g, "vma", v);
    g.show("vma.last_pgoff", geom::vma_last_pgoff(v.start, v.end, v.pgoff));
    g.show("index", index);
    g.show("nr", nr);
    g.show("addr", addr);
  }
  return geom::interval_overlaps(v.pgoff, geom::vma_last_pgoff(v.start, v.end, v.pgoff), index, last);
}

// The counterexample as a trace: mmap_zero at the witness's file offset,
// which no 64-bit kernel accepts (mmap(2) takes it in bytes; do_mmap's
// EOVERFLOW test), so option mmap_pgoff_check off lets it through.
std::string wrapped_interval_trace(const Values& v) {
  const uint64_t start = v.at("vma.start"), len = v.at("vma.end") - start, pgoff = v.at("vma.pgoff");
  const uint64_t addr = v.at("addr");
  TraceText t;
  t.generated_from("eager_walk.interval_query_relies_on_no_wrap", fmt::format(
      "A MAP_PRIVATE mapping of /dev/zero [{}, {}) at file page {}: its page offsets run past 2^64 (the last "
      "is {}), which mmap(2) on a 64-bit kernel cannot ask for and do_mmap refuses (EOVERFLOW). "
      "Option mmap_pgoff_check off lets it through.",
      hex(start), hex(start + len), hex(pgoff), hex(v.at("vma.last_pgoff"))));
  t.comment(fmt::format(
      "Predicted: the folio written at {} has index {}; the anon_vma interval tree keys the VMA "
      "by [vm_pgoff, last], which wraps (first > last), so the query over [index, index] misses "
      "it and eager fails rmap-missing at the fault, as do base0 (a base other than 0 is not "
      "lazy) and cowctx (the same interval). The lazy walk adds base and index modulo 2^64 and "
      "finds the page: lazy and lazy-gki pass.",
      hex(addr), hex(v.at("index"))));
  t.expect("fail rmap-missing");
  t.expect_for("lazy", "pass");
  t.expect_for("lazy-gki", "pass");
  t.option("mmap_pgoff_check", "off");
  t.op(fmt::format("P0 mmap_zero {} {} rw {}", hex(start), len, hex(pgoff)), "page offsets wrap");
  t.op(fmt::format("P0 write {} 1", hex(addr)), "the interval query misses the VMA");
  return t.str();
}

// The counterexample as a trace (lazy-design.md S11 and S2): split the root
// off above the VMA, swap the page out, move the VMA, map the stranger at
// the old address, swap the page in again. The stranger merges into the
// root's piece (same base, and an unfaulted range joins a lazy tree), so it
// passes the tree test too, not only the geometry.
std::string stranger_trace(const Values& v) {
  const uint64_t start = v.at("vma.start"), len = v.at("vma.end") - start, page = v.at("page");
  const uint64_t to = v.at("new"), stranger = v.at("stranger.start"), end = start + len;
  TraceText t;
  t.generated_from("lazy_walk.accepts_a_stranger_after_unfixed_move", fmt::format(
      "The first write at {} makes [{}, {}) a lazy root; mprotect splits off its last page, which "
      "keeps the root struct. The page is a swap entry when mremap moves [{}, {}) to {}, so "
      "move_ptes() does not fix its folio->mapping: the folio still names the root, whose base "
      "+ index is {}, the old address. A stranger [{}, {}) is then mapped there, read-only and "
      "MAP_NORESERVE like the root's page, so that it merges with it (flags and base alike) "
      "and joins its tree, and swap-in maps the cached "
      "folio at {} without a copy (option lazy.swapin unconverted: S9's unconverted "
      "ksm_might_need_to_copy).",
      hex(page), hex(start), hex(end + 1), hex(start), hex(end), hex(to), hex(v.at("computed")), hex(stranger),
      hex(end), hex(v.at("page_now"))));
  t.comment(fmt::format(
      "Predicted: the lazy walk of that folio computes {}, finds the stranger, which passes "
      "the acceptance test (the root's tree, the root's base), and visits it instead of {}: "
      "rmap-missing. The replay's first failure comes earlier, at the mremap: lazy, lazy-gki "
      "and base0 fail L2 (the swap entry is not at base(root) + index), hence the EXPECT lines. "
      "`rmapcheck replay --keep-going --design lazy` runs on past it and shows the rmap-missing "
      "at the swap-in; StrangerTrace (proofs/tests/test_traces.cpp) also checks that the walk "
      "visits the stranger. eager and cowctx pass.",
      hex(v.at("computed")), hex(v.at("page_now"))));
  t.expect("pass");
  t.expect_for("lazy", "fail L2");
  t.expect_for("lazy-gki", "fail L2");
  t.expect_for("base0", "fail L2");
  t.option("lazy.swapin", "unconverted");
  t.op(fmt::format("P0 mmap {} {} rw noreserve", hex(start), len + 1), "base 0, no VM_ACCOUNT");
  t.op(fmt::format("P0 write {} 1", hex(page)), "first fault: the lazy root");
  t.op(fmt::format("P0 mprotect {} 1 r", hex(end)), "split: the root keeps this page");
  t.op(fmt::format("P0 madvise {} 1 pageout", hex(page)), "a swap entry at the move");
  t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(start), len, len, hex(to)), "not fixed: L2");
  t.op(fmt::format("P0 mmap {} {} r noreserve", hex(stranger), end - stranger), "the stranger joins the root's tree");
  t.op(fmt::format("P0 read {} 1", hex(v.at("page_now"))), "swap-in: the walk accepts the stranger");
  return t.str();
}

}  // namespace walks

std::vector<Obligation> walk_obligations() {
  using namespace walks;
  std::vector<Obligation> table;

  table.push_back({
      .name = "lazy_walk.accepts_the_mapping_vma",
      .expected = Verdict::kProved,
      .claim = "the root computes the page's address and the VMA mapping it passes the acceptance test",
      .thread = "seed 003: \"= vma_mapping_base(root_vma) + folio_pgoff * PAGE_SIZE. We can then use folio_addr to locate the VMA covering this folio.\"",
      .state = [](Goal& g) {
        const LazyPage p = lazy_page(g);
        g.claim(geom::lazy_root_address(p.root_start, p.root_pgoff, p.index) == p.page &&
                accepts(p.mapping, p));
      },
  });

  table.push_back({
      .name = "lazy_walk.rejects_every_other_vma",
      .expected = Verdict::kProved,
      .claim = "no other VMA of the mm (VMAs never overlap) passes the acceptance test",
      .thread = "lazy-design.md 1.2 step 3: \"accept it only if ... vma_mapping_base(vma) == base\"",
      .state = [](Goal& g) {
        const LazyPage p = lazy_page(g);
        const VmaWords other = vma_words(g, "other");
        g.assume(disjoint(other, p.mapping));
        g.claim(!accepts(other, p));
      },
  });

  table.push_back({
      .name = "lazy_walk.rejects_a_vma_with_another_base",
      .expected = Verdict::kProved,
      .claim = "a VMA whose base differs from the root's fails the acceptance test, whatever address it covers",
      .thread = "lazy-design.md 1.2 step 3: \"accept it only if it is in R's topology (same tree value) and vma_mapping_base(vma) == base\"",
      .state = [](Goal& g) {
        const LazyPage p = lazy_page(g);
        const VmaWords other = vma_words(g, "other");
        g.assume(base(other) != geom::mapping_base(p.root_start, p.root_pgoff));
        g.claim(!accepts(other, p));
      },
  });

  table.push_back({
      .name = "lazy_walk.accepts_a_stranger_after_unfixed_move",
      .expected = Verdict::kCounterexample,
      .claim = "after a move that left the page's mapping unfixed, a new VMA at the old address passes the acceptance test's geometry",
      .thread = "seed 003: \"vma_mapping_base(new_vma) = vma_mapping_base(vma) + new_addr - old_addr\" (lazy-design.md S11, S2)",
      .state = [](Goal& g) {
        // Realisable: fresh anonymous VMAs in the arena. The page's VMA
        // moves while the page is a swap entry, so its folio keeps naming
        // the root struct, which a split left alive as the page above the
        // VMA ([vma.end, vma.end + 1), the same base). The stranger is mapped
        // at the old address afterwards, up to the root's page.
        const VmaWords v = anon_vma_words(g, "vma");
        const VmaWords root{v.end, v.end + 1, geom::split_upper_pgoff(v.start, v.pgoff, v.end)};
        const z3::expr page = g.word("page"), to = g.word("new");
        const VmaWords moved{to, to + (v.end - v.start), v.pgoff};
        g.assume(in_trace_window(v.start, root.end - v.start) && in_trace_window(moved) && disjoint(v, moved) &&
                 disjoint(root, moved) && covers(v, page));
        const z3::expr index = index_of(v, page);
        const z3::expr computed = geom::lazy_root_address(root.start, root.pgoff, index);
        const VmaWords stranger = anon_vma_words(g, "stranger");
        g.assume(in_trace_window(stranger) && stranger.end == root.start && disjoint(stranger, moved) &&
                 covers(stranger, computed));
        show_vma(g, "vma", v);
        g.show("page", page);
        g.show("new", to);
        g.show("computed", computed);
        g.show("page_now", to + (page - v.start));
        g.show("stranger.start", stranger.start);
        g.show("stranger.end", stranger.end);
        g.claim(!geom::lazy_walk_accepts(stranger.start, stranger.end, stranger.pgoff, root.start, root.pgoff,
                                         index));
      },
      .trace = stranger_trace,
  });

  table.push_back({
      .name = "eager_walk.interval_query_finds_every_mapping_vma",
      .expected = Verdict::kProved,
      .claim = "a VMA that maps any page of a folio has an interval [pgoff, last] overlapping [index, index + nr - 1]",
      .thread = "lazy-design.md 0: \"interval-tree query over [index, index+nr-1] -> for each avc's VMA, address = vm_start + (index - vm_pgoff)*PAGE\"",
      .state = [](Goal& g) { g.claim(eager_query_finds(g, false)); },
  });

  table.push_back({
      .name = "eager_walk.intervals_are_exact",
      .expected = Verdict::kProved,
      .claim = "[pgoff, vma_last_pgoff] holds exactly the offsets the VMA maps, [index, folio_last_index] exactly the folio's",
      .thread = "lazy-design.md 0: the interval tree is keyed by [vm_pgoff, vm_pgoff + pages - 1], the query is [index, index + nr - 1]",
      .state = [](Goal& g) {
        const VmaWords v = vma_words(g, "vma");
        g.assume(pgoffs_do_not_wrap(v));
        const z3::expr index = g.word("index"), nr = g.word("nr"), offset = g.word("offset");
        const z3::expr last = geom::folio_last_index(index, nr);
        g.assume(z3::ule(1, nr) && z3::ule(index, last));
        const z3::expr in_vma_interval =
            z3::ule(v.pgoff, offset) && z3::ule(offset, geom::vma_last_pgoff(v.start, v.end, v.pgoff));
        const z3::expr in_folio_interval = z3::ule(index, offset) && z3::ule(offset, last);
        g.claim(in_vma_interval == covers(v, geom::page_address(v.start, v.pgoff, offset)) &&
                in_folio_interval == z3::ult(offset - index, nr));
      },
  });

  table.push_back({
      .name = "eager_walk.interval_query_relies_on_no_wrap",
      .expected = Verdict::kCounterexample,
      .claim = "without do_mmap's EOVERFLOW check (pgoff + pages must not wrap) the interval query misses a mapping VMA",
      .thread = "mm/mmap.c do_mmap: \"offset overflow?\" ((pgoff + (len >> PAGE_SHIFT)) < pgoff => -EOVERFLOW)",
      .state = [](Goal& g) { g.claim(eager_query_finds(g, true)); },
      .trace = wrapped_interval_trace,
  });

  return table;
}

}  // namespace rmc::proofs
