// designs.cpp - the registry of rmap designs.
#include "model/designs.h"

#include <algorithm>

#include "model/eager/eager_policy.h"
#include "model/cowctx/cow_context_policy.h"
#include "model/lazy/lazy_policy.h"

namespace rmc {

std::vector<std::string_view> design_names() { return {"eager", "lazy", "lazy-gki", "base0", "cowctx"}; }

std::unique_ptr<RmapPolicy> make_policy(std::string_view design) {
  if (design == "eager") return std::make_unique<EagerPolicy>();
  if (design == "lazy") return std::make_unique<LazyPolicy>(LazyPolicy::Flavor::kSeries);
  if (design == "lazy-gki") return std::make_unique<LazyPolicy>(LazyPolicy::Flavor::kGki);
  if (design == "base0") return std::make_unique<LazyPolicy>(LazyPolicy::Flavor::kBase0);
  if (design == "cowctx") return std::make_unique<CowContextPolicy>();
  return nullptr;
}

std::unique_ptr<World> make_world(std::string_view design, const ModelOptions& options) {
  ModelOptions with_bugs = options;
  const size_t plus = design.find('+');
  std::string_view base = design.substr(0, plus);
  for (size_t at = plus; at != std::string_view::npos;) {
    const size_t next = design.find('+', at + 1);
    auto bug = bug_from_name(design.substr(at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1));
    if (!bug) return nullptr;
    with_bugs.set_bug(*bug);
    at = next;
  }
  auto policy = make_policy(base);
  if (!policy) return nullptr;
  return std::make_unique<World>(std::move(policy), with_bugs);
}

bool valid_design(std::string_view design) { return make_world(design, ModelOptions{}) != nullptr; }

std::vector<std::string> designs_judged_besides_eager(const Trace& trace) {
  std::vector<std::string> designs;
  for (std::string_view d : design_names()) designs.emplace_back(d);
  for (const auto& [design, verdict] : trace.expected_for)
    if (std::find(designs.begin(), designs.end(), design) == designs.end()) designs.push_back(design);
  std::erase_if(designs, [&](const std::string& d) { return d == "eager" || !trace.expectation(d); });
  return designs;
}

}  // namespace rmc
