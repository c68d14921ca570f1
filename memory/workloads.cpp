// workloads.cpp - android-boot, apps-N and fork-chain as workload trees.
#include "memory/workloads.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cmath>
#include <random>

#include "model/core/bounds.h"

namespace rmc::memory {

namespace {

// Where a process at fork depth d puts its own objects: the root below
// kChildBase, each deeper level in its own band, so that nothing a child
// maps lands on what it inherited.
constexpr PageNo kRootBase = 0x100;
constexpr PageNo kChildBase = 0x6000;
constexpr PageNo kBandPages = 0x1400;
constexpr uint32_t kMaxDepth = 8;

PageNo band_start(uint32_t depth) { return depth == 0 ? kRootBase : kChildBase + (depth - 1) * kBandPages; }
PageNo band_end(uint32_t depth) { return depth == 0 ? kChildBase : band_start(depth) + kBandPages; }

// Hands out page ranges in a band, each followed by a one-page gap.
class Cursor {
 public:
  explicit Cursor(uint32_t depth) : next_(band_start(depth)), end_(band_end(depth)) { assert(depth < kMaxDepth); }
  PageNo take(PageNo pages) {
    const PageNo at = next_;
    next_ += pages + 1;
    assert(next_ <= end_ && "a process shape does not fit in its address band");
    return at;
  }

 private:
  PageNo next_;
  PageNo end_;
};

// The ops of one process shape; `faulted` holds the inherited faulted
// pages on entry and every faulted page of this process on return.
void add_shape(ProcessPlan& plan, const ProcessShape& s, uint32_t depth, std::vector<PageNo>& faulted) {
  Cursor cursor(depth);
  auto& ops = plan.ops;
  // COW first, before this process adds pages of its own to `faulted`.
  const size_t inherited = faulted.size();
  assert(s.cow_pages <= inherited);
  for (uint32_t k = 0; k < s.cow_pages; k++) ops.push_back(op_write(faulted[k * inherited / s.cow_pages], 1));
  for (uint32_t k = 0; k < s.files; k++) ops.push_back(op_mmap(cursor.take(1), 1, kProtRead));
  std::vector<PageNo> heaps;
  for (uint32_t k = 0; k < s.heaps; k++) {
    const PageNo at = cursor.take(1);
    ops.push_back(op_mmap(at, 1, kProtRead | kProtWrite));
    ops.push_back(op_write(at, 1));
    heaps.push_back(at);
  }
  assert(s.moves <= s.heaps);
  for (uint32_t k = 0; k < s.moves; k++) {
    const PageNo to = cursor.take(1);
    ops.push_back(op_move(heaps[k], 1, to));
    heaps[k] = to;
  }
  faulted.insert(faulted.end(), heaps.begin(), heaps.end());
  for (uint32_t k = 0; k < s.stacks; k++) {
    const PageNo at = cursor.take(3);
    ops.push_back(op_mmap(at, 3, kProtRead | kProtWrite));
    ops.push_back(op_mprotect(at, 1, kProtNone));
    ops.push_back(op_write(at + 2, 1));
    faulted.push_back(at + 2);
  }
  for (uint32_t k = 0; k < s.sealed_pairs; k++) {
    const PageNo at = cursor.take(2);
    for (PageNo half : {at, at + 1}) {
      ops.push_back(op_mmap(half, 1, kProtRead | kProtWrite));
      ops.push_back(op_write(half, 1));
      ops.push_back(op_mprotect(half, 1, kProtRead));
    }
    // Read-only now: not in `faulted`, whose pages children write.
  }
}

// The app's counts scaled by `factor`, rounded to nearest.
ProcessShape scaled(const ProcessShape& s, double factor) {
  auto scale = [factor](uint32_t n) { return static_cast<uint32_t>(std::lround(n * factor)); };
  ProcessShape out{scale(s.heaps), scale(s.stacks), scale(s.sealed_pairs), 0, scale(s.cow_pages), scale(s.files)};
  out.moves = std::min(scale(s.moves), out.heaps);
  return out;
}

// A factor in [1 - spread, 1 + spread] from 53 bits of mt19937_64 (whose
// output the standard fixes, unlike uniform_real_distribution's).
double draw_factor(std::mt19937_64& rng, double spread) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return 1.0 - spread + 2.0 * spread * unit;
}

ProcessPlan child_plan(std::string name, const ProcessShape& shape, uint32_t depth,
                       std::vector<PageNo> faulted) {
  ProcessPlan plan;
  plan.name = std::move(name);
  add_shape(plan, shape, depth, faulted);
  return plan;
}

}  // namespace

