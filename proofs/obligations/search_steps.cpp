// search_steps.cpp - the search's ops as transitions, unrolled or one at a time.
#include "proofs/obligations/search_steps.h"

#include <fmt/format.h>

#include <optional>

namespace rmc::proofs::search {

std::string_view op_name(uint64_t op) {
  switch (op) {
    case kSkip: return "skip";
    case kSplit: return "split";
    case kMerge: return "merge";
    case kMremap: return "mremap";
    case kGrow: return "grow";
  }
  return "?";
}

namespace {

z3::expr equal(const VmaWords& a, const VmaWords& b) {
  return a.start == b.start && a.end == b.end && a.pgoff == b.pgoff;
}

z3::expr equal(const State& a, const State& b) {
  return equal(a.m, b.m) && equal(a.r, b.r) && a.same == b.same && a.r_live == b.r_live &&
         a.lazy == b.lazy && a.page == b.page;
}

z3::expr adjacent(const VmaWords& a, const VmaWords& b) { return a.end == b.start || b.end == a.start; }

// Fresh variables for a state ("state2.m.start", ...), so that each step
// refers to the previous state by name instead of nesting terms.
State declare_state(Goal& g, unsigned k) {
  const std::string p = fmt::format("state{}.", k);
  auto vma = [&](const std::string& name) {
    return VmaWords{g.word(p + name + ".start"), g.word(p + name + ".end"), g.word(p + name + ".pgoff")};
  };
  return {vma("m"), vma("r"), g.flag(p + "same"), g.flag(p + "r_live"), g.flag(p + "lazy"), g.word(p + "page")};
}

// The operands of one step, named "step<i>.<operand>" and shown.
struct Operands {
  z3::expr op, on_root;
  z3::expr at, keep_upper;                                            // split
  z3::expr n_start, n_end, n_pgoff, n_before, n_is_root, n_survives;  // merge
  z3::expr old, len, to, present;                                     // mremap
  z3::expr grow;                                                      // grow
};

// The operands of step i; a forced op is a constant, and so is each choice
// in `fixed`.
Operands operands(Goal& g, unsigned i, Mode mode, const Fixed& fixed, std::optional<Op> op) {
  auto w = [&](const char* name) { return g.word(fmt::format("step{}.{}", i, name)); };
  // A fixed choice is a constant, so that choose() leaves no term of the
  // other side behind.
  auto f = [&](const char* name) {
    for (const auto& [fixed_name, value] : fixed)
      if (fixed_name == name) return g.ctx().bool_val(value);
    return g.flag(fmt::format("step{}.{}", i, name));
  };
  const bool arena = mode == Mode::kUnfixedInArena;
  const z3::expr n_start = w("n_start");
  // In the arena every op is on m: no on_root choice at all.
  Operands o{op ? g.ctx().bv_val(static_cast<uint64_t>(*op), 64) : w("op"),        arena ? g.ctx().bool_val(false) : f("on_root"),
             w("at"),        f("keep_upper"),
             n_start,        w("n_end"),
             // A fresh anonymous neighbour in a trace is an mmap: pgoff = start.
             mode == Mode::kUnfixedInArena ? geom::new_anon_pgoff(n_start) : w("n_pgoff"),
             f("n_before"),  f("n_is_root"),
             f("n_survives"), w("old"),
             w("len"),       w("new"),
             f("present"),   w("grow")};
  const std::string p = fmt::format("step{}.", i);
  for (auto [name, term] : {std::pair{"op", o.op}, {"on_root", o.on_root}, {"at", o.at},
                            {"keep_upper", o.keep_upper}, {"n_start", o.n_start}, {"n_end", o.n_end},
                            {"n_pgoff", o.n_pgoff}, {"n_before", o.n_before}, {"n_is_root", o.n_is_root},
                            {"n_survives", o.n_survives}, {"old", o.old}, {"len", o.len},
                            {"new", o.to}, {"present", o.present}, {"grow", o.grow}})
    g.show(p + name, term);
  return o;
}

// An op's effect: when it may run (ok) and the state after it.
struct Transition {
  z3::expr ok;
  State next;
};

// The target of an op (m, or r when r is a separate live VMA and the op
// says on_root), the other VMA followed, and the rule that nothing an op
// creates overlaps that other VMA (in the arena: nor touches it, so that no
// merge the search did not ask for happens in the trace).
struct Target {
  VmaWords t, other;
  z3::expr other_live;
  z3::expr separate_root;
};

Target target(const State& s, const Operands& o) {
  const z3::expr separate_root = !s.same && s.r_live;
  return {select(o.on_root, s.r, s.m), select(o.on_root, s.m, s.r),
          choose(o.on_root, s.page.ctx().bool_val(true), separate_root), separate_root};
}

z3::expr clear_of(const Target& tg, const VmaWords& v, bool arena) {
  z3::expr ok = disjoint(v, tg.other);
  if (arena) ok = ok && !adjacent(v, tg.other);
  return z3::implies(tg.other_live, ok);
}

// __split_vma at `at`: the original struct keeps the lower piece or, with
// keep_upper (the kernel's new_below), the upper one.
Transition split(const State& s, const Operands& o, Mode mode) {
  const bool arena = mode == Mode::kUnfixedInArena;
  const Target tg = target(s, o);
  const VmaWords& t = tg.t;
  const VmaWords lower{t.start, o.at, t.pgoff};
  const VmaWords upper{o.at, t.end, geom::split_upper_pgoff(t.start, t.pgoff, o.at)};
  const VmaWords kept = select(o.keep_upper, upper, lower);  // the original struct's piece
  const z3::expr in_upper = z3::ule(o.at, s.page);
  z3::expr ok = z3::ult(t.start, o.at) && z3::ult(o.at, t.end);
  if (arena)  // mprotect of the kept piece, away from the page: two VMAs, both followed
    ok = ok && s.same && in_upper != o.keep_upper;
  State n = s;
  n.m = select(o.on_root, s.m, select(in_upper, upper, lower));
  n.r = select(o.on_root || s.same, kept, s.r);
  n.same = choose(o.on_root, s.same, s.same && in_upper == o.keep_upper);
  return {ok, n};
}

// A merge with an adjacent VMA whose pgoffs continue: a fresh one, or the
// root's. The surviving struct is prev (vma_expand: prev's start and pgoff)
// or next (it grows down: merge_down_pgoff); the other is freed, a root
// kept as a zombie.
Transition merge(const State& s, const Operands& o, Mode mode) {
  const bool arena = mode == Mode::kUnfixedInArena;
  const Target tg = target(s, o);
  const VmaWords& t = tg.t;
  const VmaWords fresh{o.n_start, o.n_end, o.n_pgoff};
  const VmaWords n = select(o.n_is_root, s.r, fresh);
  const VmaWords prev = select(o.n_before, n, t), next = select(o.n_before, t, n);
  const z3::expr prev_survives = o.n_before == o.n_survives;
  const VmaWords merged =
      select(prev_survives, VmaWords{prev.start, next.end, prev.pgoff},
             VmaWords{prev.start, next.end, geom::merge_down_pgoff(next.start, next.pgoff, prev.start)});
  z3::expr ok = z3::ult(n.start, n.end) && prev.end == next.start && z3::ult(prev.start, next.end) &&
                geom::pgoff_continues(prev.start, prev.end, prev.pgoff, next.pgoff);
  const z3::expr fresh_ok = disjoint(fresh, s.m) && clear_of(tg, fresh, arena);
  ok = ok && choose(o.n_is_root, !o.on_root && tg.separate_root, fresh_ok);
  if (arena)  // an mmap next to m (m's struct survives), or m's mprotect back to r's (r's survives)
    ok = ok && o.n_survives == o.n_is_root && in_trace_window(fresh.start, fresh.end - fresh.start);
  State a = s;
  a.m = select(o.on_root, s.m, merged);
  a.r = select(o.on_root, select(o.n_survives, s.r, merged),
               select(s.same, select(o.n_survives, s.r, merged),
                      select(o.n_is_root, select(o.n_survives, merged, s.r), s.r)));
  a.same = choose(o.on_root, s.same, choose(s.same, !o.n_survives, o.n_is_root && o.n_survives));
  a.r_live = choose(o.on_root, !o.n_survives,
                     choose(s.same, !o.n_survives, choose(o.n_is_root, o.n_survives, s.r_live)));
  return {ok, a};
}

// move_vma of [old, old + len), which holds the page, to `new`: copy_vma
// keeps the linear pgoff; do_munmap leaves the original struct as exactly
// the unmapped piece (a zombie if it was the root). On the root instead:
// the root's VMA moves away and its struct becomes a zombie.
Transition mremap(const State& s, const Operands& o, Mode mode) {
  const bool arena = mode == Mode::kUnfixedInArena;
  z3::context& c = s.page.ctx();
  const Target tg = target(s, o);
  const VmaWords moved{o.to, o.to + o.len, geom::mremap_pgoff_faulted(s.m.start, s.m.pgoff, o.old)};
  const VmaWords old_range{o.old, o.old + o.len, s.m.pgoff};
  z3::expr ok = choose(o.on_root, c.bool_val(true),
                        covers(s.m, o.old) && z3::ult(0, o.len) && z3::ule(o.len, s.m.end - o.old) &&
                            z3::ult(s.page - o.old, o.len) && z3::ult(moved.start, moved.end) &&
                            disjoint(moved, old_range) && clear_of(tg, moved, arena));
  if (arena)  // the whole VMA moves (mremap OLD LEN LEN NEW maymove,fixed)
    ok = ok && o.old == s.m.start && o.len == s.m.end - s.m.start && in_trace_window(moved.start, o.len);
  // The series fixes the moved folio (it leaves lazy mode); a page that is
  // a swap entry at the move is not fixed where the fix-up misses it.
  const z3::expr fixed = arena ? o.present : c.bool_val(true);
  const VmaWords unmapped{o.old, o.old + o.len, geom::split_upper_pgoff(s.m.start, s.m.pgoff, o.old)};
  State a = s;
  a.m = select(o.on_root, s.m, moved);
  a.page = choose(o.on_root, s.page, o.to + (s.page - o.old));
  a.lazy = choose(o.on_root, s.lazy, s.lazy && !fixed);
  a.r = select(o.on_root, s.r, select(s.same, unmapped, s.r));
  a.same = choose(o.on_root, s.same, c.bool_val(false));
  a.r_live = choose(o.on_root || s.same, c.bool_val(false), s.r_live);
  return {ok, a};
}

// expand_downwards by `grow` pages, within its guard.
Transition grow(const State& s, const Operands& o, Mode mode) {
  const bool arena = mode == Mode::kUnfixedInArena;
  const Target tg = target(s, o);
  const VmaWords& t = tg.t;
  const VmaWords grown{t.start - o.grow, t.end, geom::stack_growth_pgoff(t.pgoff, o.grow)};
  z3::expr ok = z3::ult(0, o.grow) && z3::ule(o.grow, t.start) && geom::stack_growth_allowed(t.pgoff, o.grow) &&
                clear_of(tg, VmaWords{grown.start, t.start, grown.pgoff}, arena);
  if (arena)  // within RLIMIT_STACK (the window is smaller) and the trace's window
    ok = ok && in_trace_window(grown.start, grown.end - grown.start);
  State a = s;
  a.m = select(o.on_root, s.m, grown);
  a.r = select(o.on_root || s.same, grown, s.r);
  return {ok, a};
}

Transition transition(const State& s, const Operands& o, Op op, Mode mode) {
  switch (op) {
    case kSplit: return split(s, o, mode);
    case kMerge: return merge(s, o, mode);
    case kMremap: return mremap(s, o, mode);
    case kGrow: return grow(s, o, mode);
    case kSkip: break;
  }
  return {s.page.ctx().bool_val(true), s};
}

// Ops on r only where r is a separate live VMA; none in the arena.
void root_rule(Goal& g, const State& s, const Operands& o, Mode mode) {
  if (mode != Mode::kUnfixedInArena) g.assume(z3::implies(o.on_root, !s.same && s.r_live));
}

// Step i of an unrolled run: any op, chosen by the solver (kSkip included,
// so that a run of N steps covers the shorter ones), or the op `forced`
// fixes, of which only the transition is built.
State unrolled_step(Goal& g, const State& s, unsigned i, Mode mode, const Forced* forced) {
  const Operands o = operands(g, i, mode, forced ? forced->fixed : Fixed{},
                              forced ? std::optional<Op>(forced->op) : std::nullopt);
  root_rule(g, s, o, mode);
  if (forced) {
    const Transition tr = transition(s, o, forced->op, mode);
    g.assume(tr.ok);
    return tr.next;
  }
  z3::context& c = g.ctx();
  auto is = [&](Op op) { return o.op == c.bv_val(static_cast<uint64_t>(op), 64); };
  g.assume(z3::ule(o.op, c.bv_val(static_cast<uint64_t>(kGrow), 64)));
  const State after = declare_state(g, i);
  for (Op op : {kSkip, kSplit, kMerge, kMremap, kGrow}) {
    const Transition tr = transition(s, o, op, mode);
    g.assume(z3::implies(is(op), tr.ok && equal(after, tr.next)));
  }
  return after;
}

}  // namespace

Run first_fault(Goal& g, Mode mode) {
  z3::context& c = g.ctx();
  const z3::expr start = g.word("start");
  // A fresh anonymous mmap in the arena and variant (c) start at base 0;
  // the series takes any vm_pgoff (MAP_PRIVATE file offsets, wrapped bases).
  const VmaWords m{start, g.word("end"), mode == Mode::kSeries ? g.word("pgoff") : geom::new_anon_pgoff(start)};
  const z3::expr page = g.word("page");
  g.assume(z3::ult(m.start, m.end) && covers(m, page));
  if (mode == Mode::kUnfixedInArena) g.assume(in_trace_window(m));
  return {{State{m, m, c.bool_val(true), c.bool_val(true), c.bool_val(true), page}},
          index_of(m, page)};  // __folio_set_anon at the first fault
}

Run encode(Goal& g, Mode mode, const std::vector<Forced>& forced) {
  Run run = first_fault(g, mode);
  for (unsigned i = 1; i <= g.bound(); i++)
    run.states.push_back(unrolled_step(g, run.states.back(), i, mode, i <= forced.size() ? &forced[i - 1] : nullptr));
  return run;
}

z3::expr missed(const State& s, const z3::expr& index, Mode mode) {
  const z3::expr lazy_found =
      mode == Mode::kBase0
          ? geom::base0_walk_accepts(s.m.start, s.m.end, s.m.pgoff, index) &&
                geom::base0_address(index) == s.page
          : geom::lazy_walk_accepts(s.m.start, s.m.end, s.m.pgoff, s.r.start, s.r.pgoff, index) &&
                geom::lazy_root_address(s.r.start, s.r.pgoff, index) == s.page;
  const z3::expr address = geom::page_address(s.m.start, s.m.pgoff, index);
  const z3::expr last = geom::folio_last_index(index, index.ctx().bv_val(1, 64));
  const z3::expr eager_found =
      covers(s.m, address) && address == s.page &&
      z3::implies(pgoffs_do_not_wrap(s.m),
                  geom::interval_overlaps(s.m.pgoff, geom::vma_last_pgoff(s.m.start, s.m.end, s.m.pgoff),
                                          index, last));
  return z3::ite(s.lazy, !lazy_found, !eager_found);
}

void show_run(Goal& g, const Run& run) {
  g.show("index", run.index);
  for (size_t k = 0; k < run.states.size(); k++) {
    const State& s = run.states[k];
    const std::string p = fmt::format("state{}.", k);
    show_vma(g, p + "m", s.m);
    show_vma(g, p + "r", s.r);
    g.show(p + "same", s.same);
    g.show(p + "r_live", s.r_live);
    g.show(p + "lazy", s.lazy);
    g.show(p + "page", s.page);
  }
}

State any_state(Goal& g) { return declare_state(g, 0); }

z3::expr invariant(const State& s, const z3::expr& index, Mode mode) {
  const z3::expr same_base = mode == Mode::kBase0 ? base(s.m) == 0 : base(s.m) == base(s.r);
  return z3::ult(s.m.start, s.m.end) && covers(s.m, s.page) && index == index_of(s.m, s.page) &&
         z3::implies(s.lazy, same_base) && z3::implies(s.same, s.r_live && equal(s.r, s.m)) &&
         z3::implies(!s.same && s.r_live, z3::ult(s.r.start, s.r.end) && disjoint(s.m, s.r));
}

State one_step(Goal& g, const State& s, Op op, Mode mode, const Fixed& fixed) {
  const Operands o = operands(g, 1, mode, fixed, std::nullopt);
  root_rule(g, s, o, mode);
  const Transition tr = transition(s, o, op, mode);
  g.assume(tr.ok);
  return tr.next;
}

z3::expr op_allowed(Goal& g, const State& s, unsigned i, Op op, Mode mode) {
  const Operands o = operands(g, i, mode, {}, op);
  z3::expr ok = transition(s, o, op, mode).ok;
  if (mode != Mode::kUnfixedInArena) ok = ok && z3::implies(o.on_root, !s.same && s.r_live);  // root_rule
  return ok;
}

}  // namespace rmc::proofs::search
