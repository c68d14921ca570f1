// kernel_expect.cpp - expectation lines on the kernel's observation.
#include "kernel/kernel_expect.h"

#include <fmt/format.h>

#include "model/core/op_table.h"

namespace rmc::kernel {

namespace {

std::string ref_name(const PageRef& ref) { return fmt::format("{}:{}", process_name(ref.pid), hex(ref.addr)); }

int64_t count_of(const ArenaCounts& c, CountKind kind) {
  switch (kind) {
    case CountKind::kVma: return c.vmas;
    case CountKind::kAnonVma: return c.anon_vmas;
    case CountKind::kAvc: return c.avcs;
    default: return 0;
  }
}

std::string vma_text(const VmaView& v) { return fmt::format("{}-{}:{}", hex(v.start), hex(v.end), prot_name(v.prot)); }

}  // namespace

std::optional<std::string> KernelExpectations::judge(const Expect& e, const Observation& k) {
  std::string failures;
  auto fail = [&](std::string message) { failures += (failures.empty() ? "" : "; ") + message; };
  switch (e.kind) {
    case ExpectKind::kKill:
      // MADV_HWPOISON needs CONFIG_MEMORY_FAILURE, and a poisoned page is
      // lost to the machine until an unpoison; the oracle does not try.
      not_judged_.insert("expect kill (memory_failure: the oracle poisons no page)");
      break;
    case ExpectKind::kVmas: {
      const ProcessView* p = k.process(e.pid);
      if (!p) return fmt::format("{} has no worker", process_name(e.pid));
      bool match = p->vmas.size() == e.vmas.size();
      for (size_t i = 0; match && i < e.vmas.size(); i++) {
        const VmaSpec& s = e.vmas[i];
        match = p->vmas[i].start == s.start && p->vmas[i].end == s.end && (s.prot < 0 || p->vmas[i].prot == s.prot);
        if (s.faulted >= 0) not_judged_.insert("expect vmas :faulted/:unfaulted (vma->anon_vma is not visible from user space)");
      }
      if (!match) {
        std::string actual;
        for (const VmaView& v : p->vmas) actual += " " + vma_text(v);
        fail(fmt::format("{} VMAs in the kernel are{}", process_name(e.pid), actual.empty() ? " none" : actual));
      }
      break;
    }
    case ExpectKind::kSame:
    case ExpectKind::kDifferent: {
      std::vector<std::optional<uint64_t>> pages;  // PFN; the zero page is 0
      for (const PageRef& ref : e.pages) {
        const ProcessView* p = k.process(ref.pid);
        const PageView* v = p ? p->page(ref.addr) : nullptr;
        if (!v || (v->kind != PageKind::kPresent && v->kind != PageKind::kZero)) {
          fail(fmt::format("{} maps no page in the kernel", ref_name(ref)));
          pages.push_back(std::nullopt);
        } else {
          pages.push_back(v->kind == PageKind::kZero ? 0 : v->identity);
        }
      }
      if (!failures.empty()) break;
      for (size_t i = 0; i < pages.size(); i++)
        for (size_t j = i + 1; j < pages.size(); j++) {
          const bool same = *pages[i] == *pages[j];
          if (same != (e.kind == ExpectKind::kSame))
            fail(fmt::format("{} and {} map {} pages in the kernel", ref_name(e.pages[i]), ref_name(e.pages[j]),
                             same ? "the same" : "different"));
        }
      break;
    }
    case ExpectKind::kState: {
      const PageRef& ref = e.pages[0];
      const ProcessView* p = k.process(ref.pid);
      const PageView* v = p ? p->page(ref.addr) : nullptr;
      PageStateKind state = PageStateKind::kNone;
      if (v && v->kind == PageKind::kPresent) state = PageStateKind::kPresent;
      if (v && v->kind == PageKind::kZero) state = PageStateKind::kZero;
      if (v && v->kind == PageKind::kSwapped) state = PageStateKind::kSwapped;
      if (state != e.state)
        fail(fmt::format("{} is {} in the kernel, expected {}", ref_name(ref), page_state_name(state), page_state_name(e.state)));
      break;
    }
    case ExpectKind::kDelta:
    case ExpectKind::kCounts: {
      const bool delta = e.kind == ExpectKind::kDelta;
      for (const CountSpec& c : e.counts) {
        if (c.what == CountKind::kFolio) {
          not_judged_.insert(fmt::format("expect {} folio (the kernel shows no folio count of the arena)", delta ? "delta" : "count"));
          continue;
        }
        const int64_t value = count_of(k.counts, c.what) - (delta ? count_of(delta_base_, c.what) : 0);
        if (value != c.value)
          fail(fmt::format("{} {} in the kernel is {}{}, expected {}{}", count_name(c.what), delta ? "change" : "count",
                           delta && value >= 0 ? "+" : "", value, delta && c.value >= 0 ? "+" : "", c.value));
      }
      if (delta) delta_base_ = k.counts;
      break;
    }
  }
  if (failures.empty()) return std::nullopt;
  return failures;
}

}  // namespace rmc::kernel
