// SparseBatchNormalization (nnet::sparse_batchnorm) against its kernel: the host folds gamma, beta and
// the moving statistics into one scale and one shift per channel; the kernel gets those raw values as
// a generated project writes them. Cases: slots active through some channels only (the shift still
// applies to their zero channels), inactive slots (must stay 0), saturating, rounding and wrapping
// result types, the host's exact accumulator or the kernel's wide one.
#include <gtest/gtest.h>

#include "nnet_sparse_batchnorm.h"
#include "op_harness.h"
#include "type_sets.h"

namespace {

using namespace ops;

template <class Types, unsigned N, unsigned C>
struct SparseBatchNormOp {
  typedef typename Types::pool_in_t input_t;
  typedef typename Types::pool_out_t result_t;
  typedef typename Types::weight_t scale_t;
  typedef typename Types::bias_t bias_t;
  typedef typename Types::accum_t accum_t;
  static const unsigned H = 9, W = 11;
  typedef hash_type<W> hash_t;
  struct Config : nnet::sparse_batchnorm_config {
    static const unsigned n_sparse = N, n_chan = C;
    typedef SparseBatchNormOp::accum_t accum_t;
    typedef SparseBatchNormOp::scale_t scale_t;
    typedef SparseBatchNormOp::bias_t bias_t;
    typedef SparseBatchNormOp::hash_t hash_t;
  };
  static std::string name() { return shape_name("NC", {N, C}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = sparse_model_of(H, W, C, in_type, N);
    auto& bn = add_layer(model, spec::LayerKind::SparseBatchNormalization);
    bn.precision.weight = describe<scale_t>();
    bn.precision.bias = describe<bias_t>();
    bn.precision.result = describe<result_t>();
    const bool own_accum = random.chance(0.5);
    if (own_accum) {
      bn.precision.accum = describe<accum_t>();
    } else {
      bn.precision.accum_auto = true;
    }
    const auto layers = spec::resolve(model);
    const auto& info = layers[1];
    const FixedType exact = independent_accumulator(info.types.weight, in_type, info.types.bias, 1);
    tally.check(info.fan_in == 1, "fan-in");
    tally.check(own_accum || info.types.accum == exact, "the resolved accumulator is not the exact one");
    tally.check(spec::type_covers(describe<accum_t>(), exact), "the kernel's accumulator is not exact");

    // gamma, moving mean, moving variance (> 0), beta: folded scales from about 1/8 to 8.
    std::vector<float> weights(3 * C), bias(C);
    for (unsigned c = 0; c < C; ++c) {
      weights[c] = static_cast<float>((random.unit() * 2 - 1) * 2);
      weights[C + c] = static_cast<float>((random.unit() * 2 - 1) * 2);
      weights[2 * C + c] =
          static_cast<float>(std::ldexp(0.5 + random.unit(), static_cast<int>(random.between(-6, 4))));
      bias[c] = static_cast<float>((random.unit() * 2 - 1) * 2);
    }
    const auto host = host_layer(layers, 1, in_type, weights, bias);
    tally.check(host->weights_raw().size() == C && host->biases_raw().size() == C, "folded parameter counts");
    std::vector<scale_t> scale;
    std::vector<bias_t> shift;
    for (unsigned c = 0; c < C; ++c) {
      scale.push_back(from_raw<scale_t>(host->weights_raw()[c]));
      shift.push_back(from_raw<bias_t>(host->biases_raw()[c]));
    }

    const int active = random_active_count(random, N, H * W, tally);
    const SparseSlots slots = random_slots(random, N, C, H, W, in_type, active);
    const LayerValues host_out = run_host(*host, slots.values, tally);

    auto feat_in = guarded_features<input_t>(slots.values.raw);
    auto hash_in = guarded_hash<hash_t>(slots.values.hash);
    Guarded<result_t> feat_out(N * C, feature_sentinel<result_t>());
    Guarded<hash_t> hash_out(2 * N, hash_sentinel<hash_t>());
    nnet::sparse_batchnorm<input_t, result_t, Config>(feat_in.data(), hash_in.data(), feat_out.data(),
                                                      hash_out.data(), scale.data(), shift.data());
    tally.check_guards(feat_in.guards_intact() && hash_in.guards_intact(), "the inputs");
    tally.check_guards(feat_out.guards_intact(), "feat_out");
    tally.check_guards(hash_out.guards_intact(), "hash_out");
    compare(host_out, LayerValues{raws_of(feat_out), ints_of(hash_out)}, tally);
  }
};

TEST(OpsHarness, SparseBatchNormalization) {
  run_kind<OperationList<SparseBatchNormOp<Types8, 1, 1>, SparseBatchNormOp<Types16, 8, 2>,
                         SparseBatchNormOp<Types32, 20, 3>, SparseBatchNormOp<Types8, 64, 3>,
                         SparseBatchNormOp<Types16, 64, 1>, SparseBatchNormOp<Types32, 8, 2>>>(
      "SparseBatchNormalization");
}

}  // namespace
