// terms.h - the vocabulary the obligations share: a VMA as three words, the
// hypotheses every real kernel state satisfies, and the bounds that keep a
// counterexample replayable as a trace.
//
// Nothing here is geometry: the formulas are geometry.h's. These are the
// statements *about* them (which VMAs exist, which values a trace can hold).
#pragma once

#include <string>

#include "model/core/bounds.h"
#include "model/core/geometry.h"
#include "proofs/goal.h"

namespace rmc::proofs {

// vm_start, vm_end, vm_pgoff, in pages.
struct VmaWords {
  z3::expr start, end, pgoff;
};

// A VMA named `name` (variables name.start, name.end, name.pgoff) that is
// non-empty and does not wrap: vm_start < vm_end, as for every VMA.
VmaWords vma_words(Goal& g, const std::string& name);
// The same with vm_pgoff = vm_start (a fresh anonymous mmap: base 0).
VmaWords anon_vma_words(Goal& g, const std::string& name);

inline z3::expr base(const VmaWords& v) { return geom::mapping_base(v.start, v.pgoff); }
inline z3::expr covers(const VmaWords& v, const z3::expr& addr) {
  return geom::address_in_range(v.start, v.end, addr);
}
inline z3::expr index_of(const VmaWords& v, const z3::expr& addr) {
  return geom::linear_page_index(v.start, v.pgoff, addr);
}

// z3::ite, except that a constant condition picks its side at once (so
// that options a mode rules out leave no terms behind).
z3::expr choose(const z3::expr& cond, const z3::expr& if_true, const z3::expr& if_false);
// `if_true` where `cond` holds, else `if_false`, field by field.
VmaWords select(const z3::expr& cond, const VmaWords& if_true, const VmaWords& if_false);

// Two VMAs of one mm never overlap (both are non-empty and do not wrap).
z3::expr disjoint(const VmaWords& a, const VmaWords& b);

// The VMA's page offsets [pgoff, vma_last_pgoff] do not wrap: do_mmap's
// EOVERFLOW check, kept by split, mremap and the stack-growth guard.
z3::expr pgoffs_do_not_wrap(const VmaWords& v);

// [start, start + len) is a range a counterexample trace may use: inside the
// arena (model/core/bounds.h), and, so that the trace reads like one written
// by hand, inside pages [0x100, 0x1000) and at most 64 pages long.
// Counterexamples only: restricting a witness's values loses nothing.
z3::expr in_trace_window(const z3::expr& start, const z3::expr& len);
inline z3::expr in_trace_window(const VmaWords& v) { return in_trace_window(v.start, v.end - v.start); }

// Shows name.start, name.end and name.pgoff with a counterexample.
void show_vma(Goal& g, const std::string& name, const VmaWords& v);

}  // namespace rmc::proofs
