/* rmc_worker.c - one trace process on the real kernel.
 *
 * rmapcheck's kernel oracle runs every trace process as one of these. The
 * worker is built freestanding and static (no libc, no heap, no globals that
 * are written, no threads): its own memory is a text segment and a stack,
 * so that what it costs the kernel at fork and exit is small and constant
 * for a given fork history, and the controller can measure and subtract it
 * (a control run that forks and exits the same way). It allocates nothing
 * while a command runs, except what the command itself asks the kernel for.
 *
 * It reads fixed-size commands from its pipe (protocol.h), does exactly one
 * thing per command (a system call, loads or stores of one word per page, a
 * fork, move_pages, a UFFDIO_MOVE with its userfaultfd, a pin through an
 * io_uring's registered buffer and its release, exit) and replies.
 * It never decides anything: the controller translates trace ops into
 * system calls.
 *
 * x86-64 Linux only (raw system calls below).
 */
#include <asm/unistd.h>
#include <linux/mempolicy.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <stdint.h>

#include "protocol.h"

#define SIGKILL_NR 9
#define SIGCHLD_NR 17
#define ENOENT_NR 2
#define EFAULT_NR 14
#define EINTR_NR 4

/* Pages handed to move_pages per call (its arrays live on the stack). */
#define MOVE_BATCH 256
/* Stack the worker touches at start-up, so that it never grows later. */
#define STACK_PREFAULT (96 * 1024)
/* The kernel's default RLIMIT_STACK, which the model assumes (8 MiB). */
#define STACK_RLIMIT (8UL << 20)

