// search_steps.h - the bounded search's transition relation.
//
// Item 3 of the issue: sequences of up to N geometry ops (split, merge,
// mremap, stack growth) over symbolic VMAs, asking for a state where a lazy
// folio's page is not found where it is. The state follows one page of one
// lazy folio:
//
//   m       the VMA that maps the page (start, end, pgoff)
//   r       the root VMA struct, whose base the lazy walk uses; it may be m's
//           struct (same), another live VMA (r_live), or a zombie: a struct
//           unmapped but kept by its reference count, fields frozen
//   lazy    the folio still uses root arithmetic (no upgrade has fixed it)
//   page    where the page is now; index is folio->index, set at the first
//           fault as linear_page_index of the faulting VMA
//
// Each step is one op on m (or, where it is a separate live VMA, on r),
// chosen by the solver with all its operands:
//
//   split   __split_vma at `at`; the original struct keeps the lower or the
//           upper piece (new_below); m becomes the piece holding the page
//   merge   with an adjacent VMA whose pgoffs continue (a fresh one, or the
//           root's); either struct survives: prev keeps its start and pgoff
//           (vma_expand), next grows down (merge_down_pgoff)
//   mremap  move [old, old + len) holding the page to `new` (move_vma);
//           do_munmap leaves the original struct as the unmapped piece
//   grow    expand_downwards by `grow` pages, within its guard
//
// The modes say what mremap does to the lazy folio, and which values count:
//
//   kSeries          the series as designed: the moved folio is upgraded and
//                    fixed (seed 003, "fix folio->mapping in move_ptes()");
//                    every 64-bit value, wrapped bases included
//   kBase0           variant (c): VMAs start with base 0, the walk is base0's,
//                    mremap leaves lazy mode; every 64-bit value
//   kUnfixedInArena  a page that is a swap entry at the move is not fixed
//                    (S11); values a trace can replay, ops on m only, and
//                    only op shapes the model performs as the search says
//
// Over 64-bit values the search over-approximates the kernel (VMAs it does
// not follow are ignored, except that fresh neighbours do not overlap m or
// r), so "no bad state" is a proof for every reachable layout of that many
// ops. In the arena it under-approximates, so a bad state is a real trace.
//
// Two ways to ask: encode() unrolls N steps, each any op (bounded model
// checking: the shortest counterexample, or no bad state within N); and
// invariant() with one_step() states seed 003's argument as an induction
// (the invariant holds at the first fault, every op keeps it, and it implies
// the walk finds the page), which covers every N at the cost of one step.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "proofs/obligation.h"
#include "proofs/obligations/terms.h"

namespace rmc::proofs::search {

enum class Mode : uint8_t { kSeries, kBase0, kUnfixedInArena };

enum Op : uint64_t { kSkip = 0, kSplit = 1, kMerge = 2, kMremap = 3, kGrow = 4 };
std::string_view op_name(uint64_t op);

struct State {
  VmaWords m, r;
  z3::expr same, r_live, lazy, page;
};

struct Run {
  std::vector<State> states;  // states[0] is the first fault, states[i] after step i
  z3::expr index;             // folio->index
};

// Some of an op's choices fixed ({"on_root", true}, {"n_is_root", false}):
// one case of the op, for an obligation that covers that case alone. A
// fixed choice is a constant, so the terms of the other cases are not built.
using Fixed = std::vector<std::pair<std::string_view, bool>>;

// A step whose op (and perhaps some of its choices) an obligation fixes.
struct Forced {
  Op op;
  Fixed fixed = {};
};

// Bounded model checking: declares the variables of g.bound() steps
// ("step1.op", "step1.at", ..., "state1.m.start", ...), assumes every step
// valid, and returns the states. forced[i], if given, is step i + 1 (then
// only its op's transition is built); the other steps take any op, or
// none (kSkip), so that g.bound() steps cover the shorter runs too.
Run encode(Goal& g, Mode mode, const std::vector<Forced>& forced = {});

// The page is not found where it is: by the lazy walk (root address and
// acceptance test) while the folio is lazy, by the eager walk (vma_address,
// interval query) once it was upgraded.
z3::expr missed(const State& s, const z3::expr& index, Mode mode);

// Shows every state ("state2.m.start", ...); encode() shows the operands.
void show_run(Goal& g, const Run& run);

// ---- induction --------------------------------------------------------------

// The state at the first fault: the faulting VMA is the root.
Run first_fault(Goal& g, Mode mode);
// A state with every field free ("state0.m.start", ...).
State any_state(Goal& g);
// Seed 003's argument as a formula: the page lies in m at its linear index,
// and while the folio is lazy m has the root's base (base 0 for variant (c));
// the root is m's struct or a VMA apart from m.
z3::expr invariant(const State& s, const z3::expr& index, Mode mode);
// One op from `s`, with free operands ("step1.at", ...), assumed valid;
// the choices in `fixed` are constants.
State one_step(Goal& g, const State& s, Op op, Mode mode, const Fixed& fixed = {});

// Whether `op` can run from `s` as step i for some operands ("step<i>.at",
// ...): its conditions, not assumed. An obligation claims the negation to
// show that no run has that op there.
z3::expr op_allowed(Goal& g, const State& s, unsigned i, Op op, Mode mode);

// An arena search whose ops are fixed, expecting a counterexample with a
// trace (search.cpp): the tests replay every op shape the trace writer knows.
Obligation forced_arena_search(const std::vector<Op>& ops);

}  // namespace rmc::proofs::search
