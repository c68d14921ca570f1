// workers.h - the real processes of one trace run, driven over pipes.
//
// Workers(config) starts P0 (kernel/worker/rmc_worker.c) and waits for it
// to report ready; every other trace process is forked by its trace parent
// (fork()), so fork is fork and the child inherits the parent's memory.
// Each call sends one command and waits, bounded by config.timeout, for the
// reply. A worker that dies or does not answer in time is an error
// (KernelError, naming the process, its pid and how it died); the destructor
// kills and reaps every worker that is still there, and until then each pid
// is also in the cleanup registry (cleanup.h), so no worker outlives
// rmapcheck, whatever ends it. Workers also die with the controller
// (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/worker/protocol.h"
#include "model/core/types.h"

namespace rmc::kernel {

// Something on the kernel side went wrong that is not a disagreement: a
// worker died or hung, a system call the model says must work failed, a
// /proc or /sys file could not be read.
class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WorkerConfig {
  std::string worker_path;  // the rmc_worker executable
  int cpu = 0;              // every worker runs on this CPU
  bool thp = false;         // false: PR_SET_THP_DISABLE
  uint64_t arena_base = 0;  // byte address of arena page 0
  uint64_t start_brk = 0;   // byte address of the heap start
  std::chrono::milliseconds timeout{10000};  // per command
};

class Workers {
 public:
  explicit Workers(const WorkerConfig& config);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  bool live(ProcessId p) const { return procs_[idx(p)].pid > 0; }
  pid_t pid(ProcessId p) const { return procs_[idx(p)].pid; }

  // The raw result of the system call (-errno on failure).
  int64_t syscall(ProcessId p, long nr, const std::array<uint64_t, 6>& args);
  // One 8-byte load from the start of each page.
  std::vector<uint64_t> read(ProcessId p, uint64_t addr, uint64_t pages);
  // Stores first_value + i at the start of page i.
  void write(ProcessId p, uint64_t addr, uint64_t pages, uint64_t first_value);
  int64_t move_pages(ProcessId p, uint64_t addr, uint64_t pages, int node);
  // RMC_UFFD_MOVE (protocol.h): register [reg_start, reg_start + reg_bytes)
  // with a new userfaultfd (nothing if reg_bytes is 0), UFFDIO_MOVE, unregister.
  rmc_reply uffd_move(ProcessId p, uint64_t reg_start, uint64_t reg_bytes, uint64_t dst, uint64_t src, uint64_t bytes);
  // RMC_PIN / RMC_UNPIN (protocol.h): result 0 or -errno.
  rmc_reply pin(ProcessId p, uint64_t addr, uint64_t bytes);
  int64_t unpin(ProcessId p);
  void fork(ProcessId parent, ProcessId child);
  // Returns once the process is gone and reaped (its mm torn down).
  void exit(ProcessId p);
  // Kills and reaps every worker (also done by the destructor).
  void kill_all();

 private:
  struct Proc {
    pid_t pid = 0;
    int pidfd = -1;
    int cmd = -1;    // controller's write end of the command pipe
    int reply = -1;  // controller's read end of the reply pipe
  };
  void start_first_worker();
  void release();  // kill_all, then close the controller's pipe ends
  void send(ProcessId p, const rmc_command& command);
  rmc_reply receive(ProcessId p, const char* what);
  void receive_bytes(ProcessId p, void* buf, size_t len, const char* what);
  void adopt(ProcessId p, pid_t pid);  // pidfd + cleanup registry
  void reap(ProcessId p);
  [[noreturn]] void died(ProcessId p, const char* what);
  std::string name(ProcessId p) const;

  WorkerConfig config_;
  std::array<Proc, RMC_MAX_WORKERS> procs_;
};

}  // namespace rmc::kernel
