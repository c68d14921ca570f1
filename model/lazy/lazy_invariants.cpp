// lazy_invariants.cpp - L1, L2, L3.
#include "model/lazy/lazy_invariants.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/check/vma_cursor.h"
#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"
#include "model/lazy/lazy_policy.h"
#include "model/lazy/lazy_words.h"

namespace rmc {

using namespace lazy;

namespace {

void add(std::vector<Violation>& out, const char* property, std::string message) {
  out.push_back(Violation{property, std::move(message)});
}

// Calls fn(pid, page, folio, subpage, vmas) for every entry through which a
// lazy folio is or can be mapped: present and migration entries, and swap
// entries whose folio is in the swap cache if swap-in would map that folio as
// it is (ksm_might_need_to_copy lets it through). `vmas` finds the VMAs of
// pid for fn, in page-table order.
template <class Fn>
void for_each_lazy_entry(const World& w, Fn&& fn) {
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const Process& proc = w.proc(ProcessId{p});
    if (!proc.live()) continue;
    VmaCursor swap_vmas(w, ProcessId{p}), vmas(w, ProcessId{p});
    for (const PageTable::Entry& e : proc.pt.entries()) {
      FolioId id = kNoFolio;
      uint32_t subpage = 0;
      if (e.pte.kind == PteKind::kPresent || e.pte.kind == PteKind::kMigration) {
        id = w.folio_of(e.pte.pfn());
        if (id != kNoFolio) subpage = e.pte.target - idx(w.folio(id).pfn);
      } else if (e.pte.kind == PteKind::kSwap) {
        id = w.slot(e.pte.slot()).cache;
        const Vma* vma = swap_vmas.at(e.page);
        if (id != kNoFolio && vma && !w.policy().swapcache_folio_fits(w, id, vma->id, e.page)) id = kNoFolio;
      }
      if (id == kNoFolio || !w.folio(id).alive || !is_lazy_mapping(w.folio(id).mapping)) continue;
      fn(ProcessId{p}, e.page, w.folio(id), subpage, vmas);
    }
  }
}

uint64_t root_id(const Folio& f) { return f.mapping & kIdMask; }

}  // namespace

namespace {

// L1 and L2 for one entry of a lazy folio, each into its own output (null:
// not checked); check_lazy_invariants answers both in one pass.
void check_lazy_entry(const World& w, const LazyPolicy& p, ProcessId pid, PageNo page, const Folio& f,
                      uint32_t subpage, VmaCursor& vmas, std::vector<Violation>* l1, std::vector<Violation>* l2) {
  if (!p.root_allocated(w, root_id(f))) return;  // L3
  const bool base0 = p.flavor() == LazyPolicy::Flavor::kBase0;
  const VmaId root_vma{static_cast<uint32_t>(root_id(f))};
  if (l1) {
    const uint64_t owner = idx(base0 ? base0_mm(root_id(f)) : w.vma(root_vma).mm);
    if (owner != idx(pid))
      add(*l1, "L1", fmt::format("{}:{} maps lazy folio {} of {} {} of P{}: a second mm the lazy walk never visits",
                                 process_name(pid), hex(page), idx(f.id), base0 ? "mm" : "root VMA", root_id(f), owner));
  }
  if (!l2) return;
  const PageNo base = base0 ? 0 : geom::mapping_base(w.vma(root_vma).start, w.vma(root_vma).pgoff);
  const Vma* found = vmas.at(page);
  if (!found) return;  // reported by the page-table check
  const Vma& v = *found;
  const char* what = nullptr;
  if (v.anon != lazy_word(root_vma)) what = "is in a VMA outside the folio's lazy tree";
  else if (geom::mapping_base(v.start, v.pgoff) != base) what = "is in a VMA whose base differs from the root's";
  else if (base + f.index + subpage != page) what = "is not at base(root) + index";
  if (what)
    add(*l2, "L2", fmt::format("{}:{}: lazy folio {} (index {}, {} {}) {}", process_name(pid), hex(page), idx(f.id),
                               hex(f.index), base0 ? "mm" : "root VMA", root_id(f), what));
}

}  // namespace

