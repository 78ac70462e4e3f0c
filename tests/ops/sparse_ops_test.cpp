// The sparse operations against their kernels: InputReduce (nnet::sparse_input_reduce), SparseReLU
// (nnet::sparse_relu), SparseAvgPool2D / SparseMaxPool2D (nnet::sparse_pool) and SparseFlatten
// (nnet::sparse_flatten). SparseConv2D is in sparse_conv_ops_test.cpp (its grid is the largest).
#include <gtest/gtest.h>

#include "nnet_sparse_activation.h"
#include "nnet_sparse_flatten.h"
#include "nnet_sparse_input_reduce.h"
#include "nnet_sparse_pool.h"
#include "op_harness.h"
#include "type_sets.h"

namespace {

using namespace ops;

// ---------------------------------------------------------------------------------------------------
// InputReduce: dense image -> N slots. Cases: no pixel above the threshold, fewer than N, exactly N,
// more than N (all slots active), equal values (top-k ties), values around the threshold's step and
// beyond the input type's range, borders and corners; the threshold drawn off the type's grid.

template <class Types, unsigned Selection, unsigned H, unsigned W, unsigned C, unsigned N>
struct InputReduceOp {
  typedef typename Types::reduce_t input_t;
  typedef hash_type<(H > W ? H : W)> hash_t;
  struct Config : nnet::sparse_input_reduce_config {
    static const unsigned height = H, width = W, n_chan = C, n_sparse = N, selection = Selection;
    typedef InputReduceOp::hash_t hash_t;
  };

  static std::string name() {
    return shape_name(Selection == nnet::select_topk ? "topk HWCN" : "raster HWCN", {H, W, C, N}) + " " +
           Types::name();
  }

