// SparseConv2D: hand-computed case, a dense reference on random events, gradients, training.
#include <gtest/gtest.h>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec conv_spec(int filters, int kernel) {
  spec::LayerSpec spec;
  spec.kind = spec::LayerKind::SparseConv2D;
  spec.name = "conv";
  spec.filters = filters;
  spec.kernel = kernel;
  return spec;
}

TEST(SparseConv2D, HandComputedCase) {
  // 5x5 grid, K=3, one channel, one filter; weights w[kr][kc] = 1..9, bias 0.5.
  auto layer = layers::make_layer(resolve_single(conv_spec(1, 3), 5, 5, 1, 5));
  for (int i = 0; i < 9; ++i) layer->weights[i] = static_cast<float>(i + 1);
  layer->bias[0] = 0.5f;
  layer->prepare(false);
  // Slots: A (2,2)=1, B (2,3)=2, C (4,4)=3, D (3,3)=0 (inactive: ReLU-killed), empty.
  const tensor::Batch in =
      sparse_batch({{{2, 2, {1}}, {2, 3, {2}}, {4, 4, {3}}, {3, 3, {0}}, {1, 1, {}, false}}}, 5, 5, 1);
  tensor::Batch out;
  layer->forward(in, out);
  // Output at A: itself (tap centre, w=5) *1 + B at dc=+1 (tap (1,2), w=6) *2 = 17, + bias = 17.5.
  // Output at B: A at dc=-1 (tap (1,0), w=4) *1 + itself 5*2 = 14, + 0.5.
  // Output at C: itself 5*3 = 15 (D is a neighbour but zero) + 0.5. D inactive -> 0. Empty -> 0.
  EXPECT_EQ(out.values, (std::vector<float>{17.5f, 14.5f, 15.5f, 0.0f, 0.0f}));
  EXPECT_EQ(out.geometry, in.geometry);  // coordinates unchanged
}

TEST(SparseConv2D, BiasOnlyWhereTheSumIsNonZero) {
  auto layer = layers::make_layer(resolve_single(conv_spec(1, 3), 4, 4, 1, 2));
  std::fill(layer->weights.begin(), layer->weights.end(), 0.0f);
  layer->weights[4] = 1.0f;   // centre
  layer->weights[5] = -0.5f;  // right neighbour
  layer->bias[0] = 0.25f;
  layer->prepare(false);
  // Slot 0 at (1,1)=1 with right neighbour (1,2)=2: sum 1 - 1 = 0 -> no bias, output 0.
  const tensor::Batch in = sparse_batch({{{1, 1, {1}}, {1, 2, {2}}}}, 4, 4, 1);
  tensor::Batch out;
  layer->forward(in, out);
  EXPECT_EQ(out.values[0], 0.0f);
  EXPECT_EQ(out.values[1], 2.25f);
}

// A separately written reference: scatter to a dense image, dense 'same' cross-correlation,
// read back at the slots, then the activity and bias rules.
std::vector<float> dense_reference(const tensor::Batch& in, const std::vector<float>& w,
                                   const std::vector<float>& b, int kernel, int channels, int filters) {
  const tensor::Geometry& g = *in.geometry;
  std::vector<float> out(in.events * g.slots * filters, 0.0f);
  const int r = kernel / 2;
  for (std::size_t e = 0; e < in.events; ++e) {
    std::vector<double> image(g.height * g.width * channels, 0.0);
    for (int s = 0; s < g.slots; ++s) {
      const std::size_t at = e * g.slots + s;
      if (!g.position[at]) continue;
      for (int c = 0; c < channels; ++c) {
        image[((g.row[at] - 1) * g.width + g.col[at] - 1) * channels + c] = in.values[at * channels + c];
      }
    }
    for (int s = 0; s < g.slots; ++s) {
      const std::size_t at = e * g.slots + s;
      bool active = false;
      for (int c = 0; c < channels; ++c) active = active || in.values[at * channels + c] != 0.0f;
      if (!active) continue;
      const int row = g.row[at] - 1, col = g.col[at] - 1;
      for (int f = 0; f < filters; ++f) {
        double acc = 0;
        for (int kr = 0; kr < kernel; ++kr) {
          for (int kc = 0; kc < kernel; ++kc) {
            const int rr = row + kr - r, cc = col + kc - r;
            if (rr < 0 || rr >= g.height || cc < 0 || cc >= g.width) continue;
            for (int c = 0; c < channels; ++c) {
              acc += w[((kr * kernel + kc) * channels + c) * filters + f] *
                     image[(rr * g.width + cc) * channels + c];
            }
          }
        }
        out[at * filters + f] = static_cast<float>(acc != 0 ? acc + b[f] : 0.0);
      }
    }
  }
  return out;
}

