// The paper's sparse MicroBooNE neutrino architecture (63x63x1; reference section 4) at 8 and 16 bits: the
// HLS kernels wired like a generated top function and the host fixed inference give the same raw bits in
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

/// 8-bit neutrino types (reference section 5): QKeras (8,2) weights, quantized_relu(8,2).
struct Neutrino8 {
  typedef ap_ufixed<8, 1> input_t;
  typedef ap_fixed<8, 3> weight_t;
  typedef ap_fixed<8, 3> bias_t;
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> sum_t;  // conv and dense results
  typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// 16-bit types (reference section 5); conv and dense results keep the default modes (AP_TRN, AP_WRAP).
struct Neutrino16 {
  typedef ap_fixed<16, 6> input_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<18, 8> sum_t;
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// Input reduce, conv 7x7 -> 1, relu, conv 7x7 -> 3, relu, pool 7 (9x9x3), flatten 243, dense 16,
/// relu, dense 1, sigmoid.
template <class P, unsigned Selection, unsigned PoolOp, unsigned Budget>
struct Neutrino {
  typedef typename P::input_t input_t;
  typedef typename P::weight_t weight_t;
  typedef typename P::bias_t bias_t;
  typedef typename P::sum_t sum_t;
  typedef typename P::activation_t activation_t;
  typedef typename P::output_t output_t;
  typedef ap_fixed<18, 2> table_t;  // set explicitly on the table layer
  typedef ap_uint<6> hash_type;     // 1..63
  static const unsigned N = Budget;

  typedef typename ExactAccumulator<weight_t, input_t, bias_t, std::min(Budget, 49u)>::type conv1_accum_t;
  typedef
      typename ExactAccumulator<weight_t, activation_t, bias_t, std::min(Budget, 49u)>::type conv2_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 243>::type dense1_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 16>::type dense2_accum_t;
  typedef typename ExactSum<activation_t, 49>::type pool_accum_t;

  struct Reduce : nnet::sparse_input_reduce_config {
    static const unsigned height = 63, width = 63, n_chan = 1, n_sparse = N, selection = Selection;
    typedef hash_type hash_t;
  };
  struct Conv1 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 1, n_filt = 1, kernel_size = 7;
    typedef conv1_accum_t accum_t;
    typedef Neutrino::weight_t weight_t;
    typedef Neutrino::bias_t bias_t;
    typedef hash_type hash_t;
  };
  struct Conv2 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 1, n_filt = 3, kernel_size = 7;
    typedef conv2_accum_t accum_t;
    typedef Neutrino::weight_t weight_t;
    typedef Neutrino::bias_t bias_t;
    typedef hash_type hash_t;
  };
  template <unsigned C>
  struct Activation : nnet::sparse_activation_config {
    static const unsigned n_sparse = N, n_chan = C;
    typedef hash_type hash_t;
  };
  struct Pool : nnet::sparse_pool_config {
    static const unsigned in_height = 63, in_width = 63, pool_height = 7, pool_width = 7;
    static const unsigned out_height = 9, out_width = 9, n_sparse = N, n_chan = 3, pool_op = PoolOp;
    typedef pool_accum_t accum_t;
    typedef hash_type hash_t;
  };
  struct Flatten : nnet::sparse_flatten_config {
    static const unsigned height = 9, width = 9, n_chan = 3, n_sparse = N;
    typedef hash_type hash_t;
  };
  struct Dense1 : nnet::dense_config {
    static const unsigned n_in = 243, n_out = 16;
    typedef dense1_accum_t accum_t;
    typedef Neutrino::weight_t weight_t;
    typedef Neutrino::bias_t bias_t;
  };
  struct Relu3 : nnet::activation_config {
    static const unsigned n_in = 16;
  };
  struct Dense2 : nnet::dense_config {
    static const unsigned n_in = 16, n_out = 1;
    typedef dense2_accum_t accum_t;
    typedef Neutrino::weight_t weight_t;
    typedef Neutrino::bias_t bias_t;
  };
  struct Sigmoid : nnet::sigmoid_config {
    static const unsigned n_in = 1, table_size = 1024;
    static const int table_range_log2 = 3;
    typedef Neutrino::table_t table_t;
  };

  static spec::ModelSpec spec() {
    spec::ModelSpec spec;
    spec.name = "neutrino";
    spec.input_height = 63;
    spec.input_width = 63;
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
    conv1.filters = 1;
    conv1.kernel = 7;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& conv2 = add(spec::LayerKind::SparseConv2D);
    conv2.filters = 3;
    conv2.kernel = 7;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& pool =
        add(PoolOp == nnet::pool_max ? spec::LayerKind::SparseMaxPool2D : spec::LayerKind::SparseAvgPool2D);
    pool.pool_height = pool.pool_width = 7;
    pool.precision.result = describe<activation_t>();
    add(spec::LayerKind::SparseFlatten);
    add(spec::LayerKind::Dense).units = 16;
    add(spec::LayerKind::ReLU).precision.result = describe<activation_t>();
    add(spec::LayerKind::Dense).units = 1;
    auto& head = add(spec::LayerKind::Sigmoid);
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
    const auto table = sparsepixels::inference::make_sigmoid_table(layers[10]);
    EXPECT_EQ(table.table_type, describe<table_t>());
    EXPECT_EQ(table.layout.range_log2, +Sigmoid::table_range_log2);
    EXPECT_EQ(table.layout.size, +Sigmoid::table_size);
  }

