// coverage.cpp - the names of the paths of coverage.h.
#include "model/core/coverage.h"

#include <cassert>

namespace rmc {

namespace {

struct PathText {
  std::string_view name;
  std::string_view what;
};

constexpr PathText kPaths[] = {
#define RMC_COVERAGE_TEXT(id, name, what) {name, what},
    RMC_COVERAGE_PATHS(RMC_COVERAGE_TEXT)
#undef RMC_COVERAGE_TEXT
};
static_assert(std::size(kPaths) == kPathCount);

}  // namespace

std::string_view path_name(Path path) {
  assert(static_cast<size_t>(path) < kPathCount);
  return kPaths[static_cast<size_t>(path)].name;
}

std::string_view path_description(Path path) {
  assert(static_cast<size_t>(path) < kPathCount);
  return kPaths[static_cast<size_t>(path)].what;
}

std::string paths_never_taken(const Coverage& coverage) {
  std::string names;
  for (size_t i = 0; i < kPathCount; i++)
    if (!coverage.hits(static_cast<Path>(i))) (names += names.empty() ? "" : " ") += path_name(static_cast<Path>(i));
  return names.empty() ? "none" : names;
}

}  // namespace rmc
