// violation.h - one broken property, found by a check after a step.
#pragma once

#include <iterator>
#include <string>
#include <vector>

namespace rmc {

struct Violation {
  std::string property;  // "I3", "rmap-incomplete", "lifetime", "contents", ...
  std::string message;   // what, where, which objects
};

// Moves the reports of a check that ran in a shared pass (into a buffer of
// its own) behind those of the checks before it, as if it had run after them.
inline void append_reports(std::vector<Violation>& out, std::vector<Violation>& more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace rmc
