// InputReduce: raster and top-k selection, empty slots, quantized threshold, gradient routing.
#include <gtest/gtest.h>

#include <random>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec reduce_spec(int n_active, double threshold, spec::Selection selection) {
  spec::LayerSpec spec;
  spec.kind = spec::LayerKind::InputReduce;
  spec.n_active = n_active;
  spec.threshold = threshold;
  spec.selection = selection;
  return spec;
}

// A 3x4 image with two channels; channel 0 decides activity.
tensor::Batch image_batch() {
  tensor::Batch batch;
  batch.reset(1, 3 * 4 * 2);
  const float channel0[12] = {0, 0.5f, 0, 0.2f, 0.9f, 0, 0, 0.3f, 0, 0.1f, 0, 0.7f};
  for (int p = 0; p < 12; ++p) {
    batch.values[p * 2] = channel0[p];
    batch.values[p * 2 + 1] = 10.0f + p;  // channel 1 is never used for selection
  }
  return batch;
}

TEST(InputReduce, RasterKeepsFirstActivePixelsInOrder) {
  auto layer = layers::make_layer(resolve_single(reduce_spec(3, 0.15, spec::Selection::Raster), 3, 4, 2));
  tensor::Batch out;
  layer->forward(image_batch(), out);
  // Active (> 0.15): pixels 1 (0.5), 3 (0.2), 4 (0.9), 7 (0.3), 11 (0.7); raster keeps 1, 3, 4.
  ASSERT_EQ(out.event_size, 6u);
  const std::vector<float> expected{0.5f, 11.0f, 0.2f, 13.0f, 0.9f, 14.0f};
  EXPECT_EQ(out.values, expected);
  EXPECT_EQ(out.geometry->row, (std::vector<std::int16_t>{1, 1, 2}));
  EXPECT_EQ(out.geometry->col, (std::vector<std::int16_t>{2, 4, 1}));
}

TEST(InputReduce, TopKKeepsLargestWithTiesToLowerIndex) {
  auto layer = layers::make_layer(resolve_single(reduce_spec(2, 0.15, spec::Selection::TopK), 3, 4, 2));
  tensor::Batch out;
  layer->forward(image_batch(), out);
  // Largest: 0.9 (pixel 4), then 0.7 (pixel 11).
  EXPECT_EQ(out.values, (std::vector<float>{0.9f, 14.0f, 0.7f, 21.0f}));
  EXPECT_EQ(out.geometry->row, (std::vector<std::int16_t>{2, 3}));
  EXPECT_EQ(out.geometry->col, (std::vector<std::int16_t>{1, 4}));
}

TEST(InputReduce, FewerActiveThanSlotsLeavesEmptySlotsAllZero) {
  auto layer = layers::make_layer(resolve_single(reduce_spec(7, 0.15, spec::Selection::Raster), 3, 4, 2));
  tensor::Batch out;
  layer->forward(image_batch(), out);
  // Five active pixels, then two empty slots: zero on every channel (the reference's C > 1 bug fixed).
  for (int s = 5; s < 7; ++s) {
    EXPECT_EQ(out.values[s * 2], 0.0f);
    EXPECT_EQ(out.values[s * 2 + 1], 0.0f);
    EXPECT_EQ(out.geometry->row[s], 1);
    EXPECT_EQ(out.geometry->col[s], 1);
    EXPECT_EQ(out.geometry->position[s], 0);
  }
}

TEST(InputReduce, QuantizedModeComparesQuantizedValues) {
  spec::ModelSpec spec;
  spec.input_height = 1;
  spec.input_width = 4;
  spec.input_channels = 1;
  spec.input_type = fixed::FixedType::parse("ap_ufixed<4,0,AP_RND_CONV,AP_SAT>");  // lsb 1/16
  spec.layers.push_back(reduce_spec(4, 0.1, spec::Selection::Raster));
  auto layer = layers::make_layer(spec::resolve(spec, "test").back());
  tensor::Batch in;
  in.reset(1, 4);
  // 0.1 -> 2/16; 0.11 -> 2/16 (not above); 0.16 -> 3/16; 0.99 -> saturates at 15/16.
  in.values = {0.11f, 0.16f, 0.0f, 0.99f};
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_EQ(out.values[0], 0.11f);  // float mode: 0.11 > 0.1
  layer->prepare(true);
  layer->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{3.0f / 16, 15.0f / 16, 0.0f, 0.0f}));
}

TEST(InputReduce, GradientReachesOnlyKeptPixels) {
  auto layer = layers::make_layer(resolve_single(reduce_spec(3, 0.15, spec::Selection::Raster), 3, 4, 2));
  const tensor::Batch in = image_batch();
  tensor::Batch out;
  layer->forward(in, out);
  std::vector<float> grad_out{1, 2, 3, 4, 5, 6}, grad_in;
  layers::ParameterGradients none;
  layer->backward(in, out, grad_out, &grad_in, none);
  std::vector<float> expected(24, 0.0f);
  expected[1 * 2] = 1;
  expected[1 * 2 + 1] = 2;
  expected[3 * 2] = 3;
  expected[3 * 2 + 1] = 4;
  expected[4 * 2] = 5;
  expected[4 * 2 + 1] = 6;
  EXPECT_EQ(grad_in, expected);
  // Finite differences on the kept pixels agree (the selection is held constant by small steps).
  gradient_check(
      *layer, in, 5, true, [&](std::size_t i) { return expected[i] != 0.0f; }, 1e-3);
}

}  // namespace
}  // namespace sparsepixels::testing

namespace sparsepixels::testing {
namespace {

TEST(InputReduce, RasterMatchesABruteForceScanOnLargerImages) {
  // One channel in float mode takes a block-skipping path: compare it with a plain scan.
  for (int n_active : {1, 12, 40}) {
    auto layer =
        layers::make_layer(resolve_single(reduce_spec(n_active, 0.3, spec::Selection::Raster), 21, 19, 1));
    tensor::Batch in;
    in.reset(5, 21 * 19);
    std::mt19937_64 random(static_cast<std::uint64_t>(n_active));
    for (float& v : in.values) v = random() % 12 == 0 ? static_cast<float>(random() % 100) / 100.0f : 0.0f;
    tensor::Batch out;
    layer->forward(in, out);
    for (std::size_t e = 0; e < 5; ++e) {
      int slot = 0;
      for (int pixel = 0; pixel < 21 * 19 && slot < n_active; ++pixel) {
        if (in.event(e)[pixel] <= 0.3f) continue;
        EXPECT_EQ(out.event(e)[slot], in.event(e)[pixel]);
        EXPECT_EQ(out.geometry->row[e * n_active + slot], pixel / 19 + 1);
        EXPECT_EQ(out.geometry->col[e * n_active + slot], pixel % 19 + 1);
        ++slot;
      }
      for (; slot < n_active; ++slot) EXPECT_EQ(out.geometry->position[e * n_active + slot], 0);
    }
  }
}

}  // namespace
}  // namespace sparsepixels::testing
