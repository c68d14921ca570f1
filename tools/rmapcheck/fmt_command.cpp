// fmt_command.cpp - `rmapcheck fmt`: print a trace in canonical form (what
// print(parse(t)) gives); with --check, exit 1 if the file is not canonical.
#include <fmt/format.h>

#include <variant>

#include "model/core/trace.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

int format_trace(const std::vector<std::string>& paths, bool check) {
  int status = kExitPass;
  for (const std::string& path : paths) {
    auto bytes = read_input_file(path);
    if (auto* error = std::get_if<TraceError>(&bytes)) {
      fmt::print(stderr, "{}\n", error->str());
      return kExitBadInput;
    }
    const std::string& text = std::get<std::string>(bytes);
    ParseResult parsed = parse_trace(text, path);
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      fmt::print(stderr, "{}\n", error->str());
      return kExitBadInput;
    }
    const std::string canonical = print_trace(std::get<Trace>(parsed));
    if (!check) {
      fmt::print("{}", canonical);
    } else if (canonical != text) {
      fmt::print("{}: not in canonical form (see rmapcheck fmt {})\n", path, path);
      status = kExitCheckFailed;
    }
  }
  return status;
}

}  // namespace

void add_fmt_command(CLI::App& app, int& exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto check = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("fmt", "Print traces in canonical form");
  cmd->add_option("traces", *paths, "Trace files")->required();
  cmd->add_flag("--check", *check, "Only check: exit 1 if a file is not canonical");
  cmd->callback([paths, check, &exit_code] { exit_code = format_trace(*paths, *check); });
}

}  // namespace rmc::cli
