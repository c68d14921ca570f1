// violation.h - one broken property, found by a check after a step.
#pragma once

#include <string>

namespace rmc {

struct Violation {
  std::string property;  // "I3", "rmap-incomplete", "lifetime", "contents", ...
  std::string message;   // what, where, which objects
};

}  // namespace rmc
