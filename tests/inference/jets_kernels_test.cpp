// The paper's sparse LHC jets architecture (56x56x1; reference section 4) at 8 and 16 bits: the HLS
// kernels wired like a generated top function and the host fixed inference give the same raw bits in
// every layer, over 1,000 random events per design, for both selection policies and both pool kinds.
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

/// 8-bit jets types (reference section 5): QKeras (8,4) weights, quantized_relu(8,4).
struct Jets8 {
  typedef ap_ufixed<8, 1> input_t;
  typedef ap_fixed<8, 5> weight_t;
  typedef ap_fixed<8, 5> bias_t;
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> sum_t;  // conv and dense results
  typedef ap_ufixed<8, 4, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// 16-bit types (reference section 5); conv and dense results keep the default modes (AP_TRN, AP_WRAP).
struct Jets16 {
  typedef ap_fixed<16, 6> input_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<18, 8> sum_t;
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// Input reduce, conv 9x9 -> 3, relu, conv 9x9 -> 1, relu, pool 4 (14x14x1), flatten 196, dense 20,
/// relu, dense 5, softmax.
template <class P, unsigned Selection, unsigned PoolOp, unsigned Budget>
struct Jets {
  typedef typename P::input_t input_t;
  typedef typename P::weight_t weight_t;
  typedef typename P::bias_t bias_t;
  typedef typename P::sum_t sum_t;
  typedef typename P::activation_t activation_t;
  typedef typename P::output_t output_t;
  typedef ap_fixed<18, 2> table_t;          // set explicitly on the table layer
  typedef ap_fixed<18, 8> inverse_table_t;  // the softmax inverse table (kernel default)
  typedef ap_uint<6> hash_type;             // 1..56
  static const unsigned N = Budget;

  typedef typename ExactAccumulator<weight_t, input_t, bias_t, std::min(Budget, 81u)>::type conv1_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, std::min(Budget, 81u) * 3>::type
      conv2_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 196>::type dense1_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 20>::type dense2_accum_t;
  typedef typename ExactSum<activation_t, 16>::type pool_accum_t;
  typedef typename ExactSum<table_t, 5>::type softmax_accum_t;

  struct Reduce : nnet::sparse_input_reduce_config {
    static const unsigned height = 56, width = 56, n_chan = 1, n_sparse = N, selection = Selection;
    typedef hash_type hash_t;
  };
  struct Conv1 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 1, n_filt = 3, kernel_size = 9;
    typedef conv1_accum_t accum_t;
    typedef Jets::weight_t weight_t;
    typedef Jets::bias_t bias_t;
    typedef hash_type hash_t;
  };
  struct Conv2 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 3, n_filt = 1, kernel_size = 9;
    typedef conv2_accum_t accum_t;
    typedef Jets::weight_t weight_t;
    typedef Jets::bias_t bias_t;
    typedef hash_type hash_t;
  };
  template <unsigned C>
  struct Activation : nnet::sparse_activation_config {
    static const unsigned n_sparse = N, n_chan = C;
    typedef hash_type hash_t;
  };
  struct Pool : nnet::sparse_pool_config {
    static const unsigned in_height = 56, in_width = 56, pool_height = 4, pool_width = 4;
    static const unsigned out_height = 14, out_width = 14, n_sparse = N, n_chan = 1, pool_op = PoolOp;
    typedef pool_accum_t accum_t;
    typedef hash_type hash_t;
  };
  struct Flatten : nnet::sparse_flatten_config {
    static const unsigned height = 14, width = 14, n_chan = 1, n_sparse = N;
    typedef hash_type hash_t;
  };
  struct Dense1 : nnet::dense_config {
    static const unsigned n_in = 196, n_out = 20;
    typedef dense1_accum_t accum_t;
    typedef Jets::weight_t weight_t;
    typedef Jets::bias_t bias_t;
  };
  struct Relu3 : nnet::activation_config {
    static const unsigned n_in = 20;
  };
  struct Dense2 : nnet::dense_config {
    static const unsigned n_in = 20, n_out = 5;
    typedef dense2_accum_t accum_t;
    typedef Jets::weight_t weight_t;
    typedef Jets::bias_t bias_t;
  };
  struct Softmax : nnet::softmax_config {
    static const unsigned n_in = 5, exp_table_size = 1024, inv_table_size = 1024;
    static const int exp_range_log2 = 3, inv_range_log2 = 6;
    typedef table_t exp_table_t;
    typedef inverse_table_t inv_table_t;
    typedef softmax_accum_t accum_t;
  };

