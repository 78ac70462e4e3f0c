// Conversions of the runtime fixed-point type: the vendor's quantization-then-overflow rules,
// computed on exact integers (docs/fixed-point.md explains every rule and where it comes from).
#include "sparsepixels/fixed/fixed_type.h"

#include <bit>
#include <cmath>
#include <string>

#include "sparsepixels/error.h"

namespace sparsepixels::fixed {
namespace {

using uint128 = UInt128;

// An exact value (-1)^negative * magnitude * 2^exponent.
struct ExactValue {
  bool negative = false;
  uint128 magnitude = 0;
  int exponent = 0;
};

// A quantized value in units of the target's lsb: (-1)^negative * magnitude * 2^shift, shift >= 0.
struct QuantizedValue {
  bool negative = false;
  uint128 magnitude = 0;
  int shift = 0;
};

// Where the dropped fraction lies relative to one half of the target's lsb.
enum class Remainder { Zero, BelowHalf, Half, AboveHalf };

int bit_length(uint128 value) {
  const auto high = static_cast<std::uint64_t>(value >> 64);
  if (high != 0) return 64 + std::bit_width(high);
  return std::bit_width(static_cast<std::uint64_t>(value));
}

// Decodes a double the way the vendor's ap_fixed_base(double) does: the implicit leading one is
// always set, so subnormals read as (1 + m/2^52) * 2^-1023 and infinities/NaNs as
// (1 + m/2^52) * 2^1024 with their sign. Zero (either sign) gives magnitude 0.
ExactValue decode_double_like_vendor(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  ExactValue result;
  result.negative = (bits >> 63) != 0;
  if ((bits & 0x7fffffffffffffffULL) == 0) return result;
  const int biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t mantissa_bits = bits & ((std::uint64_t{1} << 52) - 1);
  result.magnitude = mantissa_bits | (std::uint64_t{1} << 52);
  result.exponent = biased_exponent - 1023 - 52;
  return result;
}

// Rounds (-1)^negative * magnitude * 2^-drop to an integer with the given mode (drop >= 1).
QuantizedValue round_to_integer(bool negative, uint128 magnitude, int drop, Quantization mode) {
  uint128 quotient = 0;
  Remainder remainder = Remainder::BelowHalf;
  if (drop > 128) {
    quotient = 0;  // the value is below 2^-1 in magnitude and not zero
  } else {
    quotient = drop == 128 ? 0 : magnitude >> drop;
    const uint128 half = uint128{1} << (drop - 1);
    const uint128 dropped = drop == 128 ? magnitude : magnitude & ((half << 1) - 1);
    if (dropped == 0) {
      remainder = Remainder::Zero;
    } else if (dropped == half) {
      remainder = Remainder::Half;
    } else {
      remainder = dropped > half ? Remainder::AboveHalf : Remainder::BelowHalf;
    }
  }
  // Whether the magnitude moves up by one (away from zero), per mode and sign.
  bool away = false;
  const bool above = remainder == Remainder::AboveHalf;
  const bool tie = remainder == Remainder::Half;
  switch (mode) {
    case Quantization::TRN:
      away = negative && remainder != Remainder::Zero;
      break;
    case Quantization::TRN_ZERO:
      away = false;
      break;
    case Quantization::RND:
      away = above || (tie && !negative);
      break;
    case Quantization::RND_ZERO:
      away = above;
      break;
    case Quantization::RND_MIN_INF:
      away = above || (tie && negative);
      break;
    case Quantization::RND_INF:
      away = above || tie;
      break;
    case Quantization::RND_CONV:
      away = above || (tie && (quotient & 1) != 0);
      break;
  }
  QuantizedValue result;
  result.magnitude = quotient + (away ? 1 : 0);
  result.negative = negative && result.magnitude != 0;
  return result;
}

// The low `width` bits of value, sign-extended for signed types, as an int64.
std::int64_t normalize(std::uint64_t bits, int width, bool is_signed) {
  if (width < 64) {
    bits &= (std::uint64_t{1} << width) - 1;
    if (is_signed && ((bits >> (width - 1)) & 1) != 0) bits |= ~((std::uint64_t{1} << width) - 1);
  }
  return static_cast<std::int64_t>(bits);
}

// Applies the type's overflow mode to a quantized value (the second step of every conversion).
std::int64_t apply_overflow(const FixedType& type, const QuantizedValue& value) {
  if (value.magnitude == 0) return 0;
  // The quantized value modulo 2^64: what two's complement wrapping keeps.
  std::uint64_t low_bits = 0;
  if (value.shift < 64) low_bits = static_cast<std::uint64_t>(value.magnitude << value.shift);
  if (value.negative) low_bits = ~low_bits + 1;
  const std::int64_t wrapped = normalize(low_bits, type.width, type.is_signed);
  if (type.overflow == Overflow::WRAP && type.saturation_bits == 0) return wrapped;

  // Exact range check; anything of 65 bits or more is out of every supported range.
  bool in_range = false;
  Int128 exact = 0;
  if (bit_length(value.magnitude) + value.shift <= 65) {
    exact = static_cast<Int128>(value.magnitude << value.shift);
    if (value.negative) exact = -exact;
    const Int128 lowest = type.is_signed ? -(Int128{1} << (type.width - 1)) : 0;
    const Int128 highest =
        type.is_signed ? (Int128{1} << (type.width - 1)) - 1 : (Int128{1} << type.width) - 1;
    in_range = exact >= lowest && exact <= highest;
  }
  const std::int64_t lowest_raw = type.min_raw();
  const std::int64_t highest_raw = type.max_raw();
  // The vendor writes -max as "most negative | 1", which is the most negative value itself at W = 1.
  const std::int64_t symmetric_low = type.width == 1 ? lowest_raw : -highest_raw;
  if (in_range) {
    // AP_SAT_SYM never produces the most negative value of a signed type.
    if (type.overflow == Overflow::SAT_SYM && type.is_signed && exact == lowest_raw) return symmetric_low;
    return wrapped;
  }
  switch (type.overflow) {
    case Overflow::WRAP: {
      // N saturation bits: the vendor forces the top N bits, the rest stay wrapped.
      std::uint64_t bits = static_cast<std::uint64_t>(wrapped);
      const int n = type.saturation_bits;
      const int top = type.width - 1;
      const auto set_bit = [&bits](int position, bool on) {
        const std::uint64_t mask = std::uint64_t{1} << position;
        bits = on ? (bits | mask) : (bits & ~mask);
      };
      if (type.is_signed) {
        set_bit(top, value.negative);
        for (int position = type.width - n; position < top; ++position) set_bit(position, !value.negative);
      } else {
        // Unsigned targets get ones in the top N bits on overflow and on negative underflow alike.
        for (int position = type.width - n; position <= top; ++position) set_bit(position, true);
      }
      return normalize(bits, type.width, type.is_signed);
    }
    case Overflow::SAT:
      return value.negative ? lowest_raw : highest_raw;
    case Overflow::SAT_ZERO:
      return 0;
    case Overflow::SAT_SYM:
      if (!value.negative) return highest_raw;
      return type.is_signed ? symmetric_low : 0;
  }
  return wrapped;
}

// Converts an exact value to the type: quantization to the type's lsb, then overflow.
std::int64_t convert(const FixedType& type, const ExactValue& value, Quantization mode) {
  if (value.magnitude == 0) return 0;
  const int shift = value.exponent + type.fraction();
  QuantizedValue quantized;
  if (shift >= 0) {
    quantized.negative = value.negative;
    quantized.magnitude = value.magnitude;
    quantized.shift = shift;
  } else {
    quantized = round_to_integer(value.negative, value.magnitude, -shift, mode);
  }
  return apply_overflow(type, quantized);
}

}  // namespace

int FixedType::fraction() const {
  return width - integer;
}

std::int64_t FixedType::quantize_raw(double value) const {
  const ExactValue exact = decode_double_like_vendor(value);
  if (!integer_type) return convert(*this, exact, quantization);
  if (exact.magnitude == 0) return 0;
  // ap_int(double) computes -(-1) for negative values below 0.5 in magnitude, which yields 1.
  if (exact.negative && exact.exponent + 52 <= -2) return normalize(1, width, is_signed);
  // Otherwise it truncates the magnitude toward zero, negates and keeps the low W bits.
  return convert(*this, exact, Quantization::TRN_ZERO);
}

double FixedType::quantize(double value) const {
  return to_double(quantize_raw(value));
}

std::int64_t FixedType::cast_raw(Int128 raw, int from_fraction) const {
  ExactValue exact;
  exact.negative = raw < 0;
  exact.magnitude = exact.negative ? uint128{0} - static_cast<uint128>(raw) : static_cast<uint128>(raw);
  exact.exponent = -from_fraction;
  // ap_int from ap_fixed truncates toward zero (C semantics); ap_fixed uses its own mode.
  return convert(*this, exact, integer_type ? Quantization::TRN_ZERO : quantization);
}

std::int64_t FixedType::cast_from(const FixedType& source, Int128 source_raw) const {
  // The vendor's to_ap_int_base() takes the integer part of a source with I <= 0 as 0 and then adds
  // one for a negative value with a nonzero fraction, which is -1 in its one-bit result.
  if (integer_type && !source.integer_type && source.is_signed && source.integer <= 0 && source_raw < 0) {
    return normalize(~std::uint64_t{0}, width, is_signed);
  }
  return cast_raw(source_raw, source.fraction());
}

double FixedType::to_double(std::int64_t raw) const {
  // An unsigned 64-bit raw is a bit pattern; read it as unsigned.
  const double mantissa = (!is_signed && width == 64) ? static_cast<double>(static_cast<std::uint64_t>(raw))
                                                      : static_cast<double>(raw);
  return std::ldexp(mantissa, -fraction());
}

double FixedType::lsb() const {
  return std::ldexp(1.0, -fraction());
}

double FixedType::min_value() const {
  return to_double(min_raw());
}

double FixedType::max_value() const {
  return to_double(max_raw());
}

std::int64_t FixedType::min_raw() const {
  if (!is_signed) return 0;
  return static_cast<std::int64_t>(~std::uint64_t{0} << (width - 1));
}

std::int64_t FixedType::max_raw() const {
  if (width == 64) return is_signed ? INT64_MAX : -1;
  return static_cast<std::int64_t>((std::uint64_t{1} << (width - (is_signed ? 1 : 0))) - 1);
}

void FixedType::validate() const {
  const std::string name = "fixed-point type " + to_string();
  if (width < 1 || width > 64) {
    throw Error(name + ": width " + std::to_string(width) + " is outside the supported 1..64");
  }
  if (integer < -2048 || integer > 2048) {
    throw Error(name + ": integer bits " + std::to_string(integer) +
                " are outside the supported -2048..2048");
  }
  if (saturation_bits < 0 || saturation_bits > width) {
    throw Error(name + ": saturation bits N = " + std::to_string(saturation_bits) +
                " must lie in 0..width (" + std::to_string(width) + ")");
  }
  if (integer_type && (integer != width || quantization != Quantization::TRN || overflow != Overflow::WRAP ||
                       saturation_bits != 0)) {
    throw Error(name + ": an ap_int/ap_uint type must have integer == width and no modes");
  }
}

}  // namespace sparsepixels::fixed
