// prove_command.cpp - `rmapcheck prove` (not yet implemented).
#include <fmt/format.h>

#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

void add_prove_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("prove", "Discharge the geometry proof obligations with Z3 (not yet implemented)");
  cmd->callback([&exit_code] {
    fmt::print(stderr, "rmapcheck prove: not implemented yet\n");
    exit_code = kExitBadInput;
  });
}

}  // namespace rmc::cli
