// The paper's sparse MNIST architecture (48x48x1; reference section 4) at 8 and 16 bits: the HLS
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

/// 8-bit MNIST types (reference section 5): QKeras (8,0) weights, quantized_relu(8,0).
struct Mnist8 {
  typedef ap_ufixed<8, 1> input_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> sum_t;  // conv and dense results
  typedef ap_ufixed<8, 0, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// 16-bit types (reference section 5); conv and dense results keep the default modes (AP_TRN, AP_WRAP).
struct Mnist16 {
  typedef ap_fixed<16, 6> input_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<18, 8> sum_t;
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// Input reduce, conv 7x7 -> 1, relu, pool 4, conv 5x5 -> 3, relu, pool 2, flatten 108, dense 36,
/// relu, dense 10, softmax.
template <class P, unsigned Selection, unsigned PoolOp, unsigned Budget>
struct Mnist {
  typedef typename P::input_t input_t;
  typedef typename P::weight_t weight_t;
  typedef typename P::bias_t bias_t;
  typedef typename P::sum_t sum_t;
  typedef typename P::activation_t activation_t;
  typedef typename P::output_t output_t;
  typedef ap_fixed<18, 2> table_t;          // set explicitly on the table layer
  typedef ap_fixed<18, 8> inverse_table_t;  // the softmax inverse table (kernel default)
  typedef ap_uint<6> hash_type;             // 1..48
  static const unsigned N = Budget;

  typedef typename ExactAccumulator<weight_t, input_t, bias_t, std::min(Budget, 49u)>::type conv1_accum_t;
  typedef
      typename ExactAccumulator<weight_t, activation_t, bias_t, std::min(Budget, 25u)>::type conv2_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 108>::type dense1_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 36>::type dense2_accum_t;
  typedef typename ExactSum<activation_t, 16>::type pool1_accum_t;
  typedef typename ExactSum<activation_t, 4>::type pool2_accum_t;
  typedef typename ExactSum<table_t, 10>::type softmax_accum_t;

  struct Reduce : nnet::sparse_input_reduce_config {
    static const unsigned height = 48, width = 48, n_chan = 1, n_sparse = N, selection = Selection;
    typedef hash_type hash_t;
  };
  struct Conv1 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 1, n_filt = 1, kernel_size = 7;
    typedef conv1_accum_t accum_t;
    typedef Mnist::weight_t weight_t;
    typedef Mnist::bias_t bias_t;
    typedef hash_type hash_t;
  };
  struct Conv2 : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = 1, n_filt = 3, kernel_size = 5;
    typedef conv2_accum_t accum_t;
    typedef Mnist::weight_t weight_t;
    typedef Mnist::bias_t bias_t;
    typedef hash_type hash_t;
  };
  template <unsigned C>
  struct Activation : nnet::sparse_activation_config {
    static const unsigned n_sparse = N, n_chan = C;
    typedef hash_type hash_t;
  };
  struct Pool1 : nnet::sparse_pool_config {
    static const unsigned in_height = 48, in_width = 48, pool_height = 4, pool_width = 4;
    static const unsigned out_height = 12, out_width = 12, n_sparse = N, n_chan = 1, pool_op = PoolOp;
    typedef pool1_accum_t accum_t;
    typedef hash_type hash_t;
  };
  struct Pool2 : nnet::sparse_pool_config {
    static const unsigned in_height = 12, in_width = 12, pool_height = 2, pool_width = 2;
    static const unsigned out_height = 6, out_width = 6, n_sparse = N, n_chan = 3, pool_op = PoolOp;
    typedef pool2_accum_t accum_t;
    typedef hash_type hash_t;
  };
  struct Flatten : nnet::sparse_flatten_config {
    static const unsigned height = 6, width = 6, n_chan = 3, n_sparse = N;
    typedef hash_type hash_t;
  };
  struct Dense1 : nnet::dense_config {
    static const unsigned n_in = 108, n_out = 36;
    typedef dense1_accum_t accum_t;
    typedef Mnist::weight_t weight_t;
    typedef Mnist::bias_t bias_t;
  };
  struct Relu3 : nnet::activation_config {
    static const unsigned n_in = 36;
  };
  struct Dense2 : nnet::dense_config {
    static const unsigned n_in = 36, n_out = 10;
    typedef dense2_accum_t accum_t;
    typedef Mnist::weight_t weight_t;
    typedef Mnist::bias_t bias_t;
  };
  struct Softmax : nnet::softmax_config {
    static const unsigned n_in = 10, exp_table_size = 1024, inv_table_size = 1024;
    static const int exp_range_log2 = 3, inv_range_log2 = 6;
    typedef table_t exp_table_t;
    typedef inverse_table_t inv_table_t;
    typedef softmax_accum_t accum_t;
  };