  static void run(Random& random, Tally& tally) {
    const FixedType type = describe<input_t>();
    const double lsb = type.lsb();
    const double threshold = random.chance(0.2) ? 0.0 : random.unit() * std::min(type.max_value(), 1.0) * 0.6;
    spec::ModelSpec model = model_of(H, W, C, type);
    auto& reduce = add_layer(model, spec::LayerKind::InputReduce);
    reduce.n_active = N;
    reduce.threshold = threshold;
    reduce.selection = Selection == nnet::select_topk ? spec::Selection::TopK : spec::Selection::Raster;
    const auto layers = spec::resolve(model);
    tally.check(layers[0].types.result == type, "InputReduce result type");
    const auto host = host_layer(layers, 0, type, {}, {});

    // The event as float32 (what the runner and the generated top receive).
    const unsigned pixels = H * W;
    std::vector<float> event(pixels * C, 0.0f);
    const int scenario = static_cast<int>(random.between(0, 7));
    int above = 0;
    switch (scenario) {
      case 0:
        above = 0;
        break;
      case 1:
        above = static_cast<int>(N);
        break;
      case 2:
        above = static_cast<int>(random.between(1, N));
        break;
      default:
        above = static_cast<int>(random.between(N + 1, N + 1 + 3 * N));
        break;
    }
    above = std::min<int>(above, static_cast<int>(pixels));
    for (int noise = 0; noise < 6; ++noise) {  // at or below the threshold once quantized
      const std::size_t pixel = static_cast<std::size_t>(random.between(0, pixels - 1));
      event[pixel * C] = static_cast<float>(std::max(0.0, threshold - random.unit() * 3 * lsb));
    }
    const double palette[3] = {threshold + 0.05 + random.unit() * 0.5, threshold + 0.05 + random.unit() * 0.5,
                               threshold + lsb};
    for (int k = 0; k < above; ++k) {
      std::size_t pixel = static_cast<std::size_t>(random.between(0, pixels - 1));
      if (scenario == 4 && k % 2 == 0) {  // borders and corners
        const int side = static_cast<int>(random.between(0, 3));
        const int along = static_cast<int>(random.between(0, (side < 2 ? W : H) - 1));
        const int row = side == 0 ? 0 : side == 1 ? static_cast<int>(H) - 1 : along;
        const int col = side < 2 ? along : (side == 2 ? 0 : static_cast<int>(W) - 1);
        pixel = static_cast<std::size_t>(row) * W + static_cast<std::size_t>(col);
      }
      double value = threshold + lsb + random.unit() * 0.8;
      if (scenario == 5) value = palette[random.between(0, 2)];
      if (scenario == 6 && k % 3 == 0) value = threshold + (random.unit() * 2 - 0.5) * lsb;
      if (scenario == 7 && k % 4 == 0) value = type.max_value() * (1.0 + random.unit());
      event[pixel * C] = static_cast<float>(value);
      for (unsigned c = 1; c < C; ++c) event[pixel * C + c] = static_cast<float>(random.unit() * 2.4 - 1.2);
    }

    // Host: the runner's conversion of the float event to the input type, then the layer.
    LayerValues in;
    in.raw.resize(event.size());
    for (std::size_t k = 0; k < event.size(); ++k)
      in.raw[k] = type.quantize_raw(static_cast<double>(event[k]));
    const LayerValues host_out = run_host(*host, in, tally);
    int selected = 0;  // a selected pixel's channel 0 is above the threshold (>= 0), so non-zero
    for (unsigned slot = 0; slot < N; ++slot) selected += host_out.raw[slot * C] != 0 ? 1 : 0;
    if (selected == 0) ++tally.zero_active;
    if (selected == static_cast<int>(N)) ++tally.all_active;

    // Kernel: the vendor's conversion, then the kernel.
    auto x = guarded_features<input_t>(std::vector<std::int64_t>(event.size(), 0));
    for (std::size_t k = 0; k < event.size(); ++k) x[k] = input_t(event[k]);
    LayerValues converted;
    converted.raw = raws_of(x);
    compare(in, converted, tally);  // the input conversion itself
    Guarded<input_t> feat(N * C, feature_sentinel<input_t>());
    Guarded<hash_t> hash(2 * N, hash_sentinel<hash_t>());
    nnet::sparse_input_reduce<input_t, input_t, Config>(x.data(), input_t(threshold), feat.data(),
                                                        hash.data());
    tally.check_guards(x.guards_intact(), "x");
    tally.check(raws_of(x) == converted.raw, "the kernel changed its input");
    tally.check_guards(feat.guards_intact(), "feat_out");
    tally.check_guards(hash.guards_intact(), "hash_out");
    LayerValues kernel_out;
    kernel_out.raw = raws_of(feat);
    kernel_out.hash = ints_of(hash);
    compare(host_out, kernel_out, tally);
  }
};

TEST(OpsHarness, InputReduce) {
  using nnet::select_raster;
  using nnet::select_topk;
  const auto tally = run_kind<OperationList<
      InputReduceOp<Types8, select_raster, 5, 7, 1, 1>, InputReduceOp<Types8, select_topk, 4, 6, 1, 1>,
      InputReduceOp<Types16, select_topk, 8, 8, 2, 8>, InputReduceOp<Types32, select_raster, 6, 9, 3, 8>,
      InputReduceOp<Types32, select_raster, 13, 11, 3, 20>, InputReduceOp<Types16, select_topk, 6, 6, 1, 20>,
      InputReduceOp<Types8, select_topk, 10, 12, 2, 64>, InputReduceOp<Types16, select_raster, 9, 9, 2, 64>,
      InputReduceOp<Types32, select_topk, 16, 5, 3, 8>, InputReduceOp<Types8, select_raster, 12, 12, 1, 20>,
      // The paper's images and budgets: MNIST 48x48 (top-k N = 12), jets 56x56 (top-k N = 16), neutrino
      // 63x63.
      InputReduceOp<Types8, select_topk, 48, 48, 1, 12>, InputReduceOp<Types16, select_topk, 56, 56, 1, 16>,
      InputReduceOp<Types16, select_raster, 63, 63, 1, 20>>>("InputReduce");
  EXPECT_GT(tally.zero_active, 0u);
  EXPECT_GT(tally.all_active, 0u);
}

// ---------------------------------------------------------------------------------------------------
// SparseReLU: element-wise, hash copied.

template <class Types, unsigned N, unsigned C>
struct SparseReluOp {
  typedef typename Types::conv_out_t input_t;
  typedef typename Types::activation_t result_t;
  static const unsigned H = 9, W = 11;
  typedef hash_type<W> hash_t;
  struct Config : nnet::sparse_activation_config {
    static const unsigned n_sparse = N, n_chan = C;
    typedef SparseReluOp::hash_t hash_t;
  };
  static std::string name() { return shape_name("NC", {N, C}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = sparse_model_of(H, W, C, in_type, N);
    add_layer(model, spec::LayerKind::SparseReLU).precision.result = describe<result_t>();
    const auto layers = spec::resolve(model);
    const auto host = host_layer(layers, 1, in_type, {}, {});
    const int active = random_active_count(random, N, H * W, tally);
    const SparseSlots slots = random_slots(random, N, C, H, W, in_type, active);
    const LayerValues host_out = run_host(*host, slots.values, tally);

    auto feat_in = guarded_features<input_t>(slots.values.raw);
    auto hash_in = guarded_hash<hash_t>(slots.values.hash);
    Guarded<result_t> feat_out(N * C, feature_sentinel<result_t>());
    Guarded<hash_t> hash_out(2 * N, hash_sentinel<hash_t>());
    nnet::sparse_relu<input_t, result_t, Config>(feat_in.data(), hash_in.data(), feat_out.data(),
                                                 hash_out.data());
    tally.check_guards(feat_in.guards_intact() && hash_in.guards_intact(), "the inputs");
    tally.check_guards(feat_out.guards_intact(), "feat_out");
    tally.check_guards(hash_out.guards_intact(), "hash_out");
    compare(host_out, LayerValues{raws_of(feat_out), ints_of(hash_out)}, tally);
  }
};

TEST(OpsHarness, SparseReLU) {
  run_kind<
      OperationList<SparseReluOp<Types8, 1, 1>, SparseReluOp<Types16, 8, 2>, SparseReluOp<Types32, 20, 3>,
                    SparseReluOp<Types16, 64, 1>, SparseReluOp<Types8, 64, 3>, SparseReluOp<Types32, 8, 2>>>(
      "SparseReLU");
}

// ---------------------------------------------------------------------------------------------------
// SparseAvgPool2D / SparseMaxPool2D: pooled hashes, leaders, cells outside the output grid, several
// slots in one cell (active ones and merged duplicates), signed inputs for max pooling's implicit zero.

template <class Types, unsigned Op, unsigned N, unsigned C, unsigned H, unsigned W, unsigned PH, unsigned PW>
struct SparsePoolOp {
  typedef typename Types::pool_in_t input_t;
  typedef typename Types::pool_out_t result_t;
  typedef typename Types::pool_accum_t accum_t;
  typedef hash_type<(H > W ? H : W)> hash_t;
  struct Config : nnet::sparse_pool_config {
    static const unsigned in_height = H, in_width = W, pool_height = PH, pool_width = PW;
    static const unsigned out_height = H / PH, out_width = W / PW, n_sparse = N, n_chan = C, pool_op = Op;
    typedef SparsePoolOp::accum_t accum_t;
    typedef SparsePoolOp::hash_t hash_t;
  };
  static std::string name() { return shape_name("NCHW pool", {N, C, H, W, PH, PW}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = sparse_model_of(H, W, C, in_type, N);
    auto& pool = add_layer(
        model, Op == nnet::pool_max ? spec::LayerKind::SparseMaxPool2D : spec::LayerKind::SparseAvgPool2D);
    pool.pool_height = PH;
    pool.pool_width = PW;
    pool.precision.result = describe<result_t>();
    const bool own_accum = Op == nnet::pool_average && random.chance(0.5);
    if (own_accum) pool.precision.accum = describe<accum_t>();
    const auto layers = spec::resolve(model);
    if (Op == nnet::pool_average) {
      const FixedType exact = independent_sum(in_type, PH * PW);
      tally.check(own_accum || layers[1].types.accum == exact, "the resolved pool accumulator is not exact");
      tally.check(spec::type_covers(describe<accum_t>(), exact),
                  "the kernel's pool accumulator is not exact");
    }
    const auto host = host_layer(layers, 1, in_type, {}, {});
    const int active = random_active_count(random, N, H * W, tally);
    const SparseSlots slots = random_slots(random, N, C, H, W, in_type, active);
    // Several slots in one pooled cell (active or not)?
    bool shared = false;
    for (unsigned a = 0; a < N && !shared; ++a) {
      for (unsigned b = a + 1; b < N && !shared; ++b) {
        shared = (slots.values.hash[2 * a] - 1) / static_cast<int>(PH) ==
                     (slots.values.hash[2 * b] - 1) / static_cast<int>(PH) &&
                 (slots.values.hash[2 * a + 1] - 1) / static_cast<int>(PW) ==
                     (slots.values.hash[2 * b + 1] - 1) / static_cast<int>(PW);
      }
    }
    if (shared) ++tally.duplicates;
    const LayerValues host_out = run_host(*host, slots.values, tally);

    auto feat_in = guarded_features<input_t>(slots.values.raw);
    auto hash_in = guarded_hash<hash_t>(slots.values.hash);
    Guarded<result_t> feat_out(N * C, feature_sentinel<result_t>());
    Guarded<hash_t> hash_out(2 * N, hash_sentinel<hash_t>());
    nnet::sparse_pool<input_t, result_t, Config>(feat_in.data(), hash_in.data(), feat_out.data(),
                                                 hash_out.data());
    tally.check_guards(feat_in.guards_intact() && hash_in.guards_intact(), "the inputs");
    tally.check_guards(feat_out.guards_intact(), "feat_out");
    tally.check_guards(hash_out.guards_intact(), "hash_out");
    compare(host_out, LayerValues{raws_of(feat_out), ints_of(hash_out)}, tally);
  }
};

template <class Tally>
void expect_pool_coverage(const Tally& tally) {
  EXPECT_GT(tally.zero_active, 0u);
  EXPECT_GT(tally.all_active, 0u);
  EXPECT_GT(tally.duplicates, tally.cases / 4) << "too few cases with several slots in one cell";
}

TEST(OpsHarness, SparseAvgPool2D) {
  const unsigned op = nnet::pool_average;
  const auto tally = run_kind<OperationList<
      SparsePoolOp<Types8, op, 1, 1, 6, 6, 2, 2>, SparsePoolOp<Types16, op, 8, 1, 8, 8, 1, 1>,
      SparsePoolOp<Types8, op, 8, 2, 9, 11, 2, 3>, SparsePoolOp<Types32, op, 20, 3, 13, 13, 2, 2>,
      SparsePoolOp<Types16, op, 20, 2, 14, 15, 7, 5>, SparsePoolOp<Types8, op, 64, 1, 12, 14, 4, 6>,
      SparsePoolOp<Types16, op, 64, 3, 15, 15, 5, 5>, SparsePoolOp<Types32, op, 8, 1, 7, 7, 7, 7>,
      SparsePoolOp<Types32, op, 20, 1, 10, 12, 3, 4>, SparsePoolOp<Types32, op, 64, 2, 10, 16, 1, 3>,
      SparsePoolOp<Types16, op, 1, 3, 5, 9, 3, 1>>>("SparseAvgPool2D");
  expect_pool_coverage(tally);
}

TEST(OpsHarness, SparseMaxPool2D) {
  const unsigned op = nnet::pool_max;
  const auto tally = run_kind<OperationList<
      SparsePoolOp<Types8, op, 1, 2, 6, 6, 3, 3>, SparsePoolOp<Types8, op, 8, 1, 8, 8, 1, 1>,
      SparsePoolOp<Types16, op, 8, 3, 9, 11, 2, 3>, SparsePoolOp<Types32, op, 20, 2, 13, 13, 2, 2>,
      SparsePoolOp<Types8, op, 20, 1, 14, 15, 7, 5>, SparsePoolOp<Types16, op, 64, 2, 12, 14, 4, 6>,
      SparsePoolOp<Types32, op, 64, 1, 15, 15, 5, 5>, SparsePoolOp<Types8, op, 8, 3, 7, 7, 7, 7>,
      SparsePoolOp<Types16, op, 20, 1, 10, 12, 3, 4>, SparsePoolOp<Types8, op, 64, 3, 16, 10, 3, 1>,
      SparsePoolOp<Types32, op, 1, 1, 5, 9, 1, 2>>>("SparseMaxPool2D");
  expect_pool_coverage(tally);
}

// ---------------------------------------------------------------------------------------------------
// SparseFlatten: slots scattered into the zero-filled map; coordinates outside the map (slots pooled
// outside the grid) are dropped.

template <class Types, unsigned N, unsigned C, unsigned H, unsigned W>
struct SparseFlattenOp {
  typedef typename Types::activation_t input_t;
  static const unsigned R = H + 2, S = W + 1;  // coordinates reach past the map
  typedef hash_type<(R > S ? R : S)> hash_t;
  struct Config : nnet::sparse_flatten_config {
    static const unsigned height = H, width = W, n_chan = C, n_sparse = N;
    typedef SparseFlattenOp::hash_t hash_t;
  };
  static std::string name() { return shape_name("NCHW", {N, C, H, W}) + " " + Types::name(); }

