// folio.h - physical memory: struct page (one per pfn), folios, swap slots.
#pragma once

#include <array>
#include <cstdint>

#include "model/core/bounds.h"
#include "model/core/types.h"

namespace rmc {

// struct page: per physical page state. Pfn 0 is the shared zero page.
struct PageState {
  FolioId folio = kNoFolio;     // the folio this page belongs to (compound head)
  uint64_t content = 0;         // the page's bytes, as one value
  uint32_t mapcount = 0;        // PTE mappings of this page (_mapcount + 1)
  bool anon_exclusive = false;  // PageAnonExclusive
};

// An anonymous folio: 2^order physically contiguous pages.
struct Folio {
  FolioId id = kNoFolio;
  Pfn pfn{};                 // first page
  uint8_t order = 0;
  MappingWord mapping = kNoMapping;  // folio->mapping (policy-defined word)
  PageNo index = 0;          // folio->index: linear page offset of page 0
  uint32_t mapcount = 0;     // sum of the pages' mapcounts (PTE mappings)
  // PTE mappings per process: the exact form of 6.15's mm-id tracking, which
  // tells whether a large folio may be mapped by more than one mm.
  std::array<uint16_t, kMaxProcesses> mm_mapcount{};
  uint32_t pins = 0;         // transient references (migration, split)
  // FOLL_PIN references of the pin op (pin_user_pages, as io_uring's
  // registered buffers take them): one per pinned page, so that
  // folio_maybe_dma_pinned is exact (the kernel adds GUP_PIN_COUNTING_BIAS
  // to a small folio's refcount, to _pincount for a large one).
  uint32_t dma_pins = 0;
  bool in_swapcache = false;
  SwapSlotId swap = kNoSlot; // folio->swap while in the swap cache (order 0)
  // PG_mlocked left behind: MREMAP_DONTUNMAP clears VM_LOCKED on the old VMA
  // without munlocking the folios it still maps (mremap.cpp move_vma), so
  // they stay unevictable until freed. (Folios of VM_LOCKED VMAs are mlocked
  // too; the model reads that from the VMA flags.)
  bool stale_mlock = false;
  bool alive = true;         // false once freed; the slot stays

  uint32_t nr_pages() const { return 1u << order; }
  bool large() const { return order > 0; }
  uint32_t mapping_mms() const {
    uint32_t n = 0;
    for (uint16_t c : mm_mapcount) n += c != 0;
    return n;
  }
  bool maybe_dma_pinned() const { return dma_pins > 0; }
  // References other than the mappings and the swap cache.
  uint32_t extra_refs() const { return pins + dma_pins; }
  // folio_ref_count: one reference per mapping, one for the swap cache, pins.
  uint32_t refcount() const { return mapcount + (in_swapcache ? 1 : 0) + extra_refs(); }
};

// A swap slot: the written-out contents of one page.
struct SwapSlot {
  uint64_t content = 0;
  uint32_t count = 0;        // swap_map count: swap PTEs referring to it
  FolioId cache = kNoFolio;  // the folio in the swap cache for it, if any
  bool alive = true;
};

}  // namespace rmc
