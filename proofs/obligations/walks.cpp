// walks.cpp - the two rmap walks' tests, in any layout the base invariants
// allow: the lazy walk's acceptance test (covering VMA, equal base) and the
// eager interval-tree query over [index, index + nr - 1].
//
// "We can then use folio_addr to locate the VMA covering this folio."
// (wangtao, seed 003)
#include "proofs/obligations/tables.h"

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
    show_vma(g, "vma", v);
    g.show("vma.last_pgoff", geom::vma_last_pgoff(v.start, v.end, v.pgoff));
    g.show("index", index);
    g.show("nr", nr);
    g.show("addr", addr);
  }
  return geom::interval_overlaps(v.pgoff, geom::vma_last_pgoff(v.start, v.end, v.pgoff), index, last);
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
        // Realisable: fresh anonymous VMAs in the arena. The whole VMA (the
        // root) moves while the page is a swap entry: the folio keeps the
        // old struct, with its old fields, as root.
        const VmaWords v = anon_vma_words(g, "vma");
        const z3::expr page = g.word("page"), to = g.word("new");
        const VmaWords moved{to, to + (v.end - v.start), v.pgoff};
        g.assume(in_trace_window(v) && in_trace_window(moved) && disjoint(v, moved) && covers(v, page));
        const z3::expr index = index_of(v, page);
        const z3::expr computed = geom::lazy_root_address(v.start, v.pgoff, index);
        const VmaWords stranger = anon_vma_words(g, "stranger");
        g.assume(in_trace_window(stranger) && disjoint(stranger, moved) && covers(stranger, computed));
        show_vma(g, "vma", v);
        g.show("page", page);
        g.show("new", to);
        g.show("computed", computed);
        g.show("page_now", to + (page - v.start));
        g.show("stranger.start", stranger.start);
        g.show("stranger.end", stranger.end);
        g.claim(!geom::lazy_walk_accepts(stranger.start, stranger.end, stranger.pgoff, v.start,
                                         v.pgoff, index));
      },
      .no_trace = "every model fails earlier, at the mremap that lets a stranger in: lazy and lazy-gki with L3 (the "
                  "unfixed folio's root is freed, mremap_stale_root_address.trace), base0 with L2 under lazy.swapin "
                  "unconverted (search_unfixed_entry_live_root.trace); with the default converted swap-in the stale "
                  "folio is copied, never mapped again, so no walk reaches the stranger",
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
      .no_trace = "the kernel refuses such a VMA (EOVERFLOW) and anonymous pgoffs in the model are arena pages; the "
                  "same miss, with pgoffs that wrap through a stack growth instead, is the trace of "
                  "stack.unguarded_growth_wraps_pgoffs",
  });

  return table;
}

}  // namespace rmc::proofs
