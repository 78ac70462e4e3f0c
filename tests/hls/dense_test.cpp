// Tests of nnet::dense, nnet::relu and nnet::linear against plain double arithmetic.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_activation.h"
#include "nnet_dense.h"
#include "reference.h"

namespace {

using reference::Format;
using reference::Rounding;

template <unsigned In, unsigned Out>
struct DenseConfig : nnet::dense_config {
  static const unsigned n_in = In;
  static const unsigned n_out = Out;
  // ap_ufixed<8,2> inputs x ap_fixed<8,1> weights: 13 fraction bits, |product| < 4, up to 243 terms.
  typedef ap_fixed<32, 12> accum_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
};

struct ActivationConfig : nnet::activation_config {
  static const unsigned n_in = 5;
};

typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> input_t;
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result_t;

template <unsigned In, unsigned Out>
void check_random_layers(unsigned seed) {
  const Format input{8, 2, false, Rounding::half_even};
  const Format weight{8, 1, true, Rounding::floor};
  const Format result{16, 6, true, Rounding::half_even};
  std::mt19937 generator(seed);
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<double> x, w, b;
    for (unsigned i = 0; i < In; ++i) x.push_back(reference::random_value(generator, input, 0, 4, 0.5));
    for (unsigned i = 0; i < In * Out; ++i)
      w.push_back(reference::random_value(generator, weight, -1, 1, 0.0));
    for (unsigned j = 0; j < Out; ++j) b.push_back(reference::random_value(generator, weight, -1, 1, 0.0));
    std::vector<input_t> data(x.begin(), x.end());
    std::vector<typename DenseConfig<In, Out>::weight_t> weights(w.begin(), w.end());
    std::vector<typename DenseConfig<In, Out>::bias_t> biases(b.begin(), b.end());
    std::vector<result_t> res(Out, result_t(0.5));
    nnet::dense<input_t, result_t, DenseConfig<In, Out>>(data.data(), res.data(), weights.data(),
                                                         biases.data());
    for (unsigned j = 0; j < Out; ++j) {
      double sum = b[j];
      for (unsigned i = 0; i < In; ++i) sum += x[i] * w[i * Out + j];
      EXPECT_EQ(res[j].to_double(), result(sum)) << "output " << j << " trial " << trial;
    }
  }
}

TEST(Dense, HandComputed) {
  // x = (1, 0.5), W = [[0.25, -0.5, 0], [0.5, 0.75, -0.125]], b = (0.125, 0, -0.25):
  // y = (0.125 + 0.25 + 0.25, -0.5 + 0.375, -0.0625 - 0.25) = (0.625, -0.125, -0.3125).
  std::vector<input_t> data = {1.0, 0.5};
  std::vector<ap_fixed<8, 1>> weights = {0.25, -0.5, 0, 0.5, 0.75, -0.125};
  std::vector<ap_fixed<8, 1>> biases = {0.125, 0, -0.25};
  std::vector<result_t> res(3);
  nnet::dense<input_t, result_t, DenseConfig<2, 3>>(data.data(), res.data(), weights.data(), biases.data());
  EXPECT_EQ(res[0].to_double(), 0.625);
  EXPECT_EQ(res[1].to_double(), -0.125);
  EXPECT_EQ(res[2].to_double(), -0.3125);
}

TEST(Dense, PaperHeadSizes) {
  check_random_layers<108, 36>(1);  // MNIST
  check_random_layers<36, 10>(2);
  check_random_layers<243, 16>(3);  // neutrino
  check_random_layers<16, 1>(4);
}

TEST(Dense, ReluAndLinear) {
  std::vector<result_t> data = {-2.0, 0.0, 0.5, 9.0, 0.01171875};
  std::vector<input_t> relu_out(5);
  nnet::relu<result_t, input_t, ActivationConfig>(data.data(), relu_out.data());
  // 9 saturates to 4 - 1/64; 0.01171875 = 0.75 LSB rounds to 1 LSB.
  EXPECT_EQ(relu_out[0].to_double(), 0.0);
  EXPECT_EQ(relu_out[1].to_double(), 0.0);
  EXPECT_EQ(relu_out[2].to_double(), 0.5);
  EXPECT_EQ(relu_out[3].to_double(), 4.0 - 1.0 / 64);
  EXPECT_EQ(relu_out[4].to_double(), 1.0 / 64);
  std::vector<ap_fixed<8, 3, AP_RND_CONV, AP_SAT>> linear_out(5);
  nnet::linear<result_t, ap_fixed<8, 3, AP_RND_CONV, AP_SAT>, ActivationConfig>(data.data(),
                                                                                linear_out.data());
  EXPECT_EQ(linear_out[0].to_double(), -2.0);
  EXPECT_EQ(linear_out[3].to_double(), 4.0 - 1.0 / 32);
  EXPECT_EQ(linear_out[4].to_double(), 0.0);  // 0.375 LSB rounds to 0
}

}  // namespace
