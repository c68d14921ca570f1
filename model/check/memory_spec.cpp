// memory_spec.cpp - the content oracle's rules, op by op.
#include "model/check/memory_spec.h"

#include <algorithm>
#include <vector>

#include "model/core/world.h"

namespace rmc {

void MemorySpec::reset() {
  for (auto& p : pages_) p.clear_all();
}

void MemorySpec::write(ProcessId pid, PageNo addr, uint64_t value) {
  if (value == 0)
    pages_[idx(pid)].clear(addr);
  else
    pages_[idx(pid)].set(addr, value);
}

uint64_t MemorySpec::expected(ProcessId pid, PageNo addr) const {
  const uint64_t* value = pages_[idx(pid)].find(addr);
  return value ? *value : 0;
}

void MemorySpec::erase(ProcessId pid, PageNo start, PageNo end) { pages_[idx(pid)].erase_range(start, end); }

void MemorySpec::move(ProcessId pid, PageNo from, PageNo len, PageNo to) {
  auto& m = pages_[idx(pid)];
  auto [first, last] = m.range(from, from + len);
  std::vector<PageMap<uint64_t>::Entry> moving(first, last);
  erase(pid, from, from + len);
  for (const auto& e : moving) m.set(to + (e.page - from), e.pte);
}

void MemorySpec::move_page(ProcessId pid, PageNo from, PageNo to) {
  auto& m = pages_[idx(pid)];
  const uint64_t value = expected(pid, from);
  m.clear(from);
  m.clear(to);
  if (value) m.set(to, value);
}

void MemorySpec::apply(const Op& op, const World& before, PageNo mremap_target) {
  const ProcessId pid = op.pid;
  switch (op.kind) {
    case OpKind::kMmap:
    case OpKind::kMmapZero:
    case OpKind::kMunmap: erase(pid, op.addr, op.addr + op.len); break;
    case OpKind::kMadvise:
      if (op.advice == Advice::kDontneed) erase(pid, op.addr, op.addr + op.len);
      break;
    case OpKind::kBrk:
      if (op.addr < before.proc(pid).brk && op.addr >= before.proc(pid).start_brk)
        erase(pid, op.addr, before.proc(pid).brk);
      break;
    case OpKind::kExit:
    case OpKind::kExec: pages_[idx(pid)].clear_all(); break;  // exec: the stack's writes come after
    case OpKind::kFork: {
      auto& child = pages_[idx(op.child)];
      child.clear_all();
      for (VmaId id : before.proc(pid).vmas) {
        const Vma& v = before.vma(id);
        if (v.flags & (kVmDontcopy | kVmWipeonfork)) continue;
        auto [first, last] = pages_[idx(pid)].range(v.start, v.end);
        for (auto* e = first; e != last; ++e) child.append(e->page, e->pte);
      }
      break;
    }
    case OpKind::kMremap: {
      const bool fixed = op.flags & kMremapFixed;
      const bool dontunmap = op.flags & kMremapDontunmap;
      if (fixed && op.len == op.new_len) {
        // remap_move (6.17+): each VMA piece moves on its own; only the
        // destinations of the pieces are unmapped, not the gaps between.
        const PageNo end = op.addr + op.len;
        for (VmaId id = before.vma_lookup(pid, op.addr); id != kNoVma && before.vma(id).start < end;
             id = before.vma_next(id)) {
          const PageNo start = std::max(op.addr, before.vma(id).start);
          const PageNo len = std::min(end, before.vma(id).end) - start;
          const PageNo dest = op.new_addr + (start - op.addr);
          erase(pid, dest, dest + len);
          move(pid, start, len, dest);
        }
      } else if (!fixed && !dontunmap) {
        if (op.new_len < op.len) {
          erase(pid, op.addr + op.new_len, op.addr + op.len);
        } else if (op.new_len > op.len && mremap_target != kArenaPages) {
          move(pid, op.addr, op.len, mremap_target);
        }
      } else {
        PageNo target = fixed ? op.new_addr : mremap_target;
        if (fixed) erase(pid, op.new_addr, op.new_addr + op.new_len);
        PageNo kept = op.len;
        if (op.new_len < op.len) {
          erase(pid, op.addr + op.new_len, op.addr + op.len);
          kept = op.new_len;
        }
        move(pid, op.addr, kept, target);
      }
      break;
    }
    default: break;  // reads, writes (recorded by write()), mprotect, pageout, ...
  }
}

}  // namespace rmc
