// Shared declarations of the arbitrary-precision types: the vendor's mode enums, forward
// declarations, and the exact integer helpers (namespace ap_types_detail) that every class uses.
// Internal header: user code includes <ap_int.h> or <ap_fixed.h>.
//
// Semantics follow Vitis HLS UG1399 "Arbitrary Precision Data Types"; where it is silent, the
// behaviour of Xilinx's open-source HLS_arbitrary_Precision_Types headers (see docs/ap-types.md).
#ifndef SPARSEPIXELS_HLS_AP_COMMON_H
#define SPARSEPIXELS_HLS_AP_COMMON_H

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <type_traits>

/// Quantization modes, spelled and numbered as the vendor's ap_decl.h.
enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
/// Overflow modes, spelled and numbered as the vendor's ap_decl.h.
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

typedef long long ap_slong;
typedef unsigned long long ap_ulong;

template <int _AP_W, bool _AP_S>
struct ap_int_base;
template <int _AP_W>
struct ap_int;
template <int _AP_W>
struct ap_uint;
template <int _AP_W, bool _AP_S>
struct ap_range_ref;
template <int _AP_W, bool _AP_S>
struct ap_bit_ref;
template <int _AP_W, int _AP_I, bool _AP_S = true, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP,
          int _AP_N = 0>
struct ap_fixed_base;
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_fixed;
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_ufixed;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_range_ref;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_bit_ref;

