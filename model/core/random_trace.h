// random_trace.h - random traces from a seed, driven by the op table.
//
// The generator runs each op it picks on a reference world (eager, no
// checks), so every op is valid where it lands: addresses are drawn near the
// VMAs that exist, children get fresh names, and an op the kernel would
// refuse is redrawn. A Chooser supplies every decision: a seeded PRNG here,
// the fuzzer's input bytes in fuzz/ (same code, other source of choices).
#pragma once

#include <array>
#include <cstdint>
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
  std::array<uint32_t, static_cast<size_t>(OpKind::kCount)> weights{};  // from the op table
  GeneratorOptions();
};

class TraceGenerator {
 public:
  explicit TraceGenerator(const GeneratorOptions& options) : options_(options) {}
  // An op valid in `w` (which it does not change).
  Op next_op(const World& w, Chooser& choose) const;

 private:
  Op draw(const World& w, Chooser& choose, OpKind kind, ProcessId pid) const;
  PageNo draw_addr(const World& w, Chooser& choose, ProcessId pid) const;
  PageNo draw_len(Chooser& choose) const;
  GeneratorOptions options_;
};

// A trace of `steps` ops from `seed`, with the given model options.
Trace random_trace(uint64_t seed, uint32_t steps, const GeneratorOptions& generator,
                   const ModelOptions& model);

}  // namespace rmc
