// kernel_commands.cpp - `rmapcheck kernel` and `rmapcheck kernel-fuzz`.
//
//   rmapcheck kernel TRACE... [--steps] [--time [--runs N]] [--no-exclusive]
//                             [--no-counts] [--confirm N] [--timeout MS]
//                             [--swap-dir DIR]
//   rmapcheck kernel-fuzz [--time SECONDS] [--seed S] [--out DIR] [--ops MIN-MAX]
//                         [--procs MIN-MAX] [--no-large-folios] [--shrink N]
//
// Both need root. Exit status: 0 every trace agreed, 1 a difference (or an
// expectation that fails on the kernel, or a model check), 2 bad input or a
// kernel-side error (a worker died, /proc unreadable), 77 nothing could be
// compared here (not root, or every trace needs what this machine lacks).
// kernel-fuzz also exits 0 when every difference it found is a known
// environment difference (kernel_fuzz.h).
// docs/kernel-oracle.md is the manual.
#include <fmt/format.h>
#include <sys/utsname.h>

#include "kernel/host.h"
#include "kernel/kernel_fuzz.h"
#include "kernel/oracle.h"
#include "kernel/timing.h"
#include "model/core/op_table.h"
#include "tools/rmapcheck/commands.h"

namespace rmc::cli {

namespace {

using kernel::OracleVerdict;

// The automake / ctest convention for "skipped".
constexpr int kExitSkipped = 77;

struct KernelArgs {
  std::vector<std::string> traces;
  bool steps = false;
  bool time = false;
  int runs = 5;
  bool no_exclusive = false;
  bool no_counts = false;
  int confirm = 2;
  int timeout_ms = 10000;
  std::string swap_dir = "/var/tmp";
};

struct FuzzArgs {
  double seconds = 60;
  uint64_t seed = 1;
  std::string out = kernel::FuzzOptions().out_dir;
  std::string ops = "16-32";
  std::string procs = "2-4";
  bool no_large = false;
  std::vector<std::string> no_ops;
  size_t shrink = 300;
  int timeout_ms = 10000;
  std::string swap_dir = "/var/tmp";
};

std::string kernel_release() {
  utsname u{};
  uname(&u);
  return fmt::format("{} {}", u.sysname, u.release);
}

kernel::OracleOptions oracle_options(bool no_exclusive, bool no_counts, int confirm, int timeout_ms) {
  kernel::OracleOptions o;
  o.compare.exclusive = !no_exclusive;
  o.compare.counts = !no_counts;
  o.confirm_runs = confirm;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  return o;
}

void print_verdict(const std::string& path, const OracleVerdict& v, bool with_detail) {
  using K = OracleVerdict::Kind;
  switch (v.kind) {
    case K::kAgree: fmt::print("{}: agree ({} steps)\n", path, v.steps); break;
    case K::kDisagree:
      fmt::print("{}: DISAGREE at step {} (line {}) [{}]: {}\n", path, v.step, v.line, v.category, v.what);
      break;
    case K::kExpectFailed: fmt::print("{}: EXPECT FAILS ON THE KERNEL at step {} (line {}): {}\n", path, v.step, v.line, v.what); break;
    case K::kModelFailed: fmt::print("{}: MODEL FAILS at step {} (line {}): {}\n", path, v.step, v.line, v.what); break;
    case K::kBadInput: fmt::print(stderr, "{}\n", v.what); break;
    case K::kSkipped: fmt::print("{}: skipped: {}\n", path, v.what); break;
    case K::kKernelError: fmt::print("{}: KERNEL-SIDE ERROR at step {}: {}\n", path, v.step, v.what); break;
    case K::kNoisy: fmt::print("{}: NOT COMPARED: {}\n", path, v.what); break;
  }
  for (const std::string& note : v.notes) fmt::print("  note: {}\n", note);
  // What other processes did to some runs is not part of the result: stderr.
  for (const std::string& note : v.rerun_notes) fmt::print(stderr, "{}: note: {}\n", path, note);
  if (with_detail && !v.detail.empty()) fmt::print("\n{}\n", v.detail);
}

int exit_code_of(const OracleVerdict& v) {
  using K = OracleVerdict::Kind;
  switch (v.kind) {
    case K::kAgree: return kExitPass;
    case K::kDisagree:
    case K::kExpectFailed:
    case K::kModelFailed: return kExitCheckFailed;
    case K::kBadInput:
    case K::kKernelError:
    case K::kNoisy: return kExitBadInput;
    case K::kSkipped: return kExitSkipped;
  }
  return kExitBadInput;
}

int run_time(const Trace& trace, const std::string& path, kernel::Host& host, const kernel::OracleOptions& options, int runs) {
  const kernel::TraceTiming t = kernel::time_trace(trace, host, options, runs);
  fmt::print("{}: {} ops\n", path, trace.op_count());
  fmt::print("  model (eager, no checks)      {:>12.1f} us  (median of {} runs)\n", t.model_us, t.model_runs);
  fmt::print("  model (eager, every check)    {:>12.1f} us\n", t.model_checks_us);
  fmt::print("  model (no checks, new world)  {:>12.1f} us  (a World built per run)\n", t.model_fresh_us);
  if (!t.skipped.empty()) {
    fmt::print("  kernel: skipped: {}\n", t.skipped);
    return kExitSkipped;
  }
  fmt::print("  kernel (ops in real processes){:>12.1f} us  (median of {} runs)\n", t.kernel_us, t.kernel_runs);
  fmt::print("  kernel, ops only (no P0 start){:>12.1f} us\n", t.kernel_ops_us);
  fmt::print("  oracle (ops + observation)    {:>12.1f} us\n", t.oracle_us);
  fmt::print("  kernel / model: {:.0f}x (no checks), {:.0f}x (every check), {:.0f}x (new world); ops only {:.0f}x, {:.0f}x\n",
             t.kernel_us / t.model_us, t.kernel_us / t.model_checks_us, t.kernel_us / t.model_fresh_us,
             t.kernel_ops_us / t.model_us, t.kernel_ops_us / t.model_checks_us);
  return kExitPass;
}

int run_kernel(const KernelArgs& args) {
  if (auto why = kernel::kernel_oracle_unavailable()) {
    fmt::print(stderr, "rmapcheck kernel: cannot run here: {}\n", *why);
    return kExitSkipped;
  }
  kernel::HostOptions host_options;
  host_options.swap_dir = args.swap_dir;
  kernel::Host host(host_options);
  const kernel::OracleOptions options = oracle_options(args.no_exclusive, args.no_counts, args.confirm, args.timeout_ms);
  fmt::print("rmapcheck kernel: {}, workers on CPU {}, arena at {:#x}\n", kernel_release(), host.worker_cpu(), kernel::kArenaBase);
  int worst = kExitPass;
  size_t agreed = 0, skipped = 0;
  for (const std::string& path : args.traces) {
    ParseResult parsed = parse_trace_file(path);
    if (auto* error = std::get_if<TraceError>(&parsed)) {
      fmt::print(stderr, "{}\n", error->str());
      worst = std::max(worst, kExitBadInput);
      continue;
    }
    const Trace& trace = std::get<Trace>(parsed);
    int code;
    if (args.time) {
      code = run_time(trace, path, host, options, args.runs);
    } else {
      kernel::OracleOptions o = options;
      o.picture_every_step = args.steps;
      const OracleVerdict v = kernel::run_on_kernel(trace, host, o);
      print_verdict(path, v, /*with_detail=*/true);
      code = exit_code_of(v);
    }
    agreed += code == kExitPass;
    skipped += code == kExitSkipped;
    if (code != kExitSkipped) worst = std::max(worst, code);
  }
  if (args.traces.size() > 1)
    fmt::print("{} traces: {} agree, {} skipped, {} other\n", args.traces.size(), agreed, skipped,
               args.traces.size() - agreed - skipped);
  if (skipped == args.traces.size()) return kExitSkipped;
  return worst;
}

bool parse_range(const std::string& text, uint32_t& lo, uint32_t& hi) {
  size_t dash = text.find('-');
  auto a = parse_number(text.substr(0, dash));
  auto b = dash == std::string::npos ? a : parse_number(text.substr(dash + 1));
  if (!a || !b || *a > *b || *b > 100000) return false;
  lo = static_cast<uint32_t>(*a);
  hi = static_cast<uint32_t>(*b);
  return true;
}

// " mmap 812, munmap 301, ...": how often each op ran and agreed, in op
// table order; ops never drawn are left out.
std::string agreed_ops_text(const kernel::FuzzReport& report) {
  std::string out;
  for (const OpSpec& spec : op_table())
    if (const size_t n = report.agreed_ops[static_cast<size_t>(spec.kind)])
      out += fmt::format("{} {} {}", out.empty() ? "" : ",", spec.name, n);
  return out.empty() ? " none" : out;
}

int run_fuzz(const FuzzArgs& args) {
  if (auto why = kernel::kernel_oracle_unavailable()) {
    fmt::print(stderr, "rmapcheck kernel-fuzz: cannot run here: {}\n", *why);
    return kExitSkipped;
  }
  kernel::FuzzOptions options;
  options.seconds = args.seconds;
  options.seed = args.seed;
  options.out_dir = args.out;
  options.large_folios = !args.no_large;
  options.shrink_attempts = args.shrink;
  for (const std::string& name : args.no_ops) {
    auto kind = op_kind_from_name(name);
    if (!kind) {
      fmt::print(stderr, "rmapcheck kernel-fuzz: --no-op: unknown op '{}'\n", name);
      return kExitBadInput;
    }
    options.left_out.push_back(*kind);
  }
  options.oracle = oracle_options(false, false, 2, args.timeout_ms);
  if (!parse_range(args.ops, options.min_ops, options.max_ops) || options.min_ops < 1) {
    fmt::print(stderr, "rmapcheck kernel-fuzz: --ops must be MIN-MAX (e.g. 16-32)\n");
    return kExitBadInput;
  }
  if (!parse_range(args.procs, options.min_procs, options.max_procs) || options.min_procs < 1 ||
      options.max_procs > kMaxProcesses) {
    fmt::print(stderr, "rmapcheck kernel-fuzz: --procs must be MIN-MAX within 1-{}\n", kMaxProcesses);
    return kExitBadInput;
  }
  kernel::HostOptions host_options;
  host_options.swap_dir = args.swap_dir;
  kernel::Host host(host_options);
  std::string left_out;
  for (const std::string& name : args.no_ops) left_out += " --no-op " + name;
  fmt::print("rmapcheck kernel-fuzz --time {} --seed {} --ops {} --procs {}{}{}  ({}, workers on CPU {})\n", args.seconds,
             args.seed, args.ops, args.procs, args.no_large ? " --no-large-folios" : "", left_out, kernel_release(),
             host.worker_cpu());
  fmt::print("findings go to {}/\n", args.out);
  const kernel::FuzzReport report = kernel::kernel_fuzz(options, host, [](size_t, uint64_t seed, const OracleVerdict& v) {
    if (v.kind != OracleVerdict::Kind::kAgree || v.runs > 1) {
      fmt::print("seed {}: {}", seed, verdict_kind_name(v.kind));
      if (!v.category.empty()) fmt::print(" [{}]", v.category);
      if (v.kind == OracleVerdict::Kind::kAgree)
        fmt::print(" ({} runs)\n", v.runs);
      else
        fmt::print(" at step {}: {}\n", v.step, v.what);
      for (const std::string& note : v.notes)
        if (note.find("not judged") == std::string::npos && note.find("made MREMAP_FIXED") == std::string::npos)
          fmt::print("  note: {}\n", note);
      for (const std::string& note : v.rerun_notes) fmt::print("  note: {}\n", note);
      fflush(stdout);
    }
  });
  fmt::print("\n{} traces in {:.1f} s ({:.1f} s shrinking): {} agree, {} differ, {} skipped, {} not compared (busy "
             "machine); {} steps compared\n",
             report.traces, report.seconds, report.shrink_seconds, report.agree, report.findings.size(), report.skipped,
             report.noisy, report.steps);
  fmt::print("agreement rate: {:.2f}% ({} of {} compared traces; {:.1f} traces/s)\n", 100 * report.agreement_rate(),
             report.agree, report.traces - report.skipped - report.noisy,
             report.seconds > 0 ? static_cast<double>(report.traces) / report.seconds : 0.0);
  fmt::print("ops in the agreeing traces:{}\n", agreed_ops_text(report));
  for (const std::string& note : report.notes) fmt::print("note: {}\n", note);
  if (report.unconfirmed)
    fmt::print("{} traces agreed only on a rerun (a first run differed; see above), saved as {}/unconfirmed-SEED.trace\n",
               report.unconfirmed, args.out);
  for (const std::string& why : report.skip_reasons) fmt::print("skipped: {}\n", why);
  for (const kernel::FuzzFinding& f : report.findings)
    fmt::print("finding seed {}: {} [{}] at step {} ({} -> {} ops): {}{}\n  saved: {}\n", f.seed,
               verdict_kind_name(f.verdict.kind), f.verdict.category, f.verdict.step, f.ops_before, f.ops_after,
               f.verdict.what, f.explained.empty() ? "" : " (explained: " + f.explained + ")", f.path);
  if (report.explained)
    fmt::print("{} of {} differences explained by a known environment difference (docs/kernel-oracle.md)\n",
               report.explained, report.findings.size());
  if (report.traces == report.skipped) return kExitSkipped;
  // Exit 0 when every difference is explained.
  return report.findings.size() == report.explained ? kExitPass : kExitCheckFailed;
}

}  // namespace

void add_kernel_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<KernelArgs>();
  CLI::App* cmd = app.add_subcommand("kernel", "Run traces on the live kernel (root) and compare every step with the eager model");
  cmd->add_option("traces", args->traces, "Trace files")->required();
  cmd->add_flag("--steps", args->steps, "Show both sides' layouts after every step");
  cmd->add_flag("--time", args->time, "Time the model and the kernel on each trace instead of comparing");
  cmd->add_option("--runs", args->runs, "Kernel runs per trace with --time (median)")->check(CLI::Range(1, 1000));
  cmd->add_flag("--no-exclusive", args->no_exclusive, "Do not compare PageAnonExclusive");
  cmd->add_flag("--no-counts", args->no_counts, "Do not compare VMA / anon_vma / AVC counts");
  cmd->add_option("--confirm", args->confirm, "Reruns that must reproduce a difference (default 2)")->check(CLI::Range(0, 10));
  cmd->add_option("--timeout", args->timeout_ms, "Milliseconds a worker may take per command")->check(CLI::Range(100, 600000));
  cmd->add_option("--swap-dir", args->swap_dir, "Directory for the temporary swap file (not tmpfs)");
  cmd->callback([args, &exit_code] { exit_code = run_kernel(*args); });

