// atomic_file.h - results and findings are written whole or not at all: to a
// temporary file beside the target, flushed, then renamed over it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rmc {

// Returns an error message, or nothing on success.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace rmc
