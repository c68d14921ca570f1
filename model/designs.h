// designs.h - the rmap designs rmapcheck can run, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/core/options.h"
#include "model/core/trace.h"
#include "model/core/world.h"

namespace rmc {

// "eager" (Linux 6.18 anon_vma), "lazy" (the ANON_VMA_LAZY series),
// "lazy-gki" (its reduced GKI version), "base0" (the base==0 variant),
// "cowctx" (Lorenzo Stoakes' COW-context design).
std::vector<std::string_view> design_names();
// nullptr for an unknown name.
std::unique_ptr<RmapPolicy> make_policy(std::string_view design);
// A design name may carry bug options: "eager+B12+B16" is the eager design
// with those historical bugs (for a differential run against plain eager).
// nullptr for an unknown name or bug.
std::unique_ptr<World> make_world(std::string_view design, const ModelOptions& options);
bool valid_design(std::string_view design);
// The designs other than eager a corpus trace is judged on: every design,
// then any other the trace names in an # EXPECT[design]: line (eager+bug
// designs), each only if the trace has a verdict for it (its own line or
// the common one). ctest's corpus tests and `rmapcheck run` use the same list.
std::vector<std::string> designs_judged_besides_eager(const Trace& trace);

}  // namespace rmc
