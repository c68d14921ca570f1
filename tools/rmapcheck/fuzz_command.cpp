// fuzz_command.cpp - `rmapcheck fuzz`: a differential campaign of every
// design against the eager model, with per-seed swarm configurations.
//
//   rmapcheck fuzz --time 60 [--jobs 2] [--models eager,lazy,...] [--seed S]
//                  [--steps 64] [--procs 4] [--extend 4] [--out DIR] [--known DIR]
//                  [--coverage]
//
// Prints the seed and configuration first, a progress line every second
// (executions, exec/s, steps, coverage, findings by signature), and a table
// at the end: signature, design, first step, shrunk length, known or new.
// Coverage counts the kernel paths of model/core/coverage.h that some
// design's ops took; the end names those never taken, and --coverage
// prints every path with its hits per design. New findings are shrunk and
// written atomically to --out. Exit 1 if a signature not recorded in
// --known was found. With --jobs N, N processes run seeds S+j, S+j+N, ...
// and the parent merges their results. One execution in --extend N keeps a
// random prefix of an earlier trace that took a rare kernel path and draws
// the rest (model/check/campaign.h); each job keeps its own pool.
//
// The models' assertions stay on: one that fires (a model reached a state
// its own code calls impossible) aborts the job, which runs in a process of
// its own even with --jobs 1. The job's last words name the execution and
// the command that repeats the campaign up to it; the parent writes the
// trace the job was running to --out/crash-jobJ-execE.trace (its flight
// recorder), reports every job that died, and the campaign exits 1.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>

#include "model/check/campaign.h"
#include "model/core/atomic_file.h"
#include "model/core/bounds.h"
#include "model/designs.h"
#include "tools/rmapcheck/commands.h"
#include "tools/rmapcheck/flight_recorder.h"

namespace rmc::cli {

namespace {

// Creates `dir` if it is missing; an error unless files can be created in it.
std::optional<std::string> writable_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create the directory: " + ec.message();
  if (!std::filesystem::is_directory(dir)) return "not a directory";
  if (access(dir.c_str(), W_OK | X_OK) != 0) return std::string("cannot write in it: ") + std::strerror(errno);
  return std::nullopt;
}

struct FuzzArgs {
  double seconds = 60;
  uint32_t jobs = 1;
  std::string models = "eager,lazy,lazy-gki,base0,cowctx";
  std::optional<uint64_t> seed;
  uint32_t steps = 64;
  uint32_t processes = 4;
  std::string out = "fuzz-findings";
  std::string known = std::string(RMC_SOURCE_DIR) + "/corpus/findings";
  bool no_swarm = false;
  bool stop_on_new = false;
  uint32_t extend_one_in = 4;
  bool coverage = false;
  uint64_t max_execs = 0;
  std::vector<std::string> options;
};

// The crash report, prepared before every execution and written by the
// signal handler with write(2) alone (nothing else is safe there).
char g_crash_note[1024];
size_t g_crash_note_length = 0;

void write_crash_note(int signal) {
  ssize_t ignored = ::write(STDERR_FILENO, g_crash_note, g_crash_note_length);
  (void)ignored;
  ::raise(signal);  // SA_RESETHAND: the default action now, a core or a death by signal
}

// What a job that dies leaves behind, and where.
struct CrashReport {
  std::string repeat;   // the command line that repeats the campaign (every
                        // flag that changes what runs), less --max-execs
  std::string out_dir;  // --out
  std::string designs;  // --models, for the replay line
};

// In job `job`: each execution goes to the flight recorder (if there is
// one), and the note for the signal handler names it.
class JobRecorder final : public ExecutionRecorder {
 public:
  JobRecorder(uint32_t job, std::string repeat, FlightRecorder* flight)
      : job_(job), repeat_(std::move(repeat)), flight_(flight) {
    struct sigaction action {};
    action.sa_handler = write_crash_note;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(signal, &action, nullptr);
  }
  void begin(uint64_t exec, uint64_t seed, const ModelOptions& options) override {
    if (flight_) flight_->begin(exec, seed, options);
    auto end = fmt::format_to_n(g_crash_note, sizeof g_crash_note - 1,
                                "\nrmapcheck fuzz: job {} died in its execution {} (seed {}): a model's assertion"
                                " or a crash, above.\n  repeat it: {} --max-execs {}\n",
                                job_, exec, seed, repeat_, exec + 1);
    g_crash_note_length = end.size < sizeof g_crash_note ? end.size : sizeof g_crash_note - 1;
  }
  void op(const Op& op) override {
    if (flight_) flight_->op(op);
  }
  void generated() override {
    if (flight_) flight_->generated();
  }

