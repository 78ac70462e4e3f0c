// SparseAvgPool2D / SparseMaxPool2D: merging rule, partial windows, implicit zeros, gradients.
#include <gtest/gtest.h>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec pool_spec(spec::LayerKind kind, int pool) {
  spec::LayerSpec spec;
  spec.kind = kind;
  spec.pool_height = spec.pool_width = pool;
  return spec;
}

TEST(SparseAvgPool2D, LowestSlotOfACellReceivesTheSumOverTheArea) {
  auto layer = layers::make_layer(resolve_single(pool_spec(spec::LayerKind::SparseAvgPool2D, 2), 5, 5, 1, 5));
  // Cells of 2x2: (2,2) and (1,2) share pooled cell (1,1); (3,3) alone in (2,2); (5,1) is in the
  // partial row 3 of a 5x5 grid (only 2 full pooled rows): zeroed.
  const tensor::Batch in =
      sparse_batch({{{2, 2, {1}}, {3, 3, {2}}, {1, 2, {3}}, {5, 1, {4}}, {1, 1, {}, false}}}, 5, 5, 1);
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{1.0f, 0.5f, 0.0f, 0.0f, 0.0f}));
  // Pooled coordinates: the zeroed duplicate keeps (1,1).
  EXPECT_EQ(out.geometry->row, (std::vector<std::int16_t>{1, 2, 1, 3, 1}));
  EXPECT_EQ(out.geometry->col, (std::vector<std::int16_t>{1, 2, 1, 1, 1}));
  EXPECT_EQ(out.geometry->position, (std::vector<std::uint8_t>{1, 1, 0, 0, 0}));
}

TEST(SparseAvgPool2D, QuantizedModeUsesTheFixedReciprocal) {
  auto layer = layers::make_layer(resolve_single(pool_spec(spec::LayerKind::SparseAvgPool2D, 7), 7, 7, 1, 1));
  const tensor::Batch in = sparse_batch({{{1, 1, {1}}}}, 7, 7, 1);
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_FLOAT_EQ(out.values[0], 1.0f / 49);
  layer->prepare(true);
  layer->forward(in, out);
  // 1/49 * 2^18 = 5349.88 -> 5350; result type ap_fixed<16,6> (10 fraction bits): 5350/2^18 -> 20/1024.
  EXPECT_EQ(out.values[0], 20.0f / 1024);
  EXPECT_DOUBLE_EQ(layers::pooling_reciprocal(49), 5350.0 / 262144.0);
}

TEST(SparseMaxPool2D, ImplicitZeroAndLowestIndexWinner) {
  auto layer = layers::make_layer(resolve_single(pool_spec(spec::LayerKind::SparseMaxPool2D, 2), 4, 4, 1, 6));
  // Cell (1,1): -1 and -2 (two of four pixels): implicit zero wins -> 0, no gradient.
  // Cell (2,2): all four pixels, -3 -4 -5 -6... use 4 pixels negative: max is -3 (no implicit zero).
  // Second event: cell (1,1) with 0.5 at two slots: the lower slot wins.
  const tensor::Batch in =
      sparse_batch({{{1, 1, {-1}}, {2, 2, {-2}}, {3, 3, {-4}}, {3, 4, {-3}}, {4, 3, {-5}}, {4, 4, {-6}}},
                    {{1, 2, {0.5f}},
                     {2, 1, {0.5f}},
                     {1, 1, {}, false},
                     {1, 1, {}, false},
                     {1, 1, {}, false},
                     {1, 1, {}, false}}},
                   4, 4, 1);
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{0, 0, -3, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0}));
  std::vector<float> grad_out(12, 1.0f), grad_in;
  layers::ParameterGradients none;
  layer->backward(in, out, grad_out, &grad_in, none);
  EXPECT_EQ(grad_in, (std::vector<float>{0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(SparsePool, GradientsMatchFiniteDifferences) {
  for (auto kind : {spec::LayerKind::SparseAvgPool2D, spec::LayerKind::SparseMaxPool2D}) {
    auto layer = layers::make_layer(resolve_single(pool_spec(kind, 2), 6, 6, 2, 10));
    const tensor::Batch in = random_sparse_batch(4, 10, 8, 6, 6, 2, 41);
    // Max pooling: skip inputs that tie (none here: values are distinct draws) or sit on the implicit zero.
    gradient_check(
        *layer, in, 42, true, [&](std::size_t i) { return in.values[i] != 0.0f; }, 1e-3);
  }
}

}  // namespace
}  // namespace sparsepixels::testing