TEST(SparseConv2D, MatchesDenseReferenceOnRandomEvents) {
  for (const auto& [kernel, channels, filters] :
       std::vector<std::tuple<int, int, int>>{{3, 1, 1}, {5, 2, 3}, {7, 3, 2}}) {
    auto layer = layers::make_layer(resolve_single(conv_spec(filters, kernel), 9, 11, channels, 12));
    fill_random(layer->weights, 11);
    fill_random(layer->bias, 12);
    layer->prepare(false);
    // Dense clusters: 10 real pixels among 99, so many neighbour pairs.
    const tensor::Batch in = random_sparse_batch(20, 12, 10, 9, 11, channels, 13);
    tensor::Batch out;
    layer->forward(in, out);
    const auto expected = dense_reference(in, layer->weights, layer->bias, kernel, channels, filters);
    ASSERT_EQ(out.values.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(out.values[i], expected[i], 1e-4) << i;
  }
}

TEST(SparseConv2D, StackedConvolutionsShareOneNeighbourTable) {
  auto first = layers::make_layer(resolve_single(conv_spec(2, 3), 6, 6, 1, 6));
  const tensor::Batch in = random_sparse_batch(4, 6, 6, 6, 6, 1, 3);
  fill_random(first->weights, 1);
  first->prepare(false);
  tensor::Batch middle;
  first->forward(in, middle);
  const tensor::NeighbourTable* table = &in.geometry->neighbours(3);
  EXPECT_EQ(middle.geometry.get(), in.geometry.get());
  EXPECT_EQ(&middle.geometry->neighbours(3), table);  // cached, not rebuilt
}

TEST(SparseConv2D, GradientsMatchFiniteDifferences) {
  auto layer = layers::make_layer(resolve_single(conv_spec(3, 3), 6, 7, 2, 9));
  fill_random(layer->weights, 21);
  fill_random(layer->bias, 22);
  const tensor::Batch in = random_sparse_batch(3, 9, 7, 6, 7, 2, 23);
  // Inputs of empty slots are not variables (activity would flip), so only real slots are checked.
  gradient_check(*layer, in, 24, true, [&](std::size_t i) { return in.values[i] != 0.0f; });
}

TEST(SparseConv2D, TinyTrainingRunConverges) {
  // A student learns a teacher's weights from its outputs (mean squared error, plain gradient steps).
  auto teacher = layers::make_layer(resolve_single(conv_spec(2, 3), 6, 6, 1, 8));
  auto student = layers::make_layer(resolve_single(conv_spec(2, 3), 6, 6, 1, 8));
  fill_random(teacher->weights, 31);
  fill_random(teacher->bias, 32, 0.3f);
  teacher->prepare(false);
  const tensor::Batch in = random_sparse_batch(32, 8, 8, 6, 6, 1, 33, false);
  tensor::Batch target, out;
  teacher->forward(in, target);
  auto loss_and_step = [&](bool step) {
    student->prepare(false);
    student->forward(in, out);
    std::vector<float> grad(out.values.size());
    double loss = 0;
    for (std::size_t i = 0; i < grad.size(); ++i) {
      const double d = out.values[i] - target.values[i];
      loss += d * d / grad.size();
      grad[i] = static_cast<float>(2 * d / grad.size());
    }
    if (step) {
      layers::ParameterGradients g{std::vector<float>(student->weights.size()),
                                   std::vector<float>(student->bias.size())};
      student->backward(in, out, grad, nullptr, g);
      for (std::size_t i = 0; i < g.weights.size(); ++i) student->weights[i] -= 0.1f * g.weights[i];
      for (std::size_t i = 0; i < g.bias.size(); ++i) student->bias[i] -= 0.1f * g.bias[i];
    }
    return loss;
  };
  const double initial = loss_and_step(false);
  for (int i = 0; i < 3000; ++i) loss_and_step(true);
  EXPECT_LT(loss_and_step(false), initial * 1e-3);
}

}  // namespace
}  // namespace sparsepixels::testing
