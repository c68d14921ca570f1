// flight_recorder.cpp - see flight_recorder.h.
#include "tools/rmapcheck/flight_recorder.h"

#include <sys/mman.h>

#include <atomic>
#include <cassert>
#include <type_traits>

#include "model/check/shrink.h"
#include "model/core/op_codec.h"

namespace rmc::cli {

static_assert(std::is_trivially_copyable_v<Op> && std::is_trivially_copyable_v<ModelOptions>,
              "the record is copied as plain bytes between processes");
static_assert(kMaxDecodedOps <= FlightRecorder::kMaxOps, "a fuzzer input's ops fit in a record (shrink, decode)");

struct FlightRecorder::Record {
  enum State : uint32_t { kEmpty, kGenerating, kWhole };
  // The parent reads the record only after the job has died, so no write
  // races with a read; the state says how far the job got.
  std::atomic<uint32_t> state;
  uint32_t op_count;
  uint64_t exec;
  uint64_t seed;
  ModelOptions options;
  Op ops[kMaxOps];
};

std::unique_ptr<FlightRecorder> FlightRecorder::create() {
  void* memory = mmap(nullptr, sizeof(Record), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  auto* record = static_cast<Record*>(memory);  // zero-filled: kEmpty
  return std::unique_ptr<FlightRecorder>(new FlightRecorder(record));
}

FlightRecorder::~FlightRecorder() { munmap(record_, sizeof(Record)); }

void FlightRecorder::begin(uint64_t exec, uint64_t seed, const ModelOptions& options) {
  record_->state.store(Record::kGenerating, std::memory_order_relaxed);
  record_->op_count = 0;
  record_->exec = exec;
  record_->seed = seed;
  record_->options = options;
}

void FlightRecorder::op(const Op& op) {
  assert(record_->state.load(std::memory_order_relaxed) == Record::kGenerating);
  assert(record_->op_count < kMaxOps);
  record_->ops[record_->op_count++] = op;
}

void FlightRecorder::generated() { record_->state.store(Record::kWhole, std::memory_order_release); }

std::optional<FlightRecorder::Flight> FlightRecorder::last() const {
  const uint32_t state = record_->state.load(std::memory_order_acquire);
  if (state == Record::kEmpty) return std::nullopt;
  Flight flight;
  flight.exec = record_->exec;
  flight.seed = record_->seed;
  flight.whole = state == Record::kWhole;
  flight.trace = trace_of(std::vector<Op>(record_->ops, record_->ops + record_->op_count), record_->options, "crash");
  return flight;
}

}  // namespace rmc::cli