// Sources (docs/memory.md section 2 has the table): "4.3" is
// lazy-design.md 4.3's words; "est." is our estimate of a typical process,
// fixed before any result was seen and never tuned to the series' figures
// (rmc_memory_sensitivity shows what each one does).
AndroidShape android_boot_shape() {
  AndroidShape s;
  s.daemons = 25;  // 4.3 (i) "init/... system processes"; the count est.
  s.daemon = {.heaps = 30, .stacks = 10, .files = 150};  // est.
  // 4.3 (i) "zygote with a few thousand faulted VMAs": 2000 + 8 + 2 * 20 =
  // 2048 faulted; 1500 file VMAs (libraries, fonts, boot image) est.
  s.zygote = {.heaps = 2000, .stacks = 8, .sealed_pairs = 20, .files = 1500};
  // The first child; the biggest Java process (est.).
  s.system_server = {.heaps = 400, .stacks = 100, .sealed_pairs = 20, .moves = 8, .cow_pages = 400, .files = 300};
  s.system_apps = 29;  // + system_server: 30, 4.3 (i) "tens of children"
  s.system_app = {.heaps = 40, .stacks = 20, .sealed_pairs = 5, .moves = 2, .cow_pages = 100, .files = 60};  // est.
  // 4.3 (ii) "own mmaps/faults (ART heaps, malloc arenas, thread stacks),
  // occasional mremap"; the counts est.
  s.user_app = {.heaps = 80, .stacks = 40, .sealed_pairs = 10, .moves = 4, .cow_pages = 200, .files = 150};
  s.fork_every = 8;  // 4.3 (ii) "few forks" (a watchdog child); also at boot: our choice
  s.forked_child = {.heaps = 4, .stacks = 2, .cow_pages = 10};  // est.
  s.spread = 0.25;  // apps are not all alike: est.
  s.seed = 1;
  return s;
}

AndroidShape android_apps_shape(uint32_t user_apps) {
  AndroidShape s = android_boot_shape();
  s.user_apps = user_apps;
  return s;
}

Workload android_workload(std::string name, const AndroidShape& shape) {
  Workload w;
  w.name = std::move(name);
  w.description = fmt::format(
      "{} exec'd daemons; a zygote with {} faulted and {} file VMAs forking system_server, {} system apps "
      "and {} user apps (every {}th app forks a child)",
      shape.daemons, shape.zygote.heaps + shape.zygote.stacks + 2 * shape.zygote.sealed_pairs, shape.zygote.files,
      shape.system_apps, shape.user_apps, shape.fork_every);
  std::mt19937_64 rng(shape.seed);
  for (uint32_t i = 0; i < shape.daemons; i++)
    w.roots.push_back(child_plan(fmt::format("daemon {}", i + 1), scaled(shape.daemon, draw_factor(rng, shape.spread)),
                                 0, {}));
  ProcessPlan zygote;
  zygote.name = "zygote";
  std::vector<PageNo> zygote_faulted;
  add_shape(zygote, shape.zygote, 0, zygote_faulted);
  zygote.children.push_back(child_plan("system_server", shape.system_server, 1, zygote_faulted));
  const uint32_t apps = shape.system_apps + shape.user_apps;
  for (uint32_t i = 1; i <= apps; i++) {
    const bool system = i <= shape.system_apps;
    const std::string name = system ? fmt::format("system app {}", i) : fmt::format("user app {}", i - shape.system_apps);
    const ProcessShape app = scaled(system ? shape.system_app : shape.user_app, draw_factor(rng, shape.spread));
    ProcessPlan plan;
    plan.name = name;
    std::vector<PageNo> faulted = zygote_faulted;
    add_shape(plan, app, 1, faulted);
    if (shape.fork_every != 0 && i % shape.fork_every == 0)
      plan.children.push_back(child_plan("child of " + name, shape.forked_child, 2, faulted));
    zygote.children.push_back(std::move(plan));
  }
  w.roots.push_back(std::move(zygote));
  return w;
}

Workload fork_chain_workload(const ChainShape& shape) {
  assert(shape.processes >= 1 && shape.processes <= kMaxDepth);
  Workload w;
  w.name = "fork-chain";
  w.description = fmt::format(
      "a process with {} faulted VMAs, then a chain of {} forks; each child writes {} inherited pages and "
      "faults {} heaps of its own",
      shape.vmas, shape.processes - 1, shape.cow_pages, shape.own_heaps);
  std::vector<PageNo> faulted;
  ProcessPlan root;
  root.name = "P";
  add_shape(root, {.heaps = shape.vmas}, 0, faulted);
  // Build from the deepest child up: each plan owns its only child.
  std::vector<ProcessPlan> chain;
  std::vector<std::vector<PageNo>> faulted_at{faulted};
  for (uint32_t d = 1; d < shape.processes; d++) {
    ProcessPlan plan;
    plan.name = fmt::format("child {}", d);
    std::vector<PageNo> f = faulted_at.back();
    add_shape(plan, {.heaps = shape.own_heaps, .cow_pages = std::min<uint32_t>(shape.cow_pages, f.size())}, d, f);
    faulted_at.push_back(std::move(f));
    chain.push_back(std::move(plan));
  }
  for (size_t i = chain.size(); i-- > 1;) chain[i - 1].children.push_back(std::move(chain[i]));
  if (!chain.empty()) root.children.push_back(std::move(chain[0]));
  w.roots.push_back(std::move(root));
  return w;
}

std::optional<Workload> named_workload(std::string_view name, std::string* why) {
  if (name == "android-boot") return android_workload("android-boot", android_boot_shape());
  if (name == "fork-chain") return fork_chain_workload(ChainShape{});
  if (name.starts_with("apps-")) {
    const std::string_view digits = name.substr(5);
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && end == digits.data() + digits.size() && n >= 1 && n <= kMaxApps)
      return android_workload(std::string(name), android_apps_shape(n));
    if (why) *why = fmt::format("'{}': apps-N takes a number of apps N from 1 to {}", name, kMaxApps);
    return std::nullopt;
  }
  if (why) *why = fmt::format("unknown workload '{}' (known: android-boot, apps-N, fork-chain, FILE.trace)", name);
  return std::nullopt;
}

std::vector<std::string> workload_names() { return {"android-boot", "apps-N (apps-24: the series' 24 apps)", "fork-chain"}; }

}  // namespace rmc::memory