  static spec::ModelSpec spec() {
    spec::ModelSpec spec;
    spec.name = "jets";
    spec.input_height = 56;
    spec.input_width = 56;
    spec.input_channels = 1;
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
    reduce.threshold = 0.0;
    reduce.selection = Selection == nnet::select_topk ? spec::Selection::TopK : spec::Selection::Raster;
    auto& conv1 = add(spec::LayerKind::SparseConv2D);
    conv1.filters = 3;
    conv1.kernel = 9;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& conv2 = add(spec::LayerKind::SparseConv2D);
    conv2.filters = 1;
    conv2.kernel = 9;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& pool =
        add(PoolOp == nnet::pool_max ? spec::LayerKind::SparseMaxPool2D : spec::LayerKind::SparseAvgPool2D);
    pool.pool_height = pool.pool_width = 4;
    pool.precision.result = describe<activation_t>();
    add(spec::LayerKind::SparseFlatten);
    add(spec::LayerKind::Dense).units = 20;
    add(spec::LayerKind::ReLU).precision.result = describe<activation_t>();
    add(spec::LayerKind::Dense).units = 5;
    auto& head = add(spec::LayerKind::Softmax);
    head.precision.result = describe<output_t>();
    head.precision.table = describe<table_t>();
    return spec;
  }

  /// The kernels' types equal the model's resolved types, layer by layer.
  static void check_types(const std::vector<spec::ResolvedLayer>& layers) {
    ASSERT_EQ(layers.size(), 11u);
    EXPECT_EQ(layers[0].types.result, describe<input_t>());
    EXPECT_EQ(layers[1].types.result, describe<sum_t>());
    EXPECT_EQ(layers[1].types.accum, describe<conv1_accum_t>());
    EXPECT_EQ(layers[1].types.weight, describe<weight_t>());
    EXPECT_EQ(layers[1].types.bias, describe<bias_t>());
    EXPECT_EQ(layers[2].types.result, describe<activation_t>());
    EXPECT_EQ(layers[3].types.result, describe<sum_t>());
    EXPECT_EQ(layers[3].types.accum, describe<conv2_accum_t>());
    EXPECT_EQ(layers[4].types.result, describe<activation_t>());
    EXPECT_EQ(layers[5].types.result, describe<activation_t>());
    if (PoolOp == nnet::pool_average) {
      EXPECT_EQ(layers[5].types.accum, describe<pool_accum_t>());
    }
    EXPECT_EQ(layers[6].types.result, describe<activation_t>());
    EXPECT_EQ(layers[7].types.result, describe<sum_t>());
    EXPECT_EQ(layers[7].types.accum, describe<dense1_accum_t>());
    EXPECT_EQ(layers[8].types.result, describe<activation_t>());
    EXPECT_EQ(layers[9].types.accum, describe<dense2_accum_t>());
    EXPECT_EQ(layers[10].types.result, describe<output_t>());
    const auto tables = sparsepixels::inference::make_softmax_tables(layers[10]);
    EXPECT_EQ(tables.exp_type, describe<table_t>());
    EXPECT_EQ(tables.inverse_type, describe<inverse_table_t>());
    EXPECT_EQ(tables.sum_type, describe<softmax_accum_t>());
    EXPECT_EQ(tables.exp_layout.range_log2, +Softmax::exp_range_log2);
    EXPECT_EQ(tables.inverse_layout.range_log2, +Softmax::inv_range_log2);
  }

