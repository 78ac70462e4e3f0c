// An independent exact reference for the ap types, written from the definitions in UG1399
// ("Arbitrary Precision Data Types": quantization and overflow modes) with 128-bit integer
// arithmetic. It shares no code with hls/ap_types: a value is an integer mantissa m and a scale
// 2^-f, rounding works on floor division and remainders, overflow on explicit bounds.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>

#include "ap_fixed.h"
#include "ap_int.h"

namespace ap_reference {

__extension__ typedef __int128 Int;
__extension__ typedef unsigned __int128 UInt;

/// A fixed-point format with its modes (the test's own description of a type).
struct Spec {
  int width;
  int integer;
  bool is_signed;
  ap_q_mode quantization;
  ap_o_mode overflow;
  int saturation_bits;
  constexpr int fraction() const { return width - integer; }
};

/// The Spec of an ap type, read from its template arguments.
template <class T>
struct SpecOf;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct SpecOf<ap_fixed<W, I, Q, O, N> > {
  static constexpr Spec get() { return Spec{W, I, true, Q, O, N}; }
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct SpecOf<ap_ufixed<W, I, Q, O, N> > {
  static constexpr Spec get() { return Spec{W, I, false, Q, O, N}; }
};
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct SpecOf<ap_fixed_base<W, I, S, Q, O, N> > {
  static constexpr Spec get() { return Spec{W, I, S, Q, O, N}; }
};
template <int W>
struct SpecOf<ap_int<W> > {
  static constexpr Spec get() { return Spec{W, W, true, AP_TRN, AP_WRAP, 0}; }
};
template <int W>
struct SpecOf<ap_uint<W> > {
  static constexpr Spec get() { return Spec{W, W, false, AP_TRN, AP_WRAP, 0}; }
};

inline Int power_of_two(int exponent) {
  return Int(1) << exponent;
}

/// floor(a / d) for d > 0.
inline Int floor_divide(Int a, Int d) {
  Int q = a / d;
  if (a % d != 0 && a < 0) q -= 1;
  return q;
}

/// m * 2^-f rounded onto the grid 2^-F by the written definition of each mode (UG1399):
/// TRN toward minus infinity, TRN_ZERO toward zero, RND ties toward plus infinity, RND_ZERO ties
/// toward zero, RND_MIN_INF ties toward minus infinity, RND_INF ties away from zero, RND_CONV ties
/// to even. Requires |m| < 2^126 and |m| * 2^(F - f) < 2^120.
inline Int round_to_grid(Int m, int f, int F, ap_q_mode mode) {
  if (f <= F) return m * power_of_two(F - f);
  if (f - F > 120) {
    // Drop k low bits into a sticky bit: the bits that decide the rounding (the half bit and
    // whether anything lies below it) stay the same, and 2^(f - F) fits again.
    const int k = f - F - 120;
    Int q;
    bool sticky;
    if (k >= 127) {
      q = m < 0 ? -1 : 0;
      sticky = m != 0;
    } else {
      q = floor_divide(m, power_of_two(k));
      sticky = m - q * power_of_two(k) != 0;
    }
    m = 2 * q + (sticky ? 1 : 0);
    f = f - k + 1;
  }
  const Int d = power_of_two(f - F);
  const Int q = floor_divide(m, d);
  const Int twice_remainder = 2 * (m - q * d);  // in [0, 2d)
  const bool tie = twice_remainder == d;
  const bool above = twice_remainder > d;
  const bool exact = twice_remainder == 0;
  switch (mode) {
    case AP_TRN:
      return q;
    case AP_TRN_ZERO:
      return (m < 0 && !exact) ? q + 1 : q;
    case AP_RND:
      return (above || tie) ? q + 1 : q;
    case AP_RND_ZERO:
      return (above || (tie && m < 0)) ? q + 1 : q;
    case AP_RND_MIN_INF:
      return above ? q + 1 : q;
    case AP_RND_INF:
      return (above || (tie && m > 0)) ? q + 1 : q;
    case AP_RND_CONV:
      return (above || (tie && (q % 2 != 0))) ? q + 1 : q;
  }
  return q;
}

inline Int lowest_raw(const Spec& s) {
  return s.is_signed ? -power_of_two(s.width - 1) : Int(0);
}
inline Int highest_raw(const Spec& s) {
  return s.is_signed ? power_of_two(s.width - 1) - 1 : power_of_two(s.width) - 1;
}

/// Two's complement wrap of r into the type's raw range.
inline Int wrap(Int r, const Spec& s) {
  const Int modulus = power_of_two(s.width);
  Int w = r % modulus;
  if (w < 0) w += modulus;
  if (s.is_signed && w > highest_raw(s)) w -= modulus;
  return w;
}

/// The raw mantissa of m * 2^-f converted to `s`: quantization first, then overflow.
inline Int quantize(Int m, int f, const Spec& s) {
  const Int r = round_to_grid(m, f, s.fraction(), s.quantization);
  const Int lo = lowest_raw(s);
  const Int hi = highest_raw(s);
  const bool symmetric_edge = s.overflow == AP_SAT_SYM && s.is_signed && r == lo;
  if (r >= lo && r <= hi && !symmetric_edge) return r;
  switch (s.overflow) {
    case AP_SAT:
      return r > hi ? hi : lo;
    case AP_SAT_ZERO:
      return 0;
    case AP_SAT_SYM:
      // -max; a 1-bit signed type has max 0 and the vendor sets its only bit: -1.
      if (r > hi) return hi;
      if (!s.is_signed) return 0;
      return s.width == 1 ? Int(-1) : -hi;
    case AP_WRAP: {
      Int w = wrap(r, s);
      if (s.saturation_bits == 0) return w;
      // N saturation bits: the N most significant bits are forced. Signed: the sign bit takes the
      // sign of the value, the next N-1 bits its complement; unsigned: the N bits become 1.
      UInt bits = static_cast<UInt>(w) & ((UInt(1) << s.width) - 1);
      const int n = s.saturation_bits;
      if (s.is_signed) {
        const bool negative = r < 0;
        const UInt sign_bit = UInt(1) << (s.width - 1);
        bits = negative ? (bits | sign_bit) : (bits & ~sign_bit);
        for (int i = s.width - n; i <= s.width - 2; ++i)
          bits = negative ? (bits & ~(UInt(1) << i)) : (bits | (UInt(1) << i));
      } else {
        for (int i = s.width - n; i <= s.width - 1; ++i) bits |= UInt(1) << i;
      }
      return wrap(static_cast<Int>(bits), s);
    }
    case AP_WRAP_SM:
      break;
  }
  return r;
}

/// a modulo 2^w as an unsigned bit pattern (w <= 127).
inline UInt pattern(Int a, int w) {
  const Int modulus = power_of_two(w);
  Int r = a % modulus;
  if (r < 0) r += modulus;
  return static_cast<UInt>(r);
}

/// The vendor's (ap_private) a < b for integers of widths wa, wb: C's rule for mixed signedness.
/// When the signedness differs, some width is 32 or more and the unsigned operand is at least as
/// wide, both are compared as unsigned patterns of max(wa, wb) + 1 bits; otherwise exactly.
inline bool vendor_less(Int a, int wa, bool sa, Int b, int wb, bool sb) {
  if (sa != sb && !(wa < 32 && wb < 32) && (sa ? wb >= wa : wa >= wb)) {
    const int w = (wa > wb ? wa : wb) + 1;
    return pattern(a, w) < pattern(b, w);
  }
  return a < b;
}

/// The vendor's a == b: equal as unsigned patterns of max(wa, wb, 32) bits.
inline bool vendor_equal(Int a, int wa, Int b, int wb) {
  int w = wa > wb ? wa : wb;
  if (w < 32) w = 32;
  return pattern(a, w) == pattern(b, w);
}

/// A value read as a w-bit integer of the given signedness (two's complement).
inline Int reinterpret(Int a, int w, bool is_signed) {
  Int r = static_cast<Int>(pattern(a, w));
  if (is_signed && r >= power_of_two(w - 1)) r -= power_of_two(w);
  return r;
}

/// The vendor's ap_int division and remainder: both operands are first extended to
/// max(wa + s, wb + s) bits (s: either is signed) with the signedness of the wider operand (of
/// either when the widths are equal), then divided as C does; an unsigned dividend with a negative
/// divisor keeps the dividend as remainder (the vendor's unsigned remainder on 64-bit patterns).
inline void vendor_divide(Int a, int wa, bool sa, Int b, int wb, bool sb, Int& quotient, Int& remainder) {
  const int s = (sa || sb) ? 1 : 0;
  const int w = (wa + s > wb + s) ? wa + s : wb + s;
  const bool is_signed = wa > wb ? sa : (wb > wa ? sb : (sa || sb));
  const Int a3 = reinterpret(a, w, is_signed);
  const Int b3 = reinterpret(b, w, is_signed);
  quotient = a3 / b3;
  remainder = (!sa && b3 < 0) ? a3 : a3 % b3;
}

/// The raw mantissa of an ap value, read through the vendor API (range() of the raw bits).
template <class T>
Int raw_of(const T& x) {
  const Spec s = SpecOf<T>::get();
  UInt bits;
  if (s.width <= 64) {
    bits = static_cast<UInt>(x.range(s.width - 1, 0).to_uint64());
  } else {
    bits = (static_cast<UInt>(x.range(s.width - 1, 64).to_uint64()) << 64) |
           static_cast<UInt>(x.range(63, 0).to_uint64());
  }
  Int value = static_cast<Int>(bits);
  if (s.is_signed && s.width < 128 && ((bits >> (s.width - 1)) & 1)) value -= power_of_two(s.width);
  return value;
}

/// An exact double as m * 2^-f (m has at most 53 bits).
inline void decompose(double d, Int& m, int& f) {
  int exponent = 0;
  const double mantissa = std::frexp(d, &exponent);  // d = mantissa * 2^exponent, 0.5 <= |mantissa| < 1
  m = static_cast<Int>(static_cast<long long>(std::ldexp(mantissa, 53)));
  f = 53 - exponent;
}

/// Decimal text of a 128-bit integer (for failure messages).
inline std::string to_string(Int v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  UInt magnitude = negative ? UInt(0) - static_cast<UInt>(v) : static_cast<UInt>(v);
  std::string text;
  while (magnitude != 0) {
    text.insert(text.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  return negative ? "-" + text : text;
}

inline std::string describe(const Spec& s) {
  static const char* const q_names[] = {"AP_RND",      "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF",
                                        "AP_RND_CONV", "AP_TRN",      "AP_TRN_ZERO"};
  static const char* const o_names[] = {"AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM", "AP_WRAP", "AP_WRAP_SM"};
  return std::string(s.is_signed ? "ap_fixed<" : "ap_ufixed<") + std::to_string(s.width) + "," +
         std::to_string(s.integer) + "," + q_names[s.quantization] + "," + o_names[s.overflow] + "," +
         std::to_string(s.saturation_bits) + ">";
}

/// A uniformly random raw mantissa of a `width`-bit (signed or unsigned) type.
inline Int random_raw(std::mt19937_64& random, int width, bool is_signed) {
  UInt bits = (static_cast<UInt>(random()) << 64) | static_cast<UInt>(random());
  if (width < 128) bits &= (UInt(1) << width) - 1;
  Int value = static_cast<Int>(bits);
  if (is_signed && width < 128 && ((bits >> (width - 1)) & 1)) value -= power_of_two(width);
  return value;
}

/// Sets an ap value's raw bits through the vendor API (range assignment), 64 bits at a time.
template <class T>
void set_raw(T& x, Int raw) {
  const Spec s = SpecOf<T>::get();
  const UInt bits = static_cast<UInt>(raw);
  if (s.width <= 64) {
    x.range(s.width - 1, 0) = static_cast<unsigned long long>(bits);
  } else {
    x.range(63, 0) = static_cast<unsigned long long>(bits);
    x.range(s.width - 1, 64) = static_cast<unsigned long long>(bits >> 64);
  }
}

}  // namespace ap_reference
