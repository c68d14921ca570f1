// obligation.h - one proof obligation: its claim, its expected verdict, and
// what to do with a counterexample.
//
// Each obligation is one table entry in proofs/obligations/*.cpp, written as
//
//   {.name = "split.base_kept",
//    .expected = Verdict::kProved,
//    .claim = "both halves of a split keep vma_mapping_base",
//    .thread = "If a VMA is split and produces new_vma, ...",
//    .state = [](Goal& g) { ... hypotheses ... g.claim(...); }},
//
// so that the verdict it expects sits next to the formula. A counterexample
// obligation also says how its model becomes a trace (`trace`), or why no
// trace can show it (`no_trace`: an op the trace format does not have).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "proofs/goal.h"
#include "proofs/verdict.h"

namespace rmc::proofs {

// The concrete values of a counterexample: every shown term, in the order
// the obligation showed them.
struct Value {
  std::string label;
  uint64_t value = 0;
  bool is_flag = false;
};

class Values {
 public:
  void add(Value v) { items_.push_back(std::move(v)); }
  const std::vector<Value>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  // The value shown under `label`; a missing label is a bug of the
  // obligation (std::out_of_range).
  uint64_t at(std::string_view label) const;
  bool flag(std::string_view label) const { return at(label) != 0; }
  // "label=0x100 other=true ..." in order.
  std::string str() const;

 private:
  std::vector<Value> items_;
};

struct Obligation {
  std::string name;     // "area.what_it_says", unique; the SMT-LIB file's name
  Verdict expected = Verdict::kProved;
  std::string claim;    // the property in plain words, one line
  std::string thread;   // the sentence of the thread or design notes it checks
  std::function<void(Goal&)> state;  // hypotheses and the claim
  // Bounded searches: the step bounds to try, shortest first; a proof at the
  // last bound covers the shorter ones. {0} for an ordinary obligation.
  std::vector<unsigned> bounds = {0};
  // Counterexamples: the model as lines of text (default: every shown value),
  std::function<std::vector<std::string>(const Values&)> describe;
  // and as a trace (the whole file's text; corpus/proofs/<name>.trace), or
  std::function<std::string(const Values&)> trace;
  // the reason there is none.
  std::string no_trace;
  // The rlimit budget of each solver call (0: the command's default).
  uint64_t rlimit = 0;
  // Too slow for every run (rmapcheck prove --deep runs it).
  bool deep = false;
};

// "mremap.stale_root_address" -> "mremap_stale_root_address": the file name
// (without extension) of the obligation's SMT-LIB dump and trace.
std::string file_stem(std::string_view obligation_name);

}  // namespace rmc::proofs
