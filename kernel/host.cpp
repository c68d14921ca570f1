// host.cpp - swap file, mTHP sizes, debugfs; what a trace can run.
#include "kernel/host.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kernel/cleanup.h"
#include "kernel/proc_view.h"
#include "kernel/slab.h"
#include "kernel/workers.h"
#include "model/core/atomic_file.h"
#include "model/core/op_table.h"

namespace rmc::kernel {

namespace {

constexpr const char* kThpDir = "/sys/kernel/mm/transparent_hugepage";
constexpr const char* kDebugfsDir = "/sys/kernel/debug";
constexpr const char* kSplitHugePages = "/sys/kernel/debug/split_huge_pages";
constexpr const char* kSwapPrefix = "rmapcheck-swap-";
constexpr const char* kThpStatePrefix = "rmapcheck-thp-";
constexpr uint32_t kPmdOrder = 9;
constexpr size_t kPageSize = 4096;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, std::string_view value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError(fmt::format("{}: {}", path, strerror(errno)));
  ssize_t n = write(fd, value.data(), value.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) throw KernelError(fmt::format("writing '{}' to {}: {}", value, path, strerror(err)));
}

// "always inherit madvise [never]" -> "never".
std::string selected(const std::string& choices) {
  size_t open = choices.find('['), close = choices.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  return choices.substr(open + 1, close - open - 1);
}

std::string thp_size_knob(uint32_t order) { return fmt::format("{}/hugepages-{}kB/enabled", kThpDir, 4u << order); }

bool has_protection_keys() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) return line.find(" ospke") != std::string::npos;
  return false;
}

// The swap header of mm/swapfile.c (union swap_header, version 1).
struct SwapHeader {
  char bootbits[1024];
  uint32_t version;
  uint32_t last_page;
  uint32_t nr_badpages;
  unsigned char uuid[16];
  unsigned char volume[16];
  uint32_t padding[117];
  uint32_t badpages[1];
};

// Whether the rmapcheck that named a file after its pid is gone: no such
// process, or only its zombie (pid 1 may be slow to reap it).
bool owner_gone(const std::string& name, const std::string& prefix) {
  const pid_t owner = static_cast<pid_t>(atol(name.c_str() + prefix.size()));
  if (owner <= 0) return false;
  if (kill(owner, 0) != 0 && errno == ESRCH) return true;
  const std::string stat = read_file(fmt::format("/proc/{}/stat", owner)).value_or("");
  const size_t paren = stat.rfind(')');  // "pid (comm) S ..."
  return paren == std::string::npos || (paren + 2 < stat.size() && (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X'));
}

// Swap files that a killed rmapcheck left behind (their pid is gone).
void remove_stale_swap_files(const std::string& dir) {
  std::ifstream swaps("/proc/swaps");
  std::string line;
  std::getline(swaps, line);  // header
  const std::string prefix = dir + "/" + kSwapPrefix;
  while (std::getline(swaps, line)) {
    std::string path = line.substr(0, line.find_first_of(" \t"));
    if (path.rfind(prefix, 0) != 0 || !owner_gone(path, prefix)) continue;
    swapoff(path.c_str());
    unlink(path.c_str());
  }
}

// mTHP settings a killed rmapcheck could not put back: its state file lists
// "path value" lines (written before the first change).
void restore_stale_thp_settings(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kThpStatePrefix, 0) != 0 || !owner_gone(name, kThpStatePrefix)) continue;
    std::ifstream in(entry.path());
    std::string path, value;
    while (in >> path >> value) {
      try {
        write_file(path, value);
      } catch (const KernelError&) {
        // A knob that is gone cannot be restored; the rest still can.
      }
    }
    std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

TraceNeeds trace_needs(const Trace& trace) {
  TraceNeeds needs;
  needs.folio_order = trace.options.large_folio_order;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp) continue;
    if (line.op.kind == OpKind::kMadvise && line.op.advice == Advice::kPageout) needs.swap = true;
    if (line.op.kind == OpKind::kSplitFolio && needs.folio_order > 0) needs.split = true;
  }
  return needs;
}

