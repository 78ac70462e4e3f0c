// Exact accumulators (reference section 11.3): hand-computed formula results, a brute-force proof
// on small types that the extreme sums fit, and holds_exactly against the exact reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "exact_reference.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace {

using sparsepixels::fixed::exact_accumulator;
using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::holds_exactly;
using sparsepixels::fixed::Int128;
using sparsepixels::fixed::Overflow;
using sparsepixels::fixed::Quantization;

FixedType parse(const char* text) {
  return FixedType::parse(text);
}

TEST(ExactAccumulator, HandComputedExamples) {
  // product ap_fixed<16,6>; integer 6 + ceil(log2(10)) = 10; fraction max(10, 5) = 10.
  EXPECT_EQ(exact_accumulator(parse("ap_fixed<8,3>"), parse("ap_fixed<8,3>"), parse("ap_fixed<8,3>"), 9),
            parse("ap_fixed<20,10>"));
  // product ap_fixed<14,2> (signed), bias 4 integer bits: 4 + ceil(log2(4)) = 6; fraction 12.
  EXPECT_EQ(exact_accumulator(parse("ap_ufixed<8,0>"), parse("ap_fixed<6,2>"), parse("ap_fixed<10,4>"), 3),
            parse("ap_fixed<18,6>"));
  // all unsigned: product ap_ufixed<8,4>; 4 + ceil(log2(2)) = 5.
  EXPECT_EQ(exact_accumulator(parse("ap_ufixed<4,2>"), parse("ap_ufixed<4,2>"), parse("ap_ufixed<4,2>"), 1),
            parse("ap_ufixed<9,5>"));
  // unsigned product in a signed accumulator needs one more bit: (4 + 1) + 1 = 6.
  EXPECT_EQ(exact_accumulator(parse("ap_ufixed<4,2>"), parse("ap_ufixed<4,2>"), parse("ap_fixed<4,2>"), 1),
            parse("ap_fixed<10,6>"));
  // the worked example of docs/fixed-point.md: product <16,3>, 4 + ceil(log2(10)) = 8, fraction 13.
  EXPECT_EQ(exact_accumulator(parse("ap_fixed<8,3>"), parse("ap_ufixed<8,0>"), parse("ap_fixed<10,4>"), 9),
            parse("ap_fixed<21,8>"));
  // modes of the operands do not matter; the accumulator is AP_TRN/AP_WRAP.
  EXPECT_EQ(exact_accumulator(parse("ap_fixed<8,3,AP_RND_CONV,AP_SAT>"), parse("ap_int<4>"),
                              parse("ap_fixed<8,3,AP_RND,AP_SAT_SYM>"), 16),
            parse("ap_fixed<17,12>"));  // product <12,7>: 7 + ceil(log2(17)) = 12; fraction 5
}

TEST(ExactAccumulator, RejectsBadFanInAndTooWideResults) {
  const FixedType type = parse("ap_fixed<8,3>");
  EXPECT_THROW(exact_accumulator(type, type, type, 0), sparsepixels::Error);
  const FixedType wide = parse("ap_fixed<32,16>");
  try {
    (void)exact_accumulator(wide, wide, wide, 1000);
    ADD_FAILURE() << "no error for a 74-bit accumulator";
  } catch (const sparsepixels::Error& error) {
    EXPECT_NE(std::string(error.what()).find("more than the supported 64"), std::string::npos)
        << error.what();
  }
}

// Small types of every shape: signed, unsigned, I <= 0, I >= W, one-bit, ap_int.
std::vector<FixedType> operand_types() {
  return {parse("ap_fixed<3,1>"),  parse("ap_ufixed<2,0>"), parse("ap_fixed<4,-1>"), parse("ap_fixed<2,4>"),
          parse("ap_ufixed<3,5>"), parse("ap_fixed<1,0>"),  parse("ap_int<3>"),      parse("ap_uint<2>")};
}

// Every raw value of a type, in units of its lsb.
std::vector<Int128> raw_values(const FixedType& type) {
  std::vector<Int128> values;
  const Int128 lowest = type.is_signed ? -(Int128{1} << (type.width - 1)) : 0;
  const Int128 highest = type.is_signed ? (Int128{1} << (type.width - 1)) - 1 : (Int128{1} << type.width) - 1;
  for (Int128 raw = lowest; raw <= highest; ++raw) values.push_back(raw);
  return values;
}

