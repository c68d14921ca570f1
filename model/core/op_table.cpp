// op_table.cpp - the op table, and the text form of ops and expectations.
#include "model/core/op_table.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>

#include "model/core/bounds.h"

namespace rmc {

namespace {

using O = Operand;

constexpr std::array<OpSpec, static_cast<size_t>(OpKind::kCount)> kOpTable = {{
    {OpKind::kMmap, "mmap", {O::kAddr, O::kLen, O::kProt, O::kMmapFlags}, 4, 14,
     "P<n> mmap ADDR LEN PROT [FLAGS]",
     "mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED) over whatever was there"},
    {OpKind::kMunmap, "munmap", {O::kAddr, O::kLen}, 2, 6, "P<n> munmap ADDR LEN",
     "munmap(2); holes in the range are fine"},
    {OpKind::kMprotect, "mprotect", {O::kAddr, O::kLen, O::kProt}, 3, 12,
     "P<n> mprotect ADDR LEN PROT", "mprotect(2): split, change, merge"},
    {OpKind::kMlock, "mlock", {O::kAddr, O::kLen}, 2, 2, "P<n> mlock ADDR LEN",
     "mlock(2): VM_LOCKED, populate (write-faults writable pages)"},
    {OpKind::kMunlock, "munlock", {O::kAddr, O::kLen}, 2, 2, "P<n> munlock ADDR LEN",
     "munlock(2): clear VM_LOCKED"},
    {OpKind::kMadvise, "madvise", {O::kAddr, O::kLen, O::kAdvice}, 3, 8,
     "P<n> madvise ADDR LEN ADVICE", "madvise(2) DONTNEED/PAGEOUT/DONTFORK/DOFORK/..."},
    {OpKind::kRead, "read", {O::kAddr, O::kLen}, 2, 10, "P<n> read ADDR LEN",
     "read every page; the value must be what the process wrote or inherited"},
    {OpKind::kWrite, "write", {O::kAddr, O::kLen}, 2, 22, "P<n> write ADDR LEN",
     "write a fresh value to every page (faults, COW)"},
    {OpKind::kFork, "fork", {O::kChild}, 1, 5, "P<n> fork P<m>",
     "fork(2): P<m> is the child, a name not used before"},
    {OpKind::kExit, "exit", {}, 0, 2, "P<n> exit", "exit(2): tear down the mm"},
    {OpKind::kMremap, "mremap", {O::kAddr, O::kLen, O::kNewLen, O::kNewAddr, O::kMremapFlags},
     5, 7, "P<n> mremap ADDR OLDLEN NEWLEN [NEWADDR] [FLAGS]",
     "mremap(2): shrink, grow in place, or move (maymove, fixed NEWADDR, dontunmap)"},
    {OpKind::kMigrate, "migrate", {O::kAddr, O::kLen}, 2, 5, "P<n> migrate ADDR LEN",
     "move_pages(MPOL_MF_MOVE_ALL): migrate every folio mapped in the range"},
    {OpKind::kBrk, "brk", {O::kAddr}, 1, 2, "P<n> brk ADDR",
     "brk(2): set the program break (the heap starts at 0x8000)"},
    {OpKind::kSplitFolio, "split_folio", {O::kAddr}, 1, 2, "P<n> split_folio ADDR",
     "split the large folio mapped at ADDR into small folios"},
    {OpKind::kMmapZero, "mmap_zero", {O::kAddr, O::kLen, O::kProt, O::kFilePgoff, O::kMmapFlags}, 5, 3,
     "P<n> mmap_zero ADDR LEN PROT PGOFF [FLAGS]",
     "mmap(MAP_PRIVATE|MAP_FIXED) of /dev/zero at file page PGOFF: anonymous, with vm_pgoff PGOFF (S19)"},
    {OpKind::kExec, "exec", {O::kAddr, O::kLen, O::kShift}, 3, 1, "P<n> exec ADDR LEN SHIFT",
     "execve(2): a new mm whose stack [ADDR, ADDR+LEN) gets argv/envp written, then moves down SHIFT pages"},
    {OpKind::kMigrateBegin, "migrate_begin", {O::kAddr}, 1, 2, "P<n> migrate_begin ADDR",
     "first half of migrating the folio mapped at ADDR (compaction, no mmap_lock): unmap to migration entries, copy"},
    {OpKind::kMigrateEnd, "migrate_end", {}, 0, 2, "P<n> migrate_end",
     "second half of the migration in flight: remove_migration_ptes through the copy (P<n> is any process)"},
    {OpKind::kUffdMove, "uffd_move", {O::kAddr, O::kLen, O::kDstAddr}, 3, 3, "P<n> uffd_move SRC LEN DST",
     "UFFDIO_MOVE (ALLOW_SRC_HOLES) of LEN pages from SRC to DST, the VMA at DST registered for it and unregistered after"},
    {OpKind::kPin, "pin", {O::kAddr, O::kLen}, 2, 2, "P<n> pin ADDR LEN",
     "pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) of LEN pages, as IORING_REGISTER_BUFFERS: write-fault, then pin (S10)"},
    {OpKind::kUnpin, "unpin", {}, 0, 1, "P<n> unpin",
     "IORING_UNREGISTER_BUFFERS: drop every pin P<n> holds (exit and exec drop them too)"},
    {OpKind::kLazyOff, "lazy_off", {}, 0, 1, "P<n> lazy_off",
     "anon_vma_lazy_enabled() turns false (the series' runtime switch, S7): first faults take mainline's path (P<n> is a label)"},
    {OpKind::kLazyOn, "lazy_on", {}, 0, 1, "P<n> lazy_on",
     "anon_vma_lazy_enabled() turns true again (P<n> is a label)"},
    {OpKind::kSplitBegin, "split_begin", {O::kAddr}, 1, 2, "P<n> split_begin ADDR",
     "first half of split_folio of the large folio mapped at ADDR: unmap to migration entries (S6)"},
    {OpKind::kSplitEnd, "split_end", {}, 0, 2, "P<n> split_end",
     "second half of the split in flight: the small folios, mapped back through their rmap walks (P<n> is a label)"},
    {OpKind::kFaultRace, "fault_race", {O::kAddr, O::kDstAddr}, 2, 1, "P<n> fault_race ADDR ADDR2",
     "two threads of P<n> write ADDR and ADDR2 at once: both first faults of an unfaulted VMA test its anon state before either prepares it (S20)"},
    {OpKind::kGrowRace, "grow_race", {O::kAddr}, 1, 1, "P<n> grow_race ADDR",
     "a store to ADDR grows the stack above it while the migration or split in flight ends: a walk without the anon_vma lock reads vm_start from before the growth, vm_pgoff from after (S5)"},
    {OpKind::kMprotectRace, "mprotect_race", {O::kAddr, O::kLen, O::kProt}, 3, 1, "P<n> mprotect_race ADDR LEN PROT",
     "mprotect while the migration or split in flight ends: a walk without the anon_vma lock reads a split VMA's vm_start from before, vm_pgoff from after (S5)"},
}};

constexpr std::string_view kMmapFlagNames[] = {"noreserve", "growsdown", "locked", "populate"};
constexpr std::string_view kMremapFlagNames[] = {"maymove", "fixed", "dontunmap"};
constexpr std::string_view kAdviceNames[] = {"dontneed", "pageout",    "dontfork",
                                             "dofork",   "wipeonfork", "keeponfork"};
constexpr std::string_view kCountNames[] = {"vma", "anon_vma", "avc", "folio", "zombie_vma"};
constexpr std::string_view kPageStateNames[] = {"present", "zero", "swapped", "none"};

std::string flags_name(uint8_t flags, const std::string_view* names, size_t count) {
  std::string out;
  for (size_t bit = 0; bit < count; bit++) {
    if (!(flags & (1u << bit))) continue;
    if (!out.empty()) out += ',';
    out += names[bit];
  }
  return out;
}

std::optional<std::string> parse_flags(std::string_view text, const std::string_view* names,
                                       size_t count, uint8_t& flags) {
  flags = 0;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    size_t bit = 0;
    while (bit < count && names[bit] != name) bit++;
    if (bit == count) {
      std::string known;
      for (size_t i = 0; i < count; i++) known += fmt::format("{}{}", i ? "," : "", names[i]);
      return fmt::format("unknown flag '{}' (flags: {})", name, known);
    }
    if (flags & (1u << bit)) return fmt::format("flag '{}' given twice", name);
    flags |= 1u << bit;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::string("empty flag after ','");
  }
  return std::nullopt;
}

bool looks_like_number(std::string_view token) {
  return !token.empty() && token[0] >= '0' && token[0] <= '9';
}

std::optional<std::string> parse_page(std::string_view token, std::string_view what,
                                      PageNo& out) {
  auto value = parse_number(token);
  if (!value) return fmt::format("bad {} '{}' (a page number: 0x... or decimal)", what, token);
  if (*value >= kArenaPages)
    return fmt::format("{} {} is outside the arena (pages 0x0-{})", what, hex(*value),
                       hex(kArenaPages - 1));
  out = *value;
  return std::nullopt;
}

std::optional<std::string> parse_len(std::string_view token, std::string_view what,
                                     PageNo& out) {
  auto value = parse_number(token);
  if (!value) return fmt::format("bad {} '{}' (a number of pages)", what, token);
  if (*value == 0 || *value > kMaxOpPages)
    return fmt::format("{} {} out of range (1-{} pages)", what, *value, kMaxOpPages);
  out = *value;
  return std::nullopt;
}

std::optional<std::string> check_range(PageNo addr, PageNo len) {
  if (addr + len > kArenaPages)
    return fmt::format("range {}+{} runs past the end of the arena ({})", hex(addr), len,
                       hex(kArenaPages));
  return std::nullopt;
}

// Flag combinations the kernel rejects with EINVAL before doing anything.
std::optional<std::string> check_mremap_flags(const Op& op) {
  bool maymove = op.flags & kMremapMaymove;
  if ((op.flags & kMremapFixed) && !maymove) return std::string("'fixed' needs 'maymove' (EINVAL)");
  if (op.flags & kMremapDontunmap) {
    if (!maymove) return std::string("'dontunmap' needs 'maymove' (EINVAL)");
    if (op.len != op.new_len) return std::string("'dontunmap' needs OLDLEN == NEWLEN (EINVAL)");
  }
  if (op.flags & kMremapFixed) {
    if (auto err = check_range(op.new_addr, op.new_len)) return err;
    if (op.new_addr < op.addr + op.len && op.addr < op.new_addr + op.new_len)
      return std::string("new range overlaps the old one (EINVAL)");
  }
  return std::nullopt;
}

}  // namespace

