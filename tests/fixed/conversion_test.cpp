// The runtime fixed-point type against the independent exact reference (exact_reference.h) and
// against values computed by hand from UG1399's definitions and examples.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "exact_reference.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace {

using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::Int128;
using sparsepixels::fixed::Overflow;
using sparsepixels::fixed::Quantization;

constexpr Quantization kQuantizations[] = {
    Quantization::TRN,         Quantization::TRN_ZERO, Quantization::RND,     Quantization::RND_ZERO,
    Quantization::RND_MIN_INF, Quantization::RND_INF,  Quantization::RND_CONV};
constexpr Overflow kOverflows[] = {Overflow::WRAP, Overflow::SAT, Overflow::SAT_ZERO, Overflow::SAT_SYM};

FixedType make(int width, int integer, bool is_signed = true, Quantization q = Quantization::TRN,
               Overflow o = Overflow::WRAP, int n = 0) {
  FixedType type;
  type.width = width;
  type.integer = integer;
  type.is_signed = is_signed;
  type.quantization = q;
  type.overflow = o;
  type.saturation_bits = n;
  return type;
}

FixedType make_int(int width, bool is_signed) {
  FixedType type = make(width, width, is_signed);
  type.integer_type = true;
  return type;
}

// Raw values agree; a width-64 unsigned raw is an int64 holding the bit pattern (the header says so).
bool same_raw(const FixedType& type, std::int64_t actual, Int128 expected) {
  if (!type.is_signed && type.width == 64)
    return static_cast<std::uint64_t>(actual) == static_cast<std::uint64_t>(expected);
  return actual == expected;
}

std::string describe(const FixedType& type) {
  return type.to_string() + (type.is_signed ? "" : " (unsigned)");
}

