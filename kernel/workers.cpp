// workers.cpp - starting, commanding, and always reaping the worker processes.
#include "kernel/workers.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/cleanup.h"
#include "model/core/op_table.h"

namespace rmc::kernel {

namespace {

// Worker-end descriptors are parked at or above this number before the
// spawn, so that no dup2 of the spawn can overwrite a later source.
constexpr int kParkedFdBase = 64;
// Bounded wait for a killed worker to be reaped.
constexpr int kReapMs = 5000;

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// /dev/zero for mmap_zero, parked like the pipes' worker ends. One open for
// the whole run: every worker then maps the same struct file, as the model's
// one /dev/zero file assumes (VMAs of two opens would never merge).
// Read-only is enough: a MAP_PRIVATE mapping needs FMODE_READ only, even
// with PROT_WRITE.
int open_dev_zero_parked() {
  int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("/dev/zero: {}", strerror(errno)));
  int parked = fcntl(fd, F_DUPFD_CLOEXEC, kParkedFdBase);
  int err = errno;
  close(fd);
  if (parked < 0) throw KernelError(fmt::format("fcntl(F_DUPFD_CLOEXEC): {}", strerror(err)));
  return parked;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("ended with wait status {:#x}", status);
}

const char* startup_step_name(uint64_t step) {
  switch (step) {
    case RMC_STARTUP_ARGS: return "bad arguments";
    case RMC_STARTUP_PDEATHSIG: return "prctl(PR_SET_PDEATHSIG)";
    case RMC_STARTUP_PARENT_GONE: return "its parent is not rmapcheck";
    case RMC_STARTUP_AFFINITY: return "sched_setaffinity";
    case RMC_STARTUP_THP_DISABLE: return "prctl(PR_SET_THP_DISABLE)";
    case RMC_STARTUP_BRK: return "prctl(PR_SET_MM, PR_SET_MM_MAP) moving the heap into the arena";
    case RMC_STARTUP_RLIMIT_STACK: return "prlimit(RLIMIT_STACK)";
  }
  return "an unknown step";
}

int64_t remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return std::max<int64_t>(0, left.count());
}

}  // namespace

Workers::Workers(const WorkerConfig& config) : config_(config) {
  install_cleanup_handlers();
  signal(SIGPIPE, SIG_IGN);  // a dead worker is reported, not a signal
  try {
    start_first_worker();
  } catch (...) {
    release();  // the destructor does not run for a half-made object
    throw;
  }
}

