// discharge.cpp - one obligation, one fresh Z3 context, an rlimit budget.
#include "proofs/discharge.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <vector>
#include <stdexcept>

#include "proofs/int_blast.h"

namespace rmc::proofs {

namespace {

uint64_t rlimit_count(const z3::solver& solver) {
  const z3::stats stats = solver.statistics();
  for (unsigned i = 0; i < stats.size(); i++)
    if (stats.key(i) == "rlimit count") return stats.is_uint(i) ? stats.uint_value(i) : 0;
  return 0;
}

// The query (hypotheses and the negated claim) as an SMT-LIB 2 script that
// any solver can read: logic QF_BV, Z3's answer as :status. For a
// counterexample the script also asserts Z3's values of every word and flag:
// cvc5 then confirms the witness in its own bit-vector semantics instead of
// searching for one (a model is checked, not re-found; the proofs, unsat,
// are re-solved from scratch).
std::string to_smt2(z3::context& ctx, const Obligation& ob, const z3::expr& query, Verdict z3_verdict,
                    const z3::expr_vector& witness) {
  const std::string status(smt_status(z3_verdict));
  std::string text = fmt::format(
      "; rmapcheck prove: obligation {}\n"
      "; claim: {}\n"
      "; expected: {} (the query, hypotheses and negated claim, is {})\n",
      ob.name, ob.claim, verdict_name(ob.expected), smt_status(ob.expected));
  if (!witness.empty()) text += "; with Z3's counterexample asserted, for the second solver to confirm\n";
  std::vector<Z3_ast> asserted;
  for (unsigned i = 0; i < witness.size(); i++) asserted.push_back(witness[i]);
  text += Z3_benchmark_to_smtlib_string(ctx, ob.name.c_str(), "QF_BV", status.c_str(), "",
                                        static_cast<unsigned>(asserted.size()), asserted.data(), query);
  return text;
}

// Z3's answer on a translated query, with its own rlimit budget.
struct Answer {
  z3::check_result result = z3::unknown;
  uint64_t rlimit_used = 0;
  std::optional<z3::model> model;
  std::string reason;
};

// The solver for a translated query: Z3's SMT core behind a few cheap
// rewrites (fold constants, propagate the words the hypotheses fix, solve
// the equations that define the translation's results, drop unconstrained
// terms). Measured on the whole table (docs/proofs.md, "Speed"), this takes
// about two thirds of the CPU time of Z3's default QF_LIA strategy, whose
// further preprocessing costs more than it saves on these queries; the
// tactics keep a model converter, so a counterexample's values are the
// words' own.
z3::solver make_solver(z3::context& ctx) {
  z3::tactic pipeline = z3::tactic(ctx, "simplify");
  for (const char* next : {"propagate-values", "solve-eqs", "elim-uncnstr", "simplify", "smt"})
    pipeline = pipeline & z3::tactic(ctx, next);
  return pipeline.mk_solver();
}

Answer solve(z3::context& ctx, const IntBlasted& query, uint64_t rlimit) {
  z3::solver solver = make_solver(ctx);
  z3::params params(ctx);
  params.set("rlimit", static_cast<unsigned>(rlimit));
  params.set("random_seed", 0u);
  solver.set(params);
  solver.add(query.formula);
  Answer a;
  a.result = solver.check();
  a.rlimit_used = rlimit_count(solver);
  if (a.result == z3::sat) a.model = solver.get_model();
  if (a.result == z3::unknown) a.reason = solver.reason_unknown();
  return a;
}

// Collects the uninterpreted constants of `e` into `out` (by id).
void constants_of(const z3::expr& e, std::map<unsigned, z3::expr>& out, std::set<unsigned>& seen) {
  if (!e.is_app() || !seen.insert(e.id()).second) return;
  if (e.num_args() == 0 && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) out.emplace(e.id(), e);
  for (unsigned i = 0; i < e.num_args(); i++) constants_of(e.arg(i), out, seen);
}

// Bit-vector formulas with the model's values in place of the words and
// flags, folded to a constant by Z3's bit-vector simplifier. The values are
// read from the model once, not once per formula (that took about 10 ms of
// a search's counterexample). A constant the query does not mention (a
// shown term may) is free: it gets 0 / false, as Z3's model completion
// would give it.
class Concrete {
 public:
  Concrete(z3::context& ctx, const IntBlasted& q, const z3::model& m)
      : ctx_(ctx), from_(ctx), to_(ctx), words_(q.words.size()) {
    for (size_t i = 0; i < q.words.size(); i++) {
      from_.push_back(q.words[i]);
      to_.push_back(ctx.bv_val(m.eval(q.integers[i], true).get_decimal_string(0).c_str(),
                               q.words[i].get_sort().bv_size()));
    }
    for (const z3::expr& f : q.flags) {
      from_.push_back(f);
      to_.push_back(ctx.bool_val(m.eval(f, true).is_true()));
    }
  }

  z3::expr operator()(const z3::expr& e) {
    z3::expr out = z3::expr(e).substitute(from_, to_).simplify();
    std::map<unsigned, z3::expr> free;
    std::set<unsigned> seen;
    constants_of(out, free, seen);
    if (free.empty()) return out;
    z3::expr_vector free_from(ctx_), free_to(ctx_);
    for (const auto& [id, c] : free) {
      free_from.push_back(c);
      free_to.push_back(c.is_bool() ? ctx_.bool_val(false) : ctx_.bv_val(0, c.get_sort().bv_size()));
    }
    return out.substitute(free_from, free_to).simplify();
  }

