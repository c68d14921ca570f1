// random_trace.cpp - drawing valid ops near the existing VMAs.
#include "model/core/random_trace.h"

#include <algorithm>
#include <cassert>

#include "model/core/op_semantics.h"
#include "model/core/op_table.h"
#include "model/designs.h"

namespace rmc {

namespace {

// Redraws before falling back to an op that is always valid.
constexpr int kMaxDraws = 32;

}  // namespace

uint64_t SeededChooser::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

GeneratorOptions::GeneratorOptions() {
  for (const OpSpec& spec : op_table()) weights[static_cast<size_t>(spec.kind)] = spec.weight;
}

PageNo TraceGenerator::draw_len(Chooser& choose) const {
  // Mostly short ranges, sometimes one page, sometimes up to twice max_len.
  switch (choose.below(4)) {
    case 0: return 1;
    case 1: return 1 + choose.below(2 * options_.max_len);
    default: return 1 + choose.below(options_.max_len);
  }
}

PageNo TraceGenerator::draw_addr(const World& w, Chooser& choose, ProcessId pid) const {
  const auto& vmas = w.proc(pid).vmas;
  const uint64_t kind = choose.below(vmas.empty() ? 1 : 5);
  if (kind == 0) return options_.window_start + choose.below(options_.window_pages);
  const Vma& v = w.vma(vmas[choose.below(vmas.size())]);
  switch (kind) {
    case 1: return v.start;
    case 2: return v.start + choose.below(v.pages());
    case 3: return v.end < kArenaPages ? v.end : v.start;
    default: return v.end - 1;
  }
}

// uffd_move's destination: mostly the first page without an entry at or
// after a random page of a VMA that validate_move_areas would pair with the
// source's (same protection and VM_LOCKED), so that moves get somewhere: a
// drawn address would mostly fail validation (EINVAL) or be populated
// (EEXIST). The length is then cut to fit both VMAs.
PageNo TraceGenerator::draw_move_destination(const World& w, Chooser& choose, Op& op) const {
  const auto& vmas = w.proc(op.pid).vmas;
  const VmaId src = w.vma_lookup(op.pid, op.addr);
  if (vmas.empty() || src == kNoVma || choose.one_in(4)) return draw_addr(w, choose, op.pid);
  auto pairs = [&](VmaId id) {
    return w.vma(id).prot == w.vma(src).prot && (w.vma(id).flags & kVmLocked) == (w.vma(src).flags & kVmLocked);
  };
  const size_t first = choose.below(vmas.size());
  size_t pick = first;
  while (!pairs(vmas[pick]) && (pick = (pick + 1) % vmas.size()) != first) {}
  const Vma& v = w.vma(vmas[pick]);
  PageNo dst = v.start;
  for (PageNo page = v.start + choose.below(v.pages()); page < v.end; page++)
    if (!w.proc(op.pid).pt.find(page)) {
      dst = page;
      break;
    }
  op.len = std::max<PageNo>(1, std::min({op.len, w.vma(src).end - op.addr, v.end - dst}));
  return dst;
}

// fault_race's second page: mostly another page of the first page's VMA,
// where the two first faults meet (S20).
PageNo TraceGenerator::draw_race_partner(const World& w, Chooser& choose, const Op& op) const {
  const VmaId id = w.vma_lookup(op.pid, op.addr);
  if (id == kNoVma || w.vma(id).pages() < 2 || choose.one_in(4)) return draw_addr(w, choose, op.pid);
  const PageNo page = w.vma(id).start + choose.below(w.vma(id).pages() - 1);
  return page < op.addr ? page : page + 1;  // any page but op.addr
}

// grow_race's page: mostly a few pages below a stack VMA (a growsdown
// VMA, or exec's stack), which the store grows down to (S5).
PageNo TraceGenerator::draw_below_stack(const World& w, Chooser& choose, ProcessId pid) const {
  const auto& vmas = w.proc(pid).vmas;
  for (size_t k = 0, first = vmas.empty() ? 0 : choose.below(vmas.size()); k < vmas.size(); k++) {
    const Vma& v = w.vma(vmas[(first + k) % vmas.size()]);
    if ((v.flags & kVmGrowsdown) && v.start > 0 && !choose.one_in(8))
      return v.start - 1 - choose.below(std::min<PageNo>(options_.max_len, v.start));
  }
  return draw_addr(w, choose, pid);
}

const TraceGenerator::Range* TraceGenerator::draw_recent(Chooser& choose) const {
  if (options_.recent_one_in == 0 || recent_count_ == 0 || !choose.one_in(options_.recent_one_in)) return nullptr;
  return &recent_[choose.below(recent_count_)];
}

void TraceGenerator::remember(const Op& op) {
  const OpSpec& spec = op_spec(op.kind);
  if (spec.operand_count == 0 || spec.operands[0] != Operand::kAddr) return;
  recent_[recent_next_] = Range{op.addr, std::max(op.len, PageNo{1})};
  recent_next_ = (recent_next_ + 1) % kRecentRanges;
  recent_count_ = std::min(recent_count_ + 1, kRecentRanges);
}

Op TraceGenerator::draw(const World& w, Chooser& choose, OpKind kind, ProcessId pid) const {
  Op op;
  op.kind = kind;
  op.pid = pid;
  const OpSpec& spec = op_spec(kind);
  PageNo recent_len = 0;  // the length to re-use with a recent range's address
  for (size_t i = 0; i < spec.operand_count; i++) {
    switch (spec.operands[i]) {
      case Operand::kAddr:
        if (const Range* r = draw_recent(choose)) {
          // Its start (with its length, or a new one), a page inside, or
          // the page after it (the neighbour a merge or a split is about).
          switch (choose.below(4)) {
            case 0: op.addr = r->addr; recent_len = r->len; break;
            case 1: op.addr = r->addr; break;
            case 2: op.addr = r->addr + choose.below(r->len); break;
            default: op.addr = r->addr + r->len; break;
          }
        } else {
          op.addr = draw_addr(w, choose, pid);
        }
        break;
      case Operand::kLen: op.len = recent_len ? recent_len : draw_len(choose); break;
      case Operand::kNewLen:
        op.new_len = choose.one_in(2) ? op.len : draw_len(choose);
        break;
      case Operand::kNewAddr: {
        // Sometimes "home": where the range's linear page offset says it
        // was first mapped, so a moved faulted VMA can merge back (the
        // 6.18.8 fixes were for such moves).
        const VmaId src = w.vma_lookup(pid, op.addr);
        if (src != kNoVma && choose.one_in(3))
          op.new_addr = w.vma(src).pgoff + (op.addr - w.vma(src).start);
        else
          op.new_addr = draw_addr(w, choose, pid);
        break;
      }
      case Operand::kProt: {
        static constexpr uint8_t kProts[] = {kProtRead | kProtWrite, kProtRead | kProtWrite, kProtRead,
                                             kProtRead | kProtWrite | kProtExec, kProtNone};
        op.prot = kProts[choose.below(std::size(kProts))];
        break;
      }
      case Operand::kMmapFlags: {
        uint8_t flags = 0;
        if (choose.one_in(8)) flags |= kMapNoreserve;
        if (choose.one_in(24)) flags |= kMapGrowsdown;
        if (choose.one_in(16)) flags |= kMapLocked;
        if (choose.one_in(8)) flags |= kMapPopulate;
        op.flags = flags;
        break;
      }
      case Operand::kMremapFlags: {
        static constexpr uint8_t kCombos[] = {0, kMremapMaymove, kMremapMaymove | kMremapFixed,
                                              kMremapMaymove | kMremapFixed | kMremapDontunmap,
                                              kMremapMaymove | kMremapDontunmap};
        op.flags = kCombos[choose.below(std::size(kCombos))];
        if (op.flags & kMremapDontunmap) op.new_len = op.len;
        break;
      }
      case Operand::kAdvice: op.advice = static_cast<Advice>(choose.below(static_cast<uint64_t>(Advice::kCount))); break;
      case Operand::kFilePgoff: {
        // Base 0 (PGOFF = ADDR), a base above 0, one that wraps below 0
        // (PGOFF above ADDR: S19), or the offset that continues the VMA
        // below, so that /dev/zero mappings can merge.
        switch (choose.below(4)) {
          case 0: op.pgoff = op.addr; break;
          case 1: op.pgoff = choose.below(op.addr + 1); break;
          case 2: op.pgoff = op.addr + 1 + choose.below(kArenaPages); break;
          default: {
            const VmaId below = op.addr ? w.vma_lookup(pid, op.addr - 1) : kNoVma;
            op.pgoff = below != kNoVma ? w.vma(below).pgoff + (op.addr - w.vma(below).start) : op.addr;
            break;
          }
        }
        break;
      }
      case Operand::kShift: op.shift = 1 + choose.below(options_.max_len); break;
      case Operand::kDstAddr:
        op.new_addr = kind == OpKind::kFaultRace ? draw_race_partner(w, choose, op) : draw_move_destination(w, choose, op);
        break;
      case Operand::kChild: {
        op.child = pid;  // invalid unless a free name is found
        for (uint8_t c = 0; c < options_.max_processes && c < kMaxProcesses; c++)
          if (w.proc(ProcessId{c}).state == ProcessState::kUnused) {
            op.child = ProcessId{c};
            break;
          }
        break;
      }
    }
  }
  if (kind == OpKind::kBrk) op.addr = w.proc(pid).start_brk + choose.below(2 * options_.max_len);
  if (kind == OpKind::kGrowRace) op.addr = draw_below_stack(w, choose, pid);
  if (kind == OpKind::kMremap && !(op.flags & kMremapFixed)) op.new_addr = 0;
  // Keep ranges inside the arena so that only semantic checks can refuse them.
  if (op.addr + std::max(op.len, PageNo{1}) > kArenaPages) op.addr = options_.window_start;
  if ((op.flags & kMremapFixed) && op.new_addr + op.new_len > kArenaPages) op.new_addr = options_.window_start;
  if (kind == OpKind::kUffdMove && op.new_addr + op.len > kArenaPages) op.new_addr = options_.window_start;
  return op;
}

Op TraceGenerator::next_op(const World& w, Chooser& choose) {
  std::vector<ProcessId> live;
  for (uint8_t p = 0; p < kMaxProcesses; p++)
    if (w.proc(ProcessId{p}).live()) live.push_back(ProcessId{p});
  assert(!live.empty());
  uint64_t total = 0;
  for (uint32_t weight : options_.weights) total += weight;
  assert(total > 0);
  for (int attempt = 0; attempt < kMaxDraws; attempt++) {
    uint64_t pick = choose.below(total);
    size_t kind = 0;
    while (pick >= options_.weights[kind]) pick -= options_.weights[kind++];
    const ProcessId pid = live[choose.below(live.size())];
    if (static_cast<OpKind>(kind) == OpKind::kExit && live.size() == 1) continue;  // keep one alive
    Op op = draw(w, choose, static_cast<OpKind>(kind), pid);
    if (op_form_error(op)) continue;
    if (op_invalid_reason(w, op, /*explain=*/false)) continue;
    remember(op);
    return op;
  }
  // Always valid: map a fresh range in the window.
  Op op;
  op.kind = OpKind::kMmap;
  op.pid = live[0];
  op.addr = options_.window_start + choose.below(options_.window_pages);
  op.len = 1 + choose.below(options_.max_len);
  op.prot = kProtRead | kProtWrite;
  remember(op);
  return op;
}

namespace {

// Option lines for `model`, then the first `keep` ops of `prefix` run on the
// generator's world, then ops drawn from `seed` up to `steps` in all.
Trace generate(const Trace* prefix, size_t keep, uint64_t seed, uint32_t steps, const GeneratorOptions& generator,
               const ModelOptions& model, const GeneratedOpFn& before_op) {
  Trace trace;
  trace.source = "random seed " + std::to_string(seed);
  trace.options = model;
  for (auto& [name, value] : option_lines(model)) {
    TraceLine line;
    line.kind = TraceLine::Kind::kOption;
    line.option_name = name;
    line.option_value = value;
    trace.lines.push_back(line);
  }
  auto world = make_world("eager", model);
  uint64_t next_value = 0;
  uint32_t done = 0;
  if (prefix) {
    for (const TraceLine& line : prefix->lines) {
      if (line.kind != TraceLine::Kind::kOp || done == keep || done == steps) continue;
      if (before_op) before_op(line.op);
      apply_op(*world, line.op, next_value, nullptr);
      trace.add_op(line.op);
      done++;
    }
  }
  SeededChooser choose(seed);
  TraceGenerator gen(generator);
  for (; done < steps; done++) {
    Op op = gen.next_op(*world, choose);
    if (before_op) before_op(op);
    apply_op(*world, op, next_value, nullptr);
    trace.add_op(op);
  }
  return trace;
}

}  // namespace

Trace random_trace(uint64_t seed, uint32_t steps, const GeneratorOptions& generator,
                   const ModelOptions& model, const GeneratedOpFn& before_op) {
  return generate(nullptr, 0, seed, steps, generator, model, before_op);
}

Trace extend_trace(const Trace& prefix, size_t keep, uint64_t seed, uint32_t steps,
                   const GeneratorOptions& generator, const GeneratedOpFn& before_op) {
  return generate(&prefix, keep, seed, steps, generator, prefix.options, before_op);
}

}  // namespace rmc
