// kernel_commands.cpp - `rmapcheck kernel` and `rmapcheck kernel-fuzz` (not
// yet implemented).
#include <fmt/format.h>

#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

void add_kernel_commands(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("kernel", "Run a trace on the live kernel and compare with the eager model (not yet implemented)");
  cmd->callback([&exit_code] {
    fmt::print(stderr, "rmapcheck kernel: not implemented yet\n");
    exit_code = kExitBadInput;
  });
}

}  // namespace rmc::cli