const std::array<OpSpec, static_cast<size_t>(OpKind::kCount)>& op_table() {
  return kOpTable;
}

const OpSpec& op_spec(OpKind kind) {
  const OpSpec& spec = kOpTable[static_cast<size_t>(kind)];
  assert(spec.kind == kind);
  return spec;
}

std::optional<OpKind> op_kind_from_name(std::string_view name) {
  for (const OpSpec& spec : kOpTable)
    if (spec.name == name) return spec.kind;
  return std::nullopt;
}

std::string prot_name(uint8_t prot) {
  if (prot == kProtNone) return "none";
  std::string out;
  if (prot & kProtRead) out += 'r';
  if (prot & kProtWrite) out += 'w';
  if (prot & kProtExec) out += 'x';
  return out;
}

std::optional<uint8_t> prot_from_name(std::string_view text) {
  if (text == "none") return kProtNone;
  if (text.empty()) return std::nullopt;
  uint8_t prot = 0;
  // Letters in the order r, w, x, each at most once: the printed form.
  std::string_view rest = text;
  auto take = [&](char c, uint8_t bit) {
    if (!rest.empty() && rest[0] == c) {
      prot |= bit;
      rest.remove_prefix(1);
    }
  };
  take('r', kProtRead);
  take('w', kProtWrite);
  take('x', kProtExec);
  if (!rest.empty()) return std::nullopt;
  return prot;
}

