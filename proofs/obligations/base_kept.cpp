// base_kept.cpp - the obligations of seed 003's second category: creation,
// split, merge, stack growth and brk keep vma_mapping_base, and with it every
// page's linear index.
//
// "When a new VMA is created, vm_start, vm_end and vm_pgoff are initialized
//  and the VMA is inserted into mm_mt. Although these fields may later be
//  modified, the following value remains invariant: (vm_start - vm_pgoff *
//  PAGE_SIZE)" (wangtao, seed 003).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace base_kept {

using geom::linear_page_index;
using geom::mapping_base;

// __split_vma at `at`, strictly inside the VMA: the lower piece keeps
// vm_pgoff, the upper piece gets split_upper_pgoff (whichever struct each
// piece lands in).
struct Split {
  VmaWords whole, lower, upper;
  z3::expr at;
};

Split split(Goal& g) {
  const VmaWords v = vma_words(g, "vma");
  const z3::expr at = g.word("at");
  g.assume(z3::ult(v.start, at) && z3::ult(at, v.end));
  return {v, {v.start, at, v.pgoff}, {at, v.end, geom::split_upper_pgoff(v.start, v.pgoff, at)}, at};
}

// A VMA named `name` that starts where `prev` ends (the next VMA of a
// merge), non-empty.
VmaWords next_to(Goal& g, const VmaWords& prev, const std::string& name) {
  const VmaWords v{prev.end, g.word(name + ".end"), g.word(name + ".pgoff")};
  g.assume(z3::ult(v.start, v.end));
  return v;
}

// The unguarded growth as a trace: a stack whose vm_pgoff is below the
// growth. An anonymous mapping's vm_pgoff is its start page, and mremap
// keeps it for a faulted VMA, so the stack is mapped at page `pgoff`,
// faulted, and moved to `start`; the fault at `new_start` then grows it.
std::string unguarded_growth_trace(const Values& v) {
  const uint64_t start = v.at("stack.start"), len = v.at("stack.end") - start, pgoff = v.at("stack.pgoff");
  const uint64_t new_start = v.at("new_start");
  // Within the arena, with room for the intermediate move below.
  if (pgoff + len > kArenaPages / 2 || start + len > kArenaPages / 2)
    throw std::runtime_error(fmt::format("stack [{}, +{}) pgoff {} does not fit the arena", hex(start), len, hex(pgoff)));
  TraceText t;
  t.generated_from("stack.unguarded_growth_wraps_pgoffs", fmt::format(
      "A stack [{}, {}) with vm_pgoff {} grows down to {}: by {} pages, more than vm_pgoff, which expand_downwards "
      "refuses (\"if (grow <= vma->vm_pgoff)\"). Option stack_pgoff_guard off takes that test "
      "out, and the grown stack gets vm_pgoff {}: its page offsets wrap below 0.",
      hex(start), hex(start + len), hex(pgoff), hex(new_start), start - new_start, hex(v.at("grown.pgoff"))));
  t.comment(
      "Predicted: the anon_vma interval tree is keyed by [vm_pgoff, vma_last_pgoff], which now "
      "wraps (first > last), so the query over a folio's [index, index + nr - 1] misses the "
      "stack: every design fails rmap-missing at the growing fault, for the page faulted "
      "before the move and for the new one (the lazy designs left lazy mode at the move; "
      "cowctx picks its contexts' VMAs by the same interval). With the guard on (every kernel) "
      "the fault is a "
      "SIGSEGV and the trace is bad input.");
  t.expect("fail rmap-missing");
  t.option("stack_pgoff_guard", "off");
  t.op(fmt::format("P0 mmap {} {} rw growsdown", hex(pgoff), len), "vm_pgoff = vm_start");
  t.op(fmt::format("P0 write {} 1", hex(pgoff)), "faulted: mremap keeps vm_pgoff");
  if (pgoff < start + len && start < pgoff + len) {  // overlapping ranges: mremap refuses, go round
    const uint64_t aside = std::max(pgoff, start) + len;
    t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(pgoff), len, len, hex(aside)), "out of the way");
    t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(aside), len, len, hex(start)),
         fmt::format("the stack: vm_pgoff {}", hex(pgoff)));
  } else {
    t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(pgoff), len, len, hex(start)),
         fmt::format("the stack: vm_pgoff {}", hex(pgoff)));
  }
  t.op(fmt::format("P0 write {} 1", hex(new_start)), "grows the stack past vm_pgoff: rmap-missing");
  return t.str();
}

}  // namespace base_kept

