// vma.h - the model's vm_area_struct.
#pragma once

#include "model/core/types.h"

namespace rmc {

struct Vma {
  VmaId id;
  ProcessId mm;         // vm_mm: the process whose address space holds it
  PageNo start = 0;     // vm_start (page)
  PageNo end = 0;       // vm_end (page, exclusive)
  PageNo pgoff = 0;     // vm_pgoff
  uint8_t prot = 0;     // VM_READ | VM_WRITE | VM_EXEC
  VmFlags flags = 0;    // the VmFlag bits
  AnonWord anon = kNoAnon;  // vma->anon_vma, interpreted by the rmap policy
  bool alive = true;    // false once freed (vm_area_free); the slot stays

  PageNo pages() const { return end - start; }
  bool contains(PageNo addr) const { return addr >= start && addr < end; }
  bool faulted() const { return anon != kNoAnon; }
};

}  // namespace rmc
