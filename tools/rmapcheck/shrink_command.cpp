// shrink_command.cpp - `rmapcheck shrink INPUT`, `rmapcheck encode` and
// `rmapcheck decode`.
//
//   rmapcheck shrink INPUT [--models eager,lazy,...] [--signature SIG] [--out FILE]
//
// INPUT is a trace file, or a fuzzer input (bytes in the op codec, e.g. a
// libFuzzer crash-* file). The differential run of the designs must report
// a finding; the first one (or --signature) is shrunk op by op (drop ops,
// processes, shorter ranges, fewer flags, renumbered processes) and the
// minimal trace with the same signature is printed, or written atomically
// to --out with its verdict lines. An input whose run dies (a model's
// assertion fires: model/check/crash_probe.h) is shrunk to a minimal trace
// that dies the same way, each attempt in a child process.
//
//   rmapcheck encode TRACE... --out DIR
//
// writes the op-codec bytes of each trace (DIR/NAME.bin), the seed corpus of
// the libFuzzer target.
//
//   rmapcheck decode INPUT... [--out DIR]
//
// the other way: the trace a fuzzer input runs (the ops the eager reference
// accepts, with the input's model options), printed, or written atomically
// to DIR/NAME.trace; `rmapcheck replay` then shows it step by step, every
// design side by side. Unshrunk: `shrink` makes it minimal. The reference
// decides in a child process: if a model's assertion kills it, the trace
// ends with the op that did, and decode exits 1.
#include <fmt/format.h>

#include <cassert>
#include <filesystem>
#include <sstream>

#include "model/check/crash_probe.h"
#include "model/check/findings.h"
#include "model/core/atomic_file.h"
#include "model/core/op_codec.h"
#include "model/designs.h"
#include "tools/rmapcheck/commands.h"
#include "tools/rmapcheck/flight_recorder.h"

