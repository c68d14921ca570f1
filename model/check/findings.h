// findings.h - the record of what differential runs found.
//
// One shrunk trace per finding signature lives in a directory (the project
// keeps corpus/findings/). Its header names the signature and states the
// verdict of every design, so ctest replays it and checks them:
//
//   # rmapcheck trace 1
//   # FINDING: lazy/rmap-missing/mremap
//   # EXPECT: pass
//   # EXPECT[lazy]: fail rmap-missing
//   # MECHANISM: ...what the design does differently, in kernel terms...
//   P0 mmap 0x100 4 rw
//   ...
//
// A campaign fails only on a signature no file records yet.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/check/differential.h"
#include "model/check/shrink.h"

namespace rmc {

inline constexpr std::string_view kFindingLine = "# FINDING: ";

// "lazy/rmap-missing/mremap" -> "lazy__rmap-missing__mremap.trace".
std::string finding_file_name(std::string_view signature);
// The signatures recorded by the traces in `dir` (missing dir: none).
std::set<std::string> recorded_signatures(const std::string& dir);
// Shrinks `trace` to a minimal trace on which the differential run of
// `designs` still reports `finding`'s signature.
Trace shrink_finding(const Trace& trace, const Finding& finding, const std::vector<std::string>& designs,
                     ShrinkStats* stats = nullptr);
// The text of the finding's trace: its header (signature, every design's
// verdict on `shrunk`, where it came from) and the ops.
std::string finding_trace_text(const Finding& finding, const Trace& shrunk, const std::vector<std::string>& designs,
                               const std::string& origin);
// Writes it atomically into `dir` (created if missing); returns the path,
// or an error message starting with "error:".
std::string record_finding(const std::string& dir, const Finding& finding, const Trace& shrunk,
                           const std::vector<std::string>& designs, const std::string& origin);

// The trace a fuzzer input (fuzz/differential's bytes, a crash-* file) runs:
// its ops decoded through op_codec.h, less those the eager reference refuses
// (run_differential_ops skips them, so a finding's trace has none), with
// the input's model options. `refused` gets how many were left out;
// `before_step` sees each accepted op before the reference runs it (a
// flight recorder's view, should a model's assertion fire).
Trace decoded_trace(std::string_view bytes, const std::string& source, size_t* refused = nullptr,
                    const std::function<void(const Op&)>& before_step = nullptr);

}  // namespace rmc
