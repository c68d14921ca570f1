// vma_cursor.h - the VMA of each page-table entry of a process, for checks
// that walk the page tables in address order.
//
// A process's page tables and its VMA list are both sorted by address, so
// the checks walk the two side by side (one step along the VMA list per VMA
// passed) instead of looking a VMA up for every entry: the checks run after
// every step, and a lookup per entry was a tenth of their time.
//
// Walking side by side finds what vma_lookup finds only if the VMA list is
// sorted and disjoint. If it is not (check_vma_layout reports that as a
// violation), the cursor asks vma_lookup itself, entry by entry, so every
// check reports exactly what it reported with a lookup per entry.
#pragma once

#include <cassert>
#include <vector>

#include "model/core/world.h"

namespace rmc {

class VmaCursor {
 public:
  VmaCursor(const World& w, ProcessId pid)
      : w_(w), pid_(pid), list_(w.proc(pid).vmas), sorted_(sorted_and_disjoint(w, list_)) {}

  // The VMA containing `addr`, or nullptr. Successive calls must not go
  // down in address (page-table order).
  const Vma* at(PageNo addr) {
    assert(addr >= last_);
    last_ = addr;
    // Most entries lie in the VMA of the entry before.
    if (current_ && addr < current_->end) return addr >= current_->start ? current_ : nullptr;
    return advance(addr);
  }

  // Non-empty VMAs, each starting at or after the end of the one before:
  // then the VMA containing an address is the first one ending after it.
  static bool sorted_and_disjoint(const World& w, const std::vector<VmaId>& list) {
    PageNo prev_end = 0;
    for (VmaId id : list) {
      const Vma& v = w.vma(id);
      if (v.start >= v.end || v.start < prev_end) return false;
      prev_end = v.end;
    }
    return true;
  }

 private:
  // Past the VMA of the entry before: on along the list (or, for a list
  // not sorted, vma_lookup). Out of line, so that at() is inlined.
  [[gnu::noinline]] const Vma* advance(PageNo addr) {
    if (!sorted_) {
      const VmaId id = w_.vma_lookup(pid_, addr);
      return id == kNoVma ? nullptr : &w_.vma(id);
    }
    current_ = nullptr;
    while (next_ < list_.size()) {
      const Vma& v = w_.vma(list_[next_]);
      if (v.end > addr) {
        current_ = &v;
        return v.start <= addr ? current_ : nullptr;
      }
      next_++;
    }
    return nullptr;
  }

  const World& w_;
  ProcessId pid_;
  const std::vector<VmaId>& list_;
  bool sorted_;
  size_t next_ = 0;  // first VMA of the list that may contain the next address
  // list_[next_], the first VMA ending after the last address (always
  // nullptr for a list not sorted: every call asks vma_lookup).
  const Vma* current_ = nullptr;
  PageNo last_ = 0;  // the previous address asked about
};

}  // namespace rmc