 private:
  uint32_t job_;
  std::string repeat_;
  FlightRecorder* flight_;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The merged view of a campaign, for progress lines and the final table.
// One line: executions, rate, steps, and signatures per design (new ones
// counted apart).
void print_progress(const CampaignResult& r) {
  std::map<std::string, std::pair<size_t, size_t>> by_design;  // total, new
  for (const auto& [sig, s] : r.signatures) {
    auto& counts = by_design[sig.substr(0, sig.find('/'))];
    counts.first++;
    counts.second += !s.known;
  }
  std::string designs;
  for (const auto& [design, counts] : by_design)
    designs += fmt::format(" {} {}{}", design, counts.first, counts.second ? fmt::format(" ({} new)", counts.second) : "");
  fmt::print("[{:6.1f}s] execs {} ({:.0f}/s)  steps {}  coverage {}/{} paths  signatures {}:{}\n", r.seconds,
             r.execs, r.seconds > 0 ? r.execs / r.seconds : 0, r.steps, r.any_design().covered(), kPathCount,
             r.signatures.size(), designs.empty() ? " none" : designs);
  std::fflush(stdout);
}

void merge_into(CampaignResult& total, const CampaignResult& part) {
  total.execs += part.execs;
  total.extended += part.extended;
  total.steps += part.steps;
  for (const auto& [design, c] : part.coverage) total.coverage[design].merge(c);
  for (const auto& [sig, s] : part.signatures) {
    auto [it, inserted] = total.signatures.emplace(sig, s);
    if (inserted) continue;
    SignatureStats& t = it->second;
    t.hits += s.hits;
    if (s.first_seconds < t.first_seconds) {
      const uint64_t hits = t.hits;
      t = s;
      t.hits = hits;
    }
  }
}

// The kernel paths no design took; with `all`, every path and its hits per
// design (a path a design cannot take, such as another design's own, shows 0).
void print_coverage(const CampaignResult& r, const std::vector<std::string>& designs, bool all) {
  const Coverage any = r.any_design();
  fmt::print("\ncoverage: {} of {} kernel paths taken (model/core/coverage.h); never taken: {}\n", any.covered(),
             kPathCount, paths_never_taken(any));
  if (!all) return;
  fmt::print("\n{:<34}", "path");
  for (const std::string& d : designs) fmt::print(" {:>10}", d);
  fmt::print("  when\n");
  for (size_t i = 0; i < kPathCount; i++) {
    const Path path = static_cast<Path>(i);
    fmt::print("{:<34}", path_name(path));
    for (const std::string& d : designs) {
      auto it = r.coverage.find(d);
      fmt::print(" {:>10}", it == r.coverage.end() ? 0 : it->second.hits(path));
    }
    fmt::print("  {}\n", path_description(path));
  }
}

// One job's results as lines on a pipe: "E execs steps seconds extended", one
// "C design hits..." per design (the hits of every path, in coverage.h's
// order) and one "S field|field|..." per signature. Fields never contain
// '|' or newlines.
std::string serialize(const CampaignResult& r) {
  std::string out = fmt::format("E {} {} {} {}\n", r.execs, r.steps, r.seconds, r.extended);
  for (const auto& [design, c] : r.coverage) out += fmt::format("C {} {}\n", design, fmt::join(c.all(), " "));
  for (const auto& [sig, s] : r.signatures)
    out += fmt::format("S {}|{}|{}|{}|{}|{}|{}|{}|{}\n", sig, s.hits, s.first_exec, s.first_seconds, s.first_step,
                       s.shrunk_ops, s.known ? 1 : 0, s.file, s.origin);
  return out;
}

CampaignResult parse_serialized(const std::string& text) {
  CampaignResult r;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("E ", 0) == 0) {
      std::stringstream fields(line.substr(2));
      fields >> r.execs >> r.steps >> r.seconds >> r.extended;
    } else if (line.rfind("C ", 0) == 0) {
      std::stringstream fields(line.substr(2));
      std::string design;
      fields >> design;
      Coverage& c = r.coverage[design];
      for (uint64_t& hits : c.all()) fields >> hits;
    } else if (line.rfind("S ", 0) == 0) {
      std::vector<std::string> f;
      std::stringstream fields(line.substr(2));
      for (std::string item; std::getline(fields, item, '|');) f.push_back(item);
      if (f.size() != 9) continue;
      SignatureStats s;
      s.signature = f[0];
      s.hits = std::stoull(f[1]);
      s.first_exec = std::stoull(f[2]);
      s.first_seconds = std::stod(f[3]);
      s.first_step = std::stoull(f[4]);
      s.shrunk_ops = std::stoull(f[5]);
      s.known = f[6] == "1";
      s.file = f[7];
      s.origin = f[8];
      r.signatures[s.signature] = s;
    }
  }
  return r;
}

