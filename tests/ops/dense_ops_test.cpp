// The dense head against its kernels: Dense (nnet::dense), ReLU on vectors (nnet::relu), Sigmoid
// (nnet::sigmoid) and Softmax (nnet::softmax), with the host's lookup tables passed to the kernels
// verbatim (as code generation writes them).
#include <gtest/gtest.h>

#include "nnet_activation.h"
#include "nnet_dense.h"
#include "op_harness.h"
#include "type_sets.h"

namespace {

using namespace ops;

/// A random input vector of `type`: full range, small or middle values, some zeros, some ties.
inline LayerValues random_vector(Random& random, unsigned n, const FixedType& type) {
  LayerValues values;
  const int scale = static_cast<int>(random.between(0, 2));
  const double zeros = random.chance(0.3) ? 0.5 : 0.05;
  for (unsigned k = 0; k < n; ++k) {
    std::int64_t raw = random.chance(zeros) ? 0 : random_raw(random, type, scale);
    if (k > 0 && random.chance(0.1)) raw = values.raw[k - 1];  // ties
    values.raw.push_back(raw);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Dense: bias plus the exact sum, cast once.

template <class Types, unsigned NIn, unsigned NOut>
struct DenseOp {
  typedef typename Types::activation_t input_t;
  typedef typename Types::conv_out_t result_t;
  typedef typename Types::weight_t weight_t;
  typedef typename Types::bias_t bias_t;
  typedef typename Types::accum_t accum_t;
  struct Config : nnet::dense_config {
    static const unsigned n_in = NIn, n_out = NOut;
    typedef DenseOp::accum_t accum_t;
    typedef DenseOp::weight_t weight_t;
    typedef DenseOp::bias_t bias_t;
  };
  static std::string name() { return shape_name("in out", {NIn, NOut}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(1, 1, NIn, in_type);
    auto& dense = add_layer(model, spec::LayerKind::Dense);
    dense.units = NOut;
    dense.precision.weight = describe<weight_t>();
    dense.precision.bias = describe<bias_t>();
    dense.precision.result = describe<result_t>();
    const bool own_accum = random.chance(0.5);
    if (own_accum) {
      dense.precision.accum = describe<accum_t>();
    } else {
      dense.precision.accum_auto = true;
    }
    const auto layers = spec::resolve(model);
    const auto& info = layers[0];
    const FixedType exact = independent_accumulator(info.types.weight, in_type, info.types.bias, NIn);
    tally.check(own_accum || info.types.accum == exact, "the resolved accumulator is not the exact one");
    tally.check(spec::type_covers(describe<accum_t>(), exact), "the kernel's accumulator is not exact");

    const bool off_grid = random.chance(0.2);
    const int scale = static_cast<int>(random.between(0, 2));
    std::vector<float> weights(NIn * NOut), bias(NOut);
    for (float& w : weights) w = random_parameter(random, info.types.weight, off_grid, scale);
    for (float& b : bias) b = random_parameter(random, info.types.bias, off_grid, scale);
    const auto host = host_layer(layers, 0, in_type, weights, bias);
    auto kernel_weights = kernel_parameters<weight_t>(weights, info.types.weight, host->weights_raw(), tally);
    auto kernel_bias = kernel_parameters<bias_t>(bias, info.types.bias, host->biases_raw(), tally);

    const LayerValues in = random_vector(random, NIn, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    auto data = guarded_features<input_t>(in.raw);
    Guarded<result_t> res(NOut, feature_sentinel<result_t>());
    nnet::dense<input_t, result_t, Config>(data.data(), res.data(), kernel_weights.data(),
                                           kernel_bias.data());
    tally.check_guards(data.guards_intact(), "data");
    tally.check_guards(res.guards_intact(), "res");
    compare(host_out, LayerValues{raws_of(res), {}}, tally);
  }
};

TEST(OpsHarness, Dense) {
  const auto tally =
      run_kind<OperationList<DenseOp<Types8, 1, 1>, DenseOp<Types16, 8, 3>, DenseOp<Types32, 20, 2>,
                             DenseOp<Types8, 64, 1>, DenseOp<Types16, 64, 3>, DenseOp<Types32, 3, 10>,
                             DenseOp<Types8, 36, 10>, DenseOp<Types16, 2, 2>>>("Dense");
  EXPECT_GT(tally.out_of_range, 0u) << "no result saturated or wrapped";
}

// ---------------------------------------------------------------------------------------------------
// ReLU on a vector (nnet::relu).

template <class Types, unsigned N>
struct ReluOp {
  typedef typename Types::conv_out_t input_t;
  typedef typename Types::activation_t result_t;
  struct Config : nnet::activation_config {
    static const unsigned n_in = N;
  };
  static std::string name() { return shape_name("n", {N}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(1, 1, N, in_type);
    add_layer(model, spec::LayerKind::ReLU).precision.result = describe<result_t>();
    const auto layers = spec::resolve(model);
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const LayerValues in = random_vector(random, N, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    auto data = guarded_features<input_t>(in.raw);
    Guarded<result_t> res(N, feature_sentinel<result_t>());
    nnet::relu<input_t, result_t, Config>(data.data(), res.data());
    tally.check_guards(data.guards_intact(), "data");
    tally.check_guards(res.guards_intact(), "res");
    compare(host_out, LayerValues{raws_of(res), {}}, tally);
  }
};

TEST(OpsHarness, ReLU) {
  run_kind<OperationList<ReluOp<Types8, 1>, ReluOp<Types16, 8>, ReluOp<Types32, 20>, ReluOp<Types8, 64>,
                         ReluOp<Types16, 3>, ReluOp<Types32, 64>>>("ReLU");
}

// ---------------------------------------------------------------------------------------------------
// Sigmoid: the host's table, 1024 entries over [-8, 8), indexed by the input's raw bits.

template <class Types>
struct SigmoidOp {
  typedef typename Types::head_in_t input_t;
  typedef typename Types::head_out_t result_t;
  typedef typename Types::table_t table_t;
  struct Config : nnet::sigmoid_config {
    static const unsigned n_in = 1, table_size = 1024;
    static const int table_range_log2 = 3;
    typedef SigmoidOp::table_t table_t;
  };
  static std::string name() { return std::string("n 1 ") + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(1, 1, 1, in_type);
    auto& sigmoid = add_layer(model, spec::LayerKind::Sigmoid);
    sigmoid.precision.result = describe<result_t>();
    sigmoid.precision.table = describe<table_t>();
    const auto layers = spec::resolve(model);
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const auto table = sparsepixels::layers::make_sigmoid_table(layers[0]);
    tally.check(table.table_type == describe<table_t>(), "sigmoid table type");
    tally.check(table.layout.size == std::size_t{Config::table_size} &&
                    table.layout.range_log2 == Config::table_range_log2,
                "sigmoid table layout");
    std::vector<table_t> kernel_table;
    for (std::int64_t raw : table.raw) kernel_table.push_back(from_raw<table_t>(raw));

    LayerValues in;
    const int scale = static_cast<int>(random.between(0, 2));
    in.raw.push_back(random.chance(0.05) ? 0 : random_raw(random, in_type, scale));
    const LayerValues host_out = run_host(*host, in, tally);
    auto data = guarded_features<input_t>(in.raw);
    Guarded<result_t> res(1, feature_sentinel<result_t>());
    nnet::sigmoid<input_t, result_t, Config>(data.data(), res.data(), kernel_table.data());
    tally.check_guards(data.guards_intact(), "data");
    tally.check_guards(res.guards_intact(), "res");
    compare(host_out, LayerValues{raws_of(res), {}}, tally);
  }
};

TEST(OpsHarness, Sigmoid) {
  run_kind<OperationList<SigmoidOp<Types8>, SigmoidOp<Types16>, SigmoidOp<Types32>>>("Sigmoid");
}

// ---------------------------------------------------------------------------------------------------
// Softmax: the host's exp and inverse tables; the kernel's sum type derived here (table type plus
// ceil(log2(n_in)) integer bits) must equal the host's.

template <class Types, unsigned N>
struct SoftmaxOp {
  typedef typename Types::head_in_t input_t;
  typedef typename Types::head_out_t result_t;
  typedef typename Types::table_t table_t;
  typedef ap_fixed<18, 8> inverse_t;  // the kernel default
  static const int extra = nnet::ceil_log2<N>::value;
  typedef ap_fixed<ApTraits<table_t>::width + extra, ApTraits<table_t>::integer + extra> sum_t;
  struct Config : nnet::softmax_config {
    static const unsigned n_in = N, exp_table_size = 1024, inv_table_size = 1024;
    static const int exp_range_log2 = 3, inv_range_log2 = N >= 64 ? 7 : 6;
    typedef SoftmaxOp::table_t exp_table_t;
    typedef inverse_t inv_table_t;
    typedef sum_t accum_t;
  };
  static std::string name() { return shape_name("n", {N}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = model_of(1, 1, N, in_type);
    auto& softmax = add_layer(model, spec::LayerKind::Softmax);
    softmax.precision.result = describe<result_t>();
    softmax.precision.table = describe<table_t>();
    const auto layers = spec::resolve(model);
    const auto host = host_layer(layers, 0, in_type, {}, {});
    const auto tables = sparsepixels::layers::make_softmax_tables(layers[0], in_type);
    tally.check(tables.exp_type == describe<table_t>() && tables.inverse_type == describe<inverse_t>() &&
                    tables.sum_type == describe<sum_t>(),
                "softmax table and sum types");
    tally.check(tables.exp_layout.range_log2 == Config::exp_range_log2 &&
                    tables.inverse_layout.range_log2 == Config::inv_range_log2 &&
                    tables.exp_layout.size == std::size_t{Config::exp_table_size} &&
                    tables.inverse_layout.size == std::size_t{Config::inv_table_size},
                "softmax table layouts");
    std::vector<table_t> exp_table;
    std::vector<inverse_t> inverse_table;
    for (std::int64_t raw : tables.exp_raw) exp_table.push_back(from_raw<table_t>(raw));
    for (std::int64_t raw : tables.inverse_raw) inverse_table.push_back(from_raw<inverse_t>(raw));

    const LayerValues in = random_vector(random, N, in_type);
    const LayerValues host_out = run_host(*host, in, tally);
    auto data = guarded_features<input_t>(in.raw);
    Guarded<result_t> res(N, feature_sentinel<result_t>());
    nnet::softmax<input_t, result_t, Config>(data.data(), res.data(), exp_table.data(), inverse_table.data());
    tally.check_guards(data.guards_intact(), "data");
    tally.check_guards(res.guards_intact(), "res");
    compare(host_out, LayerValues{raws_of(res), {}}, tally);
  }
};

TEST(OpsHarness, Softmax) {
  run_kind<
      OperationList<SoftmaxOp<Types8, 1>, SoftmaxOp<Types16, 2>, SoftmaxOp<Types32, 3>, SoftmaxOp<Types8, 10>,
                    SoftmaxOp<Types16, 20>, SoftmaxOp<Types32, 64>, SoftmaxOp<Types16, 64>>>("Softmax");
}

}  // namespace
