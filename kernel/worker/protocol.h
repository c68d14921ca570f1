/* protocol.h - what the controller (rmapcheck) and a worker process say to
 * each other. Shared by the C worker and the C++ controller.
 *
 * One worker process stands for one trace process (P0..P7). The controller
 * starts P0 with posix_spawn; every other worker is forked by its trace
 * parent (clone with CLONE_PARENT, so that every worker is a child of the
 * controller, which reaps and, on any error, kills them by pid).
 *
 * Before P0 starts, the controller makes one command pipe and one reply pipe
 * per trace process and gives P0 all of them at fixed descriptors; a fork
 * passes them on, and worker Pk uses only its own pair. Commands are fixed
 * size; a reply is a fixed header, followed for RMC_READ by `count` 64-bit
 * values. Addresses travel as byte addresses: the controller adds the arena
 * base, the worker never interprets a page number. P0 also gets /dev/zero at
 * RMC_DEV_ZERO_FD, which every fork inherits.
 *
 * Start-up (argv: worker CPU THP ARENA_BASE START_BRK CONTROLLER_PID), and
 * after a fork in the child: the worker sends one reply, result = its pid,
 * or a negative errno with count = the start-up step that failed.
 */
#ifndef RMC_WORKER_PROTOCOL_H
#define RMC_WORKER_PROTOCOL_H

#include <stdint.h>

#define RMC_MAX_WORKERS 8
/* Worker k reads commands on RMC_CMD_FD(k) and writes replies on
 * RMC_REPLY_FD(k). */
#define RMC_CMD_FD(k) (3 + 2 * (k))
#define RMC_REPLY_FD(k) (4 + 2 * (k))
/* /dev/zero, opened read-only once by the controller before P0 starts, so
 * that every worker maps the same struct file (mmap_zero): VMAs of one file
 * can merge, of two opens of it cannot (is_mergeable_vma compares vm_file). */
#define RMC_DEV_ZERO_FD (RMC_REPLY_FD(RMC_MAX_WORKERS - 1) + 1)

#define RMC_PAGE_SIZE 4096
/* Most pages one RMC_READ returns (a trace op touches at most 4096). */
#define RMC_MAX_READ_PAGES 4096

enum rmc_command_kind {
  /* arg[0] = syscall number, arg[1..6] = its arguments; result = the raw
   * return value (-errno on failure). */
  RMC_SYSCALL = 1,
  /* Load 8 bytes from each page: arg[0] = address, arg[1] = pages. The reply
   * carries one value per page. */
  RMC_READ = 2,
  /* Store arg[2] + i at the start of page i: arg[0] = address,
   * arg[1] = pages. */
  RMC_WRITE = 3,
  /* Fork the trace child with worker index arg[0]; result = its pid. The
   * child then sends its own start-up reply on its reply pipe. */
  RMC_FORK = 4,
  /* exit_group(0); there is no reply (the controller waits for the pid). */
  RMC_EXIT = 5,
  /* move_pages(0, ...) every page of arg[0] (address) + arg[1] (pages) to
   * node arg[2] with MPOL_MF_MOVE_ALL; result = the syscall's result, or
   * the first negative per-page status other than -ENOENT/-EFAULT (no page
   * mapped there). */
  RMC_MOVE_PAGES = 6,
  /* UFFDIO_MOVE as a program does it: a userfaultfd, UFFDIO_API,
   * UFFDIO_REGISTER (MODE_MISSING) of arg[0] (address) + arg[1] (bytes),
   * UFFDIO_MOVE of arg[4] bytes from arg[3] to arg[2] with
   * ALLOW_SRC_HOLES, UFFDIO_UNREGISTER of the same range, close. arg[1] = 0:
   * nothing to register (no VMA at the destination), UFFDIO_MOVE alone.
   * result = uffdio_move.move (bytes moved, or -errno); count = the step
   * that failed before the move (enum rmc_uffd_step), 0 if none did. */
  RMC_UFFD_MOVE = 7,
  /* Pin arg[1] bytes at arg[0] as a program pins memory for DMA: a new
   * io_uring (io_uring_setup, 1 entry) with the range registered as its one
   * fixed buffer (IORING_REGISTER_BUFFERS: pin_user_pages with FOLL_WRITE |
   * FOLL_LONGTERM). The worker keeps the ring open; result = 0 or -errno,
   * count = the step that failed (enum rmc_pin_step), 0 if none did. */
  RMC_PIN = 8,
  /* IORING_UNREGISTER_BUFFERS on every ring RMC_PIN opened (the unpin is
   * synchronous), then close them; result = 0 or the first -errno. A fork
   * child closes the rings it inherits at once: the pins stay its parent's. */
  RMC_UNPIN = 9,
};

enum rmc_pin_step {
  RMC_PIN_SETUP = 1,
  RMC_PIN_REGISTER = 2,
  RMC_PIN_TOO_MANY = 3,
};

/* Rings one worker holds open (one per RMC_PIN; the model's bound on pinned
 * pages per process, kMaxPinnedPages, is the same number). */
#define RMC_MAX_RINGS 64

enum rmc_uffd_step {
  RMC_UFFD_OPEN = 1,
  RMC_UFFD_API = 2,
  RMC_UFFD_REGISTER = 3,
  RMC_UFFD_UNREGISTER = 4,
};

struct rmc_command {
  uint32_t kind; /* enum rmc_command_kind */
  uint32_t reserved;
  uint64_t arg[7];
};

struct rmc_reply {
  int64_t result;
  uint64_t count; /* RMC_READ: values that follow; start-up: failed step */
};

/* Start-up steps, reported in rmc_reply.count when one fails. */
enum rmc_startup_step {
  RMC_STARTUP_ARGS = 1,
  RMC_STARTUP_PDEATHSIG = 2,
  RMC_STARTUP_PARENT_GONE = 3,
  RMC_STARTUP_AFFINITY = 4,
  RMC_STARTUP_THP_DISABLE = 5,
  RMC_STARTUP_BRK = 6,
  RMC_STARTUP_RLIMIT_STACK = 7,
};

#endif