  static spec::ModelSpec spec() {
    spec::ModelSpec spec;
    spec.name = "mnist";
    spec.input_height = 48;
    spec.input_width = 48;
    spec.input_channels = 1;
    spec.input_type = describe<input_t>();
    spec.defaults.weight = describe<weight_t>();
    spec.defaults.bias = describe<bias_t>();
    spec.defaults.result = describe<sum_t>();
    spec.defaults.accum_auto = true;
    const spec::LayerKind pool =
        PoolOp == nnet::pool_max ? spec::LayerKind::SparseMaxPool2D : spec::LayerKind::SparseAvgPool2D;
    auto add = [&](spec::LayerKind kind) -> spec::LayerSpec& {
      spec.layers.emplace_back();
      spec.layers.back().kind = kind;
      return spec.layers.back();
    };
    auto& reduce = add(spec::LayerKind::InputReduce);
    reduce.n_active = N;
    reduce.threshold = 0.4;
    reduce.selection = Selection == nnet::select_topk ? spec::Selection::TopK : spec::Selection::Raster;
    auto& conv1 = add(spec::LayerKind::SparseConv2D);
    conv1.filters = 1;
    conv1.kernel = 7;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& pool1 = add(pool);
    pool1.pool_height = pool1.pool_width = 4;
    pool1.precision.result = describe<activation_t>();
    auto& conv2 = add(spec::LayerKind::SparseConv2D);
    conv2.filters = 3;
    conv2.kernel = 5;
    add(spec::LayerKind::SparseReLU).precision.result = describe<activation_t>();
    auto& pool2 = add(pool);
    pool2.pool_height = pool2.pool_width = 2;
    pool2.precision.result = describe<activation_t>();
    add(spec::LayerKind::SparseFlatten);
    add(spec::LayerKind::Dense).units = 36;
    add(spec::LayerKind::ReLU).precision.result = describe<activation_t>();
    add(spec::LayerKind::Dense).units = 10;
    auto& head = add(spec::LayerKind::Softmax);
    head.precision.result = describe<output_t>();
    head.precision.table = describe<table_t>();
    return spec;
  }

