// op_codec.cpp - bytes <-> ops, driven by the op table.
#include "model/core/op_codec.h"

#include <cassert>

#include "model/core/op_table.h"

namespace rmc {

namespace {

constexpr uint32_t kFolioOrders[] = {0, 2, 4, 0};

size_t operand_width(Operand operand) {
  switch (operand) {
    case Operand::kAddr:
    case Operand::kNewAddr:
    case Operand::kDstAddr:
    case Operand::kFilePgoff: return 2;
    default: return 1;
  }
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool has(size_t n) const { return pos_ + n <= size_; }
  uint8_t byte() { return data_[pos_++]; }
  uint16_t word() {
    uint16_t low = byte();
    return static_cast<uint16_t>(low | (byte() << 8));
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

DecodedInput decode_ops(const uint8_t* data, size_t size) {
  DecodedInput out;
  Reader in(data, size);
  if (!in.has(2)) return out;
  const uint8_t version = in.byte();
  if (version < 1 || version > kCodecVersion) return out;
  const uint8_t options = in.byte();
  out.options.large_folio_order = kFolioOrders[options & 3];
  out.options.swapcache_after_pageout = !(options & 4);
  static_assert(static_cast<size_t>(OpKind::kMmapZero) == kCodecV1Kinds);
  static_assert(static_cast<size_t>(OpKind::kMigrateBegin) == kCodecV2Kinds);
  static_assert(static_cast<size_t>(OpKind::kUffdMove) == kCodecV3Kinds);
  static_assert(static_cast<size_t>(OpKind::kPin) == kCodecV4Kinds);
  static_assert(static_cast<size_t>(OpKind::kFaultRace) == kCodecV5Kinds);
  const size_t kinds = version == 1   ? kCodecV1Kinds
                       : version == 2 ? kCodecV2Kinds
                       : version == 3 ? kCodecV3Kinds
                       : version == 4 ? kCodecV4Kinds
                       : version == 5 ? kCodecV5Kinds
                                      : static_cast<size_t>(OpKind::kCount);
  while (out.ops.size() < kMaxDecodedOps && in.has(2)) {
    Op op;
    op.kind = static_cast<OpKind>(in.byte() % kinds);
    op.pid = ProcessId{static_cast<uint8_t>(in.byte() % kMaxProcesses)};
    const OpSpec& spec = op_spec(op.kind);
    size_t need = 0;
    for (size_t i = 0; i < spec.operand_count; i++) need += operand_width(spec.operands[i]);
    if (!in.has(need)) break;
    for (size_t i = 0; i < spec.operand_count; i++) {
      switch (spec.operands[i]) {
        case Operand::kAddr: op.addr = in.word() % kArenaPages; break;
        case Operand::kNewAddr: op.new_addr = in.word() % kArenaPages; break;
        case Operand::kLen: op.len = 1 + in.byte(); break;
        case Operand::kNewLen: op.new_len = 1 + in.byte(); break;
        case Operand::kProt: op.prot = in.byte() & 7; break;
        case Operand::kMmapFlags: op.flags = in.byte() & 0xf; break;
        case Operand::kMremapFlags: op.flags = in.byte() & 7; break;
        case Operand::kAdvice: op.advice = static_cast<Advice>(in.byte() % static_cast<uint8_t>(Advice::kCount)); break;
        case Operand::kChild: op.child = ProcessId{static_cast<uint8_t>(in.byte() % kMaxProcesses)}; break;
        case Operand::kFilePgoff: op.pgoff = in.word(); break;
        case Operand::kShift: op.shift = 1 + in.byte(); break;
        case Operand::kDstAddr: op.new_addr = in.word() % kArenaPages; break;
      }
    }
    if (op.kind == OpKind::kMremap && !(op.flags & kMremapFixed)) op.new_addr = 0;
    if (!op_form_error(op)) out.ops.push_back(op);
  }
  return out;
}

std::optional<std::string> encode_ops(const std::vector<Op>& ops, const ModelOptions& options) {
  std::string out;
  uint8_t option_byte = 0;
  for (uint8_t i = 0; i < 3; i++)
    if (kFolioOrders[i] == options.large_folio_order) option_byte = i;
  if (kFolioOrders[option_byte] != options.large_folio_order || options.bugs ||
      !options.stack_pgoff_guard || !options.mmap_pgoff_check || !(options.lazy == LazyOptions{}) ||
      !(options.cowctx == CowContextOptions{}))
    return std::nullopt;
  for (const Op& op : ops)
    if (op.len > 256 || op.new_len > 256 || op.pgoff > 0xffff) return std::nullopt;
  if (!options.swapcache_after_pageout) option_byte |= 4;
  uint8_t version = 2;
  for (const Op& op : ops) {
    const size_t kind = static_cast<size_t>(op.kind);
    if (kind >= kCodecV5Kinds) version = 6;
    else if (kind >= kCodecV4Kinds && version < 5) version = 5;
    else if (kind >= kCodecV3Kinds && version < 4) version = 4;
    else if (kind >= kCodecV2Kinds && version < 3) version = 3;
  }
  static_assert(kCodecVersion == 6);
  out += static_cast<char>(version);
  out += static_cast<char>(option_byte);
  auto word = [&](uint64_t value) {
    out += static_cast<char>(value & 0xff);
    out += static_cast<char>((value >> 8) & 0xff);
  };
  for (const Op& op : ops) {
    out += static_cast<char>(static_cast<uint8_t>(op.kind));
    out += static_cast<char>(idx(op.pid));
    const OpSpec& spec = op_spec(op.kind);
    for (size_t i = 0; i < spec.operand_count; i++) {
      switch (spec.operands[i]) {
        case Operand::kAddr: word(op.addr); break;
        case Operand::kNewAddr: word(op.new_addr); break;
        case Operand::kLen: out += static_cast<char>(op.len - 1); break;
        case Operand::kNewLen: out += static_cast<char>(op.new_len - 1); break;
        case Operand::kProt: out += static_cast<char>(op.prot); break;
        case Operand::kMmapFlags:
        case Operand::kMremapFlags: out += static_cast<char>(op.flags); break;
        case Operand::kAdvice: out += static_cast<char>(static_cast<uint8_t>(op.advice)); break;
        case Operand::kChild: out += static_cast<char>(idx(op.child)); break;
        case Operand::kFilePgoff: word(op.pgoff); break;
        case Operand::kShift: out += static_cast<char>(op.shift - 1); break;
        case Operand::kDstAddr: word(op.new_addr); break;
      }
    }
  }
  return out;
}

}  // namespace rmc
