// A small standard (dense, io_stream) CNN: the streamed HLS kernels wired like a generated top
// function and the host fixed inference give the same raw bits in every layer over 1,000 random
// events. 13x13x2 input (two channels, a partial pooling window dropped), conv 3x3 -> 3, relu,
// average pool 2 (6x6), conv 5x5 -> 2, relu, max pool 3 (2x2), flatten 8, dense, softmax or sigmoid.
#include <gtest/gtest.h>

#include <vector>

#include "hls_stream.h"
#include "kernel_harness.h"
#include "nnet_activation.h"
#include "nnet_activation_stream.h"
#include "nnet_conv2d_stream.h"
#include "nnet_dense.h"
#include "nnet_flatten_stream.h"
#include "nnet_pooling_stream.h"
#include "nnet_types.h"

namespace {

namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using harness::describe;
using harness::ExactAccumulator;
using harness::ExactSum;
using harness::LayerValues;

struct Types8 {
  typedef ap_ufixed<8, 1> input_t;  // channel 1 is sometimes negative: it wraps, on both sides
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> sum_t;
  typedef ap_ufixed<8, 0, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

struct Types16 {
  typedef ap_fixed<16, 6> input_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<18, 8> sum_t;
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> activation_t;
  typedef ap_fixed<16, 6> output_t;
};

/// Moves every element of `from` into `to` and records it (the stage's output) in `trace`.
template <class T, unsigned C>
void pass_on(hls::stream<nnet::array<T, C>>& from, hls::stream<nnet::array<T, C>>& to,
             std::vector<LayerValues>& trace) {
  LayerValues values;
  while (!from.empty()) {
    const nnet::array<T, C> pixel = from.read();
    for (unsigned channel = 0; channel < C; ++channel) values.raw.push_back(harness::raw_of(pixel[channel]));
    to.write(pixel);
  }
  trace.push_back(values);
}

template <class P, bool Sigmoid>
struct Standard {
  typedef typename P::input_t input_t;
  typedef typename P::weight_t weight_t;
  typedef typename P::bias_t bias_t;
  typedef typename P::sum_t sum_t;
  typedef typename P::activation_t activation_t;
  typedef typename P::output_t output_t;
  typedef ap_fixed<18, 2> table_t;
  typedef ap_fixed<18, 8> inverse_table_t;  // the softmax inverse table (kernel default)
  static const unsigned n_out = Sigmoid ? 1 : 4;

  typedef typename ExactAccumulator<weight_t, input_t, bias_t, 9 * 2>::type conv1_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 25 * 3>::type conv2_accum_t;
  typedef typename ExactAccumulator<weight_t, activation_t, bias_t, 8>::type dense_accum_t;
  typedef typename ExactSum<activation_t, 4>::type pool_accum_t;
  typedef typename ExactSum<table_t, 4>::type softmax_accum_t;

  struct Conv1 : nnet::conv2d_stream_config {
    static const unsigned in_height = 13, in_width = 13, n_chan = 2, filt_height = 3, filt_width = 3,
                          n_filt = 3;
    typedef conv1_accum_t accum_t;
    typedef Standard::weight_t weight_t;
    typedef Standard::bias_t bias_t;
  };
  struct Relu1 : nnet::activation_stream_config {
    static const unsigned n_in = 13 * 13, n_chan = 3;
  };
  struct Pool1 : nnet::pooling2d_stream_config {
    static const unsigned in_height = 13, in_width = 13, n_chan = 3, pool_height = 2, pool_width = 2;
    static const unsigned out_height = 6, out_width = 6, pool_op = nnet::pool_average;
    typedef pool_accum_t accum_t;
  };
  struct Conv2 : nnet::conv2d_stream_config {
    static const unsigned in_height = 6, in_width = 6, n_chan = 3, filt_height = 5, filt_width = 5,
                          n_filt = 2;
    typedef conv2_accum_t accum_t;
    typedef Standard::weight_t weight_t;
    typedef Standard::bias_t bias_t;
  };
  struct Relu2 : nnet::activation_stream_config {
    static const unsigned n_in = 6 * 6, n_chan = 2;
  };
  struct Pool2 : nnet::pooling2d_stream_config {
    static const unsigned in_height = 6, in_width = 6, n_chan = 2, pool_height = 3, pool_width = 3;
    static const unsigned out_height = 2, out_width = 2, pool_op = nnet::pool_max;
  };
  struct Flatten : nnet::flatten_stream_config {
    static const unsigned height = 2, width = 2, n_chan = 2;
  };
  struct Dense : nnet::dense_config {
    static const unsigned n_in = 8, n_out = Standard::n_out;
    typedef dense_accum_t accum_t;
    typedef Standard::weight_t weight_t;
    typedef Standard::bias_t bias_t;
  };
  struct SigmoidConfig : nnet::sigmoid_config {
    static const unsigned n_in = Standard::n_out, table_size = 1024;
    static const int table_range_log2 = 3;
    typedef Standard::table_t table_t;
  };
  struct SoftmaxConfig : nnet::softmax_config {
    static const unsigned n_in = Standard::n_out, exp_table_size = 1024, inv_table_size = 1024;
    static const int exp_range_log2 = 3, inv_range_log2 = 6;
    typedef table_t exp_table_t;
    typedef inverse_table_t inv_table_t;
    typedef softmax_accum_t accum_t;
  };