/// Helpers of the ap types; not part of the vendor API, never used by kernels directly.
namespace ap_types_detail {

__extension__ typedef __int128 int128;            // __extension__: GCC's 128-bit type under -Wpedantic
__extension__ typedef unsigned __int128 uint128;  // every value is handled as 128 two's-complement bits

/// The widest value any type or intermediate result may have (results of + - * included).
constexpr int kMaxWidth = 128;

constexpr int max_of(int a, int b) {
  return a > b ? a : b;
}
constexpr int min_of(int a, int b) {
  return a < b ? a : b;
}

/// The storage of a W-bit value: a 64-bit integer up to 64 bits, a 128-bit one above.
template <int W, bool S>
struct Storage {
  static_assert(W >= 1, "ap types need a width of at least 1 bit");
  static_assert(W <= kMaxWidth,
                "this implementation holds at most 128 bits (user types up to 64; full-precision results "
                "of + - * up to 128): the expression needs a wider intermediate type");
  typedef
      typename std::conditional<(W <= 64), typename std::conditional<S, std::int64_t, std::uint64_t>::type,
                                typename std::conditional<S, int128, uint128>::type>::type type;
};

/// All ones in the low `bits` bits.
inline uint128 low_mask(int bits) {
  if (bits <= 0) return 0;
  if (bits >= 128) return ~uint128(0);
  return (uint128(1) << bits) - 1;
}

/// Keeps the low `width` bits and sign- or zero-extends them to 128 bits (the stored form).
inline uint128 canonical(uint128 bits, int width, bool is_signed) {
  if (width >= 128) return bits;
  bits &= low_mask(width);
  if (is_signed && ((bits >> (width - 1)) & 1)) bits |= ~low_mask(width);
  return bits;
}

/// The stored value of an ap object as 128 bits (sign- or zero-extended).
template <class T>
inline uint128 bits_of(const T& x) {
  return static_cast<uint128>(x.V);
}

/// Writes canonical bits into an ap object's storage.
template <class T>
inline void set_bits(T& x, uint128 bits) {
  x.V = static_cast<decltype(x.V)>(bits);
}

inline bool negative_bits(uint128 canonical_bits, bool is_signed) {
  return is_signed && ((canonical_bits >> 127) & 1);
}

/// An exact dyadic value: (negative ? -1 : 1) * magnitude * 2^-fraction.
struct Exact {
  bool negative;
  uint128 magnitude;
  int fraction;
};

inline Exact exact_from_bits(uint128 canonical_bits, bool is_signed, int fraction) {
  Exact e;
  e.negative = negative_bits(canonical_bits, is_signed);
  e.magnitude = e.negative ? uint128(0) - canonical_bits : canonical_bits;
  e.fraction = fraction;
  return e;
}

template <class T>
inline typename std::enable_if<std::is_signed<T>::value, bool>::type is_negative_integer(T value) {
  return value < 0;
}
template <class T>
inline typename std::enable_if<!std::is_signed<T>::value, bool>::type is_negative_integer(T) {
  return false;
}

template <class T>
inline Exact exact_from_integer(T value) {
  Exact e;
  e.negative = is_negative_integer(value);
  e.magnitude = e.negative ? uint128(0) - static_cast<uint128>(static_cast<int128>(value))
                           : static_cast<uint128>(value);
  e.fraction = 0;
  return e;
}

/// Decodes a double the way the vendor's ap_fixed_base(double) does: the leading one is always set
/// (subnormals read as 1.m * 2^-1023), +-inf is 2^1024 and NaN is 1.m * 2^1024; +-0 is zero.
inline Exact exact_from_double(double value) {
  std::uint64_t raw;
  std::memcpy(&raw, &value, sizeof raw);
  Exact e;
  e.negative = (raw >> 63) != 0;
  if ((raw & 0x7fffffffffffffffULL) == 0) {
    e.magnitude = 0;
    e.fraction = 0;
    return e;
  }
  const int exponent = static_cast<int>((raw >> 52) & 0x7ff) - 1023;
  e.magnitude = (raw & ((std::uint64_t(1) << 52) - 1)) | (std::uint64_t(1) << 52);
  e.fraction = 52 - exponent;
  return e;
}

/// A fixed-point format with its modes, as run-time values (one compiled conversion routine).
struct Format {
  int width;
  int integer;
  bool is_signed;
  ap_q_mode quantization;
  ap_o_mode overflow;
  int saturation_bits;
};

/// Whether rounding `kept + dropped/2^shift` (a magnitude) must add one LSB.
/// `above_half` compares dropped with half an LSB: -1 below, 0 equal, 1 above.
inline bool round_up(ap_q_mode mode, bool negative, int above_half, bool inexact, bool kept_is_odd) {
  switch (mode) {
    case AP_TRN:  // floor: magnitudes of negative values grow
      return negative && inexact;
    case AP_TRN_ZERO:
      return false;
    case AP_RND:  // ties toward plus infinity
      return above_half > 0 || (above_half == 0 && !negative);
    case AP_RND_ZERO:
      return above_half > 0;
    case AP_RND_MIN_INF:
      return above_half > 0 || (above_half == 0 && negative);
    case AP_RND_INF:  // ties away from zero
      return above_half >= 0;
    case AP_RND_CONV:  // ties to even
      return above_half > 0 || (above_half == 0 && kept_is_odd);
  }
  return false;
}

/// Converts an exact value to `format`: quantization first, then overflow (UG1399).
/// Returns the canonical 128-bit form of the result.
inline uint128 convert(const Exact& value, const Format& format) {
  if (value.magnitude == 0) return 0;
  const int target_fraction = format.width - format.integer;
  const int shift = value.fraction - target_fraction;  // > 0: bits are dropped; < 0: zeros appended
  uint128 magnitude;
  bool huge = false;  // the magnitude in target LSBs is 2^128 or more
  if (shift > 0) {
    uint128 kept;
    int above_half;
    bool inexact = true;
    if (shift > 128) {
      kept = 0;
      above_half = -1;  // magnitude < 2^128 <= half an LSB
    } else if (shift == 128) {
      kept = 0;
      const uint128 half = uint128(1) << 127;
      above_half = value.magnitude > half ? 1 : (value.magnitude == half ? 0 : -1);
    } else {
      kept = value.magnitude >> shift;
      const uint128 dropped = value.magnitude & low_mask(shift);
      const uint128 half = uint128(1) << (shift - 1);
      above_half = dropped > half ? 1 : (dropped == half ? 0 : -1);
      inexact = dropped != 0;
    }
    magnitude =
        kept + (round_up(format.quantization, value.negative, above_half, inexact, (kept & 1) != 0) ? 1 : 0);
  } else if (shift == 0) {
    magnitude = value.magnitude;
  } else {
    const int left = -shift;
    if (left >= 128) {
      huge = true;
      magnitude = 0;
    } else {
      huge = (value.magnitude >> (128 - left)) != 0;
      magnitude = value.magnitude << left;
    }
  }
  const uint128 wrapped =
      canonical(value.negative ? uint128(0) - magnitude : magnitude, format.width, format.is_signed);
  if (format.overflow == AP_WRAP && format.saturation_bits == 0) return wrapped;

  const int width = format.width;
  const uint128 max_magnitude = format.is_signed ? low_mask(width - 1) : low_mask(width);
  const uint128 min_magnitude = format.is_signed ? (uint128(1) << (width - 1)) : 0;
  const bool is_zero = magnitude == 0 && !huge;
  const bool overflow = !value.negative && (huge || magnitude > max_magnitude);
  bool underflow = value.negative && !is_zero && (huge || magnitude > min_magnitude);
  if (format.overflow == AP_SAT_SYM && format.is_signed && value.negative && !huge &&
      magnitude == min_magnitude)
    underflow = true;  // the most negative value has no positive twin: clamp to -max
  if (!overflow && !underflow) return wrapped;

  const uint128 max_bits = max_magnitude;
  const uint128 min_bits = format.is_signed ? canonical(min_magnitude, width, true) : 0;
  switch (format.overflow) {
    case AP_SAT:
      return overflow ? max_bits : min_bits;
    case AP_SAT_ZERO:
      return 0;
    case AP_SAT_SYM:
      // Underflow gives the most negative pattern with its LSB set (vendor overflow_adjust):
      // -max, except for a 1-bit type, where that pattern is -1.
      if (overflow) return max_bits;
      return format.is_signed ? canonical(min_bits | 1, width, true) : 0;
    case AP_WRAP: {
      // N saturation bits: the vendor's overflow_adjust sets the N MSBs (signed: the sign bit to the
      // source's sign and the next N-1 bits to its complement; unsigned: all N to one).
      const int n = format.saturation_bits;
      uint128 bits = wrapped & low_mask(width);
      if (format.is_signed) {
        const bool sign = underflow;
        bits = sign ? (bits | (uint128(1) << (width - 1))) : (bits & ~(uint128(1) << (width - 1)));
        if (n > 1) {
          const uint128 field = low_mask(n - 1) << (width - n);
          bits = sign ? (bits & ~field) : (bits | field);
        }
      } else {
        bits |= low_mask(n) << (width - n);
      }
      return canonical(bits, width, format.is_signed);
    }
    case AP_WRAP_SM:
      break;
  }
  return wrapped;
}

/// Compares two exact values: -1, 0 or 1.
inline int compare(const Exact& a, const Exact& b) {
  const bool a_negative = a.negative && a.magnitude != 0;
  const bool b_negative = b.negative && b.magnitude != 0;
  if (a.magnitude == 0 && b.magnitude == 0) return 0;
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  // Same sign: compare magnitudes on the finer grid.
  int magnitude_order;
  const int difference = a.fraction - b.fraction;
  uint128 left = a.magnitude;
  uint128 right = b.magnitude;
  if (difference > 0) {  // scale b up
    if (right != 0 && (difference >= 128 || (right >> (128 - difference)) != 0)) {
      magnitude_order = -1;
    } else {
      right = difference >= 128 ? 0 : right << difference;
      magnitude_order = left < right ? -1 : (left > right ? 1 : 0);
    }
  } else if (difference < 0) {  // scale a up
    const int d = -difference;
    if (left != 0 && (d >= 128 || (left >> (128 - d)) != 0)) {
      magnitude_order = 1;
    } else {
      left = d >= 128 ? 0 : left << d;
      magnitude_order = left < right ? -1 : (left > right ? 1 : 0);
    }
  } else {
    magnitude_order = left < right ? -1 : (left > right ? 1 : 0);
  }
  return a_negative ? -magnitude_order : magnitude_order;
}

/// The vendor's ordering of two integers (ap_private operator<, "the gcc rule"): exact when the
/// signedness agrees, when both widths are below 32, or when the signed operand is the wider one;
/// otherwise both are compared as unsigned bit patterns of max(wa, wb) + 1 bits, so a negative
/// value reads as larger than every value of the unsigned operand. Returns -1, 0 or 1.
inline int vendor_order(const Exact& a, int a_width, bool a_signed, const Exact& b, int b_width,
                        bool b_signed) {
  if (a_signed != b_signed && !(a_width < 32 && b_width < 32)) {
    const bool as_unsigned = a_signed ? (b_width >= a_width) : (a_width >= b_width);
    if (as_unsigned) {
      const bool a_negative = a.negative && a.magnitude != 0;
      const bool b_negative = b.negative && b.magnitude != 0;
      if (a_negative != b_negative) return a_negative ? 1 : -1;
    }
  }
  return compare(a, b);
}

/// The vendor's equality of two integers (ap_private operator==): both read as unsigned patterns
/// of max(wa, wb, 32) bits, so a negative value equals the unsigned value 2^that + value.
inline bool vendor_equal(const Exact& a, int a_width, const Exact& b, int b_width) {
  if (compare(a, b) == 0) return true;
  const int width = max_of(max_of(a_width, b_width), 32);
  const bool a_negative = a.negative && a.magnitude != 0;
  const bool b_negative = b.negative && b.magnitude != 0;
  if (a_negative == b_negative || width > 127) return false;
  // Same grid: the finer fraction of the two; |a| + |b| == 2^width in units of that grid.
  const int fraction = max_of(a.fraction, b.fraction);
  const int a_shift = fraction - a.fraction;
  const int b_shift = fraction - b.fraction;
  if (a_shift >= 128 || b_shift >= 128) return false;
  if ((a_shift > 0 && (a.magnitude >> (128 - a_shift)) != 0) ||
      (b_shift > 0 && (b.magnitude >> (128 - b_shift)) != 0))
    return false;
  const uint128 sum = (a.magnitude << a_shift) + (b.magnitude << b_shift);
  return sum == (uint128(1) << width);
}

/// Applies a comparison operator (one of "==", "!=", "<", "<=", ">", ">=") with the vendor's rules.
enum class Relation { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
inline bool vendor_compare(Relation relation, const Exact& a, int a_width, bool a_signed, const Exact& b,
                           int b_width, bool b_signed) {
  switch (relation) {
    case Relation::kEqual:
      return vendor_equal(a, a_width, b, b_width);
    case Relation::kNotEqual:
      return !vendor_equal(a, a_width, b, b_width);
    case Relation::kLess:
      return vendor_order(a, a_width, a_signed, b, b_width, b_signed) < 0;
    case Relation::kLessEqual:
      return !(vendor_order(a, a_width, a_signed, b, b_width, b_signed) > 0);
    case Relation::kGreater:
      return vendor_order(a, a_width, a_signed, b, b_width, b_signed) > 0;
    case Relation::kGreaterEqual:
      return !(vendor_order(a, a_width, a_signed, b, b_width, b_signed) < 0);
  }
  return false;
}

/// Shifts canonical bits left by `amount` within `width` bits (bits past the MSB are lost).
inline uint128 shift_left(uint128 bits, unsigned amount, int width, bool is_signed) {
  if (amount >= static_cast<unsigned>(width)) return 0;
  return canonical(bits << amount, width, is_signed);
}

/// Shifts canonical bits right by `amount`: arithmetic for signed, logical for unsigned.
inline uint128 shift_right(uint128 bits, unsigned amount, int width, bool is_signed) {
  const bool negative = negative_bits(bits, is_signed);
  if (amount >= static_cast<unsigned>(width)) return negative ? ~uint128(0) : 0;
  const uint128 shifted = negative ? ~((~bits) >> amount) : (bits >> amount);
  return canonical(shifted, width, is_signed);
}

/// The value of canonical bits as a double, rounded to nearest even, times 2^-fraction.
inline double to_double(uint128 bits, bool is_signed, int fraction) {
  const Exact e = exact_from_bits(bits, is_signed, fraction);
  if (e.magnitude == 0) return 0.0;
  const double magnitude = (e.magnitude >> 64) == 0
                               ? static_cast<double>(static_cast<std::uint64_t>(e.magnitude))
                               : static_cast<double>(e.magnitude);
  const double value = std::ldexp(magnitude, -fraction);
  return e.negative ? -value : value;
}

/// The value as a float, rounded once (to nearest even) from the exact value.
inline float to_float(uint128 bits, bool is_signed, int fraction) {
  const Exact e = exact_from_bits(bits, is_signed, fraction);
  if (e.magnitude == 0) return 0.0f;
  const float magnitude = (e.magnitude >> 64) == 0
                              ? static_cast<float>(static_cast<std::uint64_t>(e.magnitude))
                              : static_cast<float>(e.magnitude);
  const float value = std::ldexp(magnitude, -fraction);
  return e.negative ? -value : value;
}

/// Integer from a double as the vendor's ap_int_base(double): the magnitude truncated toward zero,
/// modulo 2^width, then negated; a negative value of magnitude below 0.5 yields 1 (vendor quirk).
inline uint128 integer_from_double(double value, int width, bool is_signed) {
  const Exact e = exact_from_double(value);
  if (e.magnitude == 0) return 0;
  const int right = e.fraction;  // shift that drops the fraction bits of the mantissa
  uint128 magnitude;
  if (right == 0) {
    magnitude = e.magnitude;
  } else if (right > 0) {
    magnitude = right < 54 ? (e.magnitude >> right) : (e.negative ? ~uint128(0) : 0);
  } else {
    const int left = -right;
    magnitude = (left < width && left < 128) ? (e.magnitude << left) : 0;
  }
  return canonical(e.negative ? uint128(0) - magnitude : magnitude, width, is_signed);
}

/// Writes the decimal digits of a 128-bit magnitude into `out` (no terminator); returns the count.
inline int write_decimal(uint128 magnitude, char* out) {
  char reversed[48];
  int count = 0;
  do {
    reversed[count++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  for (int i = 0; i < count; ++i) out[i] = reversed[count - 1 - i];
  return count;
}

/// Streams canonical bits as a signed or unsigned decimal integer.
inline void print_integer(std::ostream& out, uint128 bits, bool is_signed) {
  char text[48];
  int length = 0;
  const Exact e = exact_from_bits(bits, is_signed, 0);
  if (e.negative) text[length++] = '-';
  length += write_decimal(e.magnitude, text + length);
  text[length] = '\0';
  out << text;
}

/// Formats `digits` ("-"?, integer digits, optional "." and fraction digits) in scientific form
/// the vendor's way: d.ddd followed by e+XX / e-XX (no exponent when it is zero).
inline int scientific(const char* digits, int length, char* out) {
  int point = length;
  for (int i = 0; i < length; ++i)
    if (digits[i] == '.') point = i;
  int first = 0;
  while (first < length && (digits[first] < '1' || digits[first] > '9')) ++first;
  int last = length - 1;
  while (last > first && (digits[last] < '1' || digits[last] > '9')) --last;
  const int exponent = first > point ? point - first : point - first - 1;
  int n = 0;
  out[n++] = digits[first];
  if (last != first) {
    out[n++] = '.';
    for (int i = first + 1; i <= last; ++i)
      if (digits[i] != '.') out[n++] = digits[i];
  }
  if (exponent != 0) {
    out[n++] = 'e';
    out[n++] = exponent < 0 ? '-' : '+';
    const int absolute = exponent < 0 ? -exponent : exponent;
    if (absolute < 10) out[n++] = '0';
    n += write_decimal(static_cast<uint128>(absolute), out + n);
  }
  return n;
}

/// Prints an exact fixed-point value like the vendor's operator<<: the exact decimal expansion,
/// reduced to the stream's precision in significant digits (ties of the next digit round up),
/// scientific notation for long integers and for fractions with four or more leading zeros.
inline void print_fixed(std::ostream& out, uint128 bits, bool is_signed, int fraction) {
  const Exact e = exact_from_bits(bits, is_signed, fraction);
  // The exact expansion needs the magnitude and 10x the fraction inside 128 bits; otherwise fall
  // back to the double value (documented limit: |F| or I beyond about 120 bits).
  const int bit_length = [&]() {
    int n = 0;
    for (uint128 m = e.magnitude; m != 0; m >>= 1) ++n;
    return n;
  }();
  if (fraction > 124 || (fraction < 0 && bit_length - fraction > 127)) {
    out << to_double(bits, is_signed, fraction);
    return;
  }
  char exact[200];
  int length = 0;
  if (e.negative) exact[length++] = '-';
  const int sign_length = length;
  uint128 integer_part;
  uint128 fraction_part = 0;
  if (fraction <= 0) {
    integer_part = e.magnitude << (-fraction);
  } else {
    integer_part = e.magnitude >> fraction;
    fraction_part = e.magnitude & low_mask(fraction);
  }
  length += write_decimal(integer_part, exact + length);
  if (fraction_part != 0) {
    exact[length++] = '.';
    while (fraction_part != 0) {
      fraction_part *= 10;
      exact[length++] = static_cast<char>('0' + static_cast<int>(fraction_part >> fraction));
      fraction_part &= low_mask(fraction);
    }
  }

  const int precision = static_cast<int>(out.precision());
  char result[260];
  int result_length = 0;
  if (e.magnitude == 0) {
    result[result_length++] = '0';
  } else {
    // Digits without the sign; `point` is the index of '.', or the length when there is none.
    const char* digits = exact + sign_length;
    const int digits_length = length - sign_length;
    int point = digits_length;
    for (int i = 0; i < digits_length; ++i)
      if (digits[i] == '.') point = i;
    int first = 0;
    while (digits[first] < '1' || digits[first] > '9') ++first;
    int last = digits_length - 1;
    while (digits[last] < '1' || digits[last] > '9') --last;
    const int significant = last - first + 1 - ((first < point && point < last) ? 1 : 0);
    if (e.negative) result[result_length++] = '-';
    if (significant <= precision) {
      int leading_zeros = 0;
      if (point < digits_length)
        for (int i = point + 1; i < digits_length && digits[i] == '0'; ++i) ++leading_zeros;
      const bool pure_fraction = first > point;
      if (pure_fraction && leading_zeros >= 4) {
        result_length += scientific(digits, digits_length, result + result_length);
      } else {
        std::memcpy(result + result_length, digits, static_cast<std::size_t>(digits_length));
        result_length += digits_length;
      }
    } else {
      // Round to `precision` significant digits the vendor's way (reduceToPrecision): the digit
      // checked sits `precision` characters after the first significant one, one further when
      // the number has an integer and a fraction part (the vendor assumes the '.' lies among the
      // kept digits; when it does not, the check lands on '.' or a later digit and the value is
      // effectively truncated). A copy with a leading '0' absorbs a carry.
      char work[210];
      work[0] = '0';
      std::memcpy(work + 1, digits, static_cast<std::size_t>(digits_length));
      const int work_length = digits_length + 1;
      const int work_point = point + 1;
      const bool mixed = first < point && point < last;
      const int cut = first + precision + (mixed ? 1 : 0) + 1;  // index in work
      bool carry = work[cut] > '4';
      for (int i = cut - 1; i >= 0 && carry; --i) {
        if (work[i] == '.') continue;
        if (work[i] == '9') {
          work[i] = '0';
        } else {
          ++work[i];
          carry = false;
        }
      }
      // Every digit past the first `precision` significant ones becomes zero.
      int lead = 0;
      while (work[lead] < '1' || work[lead] > '9') ++lead;
      for (int i = lead, kept = 0; i < work_length; ++i) {
        if (work[i] == '.') continue;
        if (++kept > precision) work[i] = '0';
      }
      int start = work[0] == '0' ? 1 : 0;
      int end = work_length;
      if (work_point < work_length) {  // strip trailing zeros of the fraction, and a bare '.'
        while (end > work_point + 1 && work[end - 1] == '0') --end;
        if (end == work_point + 1) end = work_point;
      }
      const char* rounded = work + start;
      const int rounded_length = end - start;
      bool has_point = false;
      int zeros_after_point = 0;
      for (int i = 0; i < rounded_length; ++i)
        if (rounded[i] == '.') {
          has_point = true;
          for (int j = i + 1; j < rounded_length && rounded[j] == '0'; ++j) ++zeros_after_point;
        }
      const bool plain = has_point ? zeros_after_point < 4 : rounded_length <= precision;
      if (plain) {
        std::memcpy(result + result_length, rounded, static_cast<std::size_t>(rounded_length));
        result_length += rounded_length;
      } else {
        result_length += scientific(rounded, rounded_length, result + result_length);
      }
    }
  }
  result[result_length] = '\0';
  const std::streamsize width = out.width();
  out.width(0);  // the padding is written here, not by each inserted character
  if (width > result_length) {
    const char fill = out.fill();
    for (std::streamsize i = result_length; i < width; ++i) out << fill;
  }
  out << result;
}

}  // namespace ap_types_detail

#endif  // SPARSEPIXELS_HLS_AP_COMMON_H
