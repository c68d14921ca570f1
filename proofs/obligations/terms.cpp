// terms.cpp - VMAs as words and the hypotheses of a real kernel state.
#include "proofs/obligations/terms.h"

namespace rmc::proofs {

namespace {
constexpr uint64_t kTraceWindowStart = 0x100, kTraceWindowEnd = 0x1000, kTraceWindowPages = 64;
}  // namespace

VmaWords vma_words(Goal& g, const std::string& name) {
  VmaWords v{g.word(name + ".start"), g.word(name + ".end"), g.word(name + ".pgoff")};
  g.assume(z3::ult(v.start, v.end));
  return v;
}

VmaWords anon_vma_words(Goal& g, const std::string& name) {
  const z3::expr start = g.word(name + ".start");
  VmaWords v{start, g.word(name + ".end"), geom::new_anon_pgoff(start)};
  g.assume(z3::ult(v.start, v.end));
  return v;
}

z3::expr choose(const z3::expr& cond, const z3::expr& if_true, const z3::expr& if_false) {
  if (cond.is_true()) return if_true;
  if (cond.is_false()) return if_false;
  return z3::ite(cond, if_true, if_false);
}

VmaWords select(const z3::expr& cond, const VmaWords& if_true, const VmaWords& if_false) {
  return {choose(cond, if_true.start, if_false.start), choose(cond, if_true.end, if_false.end),
          choose(cond, if_true.pgoff, if_false.pgoff)};
}

z3::expr disjoint(const VmaWords& a, const VmaWords& b) {
  return z3::ule(a.end, b.start) || z3::ule(b.end, a.start);
}

z3::expr pgoffs_do_not_wrap(const VmaWords& v) {
  return z3::ule(v.pgoff, geom::vma_last_pgoff(v.start, v.end, v.pgoff));
}

z3::expr in_trace_window(const z3::expr& start, const z3::expr& len) {
  static_assert(kTraceWindowEnd <= kArenaPages && kTraceWindowPages <= kMaxOpPages);
  z3::context& c = start.ctx();
  const z3::expr end = c.bv_val(kTraceWindowEnd, 64);
  return z3::ule(1, len) && z3::ule(len, c.bv_val(kTraceWindowPages, 64)) &&
         z3::ule(c.bv_val(kTraceWindowStart, 64), start) && z3::ult(start, end) && z3::ule(len, end - start);
}

void show_vma(Goal& g, const std::string& name, const VmaWords& v) {
  g.show(name + ".start", v.start);
  g.show(name + ".end", v.end);
  g.show(name + ".pgoff", v.pgoff);
}

}  // namespace rmc::proofs