std::string mmap_flags_name(uint8_t flags) {
  return flags_name(flags, kMmapFlagNames, std::size(kMmapFlagNames));
}

std::string mremap_flags_name(uint8_t flags) {
  return flags_name(flags, kMremapFlagNames, std::size(kMremapFlagNames));
}

std::string_view advice_name(Advice advice) { return kAdviceNames[static_cast<size_t>(advice)]; }

std::optional<Advice> advice_from_name(std::string_view text) {
  for (size_t i = 0; i < std::size(kAdviceNames); i++)
    if (kAdviceNames[i] == text) return static_cast<Advice>(i);
  return std::nullopt;
}

std::string_view count_name(CountKind kind) { return kCountNames[static_cast<size_t>(kind)]; }

std::string_view page_state_name(PageStateKind kind) {
  return kPageStateNames[static_cast<size_t>(kind)];
}

std::string hex(uint64_t value) { return fmt::format("{:#x}", value); }

std::optional<uint64_t> parse_number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string process_name(ProcessId pid) { return fmt::format("P{}", idx(pid)); }

std::optional<ProcessId> parse_process(std::string_view text) {
  if (text.size() < 2 || text[0] != 'P') return std::nullopt;
  auto number = parse_number(text.substr(1));
  if (!number || (text[1] == '0' && text.size() > 2) || *number >= kMaxProcesses)
    return std::nullopt;
  return ProcessId{static_cast<uint8_t>(*number)};
}

