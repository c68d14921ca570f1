// outcomes.h - each obligation discharged once per test binary (the
// obligation, the committed-file and the trace tests all look at them).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "proofs/discharge.h"
#include "proofs/obligations/tables.h"

namespace rmc::proofs {

inline const Outcome& outcome_of(const Obligation& ob) {
  static std::map<std::string, Outcome> done;
  auto it = done.find(ob.name);
  if (it == done.end()) it = done.emplace(ob.name, discharge(ob, ob.rlimit ? ob.rlimit : kDefaultRlimit)).first;
  return it->second;
}

// The obligations `rmapcheck prove` runs without --deep.
inline std::vector<const Obligation*> default_obligations() {
  std::vector<const Obligation*> out;
  for (const Obligation& ob : all_obligations())
    if (!ob.deep) out.push_back(&ob);
  return out;
}

inline std::string test_name_of(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

}  // namespace rmc::proofs
