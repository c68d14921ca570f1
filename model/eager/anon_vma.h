// anon_vma.h - the eager design's objects: anon_vma and anon_vma_chain
// (include/linux/rmap.h), as the model keeps them.
#pragma once

#include <cstdint>
#include <vector>

#include "model/core/types.h"

namespace rmc {

enum class AnonVmaId : uint32_t {};
enum class AvcId : uint32_t {};

inline constexpr AnonVmaId kNoAnonVma{UINT32_MAX};

// struct anon_vma.
struct AnonVma {
  AnonVmaId id{};
  AnonVmaId root{};    // oldest anon_vma of the fork tree; its lock guards all
  AnonVmaId parent{};  // anon_vma of the VMA we were forked from; a root is its own
  int32_t refcount = 1;         // 1 while the tree is non-empty, +1 per live non-root
                                // anon_vma of the tree if root
  int32_t num_children = 0;     // anon_vmas whose parent is this one (+1 self link for a root)
  int32_t num_active_vmas = 0;  // VMAs whose vma->anon_vma is this one
  int32_t degree = 0;           // the pre-2022 combined counter (only used by bug B12)
  int32_t migration_refs = 0;   // of refcount: folio_get_anon_vma by migrations in flight
  // The interval tree: AVCs sorted by their key's first page offset, equal
  // keys in insertion order (the rb-tree's in-order walk).
  std::vector<AvcId> tree;
  bool alive = true;
};

// struct anon_vma_chain: one edge VMA <-> anon_vma.
struct Avc {
  AvcId id{};
  VmaId vma{};
  AnonVmaId anon_vma{};
  // The interval tree key, fixed when inserted: [vm_pgoff, vm_pgoff + pages - 1]
  // of the VMA at that time. I2 checks it still matches the VMA.
  PageNo first = 0;
  PageNo last = 0;
  bool in_tree = false;
  bool alive = true;
};

// vma->anon_vma and folio->mapping encode an anon_vma as its id + 1 (0 = NULL).
inline AnonWord anon_word(AnonVmaId av) { return AnonWord{idx(av)} + 1; }
inline AnonVmaId anon_vma_of(uint64_t word) { return AnonVmaId{static_cast<uint32_t>(word - 1)}; }

}  // namespace rmc