std::string print_op(const Op& op) {
  const OpSpec& spec = op_spec(op.kind);
  std::string out = fmt::format("{} {}", process_name(op.pid), spec.name);
  for (size_t i = 0; i < spec.operand_count; i++) {
    switch (spec.operands[i]) {
      case Operand::kAddr: out += " " + hex(op.addr); break;
      case Operand::kLen: out += fmt::format(" {}", op.len); break;
      case Operand::kNewLen: out += fmt::format(" {}", op.new_len); break;
      case Operand::kNewAddr:
        if (op.flags & kMremapFixed) out += " " + hex(op.new_addr);
        break;
      case Operand::kProt: out += " " + prot_name(op.prot); break;
      case Operand::kMmapFlags:
        if (op.flags) out += " " + mmap_flags_name(op.flags);
        break;
      case Operand::kMremapFlags:
        if (op.flags) out += " " + mremap_flags_name(op.flags);
        break;
      case Operand::kAdvice: out += fmt::format(" {}", advice_name(op.advice)); break;
      case Operand::kChild: out += " " + process_name(op.child); break;
      case Operand::kFilePgoff: out += " " + hex(op.pgoff); break;
      case Operand::kShift: out += fmt::format(" {}", op.shift); break;
      case Operand::kDstAddr: out += " " + hex(op.new_addr); break;
    }
  }
  return out;
}

