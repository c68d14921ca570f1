// dot_graph.h - one world's anon rmap as a Graphviz graph
// (`rmapcheck replay TRACE --dot FILE [--dot-step N]`).
//
// Nodes: each process is a cluster holding its VMAs (range, prot, pgoff,
// anon state); anon_vmas (refcount, num_children, num_active_vmas); AVCs
// (small boxes between a VMA and an anon_vma: vma -> avc is the VMA's
// same_vma list, avc -> anon_vma the anon_vma's interval tree); folios
// (pfn, order, index). Edges: anon_vma -> parent (dashed) and -> root
// (dotted, when the root is not the parent); folio -> its folio->mapping
// (bold); VMA -> folio for each VMA whose page tables map the folio (grey,
// with the page count). The lazy designs add VMA -> root VMA (their lazy
// tree), TREE_PARENT VMA -> anon_vma, and zombie root VMAs (unmapped,
// kept by references) as grey boxes; base0 draws the mm a folio names;
// cowctx draws the context a folio names. `dot -Tsvg` renders it.
#pragma once

#include <string>

#include "model/core/world.h"

namespace rmc::memory {

// `title` goes into the graph's label (trace, step, op).
std::string world_dot(const World& world, const std::string& title);

}  // namespace rmc::memory
