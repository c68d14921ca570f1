// arena_counts.h - the kernel's anon rmap objects that a trace's arena
// accounts for, and noise from the rest of the machine.
//
// The slab counts (slab.h) are machine-wide. Two things are subtracted:
//   * the workers' own memory: a fork copies the worker's text and stack
//     VMAs and forks the stack's anon_vma, an exit frees them. The control
//     run starts the same workers and does only the trace's forks and
//     exits; its change after op i is subtracted from the real run's.
//   * nothing else may move: QuietReader reads the counts, observes the
//     workers, and reads the counts again; they must not have moved while
//     the workers were idle. Every VMA of every worker is in its maps, so
//     vm_area_struct objects minus our workers' VMAs is everyone else's,
//     which must be the same after every step. Either check failing throws
//     NoisyMachine: the run is worth nothing, and the oracle reruns it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/observation.h"
#include "kernel/slab.h"
#include "model/core/trace.h"

namespace rmc::kernel {

class ProcReader;
class Workers;
struct WorkerConfig;

// Another process changed the slab counts while a run measured them.
struct NoisyMachine {
  std::string why;
};

// The views of every live worker.
Observation observe_kernel(const Workers& workers, ProcReader& reader);

class QuietReader {
 public:
  explicit QuietReader(ProcReader& reader) : reader_(reader) {}
  // The slab counts and the workers' views, or NoisyMachine.
  std::pair<SlabCounts, Observation> read(const Workers& workers);

 private:
  ProcReader& reader_;
  std::optional<int64_t> others_;  // vm_area_struct objects that are not ours
};

// The workers' own cost: entry i is the change of the slab counts after the
// first i op lines of `trace`, when only its forks and exits run.
std::vector<SlabCounts> control_run(const Trace& trace, const WorkerConfig& config);

}  // namespace rmc::kernel
