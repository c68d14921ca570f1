// search.cpp - the bounded searches (item 3 of the issue): up to 4 geometry
// ops over symbolic VMAs, looking for a lazy page the walk no longer finds.
//
// Seed 003's argument as a search: "ensure that any VMA produced by split or
// merge holds a reference to root_vma. During rmap we can compute the folio
// address using root_vma". Over 64-bit values the induction proves it for
// the series and for variant (c) for runs of any length (--deep unrolls 4
// ops to confirm); with an mremap that leaves a swapped-out page unfixed,
// the arena search goes through every run of up to two ops, one op
// sequence per obligation, and finds the shortest way to break it while the
// root is still a live VMA, and writes that as a trace.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "proofs/obligations/search_steps.h"
#include "proofs/obligations/tables.h"
#include "proofs/trace_text.h"

namespace rmc::proofs {

namespace search {

constexpr unsigned kBound = 4;

// The claim of every search: no state of the run misses the page (in the
// arena: none misses it while the root is still a live VMA, so that the
// trace's failure is the address, whatever the root's lifetime rules).
void no_missed_page(Goal& g, Mode mode, const std::vector<Forced>& forced = {}) {
  const Run run = encode(g, mode, forced);
  show_run(g, run);
  z3::expr ok = g.ctx().bool_val(true);
  for (const State& s : run.states) {
    z3::expr bad = missed(s, run.index, mode);
    if (mode == Mode::kUnfixedInArena) bad = bad && s.r_live;
    ok = ok && !bad;
  }
  g.claim(ok);
}

unsigned steps_in(const Values& v) {
  unsigned n = 0;
  for (const Value& item : v.items())
    if (item.label == fmt::format("step{}.op", n + 1)) n++;
  return n;
}

std::string range(const Values& v, const std::string& vma) {
  return fmt::format("[{}, {}) pgoff {}", hex(v.at(vma + ".start")), hex(v.at(vma + ".end")),
                     hex(v.at(vma + ".pgoff")));
}

std::vector<std::string> describe_run(const Values& v) {
  std::vector<std::string> out;
  out.push_back(fmt::format("first fault at {} in {}: folio->index {}", hex(v.at("state0.page")),
                            range(v, "state0.m"), hex(v.at("index"))));
  const unsigned steps = steps_in(v);
  for (unsigned i = 1; i <= steps; i++) {
    const std::string p = fmt::format("step{}.", i), now = fmt::format("state{}.", i);
    const uint64_t op = v.at(p + "op");
    if (op == kSkip) continue;
    std::string what = fmt::format("{}{}", op_name(op), v.flag(p + "on_root") ? " (the root)" : "");
    if (op == kSplit) what += fmt::format(" at {}", hex(v.at(p + "at")));
    if (op == kMerge)
      what += v.flag(p + "n_is_root") ? " with the root's VMA"
                                      : fmt::format(" with [{}, {})", hex(v.at(p + "n_start")), hex(v.at(p + "n_end")));
    if (op == kMremap && !v.flag(p + "on_root"))
      what += fmt::format(" [{}, +{}) to {}{}", hex(v.at(p + "old")), v.at(p + "len"), hex(v.at(p + "new")),
                          v.flag(p + "present") ? "" : ", the page swapped out");
    if (op == kGrow) what += fmt::format(" by {}", v.at(p + "grow"));
    out.push_back(fmt::format("step {}: {}; page at {} in {}; root {} {}{}", i, what, hex(v.at(now + "page")),
                              range(v, now + "m"), v.flag(now + "r_live") ? "live" : "zombie",
                              range(v, now + "r"), v.flag(now + "lazy") ? "" : "; folio upgraded"));
  }
  const std::string last = fmt::format("state{}.", steps);
  out.push_back(fmt::format("the root's base + folio->index = {}, the page is at {}",
                            hex(v.at(last + "r.start") - v.at(last + "r.pgoff") + v.at("index")),
                            hex(v.at(last + "page"))));
  return out;
}

// The arena run as trace ops. Which struct keeps which piece follows the
// model's mm code: mprotect of a range keeps the original struct on that
// range (vma_modify), an mmap next to m merges into m's struct, an mprotect
// of m back to the root's protection merges m into the root's struct.
std::string run_trace(const Values& v) {
  const unsigned steps = steps_in(v);
  bool grows = false;
  for (unsigned i = 1; i <= steps; i++) grows |= v.at(fmt::format("step{}.op", i)) == kGrow;
  const std::string flags = grows ? "noreserve,growsdown" : "noreserve";
  const char* fresh_prots[] = {"r", "rx", "rwx"};
  size_t next_prot = 0;
  std::string m_prot = "rw", r_prot = "rw";

  TraceText t;
  t.generated_from("search.unfixed_entry_live_root",
      "The bounded search's shortest sequence of geometry ops after which the lazy walk misses a page while its "
      "root is still a live VMA of the mm:");
  for (const std::string& line : describe_run(v)) t.comment(line);
  t.comment(
      "The page is a swap entry when its VMA moves, so move_ptes() does not fix its "
      "folio->mapping (lazy-design.md S11): the folio still names the live root, whose base "
      "gives the old address. Swap-in maps the cached folio again where ksm_might_need_to_copy "
      "is left unconverted for lazy folios (S9: no anon_vma, no copy), hence the option.");
  t.comment(
      "Predicted: eager passes. lazy, lazy-gki and base0 fail L2 (the address invariant: "
      "the entry is not at base(root) + index) at the mremap, and the walk would miss the page "
      "after the swap-in. With the default converted swap-in the folio is copied instead and "
      "all pass, as they do with option lazy.mremap_fix_swap on; cowctx passes.");
  t.expect("pass").expect_for("lazy", "fail L2").expect_for("lazy-gki", "fail L2").expect_for("base0", "fail L2");
  t.option("lazy.swapin", "unconverted");
  const uint64_t start = v.at("state0.m.start");
  t.op(fmt::format("P0 mmap {} {} rw {}", hex(start), v.at("state0.m.end") - start, flags), "base 0");
  t.op(fmt::format("P0 write {} 1", hex(v.at("state0.page"))), "first fault: the lazy root");
  for (unsigned i = 1; i <= steps; i++) {
    const std::string p = fmt::format("step{}.", i), before = fmt::format("state{}.m.", i - 1);
    const uint64_t m_start = v.at(before + "start"), m_end = v.at(before + "end");
    switch (v.at(p + "op")) {
      case kSplit: {
        const uint64_t at = v.at(p + "at");
        const bool upper = v.flag(p + "keep_upper");
        r_prot = fresh_prots[next_prot++];
        t.op(upper ? fmt::format("P0 mprotect {} {} {}", hex(at), m_end - at, r_prot)
                   : fmt::format("P0 mprotect {} {} {}", hex(m_start), at - m_start, r_prot),
             fmt::format("step {}: split; the root keeps this piece", i));
        break;
      }
      case kMerge:
        if (v.flag(p + "n_is_root")) {
          t.op(fmt::format("P0 mprotect {} {} {}", hex(m_start), m_end - m_start, r_prot),
               fmt::format("step {}: merge into the root", i));
          m_prot = r_prot;
        } else {
          const uint64_t n_start = v.at(p + "n_start");
          t.op(fmt::format("P0 mmap {} {} {} {}", hex(n_start), v.at(p + "n_end") - n_start, m_prot, flags),
               fmt::format("step {}: merge a neighbour", i));
        }
        break;
      case kMremap: {
        const uint64_t page = v.at(fmt::format("state{}.page", i - 1));
        const bool present = v.flag(p + "present");
        if (!present) t.op(fmt::format("P0 madvise {} 1 pageout", hex(page)), "a swap entry at the move");
        t.op(fmt::format("P0 mremap {} {} {} {} maymove,fixed", hex(v.at(p + "old")), v.at(p + "len"),
                         v.at(p + "len"), hex(v.at(p + "new"))),
             fmt::format("step {}: mremap{}", i, present ? "; folio fixed" : "; not fixed: lazy L2"));
        if (!present)
          t.op(fmt::format("P0 read {} 1", hex(v.at(fmt::format("state{}.page", i)))), "swap-in");
        break;
      }
      case kGrow:
        t.op(fmt::format("P0 read {} 1", hex(m_start - v.at(p + "grow"))),
             fmt::format("step {}: stack growth", i));
        break;
      default:
        break;
    }
  }
  return t.str();
}

}  // namespace search

std::vector<Obligation> search_obligations() {
  using namespace search;
  std::vector<Obligation> table;

  // Seed 003's argument, by induction over the ops: for the series and for
  // variant (c), the invariant holds at the first fault, each op keeps it,
  // and it means the walk finds the page. Together: no sequence of ops, of
  // any length, makes the walk miss the page (so in particular none of up
  // to 4, which the --deep unrolled searches below confirm directly).
  struct Design {
    const char* name;
    Mode mode;
    const char* thread;
  };
  for (const Design& d :
       {Design{"series", Mode::kSeries,
               "seed 003: \"ensure that any VMA produced by split or merge holds a reference to root_vma. "
               "During rmap we can compute the folio address using root_vma\""},
        Design{"base0", Mode::kBase0,
               "lazy-design.md 2(c): \"Split/merge/expand_stack trivially preserve base 0\"; mremap "
               "leaves lazy mode"}}) {
    const Mode mode = d.mode;
    const std::string prefix = fmt::format("search.{}.", d.name);
    table.push_back({
        .name = prefix + "first_fault_sets_invariant",
        .expected = Verdict::kProved,
        .claim = "at the first fault the page lies in the root VMA at its linear index (the invariant holds)",
        .thread = d.thread,
        .state = [mode](Goal& g) {
          const Run run = first_fault(g, mode);
          g.claim(invariant(run.states[0], run.index, mode));
        },
    });
    // One obligation per op, and per case of the two largest steps, so that
    // each stays small (docs/proofs.md, "Speed"): a split of the page's VMA
    // or of the root's; a merge of the page's VMA with a new VMA before it
    // or after it, or with the root's VMA, or of the root's VMA with a new
    // one. Those four are every merge: the root merging with its own VMA is
    // no op (merge() takes the root as the neighbour only when the op is on
    // the page's VMA).
    struct Step {
      Op op;
      const char* name;  // "merge_with_a_new_prev" -> <prefix>merge_with_a_new_prev_keeps_invariant
      const char* what;  // the claim's subject
      Fixed fixed;
    };
    for (const Step& step : std::vector<Step>{
             {kSplit, "split_of_the_page_vma", "any split of the page's VMA", {{"on_root", false}}},
             {kSplit, "split_of_the_root", "any split of the root's VMA", {{"on_root", true}}},
             {kMerge, "merge_with_a_new_prev", "any merge of the page's VMA with a new VMA before it",
              {{"on_root", false}, {"n_is_root", false}, {"n_before", true}}},
             {kMerge, "merge_with_a_new_next", "any merge of the page's VMA with a new VMA after it",
              {{"on_root", false}, {"n_is_root", false}, {"n_before", false}}},
             {kMerge, "merge_with_the_root", "any merge of the page's VMA with the root's VMA",
              {{"on_root", false}, {"n_is_root", true}}},
             {kMerge, "merge_of_the_root", "any merge of the root's VMA with a new VMA",
              {{"on_root", true}, {"n_is_root", false}}},
             {kMremap, "mremap", "any mremap of the page's VMA or of the root", {}},
             {kGrow, "grow", "any grow of the page's VMA or of the root", {}},
         }) {
      table.push_back({
          .name = fmt::format("{}{}_keeps_invariant", prefix, step.name),
          .expected = Verdict::kProved,
          .claim = fmt::format("{} keeps the invariant{}", step.what,
                               step.op == kMremap ? " (the moved folio is fixed, or leaves lazy mode)" : ""),
          .thread = d.thread,
          .state = [mode, op = step.op, fixed = step.fixed](Goal& g) {
            const State s = any_state(g);
            const z3::expr index = g.word("index");
            g.assume(invariant(s, index, mode));
            g.claim(invariant(one_step(g, s, op, mode, fixed), index, mode));
          },
      });
    }
    table.push_back({
        .name = prefix + "invariant_finds_the_page",
        .expected = Verdict::kProved,
        .claim = "in every state with the invariant, the walk (lazy, or eager once upgraded) finds the page",
        .thread = d.thread,
        .state = [mode](Goal& g) {
          const State s = any_state(g);
          const z3::expr index = g.word("index");
          g.assume(invariant(s, index, mode));
          g.claim(!missed(s, index, mode));
        },
    });
    table.push_back({
        .name = fmt::format("search.{}_bmc_{}_ops", d.name, kBound),
        .expected = Verdict::kProved,
        .claim = fmt::format("no sequence of up to {} ops makes the walk miss the page (unrolled, no invariant)", kBound),
        .thread = d.thread,
        .state = [mode](Goal& g) { no_missed_page(g, mode); },
        .bounds = {kBound},
        // Measured: 48 million for the series, 10 million for base0.
        .rlimit = 200'000'000,
        .deep = true,
    });
  }

  // The arena search with the unfixed swap entry, unrolled, one op sequence
  // per obligation: the first fault, every single op, and every pair of ops
  // the arena allows, so that together they are every run of up to two
  // ops. The pairs it does not allow have no run, and three obligations show
  // that; the shortest run that loses the page is a split then an mremap
  // (search.unfixed_entry_live_root, the trace).
  const char* unfixed_thread =
      "seed 003: \"We first upgrade the VMA, and then fix folio->mapping in move_ptes()\" (lazy-design.md S11)";
  constexpr Mode kArena = Mode::kUnfixedInArena;
  table.push_back({
      .name = "search.unfixed.first_fault_finds_the_page",
      .expected = Verdict::kProved,
      .claim = "at the first fault, in the arena, the lazy walk finds the page",
      .thread = unfixed_thread,
      .state = [](Goal& g) { no_missed_page(g, kArena); },
  });
  for (Op op : {kSplit, kMerge, kMremap, kGrow})
    table.push_back({
        .name = fmt::format("search.unfixed.{}_keeps_the_page", op_name(op)),
        .expected = Verdict::kProved,
        .claim = fmt::format("with a swapped-out page left unfixed by mremap, no single {} in the arena loses the "
                             "page while its root is live", op_name(op)),
        .thread = unfixed_thread,
        .state = [op](Goal& g) { no_missed_page(g, kArena, {{op}}); },
        .bounds = {1},
    });
  // A split in the arena is an mprotect of the piece away from the page, on
  // the root's own VMA, so none follows a split or an mremap (which leave
  // the page's VMA apart from the root); and no new anonymous VMA continues
  // the pgoffs of a moved one, whose base is no longer 0.
  struct Pair {
    Op first, second;
  };
  for (const Pair& pair : std::vector<Pair>{{kSplit, kSplit}, {kMremap, kSplit}, {kMremap, kMerge}})
    table.push_back({
        .name = fmt::format("search.unfixed.no_{}_after_{}", op_name(pair.second), op_name(pair.first)),
        .expected = Verdict::kProved,
        .claim = fmt::format("in the arena, no {} can follow a {}", op_name(pair.second), op_name(pair.first)),
        .thread = unfixed_thread,
        .state = [pair](Goal& g) {
          const Run run = first_fault(g, kArena);
          g.claim(!op_allowed(g, one_step(g, run.states[0], pair.first, kArena), 2, pair.second, kArena));
        },
    });
  // Every pair the arena allows. The two largest are two obligations each:
  // a merge after a split, as the page's VMA merges with a new VMA or back
  // with the root's (an arena merge is never of the root's VMA), and a
  // merge after a merge, with a new VMA before or after the page's VMA
  // (after a merge the root is still the page's VMA, so no other case).
  struct TwoOps {
    Op first, second;
    const char* name;  // "split_then_merge_with_the_root" -> search.unfixed.<name>_keeps_the_page
    Fixed second_fixed;
  };
  std::vector<TwoOps> pairs;
  for (Op first : {kSplit, kMerge, kMremap, kGrow})
    for (Op second : {kSplit, kMerge, kMremap, kGrow}) {
      if ((second == kSplit && (first == kSplit || first == kMremap)) || (first == kMremap && second == kMerge))
        continue;  // no run: the no_*_after_* obligations above
      if (first == kSplit && second == kMerge) {
        pairs.push_back({first, second, "split_then_merge_with_a_new_vma", {{"n_is_root", false}}});
        pairs.push_back({first, second, "split_then_merge_with_the_root", {{"n_is_root", true}}});
        continue;
      }
      if (first == kMerge && second == kMerge) {  // the root is still m's struct: a new VMA either side
        pairs.push_back({first, second, "merge_then_merge_with_a_new_prev", {{"n_before", true}}});
        pairs.push_back({first, second, "merge_then_merge_with_a_new_next", {{"n_before", false}}});
        continue;
      }
      pairs.push_back({first, second, nullptr, {}});
    }
  for (const TwoOps& pair : pairs) {
    const bool lost = pair.first == kSplit && pair.second == kMremap;
    const std::string what =
        pair.name ? std::string(pair.name) : fmt::format("{}_then_{}", op_name(pair.first), op_name(pair.second));
    std::string words = what;
    std::replace(words.begin(), words.end(), '_', ' ');
    table.push_back({
        .name = lost ? std::string("search.unfixed_entry_live_root") : fmt::format("search.unfixed.{}_keeps_the_page", what),
        .expected = lost ? Verdict::kCounterexample : Verdict::kProved,
        .claim = lost ? std::string("with a swapped-out page left unfixed by mremap, a split then an mremap loses "
                                    "the page while its root is live (the shortest run that does)")
                      : fmt::format("with a swapped-out page left unfixed by mremap, no {} in the arena loses the "
                                    "page while its root is live", words),
        .thread = unfixed_thread,
        .state = [pair](Goal& g) { no_missed_page(g, kArena, {{pair.first}, {pair.second, pair.second_fixed}}); },
        .bounds = {2},
        .describe = lost ? std::function<std::vector<std::string>(const Values&)>(describe_run) : nullptr,
        .trace = lost ? std::function<std::string(const Values&)>(run_trace) : nullptr,
    });
  }

  return table;
}

Obligation search::forced_arena_search(const std::vector<Op>& ops) {
  std::string name = "search.forced";
  for (Op op : ops) name += fmt::format("_{}", op_name(op));
  return {
      .name = name,
      .expected = Verdict::kCounterexample,
      .claim = "the arena search with its ops fixed",
      .state = [ops](Goal& g) {
        std::vector<Forced> forced;
        for (Op op : ops) forced.push_back({op});
        no_missed_page(g, Mode::kUnfixedInArena, forced);
      },
      .bounds = {static_cast<unsigned>(ops.size())},
      .describe = describe_run,
      .trace = run_trace,
  };
}

}  // namespace rmc::proofs
