// Conv2D ('same'; a scatter path for sparse images, a row path for dense ones), AvgPool2D, MaxPool2D,
// Flatten.
#include <gtest/gtest.h>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec spec_of(spec::LayerKind kind, int filters = 0, int kernel = 0, int pool = 0) {
  spec::LayerSpec spec;
  spec.kind = kind;
  spec.filters = filters;
  spec.kernel = kernel;
  spec.pool_height = spec.pool_width = pool;
  return spec;
}

tensor::Batch random_images(std::size_t events, int height, int width, int channels, std::uint64_t seed) {
  tensor::Batch batch;
  batch.reset(events, static_cast<std::size_t>(height) * width * channels);
  fill_random(batch.values, seed);
  return batch;
}

TEST(Conv2D, HandComputedCase) {
  // 3x3 image 1..9, K=3 all-ones kernel, bias 1: centre = 45 + 1, corner (0,0) = 1+2+4+5 + 1 = 13.
  auto layer = layers::make_layer(resolve_single(spec_of(spec::LayerKind::Conv2D, 1, 3), 3, 3, 1));
  std::fill(layer->weights.begin(), layer->weights.end(), 1.0f);
  layer->bias[0] = 1;
  layer->prepare(false);
  tensor::Batch in;
  in.reset(1, 9);
  in.values = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{13, 22, 17, 28, 46, 34, 25, 40, 29}));
}

// Keeps one value in `keep` (the others become 0): 11 gives a sparse image, which takes the scatter
// path. `keep` 0: banded images of 7x6x2, rows 0, 1 and 5 and the first and last columns zero (the
// remaining 4 x 4 x 2 of 84 values keep the row path).
tensor::Batch thinned(tensor::Batch batch, std::size_t keep) {
  for (std::size_t k = 0; k < batch.values.size(); ++k) {
    if (keep == 0) {
      const std::size_t pixel = (k / 2) % 42, row = pixel / 6, col = pixel % 6;
      if (row == 0 || row == 1 || row == 5 || col == 0 || col == 5) batch.values[k] = 0.0f;
    } else if (k % keep != 0) {
      batch.values[k] = 0.0f;
    }
  }
  return batch;
}

class Conv2DDensity : public ::testing::TestWithParam<std::size_t> {};

// Dense images (every value non-zero: the row path), 1 in 3 non-zero and banded images (rows and row
// ends of zeros, code 0), which still take the row path, and sparse ones (1 in 11: the scatter path).
INSTANTIATE_TEST_SUITE_P(DenseAndSparse, Conv2DDensity, ::testing::Values(1u, 3u, 0u, 11u));

TEST_P(Conv2DDensity, MatchesDirectLoops) {
  const int height = 7, width = 6, channels = 2, filters = 3, kernel = 5;
  auto layer = layers::make_layer(
      resolve_single(spec_of(spec::LayerKind::Conv2D, filters, kernel), height, width, channels));
  fill_random(layer->weights, 1);
  fill_random(layer->bias, 2);
  layer->prepare(false);
  const tensor::Batch in = thinned(random_images(3, height, width, channels, 3), GetParam());
  tensor::Batch out;
  layer->forward(in, out);
  for (std::size_t e = 0; e < 3; ++e) {
    for (int r = 0; r < height; ++r) {
      for (int c = 0; c < width; ++c) {
        for (int f = 0; f < filters; ++f) {
          double acc = layer->bias[f];
          for (int kr = 0; kr < kernel; ++kr) {
            for (int kc = 0; kc < kernel; ++kc) {
              const int rr = r + kr - 2, cc = c + kc - 2;
              if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
              for (int ch = 0; ch < channels; ++ch) {
                acc += layer->weights[((kr * kernel + kc) * channels + ch) * filters + f] *
                       in.event(e)[(rr * width + cc) * channels + ch];
              }
            }
          }
          EXPECT_NEAR(out.event(e)[(r * width + c) * filters + f], acc, 1e-4);
        }
      }
    }
  }
}

TEST_P(Conv2DDensity, GradientsMatchFiniteDifferences) {
  auto layer = layers::make_layer(resolve_single(spec_of(spec::LayerKind::Conv2D, 2, 3), 6, 7, 2));
  fill_random(layer->weights, 4);
  fill_random(layer->bias, 5);
  gradient_check(*layer, thinned(random_images(2, 6, 7, 2, 6), GetParam()), 7);
}

TEST(Pool2D, HandComputedCases) {
  tensor::Batch in;
  in.reset(1, 20);  // 4x5 single channel: pool 2 -> 2x2 (last column dropped, 'valid')
  for (int i = 0; i < 20; ++i) in.values[i] = static_cast<float>(i);
  tensor::Batch out;
  auto average = layers::make_layer(resolve_single(spec_of(spec::LayerKind::AvgPool2D, 0, 0, 2), 4, 5, 1));
  average->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{3, 5, 13, 15}));  // (0+1+5+6)/4 ...
  auto maximum = layers::make_layer(resolve_single(spec_of(spec::LayerKind::MaxPool2D, 0, 0, 2), 4, 5, 1));
  maximum->forward(in, out);
  EXPECT_EQ(out.values, (std::vector<float>{6, 8, 16, 18}));
}

TEST(Pool2D, GradientsMatchFiniteDifferences) {
  for (auto kind : {spec::LayerKind::AvgPool2D, spec::LayerKind::MaxPool2D, spec::LayerKind::Flatten}) {
    auto layer = layers::make_layer(resolve_single(spec_of(kind, 0, 0, 2), 4, 6, 2));
    gradient_check(*layer, random_images(2, 4, 6, 2, 8), 9, true, nullptr, 1e-3);
  }
}

}  // namespace
}  // namespace sparsepixels::testing
