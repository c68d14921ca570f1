// exec.cpp - execve(2) as far as anonymous rmap sees it (fs/exec.c,
// mm/vma_exec.c): a new mm whose first VMA is the stack, argv and envp
// copied into it, and the stack moved down to where the binary wants it.
//
// The op runs in three steps (op_semantics.cpp): exec_new_mm, one write
// fault per page (copy_strings: get_user_pages with FOLL_WRITE), then
// exec_relocate_stack. What it leaves out: the binary's own mappings, the
// 128 KiB stack_expand of setup_arg_pages, and the temporary-stack flag that
// keeps migration away during the move (the model's ops never interleave).
#include <cassert>

#include "model/core/geometry.h"
#include "model/core/world.h"

namespace rmc {

// exec_mmap: the old mm goes as at exit (its folios, anon_vmas and lazy
// roots with it) and the process gets an empty one, heap reset.
// create_init_stack_vma + insert_vm_struct: the stack, VM_STACK_FLAGS, with
// vm_pgoff = vm_start as for any new anonymous VMA, so its base is 0.
// copy_strings grows it down page by page (expand_downwards keeps the base),
// so it is created here at its final size. do_close_on_exec then closes the
// io_uring ring (O_CLOEXEC), which unpins its buffers.
void World::exec_new_mm(ProcessId pid, PageNo addr, PageNo len) {
  cover(Path::kExecNewMm);
  exit_mmap(pid);
  unpin_all(pid);
  Process& p = proc(pid);
  p.mm_generation++;
  p.start_brk = kDefaultStartBrk;
  p.brk = kDefaultStartBrk;
  VmaId stack = vma_alloc(pid, addr, addr + len, geom::new_anon_pgoff(addr), kProtRead | kProtWrite,
                          kVmGrowsdown | kVmAccount);
  vma_link(stack);
}

// relocate_vma_down: vma_expand over [new_start, old_end), move_page_tables
// from old_start to new_start, then vma_shrink to [new_start, new_end).
// vm_pgoff is never touched, so the base drops by `shift` while every
// folio's index stays right: eager finds the pages through the interval tree
// re-keyed by the range updates; a lazy stack is its own root, and its base
// is recomputed from the moved struct (lazy-design.md 1.3). base0 must leave
// lazy mode first (before_relocate).
void World::exec_relocate_stack(ProcessId pid, PageNo addr, PageNo shift) {
  const VmaId stack = vma_lookup(pid, addr);
  assert(stack != kNoVma && vma(stack).start == addr && vma(stack).flags & kVmGrowsdown);
  assert(shift <= addr);
  const PageNo old_start = vma(stack).start, old_end = vma(stack).end, pgoff = vma(stack).pgoff;
  const PageNo new_start = geom::relocated_start(old_start, shift), new_end = geom::relocated_start(old_end, shift);
  cover(Path::kExecRelocateStack);
  policy().before_relocate(*this, stack);
  vma_set_range(stack, new_start, old_end, pgoff);
  move_page_tables(stack, old_start, stack, new_start, old_end - old_start);
  vma_set_range(stack, new_start, new_end, pgoff);
}

}  // namespace rmc
