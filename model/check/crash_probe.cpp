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

// `ending` names the end when the report has no line that says more: the
// signal, or the exit status (ASan and UBSan exit with status 1 by default).
std::string what_ended(const std::string& report, const std::string& ending) {
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
    if (!first_error.empty()) continue;
    // Sanitizer lines carry addresses, pids and values that differ from run
    // to run: keep where and what kind. ASan: "==pid==ERROR: AddressSanitizer:
    // KIND on address ...". UBSan: "file:line:col: runtime error: KIND: values".
    if (const size_t error = line.find("ERROR: "); error != std::string::npos) {
      first_error = line.substr(error, line.find(" on address ") - error);
    } else if (const size_t runtime = line.find("runtime error: "); runtime != std::string::npos) {
      first_error = line.substr(0, line.find(':', runtime + std::string_view("runtime error: ").size()));
    }
  }
  return first_error.empty() ? ending : first_error;
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
  if (WIFSIGNALED(status))
    return {true, what_ended(report, fmt::format("signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status))))};
  if (WEXITSTATUS(status) != 0) return {true, what_ended(report, fmt::format("exit status {}", WEXITSTATUS(status)))};
  return {};
}

ChildEnd run_differential_in_child(const Trace& trace, const std::vector<std::string>& designs) {
  return run_in_child([&] { run_differential(trace, designs); });
}

}  // namespace rmc
