// rmapcheck - a model checker and differential fuzzer for Linux anonymous
// reverse mapping (anon_vma, anon_vma_chain, folio->mapping).
//
//   rmapcheck replay TRACE [--json FILE] [--quiet]   run a trace, print every step
//   rmapcheck judge TRACE...                         check each trace's EXPECT verdict
//   rmapcheck random --seed S --steps N              generate and run a random trace
//   rmapcheck run                                    the main job (tools/run)
//   rmapcheck fmt TRACE... [--check]                 print traces in canonical form
//   rmapcheck memory --workload NAME | --snapshot    objects and KB of every design
//
// Exit status: 0 pass, 1 a check failed, 2 bad input (file:line: message).
// README.md is the manual; docs/trace-format.md the trace grammar.
#include <fmt/format.h>

#include "tools/rmapcheck/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rmapcheck: model checker for Linux anonymous reverse mapping"};
  app.require_subcommand(1);
  int exit_code = rmc::cli::kExitPass;
  rmc::cli::add_replay_command(app, exit_code);
  rmc::cli::add_judge_command(app, exit_code);
  rmc::cli::add_random_command(app, exit_code);
  rmc::cli::add_run_command(app, exit_code);
  rmc::cli::add_fmt_command(app, exit_code);
  rmc::cli::add_fuzz_command(app, exit_code);
  rmc::cli::add_shrink_command(app, exit_code);
  rmc::cli::add_memory_command(app, exit_code);
#ifdef RMC_HAVE_KERNEL
  rmc::cli::add_kernel_commands(app, exit_code);
#endif
#ifdef RMC_HAVE_PROOFS
  rmc::cli::add_prove_command(app, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : rmc::cli::kExitBadInput;
  }
  return exit_code;
}
