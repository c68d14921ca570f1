// workload.cpp - sizes of workload trees and op builders.
#include "memory/workload.h"

#include <algorithm>

namespace rmc::memory {

uint64_t process_count(const ProcessPlan& plan) {
  uint64_t n = 1;
  for (const ProcessPlan& child : plan.children) n += process_count(child);
  return n;
}

uint64_t process_count(const Workload& workload) {
  uint64_t n = 0;
  for (const ProcessPlan& root : workload.roots) n += process_count(root);
  return n;
}

uint32_t tree_depth(const ProcessPlan& plan) {
  uint32_t deepest = 0;
  for (const ProcessPlan& child : plan.children) deepest = std::max(deepest, tree_depth(child));
  return deepest + 1;
}

namespace {

// An op of P0 over [addr, addr + len).
Op range_op(OpKind kind, PageNo addr, PageNo len, uint8_t prot = 0) {
  Op op;
  op.kind = kind;
  op.addr = addr;
  op.len = len;
  op.prot = prot;
  return op;
}

}  // namespace

Op op_mmap(PageNo addr, PageNo len, uint8_t prot) { return range_op(OpKind::kMmap, addr, len, prot); }
Op op_munmap(PageNo addr, PageNo len) { return range_op(OpKind::kMunmap, addr, len); }
Op op_mprotect(PageNo addr, PageNo len, uint8_t prot) { return range_op(OpKind::kMprotect, addr, len, prot); }
Op op_write(PageNo addr, PageNo len) { return range_op(OpKind::kWrite, addr, len); }

Op op_move(PageNo addr, PageNo len, PageNo new_addr) {
  Op op = range_op(OpKind::kMremap, addr, len);
  op.new_len = len;
  op.new_addr = new_addr;
  op.flags = kMremapMaymove | kMremapFixed;
  return op;
}

}  // namespace rmc::memory
