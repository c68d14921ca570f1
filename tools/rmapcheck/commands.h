// commands.h - the subcommands of the rmapcheck command line.
#pragma once

#include <CLI/CLI.hpp>

namespace rmc::cli {

// Exit codes, the same for every subcommand.
inline constexpr int kExitPass = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;

void add_replay_command(CLI::App& app, int& exit_code);
void add_judge_command(CLI::App& app, int& exit_code);
void add_random_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_fmt_command(CLI::App& app, int& exit_code);
void add_fuzz_command(CLI::App& app, int& exit_code);
void add_shrink_command(CLI::App& app, int& exit_code);
// memory_command.cpp: memory (the memory table, --snapshot, --plot).
void add_memory_command(CLI::App& app, int& exit_code);
// kernel/kernel_commands.cpp: kernel, kernel-fuzz.
void add_kernel_commands(CLI::App& app, int& exit_code);
// proofs/prove_command.cpp: prove.
void add_prove_command(CLI::App& app, int& exit_code);

}  // namespace rmc::cli
