// cow_context_policy.cpp - the COW-context design told simply.
#include "model/cowctx/cow_context_policy.h"

#include <fmt/format.h>

#include <cassert>

#include "model/core/geometry.h"
#include "model/core/op_table.h"
#include "model/core/world.h"

namespace rmc {

namespace {

// vma->anon_vma is only a marker in this design; folio->mapping holds the
// folio's context (folio->cow_context in the PoC) under a tag.
constexpr AnonWord kFaulted = 1;
constexpr MappingWord kContextTag = uint64_t{1} << 60;
MappingWord context_mapping(uint32_t ctx) { return kContextTag | ctx; }
uint32_t mapping_context(MappingWord m) { return static_cast<uint32_t>(m & ~kContextTag); }

}  // namespace

void CowContextPolicy::reset() {
  contexts_.clear();
  context_of_pid_.fill(kNoContext);
}

uint32_t CowContextPolicy::context_of(ProcessId pid) {
  uint32_t& ctx = context_of_pid_[idx(pid)];
  if (ctx == kNoContext) {
    ctx = static_cast<uint32_t>(contexts_.size());
    contexts_.push_back(Context{pid, true, -1});
  }
  return ctx;
}

bool CowContextPolicy::descends_from(uint32_t ctx, uint32_t ancestor) const {
  for (int64_t c = ctx, steps = 0; c >= 0 && steps <= static_cast<int64_t>(contexts_.size()); steps++) {
    if (static_cast<uint32_t>(c) == ancestor) return true;
    c = contexts_[static_cast<size_t>(c)].parent;
  }
  return false;
}

// The child's context hangs below the parent's (and pins it).
void CowContextPolicy::fork_mm(World& w, ProcessId parent, ProcessId child) {
  w.cover(Path::kCowctxFork);
  const uint32_t parent_ctx = context_of(parent);
  const uint32_t child_ctx = context_of(child);
  contexts_[child_ctx].parent = parent_ctx;
}

// mm teardown clears the context's mm; the context stays for its children
// and folios. The process has no context any more: after an exec, its new
// mm gets a new one, with no parent (exec is not a fork).
void CowContextPolicy::exit_mm(World& w, ProcessId pid) {
  uint32_t& ctx = context_of_pid_[idx(pid)];
  if (ctx != kNoContext) {
    w.cover(Path::kCowctxExit);
    contexts_[ctx].mm_live = false;
  }
  ctx = kNoContext;
}

void CowContextPolicy::prepare(World& w, VmaId vma) {
  if (!w.vma(vma).faulted()) w.vma(vma).anon = kFaulted;
}

void CowContextPolicy::fork(World& /*w*/, VmaId /*child*/, VmaId /*parent*/) {}  // the marker was copied

void CowContextPolicy::unlink(World& w, VmaId vma) { w.vma(vma).anon = kNoAnon; }

// The markers are all alike (is_mergeable_anon_vma's case 3 always holds).
// mm/vma.c's fork-child test left unchanged reads the PoC's empty AVC lists
// as "fork child" for every faulted VMA, so case 1 (the source brings the
// marker: middle or copied_from faulted) and case 2 (the target has it)
// refuse; without the test any two may merge.
bool CowContextPolicy::is_mergeable_anon(const World& w, VmaId target, AnonWord source_anon,
                                         VmaId middle, VmaId copied_from) const {
  if (w.options().cowctx.fork_child_check == CowContextOptions::ForkChildCheck::kNone) return true;
  auto looks_fork_child = [&](VmaId v) { return v != kNoVma && w.vma(v).faulted(); };
  const bool target_faulted = w.vma(target).faulted();
  if (!target_faulted && source_anon != kNoAnon) return !looks_fork_child(middle) && !looks_fork_child(copied_from);
  if (target_faulted && source_anon == kNoAnon) return false;
  return true;
}

// A new folio belongs to the faulting mm's context; one that may be shared
// (non-exclusive swap-in) to the root of the fork tree, unless
// cowctx.shared_swapin faulting.
void CowContextPolicy::set_anon(World& w, FolioId folio, VmaId vma, bool exclusive) {
  uint32_t ctx = context_of(w.vma(vma).mm);
  if (!exclusive && w.options().cowctx.shared_swapin == CowContextOptions::SharedSwapin::kRoot) {
    w.cover(Path::kCowctxSharedRoot);
    while (contexts_[ctx].parent >= 0) ctx = static_cast<uint32_t>(contexts_[ctx].parent);
  }
  w.folio(folio).mapping = context_mapping(ctx);
}

// folio_move_anon_rmap: COW reuse moves the folio to the reusing mm's context.
void CowContextPolicy::move_anon(World& w, FolioId folio, VmaId vma) {
  w.cover(Path::kCowctxMoveAnon);
  w.folio(folio).mapping = context_mapping(context_of(w.vma(vma).mm));
}

// A swap-cache folio fits if the faulting mm descends from its context and
// the index is linear there.
bool CowContextPolicy::swapcache_folio_fits(const World& w, FolioId folio, VmaId vma, PageNo addr) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return true;
  const Vma& v = w.vma(vma);
  const uint32_t ctx = context_of_pid_[idx(v.mm)];
  return ctx != kNoContext && descends_from(ctx, mapping_context(f.mapping)) &&
         f.index == geom::linear_page_index(v.start, v.pgoff, addr);
}

