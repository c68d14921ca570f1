// page_table.h - one process's page tables: page -> entry.
//
// A sorted flat map (page, entry): the worlds a trace builds map tens to
// thousands of pages, where a sorted vector beats any tree, and a range is
// one contiguous slice. Entries are never "none": an absent page is a none PTE.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "model/core/types.h"

namespace rmc {

enum class PteKind : uint8_t {
  kPresent,    // maps page `pfn` of an anonymous folio
  kZero,       // maps the shared zero page read-only
  kSwap,       // swap entry for slot `slot`
  kMigration,  // migration entry pointing at page `pfn` of the source folio
};

struct Pte {
  PteKind kind = PteKind::kPresent;
  bool writable = false;   // present: pte_write; migration: writable entry
  bool exclusive = false;  // swap / migration: the entry's "exclusive" marker
  uint32_t target = 0;     // Pfn for present / migration, SwapSlotId for swap

  Pfn pfn() const { return Pfn{target}; }
  SwapSlotId slot() const { return SwapSlotId{target}; }
  static Pte present(Pfn pfn, bool writable) {
    return {PteKind::kPresent, writable, false, idx(pfn)};
  }
  static Pte zero() { return {PteKind::kZero, false, false, idx(kZeroPfn)}; }
  static Pte swap(SwapSlotId slot, bool exclusive) {
    return {PteKind::kSwap, false, exclusive, idx(slot)};
  }
  static Pte migration(Pfn pfn, bool writable, bool exclusive) {
    return {PteKind::kMigration, writable, exclusive, idx(pfn)};
  }
};

// A sorted flat map page -> T: the page tables (T = Pte), and the memory
// specification (T = the value a page must hold).
template <class T>
class PageMap {
 public:
  struct Entry {
    PageNo page;
    T pte;  // the value (named for the page-table use)
  };

  const T* find(PageNo page) const {
    auto it = lower(page);
    return (it != entries_.end() && it->page == page) ? &it->pte : nullptr;
  }
  T* find(PageNo page) {
    auto it = lower(page);
    return (it != entries_.end() && it->page == page) ? &it->pte : nullptr;
  }
  void set(PageNo page, T value) {
    auto it = lower(page);
    if (it != entries_.end() && it->page == page) {
      it->pte = value;
    } else {
      entries_.insert(it, Entry{page, value});
    }
  }
  void clear(PageNo page) {
    auto it = lower(page);
    if (it != entries_.end() && it->page == page) entries_.erase(it);
  }
  // Entries with start <= page < end, in address order.
  std::pair<const Entry*, const Entry*> range(PageNo start, PageNo end) const {
    auto first = lower(start);
    auto last = std::lower_bound(first, entries_.end(), end, less_page);
    return {entries_.data() + (first - entries_.begin()), entries_.data() + (last - entries_.begin())};
  }
  std::pair<Entry*, Entry*> range(PageNo start, PageNo end) {
    auto first = lower(start);
    auto last = std::lower_bound(first, entries_.end(), end, less_page);
    return {entries_.data() + (first - entries_.begin()), entries_.data() + (last - entries_.begin())};
  }
  void erase_range(PageNo start, PageNo end) {
    auto first = lower(start);
    auto last = std::lower_bound(first, entries_.end(), end, less_page);
    entries_.erase(first, last);
  }
  // Appends an entry above every existing one (building a map in order).
  void append(PageNo page, T value) {
    assert(entries_.empty() || entries_.back().page < page);
    entries_.push_back(Entry{page, value});
  }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  void clear_all() { entries_.clear(); }

 private:
  static bool less_page(const Entry& e, PageNo page) { return e.page < page; }
  typename std::vector<Entry>::const_iterator lower(PageNo page) const {
    return std::lower_bound(entries_.begin(), entries_.end(), page, less_page);
  }
  typename std::vector<Entry>::iterator lower(PageNo page) {
    return std::lower_bound(entries_.begin(), entries_.end(), page, less_page);
  }
  std::vector<Entry> entries_;
};

using PageTable = PageMap<Pte>;

}  // namespace rmc