void Workers::start_first_worker() {
  // Pipes for every process the trace may create. The controller keeps
  // its ends (close-on-exec); the worker ends are parked at high numbers,
  // handed to P0 at their fixed numbers, and closed here after the spawn.
  std::array<int, RMC_MAX_WORKERS> cmd_worker, reply_worker;
  cmd_worker.fill(-1);
  reply_worker.fill(-1);
  const int dev_zero = open_dev_zero_parked();
  auto close_worker_ends = [&] {
    for (int fd : cmd_worker)
      if (fd >= 0) close(fd);
    for (int fd : reply_worker)
      if (fd >= 0) close(fd);
    close(dev_zero);
  };
  for (int k = 0; k < RMC_MAX_WORKERS; k++) {
    int cmd[2], rep[2];
    if (pipe2(cmd, O_CLOEXEC) != 0) {
      close_worker_ends();
      throw KernelError(fmt::format("pipe2: {}", strerror(errno)));
    }
    if (pipe2(rep, O_CLOEXEC) != 0) {
      close(cmd[0]);
      close(cmd[1]);
      close_worker_ends();
      throw KernelError(fmt::format("pipe2: {}", strerror(errno)));
    }
    procs_[k].cmd = cmd[1];
    procs_[k].reply = rep[0];
    cmd_worker[k] = fcntl(cmd[0], F_DUPFD_CLOEXEC, kParkedFdBase);
    reply_worker[k] = fcntl(rep[1], F_DUPFD_CLOEXEC, kParkedFdBase);
    close(cmd[0]);
    close(rep[1]);
    if (cmd_worker[k] < 0 || reply_worker[k] < 0) {
      close_worker_ends();
      throw KernelError(fmt::format("fcntl(F_DUPFD_CLOEXEC): {}", strerror(errno)));
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int k = 0; k < RMC_MAX_WORKERS; k++) {
    posix_spawn_file_actions_adddup2(&actions, cmd_worker[k], RMC_CMD_FD(k));
    posix_spawn_file_actions_adddup2(&actions, reply_worker[k], RMC_REPLY_FD(k));
  }
  posix_spawn_file_actions_adddup2(&actions, dev_zero, RMC_DEV_ZERO_FD);
  posix_spawn_file_actions_addclosefrom_np(&actions, RMC_DEV_ZERO_FD + 1);
  const std::string args[] = {config_.worker_path,
                              std::to_string(config_.cpu),
                              config_.thp ? "1" : "0",
                              std::to_string(config_.arena_base),
                              std::to_string(config_.start_brk),
                              std::to_string(getpid())};
  char* argv[std::size(args) + 1];
  for (size_t i = 0; i < std::size(args); i++) argv[i] = const_cast<char*>(args[i].c_str());
  argv[std::size(args)] = nullptr;
  char* envp[] = {nullptr};
  pid_t pid = 0;
  int err = posix_spawn(&pid, config_.worker_path.c_str(), &actions, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  close_worker_ends();
  if (err != 0) throw KernelError(fmt::format("cannot start the worker {}: {}", config_.worker_path, strerror(err)));
  adopt(ProcessId{0}, pid);
  rmc_reply ready = receive(ProcessId{0}, "start-up");
  if (ready.result != pid)
    throw KernelError(fmt::format("P0 (pid {}) failed at start-up: {}: {}", pid, startup_step_name(ready.count),
                                  ready.result < 0 ? strerror(static_cast<int>(-ready.result)) : "failed"));
}

Workers::~Workers() { release(); }

void Workers::release() {
  kill_all();
  for (Proc& proc : procs_) {
    if (proc.cmd >= 0) close(proc.cmd);
    if (proc.reply >= 0) close(proc.reply);
    proc.cmd = proc.reply = -1;
  }
}

std::string Workers::name(ProcessId p) const {
  return fmt::format("{} (pid {})", process_name(p), procs_[idx(p)].pid);
}

void Workers::adopt(ProcessId p, pid_t pid) {
  Proc& proc = procs_[idx(p)];
  proc.pid = pid;
  cleanup_add_pid(pid);
  proc.pidfd = pidfd_open(pid);
  if (proc.pidfd < 0) {
    std::string why = fmt::format("pidfd_open({}): {}", pid, strerror(errno));
    kill_all();
    throw KernelError(why);
  }
}

void Workers::reap(ProcessId p) {
  Proc& proc = procs_[idx(p)];
  if (proc.pid <= 0) return;
  // The pidfd turns readable when the process has exited; then reap it.
  if (proc.pidfd >= 0) {
    pollfd fd = {proc.pidfd, POLLIN, 0};
    int ready;
    do ready = poll(&fd, 1, kReapMs);
    while (ready < 0 && errno == EINTR);
  }
  waitpid(proc.pid, nullptr, WNOHANG);
  cleanup_remove_pid(proc.pid);
  if (proc.pidfd >= 0) close(proc.pidfd);
  proc.pid = 0;
  proc.pidfd = -1;
}

void Workers::kill_all() {
  for (Proc& proc : procs_)
    if (proc.pid > 0) ::kill(proc.pid, SIGKILL);
  for (int k = 0; k < RMC_MAX_WORKERS; k++) reap(ProcessId{static_cast<uint8_t>(k)});
}

void Workers::died(ProcessId p, const char* what) {
  Proc& proc = procs_[idx(p)];
  int status = 0;
  std::string how = "is gone";
  if (waitpid(proc.pid, &status, WNOHANG) == proc.pid) {
    how = describe_status(status);
    cleanup_remove_pid(proc.pid);
    close(proc.pidfd);
    proc.pid = 0;
    proc.pidfd = -1;
  }
  std::string message = fmt::format("worker {} {} during {}", name(p), how, what);
  kill_all();
  throw KernelError(message);
}

void Workers::send(ProcessId p, const rmc_command& command) {
  const Proc& proc = procs_[idx(p)];
  if (proc.pid <= 0) throw KernelError(fmt::format("{} has no worker", process_name(p)));
  // 64 bytes < PIPE_BUF: one atomic write into an empty pipe.
  ssize_t n;
  do n = ::write(proc.cmd, &command, sizeof command);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof command)) died(p, "a command");
}