std::optional<std::string> kernel_oracle_unavailable() {
#if !defined(__x86_64__)
  return "the worker is x86-64 only";
#endif
  if (auto why = slab_counts_unavailable()) return why;
  if (auto why = proc_view_unavailable()) return why;
  return std::nullopt;
}

uint64_t mthp_swapped_out_whole() {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kThpDir, ec))
    if (entry.path().filename().string().rfind("hugepages-", 0) == 0)
      if (auto text = read_file(entry.path().string() + "/stats/swpout")) total += std::strtoull(text->c_str(), nullptr, 10);
  return total;
}

// The line of the trace's first op of `kind`, if it has one.
static std::optional<uint32_t> first_op(const Trace& trace, OpKind kind) {
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp && line.op.kind == kind) return line.line;
  return std::nullopt;
}

std::optional<std::string> trace_unsupported(const Trace& trace) {
  const ModelOptions& o = trace.options;
  for (size_t b = 0; b < static_cast<size_t>(Bug::kCount); b++)
    if (o.bug(static_cast<Bug>(b)))
      return fmt::format("option bug {}: the trace puts a historical bug back into the model; this kernel has the fix",
                         bug_name(static_cast<Bug>(b)));
  if (!o.stack_pgoff_guard)
    return std::string("stack_pgoff_guard off: the trace takes a test out of expand_downwards; this kernel has it");
  if (!o.mmap_pgoff_check)
    return std::string(
        "mmap_pgoff_check off: the trace lets mmap_zero's file offset take any 64-bit vm_pgoff; mmap(2) takes the "
        "offset in bytes and do_mmap refuses one whose last page wraps (EOVERFLOW), so this kernel cannot map it");
  if (auto line = first_op(trace, OpKind::kExec))
    return fmt::format(
        "line {}: exec cannot run here: execve would replace the worker process, and the kernel puts the new stack at "
        "STACK_TOP, outside the arena (the model's stack is inside it)",
        *line);
  for (OpKind half : {OpKind::kMigrateBegin, OpKind::kMigrateEnd})
    if (auto line = first_op(trace, half))
      return fmt::format("line {}: {}", *line, kMigrationHalvesNotRun);
  for (OpKind half : {OpKind::kSplitBegin, OpKind::kSplitEnd})
    if (auto line = first_op(trace, half))
      return fmt::format("line {}: {}", *line, kSplitHalvesNotRun);
  const TraceNeeds needs = trace_needs(trace);
  if (needs.swap && !o.swapcache_after_pageout)
    return std::string(
        "swapcache_after_pageout off: with a swap file the kernel keeps a paged-out folio in the swap cache "
        "(the model's default, on)");
  if (needs.folio_order == kPmdOrder)
    return std::string(
        "large_folio_order 9: the kernel maps PMD-sized folios with a PMD (and the huge zero page), the model "
        "maps every folio with PTEs (docs/eager-model.md)");
  if (needs.folio_order > 0 && access(thp_size_knob(needs.folio_order).c_str(), W_OK) != 0)
    return fmt::format("large_folio_order {}: this kernel has no anonymous mTHP of {} kB ({} missing)", needs.folio_order,
                       4u << needs.folio_order, thp_size_knob(needs.folio_order));
  for (const TraceLine& line : trace.lines)
    if (line.kind == TraceLine::Kind::kOp &&
        (line.op.kind == OpKind::kMmap || line.op.kind == OpKind::kMmapZero || line.op.kind == OpKind::kMprotect) &&
        line.op.prot == kProtExec && has_protection_keys())
      return fmt::format(
          "line {}: PROT_EXEC alone gets an execute-only protection key on this CPU (ospke): the kernel's VMA differs "
          "in a flag the model does not have, and reads fault",
          line.line);
  return std::nullopt;
}

