// flight_recorder.h - the trace a campaign job is running, kept in memory
// shared with the parent, so that a job that dies (a model's assertion
// fires: the models keep theirs on) leaves behind the trace that killed it.
//
// The job writes the execution's ops and options before running them: a
// copy of a few kilobytes of plain data per execution, nothing to format.
// The parent, seeing the job die, reads them back and writes a trace file
// that `rmapcheck replay` runs to the same assertion.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/core/op.h"
#include "model/core/options.h"
#include "model/core/trace.h"

namespace rmc::cli {

class FlightRecorder {
 public:
  // Ops one record holds: rmapcheck fuzz's --steps bound.
  static constexpr uint32_t kMaxOps = 10000;

  // Memory shared with every process forked after this (MAP_SHARED);
  // nullptr if it cannot be mapped (the campaign then runs without).
  static std::unique_ptr<FlightRecorder> create();
  ~FlightRecorder();
  FlightRecorder(const FlightRecorder&) = delete;
  FlightRecorder& operator=(const FlightRecorder&) = delete;

  // In the job: execution `exec` (seed `seed`) is about to run `trace`.
  void record(uint64_t exec, uint64_t seed, const Trace& trace);

  // In the parent: the last execution recorded, if any.
  struct Flight {
    uint64_t exec = 0;
    uint64_t seed = 0;
    Trace trace;
  };
  std::optional<Flight> last() const;

 private:
  struct Record;
  explicit FlightRecorder(Record* record) : record_(record) {}
  Record* record_;
};

}  // namespace rmc::cli