  static spec::ModelSpec spec() {
    spec::ModelSpec spec;
    spec.name = "standard";
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
    auto& conv1 = add(spec::LayerKind::Conv2D);
    conv1.filters = 3;
    conv1.kernel = 3;
    add(spec::LayerKind::ReLU).precision.result = describe<activation_t>();
    auto& pool1 = add(spec::LayerKind::AvgPool2D);
    pool1.pool_height = pool1.pool_width = 2;
    pool1.precision.result = describe<activation_t>();
    auto& conv2 = add(spec::LayerKind::Conv2D);
    conv2.filters = 2;
    conv2.kernel = 5;
    add(spec::LayerKind::ReLU).precision.result = describe<activation_t>();
    auto& pool2 = add(spec::LayerKind::MaxPool2D);
    pool2.pool_height = pool2.pool_width = 3;
    pool2.precision.result = describe<activation_t>();
    add(spec::LayerKind::Flatten);
    add(spec::LayerKind::Dense).units = n_out;
    auto& head = add(Sigmoid ? spec::LayerKind::Sigmoid : spec::LayerKind::Softmax);
    head.precision.result = describe<output_t>();
    head.precision.table = describe<table_t>();
    return spec;
  }

  static void check_types(const std::vector<spec::ResolvedLayer>& layers) {
    ASSERT_EQ(layers.size(), 9u);
    EXPECT_EQ(layers[0].types.result, describe<sum_t>());
    EXPECT_EQ(layers[0].types.accum, describe<conv1_accum_t>());
    EXPECT_EQ(layers[1].types.result, describe<activation_t>());
    EXPECT_EQ(layers[2].types.result, describe<activation_t>());
    EXPECT_EQ(layers[2].types.accum, describe<pool_accum_t>());
    EXPECT_EQ(layers[3].types.accum, describe<conv2_accum_t>());
    EXPECT_EQ(layers[5].types.result, describe<activation_t>());
    EXPECT_EQ(layers[6].types.result, describe<activation_t>());
    EXPECT_EQ(layers[7].types.accum, describe<dense_accum_t>());
    EXPECT_EQ(layers[8].types.result, describe<output_t>());
    if (Sigmoid) {
      EXPECT_EQ(sparsepixels::inference::make_sigmoid_table(layers[8]).table_type, describe<table_t>());
    } else {
      EXPECT_EQ(sparsepixels::inference::make_softmax_tables(layers[8]).sum_type,
                describe<softmax_accum_t>());
      EXPECT_EQ(sparsepixels::inference::make_softmax_tables(layers[8]).inverse_layout.range_log2,
                +SoftmaxConfig::inv_range_log2);
    }
  }

