#pragma once
// An independent exact reference for fixed-point conversion, written from UG1399's definitions:
// a value is an integer numerator over a power of two; rounding uses floor division and compares
// twice the remainder with the divisor; overflow clamps or reduces modulo 2^W. It shares no code
// with src/fixed/ (it only reads the fields of FixedType as plain data).
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "sparsepixels/fixed/fixed_type.h"

namespace exact_reference {

using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::Int128;
using sparsepixels::fixed::Overflow;
using sparsepixels::fixed::Quantization;

/// floor(numerator / 2^shift) for shift >= 0, with the remainder in [0, 2^shift).
inline Int128 floor_divide(Int128 numerator, int shift, Int128& remainder) {
  const Int128 divisor = Int128{1} << shift;
  Int128 quotient = numerator / divisor;  // C++ division truncates toward zero
  remainder = numerator - quotient * divisor;
  if (remainder < 0) {
    quotient -= 1;
    remainder += divisor;
  }
  return quotient;
}

/// Rounds numerator / 2^shift to an integer with a UG1399 quantization mode.
inline Int128 round_integer(Int128 numerator, int shift, Quantization mode) {
  if (shift == 0) return numerator;
  Int128 remainder = 0;
  const Int128 floor_value = floor_divide(numerator, shift, remainder);
  const Int128 divisor = Int128{1} << shift;
  const bool exact = remainder == 0;
  const bool above_half = 2 * remainder > divisor;
  const bool at_half = 2 * remainder == divisor;
  switch (mode) {
    case Quantization::TRN:  // toward minus infinity
      return floor_value;
    case Quantization::TRN_ZERO:  // toward zero
      return (numerator < 0 && !exact) ? floor_value + 1 : floor_value;
    case Quantization::RND:  // nearest, ties toward plus infinity
      return (above_half || at_half) ? floor_value + 1 : floor_value;
    case Quantization::RND_ZERO:  // nearest, ties toward zero
      return (above_half || (at_half && numerator < 0)) ? floor_value + 1 : floor_value;
    case Quantization::RND_MIN_INF:  // nearest, ties toward minus infinity
      return above_half ? floor_value + 1 : floor_value;
    case Quantization::RND_INF:  // nearest, ties away from zero
      return (above_half || (at_half && numerator > 0)) ? floor_value + 1 : floor_value;
    case Quantization::RND_CONV:  // nearest, ties to the even neighbour
      return (above_half || (at_half && floor_value % 2 != 0)) ? floor_value + 1 : floor_value;
  }
  throw std::logic_error("unknown quantization mode");
}

/// Reduces q modulo 2^width into the type's raw range (two's complement for signed types).
inline Int128 wrap(Int128 q, int width, bool is_signed) {
  const Int128 modulus = Int128{1} << width;
  Int128 r = q % modulus;
  if (r < 0) r += modulus;
  if (is_signed && r >= modulus / 2) r -= modulus;
  return r;
}

/// The raw value of numerator * 2^-scale converted to `type`. |numerator * 2^(F - scale)| must be
/// below 2^120 when F - scale >= 0 (callers keep inputs in that range).
inline Int128 convert(const FixedType& type, Int128 numerator, int scale) {
  const int fraction = type.width - type.integer;
  const int shift = scale - fraction;  // value in lsb units = numerator / 2^shift
  if (shift > 110) {
    // Below 2^-10 lsb in magnitude: every mode treats it like any other tiny value of that sign.
    if (numerator != 0) numerator = numerator > 0 ? 1 : -1;
    return convert(type, numerator, fraction + 3);
  }
  Quantization mode = type.quantization;
  if (type.integer_type) mode = Quantization::TRN_ZERO;  // a C cast to an integer
  const Int128 q = shift >= 0 ? round_integer(numerator, shift, mode) : numerator * (Int128{1} << -shift);

  const Int128 lowest = type.is_signed ? -(Int128{1} << (type.width - 1)) : 0;
  const Int128 highest = type.is_signed ? (Int128{1} << (type.width - 1)) - 1 : (Int128{1} << type.width) - 1;
  const bool overflow = q > highest;
  const bool underflow = q < lowest;
  const Int128 wrapped = wrap(q, type.width, type.is_signed);
  if (type.integer_type) return wrapped;
  // UG1399: -maximum for signed types; the vendor's "minimum | 1" equals the minimum at W = 1.
  const Int128 symmetric_low = type.width == 1 ? lowest : -highest;
  switch (type.overflow) {
    case Overflow::WRAP: {
      if (type.saturation_bits == 0 || (!overflow && !underflow)) return wrapped;
      // N > 0: the N most significant bits come from the saturated value, the rest from wrapping.
      // For unsigned targets the vendor saturates those bits to ones on underflow too.
      const Int128 saturated = (overflow || !type.is_signed) ? highest : lowest;
      const int kept = type.width - type.saturation_bits;
      const Int128 low_part = wrap(wrapped, kept, false);
      const Int128 high_part = saturated - wrap(saturated, kept, false);
      return high_part + low_part;
    }
    case Overflow::SAT:
      return overflow ? highest : underflow ? lowest : q;
    case Overflow::SAT_ZERO:
      return (overflow || underflow) ? 0 : q;
    case Overflow::SAT_SYM:
      if (overflow) return highest;
      if (!type.is_signed) return underflow ? 0 : q;
      return q <= lowest ? symmetric_low : q;
  }
  throw std::logic_error("unknown overflow mode");
}

/// The exact value of a finite double as numerator * 2^-scale (std::frexp, not bit fiddling).
inline void split_double(double value, Int128& numerator, int& scale) {
  int exponent = 0;
  const double mantissa = std::frexp(value, &exponent);  // value = mantissa * 2^exponent
  numerator = static_cast<Int128>(static_cast<std::int64_t>(std::ldexp(mantissa, 53)));
  scale = 53 - exponent;
}

/// The raw value of a finite, normal (or zero) double converted to `type`, with the vendor's one
/// documented departure for ap_int/ap_uint: a negative value above -0.5 becomes 1.
inline Int128 convert_double(const FixedType& type, double value) {
  if (type.integer_type && value < 0 && value > -0.5) return wrap(1, type.width, type.is_signed);
  Int128 numerator = 0;
  int scale = 0;
  split_double(value, numerator, scale);
  return convert(type, numerator, scale);
}

}  // namespace exact_reference
