// The runtime twin must equal the template types: for a bounded list of ap_fixed/ap_ufixed/ap_int/
// ap_uint instantiations, conversions from doubles and from raw values of wider types give
// identical raw bits through hls/ap_types and through sparsepixels::fixed::FixedType.
#include <ap_fixed.h>
#include <ap_int.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"

namespace {

using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::Int128;
using sparsepixels::fixed::Overflow;
using sparsepixels::fixed::Quantization;

Quantization twin_quantization(ap_q_mode mode) {
  switch (mode) {
    case AP_TRN:
      return Quantization::TRN;
    case AP_TRN_ZERO:
      return Quantization::TRN_ZERO;
    case AP_RND:
      return Quantization::RND;
    case AP_RND_ZERO:
      return Quantization::RND_ZERO;
    case AP_RND_MIN_INF:
      return Quantization::RND_MIN_INF;
    case AP_RND_INF:
      return Quantization::RND_INF;
    case AP_RND_CONV:
      return Quantization::RND_CONV;
  }
  throw std::logic_error("unknown ap_q_mode");
}

Overflow twin_overflow(ap_o_mode mode) {
  switch (mode) {
    case AP_WRAP:
      return Overflow::WRAP;
    case AP_SAT:
      return Overflow::SAT;
    case AP_SAT_ZERO:
      return Overflow::SAT_ZERO;
    case AP_SAT_SYM:
      return Overflow::SAT_SYM;
    default:
      break;
  }
  throw std::logic_error("overflow mode without a twin");
}

// The runtime description of a template type.
template <class T>
struct Twin;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Twin<ap_fixed<W, I, Q, O, N>> {
  static FixedType type() {
    FixedType t;
    t.width = W;
    t.integer = I;
    t.is_signed = true;
    t.quantization = twin_quantization(Q);
    t.overflow = twin_overflow(O);
    t.saturation_bits = N;
    return t;
  }
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Twin<ap_ufixed<W, I, Q, O, N>> {
  static FixedType type() {
    FixedType t = Twin<ap_fixed<W, I, Q, O, N>>::type();
    t.is_signed = false;
    return t;
  }
};
template <int W>
struct Twin<ap_int<W>> {
  static FixedType type() {
    FixedType t;
    t.width = W;
    t.integer = W;
    t.is_signed = true;
    t.integer_type = true;
    return t;
  }
};
template <int W>
struct Twin<ap_uint<W>> {
  static FixedType type() {
    FixedType t = Twin<ap_int<W>>::type();
    t.is_signed = false;
    return t;
  }
};

// The W stored bits of a template value, read one at a time through the vendor API.
template <class T>
std::uint64_t bits_of(T value, int width) {
  std::uint64_t bits = 0;
  for (int i = 0; i < width; ++i) {
    if (static_cast<bool>(value[i])) bits |= std::uint64_t{1} << i;
  }
  return bits;
}

// Writes raw bits into a template value through the vendor API.
template <class T>
T from_bits(std::uint64_t bits, int width) {
  T value = 0;
  for (int i = 0; i < width; ++i) value[i] = ((bits >> i) & 1) != 0;
  return value;
}

std::uint64_t low_bits(std::int64_t raw, int width) {
  const auto bits = static_cast<std::uint64_t>(raw);
  return width == 64 ? bits : bits & ((std::uint64_t{1} << width) - 1);
}

// Raw bits of a source type read as the value they stand for (sign-extended for signed types).
Int128 source_raw(std::uint64_t bits, int width, bool is_signed) {
  if (is_signed && width < 64 && ((bits >> (width - 1)) & 1) != 0) bits |= ~((std::uint64_t{1} << width) - 1);
  if (is_signed) return static_cast<std::int64_t>(bits);
  return static_cast<Int128>(bits);
}

// Doubles worth trying for a type: a fine grid over and past its range, random magnitudes around
// its lsb and range, and the special values.
std::vector<double> doubles_for(const FixedType& type, std::mt19937_64& random) {
  std::vector<double> values;
  const double lsb = type.lsb();
  const double step = lsb / 8;
  const double span = std::max(std::fabs(type.min_value()), type.max_value()) * 2 + 4 * lsb;
  const int grid_points = 4000;
  for (int k = -grid_points; k <= grid_points; ++k)
    values.push_back(std::round(span / grid_points * k / step) * step);
  for (int k = 0; k < 20000; ++k) {
    const double magnitude =
        std::ldexp(static_cast<double>(random() >> 11),
                   -53 + std::uniform_int_distribution<int>(-70, type.width + 8)(random));
    values.push_back((random() % 2 == 0 ? 1 : -1) * magnitude * lsb);
  }
  for (const double special :
       {0.0, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min(),
        -std::numeric_limits<double>::denorm_min(), 1e300, -1e300, std::ldexp(1.0, 63), -std::ldexp(1.0, 63),
        -0.3, -0.5, 0.5}) {
    values.push_back(special);
  }
  for (const double edge : {type.min_value(), type.max_value()}) {
    for (int k = -4; k <= 4; ++k) values.push_back(edge + k * lsb / 2);
  }
  return values;
}

template <class Target>
int check_doubles(std::mt19937_64& random) {
  const FixedType twin = Twin<Target>::type();
  int mismatches = 0;
  for (const double value : doubles_for(twin, random)) {
    const Target converted = value;
    const std::uint64_t expected = bits_of(converted, twin.width);
    const std::uint64_t actual = low_bits(twin.quantize_raw(value), twin.width);
    if (expected != actual && ++mismatches <= 5) {
      ADD_FAILURE() << twin.to_string() << " from double " << value << ": ap types bits 0x" << std::hex
                    << expected << ", twin bits 0x" << actual << std::dec;
    }
  }
  return mismatches;
}

template <class Target, class Source>
int check_assignment(std::mt19937_64& random) {
  const FixedType twin = Twin<Target>::type();
  const FixedType source = Twin<Source>::type();
  int mismatches = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::uint64_t bits = random();
    if (trial < 64) bits = trial % 2 == 0 ? (std::uint64_t{1} << (trial / 2 % source.width)) : ~bits;
    bits = low_bits(static_cast<std::int64_t>(bits), source.width);
    const Source value = from_bits<Source>(bits, source.width);
    const Target converted = value;
    const std::uint64_t expected = bits_of(converted, twin.width);
    const std::uint64_t actual =
        low_bits(twin.cast_from(source, source_raw(bits, source.width, source.is_signed)), twin.width);
    if (expected != actual && ++mismatches <= 5) {
      ADD_FAILURE() << twin.to_string() << " from " << source.to_string() << " bits 0x" << std::hex << bits
                    << ": ap types bits 0x" << expected << ", twin bits 0x" << actual << std::dec;
    }
  }
  return mismatches;
}

template <class... Targets>
struct TargetList {};
template <class... Sources>
struct SourceList {};

template <class... Targets>
int check_all_doubles(TargetList<Targets...>) {
  std::mt19937_64 random(7);
  return (check_doubles<Targets>(random) + ...);
}

template <class Target, class... Sources>
int check_target_from_sources(std::mt19937_64& random, SourceList<Sources...>) {
  return (check_assignment<Target, Sources>(random) + ...);
}

template <class... Targets, class Sources>
int check_all_assignments(TargetList<Targets...>, Sources sources) {
  std::mt19937_64 random(11);
  return (check_target_from_sources<Targets>(random, sources) + ...);
}

// Many modes and widths, I <= 0, I >= W, signed and unsigned, N > 0, integer types.
using Targets =
    TargetList<ap_fixed<8, 3>, ap_fixed<8, 3, AP_RND, AP_SAT>, ap_fixed<8, 3, AP_RND_CONV, AP_SAT>,
               ap_fixed<8, 3, AP_RND_ZERO, AP_SAT_SYM>, ap_fixed<8, 3, AP_RND_MIN_INF, AP_SAT_ZERO>,
               ap_fixed<8, 3, AP_RND_INF, AP_WRAP>, ap_fixed<8, 3, AP_TRN_ZERO, AP_SAT>,
               ap_fixed<8, 3, AP_TRN, AP_WRAP, 2>, ap_ufixed<8, 3>, ap_ufixed<8, 3, AP_RND, AP_SAT>,
               ap_ufixed<8, 3, AP_RND_CONV, AP_SAT_SYM>, ap_ufixed<6, 2, AP_TRN, AP_WRAP, 1>,
               ap_fixed<4, -2, AP_RND, AP_SAT>, ap_fixed<5, 0, AP_RND_CONV, AP_WRAP>,
               ap_ufixed<4, -3, AP_TRN_ZERO, AP_SAT>, ap_fixed<4, 8>, ap_fixed<4, 8, AP_RND, AP_SAT>,
               ap_ufixed<5, 9, AP_RND_INF, AP_SAT_SYM>, ap_fixed<1, 0, AP_RND, AP_SAT>,
               ap_fixed<2, 1, AP_RND, AP_SAT_SYM>, ap_ufixed<1, 1, AP_RND, AP_WRAP>,
               ap_fixed<16, 6, AP_RND_CONV, AP_SAT>, ap_fixed<18, 8, AP_RND, AP_SAT_SYM>,
               ap_fixed<24, 12, AP_TRN, AP_WRAP, 3>, ap_fixed<32, 16, AP_RND_MIN_INF, AP_SAT>,
               ap_ufixed<32, 1, AP_RND_ZERO, AP_WRAP>, ap_fixed<53, 20, AP_RND, AP_SAT>,
               ap_fixed<64, 32, AP_RND_CONV, AP_SAT>, ap_fixed<64, 64>, ap_ufixed<64, 0, AP_RND, AP_SAT>,
               ap_ufixed<64, 64>, ap_int<8>, ap_int<1>, ap_uint<4>, ap_int<33>, ap_int<64>, ap_uint<64>>;
using Sources = SourceList<ap_fixed<12, 4>, ap_ufixed<10, 2>, ap_fixed<20, -2>, ap_fixed<6, 10>,
                           ap_fixed<40, 12>, ap_fixed<64, 30>, ap_int<16>, ap_uint<12>>;

TEST(TwinVsApTypes, DoublesGiveIdenticalBits) {
  EXPECT_EQ(check_all_doubles(Targets{}), 0);
}

TEST(TwinVsApTypes, AssignmentsBetweenTypesGiveIdenticalBits) {
  EXPECT_EQ(check_all_assignments(Targets{}, Sources{}), 0);
}

// A dense-layer accumulation: acc = bias; acc += w * x (fan-in 9) in the exact accumulator, then a
// cast to the result type; the host path sums raw integers and casts once with the twin.
TEST(TwinVsApTypes, DenseAccumulationInTheExactAccumulator) {
  using Weight = ap_fixed<8, 3, AP_RND_CONV, AP_SAT>;
  using Input = ap_ufixed<8, 0>;
  using Bias = ap_fixed<10, 4>;
  using Accumulator = ap_fixed<21, 8>;  // docs/fixed-point.md's worked example
  using Result = ap_fixed<8, 3, AP_RND, AP_SAT>;
  const int fan_in = 9;
  const FixedType weight = Twin<Weight>::type();
  const FixedType input = Twin<Input>::type();
  const FixedType bias = Twin<Bias>::type();
  const FixedType accumulator = sparsepixels::fixed::exact_accumulator(weight, input, bias, fan_in);
  ASSERT_EQ(accumulator, Twin<Accumulator>::type()) << accumulator.to_string();
  const FixedType result = Twin<Result>::type();

  std::mt19937_64 random(5);
  int mismatches = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const std::uint64_t bias_bits = random() & 0x3ff;
    Accumulator acc = from_bits<Bias>(bias_bits, 10);
    const int product_fraction = weight.fraction() + input.fraction();
    Int128 exact_sum = source_raw(bias_bits, 10, true) * (Int128{1} << (product_fraction - bias.fraction()));
    for (int i = 0; i < fan_in; ++i) {
      const std::uint64_t w_bits = trial < 100 ? 0x80 : random() & 0xff;  // start with the extreme weight
      const std::uint64_t x_bits = trial < 100 ? 0xff : random() & 0xff;
      acc += from_bits<Weight>(w_bits, 8) * from_bits<Input>(x_bits, 8);
      exact_sum += source_raw(w_bits, 8, true) * source_raw(x_bits, 8, false);
    }
    const Result cast = acc;
    const std::uint64_t accumulator_bits = bits_of(acc, 21);
    const std::uint64_t exact_bits = low_bits(static_cast<std::int64_t>(exact_sum), 21);
    const std::uint64_t expected = bits_of(cast, 8);
    const std::uint64_t actual = low_bits(result.cast_raw(exact_sum, product_fraction), 8);
    if ((accumulator_bits != exact_bits || expected != actual) && ++mismatches <= 5) {
      ADD_FAILURE() << "trial " << trial << ": accumulator bits 0x" << std::hex << accumulator_bits
                    << " vs exact 0x" << exact_bits << ", result bits 0x" << expected << " vs twin 0x"
                    << actual << std::dec;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// A signed one-bit AP_SAT_SYM type: the vendor's overflow_adjust writes "minimum | 1" on underflow,
// which for W = 1 is the bit pattern 1 (the minimum, -0.5 here), and it treats the minimum itself as
// an underflow. UG1399's "negative maximum" would be -0 = 0 here; the vendor's code decides.
TEST(TwinVsApTypes, OneBitSymmetricSaturationGivesTheVendorMinimum) {
  using OneBit = ap_fixed<1, 0, AP_RND, AP_SAT_SYM>;
  const FixedType twin = Twin<OneBit>::type();
  for (const double value : {-3.0, -0.5, -0.3}) {
    const OneBit converted = value;
    EXPECT_EQ(bits_of(converted, 1), 1u) << "ap types, " << value;
    EXPECT_EQ(twin.quantize_raw(value), -1) << "twin, " << value;
  }
  const ap_fixed<8, 4> source = -3.0;
  const OneBit assigned = source;
  EXPECT_EQ(bits_of(assigned, 1), 1u) << "ap types, from ap_fixed<8,4>";
  for (const double value : {0.0, -0.2, 0.2, 3.0}) {
    const OneBit converted = value;
    EXPECT_EQ(bits_of(converted, 1), 0u) << "ap types, " << value;
    EXPECT_EQ(twin.quantize_raw(value), 0) << "twin, " << value;
  }
}

}  // namespace
