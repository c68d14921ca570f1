// int_blast.cpp - bit-vector words to bounded integers, node by node.
#include "proofs/int_blast.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

namespace rmc::proofs {

namespace {

class IntBlaster {
 public:
  explicit IntBlaster(z3::context& ctx) : ctx_(ctx), side_(ctx) {}

  IntBlasted run(const z3::expr& query) {
    const z3::expr translated = walk(query);
    side_.push_back(translated);
    return {z3::mk_and(side_), words_, integers_, flags_};
  }

 private:
  z3::expr pow2(unsigned bits) { return ctx_.int_val(fmt::format("{}", pow2_text(bits)).c_str()); }
  static std::string pow2_text(unsigned bits) {
    // 2^bits in decimal, bits <= 64.
    if (bits < 64) return std::to_string(uint64_t{1} << bits);
    return "18446744073709551616";
  }

  // A fresh integer R in [0, 2^bits), for a result.
  z3::expr fresh_word(unsigned bits) {
    z3::expr r = ctx_.int_const(fmt::format("ib!{}", fresh_++).c_str());
    side_.push_back(0 <= r && r < pow2(bits));
    return r;
  }
  z3::expr fresh_count(int lo, const z3::expr& hi_exclusive) {
    z3::expr q = ctx_.int_const(fmt::format("ib!{}", fresh_++).c_str());
    side_.push_back(ctx_.int_val(lo) <= q && q < hi_exclusive);
    return q;
  }

  // A value in [0, 2^(w+1)) brought into [0, 2^w): the case split is a
  // Boolean atom for the SAT core, not an integer to branch on.
  z3::expr wrap_down(const z3::expr& v, unsigned width) {
    const z3::expr r = fresh_int();
    side_.push_back(z3::ite(v < pow2(width), r == v, r == v - pow2(width)));
    return r;
  }
  // A value in (-2^w, 2^w) brought into [0, 2^w).
  z3::expr wrap_up(const z3::expr& v, unsigned width) {
    const z3::expr r = fresh_int();
    side_.push_back(z3::ite(v >= 0, r == v, r == v + pow2(width)));
    return r;
  }
  z3::expr fresh_int() { return ctx_.int_const(fmt::format("ib!{}", fresh_++).c_str()); }

  // The integer of the low `bits` bits of A (a `width`-bit word).
  z3::expr low_bits(const z3::expr& a, unsigned bits, unsigned width) {
    if (bits >= width) return a;
    const z3::expr r = fresh_word(bits), q = fresh_count(0, pow2(width - bits));
    side_.push_back(r == a - pow2(bits) * q);
    return r;
  }

  static bool is_low_mask(const z3::expr& e, unsigned width, unsigned& bits) {
    if (!e.is_numeral()) return false;
    uint64_t v = 0;
    if (width > 64 || !e.is_numeral_u64(v)) return false;
    for (bits = 0; bits <= width; bits++) {
      const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
      if (v == mask) return true;
    }
    return false;
  }

  [[noreturn]] void unsupported(const z3::expr& e) {
    throw std::logic_error("int_blast: unsupported operator in " + e.decl().name().str());
  }

  z3::expr walk(const z3::expr& e) {
    if (auto it = done_.find(e.id()); it != done_.end()) return it->second;
    z3::expr out = translate(e);
    done_.emplace(e.id(), out);
    return out;
  }