std::vector<Obligation> base_kept_obligations() {
  using namespace base_kept;
  std::vector<Obligation> table;

  table.push_back({
      .name = "create.anon_base_zero",
      .expected = Verdict::kProved,
      .claim = "a new private anonymous VMA (mmap, brk, the exec stack) has vma_mapping_base 0",
      .thread = "seed 003: \"When a new VMA is created, vm_start, vm_end and vm_pgoff are initialized\"",
      .state = [](Goal& g) {
        const z3::expr addr = g.word("addr");
        g.claim(mapping_base(addr, geom::new_anon_pgoff(addr)) == 0);
      },
  });

  table.push_back({
      .name = "split.base_kept",
      .expected = Verdict::kProved,
      .claim = "both pieces of a split have the base of the VMA they came from",
      .thread = "seed 003: \"If a VMA is split and produces new_vma, vma_mapping_base(new_vma) == vma_mapping_base(vma)\"",
      .state = [](Goal& g) {
        const Split s = split(g);
        g.claim(base(s.lower) == base(s.whole) && base(s.upper) == base(s.whole));
      },
  });

  table.push_back({
      .name = "split.page_index_kept",
      .expected = Verdict::kProved,
      .claim = "every page of the upper piece has the linear index it had before the split",
      .thread = "seed 003: \"vma_mapping_base(new_vma) == vma_mapping_base(vma)\" (so no folio->index changes)",
      .state = [](Goal& g) {
        const Split s = split(g);
        const z3::expr addr = g.word("addr");
        g.assume(covers(s.upper, addr));
        g.claim(index_of(s.upper, addr) == index_of(s.whole, addr));
      },
  });

  table.push_back({
      .name = "merge.contiguous_means_equal_base",
      .expected = Verdict::kProved,
      .claim = "if next's pgoff continues prev's (the merge test), next has prev's base",
      .thread = "seed 003: \"If two adjacent VMAs vma_a and vma_b are merged into vma_x, then vma_mapping_base(vma_a) == vma_mapping_base(vma_b)\"",
      .state = [](Goal& g) {
        const VmaWords prev = vma_words(g, "prev");
        const VmaWords next = next_to(g, prev, "next");
        g.assume(geom::pgoff_continues(prev.start, prev.end, prev.pgoff, next.pgoff));
        g.claim(base(next) == base(prev));
      },
  });

  table.push_back({
      .name = "merge.equal_base_means_contiguous",
      .expected = Verdict::kProved,
      .claim = "two adjacent VMAs with equal bases pass the merge test's pgoff contiguity",
      .thread = "lazy-design.md 0: \"pgoff must be contiguous, which implies equal vm_start - vm_pgoff*PAGE\" (the converse)",
      .state = [](Goal& g) {
        const VmaWords prev = vma_words(g, "prev");
        const VmaWords next = next_to(g, prev, "next");
        g.assume(base(next) == base(prev));
        g.claim(geom::pgoff_continues(prev.start, prev.end, prev.pgoff, next.pgoff));
      },
  });

  table.push_back({
      .name = "merge.expand_keeps_every_index",
      .expected = Verdict::kProved,
      .claim = "prev absorbing middle and next (vma_expand) gives every page the index it had in its piece",
      .thread = "seed 003: \"vma_mapping_base(vma_a) == vma_mapping_base(vma_b) == vma_mapping_base(vma_x)\"",
      .state = [](Goal& g) {
        // prev [p0, p1), middle [p1, p2), next [p2, p3), pgoffs contiguous
        // (vma_merge_existing_range); the merged VMA is prev's struct with
        // prev's start and pgoff and next's end.
        const VmaWords prev = vma_words(g, "prev");
        const VmaWords middle = next_to(g, prev, "middle");
        const VmaWords next = next_to(g, middle, "next");
        g.assume(z3::ult(prev.start, next.end));  // the three do not wrap together
        g.assume(geom::pgoff_continues(prev.start, prev.end, prev.pgoff, middle.pgoff));
        g.assume(geom::pgoff_continues(middle.start, middle.end, middle.pgoff, next.pgoff));
        const VmaWords merged{prev.start, next.end, prev.pgoff};
        const z3::expr addr = g.word("addr");
        g.assume(covers(merged, addr));
        const z3::expr before = z3::ite(covers(prev, addr), index_of(prev, addr),
                                        z3::ite(covers(middle, addr), index_of(middle, addr),
                                                index_of(next, addr)));
        g.claim(base(merged) == base(prev) && index_of(merged, addr) == before);
      },
  });

  table.push_back({
      .name = "merge.grow_down_keeps_base_and_index",
      .expected = Verdict::kProved,
      .claim = "next growing down over middle's range (merge_down_pgoff) keeps its base and middle's indexes",
      .thread = "seed 003: \"vma_mapping_base(vma_a) == vma_mapping_base(vma_b) == vma_mapping_base(vma_x)\"",
      .state = [](Goal& g) {
        // mprotect of [from, next.start) inside middle: next's struct grows
        // down to `from` (vma_merge_existing_range, "N grows down").
        const VmaWords middle = vma_words(g, "middle");
        const VmaWords next = next_to(g, middle, "next");
        g.assume(geom::pgoff_continues(middle.start, middle.end, middle.pgoff, next.pgoff));
        const z3::expr from = g.word("from");
        g.assume(covers(middle, from));
        const VmaWords grown{from, next.end, geom::merge_down_pgoff(next.start, next.pgoff, from)};
        const z3::expr addr = g.word("addr");
        g.assume(z3::ule(from, addr) && z3::ult(addr, next.start));
        g.claim(base(grown) == base(next) && index_of(grown, addr) == index_of(middle, addr));
      },
  });

  table.push_back({
      .name = "stack.growth_keeps_base_and_index",
      .expected = Verdict::kProved,
      .claim = "expand_downwards (vm_start and vm_pgoff down by the same count) keeps the base and every index",
      .thread = "lazy-design.md 1.3: \"stack growth (expand_downwards) ... base unchanged\"",
      .state = [](Goal& g) {
        const VmaWords stack = vma_words(g, "stack");
        const z3::expr new_start = g.word("new_start");
        g.assume(z3::ult(new_start, stack.start));
        const z3::expr grow = stack.start - new_start;
        g.assume(geom::stack_growth_allowed(stack.pgoff, grow));
        const VmaWords grown{new_start, stack.end, geom::stack_growth_pgoff(stack.pgoff, grow)};
        const z3::expr addr = g.word("addr");
        g.assume(covers(stack, addr));
        g.claim(base(grown) == base(stack) && index_of(grown, addr) == index_of(stack, addr));
      },
  });

  table.push_back({
      .name = "stack.guard_keeps_pgoffs_from_wrapping",
      .expected = Verdict::kProved,
      .claim = "with expand_downwards' guard (grow <= vm_pgoff) the grown stack's page offsets do not wrap",
      .thread = "mm/mmap.c expand_downwards grows only \"if (grow <= vma->vm_pgoff)\" (lazy-design.md 1.3: \"guarded by g <= vm_pgoff\")",
      .state = [](Goal& g) {
        const VmaWords stack = vma_words(g, "stack");
        g.assume(pgoffs_do_not_wrap(stack));
        const z3::expr new_start = g.word("new_start");
        g.assume(z3::ult(new_start, stack.start));
        const z3::expr grow = stack.start - new_start;
        g.assume(geom::stack_growth_allowed(stack.pgoff, grow));
        const VmaWords grown{new_start, stack.end, geom::stack_growth_pgoff(stack.pgoff, grow)};
        g.claim(pgoffs_do_not_wrap(grown));
      },
  });

  table.push_back({
      .name = "stack.unguarded_growth_wraps_pgoffs",
      .expected = Verdict::kCounterexample,
      .claim = "without the guard, a stack growing by more than vm_pgoff pages wraps its page offsets",
      .thread = "mm/mmap.c expand_downwards: \"if (grow <= vma->vm_pgoff)\" is needed (the eager interval tree is keyed by pgoff)",
      .state = [](Goal& g) {
        const VmaWords stack = vma_words(g, "stack");
        g.assume(pgoffs_do_not_wrap(stack));
        const z3::expr new_start = g.word("new_start");
        g.assume(z3::ult(new_start, stack.start));
        const z3::expr grow = stack.start - new_start;
        const VmaWords grown{new_start, stack.end, geom::stack_growth_pgoff(stack.pgoff, grow)};
        show_vma(g, "stack", stack);
        g.show("new_start", new_start);
        g.show("grown.pgoff", grown.pgoff);
        g.claim(pgoffs_do_not_wrap(grown));
      },
      .trace = unguarded_growth_trace,
  });

  table.push_back({
      .name = "brk.growth_keeps_base",
      .expected = Verdict::kProved,
      .claim = "brk extends the heap only when the new range continues its pgoffs; base stays 0 and indexes match a fresh mapping",
      .thread = "seed 003: \"2. mmap / brk / mprotect / munmap ... the following value remains invariant\"",
      .state = [](Goal& g) {
        // do_brk_flags: the range [old_brk, new_brk) with pgoff
        // new_anon_pgoff(old_brk) joins the heap VMA [start, old_brk) by a
        // "just expand" merge, which must pass pgoff_continues.
        const VmaWords heap = vma_words(g, "heap");
        const z3::expr new_brk = g.word("new_brk");
        g.assume(z3::ult(heap.end, new_brk));
        const VmaWords added{heap.end, new_brk, geom::new_anon_pgoff(heap.end)};
        g.assume(geom::pgoff_continues(heap.start, heap.end, heap.pgoff, added.pgoff));
        const VmaWords grown{heap.start, new_brk, heap.pgoff};
        const z3::expr addr = g.word("addr");
        g.assume(covers(added, addr));
        g.claim(base(grown) == base(heap) && base(heap) == 0 &&
                index_of(grown, addr) == index_of(added, addr));
      },
  });

  return table;
}

}  // namespace rmc::proofs