void Workers::receive_bytes(ProcessId p, void* buf, size_t len, const char* what) {
  Proc& proc = procs_[idx(p)];
  auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  char* out = static_cast<char*>(buf);
  while (len > 0) {
    pollfd fds[2] = {{proc.reply, POLLIN, 0}, {proc.pidfd, POLLIN, 0}};
    int ready = poll(fds, 2, static_cast<int>(remaining_ms(deadline)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw KernelError(fmt::format("poll: {}", strerror(errno)));
    if (ready == 0) {
      std::string message = fmt::format("worker {} did not answer within {} ms during {}", name(p),
                                        config_.timeout.count(), what);
      kill_all();
      throw KernelError(message);
    }
    if (fds[0].revents & POLLIN) {
      ssize_t n = ::read(proc.reply, out, len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) died(p, what);
      out += n;
      len -= static_cast<size_t>(n);
      continue;
    }
    died(p, what);  // the pidfd is readable and nothing came: it exited
  }
}

rmc_reply Workers::receive(ProcessId p, const char* what) {
  rmc_reply reply{};
  receive_bytes(p, &reply, sizeof reply, what);
  return reply;
}

int64_t Workers::syscall(ProcessId p, long nr, const std::array<uint64_t, 6>& args) {
  rmc_command c{};
  c.kind = RMC_SYSCALL;
  c.arg[0] = static_cast<uint64_t>(nr);
  for (size_t i = 0; i < args.size(); i++) c.arg[i + 1] = args[i];
  send(p, c);
  return receive(p, "a system call").result;
}

std::vector<uint64_t> Workers::read(ProcessId p, uint64_t addr, uint64_t pages) {
  if (pages > RMC_MAX_READ_PAGES) throw KernelError(fmt::format("read of {} pages (at most {})", pages, RMC_MAX_READ_PAGES));
  rmc_command c{};
  c.kind = RMC_READ;
  c.arg[0] = addr;
  c.arg[1] = pages;
  send(p, c);
  rmc_reply reply = receive(p, "a read");
  if (reply.count != pages) throw KernelError(fmt::format("worker {} read {} of {} pages", name(p), reply.count, pages));
  std::vector<uint64_t> values(pages);
  receive_bytes(p, values.data(), pages * sizeof(uint64_t), "a read");
  return values;
}

void Workers::write(ProcessId p, uint64_t addr, uint64_t pages, uint64_t first_value) {
  rmc_command c{};
  c.kind = RMC_WRITE;
  c.arg[0] = addr;
  c.arg[1] = pages;
  c.arg[2] = first_value;
  send(p, c);
  receive(p, "a write");
}

int64_t Workers::move_pages(ProcessId p, uint64_t addr, uint64_t pages, int node) {
  rmc_command c{};
  c.kind = RMC_MOVE_PAGES;
  c.arg[0] = addr;
  c.arg[1] = pages;
  c.arg[2] = static_cast<uint64_t>(node);
  send(p, c);
  return receive(p, "move_pages").result;
}

rmc_reply Workers::uffd_move(ProcessId p, uint64_t reg_start, uint64_t reg_bytes, uint64_t dst, uint64_t src,
                             uint64_t bytes) {
  rmc_command c{};
  c.kind = RMC_UFFD_MOVE;
  c.arg[0] = reg_start;
  c.arg[1] = reg_bytes;
  c.arg[2] = dst;
  c.arg[3] = src;
  c.arg[4] = bytes;
  send(p, c);
  return receive(p, "UFFDIO_MOVE");
}

rmc_reply Workers::pin(ProcessId p, uint64_t addr, uint64_t bytes) {
  rmc_command c{};
  c.kind = RMC_PIN;
  c.arg[0] = addr;
  c.arg[1] = bytes;
  send(p, c);
  return receive(p, "a pin");
}

int64_t Workers::unpin(ProcessId p) {
  rmc_command c{};
  c.kind = RMC_UNPIN;
  send(p, c);
  return receive(p, "an unpin").result;
}

void Workers::fork(ProcessId parent, ProcessId child) {
  if (live(child)) throw KernelError(fmt::format("fork: {} already has a worker", process_name(child)));
  rmc_command c{};
  c.kind = RMC_FORK;
  c.arg[0] = idx(child);
  send(parent, c);
  rmc_reply forked = receive(parent, "fork");
  if (forked.result <= 0) {
    std::string message = fmt::format("fork in {}: {}", name(parent), strerror(static_cast<int>(-forked.result)));
    kill_all();
    throw KernelError(message);
  }
  adopt(child, static_cast<pid_t>(forked.result));
  rmc_reply ready = receive(child, "start-up after fork");
  if (ready.result != forked.result) {
    std::string message = fmt::format("{} failed after fork: {}", name(child), startup_step_name(ready.count));
    kill_all();
    throw KernelError(message);
  }
}

void Workers::exit(ProcessId p) {
  rmc_command c{};
  c.kind = RMC_EXIT;
  send(p, c);
  Proc& proc = procs_[idx(p)];
  // The pidfd becomes readable once the process has exited (after
  // exit_mm: its address space is gone).
  pollfd fd = {proc.pidfd, POLLIN, 0};
  int ready;
  do ready = poll(&fd, 1, static_cast<int>(config_.timeout.count()));
  while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    std::string message = fmt::format("worker {} did not exit within {} ms", name(p), config_.timeout.count());
    kill_all();
    throw KernelError(message);
  }
  int status = 0;
  if (waitpid(proc.pid, &status, 0) != proc.pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = fmt::format("worker {} {} on exit", name(p), describe_status(status));
    kill_all();
    throw KernelError(message);
  }
  cleanup_remove_pid(proc.pid);
  close(proc.pidfd);
  proc.pid = 0;
  proc.pidfd = -1;
}

}  // namespace rmc::kernel
