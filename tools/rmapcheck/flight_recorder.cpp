// flight_recorder.cpp - see flight_recorder.h.
#include "tools/rmapcheck/flight_recorder.h"

#include <sys/mman.h>

#include <atomic>
#include <cassert>
#include <type_traits>

#include "model/check/shrink.h"

namespace rmc::cli {

static_assert(std::is_trivially_copyable_v<Op> && std::is_trivially_copyable_v<ModelOptions>,
              "the record is copied as plain bytes between processes");

struct FlightRecorder::Record {
  // 0 while the job writes the record, so that a job dying in the middle
  // of a write leaves no half-written trace (the parent then has none).
  std::atomic<uint32_t> complete;
  uint32_t op_count;
  uint64_t exec;
  uint64_t seed;
  ModelOptions options;
  Op ops[kMaxOps];
};

std::unique_ptr<FlightRecorder> FlightRecorder::create() {
  void* memory = mmap(nullptr, sizeof(Record), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  auto* record = static_cast<Record*>(memory);  // zero-filled: complete == 0
  return std::unique_ptr<FlightRecorder>(new FlightRecorder(record));
}

FlightRecorder::~FlightRecorder() { munmap(record_, sizeof(Record)); }

void FlightRecorder::record(uint64_t exec, uint64_t seed, const Trace& trace) {
  record_->complete.store(0, std::memory_order_relaxed);
  uint32_t count = 0;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp) continue;
    assert(count < kMaxOps);
    record_->ops[count++] = line.op;
  }
  record_->op_count = count;
  record_->exec = exec;
  record_->seed = seed;
  record_->options = trace.options;
  record_->complete.store(1, std::memory_order_release);
}

std::optional<FlightRecorder::Flight> FlightRecorder::last() const {
  if (record_->complete.load(std::memory_order_acquire) != 1) return std::nullopt;
  Flight flight;
  flight.exec = record_->exec;
  flight.seed = record_->seed;
  flight.trace = trace_of(std::vector<Op>(record_->ops, record_->ops + record_->op_count), record_->options, "crash");
  return flight;
}

}  // namespace rmc::cli
