// Compiles every API name the HLS kernels use, once as C++14 (ap_types_cxx14_test, like the
// Vitis HLS front end) and once as C++20 (ap_types_cxx20_test, like the host code), warning-free,
// and checks the values of that usage against hand-computed results.
#include "ap_fixed.h"
#include "ap_int.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

typedef ap_fixed<16, 6> weight_t;
typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> input_t;
typedef ap_fixed<24, 12> accum_t;
typedef ap_fixed<8, 3, AP_RND, AP_SAT_SYM, 0> result_t;
typedef ap_fixed<10, 4, AP_TRN_ZERO, AP_WRAP, 1> wrap_n_t;

// One suite name per language standard, so CTest sees two distinct tests.
#if __cplusplus >= 202002L
#define SPARSEPIXELS_AP_API_SUITE ApTypesApiCxx20
#else
#define SPARSEPIXELS_AP_API_SUITE ApTypesApiCxx14
#endif

TEST(SPARSEPIXELS_AP_API_SUITE, KernelUsageCompilesAndComputes) {
  const weight_t weights[3] = {0.5, -1.25, 2.0};
  const input_t inputs[3] = {1.5, 0.75, 3.0};
  accum_t acc = 0;
  for (int i = 0; i < 3; ++i) acc += weights[i] * inputs[i];
  EXPECT_EQ(acc.to_double(), 0.75 - 0.9375 + 6.0);
  const result_t result = acc;
  EXPECT_EQ(result.to_double(), 3.96875);  // 5.8125 saturates
  EXPECT_EQ(static_cast<double>(result_t(-9.0)), -3.96875);

  ap_uint<4> hash = 9;
  ap_int<12> index = -3;
  ++hash;
  hash++;
  --index;
  index--;
  EXPECT_EQ(hash.to_uint(), 11u);
  EXPECT_EQ(index.to_int(), -5);
  EXPECT_EQ((hash + index).to_int(), 6);
  EXPECT_EQ((hash * 2).to_int(), 22);
  EXPECT_EQ((hash << 1).to_uint(), 6u);  // wraps in 4 bits
  EXPECT_EQ((index >> 1).to_int(), -3);
  EXPECT_EQ(hash[0], true);
  EXPECT_EQ(hash.range(3, 1).to_uint(), 5u);
  EXPECT_EQ(static_cast<unsigned>(hash(3, 2)), 2u);

  ap_fixed<12, 4, AP_TRN, AP_SAT> position = 2.75;
  const ap_uint<12> bits = position.range(11, 0);
  EXPECT_EQ(bits.to_uint(), 704u);
  EXPECT_EQ(position[7], true);
  position[0] = 1;
  position.range(3, 1) = 0;
  EXPECT_EQ(position.to_double(), 2.75 + 1.0 / 256);
  EXPECT_EQ((position << 1).to_double(), 5.5 + 1.0 / 128);
  EXPECT_EQ((position >> 2).to_double(), 0.6875);
  EXPECT_EQ(position.to_int(), 2);
  EXPECT_EQ(position.to_float(), 2.75390625f);
  EXPECT_EQ((ap_ufixed<18, 0>(1.0 / 9).to_double()), 29127.0 / 262144);
  EXPECT_TRUE(position > 2 && position < 3.0 && position != weights[0]);
  EXPECT_EQ(wrap_n_t(9.0).to_double(), 1.0);  // wraps to raw -448; N = 1 forces the sign bit to + : 64

  std::ostringstream text;
  text << acc << ' ' << hash << ' ' << index << ' ' << position.range(3, 0);
  EXPECT_EQ(text.str(), "5.8125 11 -5 1");
  EXPECT_EQ(weight_t::width, 16);
  EXPECT_EQ(weight_t::iwidth, 6);
  EXPECT_EQ(ap_uint<4>::width, 4);
}

}  // namespace