std::optional<std::string> parse_op(const std::vector<std::string_view>& tokens, Op& op) {
  assert(tokens.size() >= 2);
  op = Op{};
  auto pid = parse_process(tokens[0]);
  if (!pid) return fmt::format("bad process '{}' (P0-P{})", tokens[0], kMaxProcesses - 1);
  op.pid = *pid;
  auto kind = op_kind_from_name(tokens[1]);
  if (!kind) {
    std::string names;
    for (const OpSpec& spec : op_table()) names += fmt::format("{}{}", names.empty() ? "" : " ", spec.name);
    return fmt::format("unknown op '{}' (ops: {})", tokens[1], names);
  }
  op.kind = *kind;
  const OpSpec& spec = op_spec(*kind);
  size_t next = 2;
  bool has_new_addr = false;
  auto missing = [&](std::string_view what) {
    return fmt::format("{}: missing {} (syntax: {})", spec.name, what, spec.syntax);
  };
  for (size_t i = 0; i < spec.operand_count; i++) {
    bool have = next < tokens.size();
    std::string_view token = have ? tokens[next] : std::string_view{};
    std::optional<std::string> err;
    switch (spec.operands[i]) {
      case Operand::kAddr:
        if (!have) return missing("ADDR");
        err = parse_page(token, "address", op.addr);
        next++;
        break;
      case Operand::kLen:
        if (!have) return missing("LEN");
        err = parse_len(token, "length", op.len);
        next++;
        break;
      case Operand::kNewLen:
        if (!have) return missing("NEWLEN");
        err = parse_len(token, "new length", op.new_len);
        next++;
        break;
      case Operand::kNewAddr:
        // Optional: present when the token is a number (it must then be "fixed").
        if (have && looks_like_number(token)) {
          err = parse_page(token, "new address", op.new_addr);
          has_new_addr = true;
          next++;
        }
        break;
      case Operand::kProt: {
        if (!have) return missing("PROT");
        auto prot = prot_from_name(token);
        if (!prot) err = fmt::format("bad protection '{}' (none, or r/w/x in that order: r, rw, rwx, ...)", token);
        else op.prot = *prot;
        next++;
        break;
      }
      case Operand::kMmapFlags:
        if (have) {
          err = parse_flags(token, kMmapFlagNames, std::size(kMmapFlagNames), op.flags);
          next++;
        }
        break;
      case Operand::kMremapFlags:
        if (have) {
          err = parse_flags(token, kMremapFlagNames, std::size(kMremapFlagNames), op.flags);
          next++;
        }
        break;
      case Operand::kAdvice: {
        if (!have) return missing("ADVICE");
        auto advice = advice_from_name(token);
        if (!advice) err = fmt::format("unknown advice '{}' (dontneed pageout dontfork dofork wipeonfork keeponfork)", token);
        else op.advice = *advice;
        next++;
        break;
      }
      case Operand::kChild: {
        if (!have) return missing("child process");
        auto child = parse_process(token);
        if (!child) err = fmt::format("bad child process '{}' (P0-P{})", token, kMaxProcesses - 1);
        else op.child = *child;
        next++;
        break;
      }
      case Operand::kFilePgoff: {
        if (!have) return missing("PGOFF");
        auto pgoff = parse_number(token);
        if (!pgoff) err = fmt::format("bad file offset '{}' (a page offset: 0x... or decimal)", token);
        else op.pgoff = *pgoff;
        next++;
        break;
      }
      case Operand::kShift: {
        if (!have) return missing("SHIFT");
        auto shift = parse_number(token);
        if (!shift || *shift == 0 || *shift > kMaxExecShift)
          err = fmt::format("bad shift '{}' (1-{} pages)", token, kMaxExecShift);
        else op.shift = *shift;
        next++;
        break;
      }
      case Operand::kDstAddr: {
        const bool race = op.kind == OpKind::kFaultRace;
        if (!have) return missing(race ? "ADDR2" : "DST");
        err = parse_page(token, race ? "second address" : "destination", op.new_addr);
        next++;
        break;
      }
    }
    if (err) return fmt::format("{}: {}", spec.name, *err);
  }
  if (next < tokens.size())
    return fmt::format("{}: unexpected '{}' (syntax: {})", spec.name, tokens[next], spec.syntax);

  if (op.kind == OpKind::kMremap) {
    if ((op.flags & kMremapFixed) && !has_new_addr)
      return fmt::format("mremap: 'fixed' needs NEWADDR (syntax: {})", spec.syntax);
    if (has_new_addr && !(op.flags & kMremapFixed))
      return std::string("mremap: a new address needs the 'fixed' flag");
  }
  return op_form_error(op);
}

std::optional<std::string> op_form_error(const Op& op) {
  const OpSpec& spec = op_spec(op.kind);
  for (size_t i = 0; i < spec.operand_count; i++) {
    if (spec.operands[i] == Operand::kLen)
      if (auto err = check_range(op.addr, op.len)) return fmt::format("{}: {}", spec.name, *err);
  }
  if (op.kind == OpKind::kMremap) {
    if (auto err = check_range(op.addr, op.new_len); err && !(op.flags & kMremapFixed))
      return fmt::format("mremap: {}", *err);
    if (auto err = check_mremap_flags(op)) return fmt::format("mremap: {}", *err);
  }
  if (op.kind == OpKind::kExec && op.len > kStackRlimitPages)
    return fmt::format("exec: a stack of {} pages is over RLIMIT_STACK ({} pages)", op.len, kStackRlimitPages);
  if (op.kind == OpKind::kExec && op.addr < op.shift)
    return fmt::format("exec: the stack at {} cannot move down {} pages (below page 0)", hex(op.addr), op.shift);
  if (op.kind == OpKind::kUffdMove)
    if (auto err = check_range(op.new_addr, op.len)) return fmt::format("uffd_move: destination {}", *err);
  if (op.kind == OpKind::kFork && op.child == op.pid)
    return std::string("fork: a process cannot be its own child");
  return std::nullopt;
}

// ---- expectations -----------------------------------------------------------

namespace {

std::string page_ref_name(const PageRef& ref) {
  return fmt::format("{}:{}", process_name(ref.pid), hex(ref.addr));
}

std::optional<std::string> parse_page_ref(std::string_view token, PageRef& ref) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos)
    return fmt::format("bad page '{}' (P<n>:ADDR, e.g. P0:0x100)", token);
  auto pid = parse_process(token.substr(0, colon));
  if (!pid) return fmt::format("bad process in '{}'", token);
  ref.pid = *pid;
  return parse_page(token.substr(colon + 1), "address", ref.addr);
}

