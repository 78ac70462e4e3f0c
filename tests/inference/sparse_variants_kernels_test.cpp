// A small sparse model beyond the paper's: two input channels, max pooling right after a convolution
// (signed values, so the implicit zero of a partly empty cell matters), slots pooled outside the output
// grid (13x13 pooled by 2), and unusual rounding/overflow modes (AP_RND, AP_SAT_SYM, AP_TRN_ZERO,
// AP_SAT_ZERO, AP_WRAP). Kernels and host fixed inference must agree on every layer's raw bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "kernel_harness.h"
#include "nnet_activation.h"
#include "nnet_dense.h"
#include "nnet_sparse_activation.h"
#include "nnet_sparse_conv.h"
#include "nnet_sparse_flatten.h"
#include "nnet_sparse_input_reduce.h"
#include "nnet_sparse_pool.h"

namespace {

namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using harness::describe;
using harness::ExactAccumulator;
using harness::ExactSum;
using harness::LayerValues;

/// Types with a mix of modes; the conv results of Wrapping16 are narrow enough to wrap.
struct Saturating8 {
  typedef ap_fixed<8, 1, AP_RND_CONV, AP_SAT> input_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
  typedef ap_fixed<12, 4, AP_RND, AP_SAT_SYM> sum_t;
  typedef ap_ufixed<8, 1, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};
struct Wrapping16 {
  typedef ap_fixed<16, 6> input_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<10, 1> sum_t;
  typedef ap_ufixed<8, 2, AP_TRN_ZERO, AP_SAT_ZERO> activation_t;
  typedef ap_fixed<16, 6, AP_RND_INF, AP_SAT> output_t;
};

/// 13x13x2 input, input reduce (N = 10, threshold 0.1), conv 3x3 -> 2, max pool 2 (6x6; row and column
/// 13 fall outside), conv 3x3 -> 2, relu, average pool 3 (2x2), flatten 8, dense 3, softmax.
template <class P, unsigned Selection>
struct Variant {
  typedef typename P::input_t input_t;
  typedef typename P::weight_t weight_t;
  typedef typename P::bias_t bias_t;
  typedef typename P::sum_t sum_t;
  typedef typename P::activation_t activation_t;
  typedef typename P::output_t output_t;
  typedef ap_fixed<18, 2> table_t;
  typedef ap_fixed<18, 8> inverse_table_t;  // the softmax inverse table (kernel default)
  typedef ap_uint<4> hash_type;             // 1..13
  static const unsigned N = 10;

  typedef typename ExactAccumulator<weight_t, input_t, bias_t, 9 * 2>::type conv1_accum_t;
  typedef typename ExactAccumulator<weight_t, sum_t, bias_t, 9 * 2>::type conv2_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 8>::type dense_accum_t;
  typedef typename ExactSum<activation_t, 9>::type pool2_accum_t;
  typedef typename ExactSum<table_t, 3>::type softmax_accum_t;

