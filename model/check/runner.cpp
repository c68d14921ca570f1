// runner.cpp - executing ops and judging expectations.
#include "model/check/runner.h"

#include <fmt/format.h>

#include <array>
#include <cassert>
#include <variant>

#include "model/check/core_checks.h"
#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc {

int64_t ObjectCounts::get(CountKind kind) const {
  switch (kind) {
    case CountKind::kVma: return vmas;
    case CountKind::kAnonVma: return anon_vmas;
    case CountKind::kAvc: return avcs;
    case CountKind::kFolio: return folios;
    case CountKind::kZombieVma: return zombie_vmas;
    case CountKind::kCount: break;
  }
  return 0;
}

ObjectCounts count_objects(const World& w) {
  RmapObjectCounts rmap = w.policy().counts(w);
  return {static_cast<int64_t>(w.live_vmas()), static_cast<int64_t>(rmap.anon_vmas),
          static_cast<int64_t>(rmap.avcs), static_cast<int64_t>(w.live_folios()),
          static_cast<int64_t>(rmap.zombie_vmas), static_cast<int64_t>(rmap.contexts)};
}

Runner::Runner(World& world, bool checks, bool cost_expectations)
    : world_(world), checks_(checks), cost_expectations_(cost_expectations) {
  reset();
}

void Runner::reset() {
  world_.reset();
  spec_.reset();
  next_value_ = 0;
  delta_base_ = count_objects(world_);
  clean_at_mutations_ = kNotClean;
}

StepResult Runner::run_op(const Op& op) {
  StepResult result;
  if (auto reason = op_invalid_reason(world_, op)) {
    result.error = *reason;
    return result;
  }
  spec_.apply(op, world_, mremap_chosen_address(world_, op));
  world_.events().clear();
  // Reads must return what the specification says; writes define it.
  struct Observer final : OpObserver {
    MemorySpec& spec;
    StepResult& result;
    Observer(MemorySpec& s, StepResult& r) : spec(s), result(r) {}
    void on_read(ProcessId pid, PageNo addr, uint64_t value) override {
      const uint64_t want = spec.expected(pid, addr);
      if (value != want)
        result.violations.push_back({"contents", fmt::format("read of {}:{} returned {:#x}, must be {:#x}",
                                                             process_name(pid), hex(addr), value, want)});
    }
    void on_write(ProcessId pid, PageNo addr, uint64_t value) override { spec.write(pid, addr, value); }
    void on_move(ProcessId pid, PageNo from, PageNo to) override { spec.move_page(pid, from, to); }
  } observer(spec_, result);
  World& w = world_;
  apply_op(w, op, next_value_, &observer);
  if (!checks_) {
    check_kernel_warnings(w, result.violations);
    return result;
  }
  // A step that changed nothing in the world (a quarter of random steps:
  // madvise or migrate of an empty range, a split of a small folio, ...)
  // cannot change what the checks of the world say, and they said nothing
  // after the last step. Only what the step itself may have changed is
  // checked again: the contents (the specification moves on every write)
  // and the warnings it provoked.
  if (clean_at_mutations_ == w.mutations()) {
    check_kernel_warnings(w, result.violations);
    check_contents(w, spec_, result.violations);
  } else {
    check_world(w, spec_, result.violations);
  }
  clean_at_mutations_ = result.violations.empty() ? w.mutations() : kNotClean;
  return result;
}