std::string vma_spec_name(const VmaSpec& spec) {
  std::string out = fmt::format("{}-{}", hex(spec.start), hex(spec.end));
  if (spec.prot >= 0) out += ":" + prot_name(static_cast<uint8_t>(spec.prot));
  if (spec.faulted >= 0) out += spec.faulted ? ":faulted" : ":unfaulted";
  return out;
}

std::optional<std::string> parse_vma_spec(std::string_view token, VmaSpec& spec) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t colon = token.find(':');
    parts.push_back(token.substr(0, colon));
    if (colon == std::string_view::npos) break;
    token.remove_prefix(colon + 1);
  }
  std::string_view range = parts[0];
  size_t dash = range.find('-');
  if (dash == std::string_view::npos)
    return fmt::format("bad VMA '{}' (START-END[:PROT][:faulted|:unfaulted])", range);
  auto start = parse_number(range.substr(0, dash));
  auto end = parse_number(range.substr(dash + 1));
  if (!start || !end || *start >= *end || *end > kArenaPages)
    return fmt::format("bad VMA range '{}' (START-END, START < END <= {})", range, hex(kArenaPages));
  spec.start = *start;
  spec.end = *end;
  for (size_t i = 1; i < parts.size(); i++) {
    if (parts[i] == "faulted" || parts[i] == "unfaulted") {
      if (spec.faulted >= 0) return std::string("anon state given twice");
      spec.faulted = parts[i] == "faulted";
    } else if (auto prot = prot_from_name(parts[i])) {
      if (spec.prot >= 0) return std::string("protection given twice");
      spec.prot = *prot;
    } else {
      return fmt::format("bad VMA attribute '{}' (a protection, 'faulted' or 'unfaulted')", parts[i]);
    }
  }
  return std::nullopt;
}

std::optional<std::string> parse_counts(const std::vector<std::string_view>& tokens, size_t first,
                                        bool signed_values, std::vector<CountSpec>& out) {
  if (first >= tokens.size()) return std::string("nothing to count (vma anon_vma avc folio zombie_vma)");
  if ((tokens.size() - first) % 2) return std::string("counts come in pairs: NAME VALUE");
  for (size_t i = first; i < tokens.size(); i += 2) {
    CountSpec spec;
    size_t kind = 0;
    while (kind < std::size(kCountNames) && kCountNames[kind] != tokens[i]) kind++;
    if (kind == std::size(kCountNames))
      return fmt::format("unknown count '{}' (vma anon_vma avc folio zombie_vma)", tokens[i]);
    spec.what = static_cast<CountKind>(kind);
    for (const CountSpec& seen : out)
      if (seen.what == spec.what) return fmt::format("'{}' given twice", tokens[i]);
    std::string_view value = tokens[i + 1];
    bool negative = false;
    if (signed_values) {
      if (value.empty() || (value[0] != '+' && value[0] != '-'))
        return fmt::format("delta '{}' needs a sign (+1, -2, +0)", value);
      negative = value[0] == '-';
      value.remove_prefix(1);
    }
    auto number = parse_number(value);
    if (!number || *number > 1000000000)
      return fmt::format("bad value '{}' for {}", tokens[i + 1], tokens[i]);
    spec.value = negative ? -static_cast<int64_t>(*number) : static_cast<int64_t>(*number);
    out.push_back(spec);
  }
  return std::nullopt;
}

}  // namespace

std::string print_expect(const Expect& e) {
  std::string out = "expect ";
  switch (e.kind) {
    case ExpectKind::kVmas:
      out += "vmas " + process_name(e.pid);
      if (e.vmas.empty()) out += " none";
      for (const VmaSpec& spec : e.vmas) out += " " + vma_spec_name(spec);
      break;
    case ExpectKind::kSame:
    case ExpectKind::kDifferent:
      out += e.kind == ExpectKind::kSame ? "same" : "different";
      for (const PageRef& ref : e.pages) out += " " + page_ref_name(ref);
      break;
    case ExpectKind::kState:
      out += fmt::format("state {} {}", page_ref_name(e.pages[0]), page_state_name(e.state));
      break;
    case ExpectKind::kDelta:
    case ExpectKind::kCounts:
      out += e.kind == ExpectKind::kDelta ? "delta" : "count";
      for (const CountSpec& c : e.counts) {
        if (e.kind == ExpectKind::kDelta)
          out += fmt::format(" {} {}{}", count_name(c.what), c.value < 0 ? '-' : '+',
                             c.value < 0 ? -c.value : c.value);
        else
          out += fmt::format(" {} {}", count_name(c.what), c.value);
      }
      break;
    case ExpectKind::kKill:
      out += "kill " + page_ref_name(e.pages[0]);
      if (e.victims.empty()) out += " none";
      for (ProcessId pid : e.victims) out += " " + process_name(pid);
      break;
  }
  return out;
}