  struct Parameters {
    std::vector<weight_t> w1, w2, w3, w4;
    std::vector<bias_t> b1, b2, b3, b4;
    std::vector<table_t> table;
    Parameters(const sparsepixels::inference::FixedModel&, const model::Model& model) {
      w1 = harness::kernel_parameters<weight_t>(model.layer(1).weights);
      b1 = harness::kernel_parameters<bias_t>(model.layer(1).bias);
      w2 = harness::kernel_parameters<weight_t>(model.layer(3).weights);
      b2 = harness::kernel_parameters<bias_t>(model.layer(3).bias);
      w3 = harness::kernel_parameters<weight_t>(model.layer(7).weights);
      b3 = harness::kernel_parameters<bias_t>(model.layer(7).bias);
      w4 = harness::kernel_parameters<weight_t>(model.layer(9).weights);
      b4 = harness::kernel_parameters<bias_t>(model.layer(9).bias);
      const auto sigmoid = sparsepixels::inference::make_sigmoid_table(model.resolved()[10]);
      table = harness::kernel_table<table_t>(sigmoid.raw, sigmoid.table_type);
    }
  };

  /// The top function: every stage's output captured into `trace`.
  static void run(const float* event, Parameters& p, std::vector<LayerValues>& trace) {
    input_t x[63 * 63];
    for (unsigned k = 0; k < 63 * 63; ++k) x[k] = input_t(event[k]);  // the vendor's float conversion
    const input_t threshold = input_t(0.0);
    input_t f0[N];
    hash_type h0[2 * N], h1[2 * N], h2[2 * N], h3[2 * N], h4[2 * N], h5[2 * N];
    sum_t f1[N], f3[3 * N], d1[16], d2[1];
    activation_t f2[N], f4[3 * N], f5[3 * N], flat[243], a1[16];
    output_t out[1];
    nnet::sparse_input_reduce<input_t, input_t, Reduce>(x, threshold, f0, h0);
    trace.push_back(harness::capture_sparse(f0, N, h0, N));
    nnet::sparse_conv<input_t, sum_t, Conv1>(f0, h0, f1, h1, p.w1.data(), p.b1.data());
    trace.push_back(harness::capture_sparse(f1, N, h1, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<1>>(f1, h1, f2, h2);
    trace.push_back(harness::capture_sparse(f2, N, h2, N));
    nnet::sparse_conv<activation_t, sum_t, Conv2>(f2, h2, f3, h3, p.w2.data(), p.b2.data());
    trace.push_back(harness::capture_sparse(f3, 3 * N, h3, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<3>>(f3, h3, f4, h4);
    trace.push_back(harness::capture_sparse(f4, 3 * N, h4, N));
    nnet::sparse_pool<activation_t, activation_t, Pool>(f4, h4, f5, h5);
    trace.push_back(harness::capture_sparse(f5, 3 * N, h5, N));
    nnet::sparse_flatten<activation_t, activation_t, Flatten>(f5, h5, flat);
    trace.push_back(harness::capture_dense(flat, 243));
    nnet::dense<activation_t, sum_t, Dense1>(flat, d1, p.w3.data(), p.b3.data());
    trace.push_back(harness::capture_dense(d1, 16));
    nnet::relu<sum_t, activation_t, Relu3>(d1, a1);
    trace.push_back(harness::capture_dense(a1, 16));
    nnet::dense<activation_t, sum_t, Dense2>(a1, d2, p.w4.data(), p.b4.data());
    trace.push_back(harness::capture_dense(d2, 1));
    nnet::sigmoid<sum_t, output_t, Sigmoid>(d2, out, p.table.data());
    trace.push_back(harness::capture_dense(out, 1));
  }
};

TEST(NeutrinoKernelEquality, EightBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Neutrino<Neutrino8, nnet::select_raster, nnet::pool_average, 20>>(1000,
                                                                                                      301);
  harness::expect_every_layer_exercised(profile);
}

TEST(NeutrinoKernelEquality, EightBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Neutrino<Neutrino8, nnet::select_topk, nnet::pool_max, 8>>(1000, 302);
  harness::expect_every_layer_exercised(profile);
}

TEST(NeutrinoKernelEquality, SixteenBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Neutrino<Neutrino16, nnet::select_raster, nnet::pool_average, 20>>(1000,
                                                                                                       303);
  harness::expect_every_layer_exercised(profile);
}

TEST(NeutrinoKernelEquality, SixteenBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Neutrino<Neutrino16, nnet::select_topk, nnet::pool_max, 8>>(1000, 304);
  harness::expect_every_layer_exercised(profile);
}

}  // namespace