  auto fuzz = std::make_shared<FuzzArgs>();
  CLI::App* fcmd = app.add_subcommand("kernel-fuzz", "Random traces on the live kernel and the model; shrink every difference");
  fcmd->add_option("--time", fuzz->seconds, "Seconds to start new traces for (default 60)")->check(CLI::Range(0.0, 1e7));
  fcmd->add_option("--seed", fuzz->seed, "First seed (trace i uses seed + i)");
  fcmd->add_option("--out", fuzz->out, "Directory for shrunk findings (default fuzz-findings/kernel)");
  fcmd->add_option("--ops", fuzz->ops, "Ops per trace, MIN-MAX (default 16-32)");
  fcmd->add_option("--procs", fuzz->procs, "Processes per trace, MIN-MAX (default 2-4)");
  fcmd->add_flag("--no-large-folios", fuzz->no_large, "No mTHP traces");
  fcmd->add_option("--no-op", fuzz->no_ops, "Leave this op out of the traces (repeatable), e.g. to look past a known difference");
  fcmd->add_option("--shrink", fuzz->shrink, "Kernel runs per shrink (default 300)");
  fcmd->add_option("--timeout", fuzz->timeout_ms, "Milliseconds a worker may take per command")->check(CLI::Range(100, 600000));
  fcmd->add_option("--swap-dir", fuzz->swap_dir, "Directory for the temporary swap file (not tmpfs)");
  fcmd->callback([fuzz, &exit_code] { exit_code = run_fuzz(*fuzz); });
}

}  // namespace rmc::cli
