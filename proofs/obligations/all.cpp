// all.cpp - every obligation, in report order; names are unique.
#include <set>
#include <stdexcept>

#include "proofs/obligations/tables.h"

namespace rmc::proofs {

const std::vector<Obligation>& all_obligations() {
  static const std::vector<Obligation> all = [] {
    std::vector<Obligation> out;
    for (auto table : {base_kept_obligations, base_moved_obligations, addressing_obligations,
                       large_folio_obligations, walk_obligations, search_obligations})
      for (Obligation& ob : table()) out.push_back(std::move(ob));
    std::set<std::string> names;
    for (const Obligation& ob : out) {
      if (!names.insert(ob.name).second) throw std::logic_error("two obligations named " + ob.name);
      if (ob.expected != Verdict::kProved && ob.expected != Verdict::kCounterexample)
        throw std::logic_error(ob.name + ": the expected verdict is proved or counterexample");
      if (ob.expected == Verdict::kCounterexample && !ob.trace && ob.no_trace.empty())
        throw std::logic_error(ob.name + ": a counterexample needs a trace or a reason for none");
    }
    return out;
  }();
  return all;
}

}  // namespace rmc::proofs
