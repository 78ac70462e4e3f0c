// The standard (io_stream) operations against their kernels: Conv2D (nnet::conv_2d_stream), AvgPool2D /
// MaxPool2D (nnet::pooling_2d_stream), ReLU on a map (nnet::relu_stream) and Flatten
// (nnet::flatten_stream). A stream output must hold exactly the expected number of pixels; array outputs
// are guarded by sentinels.
#include <gtest/gtest.h>

#include "hls_stream.h"
#include "nnet_activation_stream.h"
#include "nnet_conv2d_stream.h"
#include "nnet_flatten_stream.h"
#include "nnet_pooling_stream.h"
#include "nnet_types.h"
#include "op_harness.h"
#include "type_sets.h"

namespace {

using namespace ops;

/// A random H x W x C map (channel-last): zeros, small, middle or full-range values.
inline LayerValues random_map(Random& random, unsigned pixels, unsigned channels, const FixedType& type) {
  LayerValues values;
  const int scale = static_cast<int>(random.between(0, 2));
  const double zeros = random.chance(0.3) ? 0.7 : 0.1;
  for (unsigned k = 0; k < pixels * channels; ++k) {
    values.raw.push_back(random.chance(zeros) ? 0 : random_raw(random, type, scale));
  }
  return values;
}

/// The map as a stream of pixels.
template <class T, unsigned C>
void write_stream(const LayerValues& values, hls::stream<nnet::array<T, C>>& stream) {
  for (std::size_t pixel = 0; pixel < values.raw.size() / C; ++pixel) {
    nnet::array<T, C> element;
    for (unsigned c = 0; c < C; ++c) element[c] = from_raw<T>(values.raw[pixel * C + c]);
    stream.write(element);
  }
}

/// The stream's pixels as raw values; a stream of another length than `pixels` is a failure.
template <class T, unsigned C>
LayerValues read_stream(hls::stream<nnet::array<T, C>>& stream, std::size_t pixels, Tally& tally) {
  LayerValues values;
  if (stream.size() != pixels) {
    tally.fail(tally.guard_failures, "the output stream holds " + std::to_string(stream.size()) +
                                         " pixels, not " + std::to_string(pixels));
    return values;
  }
  while (!stream.empty()) {
    const nnet::array<T, C> element = stream.read();
    for (unsigned c = 0; c < C; ++c) values.raw.push_back(raw_of(element[c]));
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Conv2D: 'same', stride 1, the bias always added, zero outside the image.

template <class Types, unsigned H, unsigned W, unsigned C, unsigned F, unsigned K>
struct Conv2DOp {
  typedef typename Types::conv_in_t input_t;
  typedef typename Types::conv_out_t result_t;
  typedef typename Types::weight_t weight_t;
  typedef typename Types::bias_t bias_t;
  typedef typename Types::accum_t accum_t;
  struct Config : nnet::conv2d_stream_config {
    static const unsigned in_height = H, in_width = W, n_chan = C, filt_height = K, filt_width = K,
                          n_filt = F;
    typedef Conv2DOp::accum_t accum_t;
    typedef Conv2DOp::weight_t weight_t;
    typedef Conv2DOp::bias_t bias_t;
  };
  static std::string name() { return shape_name("HWCFK", {H, W, C, F, K}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(H, W, C, in_type);
    auto& conv = add_layer(model, spec::LayerKind::Conv2D);
    conv.filters = F;
    conv.kernel = K;
    conv.precision.weight = describe<weight_t>();
    conv.precision.bias = describe<bias_t>();
    conv.precision.result = describe<result_t>();
    const bool own_accum = random.chance(0.5);
    if (own_accum) {
      conv.precision.accum = describe<accum_t>();
    } else {
      conv.precision.accum_auto = true;
    }
    const auto layers = spec::resolve(model);
    const auto& info = layers[0];
    const FixedType exact = independent_accumulator(info.types.weight, in_type, info.types.bias, K * K * C);
    tally.check(own_accum || info.types.accum == exact, "the resolved accumulator is not the exact one");
    tally.check(spec::type_covers(describe<accum_t>(), exact), "the kernel's accumulator is not exact");

    const bool off_grid = random.chance(0.2);
    const int scale = static_cast<int>(random.between(0, 2));
    std::vector<float> weights(K * K * C * F), bias(F);
    for (float& w : weights) w = random_parameter(random, info.types.weight, off_grid, scale);
    for (float& b : bias) b = random_parameter(random, info.types.bias, off_grid, scale);
    const auto host = host_layer(layers, 0, in_type, weights, bias);
    auto kernel_weights = kernel_parameters<weight_t>(weights, info.types.weight, host->weights_raw(), tally);
    auto kernel_bias = kernel_parameters<bias_t>(bias, info.types.bias, host->biases_raw(), tally);

    const LayerValues in = random_map(random, H * W, C, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    hls::stream<nnet::array<input_t, C>> data;
    hls::stream<nnet::array<result_t, F>> res;
    write_stream(in, data);
    nnet::conv_2d_stream<nnet::array<input_t, C>, nnet::array<result_t, F>, Config>(
        data, res, kernel_weights.data(), kernel_bias.data());
    tally.check(data.empty(), "the kernel left input pixels unread");
    compare(host_out, read_stream(res, H * W, tally), tally);
  }
};

TEST(OpsHarness, Conv2D) {
  const auto tally = run_kind<OperationList<
      Conv2DOp<Types8, 4, 5, 1, 1, 1>, Conv2DOp<Types16, 6, 6, 2, 3, 3>, Conv2DOp<Types32, 8, 7, 3, 2, 7>,
      Conv2DOp<Types8, 15, 16, 1, 2, 15>, Conv2DOp<Types16, 9, 9, 2, 1, 3>, Conv2DOp<Types32, 7, 9, 3, 3, 1>,
      Conv2DOp<Types8, 13, 13, 2, 3, 3>, Conv2DOp<Types16, 5, 6, 1, 1, 7>, Conv2DOp<Types16, 6, 6, 3, 2, 5>>>(
      "Conv2D");
  EXPECT_GT(tally.out_of_range, 0u) << "no result saturated or wrapped";
}

// ---------------------------------------------------------------------------------------------------
// AvgPool2D / MaxPool2D: full cells only (partial windows dropped).

template <class Types, unsigned Op, unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW>
struct Pool2DOp {
  typedef typename Types::pool_in_t input_t;
  typedef typename Types::pool_out_t result_t;
  typedef typename Types::pool_accum_t accum_t;
  struct Config : nnet::pooling2d_stream_config {
    static const unsigned in_height = H, in_width = W, n_chan = C, pool_height = PH, pool_width = PW;
    static const unsigned out_height = H / PH, out_width = W / PW, pool_op = Op;
    typedef Pool2DOp::accum_t accum_t;
  };
  static std::string name() { return shape_name("HWC pool", {H, W, C, PH, PW}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(H, W, C, in_type);
    auto& pool =
        add_layer(model, Op == nnet::pool_max ? spec::LayerKind::MaxPool2D : spec::LayerKind::AvgPool2D);
    pool.pool_height = PH;
    pool.pool_width = PW;
    pool.precision.result = describe<result_t>();
    const bool own_accum = Op == nnet::pool_average && random.chance(0.5);
    if (own_accum) pool.precision.accum = describe<accum_t>();
    const auto layers = spec::resolve(model);
    if (Op == nnet::pool_average) {
      const FixedType exact = independent_sum(in_type, PH * PW);
      tally.check(own_accum || layers[0].types.accum == exact, "the resolved pool accumulator is not exact");
      tally.check(spec::type_covers(describe<accum_t>(), exact),
                  "the kernel's pool accumulator is not exact");
    }
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const LayerValues in = random_map(random, H * W, C, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    hls::stream<nnet::array<input_t, C>> data;
    hls::stream<nnet::array<result_t, C>> res;
    write_stream(in, data);
    nnet::pooling_2d_stream<nnet::array<input_t, C>, nnet::array<result_t, C>, Config>(data, res);
    tally.check(data.empty(), "the kernel left input pixels unread");
    compare(host_out, read_stream(res, (H / PH) * (W / PW), tally), tally);
  }
};

TEST(OpsHarness, AvgPool2D) {
  const unsigned op = nnet::pool_average;
  run_kind<OperationList<Pool2DOp<Types8, op, 6, 6, 1, 2, 2>, Pool2DOp<Types16, op, 7, 9, 2, 3, 2>,
                         Pool2DOp<Types32, op, 13, 13, 3, 2, 3>, Pool2DOp<Types8, op, 14, 15, 2, 7, 5>,
                         Pool2DOp<Types16, op, 5, 5, 1, 1, 1>, Pool2DOp<Types32, op, 12, 10, 1, 4, 6>,
                         Pool2DOp<Types8, op, 9, 8, 3, 1, 3>>>("AvgPool2D");
}

TEST(OpsHarness, MaxPool2D) {
  const unsigned op = nnet::pool_max;
  run_kind<OperationList<Pool2DOp<Types8, op, 6, 6, 2, 2, 2>, Pool2DOp<Types16, op, 7, 9, 1, 3, 2>,
                         Pool2DOp<Types32, op, 13, 13, 2, 2, 3>, Pool2DOp<Types16, op, 14, 15, 3, 7, 5>,
                         Pool2DOp<Types8, op, 5, 5, 1, 1, 1>, Pool2DOp<Types32, op, 12, 10, 3, 4, 6>,
                         Pool2DOp<Types8, op, 8, 9, 1, 3, 1>>>("MaxPool2D");
}

// ---------------------------------------------------------------------------------------------------
// ReLU on a map (nnet::relu_stream): the host ReLU of a Conv2D's output.

template <class Types, unsigned H, unsigned W, unsigned C>
struct ReluStreamOp {
  typedef typename Types::conv_out_t input_t;
  typedef typename Types::activation_t result_t;
  struct Config : nnet::activation_stream_config {
    static const unsigned n_in = H * W, n_chan = C;
  };
  static std::string name() { return shape_name("HWC", {H, W, C}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(H, W, C, in_type);
    add_layer(model, spec::LayerKind::ReLU).precision.result = describe<result_t>();
    const auto layers = spec::resolve(model);
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const LayerValues in = random_map(random, H * W, C, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    hls::stream<nnet::array<input_t, C>> data;
    hls::stream<nnet::array<result_t, C>> res;
    write_stream(in, data);
    nnet::relu_stream<nnet::array<input_t, C>, nnet::array<result_t, C>, Config>(data, res);
    tally.check(data.empty(), "the kernel left input pixels unread");
    compare(host_out, read_stream(res, H * W, tally), tally);
  }
};

TEST(OpsHarness, ReLUStream) {
  run_kind<OperationList<ReluStreamOp<Types8, 3, 3, 1>, ReluStreamOp<Types16, 5, 4, 2>,
                         ReluStreamOp<Types32, 4, 6, 3>, ReluStreamOp<Types8, 1, 1, 2>>>("ReLU (stream)");
}

// ---------------------------------------------------------------------------------------------------
// Flatten (nnet::flatten_stream): pixel-major, channel-minor into an array.

template <class Types, unsigned H, unsigned W, unsigned C>
struct FlattenOp {
  typedef typename Types::activation_t input_t;
  struct Config : nnet::flatten_stream_config {
    static const unsigned height = H, width = W, n_chan = C;
  };
  static std::string name() { return shape_name("HWC", {H, W, C}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(H, W, C, in_type);
    add_layer(model, spec::LayerKind::Flatten);
    const auto layers = spec::resolve(model);
    tally.check(layers[0].types.result == in_type, "Flatten result type");
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const LayerValues in = random_map(random, H * W, C, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    hls::stream<nnet::array<input_t, C>> data;
    write_stream(in, data);
    Guarded<input_t> flat(H * W * C, feature_sentinel<input_t>());
    nnet::flatten_stream<nnet::array<input_t, C>, input_t, Config>(data, flat.data());
    tally.check(data.empty(), "the kernel left input pixels unread");
    tally.check_guards(flat.guards_intact(), "flat");
    compare(host_out, LayerValues{raws_of(flat), {}}, tally);
  }
};

TEST(OpsHarness, Flatten) {
  run_kind<OperationList<FlattenOp<Types8, 1, 1, 1>, FlattenOp<Types16, 2, 3, 2>, FlattenOp<Types32, 3, 3, 3>,
                         FlattenOp<Types8, 6, 5, 2>>>("Flatten");
}

}  // namespace