  /// The kernels' types equal the model's resolved types, layer by layer.
  static void check_types(const std::vector<spec::ResolvedLayer>& layers) {
    ASSERT_EQ(layers.size(), 12u);
    const char* where = "result types";
    EXPECT_EQ(layers[0].types.result, describe<input_t>()) << where;
    EXPECT_EQ(layers[1].types.result, describe<sum_t>()) << where;
    EXPECT_EQ(layers[1].types.accum, describe<conv1_accum_t>());
    EXPECT_EQ(layers[1].types.weight, describe<weight_t>());
    EXPECT_EQ(layers[1].types.bias, describe<bias_t>());
    EXPECT_EQ(layers[2].types.result, describe<activation_t>()) << where;
    EXPECT_EQ(layers[3].types.result, describe<activation_t>()) << where;
    if (PoolOp == nnet::pool_average) {
      EXPECT_EQ(layers[3].types.accum, describe<pool1_accum_t>());
    }
    EXPECT_EQ(layers[4].types.result, describe<sum_t>()) << where;
    EXPECT_EQ(layers[4].types.accum, describe<conv2_accum_t>());
    EXPECT_EQ(layers[5].types.result, describe<activation_t>()) << where;
    EXPECT_EQ(layers[6].types.result, describe<activation_t>()) << where;
    if (PoolOp == nnet::pool_average) {
      EXPECT_EQ(layers[6].types.accum, describe<pool2_accum_t>());
    }
    EXPECT_EQ(layers[7].types.result, describe<activation_t>()) << where;
    EXPECT_EQ(layers[8].types.result, describe<sum_t>()) << where;
    EXPECT_EQ(layers[8].types.accum, describe<dense1_accum_t>());
    EXPECT_EQ(layers[9].types.result, describe<activation_t>()) << where;
    EXPECT_EQ(layers[10].types.accum, describe<dense2_accum_t>());
    EXPECT_EQ(layers[11].types.result, describe<output_t>()) << where;
    const auto tables = sparsepixels::inference::make_softmax_tables(layers[11]);
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
      w2 = harness::kernel_parameters<weight_t>(model.layer(4).weights);
      b2 = harness::kernel_parameters<bias_t>(model.layer(4).bias);
      w3 = harness::kernel_parameters<weight_t>(model.layer(8).weights);
      b3 = harness::kernel_parameters<bias_t>(model.layer(8).bias);
      w4 = harness::kernel_parameters<weight_t>(model.layer(10).weights);
      b4 = harness::kernel_parameters<bias_t>(model.layer(10).bias);
      const auto tables = sparsepixels::inference::make_softmax_tables(model.resolved()[11]);
      exp_table = harness::kernel_table<table_t>(tables.exp_raw, tables.exp_type);
      inv_table = harness::kernel_table<inverse_table_t>(tables.inverse_raw, tables.inverse_type);
    }
  };

  /// The top function: every stage's output captured into `trace`.
  static void run(const float* event, Parameters& p, std::vector<LayerValues>& trace) {
    input_t x[48 * 48];
    for (unsigned k = 0; k < 48 * 48; ++k) x[k] = input_t(event[k]);  // the vendor's float conversion
    const input_t threshold = input_t(0.4);
    input_t f0[N];
    hash_type h0[2 * N], h1[2 * N], h2[2 * N], h3[2 * N], h4[2 * N], h5[2 * N], h6[2 * N];
    sum_t f1[N], f4[3 * N], d1[36], d2[10];
    activation_t f2[N], f3[N], f5[3 * N], f6[3 * N], flat[108], a1[36];
    output_t out[10];
    nnet::sparse_input_reduce<input_t, input_t, Reduce>(x, threshold, f0, h0);
    trace.push_back(harness::capture_sparse(f0, N, h0, N));
    nnet::sparse_conv<input_t, sum_t, Conv1>(f0, h0, f1, h1, p.w1.data(), p.b1.data());
    trace.push_back(harness::capture_sparse(f1, N, h1, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<1>>(f1, h1, f2, h2);
    trace.push_back(harness::capture_sparse(f2, N, h2, N));
    nnet::sparse_pool<activation_t, activation_t, Pool1>(f2, h2, f3, h3);
    trace.push_back(harness::capture_sparse(f3, N, h3, N));
    nnet::sparse_conv<activation_t, sum_t, Conv2>(f3, h3, f4, h4, p.w2.data(), p.b2.data());
    trace.push_back(harness::capture_sparse(f4, 3 * N, h4, N));
    nnet::sparse_relu<sum_t, activation_t, Activation<3>>(f4, h4, f5, h5);
    trace.push_back(harness::capture_sparse(f5, 3 * N, h5, N));
    nnet::sparse_pool<activation_t, activation_t, Pool2>(f5, h5, f6, h6);
    trace.push_back(harness::capture_sparse(f6, 3 * N, h6, N));
    nnet::sparse_flatten<activation_t, activation_t, Flatten>(f6, h6, flat);
    trace.push_back(harness::capture_dense(flat, 108));
    nnet::dense<activation_t, sum_t, Dense1>(flat, d1, p.w3.data(), p.b3.data());
    trace.push_back(harness::capture_dense(d1, 36));
    nnet::relu<sum_t, activation_t, Relu3>(d1, a1);
    trace.push_back(harness::capture_dense(a1, 36));
    nnet::dense<activation_t, sum_t, Dense2>(a1, d2, p.w4.data(), p.b4.data());
    trace.push_back(harness::capture_dense(d2, 10));
    nnet::softmax<sum_t, output_t, Softmax>(d2, out, p.exp_table.data(), p.inv_table.data());
    trace.push_back(harness::capture_dense(out, 10));
  }
};

TEST(MnistKernelEquality, EightBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Mnist<Mnist8, nnet::select_raster, nnet::pool_average, 20>>(1000, 101);
  harness::expect_every_layer_exercised(profile);
}

TEST(MnistKernelEquality, EightBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Mnist<Mnist8, nnet::select_topk, nnet::pool_max, 12>>(1000, 102);
  harness::expect_every_layer_exercised(profile);
}

TEST(MnistKernelEquality, SixteenBitRasterAveragePooling) {
  const auto profile =
      harness::expect_kernels_equal<Mnist<Mnist16, nnet::select_raster, nnet::pool_average, 20>>(1000, 103);
  harness::expect_every_layer_exercised(profile);
}

TEST(MnistKernelEquality, SixteenBitTopkMaxPooling) {
  const auto profile =
      harness::expect_kernels_equal<Mnist<Mnist16, nnet::select_topk, nnet::pool_max, 12>>(1000, 104);
  harness::expect_every_layer_exercised(profile);
}

}  // namespace
