// cleanup.cpp - the registry of things to undo, and the signal handler.
#include "kernel/cleanup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace rmc::kernel {

namespace {

constexpr int kMaxPids = 64;
constexpr int kMaxActions = 32;
constexpr size_t kMaxPath = 256;
constexpr size_t kMaxValue = 64;
// How long the handler waits for killed workers to be reaped.
constexpr int kReapPolls = 200;  // x 10 ms

enum class Action : int { kNone, kRestoreFile, kSwapoff, kUnmount, kUnlink };

struct Undo {
  std::atomic<Action> action{Action::kNone};
  char path[kMaxPath];
  char value[kMaxValue];
};

std::atomic<pid_t> g_pids[kMaxPids];
Undo g_undo[kMaxActions];
std::atomic<int> g_undo_used{0};
std::atomic<bool> g_installed{false};

void sleep_ms(long ms) {
  timespec ts{0, ms * 1000000L};
  nanosleep(&ts, nullptr);
}

void kill_workers() {
  for (auto& slot : g_pids) {
    pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
  for (auto& slot : g_pids) {
    pid_t pid = slot.exchange(0);
    if (pid <= 0) continue;
    for (int i = 0; i < kReapPolls; i++) {
      pid_t r = waitpid(pid, nullptr, WNOHANG);
      if (r == pid || r < 0) break;
      sleep_ms(10);
    }
  }
}

void undo(Undo& u) {
  switch (u.action.exchange(Action::kNone)) {
    case Action::kNone: break;
    case Action::kRestoreFile: {
      int fd = open(u.path, O_WRONLY | O_CLOEXEC);
      if (fd >= 0) {
        ssize_t ignored = write(fd, u.value, strlen(u.value));
        (void)ignored;
        close(fd);
      }
      break;
    }
    case Action::kSwapoff:
      swapoff(u.path);
      unlink(u.path);
      break;
    case Action::kUnmount: umount2(u.path, MNT_DETACH); break;
    case Action::kUnlink: unlink(u.path); break;
  }
}

int add(Action action, const char* path, const char* value) {
  if (strlen(path) >= kMaxPath || strlen(value) >= kMaxValue) return -1;
  // Reuse a free slot at the end, else append.
  int slot = g_undo_used.load();
  while (slot > 0 && g_undo[slot - 1].action.load() == Action::kNone) slot--;
  if (slot >= kMaxActions) return -1;
  Undo& u = g_undo[slot];
  strcpy(u.path, path);
  strcpy(u.value, value);
  u.action.store(action);
  g_undo_used.store(slot + 1);
  return slot;
}

void handler(int sig) {
  run_cleanup();
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void install_cleanup_handlers() {
  if (g_installed.exchange(true)) return;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS}) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(sig, &sa, nullptr);
  }
}

void cleanup_add_pid(pid_t pid) {
  for (auto& slot : g_pids) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void cleanup_remove_pid(pid_t pid) {
  for (auto& slot : g_pids) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

int cleanup_restore_file(const char* path, const char* value) { return add(Action::kRestoreFile, path, value); }
int cleanup_swapoff_and_unlink(const char* path) { return add(Action::kSwapoff, path, ""); }
int cleanup_unmount(const char* path) { return add(Action::kUnmount, path, ""); }
int cleanup_unlink(const char* path) { return add(Action::kUnlink, path, ""); }

void cleanup_forget(int handle) {
  if (handle >= 0 && handle < kMaxActions) g_undo[handle].action.store(Action::kNone);
}

void cleanup_forget_all() {
  for (auto& slot : g_pids) slot.store(0);
  for (Undo& u : g_undo) u.action.store(Action::kNone);
  g_undo_used.store(0);
}

void run_cleanup() {
  kill_workers();
  for (int i = g_undo_used.load() - 1; i >= 0; i--) undo(g_undo[i]);
  g_undo_used.store(0);
}

}  // namespace rmc::kernel
