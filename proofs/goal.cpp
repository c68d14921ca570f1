// goal.cpp - variables, hypotheses and the claim of one obligation.
#include "proofs/goal.h"

#include <algorithm>
#include <stdexcept>

namespace rmc::proofs {

namespace {

void declare(std::vector<std::string>& names, const std::string& name) {
  // Two variables with one name would be one variable in the SMT-LIB dump.
  if (std::find(names.begin(), names.end(), name) != names.end())
    throw std::logic_error("obligation declares '" + name + "' twice");
  names.push_back(name);
}

}  // namespace

z3::expr Goal::word(const std::string& name) {
  declare(names_, name);
  return ctx_.bv_const(name.c_str(), 64);
}

z3::expr Goal::flag(const std::string& name) {
  declare(names_, name);
  return ctx_.bool_const(name.c_str());
}

void Goal::claim(const z3::expr& property) {
  if (claim_) throw std::logic_error("obligation states two claims");
  if (!property.is_bool()) throw std::logic_error("a claim must be a Boolean");
  claim_ = property;
}

void Goal::show(const std::string& label, const z3::expr& term) {
  if (!term.is_bool() && !(term.is_bv() && term.get_sort().bv_size() == 64))
    throw std::logic_error("shown term '" + label + "' is neither a flag nor a 64-bit word");
  shown_.push_back({label, term, term.is_bool()});
}

}  // namespace rmc::proofs