std::string int128_text(Int128 value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  std::string digits;
  while (value != 0) {
    const int digit = static_cast<int>(value % 10);
    digits.insert(digits.begin(), static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    value /= 10;
  }
  return negative ? "-" + digits : digits;
}

// Every small type: widths 1..6, integer bits from -2 to width + 2, both signs, every mode, and
// N in {1, W} for AP_WRAP; plus ap_int/ap_uint of the same widths.
std::vector<FixedType> small_types() {
  std::vector<FixedType> types;
  for (int width = 1; width <= 6; ++width) {
    types.push_back(make_int(width, true));
    types.push_back(make_int(width, false));
    for (int integer = -2; integer <= width + 2; ++integer) {
      for (const bool is_signed : {true, false}) {
        for (const Quantization q : kQuantizations) {
          for (const Overflow o : kOverflows) types.push_back(make(width, integer, is_signed, q, o));
          types.push_back(make(width, integer, is_signed, q, Overflow::WRAP, 1));
          if (width > 1) types.push_back(make(width, integer, is_signed, q, Overflow::WRAP, width));
        }
      }
    }
  }
  return types;
}

// Every multiple of lsb/8 in [-2^(I+1), 2^(I+1)]: every representable value, every half-way and
// quarter point, and values past both ends of the range, through doubles and through cast_raw.
TEST(FixedConversion, ExhaustiveSmallTypesMatchReference) {
  long long checked = 0;
  int mismatches = 0;
  for (const FixedType& type : small_types()) {
    const int scale = type.fraction() + 3;
    const std::int64_t limit = std::int64_t{1} << (type.width + 4);
    for (std::int64_t numerator = -limit; numerator <= limit; ++numerator) {
      const double value = std::ldexp(static_cast<double>(numerator), -scale);
      const Int128 expected_from_double = exact_reference::convert_double(type, value);
      const Int128 expected_from_raw = exact_reference::convert(type, numerator, scale);
      const std::int64_t from_double = type.quantize_raw(value);
      const std::int64_t from_raw = type.cast_raw(numerator, scale);
      ++checked;
      if ((!same_raw(type, from_double, expected_from_double) ||
           !same_raw(type, from_raw, expected_from_raw)) &&
          ++mismatches <= 10) {
        ADD_FAILURE() << describe(type) << " value " << value << ": double -> " << from_double
                      << " (reference " << int128_text(expected_from_double) << "), raw -> " << from_raw
                      << " (reference " << int128_text(expected_from_raw) << ")";
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(checked, 1'000'000);
}

FixedType random_type(std::mt19937_64& random) {
  const int width = std::uniform_int_distribution<int>(1, 64)(random);
  const int integer = std::uniform_int_distribution<int>(-20, width + 20)(random);
  const bool is_signed = random() % 2 == 0;
  if (random() % 16 == 0) return make_int(width, is_signed);
  const Quantization q = kQuantizations[random() % 7];
  const Overflow o = kOverflows[random() % 4];
  int n = 0;
  if (o == Overflow::WRAP && random() % 3 == 0) n = std::uniform_int_distribution<int>(1, width)(random);
  return make(width, integer, is_signed, q, o, n);
}

// Random wide types (up to 64 bits) fed random raw values of wider sources (up to 100 bits).
TEST(FixedConversion, RandomWideRawValuesMatchReference) {
  std::mt19937_64 random(20261127);
  int mismatches = 0;
  for (int trial = 0; trial < 300'000; ++trial) {
    const FixedType type = random_type(random);
    const int bits = std::uniform_int_distribution<int>(1, 100)(random);
    Int128 numerator = (static_cast<Int128>(random()) << 64) | random();
    numerator &= (Int128{1} << bits) - 1;
    if (random() % 2 == 0) numerator = -numerator;
    const int lowest_shift = -std::min(19, 119 - bits);
    const int shift = std::uniform_int_distribution<int>(lowest_shift, 70)(random);
    const int scale = type.fraction() + shift;
    const Int128 expected = exact_reference::convert(type, numerator, scale);
    const std::int64_t actual = type.cast_raw(numerator, scale);
    if (!same_raw(type, actual, expected) && ++mismatches <= 10) {
      ADD_FAILURE() << describe(type) << " raw " << int128_text(numerator) << " * 2^-" << scale << " -> "
                    << actual << " (reference " << int128_text(expected) << ")";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Random wide types fed random doubles from far below the lsb to far past the range.
TEST(FixedConversion, RandomWideDoublesMatchReference) {
  std::mt19937_64 random(42);
  int mismatches = 0;
  for (int trial = 0; trial < 300'000; ++trial) {
    const FixedType type = random_type(random);
    const std::int64_t mantissa = static_cast<std::int64_t>(random() >> 11) | (std::int64_t{1} << 52);
    // value / lsb between 2^-70 and 2^(width + 20)
    const int exponent = std::uniform_int_distribution<int>(-70 - 52, type.width + 20 - 52)(random);
    double value = std::ldexp(static_cast<double>(mantissa >> (random() % 40)), exponent - type.fraction());
    if (random() % 2 == 0) value = -value;
    if (value == 0 || !std::isnormal(value)) continue;
    const Int128 expected = exact_reference::convert_double(type, value);
    const std::int64_t actual = type.quantize_raw(value);
    if (!same_raw(type, actual, expected) && ++mismatches <= 10) {
      ADD_FAILURE() << describe(type) << " value " << value << " -> " << actual << " (reference "
                    << int128_text(expected) << ")";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// UG1399's quantization examples on ap_fixed<3,2> (lsb 0.5) plus other ties, computed by hand.
TEST(FixedConversion, TiesInEveryQuantizationMode) {
  struct Case {
    Quantization mode;
    double input;
    double expected;
  };
  const Case cases[] = {
      {Quantization::TRN, 1.25, 1.0},          {Quantization::TRN, -1.25, -1.5},
      {Quantization::TRN_ZERO, 1.25, 1.0},     {Quantization::TRN_ZERO, -1.25, -1.0},
      {Quantization::RND, 1.25, 1.5},          {Quantization::RND, -1.25, -1.0},
      {Quantization::RND_ZERO, 1.25, 1.0},     {Quantization::RND_ZERO, -1.25, -1.0},
      {Quantization::RND_MIN_INF, 1.25, 1.0},  {Quantization::RND_MIN_INF, -1.25, -1.5},
      {Quantization::RND_INF, 1.25, 1.5},      {Quantization::RND_INF, -1.25, -1.5},
      {Quantization::RND_CONV, 1.25, 1.0},     {Quantization::RND_CONV, -1.25, -1.0},
      {Quantization::RND_CONV, 0.75, 1.0},     {Quantization::RND_CONV, -0.75, -1.0},
      {Quantization::RND_ZERO, 0.75, 0.5},     {Quantization::RND_ZERO, -0.75, -0.5},
      {Quantization::RND_MIN_INF, 0.75, 0.5},  {Quantization::RND_MIN_INF, -0.75, -1.0},
      {Quantization::RND, -0.75, -0.5},        {Quantization::RND_INF, -0.75, -1.0},
      {Quantization::RND, 1.3, 1.5},           {Quantization::RND_ZERO, 1.3, 1.5},
      {Quantization::RND_MIN_INF, -1.3, -1.5}, {Quantization::TRN_ZERO, -1.3, -1.0},
  };
  for (const Case& c : cases) {
    const FixedType type = make(3, 2, true, c.mode, Overflow::SAT);
    EXPECT_EQ(type.quantize(c.input), c.expected) << type.to_string() << " of " << c.input;
  }
}

// UG1399's overflow examples on ap_[u]fixed<4,4,AP_RND,O>.
TEST(FixedConversion, OverflowModesMatchUserGuideExamples) {
  const auto q = [](bool is_signed, Overflow o, double v, int n = 0) {
    return make(4, 4, is_signed, Quantization::RND, o, n).quantize(v);
  };
  EXPECT_EQ(q(true, Overflow::SAT, 19.0), 7.0);
  EXPECT_EQ(q(true, Overflow::SAT, -19.0), -8.0);
  EXPECT_EQ(q(false, Overflow::SAT, 19.0), 15.0);
  EXPECT_EQ(q(false, Overflow::SAT, -19.0), 0.0);
  for (const bool is_signed : {true, false}) {
    EXPECT_EQ(q(is_signed, Overflow::SAT_ZERO, 19.0), 0.0);
    EXPECT_EQ(q(is_signed, Overflow::SAT_ZERO, -19.0), 0.0);
  }
  EXPECT_EQ(q(true, Overflow::SAT_SYM, 19.0), 7.0);
  EXPECT_EQ(q(true, Overflow::SAT_SYM, -19.0), -7.0);
  EXPECT_EQ(q(false, Overflow::SAT_SYM, 19.0), 15.0);
  EXPECT_EQ(q(false, Overflow::SAT_SYM, -19.0), 0.0);
  EXPECT_EQ(q(true, Overflow::WRAP, 31.0), -1.0);
  EXPECT_EQ(q(true, Overflow::WRAP, -19.0), -3.0);
  EXPECT_EQ(q(false, Overflow::WRAP, 19.0), 3.0);
  EXPECT_EQ(q(false, Overflow::WRAP, -19.0), 13.0);
}

// AP_WRAP with N saturation bits (bit patterns worked out by hand from the vendor's rule).
TEST(FixedConversion, WrapWithSaturationBits) {
  const auto wrap_n = [](bool is_signed, int n, double v) {
    return make(4, 4, is_signed, Quantization::TRN, Overflow::WRAP, n).quantize(v);
  };
  EXPECT_EQ(wrap_n(true, 1, 9.0), 1.0);      // 1001 -> sign bit 0 -> 0001
  EXPECT_EQ(wrap_n(true, 1, -9.0), -1.0);    // 0111 -> sign bit 1 -> 1111
  EXPECT_EQ(wrap_n(true, 2, 9.0), 5.0);      // 1001 -> 01 on top -> 0101
  EXPECT_EQ(wrap_n(true, 2, -9.0), -5.0);    // 0111 -> 10 on top -> 1011
  EXPECT_EQ(wrap_n(true, 4, 100.0), 7.0);    // all bits saturated -> maximum
  EXPECT_EQ(wrap_n(true, 4, -100.0), -8.0);  // -> minimum
  EXPECT_EQ(wrap_n(true, 2, 5.0), 5.0);      // in range: untouched
  EXPECT_EQ(wrap_n(false, 2, 19.0), 15.0);   // 0011 -> 11 on top -> 1111
  EXPECT_EQ(wrap_n(false, 1, 19.0), 11.0);   // 0011 -> 1011
  EXPECT_EQ(wrap_n(false, 2, -3.0), 13.0);   // 1101 -> top bits already ones
  EXPECT_EQ(wrap_n(false, 1, -12.0), 12.0);  // 0100 -> 1100 (the vendor sets ones on underflow too)
}

TEST(FixedConversion, NegativeZeroIsZeroInEveryMode) {
  for (const Quantization q : kQuantizations) {
    for (const Overflow o : kOverflows) {
      for (const bool is_signed : {true, false}) {
        const FixedType type = make(8, 3, is_signed, q, o);
        EXPECT_EQ(type.quantize_raw(-0.0), 0) << type.to_string();
      }
    }
  }
  EXPECT_EQ(make_int(8, false).quantize_raw(-0.0), 0);
}

TEST(FixedConversion, ValuesJustPastTheRange) {
  // ap_fixed<8,3>: lsb 1/32, range [-4, 4 - 1/32].
  const double max = 4.0 - 1.0 / 32;
  EXPECT_EQ(make(8, 3, true, Quantization::TRN, Overflow::SAT).quantize(max + 1.0 / 64), max);
  EXPECT_EQ(make(8, 3, true, Quantization::RND, Overflow::SAT).quantize(max + 1.0 / 64), max);
  EXPECT_EQ(make(8, 3, true, Quantization::RND, Overflow::WRAP).quantize(max + 1.0 / 64), -4.0);
  EXPECT_EQ(make(8, 3, true, Quantization::RND_ZERO, Overflow::WRAP).quantize(max + 1.0 / 64), max);
  EXPECT_EQ(make(8, 3, true, Quantization::RND, Overflow::SAT).quantize(4.0 - std::ldexp(1.0, -40)), max);
  EXPECT_EQ(make(8, 3, true, Quantization::TRN, Overflow::SAT).quantize(-4.0 - std::ldexp(1.0, -40)), -4.0);
  EXPECT_EQ(make(8, 3, true, Quantization::TRN, Overflow::WRAP).quantize(-4.0 - std::ldexp(1.0, -40)), max);
  EXPECT_EQ(make(8, 3, true, Quantization::RND, Overflow::WRAP).quantize(-4.0 - std::ldexp(1.0, -40)), -4.0);
  EXPECT_EQ(make(8, 3, true, Quantization::TRN, Overflow::SAT_ZERO).quantize(4.0), 0.0);
}

TEST(FixedConversion, MostNegativeValueAndSymmetricSaturation) {
  EXPECT_EQ(make(4, 4, true, Quantization::TRN, Overflow::SAT).quantize(-8.0), -8.0);
  EXPECT_EQ(make(4, 4, true, Quantization::TRN, Overflow::SAT_SYM).quantize(-8.0), -7.0);
  EXPECT_EQ(make(4, 4, true, Quantization::TRN, Overflow::SAT_SYM).quantize(-7.5), -7.0);  // floor gives -8
  EXPECT_EQ(make(4, 4, true, Quantization::RND, Overflow::SAT_SYM).quantize(-7.5), -7.0);
  EXPECT_EQ(make(4, 4, true, Quantization::TRN, Overflow::WRAP).quantize(-8.0), -8.0);
  EXPECT_EQ(make(64, 64, true).quantize_raw(-std::ldexp(1.0, 63)), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(make(64, 64, true, Quantization::TRN, Overflow::SAT_SYM).quantize_raw(-1e30),
            -std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(make(8, 3).min_value(), -4.0);
  EXPECT_EQ(make(8, 3).max_value(), 4.0 - 1.0 / 32);
  EXPECT_EQ(make(8, 3, false).min_value(), 0.0);
  EXPECT_EQ(make(8, 3, false).max_value(), 8.0 - 1.0 / 32);
}

TEST(FixedConversion, UnsignedTypesGivenNegativeValues) {
  EXPECT_EQ(make(8, 3, false).quantize(-1.0), 7.0);  // raw 256 - 32
  EXPECT_EQ(make(8, 3, false, Quantization::TRN, Overflow::SAT).quantize(-1.0), 0.0);
  EXPECT_EQ(make(8, 3, false, Quantization::RND, Overflow::SAT).quantize(-0.01), 0.0);  // rounds to 0
  EXPECT_EQ(make(8, 3, false, Quantization::TRN, Overflow::SAT).quantize(-0.01), 0.0);  // -lsb, saturated
  EXPECT_EQ(make(8, 3, false, Quantization::TRN, Overflow::WRAP).quantize_raw(-0.01), 255);
  EXPECT_EQ(make(8, 3, false, Quantization::TRN_ZERO, Overflow::WRAP).quantize_raw(-0.01), 0);
}

TEST(FixedConversion, IntegerBitsAtOrBelowZero) {
  EXPECT_EQ(make(2, 0).quantize(-0.5), -0.5);  // UG1399: ap_fixed<2,0> holds -0.5
  EXPECT_EQ(make(2, 0).quantize(0.3), 0.25);
  EXPECT_EQ(make(2, 0, true, Quantization::TRN, Overflow::SAT).quantize(0.5), 0.25);
  EXPECT_EQ(make(1, -1, false).quantize(0.25), 0.25);  // UG1399: ap_ufixed<1,-1> holds 0.25
  EXPECT_EQ(make(1, -1, false).quantize(0.5), 0.0);    // wraps
  EXPECT_EQ(make(4, -2).min_value(), -0.125);
  EXPECT_EQ(make(4, -2).max_value(), 7.0 / 64);
  EXPECT_EQ(make(4, -2, true, Quantization::RND_CONV, Overflow::SAT).quantize(0.02), 1.0 / 64);
}

TEST(FixedConversion, IntegerBitsAtOrAboveWidth) {
  // ap_fixed<4,8>: lsb 16, range [-128, 112].
  EXPECT_EQ(make(4, 8).lsb(), 16.0);
  EXPECT_EQ(make(4, 8).quantize(100.0), 96.0);
  EXPECT_EQ(make(4, 8, true, Quantization::RND).quantize(104.0), 112.0);      // tie, half up
  EXPECT_EQ(make(4, 8, true, Quantization::RND_CONV).quantize(104.0), 96.0);  // tie, to even (6)
  EXPECT_EQ(make(4, 8, true, Quantization::RND).quantize(120.0), -128.0);     // 8 wraps to -8
  EXPECT_EQ(make(4, 8, true, Quantization::RND, Overflow::SAT).quantize(120.0), 112.0);
  EXPECT_EQ(make(4, 6, false).quantize(61.0), 60.0);
  EXPECT_EQ(make(8, 8).quantize(-1.5), -2.0);  // ap_fixed<8,8> floors, unlike ap_int<8>
}

// The vendor decodes a double by its bit fields with the leading one always set.
TEST(FixedConversion, InfinitiesNansAndSubnormalsAsTheVendorDecodesThem) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const FixedType sat = make(8, 3, true, Quantization::TRN, Overflow::SAT);
  EXPECT_EQ(sat.quantize(inf), sat.max_value());
  EXPECT_EQ(sat.quantize(-inf), -4.0);
  EXPECT_EQ(sat.quantize(std::copysign(nan, 1.0)), sat.max_value());
  EXPECT_EQ(sat.quantize(std::copysign(nan, -1.0)), -4.0);
  EXPECT_EQ(make(8, 3).quantize_raw(inf), 0);  // 2^1024 wraps to 0
  EXPECT_EQ(make(8, 3).quantize_raw(nan), 0);
  EXPECT_EQ(make_int(8, true).quantize_raw(inf), 0);
  const double tiny = std::numeric_limits<double>::denorm_min();
  EXPECT_EQ(make(8, 3).quantize_raw(-tiny), -1);  // floor of a tiny negative value
  EXPECT_EQ(make(8, 3).quantize_raw(tiny), 0);
  EXPECT_EQ(make(8, 3, true, Quantization::RND).quantize_raw(-tiny), 0);
  // lsb 2^-1023: the vendor reads 2^-1074 as 2^-1023 (one lsb) instead of a tiny fraction of it.
  EXPECT_EQ(make(8, -1015).quantize_raw(tiny), 1);
}

// ap_int/ap_uint from double: C-style truncation toward zero, then the low W bits; and the
// vendor's ap_int_base(double) quirk that gives 1 for negative values above -0.5.
TEST(FixedConversion, IntegerTypesConvertLikeTheVendorApInt) {
  const FixedType int8 = make_int(8, true);
  const FixedType uint4 = make_int(4, false);
  EXPECT_EQ(int8.quantize_raw(-1.7), -1);
  EXPECT_EQ(int8.quantize_raw(1.7), 1);
  EXPECT_EQ(int8.quantize_raw(300.7), 44);
  EXPECT_EQ(int8.quantize_raw(-300.7), -44);
  EXPECT_EQ(int8.quantize_raw(-0.7), 0);
  EXPECT_EQ(int8.quantize_raw(-0.5), 0);
  EXPECT_EQ(int8.quantize_raw(-0.3), 1);
  EXPECT_EQ(int8.quantize_raw(-std::numeric_limits<double>::denorm_min()), 1);
  EXPECT_EQ(int8.quantize_raw(1e300), 0);
  EXPECT_EQ(uint4.quantize_raw(-3.0), 13);
  EXPECT_EQ(uint4.quantize_raw(-0.25), 1);
  EXPECT_EQ(make_int(1, true).quantize_raw(-0.25), -1);  // the bit pattern 1 in a 1-bit signed type
  EXPECT_EQ(make_int(64, true).quantize_raw(std::ldexp(1.0, 63)), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(int8.cast_raw(-7, 2), -1);  // -1.75 truncated toward zero
}

// cast_from knows the source type: a negative signed source with I <= 0 gives -1 in an ap_int.
TEST(FixedConversion, CastFromAppliesTheVendorIntegerPartRule) {
  EXPECT_EQ(make_int(8, true).cast_from(make(8, 0), -64), -1);       // -0.25
  EXPECT_EQ(make_int(4, false).cast_from(make(8, -3), -1), 15);      // -2^-11, all ones
  EXPECT_EQ(make_int(8, true).cast_from(make(8, 1), -64), 0);        // -0.5 with I = 1: toward zero
  EXPECT_EQ(make_int(8, true).cast_from(make(8, 0, false), 64), 0);  // unsigned source
  EXPECT_EQ(make_int(8, true).cast_from(make(8, 3), -48), -1);       // -1.5 toward zero
  EXPECT_EQ(make(8, 3, true, Quantization::RND).cast_from(make(8, 0), -12), -1);  // -1.5 lsb, tie up
}

TEST(FixedConversion, SixtyFourBitUnsignedRawIsABitPattern) {
  const FixedType u64 = make(64, 64, false);
  const std::int64_t raw = u64.quantize_raw(std::ldexp(1.0, 63) + std::ldexp(1.0, 20));
  EXPECT_EQ(static_cast<std::uint64_t>(raw), (std::uint64_t{1} << 63) + (std::uint64_t{1} << 20));
  EXPECT_EQ(u64.to_double(raw), std::ldexp(1.0, 63) + std::ldexp(1.0, 20));
  EXPECT_EQ(u64.max_raw(), -1);
  EXPECT_EQ(make(64, 0, false).max_value(), 1.0);  // (2^64 - 1) * 2^-64 rounds to 1
}

TEST(FixedConversion, ValidateRejectsUnsupportedFields) {
  EXPECT_THROW(make(0, 0).validate(), sparsepixels::Error);
  EXPECT_THROW(make(65, 0).validate(), sparsepixels::Error);
  EXPECT_THROW(make(8, 3, true, Quantization::TRN, Overflow::WRAP, 9).validate(), sparsepixels::Error);
  FixedType broken_int = make_int(8, true);
  broken_int.integer = 4;
  EXPECT_THROW(broken_int.validate(), sparsepixels::Error);
  EXPECT_NO_THROW(make(64, -100).validate());
}

}  // namespace