// The trace a dead job was running, written atomically to the findings
// directory; returns a line for the report.
std::string write_crash_trace(const CrashReport& report, uint32_t job, const std::string& death,
                              const FlightRecorder* recorder) {
  std::optional<FlightRecorder::Flight> flight = recorder ? recorder->last() : std::nullopt;
  if (!flight) return "it began no execution";
  const std::string path =
      (std::filesystem::path(report.out_dir) / fmt::format("crash-job{}-exec{}.trace", job, flight->exec)).string();
  Trace trace = flight->trace;
  trace.add_header_comments({
      fmt::format("# CRASH: job {} of rmapcheck fuzz {} in its execution {} (seed {}), {}", job, death, flight->exec,
                  flight->seed,
                  flight->whole ? "running the designs"
                                : "generating the trace: the eager world of the generator was running its last op"),
      fmt::format("# replay it: rmapcheck replay --models {} {}", report.designs, path),
      fmt::format("# repeat the campaign up to it: {} --max-execs {}", report.repeat, flight->exec + 1)});
  if (auto err = write_file_atomically(path, print_trace(trace))) return "its trace could not be written: " + *err;
  return "its trace: " + path;
}

// Runs `jobs` child processes (one at the least: a job an assertion kills
// must not take the campaign with it); the last line block each writes is
// its final result; progress lines in between are "E ..." snapshots. Every
// job that died is a line in `died`.
CampaignResult run_jobs(const CampaignOptions& base, uint32_t jobs, const CrashReport& report,
                        std::vector<std::string>& died) {
  std::vector<std::unique_ptr<FlightRecorder>> recorders;
  for (uint32_t j = 0; j < jobs; j++) recorders.push_back(FlightRecorder::create());
  struct Job {
    pid_t pid;
    int fd;
    std::string buffer;
    CampaignResult latest;
    bool done = false;
  };
  std::vector<Job> children;
  for (uint32_t j = 0; j < jobs; j++) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(fds[0]);
      CampaignOptions mine = base;
      mine.seed = base.seed + j;
      mine.stride = jobs;
      JobRecorder recorder(j, report.repeat, recorders[j].get());
      mine.recorder = &recorder;
      auto send = [&](const CampaignResult& r) {
        std::string text = serialize(r) + "END\n";
        for (size_t done = 0; done < text.size();) {
          ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
          if (n <= 0) _exit(3);
          done += static_cast<size_t>(n);
        }
      };
      CampaignResult r = run_campaign(mine, send);
      send(r);
      _exit(0);
    }
    close(fds[1]);
    children.push_back({pid, fds[0], "", {}, false});
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_print = start;
  // Bound: the budget plus a grace period for shrinking the last findings.
  const double deadline = base.seconds + 300;
  size_t open = children.size();
  while (open > 0) {
    std::vector<pollfd> fds;
    for (Job& job : children)
      if (!job.done) fds.push_back({job.fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 200);
    for (Job& job : children) {
      if (job.done) continue;
      pollfd probe{job.fd, POLLIN, 0};
      if (poll(&probe, 1, 0) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(job.fd, chunk, sizeof chunk);
      if (n <= 0) {
        job.done = true;
        open--;
        continue;
      }
      job.buffer.append(chunk, static_cast<size_t>(n));
      for (size_t end; (end = job.buffer.find("END\n")) != std::string::npos;) {
        job.latest = parse_serialized(job.buffer.substr(0, end));
        job.buffer.erase(0, end + 4);
      }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (std::chrono::duration<double>(Clock::now() - last_print).count() >= 1.0) {
      CampaignResult total;
      for (const Job& job : children) merge_into(total, job.latest);
      total.seconds = elapsed;
      print_progress(total);
      last_print = Clock::now();
    }
    if (elapsed > deadline) {
      for (Job& job : children)
        if (!job.done) kill(job.pid, SIGKILL);
      fmt::print(stderr, "rmapcheck fuzz: jobs did not finish in time; killed\n");
      break;
    }
  }
  CampaignResult total;
  for (size_t j = 0; j < children.size(); j++) {
    Job& job = children[j];
    close(job.fd);
    int status = 0;
    waitpid(job.pid, &status, 0);
    merge_into(total, job.latest);
    const int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (signal == SIGINT || signal == SIGTERM || signal == SIGHUP) {
      // Stopped from outside: the campaign is incomplete, but nothing crashed.
      died.push_back(fmt::format("job {} was stopped by signal {} ({})", j, signal, strsignal(signal)));
      continue;
    }
    std::string death;
    if (signal)
      death = fmt::format("died of signal {} ({})", signal, strsignal(signal));
    else if (WEXITSTATUS(status) != 0)
      death = fmt::format("died with exit status {}", WEXITSTATUS(status));
    if (!death.empty())
      died.push_back(fmt::format("job {} {}; {}", j, death, write_crash_trace(report, uint32_t(j), death, recorders[j].get())));
  }
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

int fuzz(const FuzzArgs& args) {
  CampaignOptions options;
  options.seconds = args.seconds;
  options.max_execs = args.max_execs;
  options.seed = args.seed ? *args.seed : std::random_device{}();
  options.steps = args.steps;
  options.processes = args.processes;
  options.swarm = !args.no_swarm;
  options.designs = split(args.models, ',');
  options.findings_dir = args.out;
  options.known = recorded_signatures(args.known);
  options.stop_on_new = args.stop_on_new;
  options.extend_one_in = args.extend_one_in;
  for (const std::string& option : args.options) {
    size_t eq = option.find('=');
    std::optional<std::string> err = eq == std::string::npos
                                         ? std::optional<std::string>("expected NAME=VALUE")
                                         : apply_option(options.model, option.substr(0, eq), option.substr(eq + 1));
    if (err) {
      fmt::print(stderr, "rmapcheck fuzz: --option {}: {}\n", option, *err);
      return kExitBadInput;
    }
  }
  if (options.designs.empty() || options.designs[0] != "eager") options.designs.insert(options.designs.begin(), "eager");
  for (const std::string& design : options.designs)
    if (!valid_design(design)) {
      fmt::print(stderr, "rmapcheck fuzz: unknown design '{}'\n", design);
      return kExitBadInput;
    }
  // A finding found after hours must not be lost to a typo in --out.
  if (std::optional<std::string> err = writable_directory(args.out)) {
    fmt::print(stderr, "rmapcheck fuzz: --out {}: {}\n", args.out, *err);
    return kExitBadInput;
  }
  std::string designs;
  for (const std::string& d : options.designs) designs += (designs.empty() ? "" : ",") + d;
  fmt::print("rmapcheck fuzz --seed {} --time {} --jobs {} --models {} --steps {} --procs {} --extend {}{}\n",
             options.seed, args.seconds, args.jobs, designs, options.steps, options.processes, options.extend_one_in,
             options.swarm ? "" : " --no-swarm");
  fmt::print("known signatures: {} (from {}); new findings go to {}\n", options.known.size(), args.known, args.out);
  std::fflush(stdout);
  // What a crash report tells the user to run: the same campaign, stopped
  // after the execution that died (every job runs that many).
  CrashReport report;
  report.out_dir = args.out;
  report.designs = designs;
  report.repeat = fmt::format(
      "rmapcheck fuzz --seed {} --time 86400 --jobs {} --models {} --steps {} --procs {} --extend {}{} --known {}",
      options.seed, args.jobs, designs, options.steps, options.processes, options.extend_one_in,
      options.swarm ? "" : " --no-swarm", args.known);
  for (const std::string& option : args.options) report.repeat += " --option " + option;
  std::vector<std::string> died;
  CampaignResult result = run_jobs(options, args.jobs, report, died);
  print_progress(result);
  fmt::print("\n{:<44} {:<10} {:>6} {:>10} {:>8} {:>6}  {}\n", "signature", "design", "hits", "first step", "shrunk", "new", "file");
  for (const auto& [sig, s] : result.signatures)
    fmt::print("{:<44} {:<10} {:>6} {:>10} {:>8} {:>6}  {}\n", sig, sig.substr(0, sig.find('/')), s.hits, s.first_step,
               s.known ? "-" : std::to_string(s.shrunk_ops), s.known ? "known" : "NEW", s.file);
  print_coverage(result, options.designs, args.coverage);
  fmt::print("\n{} executions ({} extending a rare-path trace) in {:.1f}s ({:.0f}/s), {} steps, {} signatures, {} new\n",
             result.execs, result.extended, result.seconds, result.seconds > 0 ? result.execs / result.seconds : 0,
             result.steps, result.signatures.size(), result.new_signatures());
  for (const std::string& line : died)
    fmt::print(stderr, "rmapcheck fuzz: {} (its findings up to its last report are kept)\n", line);
  return result.new_signatures() == 0 && died.empty() ? kExitPass : kExitCheckFailed;
}

}  // namespace

void add_fuzz_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FuzzArgs>();
  CLI::App* cmd = app.add_subcommand("fuzz", "A differential campaign of every design against the eager model");
  cmd->add_option("--time", args->seconds, "Seconds to run (default 60)")
      ->check(CLI::Validator(
          [](std::string& text) {
            double seconds = 0;
            return CLI::detail::lexical_cast(text, seconds) && seconds > 0 ? std::string()
                                                                             : "must be a number of seconds > 0";
          },
          "SECONDS > 0"));
  cmd->add_option("--jobs", args->jobs, "Parallel processes (default 1)")->check(CLI::Range(1, 64));
  cmd->add_option("--models", args->models, "Designs, comma-separated; eager is always the reference");
  cmd->add_option("--seed", args->seed, "First seed (default: random, printed)");
  cmd->add_option("--steps", args->steps, "Ops per trace (default 64)")
      ->check(CLI::Range(uint32_t{1}, FlightRecorder::kMaxOps));
  cmd->add_option("--procs", args->processes, "Processes per trace (default 4)")
      ->check(CLI::Range(uint32_t{1}, kMaxProcesses));
  cmd->add_option("--out", args->out, "Directory for new findings (default fuzz-findings)");
  cmd->add_option("--known", args->known, "Directory of recorded findings (default: the source tree's corpus/findings)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--max-execs", args->max_execs, "Stop after this many traces");
  cmd->add_option("--option", args->options, "Model option NAME=VALUE (repeatable)");
  cmd->add_flag("--no-swarm", args->no_swarm, "Same op weights and options for every seed");
  cmd->add_flag("--stop-on-new", args->stop_on_new, "Stop at the first new signature");
  cmd->add_option("--extend", args->extend_one_in,
                  "Re-run a prefix of a trace that took a rare kernel path and draw the rest, "
                  "in 1 execution of N (default 4; 0: never)");
  cmd->add_flag("--coverage", args->coverage, "At the end, every kernel path with its hits per design");
  cmd->callback([args, &exit_code] { exit_code = fuzz(*args); });
}

}  // namespace rmc::cli