namespace {

// The physical page a process sees at addr: pfn for present and zero-page
// PTEs, nothing otherwise.
std::optional<uint32_t> physical_page(const World& w, const PageRef& ref) {
  const Pte* pte = w.proc(ref.pid).pt.find(ref.addr);
  if (!pte || (pte->kind != PteKind::kPresent && pte->kind != PteKind::kZero)) return std::nullopt;
  return pte->target;
}

PageStateKind page_state(const World& w, const PageRef& ref) {
  const Pte* pte = w.proc(ref.pid).pt.find(ref.addr);
  if (!pte) return PageStateKind::kNone;
  switch (pte->kind) {
    case PteKind::kPresent:
    case PteKind::kMigration: return PageStateKind::kPresent;
    case PteKind::kZero: return PageStateKind::kZero;
    case PteKind::kSwap: return PageStateKind::kSwapped;
  }
  return PageStateKind::kNone;
}

std::string page_name(const PageRef& ref) { return fmt::format("{}:{}", process_name(ref.pid), hex(ref.addr)); }

// memory_failure's victims for the page `ref` maps, with
// vm.memory_failure_early_kill set (S22): collect_procs_anon walks the
// folio's rmap and takes the task of every mm with a VMA the walk visits in
// which page_mapped_in_vma finds that page. The design's rmap walk is that
// walk (the series' memory-failure.c change walks a lazy folio's root mm
// only, as its rmap walk does). Sorted; an error for a page that is not an
// anonymous page mapped there, or a walk that reads freed memory.
std::variant<std::vector<ProcessId>, std::string> memory_failure_victims(const World& w, const PageRef& ref) {
  const Pte* pte = w.proc(ref.pid).pt.find(ref.addr);
  if (!pte || pte->kind != PteKind::kPresent) return fmt::format("{} maps no anonymous page", page_name(ref));
  const FolioId id = w.folio_of(pte->pfn());
  const Folio& f = w.folio(id);
  const uint32_t subpage = pte->target - idx(f.pfn);
  RmapWalk walk;
  w.policy().rmap_walk(w, id, walk);
  if (!walk.faults.empty()) return "collect_procs_anon: " + walk.faults[0];
  std::array<bool, kMaxProcesses> hit{};
  for (const RmapWalk::Visit& visit : walk.visits)
    w.for_each_mapping_in(f, f, visit, [&](ProcessId pid, PageNo, const Pte&, uint32_t i) {
      if (i == subpage && w.proc(pid).live()) hit[idx(pid)] = true;
    });
  std::vector<ProcessId> victims;
  for (uint8_t p = 0; p < kMaxProcesses; p++)
    if (hit[p]) victims.push_back(ProcessId{p});
  return victims;
}

std::string process_list(const std::vector<ProcessId>& pids) {
  std::string out;
  for (ProcessId pid : pids) out += (out.empty() ? "" : " ") + process_name(pid);
  return out.empty() ? "none" : out;
}

std::string actual_vmas(const World& w, ProcessId pid) {
  std::string out;
  for (VmaId id : w.proc(pid).vmas) {
    const Vma& v = w.vma(id);
    out += fmt::format(" {}-{}:{}:{}", hex(v.start), hex(v.end), prot_name(v.prot), v.faulted() ? "faulted" : "unfaulted");
  }
  return out.empty() ? " none" : out;
}

}  // namespace

StepResult Runner::judge(const Expect& e) {
  StepResult result;
  auto fail = [&](std::string message) { result.violations.push_back({"expect", std::move(message)}); };
  const World& w = world_;
  const bool cost = e.kind != ExpectKind::kState && e.kind != ExpectKind::kKill;
  if (cost && !cost_expectations_) {
    if (e.kind == ExpectKind::kDelta) delta_base_ = count_objects(w);
    return result;
  }
  switch (e.kind) {
    case ExpectKind::kVmas: {
      const auto& list = w.proc(e.pid).vmas;
      bool match = list.size() == e.vmas.size();
      for (size_t i = 0; match && i < list.size(); i++) {
        const Vma& v = w.vma(list[i]);
        const VmaSpec& s = e.vmas[i];
        match = v.start == s.start && v.end == s.end && (s.prot < 0 || v.prot == s.prot) &&
                (s.faulted < 0 || v.faulted() == (s.faulted == 1));
      }
      if (!match)
        fail(fmt::format("{} VMAs are{} (expected: {})", process_name(e.pid), actual_vmas(w, e.pid),
                         print_expect(e).substr(std::string("expect vmas P0 ").size())));
      break;
    }
    case ExpectKind::kSame:
    case ExpectKind::kDifferent: {
      std::vector<std::optional<uint32_t>> pfns;
      for (const PageRef& ref : e.pages) {
        pfns.push_back(physical_page(w, ref));
        if (!pfns.back()) fail(fmt::format("{} maps no page", page_name(ref)));
      }
      if (!result.violations.empty()) break;
      for (size_t i = 0; i < pfns.size(); i++)
        for (size_t j = i + 1; j < pfns.size(); j++) {
          const bool same = *pfns[i] == *pfns[j];
          if (same != (e.kind == ExpectKind::kSame))
            fail(fmt::format("{} and {} map {} pages (pfn {} and {})", page_name(e.pages[i]), page_name(e.pages[j]),
                             same ? "the same" : "different", *pfns[i], *pfns[j]));
        }
      break;
    }
    case ExpectKind::kState: {
      PageStateKind state = page_state(w, e.pages[0]);
      if (state != e.state)
        fail(fmt::format("{} is {}, expected {}", page_name(e.pages[0]), page_state_name(state), page_state_name(e.state)));
      break;
    }
    case ExpectKind::kDelta:
    case ExpectKind::kCounts: {
      const ObjectCounts now = count_objects(w);
      for (const CountSpec& c : e.counts) {
        const int64_t value = e.kind == ExpectKind::kDelta ? now.get(c.what) - delta_base_.get(c.what) : now.get(c.what);
        if (value != c.value)
          fail(fmt::format("{} {} is {}{}, expected {}{}", count_name(c.what), e.kind == ExpectKind::kDelta ? "change" : "count",
                           e.kind == ExpectKind::kDelta && value >= 0 ? "+" : "", value,
                           e.kind == ExpectKind::kDelta && c.value >= 0 ? "+" : "", c.value));
      }
      if (e.kind == ExpectKind::kDelta) delta_base_ = now;
      break;
    }
    case ExpectKind::kKill: {
      const auto victims = memory_failure_victims(w, e.pages[0]);
      if (const auto* error = std::get_if<std::string>(&victims))
        fail(*error);
      else if (std::get<std::vector<ProcessId>>(victims) != e.victims)
        fail(fmt::format("memory_failure of {} would signal {}, expected {}", page_name(e.pages[0]),
                         process_list(std::get<std::vector<ProcessId>>(victims)), process_list(e.victims)));
      break;
    }
  }
  return result;
}