// Depth first from the folio's context: in every live mm of the subtree, the
// faulted VMAs whose page offsets cover the folio's.
void CowContextPolicy::rmap_walk(const World& w, FolioId folio, RmapWalk& out) const {
  const Folio& f = w.folio(folio);
  if (f.mapping == kNoMapping) return;
  const uint32_t top = mapping_context(f.mapping);
  if (top >= contexts_.size()) {
    out.faults.push_back(fmt::format("folio {} has a mapping that is no context", idx(f.id)));
    return;
  }
  const PageNo first = f.index, last = geom::folio_last_index(f.index, PageNo{f.nr_pages()});
  for (uint32_t ctx = 0; ctx < contexts_.size(); ctx++) {
    if (!contexts_[ctx].mm_live || !descends_from(ctx, top)) continue;
    for (VmaId id : w.proc(contexts_[ctx].mm).vmas) {
      const Vma& v = w.vma(id);
      if (!v.faulted() || !geom::interval_overlaps(v.pgoff, geom::vma_last_pgoff(v.start, v.end, v.pgoff), first, last)) continue;
      out.visits.push_back({id, geom::page_address(v.start, v.pgoff, f.index)});
    }
  }
}

uint64_t CowContextPolicy::live_contexts(const World& w) const {
  thread_local std::vector<uint8_t> live;  // reused: the counts are taken after every step
  live.assign(contexts_.size(), 0);
  for (size_t c = 0; c < contexts_.size(); c++) live[c] = contexts_[c].mm_live;
  for (size_t i = 0; i < w.folio_slots(); i++) {
    const Folio& f = w.folio(FolioId{static_cast<uint32_t>(i)});
    if (f.alive && f.mapping != kNoMapping && mapping_context(f.mapping) < live.size()) live[mapping_context(f.mapping)] = 1;
  }
  // A live context keeps its ancestors (each child pins its parent).
  for (size_t c = contexts_.size(); c-- > 0;)
    if (live[c] && contexts_[c].parent >= 0) live[static_cast<size_t>(contexts_[c].parent)] = 1;
  uint64_t n = 0;
  for (uint8_t l : live) n += l;
  return n;
}

std::string CowContextPolicy::describe_anon(const World& w, VmaId vma) const {
  const Vma& v = w.vma(vma);
  if (!v.faulted()) return "-";
  const PageNo offset = geom::mapping_base(v.start, v.pgoff);
  return offset == 0 ? "faulted" : fmt::format("faulted, remapped by {}", hex(offset));
}

std::string CowContextPolicy::describe_mapping(const World& /*w*/, MappingWord mapping) const {
  if (mapping == kNoMapping) return "-";
  return fmt::format("ctx{}", mapping_context(mapping));
}

// C1 (reachability, the I3 of this design): every entry through which a
// folio is mapped lies in an mm whose context descends from the folio's.
void CowContextPolicy::check(const World& w, std::vector<Violation>& out) const {
  for (uint8_t p = 0; p < kMaxProcesses; p++) {
    const ProcessId pid{p};
    if (!w.proc(pid).live()) continue;
    const uint32_t ctx = context_of_pid_[p];
    for (const PageTable::Entry& e : w.proc(pid).pt.entries()) {
      FolioId id = kNoFolio;
      if (e.pte.kind == PteKind::kPresent || e.pte.kind == PteKind::kMigration) id = w.folio_of(e.pte.pfn());
      if (id == kNoFolio || !w.folio(id).alive || w.folio(id).mapping == kNoMapping) continue;
      const uint32_t folio_ctx = mapping_context(w.folio(id).mapping);
      if (ctx == kNoContext || !descends_from(ctx, folio_ctx))
        out.push_back({"C1", fmt::format("{}:{} maps folio {} of context {}, which {}'s context does not descend from",
                                         process_name(pid), hex(e.page), idx(id), folio_ctx, process_name(pid))});
    }
  }
}

}  // namespace rmc
