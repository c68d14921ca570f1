// subprocess.h - run a program and collect what it prints.
//
// Used to ask the cvc5 binary for its verdicts: the child gets no stdin,
// its stdout and stderr are read to the end, and its exit status (or the
// signal that killed it) and the CPU time it used are returned. No shell is
// involved.
#pragma once

#include <string>
#include <vector>

namespace rmc::proofs {

struct ProgramResult {
  bool started = false;  // false: the program could not be run (not found, ...)
  int exit_status = -1;  // exit code, or 128 + signal number
  double cpu_ms = 0;     // user + system CPU time of the child (wait4's rusage)
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH.
ProgramResult run_program(const std::vector<std::string>& argv);

}  // namespace rmc::proofs