StepResult Runner::run_line(const TraceLine& line) {
  switch (line.kind) {
    case TraceLine::Kind::kOp: return run_op(line.op);
    case TraceLine::Kind::kExpect: return judge(line.expect);
    default: return {};
  }
}

Verdict run_trace(const Trace& trace, std::string_view design, bool checks, RunStats* stats,
                  const StepObserver& observer) {
  Verdict verdict;
  if (trace.options.bugs != 0 && design != "eager") {
    verdict.kind = Verdict::Kind::kSkip;
    verdict.error = "bug options apply to the eager design only";
    return verdict;
  }
  auto world = make_world(design, trace.options);
  if (!world) {
    verdict.kind = Verdict::Kind::kError;
    verdict.error = fmt::format("unknown design '{}'", design);
    return verdict;
  }
  Runner runner(*world, checks, /*cost_expectations=*/design == "eager");
  Verdict result = run_lines(runner, trace, stats, observer);
  if (stats) stats->coverage.merge(world->coverage());
  return result;
}

Verdict run_lines(Runner& runner, const Trace& trace, RunStats* stats, const StepObserver& observer) {
  Verdict verdict;
  size_t step = 0;
  for (const TraceLine& line : trace.lines) {
    if (line.kind != TraceLine::Kind::kOp && line.kind != TraceLine::Kind::kExpect) continue;
    step++;
    StepResult result = runner.run_line(line);
    if (stats && line.kind == TraceLine::Kind::kOp && !result.error) {
      stats->steps++;
      stats->checks += runner.checks();
    }
    if (observer) observer(line, step, result);
    if (result.error) {
      verdict.kind = Verdict::Kind::kError;
      verdict.line = line.line;
      verdict.step = step;
      verdict.error = *result.error;
      return verdict;
    }
    if (!result.violations.empty()) {
      verdict.kind = Verdict::Kind::kFail;
      verdict.line = line.line;
      verdict.step = step;
      verdict.violations = std::move(result.violations);
      return verdict;
    }
  }
  return verdict;
}

bool verdict_matches(const Verdict& verdict, const ExpectedVerdict& expected) {
  if (verdict.kind == Verdict::Kind::kSkip) return true;
  switch (expected.kind) {
    case ExpectedVerdict::Kind::kPass: return verdict.kind == Verdict::Kind::kPass;
    case ExpectedVerdict::Kind::kError: return verdict.kind == Verdict::Kind::kError;
    case ExpectedVerdict::Kind::kFail:
      if (verdict.kind != Verdict::Kind::kFail) return false;
      for (const Violation& v : verdict.violations)
        if (v.property == expected.property) return true;
      return false;
  }
  return false;
}

std::string describe_verdict(const Verdict& verdict) {
  switch (verdict.kind) {
    case Verdict::Kind::kPass: return "pass";
    case Verdict::Kind::kError: return "error";
    case Verdict::Kind::kFail: return "fail " + verdict.first_property();
    case Verdict::Kind::kSkip: return "skip";
  }
  return "?";
}

}  // namespace rmc