  struct Parameters {
    std::vector<weight_t> w1, w2, w3, w4;
    std::vector<bias_t> b1, b2, b3, b4;
    std::vector<table_t> exp_table;
    std::vector<inverse_table_t> inv_table;
    Parameters(const sparsepixels::inference::FixedModel&, const model::Model& model) {
      w1 = harness::kernel_parameters<weight_t>(model.layer(1).weights);
      b1 = harness::kernel_parameters<bias_t>(model.layer(1).bias);
      w2 = harness::kernel_parameters<weight_t>(model.layer(3).weights);
      b2 = harness::kernel_parameters<bias_t>(model.layer(3).bias);
      w3 = harness::kernel_parameters<weight_t>(model.layer(7).weights);
      b3 = harness::kernel_parameters<bias_t>(model.layer(7).bias);
      w4 = harness::kernel_parameters<weight_t>(model.layer(9).weights);
      b4 = harness::kernel_parameters<bias_t>(model.layer(9).bias);
      const auto tables = sparsepixels::inference::make_softmax_tables(model.resolved()[10]);
      exp_table = harness::kernel_table<table_t>(tables.exp_raw, tables.exp_type);
      inv_table = harness::kernel_table<inverse_table_t>(tables.inverse_raw, tables.inverse_type);
    }
  };

  /// The top function: every stage's output captured into `trace`.
  static void run(const float* event, Parameters& p, std::vector<LayerValues>& trace) {
    input_t x[56 * 56];
    for (unsigned k = 0; k < 56 * 56; ++k) x[k] = input_t(event[k]);  // the vendor's float conversion
    const input_t threshold = input_t(0.0);
    input_t f0[N];
    hash_type h0[2 * N], h1[2 * N], h2[2 * N], h3[2 * N], h4[2 * N], h5[2 * N];
    sum_t f1[3 * N], f3[N], d1[20], d2[5];
    activation_t f2[3 * N], f4[N], f5[N], flat[196], a1[20];
    output_t out[5];
    nnet::sparse_input_reduce<input_t, input_t, Reduce>(x, threshold, f0, h0);
    trace.push_back(harness::capture_sparse(f0, N, h0, N));
    nnet::sparse_conv<input_t, sum_t, Conv1>(f0, h0, f1, h1, p.w1.data(), p.b1.data());
    trace.push_back(harness::capture_sparse(f1, 3 * N, h1, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<3>>(f1, h1, f2, h2);
    trace.push_back(harness::capture_sparse(f2, 3 * N, h2, N));
    nnet::sparse_conv<activation_t, sum_t, Conv2>(f2, h2, f3, h3, p.w2.data(), p.b2.data());
    trace.push_back(harness::capture_sparse(f3, N, h3, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<1>>(f3, h3, f4, h4);
    trace.push_back(harness::capture_sparse(f4, N, h4, N));
    nnet::sparse_pool<activation_t, activation_t, Pool>(f4, h4, f5, h5);
    trace.push_back(harness::capture_sparse(f5, N, h5, N));
    nnet::sparse_flatten<activation_t, activation_t, Flatten>(f5, h5, flat);
    trace.push_back(harness::capture_dense(flat, 196));
    nnet::dense<activation_t, sum_t, Dense1>(flat, d1, p.w3.data(), p.b3.data());
    trace.push_back(harness::capture_dense(d1, 20));
    nnet::relu<sum_t, activation_t, Relu3>(d1, a1);
    trace.push_back(harness::capture_dense(a1, 20));
    nnet::dense<activation_t, sum_t, Dense2>(a1, d2, p.w4.data(), p.b4.data());
    trace.push_back(harness::capture_dense(d2, 5));
    nnet::softmax<sum_t, output_t, Softmax>(d2, out, p.exp_table.data(), p.inv_table.data());
    trace.push_back(harness::capture_dense(out, 5));
  }
};

TEST(JetsKernelEquality, EightBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Jets<Jets8, nnet::select_raster, nnet::pool_average, 20>>(1000, 201);
  harness::expect_every_layer_exercised(profile);
}

TEST(JetsKernelEquality, EightBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Jets<Jets8, nnet::select_topk, nnet::pool_max, 16>>(1000, 202);
  harness::expect_every_layer_exercised(profile);
}

TEST(JetsKernelEquality, SixteenBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Jets<Jets16, nnet::select_raster, nnet::pool_average, 20>>(1000, 203);
  harness::expect_every_layer_exercised(profile);
}

TEST(JetsKernelEquality, SixteenBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Jets<Jets16, nnet::select_topk, nnet::pool_max, 16>>(1000, 204);
  harness::expect_every_layer_exercised(profile);
}

}  // namespace
