// Tests of nnet::sparse_relu, nnet::sparse_linear and nnet::sparse_flatten.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_sparse_activation.h"
#include "nnet_sparse_flatten.h"
#include "sparse_test_support.h"

namespace {

using reference::Format;
using reference::Rounding;
using reference::SparseEvent;

typedef ap_uint<5> hash_t;

struct ActivationConfig : nnet::sparse_activation_config {
  static const unsigned n_sparse = 3;
  static const unsigned n_chan = 2;
  typedef ::hash_t hash_t;
};

template <unsigned H, unsigned W, unsigned C, unsigned N>
struct FlattenConfig : nnet::sparse_flatten_config {
  static const unsigned height = H;
  static const unsigned width = W;
  static const unsigned n_chan = C;
  static const unsigned n_sparse = N;
  typedef ::hash_t hash_t;
};

TEST(SparseActivation, ReluIsTheQuantizedReluWithAnUnsignedSaturatingType) {
  typedef ap_fixed<16, 6> conv_t;
  typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> relu_t;  // QKeras quantized_relu(8, 2)
  // Negative -> 0; 0 stays 0; 5.0 saturates to 4 - 1/64; 0.0078125 (half an LSB) rounds to even 0;
  // 0.0234375 (1.5 LSB) rounds to even 2 LSB = 0.03125.
  const std::vector<double> input = {-1.5, 0.0, 5.0, 0.0078125, 0.0234375, 1.25};
  std::vector<conv_t> features(input.begin(), input.end());
  std::vector<hash_t> hash = {1, 2, 3, 4, 5, 6};
  std::vector<relu_t> out(6, relu_t(1));
  std::vector<hash_t> hash_out(6, hash_t(0));
  nnet::sparse_relu<conv_t, relu_t, ActivationConfig>(features.data(), hash.data(), out.data(),
                                                      hash_out.data());
  EXPECT_EQ(reference::to_doubles(out), (std::vector<double>{0.0, 0.0, 4.0 - 1.0 / 64, 0.0, 0.03125, 1.25}));
  EXPECT_EQ(reference::to_ints(hash_out), (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

TEST(SparseActivation, LinearCastsOnly) {
  typedef ap_fixed<16, 6> conv_t;
  typedef ap_fixed<8, 3, AP_RND_CONV, AP_SAT> out_t;
  const std::vector<double> input = {-1.5, 0.0, 5.0, -7.0, 0.0234375, 1.25};
  std::vector<conv_t> features(input.begin(), input.end());
  std::vector<hash_t> hash = {6, 5, 4, 3, 2, 1};
  std::vector<out_t> out(6, out_t(1));
  std::vector<hash_t> hash_out(6, hash_t(0));
  nnet::sparse_linear<conv_t, out_t, ActivationConfig>(features.data(), hash.data(), out.data(),
                                                       hash_out.data());
  const Format format{8, 3, true, Rounding::half_even};
  std::vector<double> expected;
  for (double value : input) expected.push_back(format(value));
  EXPECT_EQ(reference::to_doubles(out), expected);
  EXPECT_EQ(reference::to_ints(hash_out), (std::vector<int>{6, 5, 4, 3, 2, 1}));
}

TEST(SparseFlatten, HandComputedChannelLastOrder) {
  // 2x3 map, 2 channels: slot 0 at (2,3) = (0.5, 0), slot 1 at (1,1) = (0.25, 0.75), slot 2 empty,
  // slot 3 at (3,1) outside the grid with zero features (a partial pooling window).
  typedef ap_ufixed<8, 2> value_t;
  std::vector<value_t> features = {0.5, 0.0, 0.25, 0.75, 0.0, 0.0, 0.0, 0.0};
  std::vector<hash_t> hash = {2, 3, 1, 1, 1, 1, 3, 1};
  std::vector<value_t> flat(12, value_t(3));
  nnet::sparse_flatten<value_t, value_t, FlattenConfig<2, 3, 2, 4>>(features.data(), hash.data(),
                                                                    flat.data());
  EXPECT_EQ(reference::to_doubles(flat), (std::vector<double>{0.25, 0.75, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0}));
}

TEST(SparseFlatten, RandomEventsEqualTheZeroFilledImage) {
  typedef ap_fixed<8, 3> value_t;
  const Format format{8, 3, true, Rounding::floor};
  std::mt19937 generator(5);
  for (int trial = 0; trial < 30; ++trial) {
    // Inactive slots anywhere, including on the coordinates of active ones: they must not erase them.
    const SparseEvent event =
        reference::random_sparse_event(generator, 5, 7, 3, 12, trial % 13, format, true);
    std::vector<value_t> features;
    std::vector<hash_t> hash;
    reference::to_kernel(event, features, hash);
    std::vector<value_t> flat(5 * 7 * 3, value_t(1));
    nnet::sparse_flatten<value_t, value_t, FlattenConfig<5, 7, 3, 12>>(features.data(), hash.data(),
                                                                       flat.data());
    EXPECT_EQ(reference::to_doubles(flat), event.dense().values) << "trial " << trial;
  }
}

}  // namespace