void check_l1_single_owner(const World& w, const LazyPolicy& p, std::vector<Violation>& out) {
  for_each_lazy_entry(w, [&](ProcessId pid, PageNo page, const Folio& f, uint32_t subpage, VmaCursor& vmas) {
    check_lazy_entry(w, p, pid, page, f, subpage, vmas, &out, nullptr);
  });
}

void check_l2_address(const World& w, const LazyPolicy& p, std::vector<Violation>& out) {
  for_each_lazy_entry(w, [&](ProcessId pid, PageNo page, const Folio& f, uint32_t subpage, VmaCursor& vmas) {
    check_lazy_entry(w, p, pid, page, f, subpage, vmas, nullptr, &out);
  });
}

void check_l3_root_lifetime(const World& w, const LazyPolicy& p, std::vector<Violation>& out) {
  const bool base0 = p.flavor() == LazyPolicy::Flavor::kBase0;
  for (uint8_t pid = 0; pid < kMaxProcesses; pid++) {
    if (!w.proc(ProcessId{pid}).live()) continue;
    for (VmaId id : w.proc(ProcessId{pid}).vmas) {
      const AnonWord word = w.vma(id).anon;
      if (is_lazy(word) && !p.root_allocated(w, idx(root_of(word))))
        add(out, "L3", fmt::format("VMA {} is in the lazy tree of freed {} {}", idx(id), base0 ? "mm" : "root VMA",
                                   idx(root_of(word))));
    }
  }
  for (size_t i = 0; i < w.folio_slots(); i++) {
    const Folio& f = w.folio(FolioId{static_cast<uint32_t>(i)});
    if (!f.alive || !is_lazy_mapping(f.mapping)) continue;
    // The copy of a migration in flight is walked by its second half.
    const bool migrating = w.migration().active() && w.migration().dst == f.id;
    const bool reachable = f.mapcount > 0 || (f.in_swapcache && w.slot(f.swap).count > 0) || migrating;
    if (reachable && !p.root_allocated(w, root_id(f)))
      add(out, "L3", fmt::format("folio {} (pfn {}, {}) points at freed {} {}", i, idx(f.pfn),
                                 f.mapcount > 0 ? "mapped" : migrating ? "being migrated" : "in the swap cache",
                                 base0 ? "mm" : "root VMA", root_id(f)));
  }
}

void check_root_refcount(const World& w, const LazyPolicy& p, std::vector<Violation>& out) {
  if (p.flavor() == LazyPolicy::Flavor::kBase0) return;  // its roots are mms, kept by mm_users
  thread_local std::vector<uint32_t> users;  // reused: checks run every step
  users.assign(std::max(p.root_ref_slots(), w.vma_slots()), 0);
  for (uint8_t pid = 0; pid < kMaxProcesses; pid++) {
    if (!w.proc(ProcessId{pid}).live()) continue;
    for (VmaId id : w.proc(ProcessId{pid}).vmas)
      if (is_lazy(w.vma(id).anon) && idx(root_of(w.vma(id).anon)) < users.size()) users[idx(root_of(w.vma(id).anon))]++;
  }
  const MappingWord held = w.migration().held;
  if (held != kNoMapping && is_lazy_mapping(held) && (held & kIdMask) < users.size()) users[held & kIdMask]++;
  for (size_t i = 0; i < users.size(); i++) {
    const uint32_t refs = p.root_refs(VmaId{static_cast<uint32_t>(i)});
    if (refs != users[i])
      add(out, "root-refcount",
          fmt::format("root VMA {} has {} references but {} VMAs and migrations use it: {}", i, refs, users[i],
                      refs > users[i] ? "it is never freed (a leak)" : "it is freed while still in use"));
  }
}

void check_lazy_invariants(const World& w, const LazyPolicy& p, std::vector<Violation>& out) {
  // L1 and L2 in one pass, L2's reports after all of L1's.
  thread_local std::vector<Violation> l2;
  l2.clear();
  for_each_lazy_entry(w, [&](ProcessId pid, PageNo page, const Folio& f, uint32_t subpage, VmaCursor& vmas) {
    check_lazy_entry(w, p, pid, page, f, subpage, vmas, &out, &l2);
  });
  append_reports(out, l2);
  check_l3_root_lifetime(w, p, out);
  check_root_refcount(w, p, out);
}

}  // namespace rmc