  struct Parameters {
    std::vector<weight_t> w1, w2, w3;
    std::vector<bias_t> b1, b2, b3;
    std::vector<table_t> table_a;          // sigmoid table, or softmax exp table
    std::vector<inverse_table_t> table_b;  // softmax inverse table
    Parameters(const sparsepixels::inference::FixedModel&, const model::Model& model) {
      w1 = harness::kernel_parameters<weight_t>(model.layer(0).weights);
      b1 = harness::kernel_parameters<bias_t>(model.layer(0).bias);
      w2 = harness::kernel_parameters<weight_t>(model.layer(3).weights);
      b2 = harness::kernel_parameters<bias_t>(model.layer(3).bias);
      w3 = harness::kernel_parameters<weight_t>(model.layer(7).weights);
      b3 = harness::kernel_parameters<bias_t>(model.layer(7).bias);
      if (Sigmoid) {
        const auto table = sparsepixels::inference::make_sigmoid_table(model.resolved()[8]);
        table_a = harness::kernel_table<table_t>(table.raw, table.table_type);
      } else {
        const auto tables = sparsepixels::inference::make_softmax_tables(model.resolved()[8]);
        table_a = harness::kernel_table<table_t>(tables.exp_raw, tables.exp_type);
        table_b = harness::kernel_table<inverse_table_t>(tables.inverse_raw, tables.inverse_type);
      }
    }
  };

  static void run(const float* event, Parameters& p, std::vector<LayerValues>& trace) {
    hls::stream<nnet::array<input_t, 2>> input;
    for (unsigned pixel = 0; pixel < 13 * 13; ++pixel) {
      nnet::array<input_t, 2> value;
      for (unsigned channel = 0; channel < 2; ++channel) value[channel] = input_t(event[2 * pixel + channel]);
      input.write(value);
    }
    hls::stream<nnet::array<sum_t, 3>> conv1, conv1_next;
    hls::stream<nnet::array<activation_t, 3>> relu1, relu1_next, pool1, pool1_next;
    hls::stream<nnet::array<sum_t, 2>> conv2, conv2_next;
    hls::stream<nnet::array<activation_t, 2>> relu2, relu2_next, pool2, pool2_next;
    nnet::conv_2d_stream<nnet::array<input_t, 2>, nnet::array<sum_t, 3>, Conv1>(input, conv1, p.w1.data(),
                                                                                p.b1.data());
    pass_on(conv1, conv1_next, trace);
    nnet::relu_stream<nnet::array<sum_t, 3>, nnet::array<activation_t, 3>, Relu1>(conv1_next, relu1);
    pass_on(relu1, relu1_next, trace);
    nnet::pooling_2d_stream<nnet::array<activation_t, 3>, nnet::array<activation_t, 3>, Pool1>(relu1_next,
                                                                                               pool1);
    pass_on(pool1, pool1_next, trace);
    nnet::conv_2d_stream<nnet::array<activation_t, 3>, nnet::array<sum_t, 2>, Conv2>(
        pool1_next, conv2, p.w2.data(), p.b2.data());
    pass_on(conv2, conv2_next, trace);
    nnet::relu_stream<nnet::array<sum_t, 2>, nnet::array<activation_t, 2>, Relu2>(conv2_next, relu2);
    pass_on(relu2, relu2_next, trace);
    nnet::pooling_2d_stream<nnet::array<activation_t, 2>, nnet::array<activation_t, 2>, Pool2>(relu2_next,
                                                                                               pool2);
    pass_on(pool2, pool2_next, trace);
    activation_t flat[8];
    nnet::flatten_stream<nnet::array<activation_t, 2>, activation_t, Flatten>(pool2_next, flat);
    trace.push_back(harness::capture_dense(flat, 8));
    sum_t logits[n_out];
    nnet::dense<activation_t, sum_t, Dense>(flat, logits, p.w3.data(), p.b3.data());
    trace.push_back(harness::capture_dense(logits, n_out));
    output_t out[n_out];
    if (Sigmoid) {
      nnet::sigmoid<sum_t, output_t, SigmoidConfig>(logits, out, p.table_a.data());
    } else {
      nnet::softmax<sum_t, output_t, SoftmaxConfig>(logits, out, p.table_a.data(), p.table_b.data());
    }
    trace.push_back(harness::capture_dense(out, n_out));
  }
};

TEST(StandardKernelEquality, EightBitSoftmax) {
  const auto profile = harness::expect_kernels_equal<Standard<Types8, false>>(1000, 401);
  harness::expect_every_layer_exercised(profile);
}

TEST(StandardKernelEquality, SixteenBitSigmoid) {
  const auto profile = harness::expect_kernels_equal<Standard<Types16, true>>(1000, 402);
  harness::expect_every_layer_exercised(profile);
}

}  // namespace