// ---- swap file ---------------------------------------------------------------

struct Host::SwapFile {
  std::string path;
  int handle = -1;

  SwapFile(const std::string& dir, uint64_t bytes) : path(fmt::format("{}/{}{}", dir, kSwapPrefix, getpid())) {
    remove_stale_swap_files(dir);
    unlink(path.c_str());
    bytes = bytes / kPageSize * kPageSize;
    handle = cleanup_swapoff_and_unlink(path.c_str());
    if (handle < 0) throw KernelError("the cleanup registry is full");
    if (auto err = create(bytes, /*zero_fill=*/false)) {
      // fallocate'd extents are refused by some filesystems: write zeros.
      if (auto err2 = create(bytes, /*zero_fill=*/true)) {
        unlink(path.c_str());
        cleanup_forget(handle);
        throw KernelError(fmt::format("cannot use a swap file at {}: {} (pass another --swap-dir?)", path, *err2));
      }
    }
  }

  ~SwapFile() {
    swapoff(path.c_str());
    unlink(path.c_str());
    cleanup_forget(handle);
  }

  std::optional<std::string> create(uint64_t bytes, bool zero_fill) {
    unlink(path.c_str());
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return fmt::format("open: {}", strerror(errno));
    auto fail = [&](const char* what) {
      std::string message = fmt::format("{}: {}", what, strerror(errno));
      close(fd);
      return message;
    };
    if (zero_fill) {
      std::vector<char> zeros(1 << 20, 0);
      for (uint64_t done = 0; done < bytes; done += zeros.size())
        if (write(fd, zeros.data(), std::min<uint64_t>(zeros.size(), bytes - done)) < 0) return fail("write");
    } else if (fallocate(fd, 0, 0, static_cast<off_t>(bytes)) != 0) {
      return fail("fallocate");
    }
    SwapHeader header{};
    header.version = 1;
    header.last_page = static_cast<uint32_t>(bytes / kPageSize - 1);
    if (pwrite(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return fail("pwrite");
    if (pwrite(fd, "SWAPSPACE2", 10, kPageSize - 10) != 10) return fail("pwrite");
    if (fsync(fd) != 0) return fail("fsync");
    close(fd);
    if (swapon(path.c_str(), 0) != 0) return fmt::format("swapon: {}", strerror(errno));
    return std::nullopt;
  }
};

// ---- mTHP sizes --------------------------------------------------------------

struct Host::ThpSizes {
  struct Knob {
    std::string path;
    std::string original;
    int handle = -1;
  };
  std::vector<Knob> knobs;  // every hugepages-*/enabled, as found
  uint32_t order = 0;       // the size now set to always (0: none)
  std::string state;        // the originals on disk, for a run after a SIGKILL
  int state_handle = -1;

  explicit ThpSizes(const std::string& dir) : state(fmt::format("{}/{}{}", dir, kThpStatePrefix, getpid())) {
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(kThpDir)) {
      const std::string knob = entry.path().string() + "/enabled";
      if (entry.path().filename().string().rfind("hugepages-", 0) == 0 && access(knob.c_str(), W_OK) == 0)
        paths.push_back(knob);
    }
    std::sort(paths.begin(), paths.end());
    std::string lines;
    for (const std::string& path : paths) {
      const std::string value = selected(read_file(path).value_or(""));
      if (value.empty()) throw KernelError(fmt::format("{}: cannot read the current setting", path));
      knobs.push_back({path, value, -1});
      lines += fmt::format("{} {}\n", path, value);
    }
    // The state file goes last (registered first): knobs first, then it.
    if (auto err = write_file_atomically(state, lines)) throw KernelError(fmt::format("cannot save mTHP settings: {}", *err));
    state_handle = cleanup_unlink(state.c_str());
    for (Knob& knob : knobs)
      if ((knob.handle = cleanup_restore_file(knob.path.c_str(), knob.original.c_str())) < 0)
        throw KernelError("the cleanup registry is full");
  }

  ~ThpSizes() {
    for (const Knob& knob : knobs) {
      try {
        write_file(knob.path, knob.original);
      } catch (const KernelError&) {
        // The registry's handler is the last resort; nothing more to do here.
      }
      cleanup_forget(knob.handle);
    }
    unlink(state.c_str());
    cleanup_forget(state_handle);
  }

  void set(uint32_t new_order) {
    if (new_order == order) return;
    const std::string want = thp_size_knob(new_order);
    for (const Knob& knob : knobs) write_file(knob.path, knob.path == want ? "always" : "never");
    order = new_order;
  }
};

// ---- debugfs -----------------------------------------------------------------

struct Host::Debugfs {
  int handle = -1;

