// op_table.h - the declarative table of operations.
//
// One row per op: its name in traces, its operands in order, its weight in
// random traces and fuzz decoding, and a line of documentation. The parser,
// the printer, the random generator, the fuzz decoder and the shrinker all
// read this table; adding an op means one row here and its World function.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/core/op.h"

namespace rmc {

enum class Operand : uint8_t {
  kAddr,         // page number, printed 0x...
  kLen,          // pages, printed decimal
  kNewLen,       // mremap's new length
  kNewAddr,      // mremap's new address: present iff the flags say "fixed"
  kProt,         // none | r | rw | rx | rwx | ...
  kMmapFlags,    // optional: noreserve,growsdown,locked,populate
  kMremapFlags,  // optional: maymove,fixed,dontunmap
  kAdvice,       // dontneed | pageout | dontfork | dofork | wipeonfork | keeponfork
  kChild,        // P<n>, a process id never used before
  kFilePgoff,    // mmap_zero's file offset in pages, printed 0x...
  kShift,        // exec's relocation distance in pages, printed decimal
  kDstAddr,      // uffd_move's destination, fault_race's second page (op.new_addr), printed 0x...
};

inline constexpr size_t kMaxOperands = 5;

struct OpSpec {
  OpKind kind;
  std::string_view name;
  std::array<Operand, kMaxOperands> operands;
  uint8_t operand_count;
  uint32_t weight;  // relative frequency in generated traces (0 = never)
  std::string_view syntax;
  std::string_view summary;
};

const std::array<OpSpec, static_cast<size_t>(OpKind::kCount)>& op_table();
const OpSpec& op_spec(OpKind kind);
std::optional<OpKind> op_kind_from_name(std::string_view name);

// Text forms of the operand values.
std::string prot_name(uint8_t prot);
std::optional<uint8_t> prot_from_name(std::string_view text);
std::string mmap_flags_name(uint8_t flags);
std::string mremap_flags_name(uint8_t flags);
std::string_view advice_name(Advice advice);
std::optional<Advice> advice_from_name(std::string_view text);
std::string hex(uint64_t value);
// Accepts 0x-prefixed hex or decimal.
std::optional<uint64_t> parse_number(std::string_view text);
std::string process_name(ProcessId pid);
std::optional<ProcessId> parse_process(std::string_view text);

// "P0 mmap 0x100 8 rw" (no trailing comment, no newline).
std::string print_op(const Op& op);
// Parses the tokens of one op line ("P0", "mmap", ...). On error returns the
// message (without file:line), and `op` is unspecified.
std::optional<std::string> parse_op(const std::vector<std::string_view>& tokens, Op& op);

// The checks of one op's operands together (ranges inside the arena, the
// mremap flag combinations the kernel rejects with EINVAL, ...). The parser
// applies them; so does every generator.
std::optional<std::string> op_form_error(const Op& op);

// Expectation lines: "expect vmas P0 ...".
std::string print_expect(const Expect& expect);
std::optional<std::string> parse_expect(const std::vector<std::string_view>& tokens,
                                        Expect& expect);
std::string_view count_name(CountKind kind);
std::string_view page_state_name(PageStateKind kind);

}  // namespace rmc
