// geometry.h - the address arithmetic of anonymous rmap, written once.
//
// Every formula the models rely on to turn a folio's index into an address
// (and back) lives here, as a template over the word type W, in page units
// (addresses are page numbers, so no PAGE_SHIFT appears). The models
// instantiate it with uint64_t; proofs/ instantiates it with z3::expr over
// 64-bit bit-vectors, so a proof talks about the code that runs.
//
// Rules for this file, so that both instantiations compile and mean the same:
//  - only +, -, == and the unsigned comparisons ult/ule (found by ADL for
//    z3::expr, defined below for uint64_t); no <, no >>, no division;
//  - arithmetic wraps modulo 2^64 as in the kernel (unsigned long).
#pragma once

#include <cstdint>

namespace rmc::geom {

inline bool ult(uint64_t a, uint64_t b) { return a < b; }
inline bool ule(uint64_t a, uint64_t b) { return a <= b; }

// vma_mapping_base(vma) = vm_start - vm_pgoff * PAGE_SIZE, the (virtual)
// address page offset 0 would have in this VMA. The lazy series' invariant.
template <class W>
W mapping_base(const W& start, const W& pgoff) {
  return start - pgoff;
}

// pgoff of a new private anonymous VMA at `addr` (do_mmap: addr >> PAGE_SHIFT).
template <class W>
W new_anon_pgoff(const W& addr) {
  return addr;
}

// linear_page_index(vma, addr): the page offset a folio created at `addr`
// gets as folio->index.
template <class W>
W linear_page_index(const W& start, const W& pgoff, const W& addr) {
  return pgoff + (addr - start);
}

// vma_address(vma, index) before the range check: where page offset `index`
// sits in this VMA.
template <class W>
W page_address(const W& start, const W& pgoff, const W& index) {
  return start + (index - pgoff);
}

// Is `addr` inside [start, end)? (Unsigned, wrap-safe: addr - start < len.)
template <class W>
auto address_in_range(const W& start, const W& end, const W& addr) {
  return ult(addr - start, end - start);
}

// __split_vma at `at`: the upper piece [at, end) gets this pgoff; the lower
// piece keeps the original pgoff.
template <class W>
W split_upper_pgoff(const W& start, const W& pgoff, const W& at) {
  return pgoff + (at - start);
}

// Merge contiguity (can_vma_merge_after / _before): a range with pgoff
// `next_pgoff` may follow `prev` only if the linear offsets continue.
template <class W>
auto pgoff_continues(const W& prev_start, const W& prev_end, const W& prev_pgoff,
                     const W& next_pgoff) {
  return prev_pgoff + (prev_end - prev_start) == next_pgoff;
}

// pgoff a VMA growing down over [new_start, start) gets: the range is
// prepended, so the offsets of existing pages do not move.
template <class W>
W merge_down_pgoff(const W& start, const W& pgoff, const W& new_start) {
  return pgoff - (start - new_start);
}

// copy_vma (mremap move) of a faulted VMA: the moved range keeps its old
// linear pgoff, so folio->index stays valid without touching folios.
template <class W>
W mremap_pgoff_faulted(const W& start, const W& pgoff, const W& old_addr) {
  return pgoff + (old_addr - start);
}

// copy_vma of an unfaulted anonymous VMA: pgoff is reset to the new address,
// as if it had been mmap()ed there (helps it merge).
template <class W>
W mremap_pgoff_unfaulted(const W& new_addr) {
  return new_addr;
}

// expand_downwards by `grow` pages: allowed only if grow <= pgoff (the
// kernel refuses to wrap vm_pgoff); the new pgoff keeps the base.
template <class W>
auto stack_growth_allowed(const W& pgoff, const W& grow) {
  return ule(grow, pgoff);
}
template <class W>
W stack_growth_pgoff(const W& pgoff, const W& grow) {
  return pgoff - grow;
}

// relocate_vma_down (exec): the stack moves down by `shift` pages and keeps
// its pgoff, so its base moves by -shift.
template <class W>
W relocated_start(const W& start, const W& shift) {
  return start - shift;
}

// The lazy series' rmap address: base(root) + folio->index.
template <class W>
W lazy_root_address(const W& root_start, const W& root_pgoff, const W& index) {
  return mapping_base(root_start, root_pgoff) + index;
}

// The base==0 variant: folio->index is the virtual page itself.
template <class W>
W base0_address(const W& index) {
  return index;
}

// The lazy walk's acceptance test (lazy-design.md 1.2, step 3): the VMA found
// at the address the root computes is used only if it covers that address
// and has the root's base. (The design also requires the VMA to be in the
// root's tree; that is the policy's business, not arithmetic.)
template <class W>
auto lazy_walk_accepts(const W& vma_start, const W& vma_end, const W& vma_pgoff,
                       const W& root_start, const W& root_pgoff, const W& index) {
  return address_in_range(vma_start, vma_end, lazy_root_address(root_start, root_pgoff, index)) &&
         mapping_base(vma_start, vma_pgoff) == mapping_base(root_start, root_pgoff);
}

// The base==0 variant's acceptance test: the VMA covers the folio's virtual
// page and its base is 0 (lazy-design.md 2(c)).
template <class W>
auto base0_walk_accepts(const W& vma_start, const W& vma_end, const W& vma_pgoff,
                        const W& index) {
  return address_in_range(vma_start, vma_end, base0_address(index)) &&
         mapping_base(vma_start, vma_pgoff) == 0;
}

// vma_last_pgoff(vma): the last page offset a VMA maps, the upper end of its
// interval-tree key. do_mmap refuses (EOVERFLOW) a range whose pgoff + pages
// would wrap, so in the kernel this never wraps below pgoff.
template <class W>
W vma_last_pgoff(const W& start, const W& end, const W& pgoff) {
  return pgoff + (end - start) - 1;
}

// The last page offset of a folio of `nr` pages: folio->index + nr - 1, the
// upper end of the eager walk's query.
template <class W>
W folio_last_index(const W& index, const W& nr) {
  return index + nr - 1;
}

// The eager interval-tree query: does a VMA keyed [pgoff, pgoff + pages - 1]
// overlap the folio's [first, last] page offsets?
template <class W>
auto interval_overlaps(const W& vma_first, const W& vma_last, const W& first,
                       const W& last) {
  return ule(vma_first, last) && ule(first, vma_last);
}

}  // namespace rmc::geom