static long syscall6(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

static long syscall3(long nr, long a, long b, long c) { return syscall6(nr, a, b, c, 0, 0, 0); }

/* The compiler may call these for struct copies and array initialisation. */
void* memset(void* dst, int c, unsigned long n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
void* memcpy(void* dst, const void* src, unsigned long n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

static __attribute__((noreturn)) void exit_now(int code) {
  for (;;) syscall3(__NR_exit_group, code, 0, 0);
}

/* Reads or writes exactly `len` bytes; EOF or an error ends the worker
 * (the controller is gone or has closed the pipe: nothing left to do). */
static void read_all(int fd, void* buf, unsigned long len) {
  char* p = buf;
  while (len) {
    long n = syscall3(__NR_read, fd, (long)p, (long)len);
    if (n == -EINTR_NR) continue;
    if (n <= 0) exit_now(0);
    p += n;
    len -= (unsigned long)n;
  }
}

static void write_all(int fd, const void* buf, unsigned long len) {
  const char* p = buf;
  while (len) {
    long n = syscall3(__NR_write, fd, (long)p, (long)len);
    if (n == -EINTR_NR) continue;
    if (n <= 0) exit_now(0);
    p += n;
    len -= (unsigned long)n;
  }
}

static void reply(int me, int64_t result, uint64_t count) {
  struct rmc_reply r = {result, count};
  write_all(RMC_REPLY_FD(me), &r, sizeof r);
}

static int parse_u64(const char* s, uint64_t* out) {
  uint64_t v = 0;
  if (!s || !*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 0;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *out = v;
  return 1;
}

/* Die with the controller, and make sure it is still there (it may have
 * died before PR_SET_PDEATHSIG took effect). Returns a startup step on
 * failure, 0 on success. */
static int bind_to_controller(uint64_t controller) {
  if (syscall6(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL_NR, 0, 0, 0, 0) != 0) return RMC_STARTUP_PDEATHSIG;
  if ((uint64_t)syscall3(__NR_getppid, 0, 0, 0) != controller) return RMC_STARTUP_PARENT_GONE;
  return 0;
}

/* Section bounds from the default linker script. */
extern char __executable_start[], etext[], end[];

/* Moves the heap into the arena: start_brk = brk = `start_brk`.
 * PR_SET_MM_MAP (CONFIG_CHECKPOINT_RESTORE) needs no capability as long as
 * /proc/PID/exe stays (exe_fd = -1); PR_SET_MM_START_BRK would need
 * CAP_SYS_RESOURCE, which containers often drop. The call replaces every
 * field, so the others get this process's true values. */
static long move_heap(long* sp, char** argv, long argc, uint64_t start_brk) {
  const char* last = argv[argc - 1];
  while (*last) last++;
  struct prctl_mm_map map;
  memset(&map, 0, sizeof map);
  map.start_code = (uint64_t)__executable_start;
  map.end_code = (uint64_t)etext;
  map.start_data = (uint64_t)end; /* no data segment: an empty range */
  map.end_data = (uint64_t)end;
  map.start_brk = start_brk;
  map.brk = start_brk;
  map.start_stack = (uint64_t)sp;
  map.arg_start = (uint64_t)argv[0];
  map.arg_end = (uint64_t)last + 1;
  map.env_start = map.arg_end; /* spawned with an empty environment */
  map.env_end = map.arg_end;
  map.exe_fd = (uint32_t)-1;
  return syscall6(__NR_prctl, PR_SET_MM, PR_SET_MM_MAP, (long)&map, sizeof map, 0, 0);
}

/* Touch the stack once, deep enough for every command, so that its VMA and
 * page tables do not change while the trace runs. */
static __attribute__((noinline)) void prefault_stack(void) {
  volatile char pad[STACK_PREFAULT];
  for (unsigned long i = 0; i < sizeof pad; i += RMC_PAGE_SIZE) pad[i] = 0;
}

static int64_t do_move_pages(uint64_t addr, uint64_t pages, uint64_t node) {
  void* batch[MOVE_BATCH];
  int nodes[MOVE_BATCH];
  int status[MOVE_BATCH];
  for (uint64_t done = 0; done < pages;) {
    uint64_t n = pages - done < MOVE_BATCH ? pages - done : MOVE_BATCH;
    for (uint64_t i = 0; i < n; i++) {
      batch[i] = (void*)(addr + (done + i) * RMC_PAGE_SIZE);
      nodes[i] = (int)node;
      status[i] = 0;
    }
    long ret = syscall6(__NR_move_pages, 0, (long)n, (long)batch, (long)nodes, (long)status, MPOL_MF_MOVE_ALL);
    if (ret < 0) return ret;
    for (uint64_t i = 0; i < n; i++)
      if (status[i] < 0 && status[i] != -ENOENT_NR && status[i] != -EFAULT_NR) return status[i];
    done += n;
  }
  return 0;
}

/* <linux/userfaultfd.h> of 6.8+ (Debian 12's headers are 6.1's). */
#define UFFDIO_IOCTL 0xAA
#define UFFD_IOWR(nr, size) ((3UL << 30) | ((unsigned long)(size) << 16) | (UFFDIO_IOCTL << 8) | (nr))
#define UFFD_IOR(nr, size) ((2UL << 30) | ((unsigned long)(size) << 16) | (UFFDIO_IOCTL << 8) | (nr))
struct uffd_range { uint64_t start, len; };
struct uffd_api { uint64_t api, features, ioctls; };
struct uffd_register { struct uffd_range range; uint64_t mode, ioctls; };
struct uffd_move { uint64_t dst, src, len, mode; int64_t move; };
#define UFFD_API_VERSION 0xAA
#define UFFD_USER_MODE_ONLY_FLAG 1
#define UFFD_O_CLOEXEC 02000000
#define UFFDIO_REGISTER_MODE_MISSING_BIT 1
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_BIT 2
#define UFFDIO_API_NR UFFD_IOWR(0x3F, sizeof(struct uffd_api))
#define UFFDIO_REGISTER_NR UFFD_IOWR(0x00, sizeof(struct uffd_register))
#define UFFDIO_UNREGISTER_NR UFFD_IOR(0x01, sizeof(struct uffd_range))
#define UFFDIO_MOVE_NR UFFD_IOWR(0x05, sizeof(struct uffd_move))

/* RMC_UFFD_MOVE (protocol.h). Returns the move's result; *failed_step is the
 * step that failed before it, if any (then the result is that step's). */
static int64_t do_uffd_move(uint64_t reg_start, uint64_t reg_len, uint64_t dst, uint64_t src, uint64_t len,
                            uint64_t* failed_step) {
  *failed_step = 0;
  long fd = syscall3(__NR_userfaultfd, UFFD_O_CLOEXEC | UFFD_USER_MODE_ONLY_FLAG, 0, 0);
  if (fd < 0) {
    *failed_step = RMC_UFFD_OPEN;
    return fd;
  }
  struct uffd_api api = {UFFD_API_VERSION, 0, 0};
  long ret = syscall3(__NR_ioctl, fd, (long)UFFDIO_API_NR, (long)&api);
  if (ret < 0) *failed_step = RMC_UFFD_API;
  struct uffd_register reg = {{reg_start, reg_len}, UFFDIO_REGISTER_MODE_MISSING_BIT, 0};
  if (!*failed_step && reg_len && (ret = syscall3(__NR_ioctl, fd, (long)UFFDIO_REGISTER_NR, (long)&reg)) < 0)
    *failed_step = RMC_UFFD_REGISTER;
  struct uffd_move move = {dst, src, len, UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_BIT, 0};
  if (!*failed_step) {
    ret = syscall3(__NR_ioctl, fd, (long)UFFDIO_MOVE_NR, (long)&move);
    if (ret < 0 && move.move == 0) move.move = ret;  /* failed before copy_from_user's field was written */
  }
  struct uffd_range range = {reg_start, reg_len};
  if (!*failed_step && reg_len && (ret = syscall3(__NR_ioctl, fd, (long)UFFDIO_UNREGISTER_NR, (long)&range)) < 0)
    *failed_step = RMC_UFFD_UNREGISTER;
  syscall3(__NR_close, fd, 0, 0);
  return *failed_step ? ret : move.move;
}

/* <linux/io_uring.h>: only what RMC_PIN needs (the setup parameters are
 * read back by the kernel, so the whole 120-byte struct is passed). */
#define IORING_REGISTER_BUFFERS_OP 0
#define IORING_UNREGISTER_BUFFERS_OP 1
struct ring_params { uint32_t words[30]; };
struct pin_iovec { uint64_t base, len; };

/* The rings this worker pinned memory with (RMC_PIN); they live on serve's
 * stack, as nothing in the worker is a written global. */
struct rings {
  long fd[RMC_MAX_RINGS];
  uint64_t count;
};

/* RMC_PIN (protocol.h). */
static int64_t do_pin(struct rings* r, uint64_t addr, uint64_t len, uint64_t* failed_step) {
  *failed_step = 0;
  if (r->count == RMC_MAX_RINGS) {
    *failed_step = RMC_PIN_TOO_MANY;
    return -24; /* EMFILE */
  }
  struct ring_params params = {{0}};
  long fd = syscall3(__NR_io_uring_setup, 1, (long)&params, 0);
  if (fd < 0) {
    *failed_step = RMC_PIN_SETUP;
    return fd;
  }
  struct pin_iovec iov = {addr, len};
  long ret = syscall6(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS_OP, (long)&iov, 1, 0, 0);
  if (ret < 0) {
    *failed_step = RMC_PIN_REGISTER;
    syscall3(__NR_close, fd, 0, 0);
    return ret;
  }
  r->fd[r->count++] = fd;
  return 0;
}

/* RMC_UNPIN (protocol.h); also what a fork child does with the rings it
 * inherited, unregistering nothing (the buffers are the parent's). */
static int64_t close_rings(struct rings* r, int unregister) {
  int64_t first_error = 0;
  for (uint64_t i = 0; i < r->count; i++) {
    if (unregister) {
      long ret = syscall6(__NR_io_uring_register, r->fd[i], IORING_UNREGISTER_BUFFERS_OP, 0, 0, 0, 0);
      if (ret < 0 && !first_error) first_error = ret;
    }
    syscall3(__NR_close, r->fd[i], 0, 0);
  }
  r->count = 0;
  return first_error;
}

/* Runs commands until exit. `me` is this worker's index. */
static __attribute__((noreturn)) void serve(int me, uint64_t controller) {
  uint64_t values[RMC_MAX_READ_PAGES];
  struct rings rings = {{0}, 0};
  for (;;) {
    struct rmc_command c;
    read_all(RMC_CMD_FD(me), &c, sizeof c);
    switch (c.kind) {
      case RMC_SYSCALL:
        reply(me, syscall6((long)c.arg[0], (long)c.arg[1], (long)c.arg[2], (long)c.arg[3], (long)c.arg[4],
                           (long)c.arg[5], (long)c.arg[6]),
              0);
        break;
      case RMC_READ: {
        uint64_t n = c.arg[1] < RMC_MAX_READ_PAGES ? c.arg[1] : RMC_MAX_READ_PAGES;
        for (uint64_t i = 0; i < n; i++) values[i] = *(volatile uint64_t*)(c.arg[0] + i * RMC_PAGE_SIZE);
        reply(me, 0, n);
        write_all(RMC_REPLY_FD(me), values, n * sizeof values[0]);
        break;
      }
      case RMC_WRITE:
        for (uint64_t i = 0; i < c.arg[1]; i++) *(volatile uint64_t*)(c.arg[0] + i * RMC_PAGE_SIZE) = c.arg[2] + i;
        reply(me, 0, 0);
        break;
      case RMC_FORK: {
        /* CLONE_PARENT: the child is the controller's child too.
         * CLONE_FS: no copy of fs_struct, whose slab cache is merged with
         * anon_vma_chain's on the CI kernel. */
        long pid = syscall6(__NR_clone, CLONE_PARENT | CLONE_FS | SIGCHLD_NR, 0, 0, 0, 0, 0);
        if (pid == 0) {
          me = (int)c.arg[0];
          close_rings(&rings, /*unregister=*/0);
          int failed = bind_to_controller(controller);
          reply(me, failed ? -1 : syscall3(__NR_getpid, 0, 0, 0), (uint64_t)failed);
          if (failed) exit_now(1);
          break;
        }
        reply(me, pid, 0);
        break;
      }
      case RMC_EXIT:
        exit_now(0);
      case RMC_MOVE_PAGES:
        reply(me, do_move_pages(c.arg[0], c.arg[1], c.arg[2]), 0);
        break;
      case RMC_UFFD_MOVE: {
        uint64_t failed_step;
        int64_t result = do_uffd_move(c.arg[0], c.arg[1], c.arg[2], c.arg[3], c.arg[4], &failed_step);
        reply(me, result, failed_step);
        break;
      }
      case RMC_PIN: {
        uint64_t failed_step;
        int64_t result = do_pin(&rings, c.arg[0], c.arg[1], &failed_step);
        reply(me, result, failed_step);
        break;
      }
      case RMC_UNPIN:
        reply(me, close_rings(&rings, /*unregister=*/1), 0);
        break;
      default:
        reply(me, -22 /* EINVAL */, 0);
        break;
    }
  }
}

/* argv: rmc_worker CPU THP ARENA_BASE START_BRK CONTROLLER_PID
 *   CPU        the CPU every worker runs on (LRU batches are per CPU: COW
 *              reuse and MADV_PAGEOUT drain only the local one)
 *   THP        0: PR_SET_THP_DISABLE (4 KiB pages only); 1: leave THP to
 *              the sysfs settings (the controller enables one mTHP size)
 *   START_BRK  byte address of the heap start (inside the arena)
 */
__attribute__((noreturn, used)) void worker_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  uint64_t cpu, thp, base, start_brk, controller;
  (void)base;
  if (argc != 6 || !parse_u64(argv[1], &cpu) || !parse_u64(argv[2], &thp) || !parse_u64(argv[3], &base) ||
      !parse_u64(argv[4], &start_brk) || !parse_u64(argv[5], &controller) || cpu >= 1024) {
    reply(0, -22, RMC_STARTUP_ARGS);
    exit_now(2);
  }
  int failed = bind_to_controller(controller);
  if (failed) {
    reply(0, -1, (uint64_t)failed);
    exit_now(1);
  }
  uint64_t mask[16] = {0};
  mask[cpu / 64] = 1ULL << (cpu % 64);
  long ret = syscall3(__NR_sched_setaffinity, 0, sizeof mask, (long)mask);
  if (ret != 0) {
    reply(0, ret, RMC_STARTUP_AFFINITY);
    exit_now(1);
  }
  if (!thp && (ret = syscall6(__NR_prctl, PR_SET_THP_DISABLE, 1, 0, 0, 0, 0)) != 0) {
    reply(0, ret, RMC_STARTUP_THP_DISABLE);
    exit_now(1);
  }
  if ((ret = move_heap(sp, argv, argc, start_brk)) != 0) {
    reply(0, ret, RMC_STARTUP_BRK);
    exit_now(1);
  }
  struct rlimit stack;
  if ((ret = syscall6(__NR_prlimit64, 0, RLIMIT_STACK, 0, (long)&stack, 0, 0)) != 0) {
    reply(0, ret, RMC_STARTUP_RLIMIT_STACK);
    exit_now(1);
  }
  stack.rlim_cur = STACK_RLIMIT <= stack.rlim_max ? STACK_RLIMIT : stack.rlim_max;
  if ((ret = syscall6(__NR_prlimit64, 0, RLIMIT_STACK, (long)&stack, 0, 0, 0)) != 0) {
    reply(0, ret, RMC_STARTUP_RLIMIT_STACK);
    exit_now(1);
  }
  prefault_stack();
  reply(0, syscall3(__NR_getpid, 0, 0, 0), 0);
  serve(0, controller);
}

/* The entry point: the kernel leaves argc at the stack pointer. Align the
 * stack as the ABI wants for a call and hand the original pointer over. */
__asm__(
    ".globl _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call worker_main\n"
    "  ud2\n");
