// trace_run.h - `memory --workload FILE.trace`: a trace run on one design,
// its objects counted at the end.
//
// A trace names at most 8 processes, so it runs in one world, no
// composition. Expectations about cost (vmas, same, count, delta) describe
// today's kernel and are judged for eager only, as everywhere (runner.h);
// a failed expectation or an op the design refuses is that design's error
// ("file:line: message"). A trace with bug options applies to eager only.
#pragma once

#include <string_view>

#include "memory/compose.h"
#include "model/core/trace.h"

namespace rmc::memory {

DesignRun run_trace_counts(const Trace& trace, std::string_view design, bool checks);

}  // namespace rmc::memory
