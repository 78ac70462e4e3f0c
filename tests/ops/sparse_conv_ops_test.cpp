// SparseConv2D against nnet::sparse_conv over a covering grid of N x C x F x K x types (every value of
// each and most pairs): N in {1, 8, 20, 64}, C and F in {1, 2, 3}, K in {1, 3, 7, 15}, 8/16/32-bit.
// Cases: no active slot, all slots active, neighbours packed in a small window, inactive slots on
// active coordinates, weights with many zeros (exactly zero sums get no bias), off-grid float
// parameters (QKeras rounding on both sides), narrow results that saturate or wrap. The host takes its
// own exact accumulator or the kernel's wider one, case by case: any exact accumulator gives the same bits.
#include <gtest/gtest.h>

#include "nnet_sparse_conv.h"
#include "op_harness.h"
#include "type_sets.h"

namespace {

using namespace ops;

template <class Types, unsigned N, unsigned C, unsigned F, unsigned K>
struct SparseConvOp {
  typedef typename Types::conv_in_t input_t;
  typedef typename Types::conv_out_t result_t;
  typedef typename Types::weight_t weight_t;
  typedef typename Types::bias_t bias_t;
  typedef typename Types::accum_t accum_t;
  static const unsigned H = K + 5, W = K + 6;  // room for 64 slots and for neighbours at every offset
  typedef hash_type<W> hash_t;
  struct Config : nnet::sparse_conv_config {
    static const unsigned n_sparse = N, n_chan = C, n_filt = F, kernel_size = K;
    typedef SparseConvOp::accum_t accum_t;
    typedef SparseConvOp::weight_t weight_t;
    typedef SparseConvOp::bias_t bias_t;
    typedef SparseConvOp::hash_t hash_t;
  };
  static std::string name() { return shape_name("NCFK", {N, C, F, K}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = sparse_model_of(H, W, C, in_type, N);
    auto& conv = add_layer(model, spec::LayerKind::SparseConv2D);
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
    const auto& info = layers[1];
    const int fan_in = static_cast<int>(std::min(N, K * K) * C);
    const FixedType exact = independent_accumulator(info.types.weight, in_type, info.types.bias, fan_in);
    tally.check(info.fan_in == fan_in, "fan-in");
    tally.check(own_accum || info.types.accum == exact, "the resolved accumulator is not the exact one");
    tally.check(spec::type_covers(describe<accum_t>(), exact), "the kernel's accumulator is not exact");

    // Parameters: dense or mostly zero, full range or small, on the grid or off it.
    const bool off_grid = random.chance(0.2);
    const double density = random.chance(0.3) ? 0.15 : 1.0;
    const int scale = static_cast<int>(random.between(0, 2));
    std::vector<float> weights(K * K * C * F), bias(F);
    for (float& w : weights)
      w = random.chance(density) ? random_parameter(random, info.types.weight, off_grid, scale) : 0;
    for (float& b : bias) b = random_parameter(random, info.types.bias, off_grid, scale);
    const auto host = host_layer(layers, 1, in_type, weights, bias);
    auto kernel_weights = kernel_parameters<weight_t>(weights, info.types.weight, host->weights_raw(), tally);
    auto kernel_bias = kernel_parameters<bias_t>(bias, info.types.bias, host->biases_raw(), tally);

    const int active = random_active_count(random, N, H * W, tally);
    const SparseSlots slots = random_slots(random, N, C, H, W, in_type, active);
    const LayerValues host_out = run_host(*host, slots.values, tally);

    auto feat_in = guarded_features<input_t>(slots.values.raw);
    auto hash_in = guarded_hash<hash_t>(slots.values.hash);
    Guarded<result_t> feat_out(N * F, feature_sentinel<result_t>());
    Guarded<hash_t> hash_out(2 * N, hash_sentinel<hash_t>());
    nnet::sparse_conv<input_t, result_t, Config>(feat_in.data(), hash_in.data(), feat_out.data(),
                                                 hash_out.data(), kernel_weights.data(), kernel_bias.data());
    tally.check_guards(feat_in.guards_intact() && hash_in.guards_intact(), "the inputs");
    tally.check(raws_of(feat_in) == slots.values.raw && ints_of(hash_in) == slots.values.hash,
                "the kernel changed its input");
    tally.check_guards(feat_out.guards_intact(), "feat_out");
    tally.check_guards(hash_out.guards_intact(), "hash_out");
    compare(host_out, LayerValues{raws_of(feat_out), ints_of(hash_out)}, tally);
    // A filter whose weights are all zero sums exactly zero: no bias, output zero (reference 11.3).
    for (unsigned f = 0; f < F; ++f) {
      bool zero_filter = true;
      for (unsigned tap = 0; tap < K * K * C; ++tap)
        zero_filter = zero_filter && host->weights_raw()[tap * F + f] == 0;
      if (!zero_filter || host->biases_raw()[f] == 0) continue;
      for (unsigned slot = 0; slot < N; ++slot) {
        bool slot_active = false;
        for (unsigned c = 0; c < C; ++c) slot_active = slot_active || slots.values.raw[slot * C + c] != 0;
        if (!slot_active) continue;
        ++tally.bias_skipped;
        tally.check(host_out.raw[slot * F + f] == 0, "an exactly zero sum got the bias");
      }
    }
  }
};

TEST(OpsHarness, SparseConv2D) {
  const auto tally = run_kind<OperationList<
      SparseConvOp<Types8, 1, 1, 1, 1>, SparseConvOp<Types16, 1, 2, 3, 15>, SparseConvOp<Types32, 1, 3, 2, 7>,
      SparseConvOp<Types32, 8, 1, 2, 3>, SparseConvOp<Types8, 8, 2, 1, 7>, SparseConvOp<Types16, 8, 3, 3, 1>,
      SparseConvOp<Types8, 8, 2, 2, 15>, SparseConvOp<Types16, 20, 1, 3, 7>,
      SparseConvOp<Types32, 20, 2, 2, 15>, SparseConvOp<Types8, 20, 3, 1, 3>,
      SparseConvOp<Types32, 20, 3, 3, 3>, SparseConvOp<Types16, 64, 1, 1, 15>,
      SparseConvOp<Types32, 64, 2, 3, 1>, SparseConvOp<Types8, 64, 3, 2, 3>,
      SparseConvOp<Types16, 64, 1, 2, 7>, SparseConvOp<Types8, 64, 3, 3, 7>,
      // The paper's layers: MNIST conv 5x5 -> 3 (N = 12 top-k), jets conv 9x9 -> 1 (N = 16 top-k).
      SparseConvOp<Types8, 12, 1, 3, 5>, SparseConvOp<Types16, 16, 3, 1, 9>>>("SparseConv2D");
  EXPECT_GT(tally.zero_active, 0u);
  EXPECT_GT(tally.all_active, 0u);
  EXPECT_GT(tally.out_of_range, 0u) << "no result saturated or wrapped";
  EXPECT_GT(tally.bias_skipped, 0u) << "no active slot had an exactly zero sum";
}

}  // namespace
