#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sparsepixels::fixed {

/// 128-bit integers (a GCC/Clang extension; __extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

/// Quantization modes of ap_fixed (UG1399): what happens to bits below the least significant bit.
enum class Quantization {
  TRN,          ///< truncate toward minus infinity (the default)
  TRN_ZERO,     ///< truncate toward zero
  RND,          ///< round to nearest, ties toward plus infinity
  RND_ZERO,     ///< round to nearest, ties toward zero
  RND_MIN_INF,  ///< round to nearest, ties toward minus infinity
  RND_INF,      ///< round to nearest, ties away from zero
  RND_CONV      ///< round to nearest, ties to even
};

/// Overflow modes of ap_fixed (UG1399): what happens to a quantized value outside the type's range.
enum class Overflow {
  WRAP,      ///< keep the low W bits (the default); with N > 0 saturation bits see docs/fixed-point.md
  SAT,       ///< clamp to the minimum or maximum
  SAT_ZERO,  ///< replace by zero
  SAT_SYM    ///< clamp to plus or minus the maximum (signed types never hold the most negative value)
};

/// A fixed-point type known at run time: the twin of ap_fixed/ap_ufixed/ap_int/ap_uint.
///
/// A value of the type is raw * 2^-fraction() with raw a W-bit two's complement (signed) or plain
/// binary (unsigned) integer. Conversions follow the vendor's headers bit for bit: quantization
/// first, then overflow (docs/fixed-point.md). All arithmetic is on integers, never on float.
/// Conversions assume a valid type: parse() only returns valid ones; check hand-built ones with
/// validate(). The default is ap_fixed<16,6> (hls4ml's default precision).
struct FixedType {
  int width = 16;
  int integer = 6;
  bool is_signed = true;
  Quantization quantization = Quantization::TRN;
  Overflow overflow = Overflow::WRAP;
  int saturation_bits = 0;  // the N template parameter
  /// True for ap_int/ap_uint (integer == width): a double converts like a C cast (toward zero).
  bool integer_type = false;

  /// Number of fraction bits, width - integer (negative when integer > width, above width when
  /// integer < 0).
  int fraction() const;
  /// The raw mantissa of value converted to this type: the result is raw * 2^-fraction().
  /// Signed types return a sign-extended raw, unsigned types a non-negative one (except ap_ufixed of
  /// width 64, whose raw bit pattern is returned as is; to_double reads it as unsigned).
  std::int64_t quantize_raw(double value) const;
  /// quantize_raw then back to double; exact whenever the raw value fits in 53 bits.
  double quantize(double value) const;
  /// Converts the exact value raw * 2^-from_fraction (like assigning another ap_fixed) to this type.
  std::int64_t cast_raw(Int128 raw, int from_fraction) const;
  /// Converts a value of type `source` given by its exact raw value (non-negative for unsigned
  /// sources), like assigning that ap_fixed/ap_int object: cast_raw(source_raw, source.fraction()),
  /// plus the vendor's rule that a negative signed source with I <= 0 gives -1 in an ap_int target.
  std::int64_t cast_from(const FixedType& source, Int128 source_raw) const;
  /// The value of a raw mantissa of this type (rounded to nearest-even only if it needs > 53 bits).
  double to_double(std::int64_t raw) const;
  /// The weight of the least significant bit, 2^-fraction().
  double lsb() const;
  /// The most negative value (0 for unsigned types).
  double min_value() const;
  /// The largest value.
  double max_value() const;
  /// The smallest raw value (0 for unsigned types).
  std::int64_t min_raw() const;
  /// The largest raw value (for width-64 unsigned types: all ones as a bit pattern, i.e. -1).
  std::int64_t max_raw() const;
  /// Throws sparsepixels::Error if the fields do not describe a type the vendor accepts (within
  /// the supported widths 1..64).
  void validate() const;
  /// The canonical C++ spelling, e.g. "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"; modes only when they are
  /// not the defaults. parse(to_string()) gives back the same type.
  std::string to_string() const;
  /// Parses the strings users write in hls4ml configs and Vitis code: "ap_fixed<8,3>",
  /// "ap_ufixed<8,0,AP_RND_CONV,AP_SAT,0>", "fixed<16,6>", "ufixed<8,0,RND_CONV,SAT>", "ap_int<8>",
  /// "uint<4>"... Throws sparsepixels::Error quoting the text and saying what is wrong.
  static FixedType parse(std::string_view text);

  friend bool operator==(const FixedType&, const FixedType&) = default;
};

/// The vendor's spelling of a quantization mode ("AP_RND_CONV").
std::string to_string(Quantization mode);
/// The vendor's spelling of an overflow mode ("AP_SAT").
std::string to_string(Overflow mode);

/// The exact accumulator of reference section 11.3 for sum_i w_i*x_i + bias over fan_in terms:
/// fraction bits max(Fw + Fi, Fb); integer bits max(Ip, Ib) + ceil(log2(fan_in + 1)), where Ip and Ib
/// are the integer bits of the vendor's product type and of the bias, each plus one when it is
/// unsigned inside a signed accumulator; signed if any operand is; AP_TRN and AP_WRAP.
/// Throws sparsepixels::Error if fan_in < 1 or the result would need more than 64 bits.
FixedType exact_accumulator(const FixedType& weight, const FixedType& input, const FixedType& bias,
                            int fan_in);

/// True when every value of `required` converts to `candidate` unchanged (no quantization, no
/// overflow, no AP_SAT_SYM remapping), so `candidate` may replace `required` as an accumulator.
bool holds_exactly(const FixedType& candidate, const FixedType& required);

}  // namespace sparsepixels::fixed
