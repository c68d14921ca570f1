// mutant_main.cpp - run every obligation against one geometry mutant (see
// geometry_mutants.cmake). Exit 0 if some verdict is not the expected one
// (the mutant is caught, the test passes), 1 if every verdict is as
// expected (the mutant survives: no obligation notices the change).
#include <fmt/format.h>

#include "proofs/discharge.h"
#include "proofs/obligations/tables.h"

int main() {
  using namespace rmc::proofs;
  int caught = 0;
  for (const Obligation& ob : all_obligations()) {
    if (ob.deep) continue;
    const Outcome out = discharge(ob, ob.rlimit ? ob.rlimit : kDefaultRlimit);
    if (out.verdict == ob.expected) continue;
    caught++;
    fmt::print("mutant {}: {} is {} (expected {}) {}\n", RMC_MUTANT, ob.name, verdict_name(out.verdict),
               verdict_name(ob.expected), out.detail);
  }
  if (caught == 0) {
    fmt::print("mutant {} survives: every obligation still has its expected verdict\n", RMC_MUTANT);
    return 1;
  }
  fmt::print("mutant {} caught by {} obligation(s)\n", RMC_MUTANT, caught);
  return 0;
}
