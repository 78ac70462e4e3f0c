// Tests of nnet::sparse_conv against a dense Keras-style convolution of the zero-filled image.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_sparse_conv.h"
#include "sparse_reference.h"

namespace {

using reference::Format;
using reference::Layer;
using reference::reference_conv;
using reference::Rounding;
using reference::SparseEvent;

typedef ap_uint<5> hash_t;

template <unsigned N, unsigned C, unsigned F, unsigned K, class accum>
struct ConvConfig : nnet::sparse_conv_config {
  static const unsigned n_sparse = N;
  static const unsigned n_chan = C;
  static const unsigned n_filt = F;
  static const unsigned kernel_size = K;
  typedef accum accum_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
  typedef ::hash_t hash_t;
};

// 8-bit: ap_ufixed<8,2> inputs (6 fraction bits) x ap_fixed<8,1> weights: products have 13 fraction
// bits and magnitude < 4; ap_fixed<32,12> holds any sum of up to 2^9 of them plus the bias exactly.
typedef ap_fixed<32, 12> accum8_t;
typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> input8_t;
typedef ap_fixed<8, 3, AP_RND_CONV, AP_SAT> result8_t;
const Format kResult8{8, 3, true, Rounding::half_even};
const Format kWeight8{8, 1, true, Rounding::floor};
// Inputs drawn from [0, 2) on the input grid, so that results saturate only sometimes.
const Format kInputValues{7, 1, false, Rounding::half_even};

Layer random_layer(std::mt19937& generator, int kernel, int channels, int filters) {
  Layer layer;
  for (int i = 0; i < kernel * kernel * channels * filters; ++i)
    layer.weights.push_back(reference::random_value(generator, kWeight8, -1.0, kWeight8.highest(), 0.1));
  for (int f = 0; f < filters; ++f)
    layer.biases.push_back(reference::random_value(generator, kWeight8, -1.0, kWeight8.highest(), 0.0));
  return layer;
}

/// Runs the kernel; returns the output features and checks the hash passes through.
template <class input_t, class result_t, class Config>
std::vector<double> run_kernel(const SparseEvent& event, const Layer& layer) {
  std::vector<input_t> features;
  std::vector<hash_t> hash;
  reference::to_kernel(event, features, hash);
  std::vector<typename Config::weight_t> weights(layer.weights.begin(), layer.weights.end());
  std::vector<typename Config::bias_t> biases(layer.biases.begin(), layer.biases.end());
  std::vector<result_t> out(Config::n_sparse * Config::n_filt, result_t(0.75));  // sentinel
  std::vector<hash_t> hash_out(2 * Config::n_sparse, hash_t(0));
  nnet::sparse_conv<input_t, result_t, Config>(features.data(), hash.data(), out.data(), hash_out.data(),
                                               weights.data(), biases.data());
  EXPECT_EQ(reference::to_ints(hash_out), event.hash);
  return reference::to_doubles(out);
}

template <unsigned N, unsigned C, unsigned F, unsigned K>
void check_random_events(int height, int width, unsigned seed, int trials) {
  typedef ConvConfig<N, C, F, K, accum8_t> Config;
  std::mt19937 generator(seed);
  for (int trial = 0; trial < trials; ++trial) {
    const Layer layer = random_layer(generator, K, C, F);
    const int active = trial % 3 == 0 ? static_cast<int>(N) : static_cast<int>(N) / 2;
    const SparseEvent event =
        reference::random_sparse_event(generator, height, width, C, N, active, kInputValues, trial % 2 == 1);
    EXPECT_EQ((run_kernel<input8_t, result8_t, Config>(event, layer)),
              reference_conv(event, layer, K, F, kResult8))
        << "K=" << K << " C=" << C << " F=" << F << " trial " << trial;
  }
}

TEST(SparseConv, HandComputed3x3) {
  // Slots: (2,2) = 1, (2,3) = 0.5, (4,4) = 0.25, one empty slot. Weights w[kr][kc] = (3kr+kc+1)/16,
  // bias 1/8. (2,2): w11*1 + w12*0.5 + b = 5/16 + 3/16 + 2/16 = 0.625; (2,3): w10*1 + w11*0.5 + b =
  // 4/16 + 2.5/16 + 2/16 = 0.53125; (4,4) is two rows away from both: w11*0.25 + b = 0.203125.
  SparseEvent event;
  event.height = 5;
  event.width = 5;
  event.channels = 1;
  event.budget = 4;
  event.features = {1.0, 0.5, 0.25, 0.0};
  event.hash = {2, 2, 2, 3, 4, 4, 1, 1};
  Layer layer;
  for (int i = 0; i < 9; ++i) layer.weights.push_back((i + 1) / 16.0);
  layer.biases = {0.125};
  typedef ConvConfig<4, 1, 1, 3, accum8_t> Config;
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> wide_result_t;
  EXPECT_EQ((run_kernel<input8_t, wide_result_t, Config>(event, layer)),
            (std::vector<double>{0.625, 0.53125, 0.203125, 0.0}));
}

TEST(SparseConv, BiasOnlyWhereTheSumIsNonZeroAndInactiveSlotsStayZero) {
  // (1,1) and (1,2) hold 0.5; w[1][1] = 0.25, w[1][2] = -0.25, w[1][0] = 0.25, bias 0.5.
  // (1,1): 0.25*0.5 - 0.25*0.5 = 0 exactly -> no bias -> 0. (1,2): 0.25*0.5 + 0.25*0.5 = 0.25 -> 0.75.
  // Slot 2 at (1,3) is inactive (zero features) although its neighbour is active -> 0.
  SparseEvent event;
  event.height = 3;
  event.width = 4;
  event.channels = 1;
  event.budget = 3;
  event.features = {0.5, 0.5, 0.0};
  event.hash = {1, 1, 1, 2, 1, 3};
  Layer layer;
  layer.weights.assign(9, 0.0);
  layer.weights[3] = 0.25;
  layer.weights[4] = 0.25;
  layer.weights[5] = -0.25;
  layer.biases = {0.5};
  typedef ConvConfig<3, 1, 1, 3, accum8_t> Config;
  EXPECT_EQ((run_kernel<input8_t, result8_t, Config>(event, layer)), (std::vector<double>{0.0, 0.75, 0.0}));
}

TEST(SparseConv, KernelSizeOne) {
  check_random_events<6, 1, 1, 1>(4, 6, 11, 10);
}
TEST(SparseConv, KernelSizeThree) {
  check_random_events<8, 1, 1, 3>(6, 5, 12, 20);
}
TEST(SparseConv, KernelSizeFive) {
  check_random_events<8, 1, 1, 5>(7, 9, 13, 20);
}
TEST(SparseConv, KernelSizeSeven) {
  check_random_events<12, 1, 1, 7>(9, 12, 14, 20);
}
TEST(SparseConv, KernelSizeNine) {
  check_random_events<12, 1, 1, 9>(11, 8, 15, 20);
}
TEST(SparseConv, KernelSizeFifteen) {
  check_random_events<10, 1, 1, 15>(16, 17, 16, 10);
}

TEST(SparseConv, SeveralChannelsAndFiltersCatchWeightLayoutErrors) {
  check_random_events<10, 2, 3, 3>(6, 9, 21, 30);
  check_random_events<10, 3, 2, 5>(8, 7, 22, 30);
}

TEST(SparseConv, DenseClusterOnEveryBorderAndCorner) {
  // Every pixel of a 4x5 image active: all borders and corners, every neighbour present.
  typedef ConvConfig<20, 2, 3, 3, accum8_t> Config;
  std::mt19937 generator(31);
  for (int trial = 0; trial < 5; ++trial) {
    const Layer layer = random_layer(generator, 3, 2, 3);
    const SparseEvent event = reference::random_sparse_event(generator, 4, 5, 2, 20, 20, kInputValues, false);
    EXPECT_EQ((run_kernel<input8_t, result8_t, Config>(event, layer)),
              reference_conv(event, layer, 3, 3, kResult8));
  }
}

// The paper's 16-bit weights; inputs 10 and weights 9 fraction bits, sums below 2^14: exact.
struct Config16 : ConvConfig<8, 2, 2, 5, ap_fixed<56, 24>> {
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
};

TEST(SparseConv, SixteenBitTypes) {
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> input16_t;  // the paper's 16-bit types
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result16_t;
  const Format input16{16, 6, false, Rounding::half_even};
  const Format weight16{16, 7, true, Rounding::floor};
  const Format result16{16, 6, true, Rounding::half_even};
  std::mt19937 generator(41);
  for (int trial = 0; trial < 10; ++trial) {
    Layer layer;
    for (int i = 0; i < 5 * 5 * 2 * 2; ++i)
      layer.weights.push_back(reference::random_value(generator, weight16, -4, 4, 0.1));
    for (int f = 0; f < 2; ++f)
      layer.biases.push_back(reference::random_value(generator, weight16, -2, 2, 0.0));
    const SparseEvent event = reference::random_sparse_event(generator, 7, 6, 2, 8, 6, input16, true);
    EXPECT_EQ((run_kernel<input16_t, result16_t, Config16>(event, layer)),
              reference_conv(event, layer, 5, 2, result16));
  }
}

}  // namespace