namespace rmc::cli {

namespace {

std::vector<std::string> split_designs(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string d; std::getline(in, d, ',');)
    if (!d.empty()) out.push_back(d);
  if (out.empty() || out[0] != "eager") out.insert(out.begin(), "eager");
  return out;
}

// Fuzzer bytes as the trace they run. Which ops the eager reference accepts
// is known only by running them, and a model's assertion may fire there:
// the reference runs in a child process, and a flight recorder brings the
// accepted ops back, up to the one that killed the child if one did.
struct Decoded {
  Trace trace;
  size_t refused = 0;                // ops the reference refused (left out)
  std::optional<std::string> died;   // what killed the reference, if it died
};

Decoded decode_in_child(const std::string& bytes, const std::string& path) {
  Decoded out;
  std::unique_ptr<FlightRecorder> recorder = FlightRecorder::create();
  if (!recorder) {  // no shared memory: decode here, as the fuzz target does
    out.trace = decoded_trace(bytes, path, &out.refused);
    return out;
  }
  // The options and the op count, which the record does not keep.
  const DecodedInput input = decode_ops(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const ChildEnd end = run_in_child([&] {
    recorder->begin(0, 0, input.options);
    decoded_trace(bytes, path, nullptr, [&](const Op& op) { recorder->op(op); });
    recorder->generated();
  });
  const std::optional<FlightRecorder::Flight> flight = recorder->last();
  assert(flight);  // begin() runs before anything that can fail
  out.trace = flight->trace;
  out.trace.source = path;
  if (end.died) out.died = end.what;
  if (flight->whole) out.refused = input.ops.size() - out.trace.op_count();
  return out;
}

// A trace file, or fuzzer bytes turned into the trace of the ops the
// reference accepts.
std::optional<Trace> load_input(const std::string& path, std::string& error) {
  auto read = read_input_file(path);
  if (auto* e = std::get_if<TraceError>(&read)) {
    error = e->str();
    return std::nullopt;
  }
  const std::string& bytes = std::get<std::string>(read);
  if (bytes.rfind(std::string(kTraceMagic), 0) == 0) {
    ParseResult parsed = parse_trace(bytes, path);
    if (auto* e = std::get_if<TraceError>(&parsed)) {
      error = e->str();
      return std::nullopt;
    }
    return std::get<Trace>(parsed);
  }
  return decode_in_child(bytes, path).trace;
}

// `trace` kills the process that runs it (`end`): shrink it through the
// crash probe, keeping each attempt whose child dies the same way.
int shrink_crash(const std::string& input, const Trace& trace, const std::vector<std::string>& designs,
                 const std::string& models, const ChildEnd& end, const std::string& out) {
  fmt::print("{}: the run dies: {}\n", input, end.what);
  if (end.what.rfind("timeout", 0) == 0) {
    fmt::print("{}: a hang is not shrunk (each attempt would take {} s)\n", input, kChildTimeoutSeconds);
    return kExitCheckFailed;
  }
  ShrinkStats stats;
  const Trace small = shrink_trace(
      trace,
      [&](const Trace& attempt) {
        const ChildEnd e = run_differential_in_child(attempt, designs);
        return e.died && e.what == end.what;
      },
      &stats);
  fmt::print("{}: crash shrunk from {} to {} ops in {} runs\n", input, stats.ops_before, stats.ops_after,
             stats.attempts);
  Trace printed = small;
  printed.add_header_comments({"# CRASH: " + end.what,
                               fmt::format("# shrunk by rmapcheck shrink {} (designs {}); `rmapcheck replay --models "
                                           "{}` runs it to the same end",
                                           input, models, models)});
  const std::string text = print_trace(printed);
  if (out.empty()) {
    fmt::print("{}", text);
  } else if (auto err = write_file_atomically(out, text)) {
    fmt::print(stderr, "rmapcheck shrink: {}\n", *err);
    return kExitBadInput;
  }
  return kExitCheckFailed;
}

struct ShrinkArgs {
  std::string input;
  std::string models = "eager,lazy,lazy-gki,base0,cowctx";
  std::string signature;
  std::string out;
};

int shrink(const ShrinkArgs& args) {
  const std::vector<std::string> designs = split_designs(args.models);
  for (const std::string& d : designs)
    if (!valid_design(d)) {
      fmt::print(stderr, "rmapcheck shrink: unknown design '{}'\n", d);
      return kExitBadInput;
    }
  std::string error;
  std::optional<Trace> trace = load_input(args.input, error);
  if (!trace) {
    fmt::print(stderr, "{}\n", error);
    return kExitBadInput;
  }
  // A model's assertion would kill this process: find out in a child first.
  if (const ChildEnd end = run_differential_in_child(*trace, designs); end.died)
    return shrink_crash(args.input, *trace, designs, args.models, end, args.out);
  DifferentialResult run = run_differential(*trace, designs);
  if (run.error) {
    fmt::print(stderr, "{}:{}: {}\n", args.input, run.error_line, *run.error);
    return kExitBadInput;
  }
  const Finding* target = nullptr;
  for (const Finding& f : run.findings)
    if (args.signature.empty() || f.signature() == args.signature) {
      target = &f;
      break;
    }
  if (!target) {
    fmt::print("{}: no finding{} (designs {})\n", args.input, args.signature.empty() ? "" : " " + args.signature,
               args.models);
    return kExitPass;
  }
  ShrinkStats stats;
  Trace small = shrink_finding(*trace, *target, designs, &stats);
  fmt::print("{}: {} shrunk from {} to {} ops in {} runs\n", args.input, target->signature(), stats.ops_before,
             stats.ops_after, stats.attempts);
  const std::string text = finding_trace_text(*target, small, designs, "rmapcheck shrink " + args.input);
  if (args.out.empty()) {
    fmt::print("{}", text);
  } else if (auto err = write_file_atomically(args.out, text)) {
    fmt::print(stderr, "rmapcheck shrink: {}\n", *err);
    return kExitBadInput;
  }
  return kExitCheckFailed;
}

int decode(const std::vector<std::string>& paths, const std::string& dir) {
  int status = kExitPass;
  for (const std::string& path : paths) {
    auto read = read_input_file(path);
    if (auto* e = std::get_if<TraceError>(&read)) {
      fmt::print(stderr, "{}\n", e->str());
      return kExitBadInput;
    }
    const std::string& bytes = std::get<std::string>(read);
    if (bytes.rfind(std::string(kTraceMagic), 0) == 0) {
      fmt::print(stderr, "{}:1: already a trace, not fuzzer bytes\n", path);
      return kExitBadInput;
    }
    Decoded decoded = decode_in_child(bytes, path);
    Trace& trace = decoded.trace;
    trace.add_header_comments({decoded.died
                                   ? fmt::format("# rmapcheck decode {}: {} bytes; the eager reference died running "
                                                 "the last of these {} ops: {}",
                                                 path, bytes.size(), trace.op_count(), *decoded.died)
                                   : fmt::format("# rmapcheck decode {}: {} bytes, {} ops, {} more refused by the "
                                                 "eager reference (left out, as the fuzz target skips them)",
                                                 path, bytes.size(), trace.op_count(), decoded.refused)});
    if (decoded.died) status = kExitCheckFailed;
    const std::string text = print_trace(trace);
    if (dir.empty()) {
      fmt::print("{}", text);
      continue;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string out = (std::filesystem::path(dir) / std::filesystem::path(path).filename()).string() + ".trace";
    if (auto err = write_file_atomically(out, text)) {
      fmt::print(stderr, "rmapcheck decode: {}\n", *err);
      return kExitBadInput;
    }
  }
  if (!dir.empty()) fmt::print("{} traces written to {}\n", paths.size(), dir);
  return status;
}

int encode(const std::vector<std::string>& paths, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  size_t written = 0, skipped = 0;
  for (const std::string& path : paths) {
    ParseResult parsed = parse_trace_file(path);
    if (auto* e = std::get_if<TraceError>(&parsed)) {
      fmt::print(stderr, "{}\n", e->str());
      return kExitBadInput;
    }
    const Trace& trace = std::get<Trace>(parsed);
    std::optional<std::string> bytes = encode_ops(trace_ops(trace), trace.options);
    if (!bytes) {
      skipped++;
      continue;
    }
    const std::string out = (std::filesystem::path(dir) / std::filesystem::path(path).stem()).string() + ".bin";
    if (auto err = write_file_atomically(out, *bytes)) {
      fmt::print(stderr, "rmapcheck encode: {}\n", *err);
      return kExitBadInput;
    }
    written++;
  }
  fmt::print("{} inputs written to {}, {} traces the codec cannot express skipped\n", written, dir, skipped);
  return kExitPass;
}

}  // namespace

void add_shrink_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ShrinkArgs>();
  CLI::App* cmd = app.add_subcommand("shrink", "Shrink a failing trace or fuzzer input to a minimal trace");
  cmd->add_option("input", args->input, "Trace file or fuzzer input")->required();
  cmd->add_option("--models", args->models, "Designs, comma-separated (eager is the reference)");
  cmd->add_option("--signature", args->signature, "The finding to keep (default: the first)");
  cmd->add_option("--out", args->out, "Write the shrunk trace here instead of printing it");
  cmd->callback([args, &exit_code] { exit_code = shrink(*args); });

  auto paths = std::make_shared<std::vector<std::string>>();
  auto dir = std::make_shared<std::string>();
  CLI::App* enc = app.add_subcommand("encode", "Write traces in the fuzzer's byte form (seed corpus)");
  enc->add_option("traces", *paths, "Trace files")->required();
  enc->add_option("--out", *dir, "Directory for the .bin files")->required();
  enc->callback([paths, dir, &exit_code] { exit_code = encode(*paths, *dir); });

  auto inputs = std::make_shared<std::vector<std::string>>();
  auto decode_dir = std::make_shared<std::string>();
  CLI::App* dec = app.add_subcommand("decode", "Turn fuzzer inputs (crash-* files, corpus) into the traces they run");
  dec->add_option("inputs", *inputs, "Fuzzer inputs")->required();
  dec->add_option("--out", *decode_dir, "Write DIR/NAME.trace for each input instead of printing");
  dec->callback([inputs, decode_dir, &exit_code] { exit_code = decode(*inputs, *decode_dir); });
}

}  // namespace rmc::cli
