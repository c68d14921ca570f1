// obligation.cpp - counterexample values and file names.
#include "proofs/obligation.h"

#include <fmt/format.h>

#include <stdexcept>

namespace rmc::proofs {

uint64_t Values::at(std::string_view label) const {
  for (const Value& v : items_)
    if (v.label == label) return v.value;
  throw std::out_of_range(fmt::format("counterexample has no value '{}'", label));
}

std::string Values::str() const {
  std::string out;
  for (const Value& v : items_) {
    if (!out.empty()) out += ' ';
    out += v.is_flag ? fmt::format("{}={}", v.label, v.value ? "true" : "false")
                     : fmt::format("{}={:#x}", v.label, v.value);
  }
  return out;
}

std::string file_stem(std::string_view obligation_name) {
  std::string stem(obligation_name);
  for (char& c : stem)
    if (c == '.') c = '_';
  return stem;
}

}  // namespace rmc::proofs
