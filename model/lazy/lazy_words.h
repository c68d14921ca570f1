// lazy_words.h - how the lazy designs encode vma->anon and folio->mapping.
//
// The series turns vma->anon_vma into a tagged word (anon_vma_tree_t) and
// gives folio->mapping a lazy encoding (root VMA | FOLIO_MAPPING_ANON_VMA_LAZY).
// The model does the same with high tag bits on its words; a regular
// anon_vma keeps the eager encoding (id + 1), so the anon_vma forest and its
// invariants read regular VMAs exactly as in the eager design.
#pragma once

#include "model/core/types.h"
#include "model/eager/anon_vma.h"

namespace rmc::lazy {

inline constexpr uint64_t kLazyTag = uint64_t{1} << 62;    // ANON_VMA_TREE_VMA: a root VMA
inline constexpr uint64_t kParentTag = uint64_t{1} << 61;  // ANON_VMA_TREE_PARENT: a fork child
inline constexpr uint64_t kTagMask = kLazyTag | kParentTag;
inline constexpr uint64_t kIdMask = (uint64_t{1} << 32) - 1;

// vma->anon
inline AnonWord lazy_word(VmaId root) { return kLazyTag | idx(root); }
inline AnonWord parent_word(AnonVmaId av) { return kParentTag | idx(av); }
inline AnonWord regular_word(AnonVmaId av) { return anon_word(av); }
inline bool is_lazy(AnonWord w) { return w & kLazyTag; }
inline bool is_parent(AnonWord w) { return w & kParentTag; }
inline bool is_regular(AnonWord w) { return w != kNoAnon && !(w & kTagMask); }
inline VmaId root_of(AnonWord w) { return VmaId{static_cast<uint32_t>(w & kIdMask)}; }
// The anon_vma a TREE_PARENT or regular VMA's new folios go to.
inline AnonVmaId anon_vma_in(AnonWord w) {
  return is_parent(w) ? AnonVmaId{static_cast<uint32_t>(w & kIdMask)} : anon_vma_of(w);
}

// base0's root is an mm: the process id in the low byte, the generation
// of its mm (Process::mm_generation: exec replaces the mm) above it.
inline uint64_t base0_root(ProcessId pid, uint32_t mm_generation) {
  return idx(pid) | (uint64_t{mm_generation} << 8);
}
inline ProcessId base0_mm(uint64_t root) { return ProcessId{static_cast<uint8_t>(root & 0xff)}; }

// folio->mapping: a regular anon_vma (id + 1) or a lazy root VMA.
inline MappingWord lazy_mapping(VmaId root) { return kLazyTag | idx(root); }
inline bool is_lazy_mapping(MappingWord m) { return m & kLazyTag; }

}  // namespace rmc::lazy
