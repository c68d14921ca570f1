// test_int_blast.cpp - the bit-vector to integer translation agrees with
// Z3's own bit-vector evaluation, formula by formula, on random values.
//
// int_blast is the one piece of the prover that is ours rather than a
// solver's; here every operator it knows is checked against Z3's
// bit-vector simplifier on random and boundary values (0, 1, 2^63, 2^64-1,
// ...), in both polarities, so a wrong wrap rule cannot hide.
#include <gtest/gtest.h>

#include <random>

#include "proofs/int_blast.h"

namespace rmc::proofs {
namespace {

uint64_t pick(std::mt19937_64& rng) {
  static const uint64_t edges[] = {0, 1, 2, 3, 0x100, 0xffff, uint64_t{1} << 63, (uint64_t{1} << 63) - 1,
                                   ~uint64_t{0}, ~uint64_t{0} - 1, 0xfffffffffffff000};
  switch (rng() % 3) {
    case 0: return edges[rng() % std::size(edges)];
    case 1: return rng() % 0x20000;
    default: return rng();
  }
}

// A random 64-bit term over the words, of the shapes geometry.h and the
// obligations build.
z3::expr term(z3::context& c, const std::vector<z3::expr>& words, std::mt19937_64& rng, int depth) {
  if (depth == 0 || rng() % 4 == 0) {
    if (rng() % 3 == 0) return c.bv_val(pick(rng), 64);
    return words[rng() % words.size()];
  }
  const z3::expr a = term(c, words, rng, depth - 1), b = term(c, words, rng, depth - 1);
  switch (rng() % 6) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return -a;
    case 3: return a * c.bv_val(pick(rng) % 8, 64);
    case 4: return a & c.bv_val((uint64_t{1} << (rng() % 64)) - 1, 64);
    default: return z3::ite(z3::ult(a, b), a, b);
  }
}

z3::expr atom(z3::context& c, const std::vector<z3::expr>& words, std::mt19937_64& rng) {
  const z3::expr a = term(c, words, rng, 3), b = term(c, words, rng, 3);
  const unsigned hi = static_cast<unsigned>(rng() % 64);
  switch (rng() % 6) {
    case 0: return z3::ult(a, b);
    case 1: return z3::ule(a, b);
    case 2: return z3::ugt(a, b);
    case 3: return z3::uge(a, b);
    case 4: return a.extract(hi, 0) == b.extract(hi, 0);
    default: return a == b;
  }
}

// Is `query`, with the words fixed to `values`, satisfiable once translated?
bool translated_holds(z3::context& c, const z3::expr& query, const std::vector<z3::expr>& words,
                      const std::vector<uint64_t>& values) {
  const IntBlasted b = int_blast(query);
  z3::solver s(c, "QF_LIA");
  s.add(b.formula);
  for (size_t i = 0; i < b.words.size(); i++)
    for (size_t k = 0; k < words.size(); k++)
      if (z3::eq(b.words[i], words[k])) s.add(b.integers[i] == c.int_val(std::to_string(values[k]).c_str()));
  const z3::check_result r = s.check();
  EXPECT_NE(r, z3::unknown);
  return r == z3::sat;
}

TEST(IntBlast, AgreesWithBitVectorEvaluation) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 300; round++) {
    z3::context c;
    const std::vector<z3::expr> words{c.bv_const("x", 64), c.bv_const("y", 64), c.bv_const("z", 64)};
    const std::vector<uint64_t> values{pick(rng), pick(rng), pick(rng)};
    z3::expr f = atom(c, words, rng);
    if (rng() % 2) f = f && !atom(c, words, rng);
    if (rng() % 2) f = f || atom(c, words, rng);
    z3::expr_vector from(c), to(c);
    for (size_t k = 0; k < words.size(); k++) {
      from.push_back(words[k]);
      to.push_back(c.bv_val(values[k], 64));
    }
    const z3::expr truth = f.substitute(from, to).simplify();
    ASSERT_TRUE(truth.is_true() || truth.is_false()) << f;
    EXPECT_EQ(translated_holds(c, f, words, values), truth.is_true()) << f << " at x=" << values[0]
                                                                      << " y=" << values[1] << " z=" << values[2];
    EXPECT_EQ(translated_holds(c, !f, words, values), truth.is_false()) << f;
  }
}

TEST(IntBlast, WordsAndFlagsAreListed) {
  z3::context c;
  const z3::expr x = c.bv_const("x", 64), p = c.bool_const("p");
  const IntBlasted b = int_blast(z3::ult(x, x + 1) && p);
  ASSERT_EQ(b.words.size(), 1u);
  EXPECT_TRUE(z3::eq(b.words[0], x));
  ASSERT_EQ(b.flags.size(), 1u);
  EXPECT_TRUE(z3::eq(b.flags[0], p));
}

TEST(IntBlast, RefusesWhatItDoesNotKnow) {
  z3::context c;
  const z3::expr x = c.bv_const("x", 64), y = c.bv_const("y", 64);
  EXPECT_THROW(int_blast(z3::udiv(x, y) == 0), std::logic_error);
  EXPECT_THROW(int_blast(z3::shl(x, y) == 0), std::logic_error);
  EXPECT_THROW(int_blast(x * y == 0), std::logic_error);  // not linear
  EXPECT_THROW(int_blast(x.extract(7, 4) == 0), std::logic_error);
}

}  // namespace
}  // namespace rmc::proofs
