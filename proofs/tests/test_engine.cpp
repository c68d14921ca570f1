// test_engine.cpp - the verdicts of the thin layer over Z3 and cvc5, each
// produced on purpose: proved, counterexample (with checked values),
// unknown (an exhausted rlimit), error (vacuous hypotheses, a malformed
// obligation), and cvc5 agreeing or not.
#include <gtest/gtest.h>

#include <cstdlib>

#include "proofs/cvc5.h"
#include "proofs/discharge.h"

namespace rmc::proofs {
namespace {

Obligation make(std::function<void(Goal&)> state, Verdict expected = Verdict::kProved) {
  Obligation ob;
  ob.name = "test.obligation";
  ob.claim = "a test";
  ob.expected = expected;
  ob.state = std::move(state);
  return ob;
}

TEST(Discharge, ProvesATrueClaim) {
  const Outcome out = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a"), b = g.word("b");
    g.assume(z3::ult(a, b));
    g.claim(z3::ult(b - a - 1, b - a));  // no wrap below b - a
  }), kDefaultRlimit);
  EXPECT_EQ(out.verdict, Verdict::kProved) << out.detail;
  EXPECT_GT(out.rlimit_used, 0u);
  EXPECT_NE(out.smt2.find("(set-info :status unsat)"), std::string::npos);
  EXPECT_NE(out.smt2.find("(set-logic QF_BV)"), std::string::npos);
}

TEST(Discharge, ShowsACounterexampleThatBreaksTheClaim) {
  const Outcome out = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a");
    g.assume(z3::ult(g.page(5), a));
    g.show("a", a);
    g.show("a_plus_1", a + 1);
    g.claim(z3::ult(a, a + 1));  // false at a = 2^64 - 1
  }), kDefaultRlimit);
  ASSERT_EQ(out.verdict, Verdict::kCounterexample) << out.detail;
  EXPECT_EQ(out.values.at("a"), ~uint64_t{0});
  EXPECT_EQ(out.values.at("a_plus_1"), 0u);
  EXPECT_NE(out.smt2.find("(set-info :status sat)"), std::string::npos);
  EXPECT_NE(out.smt2.find("counterexample asserted"), std::string::npos);
  EXPECT_THROW(out.values.at("b"), std::out_of_range);
}

TEST(Discharge, VacuousHypothesesAreAnError) {
  const Outcome out = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a");
    g.assume(z3::ult(a, g.page(3)) && z3::ult(g.page(7), a));
    g.claim(a == 0);
  }), kDefaultRlimit);
  EXPECT_EQ(out.verdict, Verdict::kError);
  EXPECT_NE(out.detail.find("vacuous"), std::string::npos);
}

TEST(Discharge, ExhaustedRlimitIsUnknown) {
  const Outcome out = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a"), b = g.word("b");
    g.assume(z3::ult(a, b));
    g.claim(z3::ule(a, b));
  }), 1);
  EXPECT_EQ(out.verdict, Verdict::kUnknown);
  EXPECT_NE(out.detail.find("rlimit"), std::string::npos);
}

TEST(Discharge, MalformedObligationsAreErrors) {
  EXPECT_EQ(discharge(make([](Goal& g) { g.word("a"); }), kDefaultRlimit).verdict, Verdict::kError);
  const Outcome twice = discharge(make([](Goal& g) {
    g.word("a");
    g.claim(g.word("a") == 0);
  }), kDefaultRlimit);
  EXPECT_EQ(twice.verdict, Verdict::kError);
  EXPECT_NE(twice.detail.find("twice"), std::string::npos);
}

TEST(Discharge, SearchesStopAtTheFirstCounterexample) {
  Obligation ob = make([](Goal& g) {
    const z3::expr a = g.word("a");
    g.assume(z3::ule(a, g.page(g.bound())));
    g.claim(z3::ult(a, g.page(2)));  // broken from bound 2 on
  });
  ob.bounds = {1, 2, 3};
  const Outcome out = discharge(ob, kDefaultRlimit);
  EXPECT_EQ(out.verdict, Verdict::kCounterexample);
  EXPECT_EQ(out.bound, 2u);
  EXPECT_EQ(out.detail, "a bad state after 2 steps");
}

TEST(Cvc5, AgreesOnAProofAndOnACounterexample) {
  ASSERT_TRUE(cvc5_version().has_value()) << "cvc5 is not installed (tools/install-deps)";
  const Outcome proof = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a"), b = g.word("b");
    g.claim((a - b) + b == a);
  }), kDefaultRlimit);
  const Cvc5Answer unsat = cvc5_check_text(proof.smt2);
  EXPECT_EQ(unsat.kind, Cvc5Answer::Kind::kUnsat) << unsat.detail;
  EXPECT_TRUE(agrees(proof.verdict, unsat));
  const Outcome counter = discharge(make([](Goal& g) {
    const z3::expr a = g.word("a");
    g.claim(a + 1 != 0);
  }), kDefaultRlimit);
  const Cvc5Answer sat = cvc5_check_text(counter.smt2);
  EXPECT_EQ(sat.kind, Cvc5Answer::Kind::kSat) << sat.detail;
  EXPECT_TRUE(agrees(counter.verdict, sat));
  EXPECT_FALSE(agrees(proof.verdict, sat));
}

TEST(Cvc5, ADisagreementIsReported) {
  // A file whose :status says unsat for a satisfiable query: cvc5 refuses it.
  const std::string lie =
      "(set-info :status unsat)\n(set-logic QF_BV)\n(declare-fun a () (_ BitVec 64))\n"
      "(assert (= a #x0000000000000001))\n(check-sat)\n";
  const Cvc5Answer answer = cvc5_check_text(lie);
  EXPECT_EQ(answer.kind, Cvc5Answer::Kind::kError);
  EXPECT_FALSE(agrees(Verdict::kProved, answer));
  EXPECT_FALSE(agrees(Verdict::kCounterexample, answer));
}

TEST(Cvc5, AMissingBinaryIsNoAnswer) {
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  setenv("PATH", "/nonexistent", 1);
  EXPECT_FALSE(cvc5_version().has_value());
  const Cvc5Answer answer = cvc5_check_text("(check-sat)\n");
  setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(answer.kind, Cvc5Answer::Kind::kError);
  EXPECT_NE(answer.detail.find("cannot run cvc5"), std::string::npos);
}

}  // namespace
}  // namespace rmc::proofs