// Brute force: the largest and smallest sums of fan_in products plus the bias, in units of the
// accumulator's lsb, lie inside the accumulator's raw range (so every partial sum does too).
TEST(ExactAccumulator, ExtremeSumsFitByBruteForce) {
  int combinations = 0;
  for (const FixedType& weight : operand_types()) {
    for (const FixedType& input : operand_types()) {
      Int128 max_product = 0;  // 0 is a value of every type, so the extremes bracket 0
      Int128 min_product = 0;
      for (const Int128 w : raw_values(weight)) {
        for (const Int128 x : raw_values(input)) {
          max_product = std::max(max_product, w * x);
          min_product = std::min(min_product, w * x);
        }
      }
      const int product_fraction = weight.fraction() + input.fraction();
      for (const FixedType& bias : operand_types()) {
        const std::vector<Int128> biases = raw_values(bias);
        const Int128 max_bias = std::max(Int128{0}, *std::max_element(biases.begin(), biases.end()));
        const Int128 min_bias = std::min(Int128{0}, *std::min_element(biases.begin(), biases.end()));
        for (int fan_in = 1; fan_in <= 9; ++fan_in) {
          const FixedType acc = exact_accumulator(weight, input, bias, fan_in);
          const std::string what = weight.to_string() + " * " + input.to_string() + " + " + bias.to_string() +
                                   ", fan-in " + std::to_string(fan_in) + " -> " + acc.to_string();
          ASSERT_GE(acc.fraction(), product_fraction) << what;
          ASSERT_GE(acc.fraction(), bias.fraction()) << what;
          EXPECT_EQ(acc.quantization, Quantization::TRN) << what;
          EXPECT_EQ(acc.overflow, Overflow::WRAP) << what;
          EXPECT_EQ(acc.is_signed, weight.is_signed || input.is_signed || bias.is_signed) << what;
          const Int128 product_scale = Int128{1} << (acc.fraction() - product_fraction);
          const Int128 bias_scale = Int128{1} << (acc.fraction() - bias.fraction());
          const Int128 largest = fan_in * max_product * product_scale + max_bias * bias_scale;
          const Int128 smallest = fan_in * min_product * product_scale + min_bias * bias_scale;
          const Int128 lowest = acc.is_signed ? -(Int128{1} << (acc.width - 1)) : 0;
          const Int128 highest =
              acc.is_signed ? (Int128{1} << (acc.width - 1)) - 1 : (Int128{1} << acc.width) - 1;
          EXPECT_LE(largest, highest) << what;
          EXPECT_GE(smallest, lowest) << what;
          ++combinations;
        }
      }
    }
  }
  EXPECT_EQ(combinations, 8 * 8 * 8 * 9);
}

// holds_exactly(candidate, required) is true exactly when the reference converts every value of
// `required` into `candidate` unchanged.
TEST(ExactAccumulator, HoldsExactlyAgreesWithTheReference) {
  std::vector<FixedType> types;
  for (const char* text : {"ap_fixed<1,0>",
                           "ap_fixed<1,2>",
                           "ap_ufixed<1,0>",
                           "ap_fixed<3,1>",
                           "ap_fixed<4,1>",
                           "ap_fixed<4,2>",
                           "ap_fixed<5,2>",
                           "ap_ufixed<3,1>",
                           "ap_ufixed<4,2>",
                           "ap_fixed<5,3>",
                           "ap_fixed<3,-1>",
                           "ap_fixed<4,-1>",
                           "ap_fixed<3,5>",
                           "ap_fixed<6,5>",
                           "ap_int<3>",
                           "ap_uint<3>",
                           "ap_fixed<4,2,AP_RND,AP_SAT_SYM>",
                           "ap_fixed<5,3,AP_RND,AP_SAT_SYM>",
                           "ap_fixed<6,2,AP_TRN,AP_SAT>",
                           "ap_ufixed<5,2,AP_RND_CONV,AP_SAT_SYM>"}) {
    types.push_back(parse(text));
  }
  int agreeing_true = 0;
  int agreeing_false = 0;
  for (const FixedType& candidate : types) {
    for (const FixedType& required : types) {
      bool every_value_kept = true;
      for (const Int128 raw : raw_values(required)) {
        const Int128 converted = exact_reference::convert(candidate, raw, required.fraction());
        // converted * 2^-Fc == raw * 2^-Fr, compared on the finer grid
        const int shift = candidate.fraction() - required.fraction();
        const bool same =
            shift >= 0 ? converted == raw * (Int128{1} << shift) : converted * (Int128{1} << -shift) == raw;
        every_value_kept = every_value_kept && same;
      }
      EXPECT_EQ(holds_exactly(candidate, required), every_value_kept)
          << candidate.to_string() << " holding " << required.to_string();
      (every_value_kept ? agreeing_true : agreeing_false) += 1;
    }
    EXPECT_TRUE(holds_exactly(candidate, candidate) || candidate.overflow == Overflow::SAT_SYM)
        << candidate.to_string();
  }
  EXPECT_GT(agreeing_true, 20);
  EXPECT_GT(agreeing_false, 20);
}

}  // namespace
