// workload.h - a memory workload: a forest of processes, each with the ops it
// runs on its own address space, and the fork tree that joins them.
//
// A workload is what `rmapcheck memory` runs through every design. It is not
// a trace: a trace names at most 8 processes (kMaxProcesses), while Android
// after boot has hundreds and the scaling benchmark a hundred thousand. A
// workload is therefore written per process, with process names that are
// local to it:
//
//   Workload
//     roots[]            independent address spaces: exec'd processes (init's
//                        daemons, the zygote), which share nothing with
//                        anybody in any design
//       ProcessPlan      ops: what this process does after it is forked and
//                        before it forks its first child (self = P0 in
//                        the ops; compose.h renames to the world's pid)
//         children[]     forked in order, each one after the previous one's
//                        whole subtree has run
//
// A parent runs no ops after its first fork: what a child inherits is then
// exactly the parent's final address space, which makes the composition
// rule of compose.h exact (its header states and the tests prove it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/core/op.h"

namespace rmc::memory {

// One process of a workload tree.
struct ProcessPlan {
  std::string name;                  // for messages ("zygote", "app 12")
  std::vector<Op> ops;               // its own ops; pid is P0 = this process
  std::vector<ProcessPlan> children; // forked in order after `ops`
};

struct Workload {
  std::string name;
  std::string description;           // one line, printed above the table
  std::vector<ProcessPlan> roots;
};

// Processes in a tree / in the workload.
uint64_t process_count(const ProcessPlan& plan);
uint64_t process_count(const Workload& workload);
// Longest root-to-leaf path, counted in processes (a lone root is 1).
uint32_t tree_depth(const ProcessPlan& plan);

// Builders for the ops of one process (pid P0; compose.h renames it).
// Addresses and lengths in pages, as in traces.
Op op_mmap(PageNo addr, PageNo len, uint8_t prot);
Op op_munmap(PageNo addr, PageNo len);
Op op_mprotect(PageNo addr, PageNo len, uint8_t prot);
Op op_write(PageNo addr, PageNo len);
// mremap(addr, len, len, new_addr, MREMAP_MAYMOVE | MREMAP_FIXED): a move.
Op op_move(PageNo addr, PageNo len, PageNo new_addr);

}  // namespace rmc::memory
