// random_trace.h - random traces from a seed, driven by the op table.
//
// The generator runs each op it picks on a reference world (eager, no
// checks), so every op is valid where it lands: addresses are drawn near the
// VMAs that exist, children get fresh names, and an op the kernel would
// refuse is redrawn. With `recent_one_in` set, an address is sometimes one of
// the last few ranges an op touched (in any process): the bugs worth finding
// are several ops on the same pages (write, pageout, fork, read, pageout), and
// a fresh draw inside a random VMA lands on the same page again too rarely.
// A Chooser supplies every decision (a seeded PRNG: the campaign, the
// benchmarks, the tests; the libFuzzer target does not generate, it decodes
// its bytes into ops through model/core/op_codec.h).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "model/core/op.h"
#include "model/core/trace.h"

namespace rmc {

class World;

// Source of choices.
class Chooser {
 public:
  virtual ~Chooser() = default;
  // A value in [0, n); n >= 1.
  virtual uint64_t below(uint64_t n) = 0;
  bool one_in(uint64_t n) { return below(n) == 0; }
};

// splitmix64: small, fast, and the same sequence on every machine.
class SeededChooser final : public Chooser {
 public:
  explicit SeededChooser(uint64_t seed) : state_(seed) {}
  uint64_t next();
  uint64_t below(uint64_t n) override { return next() % n; }

 private:
  uint64_t state_;
};

struct GeneratorOptions {
  uint32_t max_processes = 4;      // live and exited, P0 included
  PageNo window_start = 0x100;     // fresh mappings land in [start, start + pages)
  PageNo window_pages = 0x40;
  uint32_t max_len = 8;            // typical range length
  uint32_t recent_one_in = 0;      // an address re-uses a recent op's range with
                                   // probability 1/N (0: never)
  std::array<uint32_t, static_cast<size_t>(OpKind::kCount)> weights{};  // from the op table
  GeneratorOptions();
};

class TraceGenerator {
 public:
  explicit TraceGenerator(const GeneratorOptions& options) : options_(options) {}
  // An op valid in `w` (which it does not change). Remembers the op's range
  // for the recent-range draws.
  Op next_op(const World& w, Chooser& choose);

 private:
  struct Range {
    PageNo addr = 0;
    PageNo len = 0;
  };
  static constexpr size_t kRecentRanges = 4;

  Op draw(const World& w, Chooser& choose, OpKind kind, ProcessId pid) const;
  PageNo draw_addr(const World& w, Chooser& choose, ProcessId pid) const;
  PageNo draw_move_destination(const World& w, Chooser& choose, Op& op) const;
  PageNo draw_race_partner(const World& w, Chooser& choose, const Op& op) const;
  PageNo draw_below_stack(const World& w, Chooser& choose, ProcessId pid) const;
  PageNo draw_len(Chooser& choose) const;
  // A recent op's range, or nothing (no recent range, or the draw said no).
  const Range* draw_recent(Chooser& choose) const;
  void remember(const Op& op);

  GeneratorOptions options_;
  std::array<Range, kRecentRanges> recent_{};  // a ring of the last ranges
  size_t recent_count_ = 0;
  size_t recent_next_ = 0;
};

// Called with every op of a trace being generated, before the generator's
// own world runs it: an assertion of the model can fire there too, and a
// campaign's flight recorder then still holds the ops up to the one that
// fired it (tools/rmapcheck/flight_recorder.h).
using GeneratedOpFn = std::function<void(const Op&)>;

// A trace of `steps` ops from `seed`, with the given model options.
Trace random_trace(uint64_t seed, uint32_t steps, const GeneratorOptions& generator,
                   const ModelOptions& model, const GeneratedOpFn& before_op = nullptr);
// The first `keep` ops of `prefix` (a generated trace: every op valid), then
// ops drawn from `seed` until the trace has `steps`; `prefix`'s model options.
// A campaign re-visits a rare state this way and explores what follows it.
Trace extend_trace(const Trace& prefix, size_t keep, uint64_t seed, uint32_t steps,
                   const GeneratorOptions& generator, const GeneratedOpFn& before_op = nullptr);

}  // namespace rmc
