// crash_probe.cpp - see crash_probe.h.
#include "model/check/crash_probe.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

#include "model/check/differential.h"

namespace rmc {

namespace {

// Bytes of the child's stderr kept: the assertion's line comes first.
constexpr size_t kMaxReport = 64 * 1024;

std::string what_killed(const std::string& report, int signal) {
  std::istringstream lines(report);
  std::string first_error;
  for (std::string line; std::getline(lines, line);) {
    const size_t assertion = line.find("Assertion `");
    if (assertion != std::string::npos) {
      // "program: file:line: function: Assertion `...' failed.": drop the
      // program's name, which differs between the binaries that run it.
      const size_t colon = line.find(": ");
      return colon != std::string::npos && colon < assertion ? line.substr(colon + 2) : line;
    }
    if (first_error.empty() && (line.find("ERROR: ") != std::string::npos || line.find("runtime error: ") != std::string::npos))
      first_error = line.substr(line.find("ERROR: ") != std::string::npos ? line.find("ERROR: ") : line.find("runtime error: "));
  }
  if (!first_error.empty()) {
    // Sanitizer lines carry addresses and pids that differ run to run.
    const size_t at = first_error.find(" on address ");
    return at == std::string::npos ? first_error : first_error.substr(0, at);
  }
  return fmt::format("signal {} ({})", signal, strsignal(signal));
}

}  // namespace

ChildEnd run_in_child(const std::function<void()>& body, int timeout_seconds) {
  int fds[2];
  if (pipe(fds) != 0) return {true, "pipe failed"};
  const pid_t pid = ::fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return {true, "fork failed"};
  }
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
    body();
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd probe{fds[0], POLLIN, 0};
    if (poll(&probe, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // the child closed stderr: it has ended
    if (report.size() < kMaxReport) report.append(chunk, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) return {true, fmt::format("timeout: still running after {} s", timeout_seconds)};
  if (WIFSIGNALED(status)) return {true, what_killed(report, WTERMSIG(status))};
  if (WEXITSTATUS(status) != 0) return {true, fmt::format("exit status {}", WEXITSTATUS(status))};
  return {};
}

ChildEnd run_differential_in_child(const Trace& trace, const std::vector<std::string>& designs) {
  return run_in_child([&] { run_differential(trace, designs); });
}

}  // namespace rmc