  z3::expr translate(const z3::expr& e) {
    if (!e.is_app()) unsupported(e);
    const Z3_decl_kind kind = e.decl().decl_kind();
    const unsigned n = e.num_args();
    if (e.is_bool()) {
      switch (kind) {
        case Z3_OP_TRUE:
        case Z3_OP_FALSE:
          return e;
        case Z3_OP_UNINTERPRETED:
          if (n != 0) unsupported(e);
          flags_.push_back(e);
          return e;
        case Z3_OP_EQ:
          if (e.arg(0).is_bv()) return walk(e.arg(0)) == walk(e.arg(1));
          return walk(e.arg(0)) == walk(e.arg(1));
        case Z3_OP_IFF:
          return walk(e.arg(0)) == walk(e.arg(1));
        case Z3_OP_DISTINCT: {
          z3::expr all = ctx_.bool_val(true);
          for (unsigned i = 0; i < n; i++)
            for (unsigned j = i + 1; j < n; j++) all = all && !(walk(e.arg(i)) == walk(e.arg(j)));
          return all;
        }
        case Z3_OP_ULT: return walk(e.arg(0)) < walk(e.arg(1));
        case Z3_OP_ULEQ: return walk(e.arg(0)) <= walk(e.arg(1));
        case Z3_OP_UGT: return walk(e.arg(0)) > walk(e.arg(1));
        case Z3_OP_UGEQ: return walk(e.arg(0)) >= walk(e.arg(1));
        case Z3_OP_NOT: return !walk(e.arg(0));
        case Z3_OP_IMPLIES: return z3::implies(walk(e.arg(0)), walk(e.arg(1)));
        case Z3_OP_XOR: return walk(e.arg(0)) != walk(e.arg(1));
        case Z3_OP_ITE: return z3::ite(walk(e.arg(0)), walk(e.arg(1)), walk(e.arg(2)));
        case Z3_OP_AND:
        case Z3_OP_OR: {
          z3::expr_vector args(ctx_);
          for (unsigned i = 0; i < n; i++) args.push_back(walk(e.arg(i)));
          return kind == Z3_OP_AND ? z3::mk_and(args) : z3::mk_or(args);
        }
        default:
          unsupported(e);
      }
    }
    if (!e.is_bv()) unsupported(e);
    const unsigned width = e.get_sort().bv_size();
    switch (kind) {
      case Z3_OP_BNUM:
        return ctx_.int_val(e.get_decimal_string(0).c_str());
      case Z3_OP_UNINTERPRETED: {
        if (n != 0) unsupported(e);
        z3::expr x = ctx_.int_const(e.decl().name().str().c_str());
        side_.push_back(0 <= x && x < pow2(width));
        words_.push_back(e);
        integers_.push_back(x);
        return x;
      }
      case Z3_OP_BADD: {
        // Pairwise: each partial sum wraps at most once.
        z3::expr sum = walk(e.arg(0));
        for (unsigned i = 1; i < n; i++) sum = wrap_down(sum + walk(e.arg(i)), width);
        return sum;
      }
      case Z3_OP_BSUB:
      case Z3_OP_BNEG: {
        const z3::expr a = kind == Z3_OP_BNEG ? ctx_.int_val(0) : walk(e.arg(0));
        const z3::expr b = walk(e.arg(kind == Z3_OP_BNEG ? 0 : 1));
        return wrap_up(a - b, width);
      }
      case Z3_OP_BMUL: {
        if (n != 2 || !(e.arg(0).is_numeral() || e.arg(1).is_numeral())) unsupported(e);
        const bool first = e.arg(0).is_numeral();
        const z3::expr c = walk(e.arg(first ? 0 : 1)), a = walk(e.arg(first ? 1 : 0));
        const z3::expr r = fresh_word(width), q = fresh_count(0, pow2(width));
        side_.push_back(r == c * a - pow2(width) * q);
        return r;
      }
      case Z3_OP_EXTRACT: {
        const unsigned hi = Z3_get_decl_int_parameter(ctx_, e.decl(), 0);
        const unsigned lo = Z3_get_decl_int_parameter(ctx_, e.decl(), 1);
        if (lo != 0) unsupported(e);
        return low_bits(walk(e.arg(0)), hi + 1, e.arg(0).get_sort().bv_size());
      }
      case Z3_OP_BAND: {
        unsigned bits = 0;
        if (n != 2) unsupported(e);
        if (is_low_mask(e.arg(1), width, bits)) return low_bits(walk(e.arg(0)), bits, width);
        if (is_low_mask(e.arg(0), width, bits)) return low_bits(walk(e.arg(1)), bits, width);
        unsupported(e);
      }
      case Z3_OP_ITE:
        return z3::ite(walk(e.arg(0)), walk(e.arg(1)), walk(e.arg(2)));
      default:
        unsupported(e);
    }
  }

  z3::context& ctx_;
  z3::expr_vector side_;
  std::map<unsigned, z3::expr> done_;
  std::vector<z3::expr> words_, integers_, flags_;
  unsigned fresh_ = 0;
};

}  // namespace

IntBlasted int_blast(const z3::expr& query) { return IntBlaster(query.ctx()).run(query); }

}  // namespace rmc::proofs
