// op_semantics.h - what an op needs and what it does to a world.
//
// An op the kernel would refuse (EFAULT, ENOMEM, EINVAL) or answer with
// SIGSEGV is bad input for a trace, reported with the reason; the generators
// never produce one. A valid op is applied by calling the World entry point
// the op table names.
#pragma once

#include <optional>
#include <string>

#include "model/core/op.h"

namespace rmc {

class World;

// Why the kernel would refuse `op` in `w`, or nullopt if it is valid. With
// `explain` false the reason is left empty (the generators only ask whether).
std::optional<std::string> op_invalid_reason(const World& w, const Op& op, bool explain = true);

// Where an mremap moves its range when the kernel picks the address (MAYMOVE
// without room to grow, DONTUNMAP without FIXED); kArenaPages if it does not
// move or moves to the given new address.
PageNo mremap_chosen_address(const World& w, const Op& op);

// What reads return and writes store, for whoever keeps the memory
// specification.
class OpObserver {
 public:
  virtual ~OpObserver() = default;
  virtual void on_read(ProcessId pid, PageNo addr, uint64_t value) = 0;
  virtual void on_write(ProcessId pid, PageNo addr, uint64_t value) = 0;
  // UFFDIO_MOVE took the page at `from` (whatever it held, zero for a hole)
  // to `to`, which held nothing; `from` now holds nothing.
  virtual void on_move(ProcessId pid, PageNo from, PageNo to) = 0;
};

// Applies a valid op. Each written page gets the fresh value ++next_value.
void apply_op(World& w, const Op& op, uint64_t& next_value, OpObserver* observer);
// How many fresh values apply_op takes for `op` (the pages it stores to).
uint64_t values_written(const Op& op);

}  // namespace rmc
