// anon_vma_view.h - how the anon_vma invariants see a design that keeps
// anon_vma trees: the forest, and how to read vma->anon and folio->mapping.
//
// The eager design reads both as an anon_vma; a lazy design also has VMAs
// and folios in states the forest knows nothing about, which the view maps
// to "none" (kNoAnonVma) so the forest invariants cover the rest. Plain
// function pointers: the checks call them for every VMA and page.
#pragma once

#include "model/core/vma.h"
#include "model/eager/anon_vma_forest.h"

namespace rmc {

struct AnonVmaView {
  const AnonVmaForest& forest;
  // vma->anon_vma: the anon_vma new folios of this VMA go to and that counts
  // it in num_active_vmas; kNoAnonVma if none.
  AnonVmaId (*own)(const Vma&);
  // Whether the VMA's anon state lives in the forest (it has a chain).
  bool (*linked)(const Vma&);
  // The anon_vma folio->mapping names; kNoAnonVma if it names none.
  AnonVmaId (*mapping)(MappingWord);
};

}  // namespace rmc
