// A small sparse model wired like a generated project's top function (input reduction, conv, relu,
// average pool, conv, relu, max pool, flatten, dense) in C++14 against the ap types, checked stage
// by stage against the layer references composed from the input image alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_dense.h"
#include "nnet_sparse_activation.h"
#include "nnet_sparse_conv.h"
#include "nnet_sparse_flatten.h"
#include "nnet_sparse_input_reduce.h"
#include "nnet_sparse_pool.h"
#include "sparse_reference.h"

namespace {

using reference::Format;
using reference::Layer;
using reference::Rounding;
using reference::SparseEvent;

// The model: 12x12x1 input, N = 10, conv 3x3 -> 2, relu, avg pool 2 (6x6x2), conv 3x3 -> 2, relu,
// max pool 3 (2x2x2), flatten 8, dense 4. Types as the paper's 8-bit models.
const unsigned kBudget = 10;
typedef ap_ufixed<8, 1> input_t;
typedef ap_uint<4> hash_t;  // 1..12
typedef ap_fixed<8, 1> weight_t;
typedef ap_fixed<32, 12> accum_t;  // 14 fraction bits needed at most, sums far below 2^11: exact
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> conv_t;
typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> relu_t;
const Format kConv{16, 6, true, Rounding::half_even};
const Format kRelu{8, 2, false, Rounding::half_even};
const Format kWeight{8, 1, true, Rounding::floor};
const Format kInput{8, 1, false, Rounding::floor};

template <unsigned Selection>
struct ReduceConfig : nnet::sparse_input_reduce_config {
  static const unsigned height = 12, width = 12, n_chan = 1, n_sparse = kBudget, selection = Selection;
  typedef ::hash_t hash_t;
};
template <unsigned C>
struct ConvConfig : nnet::sparse_conv_config {
  static const unsigned n_sparse = kBudget, n_chan = C, n_filt = 2, kernel_size = 3;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
  typedef ::hash_t hash_t;
};
struct ReluConfig : nnet::sparse_activation_config {
  static const unsigned n_sparse = kBudget, n_chan = 2;
  typedef ::hash_t hash_t;
};
template <unsigned H, unsigned P, unsigned Op>
struct PoolConfig : nnet::sparse_pool_config {
  static const unsigned in_height = H, in_width = H, pool_height = P, pool_width = P;
  static const unsigned out_height = H / P, out_width = H / P;
  static const unsigned n_sparse = kBudget, n_chan = 2, pool_op = Op;
  typedef ::accum_t accum_t;
  typedef ::hash_t hash_t;
};
struct FlattenConfig : nnet::sparse_flatten_config {
  static const unsigned height = 2, width = 2, n_chan = 2, n_sparse = kBudget;
  typedef ::hash_t hash_t;
};
struct DenseConfig : nnet::dense_config {
  static const unsigned n_in = 8, n_out = 4;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
};

/// Every intermediate array of the top function, so each stage can be checked.
struct Stages {
  input_t reduced[kBudget];
  hash_t hash0[2 * kBudget];
  conv_t conv1[2 * kBudget];
  hash_t hash1[2 * kBudget];
  relu_t relu1[2 * kBudget];
  hash_t hash2[2 * kBudget];
  relu_t pool1[2 * kBudget];
  hash_t hash3[2 * kBudget];
  conv_t conv2[2 * kBudget];
  hash_t hash4[2 * kBudget];
  relu_t relu2[2 * kBudget];
  hash_t hash5[2 * kBudget];
  relu_t pool2[2 * kBudget];
  hash_t hash6[2 * kBudget];
  relu_t flat[8];
  conv_t logits[4];
};

struct Weights {
  weight_t conv1_w[9 * 1 * 2], conv1_b[2], conv2_w[9 * 2 * 2], conv2_b[2], dense_w[8 * 4], dense_b[4];
};

/// The top function, as code generation would write it (one call per layer, one array per output).
template <unsigned Selection>
void sparse_top(input_t x[144], Weights& w, Stages& s) {
  nnet::sparse_input_reduce<input_t, input_t, ReduceConfig<Selection>>(x, input_t(0.25), s.reduced, s.hash0);
  nnet::sparse_conv<input_t, conv_t, ConvConfig<1>>(s.reduced, s.hash0, s.conv1, s.hash1, w.conv1_w,
                                                    w.conv1_b);
  nnet::sparse_relu<conv_t, relu_t, ReluConfig>(s.conv1, s.hash1, s.relu1, s.hash2);
  nnet::sparse_pool<relu_t, relu_t, PoolConfig<12, 2, nnet::pool_average>>(s.relu1, s.hash2, s.pool1,
                                                                           s.hash3);
  nnet::sparse_conv<relu_t, conv_t, ConvConfig<2>>(s.pool1, s.hash3, s.conv2, s.hash4, w.conv2_w, w.conv2_b);
  nnet::sparse_relu<conv_t, relu_t, ReluConfig>(s.conv2, s.hash4, s.relu2, s.hash5);
  nnet::sparse_pool<relu_t, relu_t, PoolConfig<6, 3, nnet::pool_max>>(s.relu2, s.hash5, s.pool2, s.hash6);
  nnet::sparse_flatten<relu_t, relu_t, FlattenConfig>(s.pool2, s.hash6, s.flat);
  nnet::dense<relu_t, conv_t, DenseConfig>(s.flat, s.logits, w.dense_w, w.dense_b);
}

template <class value_t, std::size_t n>
std::vector<double> doubles(const value_t (&values)[n]) {
  std::vector<double> result;
  for (const auto& value : values) result.push_back(value.to_double());
  return result;
}

template <std::size_t n>
std::vector<int> ints(const hash_t (&values)[n]) {
  std::vector<int> result;
  for (const auto& value : values) result.push_back(static_cast<int>(value.to_uint()));
  return result;
}

SparseEvent event_of(int size, int channels, const std::vector<double>& features,
                     const std::vector<int>& hash) {
  SparseEvent event;
  event.height = size;
  event.width = size;
  event.channels = channels;
  event.budget = static_cast<int>(kBudget);
  event.features = features;
  event.hash = hash;
  return event;
}

std::vector<double> relu(const std::vector<double>& values) {
  std::vector<double> result;
  for (double value : values) result.push_back(kRelu(value > 0 ? value : 0.0));
  return result;
}

template <unsigned Selection>
void check_model(unsigned seed) {
  std::mt19937 generator(seed);
  int trials_with_signal = 0;  // the check means little if the signal dies before the head
  for (int trial = 0; trial < 30; ++trial) {
    // About 5-20 active pixels in 144: sometimes fewer than N, often more.
    std::vector<double> image(144);
    const double fraction = 0.03 + 0.01 * (trial % 12);
    for (double& value : image) value = reference::random_value(generator, kInput, 0.0, 1.0, 1.0 - fraction);
    Layer conv1, conv2, head;
    for (int i = 0; i < 18; ++i)
      conv1.weights.push_back(reference::random_value(generator, kWeight, -1, 1, 0.1));
    for (int i = 0; i < 36; ++i)
      conv2.weights.push_back(reference::random_value(generator, kWeight, -1, 1, 0.1));
    for (int i = 0; i < 32; ++i)
      head.weights.push_back(reference::random_value(generator, kWeight, -1, 1, 0.1));
    for (int i = 0; i < 2; ++i)
      conv1.biases.push_back(reference::random_value(generator, kWeight, -0.25, 0.5, 0));
    for (int i = 0; i < 2; ++i)
      conv2.biases.push_back(reference::random_value(generator, kWeight, -0.25, 0.5, 0));
    for (int i = 0; i < 4; ++i) head.biases.push_back(reference::random_value(generator, kWeight, -1, 1, 0));

    Weights w;
    std::copy(conv1.weights.begin(), conv1.weights.end(), w.conv1_w);
    std::copy(conv1.biases.begin(), conv1.biases.end(), w.conv1_b);
    std::copy(conv2.weights.begin(), conv2.weights.end(), w.conv2_w);
    std::copy(conv2.biases.begin(), conv2.biases.end(), w.conv2_b);
    std::copy(head.weights.begin(), head.weights.end(), w.dense_w);
    std::copy(head.biases.begin(), head.biases.end(), w.dense_b);
    input_t x[144];
    std::copy(image.begin(), image.end(), x);
    Stages s;
    sparse_top<Selection>(x, w, s);

    // The reference chain from the image alone.
    const reference::Slots slots =
        reference::reference_reduce(image, 12, 12, 1, kBudget, kInput(0.25), Selection == nnet::select_topk);
    ASSERT_EQ(doubles(s.reduced), slots.features) << "trial " << trial;
    ASSERT_EQ(ints(s.hash0), slots.hash);
    const SparseEvent e0 = event_of(12, 1, slots.features, slots.hash);
    const std::vector<double> c1 = reference::reference_conv(e0, conv1, 3, 2, kConv);
    ASSERT_EQ(doubles(s.conv1), c1) << "trial " << trial;
    ASSERT_EQ(ints(s.hash2), slots.hash);
    const SparseEvent e2 = event_of(12, 2, relu(c1), slots.hash);
    ASSERT_EQ(doubles(s.relu1), e2.features);
    const reference::Pooled p1 = reference::reference_pool(e2, 2, 2, false, kRelu);
    ASSERT_EQ(doubles(s.pool1), p1.features) << "trial " << trial;
    ASSERT_EQ(ints(s.hash3), p1.hash);
    const SparseEvent e3 = event_of(6, 2, p1.features, p1.hash);
    const std::vector<double> c2 = reference::reference_conv(e3, conv2, 3, 2, kConv);
    ASSERT_EQ(doubles(s.conv2), c2) << "trial " << trial;
    const SparseEvent e5 = event_of(6, 2, relu(c2), p1.hash);
    ASSERT_EQ(doubles(s.relu2), e5.features);
    const reference::Pooled p2 = reference::reference_pool(e5, 3, 3, true, kRelu);
    ASSERT_EQ(doubles(s.pool2), p2.features) << "trial " << trial;
    ASSERT_EQ(ints(s.hash6), p2.hash);
    const std::vector<double> flat = event_of(2, 2, p2.features, p2.hash).dense().values;
    ASSERT_EQ(doubles(s.flat), flat) << "trial " << trial;
    if (std::count(flat.begin(), flat.end(), 0.0) < 6) ++trials_with_signal;
    for (int out = 0; out < 4; ++out) {
      double sum = head.biases[static_cast<std::size_t>(out)];
      for (int in = 0; in < 8; ++in)
        sum += flat[static_cast<std::size_t>(in)] * head.weights[static_cast<std::size_t>(in * 4 + out)];
      EXPECT_EQ(s.logits[out].to_double(), kConv(sum)) << "trial " << trial << " logit " << out;
    }
  }
  EXPECT_GE(trials_with_signal, 10);
}

TEST(SparseChain, RasterModelMatchesTheComposedReferences) {
  check_model<nnet::select_raster>(71);
}
TEST(SparseChain, TopkModelMatchesTheComposedReferences) {
  check_model<nnet::select_topk>(72);
}

}  // namespace
