// Tests of the lookup-table activations: the host generator's tables (sparsepixels::fixed) used in
// nnet::sigmoid and nnet::softmax, the table index function checked exactly, and the outputs checked
// against the float functions with tolerances derived from the table resolution.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_activation.h"
#include "reference.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"

namespace {

using reference::Format;
using reference::Rounding;
using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::TableLayout;

typedef ap_fixed<16, 6> input_t;
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result_t;
const Format kResult{16, 6, true, Rounding::half_even};
const Format kInput{16, 6, true, Rounding::floor};

struct SigmoidConfig : nnet::sigmoid_config {
  static const unsigned n_in = 1;
  static const unsigned table_size = 1024;
  static const int table_range_log2 = 3;
  typedef ap_fixed<18, 2> table_t;
};

template <unsigned N>
struct SoftmaxConfig : nnet::softmax_config {
  static const unsigned n_in = N;
  static const unsigned exp_table_size = 1024;
  static const int exp_range_log2 = 3;
  static const unsigned inv_table_size = 1024;
  static const int inv_range_log2 = 4;
  typedef ap_ufixed<18, 0> exp_table_t;
  typedef ap_ufixed<18, 8> inv_table_t;
  typedef ap_ufixed<24, 6> accum_t;  // 16 terms below 1 with 18 fraction bits: exact
};

FixedType make_type(int width, int integer, bool is_signed) {
  FixedType type;
  type.width = width;
  type.integer = integer;
  type.is_signed = is_signed;
  return type;
}

/// The kernel-side table from the generator's raw values (built from raw bits, no rounding).
template <class table_t>
std::vector<table_t> kernel_table(const std::vector<std::int64_t>& raw, int fraction) {
  std::vector<table_t> table;
  for (std::int64_t value : raw) table.push_back(table_t(std::ldexp(static_cast<double>(value), -fraction)));
  return table;
}

/// The documented index: clamp(floor((x - start) / bin), 0, size - 1), in double (exact here).
int expected_index(double x, double start, double bin, int size) {
  return static_cast<int>(std::min(std::max(std::floor((x - start) / bin), 0.0), size - 1.0));
}

TEST(ActivationTables, SigmoidMatchesTheIndexFunctionAndTheFloatSigmoid) {
  const TableLayout layout{1024, 3, true};
  const std::vector<std::int64_t> raw = sparsepixels::fixed::sigmoid_table(make_type(18, 2, true), layout);
  ASSERT_EQ(raw.size(), 1024u);
  const auto table = kernel_table<SigmoidConfig::table_t>(raw, 16);
  const double bin = 16.0 / 1024;
  const double table_lsb = std::ldexp(1.0, -16), result_lsb = std::ldexp(1.0, -10);
  // Every 3/1024 from -12 to 12 (beyond the range at both ends): every position inside the bins of
  // 1/64, the bin edges and the ends of the range (-8 and 8 are multiples of 3/1024 away from -12).
  for (double x = -12.0; x <= 12.0; x += 3.0 / 1024) {
    input_t data[1] = {input_t(x)};
    result_t res[1];
    nnet::sigmoid<input_t, result_t, SigmoidConfig>(data, res, table.data());
    const int index = expected_index(x, -8.0, bin, 1024);
    const double entry = std::ldexp(static_cast<double>(raw[static_cast<std::size_t>(index)]), -16);
    ASSERT_EQ(res[0].to_double(), kResult(entry)) << "x = " << x;
    // Inside the range: slope <= 1/4 over half a bin; outside: the tail beyond the last centre.
    const double centre_error = std::fabs(x) < 8.0 ? bin / 2 / 4 : 1.0 / (1.0 + std::exp(8.0 - bin / 2));
    const double tolerance = centre_error + table_lsb / 2 + result_lsb / 2;
    EXPECT_NEAR(res[0].to_double(), 1.0 / (1.0 + std::exp(-x)), tolerance) << "x = " << x;
  }
}

TEST(ActivationTables, SoftmaxMatchesTheIndexFunctionAndTheFloatSoftmax) {
  const TableLayout exp_layout{1024, 3, false};
  const TableLayout inv_layout{1024, 4, false};
  const auto exp_raw = sparsepixels::fixed::softmax_exp_table(make_type(18, 0, false), exp_layout);
  const auto inv_raw = sparsepixels::fixed::softmax_inverse_table(make_type(18, 8, false), inv_layout);
  const auto exp_table = kernel_table<SoftmaxConfig<10>::exp_table_t>(exp_raw, 18);
  const auto inv_table = kernel_table<SoftmaxConfig<10>::inv_table_t>(inv_raw, 10);
  const double exp_bin = 8.0 / 1024, inv_bin = 16.0 / 1024;
  const double exp_lsb = std::ldexp(1.0, -18), inv_lsb = std::ldexp(1.0, -10),
               result_lsb = std::ldexp(1.0, -10);
  std::mt19937 generator(3);
  std::uniform_real_distribution<double> spread(0.5, 12.0);
  for (int trial = 0; trial < 200; ++trial) {
    const double width = spread(generator);
    std::vector<double> x;
    for (int i = 0; i < 10; ++i)
      x.push_back(kInput(std::uniform_real_distribution<double>(-width, width)(generator)));
    if (trial % 10 == 0) x[3] = x[7];  // a tie for the maximum
    std::vector<input_t> data(x.begin(), x.end());
    std::vector<result_t> res(10);
    nnet::softmax<input_t, result_t, SoftmaxConfig<10>>(data.data(), res.data(), exp_table.data(),
                                                        inv_table.data());

    // Exact expectation through the documented index functions.
    const double largest = *std::max_element(x.begin(), x.end());
    std::vector<double> entries;
    double sum = 0.0;
    for (double value : x) {
      const int index = expected_index(largest - value, 0.0, exp_bin, 1024);
      entries.push_back(std::ldexp(static_cast<double>(exp_raw[static_cast<std::size_t>(index)]), -18));
      sum += entries.back();
    }
    const double inverse = std::ldexp(
        static_cast<double>(inv_raw[static_cast<std::size_t>(expected_index(sum, 0.0, inv_bin, 1024))]), -10);
    // Tolerance bounds from the table resolution: each exponential within a factor e^(bin/2) of
    // exp(-d) (or the tail beyond the range), plus half a table LSB; the inverse likewise.
    double float_sum = 0.0, low_sum = 0.0, high_sum = 0.0;
    std::vector<double> low(10), high(10);
    for (int i = 0; i < 10; ++i) {
      const double d = largest - x[static_cast<std::size_t>(i)];
      const double exact = std::exp(-d);
      float_sum += exact;
      low[static_cast<std::size_t>(i)] =
          std::max(0.0, (d < 8.0 ? exact * std::exp(-exp_bin / 2) : exact) - exp_lsb / 2);
      high[static_cast<std::size_t>(i)] =
          (d < 8.0 ? exact * std::exp(exp_bin / 2) : std::exp(-(8.0 - exp_bin / 2))) + exp_lsb / 2;
      low_sum += low[static_cast<std::size_t>(i)];
      high_sum += high[static_cast<std::size_t>(i)];
    }
    const double inverse_low = 1.0 / (high_sum + inv_bin / 2) - inv_lsb / 2;
    const double inverse_high = 1.0 / (low_sum - inv_bin / 2) + inv_lsb / 2;
    for (int i = 0; i < 10; ++i) {
      const double actual = res[static_cast<std::size_t>(i)].to_double();
      ASSERT_EQ(actual, kResult(entries[static_cast<std::size_t>(i)] * inverse))
          << "trial " << trial << " i " << i;
      const double expected = std::exp(-(largest - x[static_cast<std::size_t>(i)])) / float_sum;
      const double lowest = low[static_cast<std::size_t>(i)] * inverse_low - result_lsb / 2;
      const double highest = high[static_cast<std::size_t>(i)] * inverse_high + result_lsb / 2;
      ASSERT_LE(lowest, expected);  // the bound is a bound for the float softmax too
      ASSERT_GE(highest, expected);
      EXPECT_GE(actual, lowest) << "trial " << trial << " i " << i;
      EXPECT_LE(actual, highest) << "trial " << trial << " i " << i;
      EXPECT_NEAR(actual, expected, 0.02);  // the bound is tight enough to mean something
    }
  }
}

TEST(ActivationTables, KernelAndHostIndexFunctionsAgreeOnEveryRawValue) {
  // Every value of ap_fixed<12,5> (raw -2048..2047, 7 fraction bits) through both index functions.
  typedef ap_fixed<12, 5> small_t;
  const TableLayout signed_layout{64, 2, true};     // [-4, 4) in bins of 1/8
  const TableLayout unsigned_layout{32, 3, false};  // [0, 8) in bins of 1/4
  for (int raw = -2048; raw < 2048; ++raw) {
    const double x = std::ldexp(static_cast<double>(raw), -7);
    const small_t value = x;
    const unsigned signed_index = nnet::signed_table_index<64, 2>(value);
    const unsigned unsigned_index = nnet::unsigned_table_index<32, 3>(value);
    ASSERT_EQ(static_cast<int>(signed_index), expected_index(x, -4.0, 0.125, 64)) << "x = " << x;
    ASSERT_EQ(static_cast<int>(unsigned_index), expected_index(x, 0.0, 0.25, 32)) << "x = " << x;
    ASSERT_EQ(signed_layout.index(raw, 7), signed_index) << "x = " << x;
    ASSERT_EQ(unsigned_layout.index(raw, 7), unsigned_index) << "x = " << x;
  }
}

TEST(ActivationTables, EntriesAreTheFunctionAtBinCentresRoundedHalfToEven) {
  const TableLayout layout{8, 1, true};  // [-2, 2) in bins of 1/2: centres -1.75, -1.25, ..., 1.75
  EXPECT_EQ(layout.bin_width(), 0.5);
  EXPECT_EQ(layout.bin_centre(0), -1.75);
  EXPECT_EQ(layout.bin_centre(7), 1.75);
  const auto raw = sparsepixels::fixed::sigmoid_table(make_type(10, 1, true), layout);  // 9 fraction bits
  for (std::size_t k = 0; k < 8; ++k) {
    const double centre = -1.75 + 0.5 * static_cast<double>(k);
    EXPECT_EQ(raw[k], static_cast<std::int64_t>(std::nearbyint(512.0 / (1.0 + std::exp(-centre))))) << k;
  }
  // 1/x over [0, 4) in 4 bins: centres 0.5, 1.5, 2.5, 3.5, in ap_ufixed<5,1> (4 fraction bits):
  // 16/0.5 = 32 saturates to 31; 16/1.5 = 10.67 -> 11; 16/2.5 = 6.4 -> 6; 16/3.5 = 4.57 -> 5.
  const auto inverse =
      sparsepixels::fixed::softmax_inverse_table(make_type(5, 1, false), TableLayout{4, 2, false});
  EXPECT_EQ(inverse, (std::vector<std::int64_t>{31, 11, 6, 5}));
  // A tie: [0, 16) in 2 bins has centres 4 and 12; 1/4 in ap_ufixed<2,1> is 0.5 LSB -> even 0.
  EXPECT_EQ(sparsepixels::fixed::softmax_inverse_table(make_type(2, 1, false), TableLayout{2, 4, false}),
            (std::vector<std::int64_t>{0, 0}));
}

TEST(ActivationTables, ExactDecimalLiterals) {
  using sparsepixels::fixed::exact_decimal;
  EXPECT_EQ(exact_decimal(41, 7), "0.3203125");  // the value hls4ml once printed as 0.320312
  EXPECT_EQ(exact_decimal(-3, 1), "-1.5");
  EXPECT_EQ(exact_decimal(0, 10), "0");
  EXPECT_EQ(exact_decimal(5, 0), "5");
  EXPECT_EQ(exact_decimal(3, -2), "12");
  EXPECT_EQ(exact_decimal(-1, 3), "-0.125");
  EXPECT_EQ(exact_decimal(INT64_MIN, 0), "-9223372036854775808");
  EXPECT_EQ(exact_decimal(INT64_MAX, -8), "2361183241434822606592");  // (2^63 - 1) * 256
  EXPECT_EQ(exact_decimal(1, 60), "0.000000000000000000867361737988403547205962240695953369140625");
  // Every literal reads back as the exact value.
  std::mt19937_64 generator(9);
  for (int trial = 0; trial < 1000; ++trial) {
    const std::int64_t raw = static_cast<std::int64_t>(generator() >> 12) - (std::int64_t{1} << 51);
    const int fraction = static_cast<int>(generator() % 40);
    EXPECT_EQ(std::strtod(exact_decimal(raw, fraction).c_str(), nullptr),
              std::ldexp(static_cast<double>(raw), -fraction));
  }
  EXPECT_THROW(exact_decimal(1, 61), sparsepixels::Error);
}

TEST(ActivationTables, InvalidLayoutsAreRejectedNamingTheField) {
  const FixedType type = make_type(18, 2, true);
  try {
    sparsepixels::fixed::sigmoid_table(type, TableLayout{1000, 3, true});
    FAIL() << "size 1000 accepted";
  } catch (const sparsepixels::Error& error) {
    EXPECT_NE(std::string(error.what()).find("size = 1000"), std::string::npos) << error.what();
  }
  try {
    sparsepixels::fixed::softmax_exp_table(type, TableLayout{1024, 3, true});
    FAIL() << "signed exp layout accepted";
  } catch (const sparsepixels::Error& error) {
    EXPECT_NE(std::string(error.what()).find("is_signed"), std::string::npos) << error.what();
  }
  EXPECT_THROW(sparsepixels::fixed::sigmoid_table(type, TableLayout{1024, 99, true}), sparsepixels::Error);
}

}  // namespace
