// goal.h - what an obligation states, in Z3 terms.
//
// An obligation's definition receives a Goal and says, in page units over
// 64-bit bit-vectors:
//
//   z3::expr start = g.word("vm_start");      a free 64-bit value
//   g.assume(geom::ult(start, end));          a hypothesis
//   g.claim(geom::mapping_base(...) == ...);  the property to prove
//   g.show("base", geom::mapping_base(...));  printed with a counterexample
//
// The geometry itself comes from model/core/geometry.h instantiated with
// z3::expr; a Goal adds nothing to it but variables, hypotheses and the claim.
// Arithmetic is unsigned and wraps modulo 2^64: compare with geom::ult/ule
// (z3::ult/ule), never with < or <=, which z3++ makes signed.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rmc::proofs {

// A term printed with a counterexample, and the value the model gives it.
struct Shown {
  std::string label;
  z3::expr term;
  bool is_flag = false;  // a Boolean, printed as true/false
};

class Goal {
 public:
  // `bound` is the number of steps a bounded search may take (0 otherwise).
  Goal(z3::context& ctx, unsigned bound) : ctx_(ctx), bound_(bound) {}

  z3::context& ctx() { return ctx_; }
  unsigned bound() const { return bound_; }

  // A free 64-bit value (an address, a page offset or a page count) and a free
  // Boolean. Names are unique within a goal; they are the names in the
  // SMT-LIB dump and in counterexamples.
  z3::expr word(const std::string& name);
  z3::expr flag(const std::string& name);
  // A constant page number or page count.
  z3::expr page(uint64_t value) { return ctx_.bv_val(value, 64); }

  void assume(const z3::expr& fact) { assumptions_.push_back(fact); }
  void claim(const z3::expr& property);
  // A word (or flag) whose value a counterexample shows, under `label`.
  void show(const std::string& label, const z3::expr& term);

  const std::vector<z3::expr>& assumptions() const { return assumptions_; }
  const std::optional<z3::expr>& claimed() const { return claim_; }
  const std::vector<Shown>& shown() const { return shown_; }

 private:
  z3::context& ctx_;
  unsigned bound_;
  std::vector<std::string> names_;
  std::vector<z3::expr> assumptions_;
  std::optional<z3::expr> claim_;
  std::vector<Shown> shown_;
};

}  // namespace rmc::proofs