std::optional<std::string> parse_expect(const std::vector<std::string_view>& tokens, Expect& e) {
  assert(!tokens.empty() && tokens[0] == "expect");
  e = Expect{};
  if (tokens.size() < 2) return std::string("expect: what? (vmas same different state delta count kill)");
  std::string_view what = tokens[1];
  if (what == "vmas") {
    e.kind = ExpectKind::kVmas;
    if (tokens.size() < 4) return std::string("expect vmas: syntax: expect vmas P<n> START-END[:PROT][:faulted] ... | none");
    auto pid = parse_process(tokens[2]);
    if (!pid) return fmt::format("expect vmas: bad process '{}'", tokens[2]);
    e.pid = *pid;
    if (tokens.size() == 4 && tokens[3] == "none") return std::nullopt;
    for (size_t i = 3; i < tokens.size(); i++) {
      VmaSpec spec;
      if (auto err = parse_vma_spec(tokens[i], spec)) return "expect vmas: " + *err;
      if (!e.vmas.empty() && e.vmas.back().end > spec.start)
        return fmt::format("expect vmas: '{}' overlaps or precedes the VMA before it", tokens[i]);
      e.vmas.push_back(spec);
    }
    return std::nullopt;
  }
  if (what == "same" || what == "different") {
    e.kind = what == "same" ? ExpectKind::kSame : ExpectKind::kDifferent;
    if (tokens.size() < 4) return fmt::format("expect {}: needs at least two pages (P0:0x100 P1:0x100)", what);
    for (size_t i = 2; i < tokens.size(); i++) {
      PageRef ref;
      if (auto err = parse_page_ref(tokens[i], ref)) return fmt::format("expect {}: {}", what, *err);
      e.pages.push_back(ref);
    }
    return std::nullopt;
  }
  if (what == "state") {
    e.kind = ExpectKind::kState;
    if (tokens.size() != 4) return std::string("expect state: syntax: expect state P<n>:ADDR present|zero|swapped|none");
    PageRef ref;
    if (auto err = parse_page_ref(tokens[2], ref)) return "expect state: " + *err;
    e.pages.push_back(ref);
    size_t kind = 0;
    while (kind < std::size(kPageStateNames) && kPageStateNames[kind] != tokens[3]) kind++;
    if (kind == std::size(kPageStateNames))
      return fmt::format("expect state: unknown state '{}' (present zero swapped none)", tokens[3]);
    e.state = static_cast<PageStateKind>(kind);
    return std::nullopt;
  }
  if (what == "delta" || what == "count") {
    e.kind = what == "delta" ? ExpectKind::kDelta : ExpectKind::kCounts;
    if (auto err = parse_counts(tokens, 2, e.kind == ExpectKind::kDelta, e.counts))
      return fmt::format("expect {}: {}", what, *err);
    return std::nullopt;
  }
  if (what == "kill") {
    e.kind = ExpectKind::kKill;
    if (tokens.size() < 4) return std::string("expect kill: syntax: expect kill P<n>:ADDR P<a> P<b> ... | none");
    PageRef ref;
    if (auto err = parse_page_ref(tokens[2], ref)) return "expect kill: " + *err;
    e.pages.push_back(ref);
    if (tokens.size() == 4 && tokens[3] == "none") return std::nullopt;
    for (size_t i = 3; i < tokens.size(); i++) {
      auto pid = parse_process(tokens[i]);
      if (!pid) return fmt::format("expect kill: bad process '{}'", tokens[i]);
      if (!e.victims.empty() && idx(*pid) <= idx(e.victims.back()))
        return fmt::format("expect kill: list the processes once each, in order ('{}')", tokens[i]);
      e.victims.push_back(*pid);
    }
    return std::nullopt;
  }
  return fmt::format("expect: unknown expectation '{}' (vmas same different state delta count kill)", what);
}

}  // namespace rmc
