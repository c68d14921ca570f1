// flight_recorder.h - the trace a campaign job is running, kept in memory
// shared with the parent, so that a job that dies (a model's assertion
// fires: the models keep theirs on) leaves behind the trace that killed it.
//
// The job stores each op as the generator draws it, before the generator's
// own world runs it, and marks the trace whole before the designs run it:
// a copy of plain data per op, nothing to format. The parent, seeing the
// job die, reads the record back: a whole trace (the job died running the
// designs) or the ops up to the one the generator's world died running.
// Either way `rmapcheck replay` runs it to the same assertion.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "model/check/campaign.h"
#include "model/core/op.h"
#include "model/core/options.h"
#include "model/core/trace.h"

namespace rmc::cli {

class FlightRecorder final : public ExecutionRecorder {
 public:
  // Ops one record holds: also the bound on rmapcheck fuzz --steps.
  static constexpr uint32_t kMaxOps = 10000;

  // Memory shared with every process forked after this (MAP_SHARED);
  // nullptr if it cannot be mapped (the campaign then runs without).
  static std::unique_ptr<FlightRecorder> create();
  ~FlightRecorder() override;
  FlightRecorder(const FlightRecorder&) = delete;
  FlightRecorder& operator=(const FlightRecorder&) = delete;

  // In the job (ExecutionRecorder).
  void begin(uint64_t exec, uint64_t seed, const ModelOptions& options) override;
  void op(const Op& op) override;
  void generated() override;

  // In the parent: the last execution begun, if any.
  struct Flight {
    uint64_t exec = 0;
    uint64_t seed = 0;
    bool whole = false;  // false: the job died generating it; the last op is
                         // the one the generator's world was running
    Trace trace;
  };
  std::optional<Flight> last() const;

 private:
  struct Record;
  explicit FlightRecorder(Record* record) : record_(record) {}
  Record* record_;
};

}  // namespace rmc::cli
