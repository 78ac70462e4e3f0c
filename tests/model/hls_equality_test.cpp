// The host fixed inference against the HLS kernels (hls/nnet_utils) on the same model and events:
// a top function wired as code generation would write it, and inference::fixed_predict on the same
// model built with the host API. Every logit must be equal (zero mismatches).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_dense.h"
#include "nnet_sparse_activation.h"
#include "nnet_sparse_conv.h"
#include "nnet_sparse_flatten.h"
#include "nnet_sparse_input_reduce.h"
#include "nnet_sparse_pool.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"

namespace {

// 12x12x1, N = 10, conv 3x3 -> 2, relu, avg pool 2, conv 3x3 -> 2, relu, max pool 3, flatten, dense 4.
const unsigned kBudget = 10;
typedef ap_ufixed<8, 1> input_t;
typedef ap_uint<4> hash_t;
typedef ap_fixed<8, 1> weight_t;
typedef ap_fixed<32, 12> accum_t;  // exact for these sizes (wider than the host's 'auto' types)
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> conv_t;
typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> relu_t;

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

struct Weights {
  weight_t conv1_w[18], conv1_b[2], conv2_w[36], conv2_b[2], dense_w[32], dense_b[4];
};

template <unsigned Selection>
void kernel_top(input_t x[144], Weights& w, conv_t logits[4]) {
  input_t reduced[kBudget];
  conv_t conv1[2 * kBudget], conv2[2 * kBudget];
  relu_t relu1[2 * kBudget], pool1[2 * kBudget], relu2[2 * kBudget], pool2[2 * kBudget], flat[8];
  hash_t h0[2 * kBudget], h1[2 * kBudget], h2[2 * kBudget], h3[2 * kBudget], h4[2 * kBudget], h5[2 * kBudget],
      h6[2 * kBudget];
  nnet::sparse_input_reduce<input_t, input_t, ReduceConfig<Selection>>(x, input_t(0.25), reduced, h0);
  nnet::sparse_conv<input_t, conv_t, ConvConfig<1>>(reduced, h0, conv1, h1, w.conv1_w, w.conv1_b);
  nnet::sparse_relu<conv_t, relu_t, ReluConfig>(conv1, h1, relu1, h2);
  nnet::sparse_pool<relu_t, relu_t, PoolConfig<12, 2, nnet::pool_average>>(relu1, h2, pool1, h3);
  nnet::sparse_conv<relu_t, conv_t, ConvConfig<2>>(pool1, h3, conv2, h4, w.conv2_w, w.conv2_b);
  nnet::sparse_relu<conv_t, relu_t, ReluConfig>(conv2, h4, relu2, h5);
  nnet::sparse_pool<relu_t, relu_t, PoolConfig<6, 3, nnet::pool_max>>(relu2, h5, pool2, h6);
  nnet::sparse_flatten<relu_t, relu_t, FlattenConfig>(pool2, h6, flat);
  nnet::dense<relu_t, conv_t, DenseConfig>(flat, logits, w.dense_w, w.dense_b);
}

std::string host_config(const char* selection) {
  return std::string(R"(
input: {height: 12, width: 12, channels: 1, type: "ap_ufixed<8,1>"}
precision: {weight: "ap_fixed<8,1>", bias: "ap_fixed<8,1>", result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}
layers:
  - {type: InputReduce, n_active: 10, threshold: 0.25, selection: )") +
         selection + R"(}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, pool: 2, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseMaxPool2D, pool: 3, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseFlatten}
  - {type: Dense, units: 4}
)";
}

// QKeras quantized_bits(8, 0) written independently: round half to even to 1/128, saturate.
double qkeras_8_0(double value) {
  return std::min(std::max(std::nearbyint(value * 128.0) / 128.0, -1.0), 127.0 / 128.0);
}

template <unsigned Selection>
void compare(const char* selection, std::uint64_t seed) {
  sparsepixels::model::Model model(sparsepixels::model::parse_config(host_config(selection), "hls.yml"));
  std::mt19937_64 random(seed);
  auto uniform = [&](double low, double high) {
    return low + (high - low) * static_cast<double>(random() >> 11) * 0x1.0p-53;
  };
  Weights w;
  auto fill = [&](std::vector<float>& host, weight_t* kernel, double scale) {
    for (std::size_t i = 0; i < host.size(); ++i) {
      host[i] = static_cast<float>(uniform(-scale, scale));
      kernel[i] = weight_t(qkeras_8_0(host[i]));
    }
  };
  fill(model.layer(1).weights, w.conv1_w, 1.0);
  fill(model.layer(1).bias, w.conv1_b, 0.3);
  fill(model.layer(4).weights, w.conv2_w, 1.0);
  fill(model.layer(4).bias, w.conv2_b, 0.3);
  fill(model.layer(8).weights, w.dense_w, 1.0);
  fill(model.layer(8).bias, w.dense_b, 0.3);

  const std::size_t events = 300;
  std::vector<float> images(events * 144, 0.0f);
  for (std::size_t e = 0; e < events; ++e) {
    const int hits = 3 + static_cast<int>(random() % 14);  // below and above the budget of 10
    for (int h = 0; h < hits; ++h) images[e * 144 + random() % 144] = static_cast<float>(uniform(0.0, 1.2));
  }
  const std::vector<double> host =
      sparsepixels::inference::fixed_predict(model, images.data(), events).values;
  int mismatches = 0, non_zero = 0;
  for (std::size_t e = 0; e < events; ++e) {
    input_t x[144];
    for (int p = 0; p < 144; ++p) x[p] = input_t(images[e * 144 + p]);
    conv_t logits[4];
    kernel_top<Selection>(x, w, logits);
    for (int k = 0; k < 4; ++k) {
      mismatches += logits[k].to_double() != host[e * 4 + k] ? 1 : 0;
      non_zero += host[e * 4 + k] != 0.0 ? 1 : 0;
    }
  }
  EXPECT_EQ(mismatches, 0) << selection;
  EXPECT_GT(non_zero, 600) << selection;  // the logits are not trivially zero
}

TEST(HlsEquality, RasterSparseModelHasZeroMismatches) {
  compare<nnet::select_raster>("raster", 1);
}

TEST(HlsEquality, TopKSparseModelHasZeroMismatches) {
  compare<nnet::select_topk>("topk", 2);
}

}  // namespace
