// kernel_expect.h - a trace's expectation lines, judged on what the kernel
// showed.
//
//   expect vmas       extents and protections, from /proc/PID/maps. The
//                     :faulted / :unfaulted attributes (vma->anon_vma) are
//                     not visible from user space: not judged here.
//   expect same / different   PFN equality (zero-page PTEs are one page)
//   expect state      present / zero / swapped / none, from pagemap
//   expect delta, count       vma, anon_vma and avc from the slab counts
//                     (minus what the workers themselves cost); folio is not
//                     observable (no per-process folio count): not judged.
// Each entry that cannot be judged is named in `not_judged`, once per kind.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "kernel/observation.h"
#include "model/core/op.h"

namespace rmc::kernel {

class KernelExpectations {
 public:
  // The failure message, or nothing when the expectation holds (or has
  // nothing the kernel can show).
  std::optional<std::string> judge(const Expect& expect, const Observation& kernel);
  const std::set<std::string>& not_judged() const { return not_judged_; }

 private:
  ArenaCounts delta_base_;  // the arena starts empty
  std::set<std::string> not_judged_;
};

}  // namespace rmc::kernel
