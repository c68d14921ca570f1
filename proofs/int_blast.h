// int_blast.h - a bit-vector query as linear integer arithmetic.
//
// Z3 4.8.12 decides bit-vector arithmetic by bit-blasting. Page units remove
// the shifts, but a comparison of differences (addr - vm_start < vm_end -
// vm_start) or an equation between sums still becomes carry chains that the
// SAT solver must relate bit by bit: one such fact alone costs ~0.4 s. The
// same facts are trivial for linear integer arithmetic, so, as cvc5 does with
// --solve-bv-as-int=sum, Z3 is given the query translated:
//
//   a w-bit word x        an integer X with 0 <= X < 2^w
//   a + b                 R with R = A + B - 2^w*o, 0 <= R < 2^w, o in {0, 1}
//   a - b                 R with R = A - B + 2^w*o, 0 <= R < 2^w, o in {0, 1}
//   c * a (c a numeral)   R with R = c*A - 2^w*q, 0 <= R < 2^w
//   a[k-1:0], a & (2^k-1) R with R = A - 2^k*q, 0 <= R < 2^k
//   ult, ule, =, distinct, ite   <, <=, =, distinct, ite on the integers
//
// Each R is fully determined by its operands, so the translation is
// equisatisfiable with the bit-vector query and its models are the words'
// values. What is trusted is therefore small and checked three ways: the
// SMT-LIB dump that cvc5 checks is the bit-vector query itself; a
// counterexample's values are re-evaluated on the bit-vector formulas; and
// proofs/tests/test_int_blast.cpp compares the translation with Z3's own
// bit-vector evaluation on random values.
#pragma once

#include <z3++.h>

#include <vector>

namespace rmc::proofs {

struct IntBlasted {
  z3::expr formula;                 // the translated query, side conditions included
  std::vector<z3::expr> words;      // the query's bit-vector constants
  std::vector<z3::expr> integers;   // their integers, index by index
  std::vector<z3::expr> flags;      // the query's Boolean constants (shared)
};

// Throws std::logic_error on an operator outside the list above.
IntBlasted int_blast(const z3::expr& query);

}  // namespace rmc::proofs
