// nnet::sparse_batchnorm against the host library's fixed forward pass (layers::FixedLayer of a
// SparseBatchNormalization) on random events: every output raw bit and the hash compared, for several
// budgets, channel counts and types (rounding, saturation and wrapping result types). C++20 because
// the host side is the library.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ap_fixed.h"
#include "nnet_sparse_batchnorm.h"
#include "sparse_test_support.h"
#include "sparsepixels/layers/fixed_layer.h"
#include "sparsepixels/spec/model_spec.h"

namespace {

namespace sp = sparsepixels;
using reference::Format;
using reference::Rounding;

typedef ap_uint<4> hash_t;

template <unsigned N, unsigned C, class Scale, class Bias, class Accum>
struct Config : nnet::sparse_batchnorm_config {
  static const unsigned n_sparse = N, n_chan = C;
  typedef Accum accum_t;
  typedef Scale scale_t;
  typedef Bias bias_t;
  typedef ::hash_t hash_t;
};

struct Types {
  std::string data, scale, bias, accum, result;
};

// Runs `events` random events through the kernel and the host layer; returns the mismatches.
template <unsigned N, unsigned C, class data_t, class scale_t, class bias_t, class accum_t, class res_t>
void compare(const Types& types, const Format& data_format, std::uint32_t seed, int events = 400) {
  SCOPED_TRACE(types.result);
  using Cfg = Config<N, C, scale_t, bias_t, accum_t>;
  // The layer as the host resolves it: after an InputReduce of N slots on an 8x8 grid of C channels.
  sp::spec::ModelSpec spec;
  spec.input_height = spec.input_width = 8;
  spec.input_channels = C;
  spec.input_type = sp::fixed::FixedType::parse(types.data);
  sp::spec::LayerSpec reduce;
  reduce.kind = sp::spec::LayerKind::InputReduce;
  reduce.n_active = N;
  sp::spec::LayerSpec bn;
  bn.kind = sp::spec::LayerKind::SparseBatchNormalization;
  bn.precision.weight = sp::fixed::FixedType::parse(types.scale);
  bn.precision.bias = sp::fixed::FixedType::parse(types.bias);
  bn.precision.accum = sp::fixed::FixedType::parse(types.accum);
  bn.precision.result = sp::fixed::FixedType::parse(types.result);
  spec.layers = {reduce, bn};
  const sp::spec::ResolvedLayer layer = sp::spec::resolve(spec, "kernel test").back();

  // Random trained parameters: gamma, moving mean, moving variance (> 0), beta.
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> weights(3 * C), bias(C);
  for (unsigned c = 0; c < C; ++c) {
    weights[c] = uniform(generator);
    weights[C + c] = uniform(generator);
    weights[2 * C + c] = 0.05f + std::abs(uniform(generator));
    bias[c] = uniform(generator);
  }
  const auto host = sp::layers::make_fixed_layer(layer, spec.input_type, weights, bias);
  const sp::fixed::FixedType& scale_type = layer.types.weight;
  const sp::fixed::FixedType& bias_type = layer.types.bias;
  scale_t scale[C];
  bias_t shift[C];
  for (unsigned c = 0; c < C; ++c) {
    scale[c] = std::ldexp(static_cast<double>(host->weights_raw()[c]), -scale_type.fraction());
    shift[c] = std::ldexp(static_cast<double>(host->biases_raw()[c]), -bias_type.fraction());
  }

  const int data_fraction = spec.input_type.fraction();
  const int result_fraction = layer.types.result.fraction();
  std::size_t mismatches = 0, nonzero = 0, inactive = 0;
  std::uniform_int_distribution<int> active_count(0, static_cast<int>(N));
  for (int e = 0; e < events; ++e) {
    const reference::SparseEvent event =
        reference::random_sparse_event(generator, 8, 8, C, N, active_count(generator), data_format, true);
    std::vector<data_t> features;
    std::vector<hash_t> hash;
    reference::to_kernel(event, features, hash);
    std::vector<res_t> out(N * C);
    std::vector<hash_t> hash_out(2 * N);
    nnet::sparse_batchnorm<data_t, res_t, Cfg>(features.data(), hash.data(), out.data(), hash_out.data(),
                                               scale, shift);

    sp::layers::LayerValues in, expected;
    for (double value : event.features) {
      in.raw.push_back(static_cast<std::int64_t>(std::ldexp(value, data_fraction)));
    }
    in.hash = event.hash;
    host->forward(in, expected);
    for (unsigned k = 0; k < N * C; ++k) {
      const auto raw = static_cast<std::int64_t>(std::ldexp(out[k].to_double(), result_fraction));
      if (raw != expected.raw[k]) ++mismatches;
      if (raw != 0) ++nonzero;
    }
    for (unsigned slot = 0; slot < N; ++slot) {
      if (!event.active(static_cast<int>(slot))) {
        ++inactive;
        for (unsigned c = 0; c < C; ++c) EXPECT_EQ(out[slot * C + c].to_double(), 0.0);
      }
    }
    EXPECT_EQ(reference::to_ints(hash_out), event.hash);
    EXPECT_EQ(expected.hash, event.hash);
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(nonzero, 0u);
  EXPECT_GT(inactive, 0u);
}

TEST(SparseBatchNorm, KernelEqualsHostFixedForward) {
  // 16-bit types, the exact accumulator (as resolve derives it), one channel.
  compare<8, 1, ap_fixed<16, 6>, ap_fixed<16, 6>, ap_fixed<16, 6>, ap_fixed<33, 13>, ap_fixed<16, 6>>(
      {"ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<33,13>", "ap_fixed<16,6>"},
      Format{16, 6, true, Rounding::floor}, 1);
  // Unsigned 8-bit input (after a quantized relu), rounding and saturating result, three channels.
  compare<5, 3, ap_ufixed<8, 2>, ap_fixed<8, 3>, ap_fixed<6, 2>, ap_fixed<17, 6>,
          ap_fixed<8, 3, AP_RND_CONV, AP_SAT>>({"ap_ufixed<8,2>", "ap_fixed<8,3>", "ap_fixed<6,2>",
                                                "ap_fixed<17,6>", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"},
                                               Format{8, 2, false, Rounding::floor}, 2);
  // A wrapping, truncating narrow result and a wider accumulator than needed, two channels.
  compare<12, 2, ap_fixed<10, 4>, ap_fixed<12, 4>, ap_fixed<10, 5>, ap_fixed<40, 16>, ap_fixed<7, 2>>(
      {"ap_fixed<10,4>", "ap_fixed<12,4>", "ap_fixed<10,5>", "ap_fixed<40,16>", "ap_fixed<7,2>"},
      Format{10, 4, true, Rounding::floor}, 3);
  // An unsigned saturating result (the fused quantized relu after batch normalization).
  compare<6, 2, ap_fixed<12, 4>, ap_fixed<10, 3>, ap_fixed<10, 3>, ap_fixed<23, 8>,
          ap_ufixed<8, 2, AP_RND_CONV, AP_SAT>>({"ap_fixed<12,4>", "ap_fixed<10,3>", "ap_fixed<10,3>",
                                                 "ap_fixed<23,8>", "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"},
                                                Format{12, 4, true, Rounding::floor}, 4);
}

}  // namespace
