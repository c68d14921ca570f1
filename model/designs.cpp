// designs.cpp - the registry of rmap designs.
#include "model/designs.h"

#include "model/eager/eager_policy.h"

namespace rmc {

std::vector<std::string_view> design_names() { return {"eager"}; }

std::unique_ptr<RmapPolicy> make_policy(std::string_view design) {
  if (design == "eager") return std::make_unique<EagerPolicy>();
  return nullptr;
}

std::unique_ptr<World> make_world(std::string_view design, const ModelOptions& options) {
  auto policy = make_policy(design);
  if (!policy) return nullptr;
  return std::make_unique<World>(std::move(policy), options);
}

}  // namespace rmc