  Debugfs() {
    if (access(kSplitHugePages, W_OK) == 0) {
      usable_or_throw();
      return;
    }
    if (access(kDebugfsDir, F_OK) != 0)
      throw KernelError(fmt::format("{} does not exist (no debugfs)", kDebugfsDir));
    handle = cleanup_unmount(kDebugfsDir);
    if (handle < 0) throw KernelError("the cleanup registry is full");
    if (mount("debugfs", kDebugfsDir, "debugfs", 0, nullptr) != 0) {
      int err = errno;
      cleanup_forget(handle);
      throw KernelError(fmt::format("mount debugfs on {}: {}", kDebugfsDir, strerror(err)));
    }
    if (access(kSplitHugePages, W_OK) != 0) {
      umount2(kDebugfsDir, MNT_DETACH);
      cleanup_forget(handle);
      throw KernelError(fmt::format("{} is missing (CONFIG_TRANSPARENT_HUGEPAGE and debugfs needed)", kSplitHugePages));
    }
    usable_or_throw();
  }

  // Kernel lockdown lets debugfs be mounted but refuses to open its files.
  void usable_or_throw() {
    int fd = open(kSplitHugePages, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      return;
    }
    std::string why = fmt::format("{}: {}{}", kSplitHugePages, strerror(errno),
                                  errno == EPERM ? " (kernel lockdown restricts debugfs here)" : "");
    if (handle >= 0) {
      umount2(kDebugfsDir, MNT_DETACH);
      cleanup_forget(handle);
      handle = -1;
    }
    throw KernelError(why);
  }

  ~Debugfs() {
    if (handle < 0) return;
    umount2(kDebugfsDir, MNT_DETACH);
    cleanup_forget(handle);
  }
};

// ---- Host --------------------------------------------------------------------

Host::Host(HostOptions options) : options_(std::move(options)) {
  install_cleanup_handlers();
  restore_stale_thp_settings(options_.swap_dir);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
      if (CPU_ISSET(cpu, &set)) worker_cpu_ = cpu;  // the highest allowed
}

Host::~Host() { restore(); }

void Host::restore() {
  debugfs_.reset();
  thp_.reset();
  swap_.reset();
}

std::optional<std::string> Host::prepare(const TraceNeeds& needs) {
  try {
    if (needs.swap && !swap_) swap_ = std::make_unique<SwapFile>(options_.swap_dir, options_.swap_bytes);
    if (needs.folio_order > 0 || thp_) {
      if (!thp_) thp_ = std::make_unique<ThpSizes>(options_.swap_dir);
      thp_->set(needs.folio_order);
    }
    if (needs.split && !debugfs_) debugfs_ = std::make_unique<Debugfs>();
  } catch (const KernelError& e) {
    return e.what();
  } catch (const std::filesystem::filesystem_error& e) {
    return e.what();
  }
  return std::nullopt;
}

void Host::split_huge_pages(int pid, uint64_t start, uint64_t end) {
  if (!debugfs_) throw KernelError("split_folio without debugfs prepared");
  write_file(kSplitHugePages, fmt::format("{},{:#x},{:#x}", pid, start, end));
}

}  // namespace rmc::kernel
