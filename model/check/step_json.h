// step_json.h - the machine-readable state after a step (replay --json).
//
// One object per step:
//   {"step": 3, "line": 7, "text": "P0 mprotect 0x105 5 r", "verdict": "ok",
//    "violations": [{"property": "I3", "message": "..."}],
//    "processes": [{"pid": 0,
//        "vmas":  [{"start": 256, "end": 261, "prot": "r", "pgoff": 256,
//                   "anon_vma": true, "anon": "av0"}],
//        "pages": [{"addr": 256, "state": "present", "page": 17,
//                   "exclusive": true, "writable": false}]}],
//    "counts": {"vma": 2, "anon_vma": 1, "avc": 1, "folio": 4}}
// "page" is the physical page (pfn): two entries with the same "page" share
// one physical page. Addresses are page numbers.
#pragma once

#include <nlohmann/json.hpp>

#include "model/check/runner.h"

namespace rmc {

nlohmann::json step_json(const World& w, size_t step, const TraceLine& line, const StepResult& result);

}  // namespace rmc
