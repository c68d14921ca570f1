// tables.h - the obligation tables, one function per file of proofs/obligations/.
//
// all_obligations() is their concatenation in the order the report prints:
// the base invariants, mremap and exec, addressing, large folios, the walks,
// and the bounded searches last.
#pragma once

#include <vector>

#include "model/core/geometry.h"
#include "proofs/obligation.h"
#include "proofs/obligations/terms.h"

namespace rmc::proofs {

std::vector<Obligation> base_kept_obligations();      // base_kept.cpp
std::vector<Obligation> base_moved_obligations();     // base_moved.cpp
std::vector<Obligation> addressing_obligations();     // addressing.cpp
std::vector<Obligation> large_folio_obligations();    // large_folio.cpp
std::vector<Obligation> walk_obligations();           // walks.cpp
std::vector<Obligation> search_obligations();         // search.cpp

const std::vector<Obligation>& all_obligations();

}  // namespace rmc::proofs