  // The model's value of the query's i-th word (IntBlasted::words) or flag.
  z3::expr word(size_t i) const { return to_[static_cast<int>(i)]; }
  z3::expr flag(size_t i) const { return to_[static_cast<int>(words_ + i)]; }

 private:
  z3::context& ctx_;
  z3::expr_vector from_, to_;
  size_t words_;
};

// One bound of one obligation, in its own context.
Outcome check_once(const Obligation& ob, unsigned bound, uint64_t rlimit) {
  Outcome out;
  z3::context ctx;
  Goal goal(ctx, bound);
  ob.state(goal);
  if (!goal.claimed()) throw std::logic_error("obligation " + ob.name + " states no claim");

  // z3++ vectors share their contents when copied: build each one apart.
  z3::expr_vector hypotheses(ctx), parts(ctx);
  for (const z3::expr& fact : goal.assumptions()) {
    hypotheses.push_back(fact);
    parts.push_back(fact);
  }
  parts.push_back(!*goal.claimed());
  const z3::expr query = z3::mk_and(parts);

  const IntBlasted blasted = int_blast(query);
  z3::expr_vector witness(ctx);
  const Answer answer = solve(ctx, blasted, rlimit);
  out.rlimit_used = answer.rlimit_used;
  // Vacuity: hypotheses that contradict each other prove anything. (A
  // counterexample's model satisfies them, so only a proof needs this.)
  if (answer.result == z3::unsat) {
    const Answer alone = solve(ctx, int_blast(z3::mk_and(hypotheses)), rlimit);
    out.rlimit_used += alone.rlimit_used;
    if (alone.result != z3::sat) {
      out.verdict = alone.result == z3::unsat ? Verdict::kError : Verdict::kUnknown;
      out.detail = alone.result == z3::unsat ? "the hypotheses contradict each other (vacuous)"
                                             : "rlimit exhausted on the hypotheses alone";
      out.smt2 = to_smt2(ctx, ob, query, out.verdict, z3::expr_vector(ctx));
      return out;
    }
  }
  if (answer.result == z3::unsat) {
    out.verdict = Verdict::kProved;
  } else if (answer.result == z3::unknown) {
    out.verdict = Verdict::kUnknown;
    out.detail = answer.rlimit_used >= rlimit ? fmt::format("rlimit {} exhausted", rlimit)
                                              : "Z3: " + answer.reason;
  } else {
    out.verdict = Verdict::kCounterexample;
    // The values must satisfy every hypothesis and break the claim in
    // bit-vector semantics; anything else is a bug of the translation or of
    // a solver, never a counterexample. (The hypotheses' conjunction folds
    // to true exactly when each of them does.)
    Concrete concrete(ctx, blasted, *answer.model);
    if (!concrete(z3::mk_and(hypotheses)).is_true()) {
      out.verdict = Verdict::kError;
      out.detail = "the model breaks a hypothesis in bit-vector semantics";
    }
    if (!concrete(*goal.claimed()).is_false()) {
      out.verdict = Verdict::kError;
      out.detail = "the model does not break the claim in bit-vector semantics";
    }
    for (size_t i = 0; i < blasted.words.size(); i++) witness.push_back(blasted.words[i] == concrete.word(i));
    for (size_t i = 0; i < blasted.flags.size(); i++) witness.push_back(blasted.flags[i] == concrete.flag(i));
    for (const Shown& s : goal.shown()) {
      const z3::expr v = concrete(s.term);
      uint64_t value = 0;
      if (s.is_flag ? !(v.is_true() || v.is_false()) : !v.is_numeral_u64(value)) {
        out.verdict = Verdict::kError;
        out.detail = "shown value '" + s.label + "' does not fold to a constant";
        continue;
      }
      out.values.add({s.label, s.is_flag ? uint64_t{v.is_true()} : value, s.is_flag});
    }
  }
  out.smt2 = to_smt2(ctx, ob, query, out.verdict, witness);
  return out;
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

}  // namespace

Outcome discharge(const Obligation& ob, uint64_t rlimit) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_ms();
  Outcome out;
  uint64_t used = 0;
  try {
    for (unsigned bound : ob.bounds) {
      out = check_once(ob, bound, rlimit);
      used += out.rlimit_used;
      out.bound = bound;
      if (out.verdict != Verdict::kProved) break;
    }
    if (ob.bounds.size() > 1 || ob.bounds.front() > 0) {
      const std::string steps = fmt::format("{} step{}", out.bound, out.bound == 1 ? "" : "s");
      if (out.verdict == Verdict::kProved) out.detail = "no bad state within " + steps;
      if (out.verdict == Verdict::kCounterexample) out.detail = "a bad state after " + steps;
    }
  } catch (const z3::exception& e) {
    out = Outcome{};
    out.verdict = Verdict::kError;
    out.detail = std::string("Z3: ") + e.msg();
  } catch (const std::logic_error& e) {  // a malformed obligation
    out = Outcome{};
    out.verdict = Verdict::kError;
    out.detail = e.what();
  }
  out.rlimit_used = used;
  out.ms = thread_cpu_ms() - cpu_start;
  out.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::string z3_version() {
  unsigned major = 0, minor = 0, build = 0, revision = 0;
  Z3_get_version(&major, &minor, &build, &revision);
  return fmt::format("{}.{}.{}.{}", major, minor, build, revision);
}

}  // namespace rmc::proofs
