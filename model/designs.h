// designs.h - the rmap designs rmapcheck can run, by name.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "model/core/options.h"
#include "model/core/world.h"

namespace rmc {

// "eager" (Linux 6.18 anon_vma). Later designs register here too.
std::vector<std::string_view> design_names();
// nullptr for an unknown name.
std::unique_ptr<RmapPolicy> make_policy(std::string_view design);
std::unique_ptr<World> make_world(std::string_view design, const ModelOptions& options);

}  // namespace rmc