  struct Reduce : nnet::sparse_input_reduce_config {
    static const unsigned height = 13, width = 13, n_chan = 2, n_sparse = N, selection = Selection;
    typedef hash_type hash_t;
  };
  struct Conv1 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 2, n_filt = 2, kernel_size = 3;
    typedef conv1_accum_t accum_t;
    typedef Variant::weight_t weight_t;
    typedef Variant::bias_t bias_t;
    typedef hash_type hash_t;
  };
  struct Pool1 : nnet::sparse_pool_config {
    static const unsigned in_height = 13, in_width = 13, pool_height = 2, pool_width = 2;
    static const unsigned out_height = 6, out_width = 6, n_sparse = N, n_chan = 2, pool_op = nnet::pool_max;
    typedef sum_t accum_t;  // unused by max pooling
    typedef hash_type hash_t;
  };
  struct Conv2 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 2, n_filt = 2, kernel_size = 3;
    typedef conv2_accum_t accum_t;
    typedef Variant::weight_t weight_t;
    typedef Variant::bias_t bias_t;
    typedef hash_type hash_t;
  };
  struct Activation : nnet::sparse_activation_config {
    static const unsigned n_sparse = N, n_chan = 2;
    typedef hash_type hash_t;
  };
  struct Pool2 : nnet::sparse_pool_config {
    static const unsigned in_height = 6, in_width = 6, pool_height = 3, pool_width = 3;
    static const unsigned out_height = 2, out_width = 2, n_sparse = N, n_chan = 2,
                          pool_op = nnet::pool_average;
    typedef pool2_accum_t accum_t;
    typedef hash_type hash_t;
  };
  struct Flatten : nnet::sparse_flatten_config {
    static const unsigned height = 2, width = 2, n_chan = 2, n_sparse = N;
    typedef hash_type hash_t;
  };
  struct Dense : nnet::dense_config {
    static const unsigned n_in = 8, n_out = 3;
    typedef dense_accum_t accum_t;
    typedef Variant::weight_t weight_t;
    typedef Variant::bias_t bias_t;
  };
  struct Softmax : nnet::softmax_config {
    static const unsigned n_in = 3, exp_table_size = 1024, inv_table_size = 1024;
    static const int exp_range_log2 = 3, inv_range_log2 = 6;
    typedef table_t exp_table_t;
    typedef inverse_table_t inv_table_t;
    typedef softmax_accum_t accum_t;
  };

  static spec::ModelSpec spec() {
    spec::ModelSpec spec;
    spec.name = "variant";
    spec.input_height = 13;
    spec.input_width = 13;
    spec.input_channels = 2;
    spec.input_type = describe<input_t>();
    spec.defaults.weight = describe<weight_t>();
    spec.defaults.bias = describe<bias_t>();
    spec.defaults.result = describe<sum_t>();
    spec.defaults.accum_auto = true;
    auto add = [&](spec::LayerKind kind) -> spec::LayerSpec& {
      spec.layers.emplace_back();
      spec.layers.back().kind = kind;
      return spec.layers.back();
    };
    auto& reduce = add(spec::LayerKind::InputReduce);
    reduce.n_active = N;
    reduce.threshold = 0.1;
    reduce.selection = Selection == nnet::select_topk ? spec::Selection::TopK : spec::Selection::Raster;
    auto& conv1 = add(spec::LayerKind::SparseConv2D);
    conv1.filters = 2;
    conv1.kernel = 3;
    auto& pool1 = add(spec::LayerKind::SparseMaxPool2D);
    pool1.pool_height = pool1.pool_width = 2;
    auto& conv2 = add(spec::LayerKind::SparseConv2D);
    conv2.filters = 2;
    conv2.kernel = 3;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& pool2 = add(spec::LayerKind::SparseAvgPool2D);
    pool2.pool_height = pool2.pool_width = 3;
    pool2.precision.result = describe<activation_t>();
    add(spec::LayerKind::SparseFlatten);
    add(spec::LayerKind::Dense).units = 3;
    auto& head = add(spec::LayerKind::Softmax);
    head.precision.result = describe<output_t>();
    head.precision.table = describe<table_t>();
    return spec;
  }

  static void check_types(const std::vector<spec::ResolvedLayer>& layers) {
    ASSERT_EQ(layers.size(), 9u);
    EXPECT_EQ(layers[0].types.result, describe<input_t>());
    EXPECT_EQ(layers[1].types.result, describe<sum_t>());
    EXPECT_EQ(layers[1].types.accum, describe<conv1_accum_t>());
    EXPECT_EQ(layers[2].types.result, describe<sum_t>());
    EXPECT_EQ(layers[3].types.accum, describe<conv2_accum_t>());
    EXPECT_EQ(layers[4].types.result, describe<activation_t>());
    EXPECT_EQ(layers[5].types.accum, describe<pool2_accum_t>());
    EXPECT_EQ(layers[6].types.result, describe<activation_t>());
    EXPECT_EQ(layers[7].types.accum, describe<dense_accum_t>());
    EXPECT_EQ(layers[7].types.result, describe<sum_t>());
    EXPECT_EQ(layers[8].types.result, describe<output_t>());
    const auto tables = sparsepixels::inference::make_softmax_tables(layers[8]);
    EXPECT_EQ(tables.sum_type, describe<softmax_accum_t>());
    EXPECT_EQ(tables.inverse_layout.range_log2, +Softmax::inv_range_log2);
  }

  struct Parameters {
    std::vector<weight_t> w1, w2, w3;
    std::vector<bias_t> b1, b2, b3;
    std::vector<table_t> exp_table;
    std::vector<inverse_table_t> inv_table;
    Parameters(const sparsepixels::inference::FixedModel&, const model::Model& model) {
      w1 = harness::kernel_parameters<weight_t>(model.layer(1).weights);
      b1 = harness::kernel_parameters<bias_t>(model.layer(1).bias);
      w2 = harness::kernel_parameters<weight_t>(model.layer(3).weights);
      b2 = harness::kernel_parameters<bias_t>(model.layer(3).bias);
      w3 = harness::kernel_parameters<weight_t>(model.layer(7).weights);
      b3 = harness::kernel_parameters<bias_t>(model.layer(7).bias);
      const auto tables = sparsepixels::inference::make_softmax_tables(model.resolved()[8]);
      exp_table = harness::kernel_table<table_t>(tables.exp_raw, tables.exp_type);
      inv_table = harness::kernel_table<inverse_table_t>(tables.inverse_raw, tables.inverse_type);
    }
  };

  static void run(const float* event, Parameters& p, std::vector<LayerValues>& trace) {
    input_t x[13 * 13 * 2];
    for (unsigned k = 0; k < 13 * 13 * 2; ++k) x[k] = input_t(event[k]);
    const input_t threshold = input_t(0.1);
    input_t f0[2 * N];
    hash_type h0[2 * N], h1[2 * N], h2[2 * N], h3[2 * N], h4[2 * N], h5[2 * N];
    sum_t f1[2 * N], f2[2 * N], f3[2 * N], logits[3];
    activation_t f4[2 * N], f5[2 * N], flat[8];
    output_t out[3];
    nnet::sparse_input_reduce<input_t, input_t, Reduce>(x, threshold, f0, h0);
    trace.push_back(harness::capture_sparse(f0, 2 * N, h0, N));
    nnet::sparse_conv<input_t, sum_t, Conv1>(f0, h0, f1, h1, p.w1.data(), p.b1.data());
    trace.push_back(harness::capture_sparse(f1, 2 * N, h1, N));
    nnet::sparse_pool<sum_t, sum_t, Pool1>(f1, h1, f2, h2);
    trace.push_back(harness::capture_sparse(f2, 2 * N, h2, N));
    nnet::sparse_conv<sum_t, sum_t, Conv2>(f2, h2, f3, h3, p.w2.data(), p.b2.data());
    trace.push_back(harness::capture_sparse(f3, 2 * N, h3, N));
    nnet::sparse_relu<sum_t, activation_t, Activation>(f3, h3, f4, h4);
    trace.push_back(harness::capture_sparse(f4, 2 * N, h4, N));
    nnet::sparse_pool<activation_t, activation_t, Pool2>(f4, h4, f5, h5);
    trace.push_back(harness::capture_sparse(f5, 2 * N, h5, N));
    nnet::sparse_flatten<activation_t, activation_t, Flatten>(f5, h5, flat);
    trace.push_back(harness::capture_dense(flat, 8));
    nnet::dense<activation_t, sum_t, Dense>(flat, logits, p.w3.data(), p.b3.data());
    trace.push_back(harness::capture_dense(logits, 3));
    nnet::softmax<sum_t, output_t, Softmax>(logits, out, p.exp_table.data(), p.inv_table.data());
    trace.push_back(harness::capture_dense(out, 3));
  }
};

TEST(SparseVariantKernelEquality, SaturatingModesTopk) {
  const auto profile = harness::expect_kernels_equal<Variant<Saturating8, nnet::select_topk>>(2000, 501);
  harness::expect_every_layer_exercised(profile);
}

TEST(SparseVariantKernelEquality, WrappingModesRaster) {
  const auto profile = harness::expect_kernels_equal<Variant<Wrapping16, nnet::select_raster>>(2000, 502);
  harness::expect_every_layer_exercised(profile);
  EXPECT_GT(profile[1].out_of_range, 0u) << "the narrow conv results should wrap sometimes";
}

}  // namespace