  static void run(Random& random, Tally& tally) {
    const FixedType in_type = describe<input_t>();
    spec::ModelSpec model = sparse_model_of(H, W, C, in_type, N);
    add_layer(model, spec::LayerKind::SparseFlatten);
    const auto layers = spec::resolve(model);
    tally.check(layers[1].types.result == in_type, "SparseFlatten result type");
    const auto host = host_layer(layers, 1, in_type, {}, {});
    const bool outside = random.chance(0.4);
    const int rows = outside ? static_cast<int>(R) : static_cast<int>(H);
    const int cols = outside ? static_cast<int>(S) : static_cast<int>(W);
    const int active = random_active_count(random, N, rows * cols, tally);
    const SparseSlots slots = random_slots(random, N, C, rows, cols, in_type, active);
    const LayerValues host_out = run_host(*host, slots.values, tally);

    auto feat_in = guarded_features<input_t>(slots.values.raw);
    auto hash_in = guarded_hash<hash_t>(slots.values.hash);
    Guarded<input_t> flat(H * W * C, feature_sentinel<input_t>());
    nnet::sparse_flatten<input_t, input_t, Config>(feat_in.data(), hash_in.data(), flat.data());
    tally.check_guards(feat_in.guards_intact() && hash_in.guards_intact(), "the inputs");
    tally.check_guards(flat.guards_intact(), "flat");
    compare(host_out, LayerValues{raws_of(flat), {}}, tally);
  }
};

TEST(OpsHarness, SparseFlatten) {
  run_kind<OperationList<SparseFlattenOp<Types8, 1, 1, 3, 3>, SparseFlattenOp<Types16, 8, 2, 4, 5>,
                         SparseFlattenOp<Types32, 20, 3, 6, 6>, SparseFlattenOp<Types8, 64, 1, 9, 9>,
                         SparseFlattenOp<Types16, 64, 2, 5, 7>, SparseFlattenOp<Types32, 20, 1, 2, 2>>>(
      "SparseFlatten");
}

}  // namespace
