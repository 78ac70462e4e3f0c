// QKeras's quantized_relu straight-through estimator in QAT: the ReLU derivative is relu'(x) on the
// value BEFORE quantization, recorded by the layer whose result type quantizes it. A positive value
// that the unsigned 8-bit result type rounds to 0 passes the gradient; a negative one clamped to 0
// blocks it; an exact 0 passes (our tie rule, docs/training.md). Hand-computed cases through Dense
// and SparseConv2D.
#include <gtest/gtest.h>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

const char* const kUnsigned8 = "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>";  // lsb 1/256, clamps negatives to 0

spec::LayerSpec relu_spec(spec::LayerKind kind) {
  spec::LayerSpec spec;
  spec.kind = kind;
  spec.name = "relu";
  spec.precision.result = fixed::FixedType::parse(kUnsigned8);
  return spec;
}

// Backward of ReLU then of the producing layer for dLoss/dReLU-output = 1 everywhere.
struct Gradients {
  std::vector<float> relu_in;
  layers::ParameterGradients parameters;
};

Gradients backward_through(layers::Layer& producer, layers::Layer& relu, const tensor::Batch& in,
                           bool quantized, std::vector<float>* producer_out = nullptr) {
  producer.prepare(quantized);
  relu.prepare(quantized);
  tensor::Batch mid, out;
  producer.forward(in, mid);
  relu.forward(mid, out);
  if (producer_out) *producer_out = mid.values;
  Gradients g;
  const std::vector<float> ones(out.values.size(), 1.0f);
  relu.backward(mid, out, ones, &g.relu_in, g.parameters);
  g.parameters.weights.assign(producer.weights.size(), 0.0f);
  g.parameters.bias.assign(producer.bias.size(), 0.0f);
  producer.backward(in, mid, g.relu_in, nullptr, g.parameters);
  return g;
}

TEST(ReluStraightThrough, DensePositiveRoundedToZeroPassesNegativeClampedBlocks) {
  spec::LayerSpec dense;
  dense.kind = spec::LayerKind::Dense;
  dense.name = "dense";
  dense.units = 4;
  dense.precision.weight = fixed::FixedType::parse("ap_fixed<16,2>");  // lsb 2^-14
  dense.precision.result = fixed::FixedType::parse(kUnsigned8);
  auto layer = layers::make_layer(resolve_single(dense, 1, 1, 1));
  // Pre-activations for input 1: 2^-10 (> 0, below half an lsb of 1/256: rounds to 0), -0.5
  // (clamped to 0), 0.5 (kept), 0 (exactly zero).
  layer->weights = {0x1.0p-10f, -0.5f, 0.5f, 0.0f};
  auto relu = layers::make_layer(resolve_single(relu_spec(spec::LayerKind::ReLU), 1, 1, 4));
  tensor::Batch in;
  in.reset(1, 1);
  in.values[0] = 1.0f;

  std::vector<float> quantized_values;
  const Gradients q = backward_through(*layer, *relu, in, true, &quantized_values);
  // The forward values the ReLU sees: the unsigned 8-bit grid.
  EXPECT_EQ(quantized_values, (std::vector<float>{0.0f, 0.0f, 0.5f, 0.0f}));
  EXPECT_EQ(q.relu_in, (std::vector<float>{1.0f, 0.0f, 1.0f, 1.0f}));
  // dLoss/dw = x * dLoss/dy = 1 where the gradient passed; the bias the same.
  EXPECT_EQ(q.parameters.weights, (std::vector<float>{1.0f, 0.0f, 1.0f, 1.0f}));
  EXPECT_EQ(q.parameters.bias, (std::vector<float>{1.0f, 0.0f, 1.0f, 1.0f}));

  // Float mode: Keras's relu'(x) = x > 0 on the float pre-activation.
  const Gradients f = backward_through(*layer, *relu, in, false);
  EXPECT_EQ(f.relu_in, (std::vector<float>{1.0f, 0.0f, 1.0f, 0.0f}));
}

// QKeras's quantized_relu(B, I) passes the gradient only for x <= 2^I: ap_ufixed<8,0> saturates at
// 255/256 and blocks above 1 (0.99 and exactly 1 pass, 1.5 and 3 block), both when the unsigned type is
// the producing layer's result (fused) and when it is the ReLU's own result type.
TEST(ReluStraightThrough, SaturatedAboveTwoToTheIntegerBitsBlocks) {
  spec::LayerSpec dense;
  dense.kind = spec::LayerKind::Dense;
  dense.name = "dense";
  dense.units = 4;
  dense.precision.weight = fixed::FixedType::parse("ap_fixed<16,3>");
  dense.precision.result = fixed::FixedType::parse(kUnsigned8);
  auto layer = layers::make_layer(resolve_single(dense, 1, 1, 1));
  layer->weights = {0.99f, 1.0f, 1.5f, 3.0f};
  auto relu = layers::make_layer(resolve_single(relu_spec(spec::LayerKind::ReLU), 1, 1, 4));
  tensor::Batch in;
  in.reset(1, 1);
  in.values[0] = 1.0f;
  std::vector<float> quantized_values;
  const Gradients fused = backward_through(*layer, *relu, in, true, &quantized_values);
  EXPECT_EQ(quantized_values, (std::vector<float>{0.98828125f, 0.99609375f, 0.99609375f, 0.99609375f}));
  EXPECT_EQ(fused.relu_in, (std::vector<float>{1.0f, 1.0f, 0.0f, 0.0f}));

  // A signed dense result (nothing saturates there): the ReLU's own ap_ufixed<8,0> result blocks above 1.
  dense.precision.result = fixed::FixedType::parse("ap_fixed<16,4>");
  auto signed_layer = layers::make_layer(resolve_single(dense, 1, 1, 1));
  signed_layer->weights = {0.99f, 1.0f, 1.5f, 3.0f};
  const Gradients own = backward_through(*signed_layer, *relu, in, true);
  EXPECT_EQ(own.relu_in, (std::vector<float>{1.0f, 1.0f, 0.0f, 0.0f}));

  // Float mode: no limit.
  const Gradients f = backward_through(*layer, *relu, in, false);
  EXPECT_EQ(f.relu_in, (std::vector<float>{1.0f, 1.0f, 1.0f, 1.0f}));
}

TEST(ReluStraightThrough, SparseConvolutionRecordsThePreQuantizationSign) {
  spec::LayerSpec conv;
  conv.kind = spec::LayerKind::SparseConv2D;
  conv.name = "conv";
  conv.filters = 2;
  conv.kernel = 1;
  conv.precision.weight = fixed::FixedType::parse("ap_fixed<16,2>");
  conv.precision.bias = fixed::FixedType::parse("ap_fixed<16,2>");
  conv.precision.result = fixed::FixedType::parse(kUnsigned8);
  auto layer = layers::make_layer(resolve_single(conv, 4, 4, 1, 3));
  // Filter 0: 2^-11 per unit input (rounds to 0 for inputs below 4); filter 1: -0.25 (clamped).
  layer->weights = {0x1.0p-11f, -0.25f};
  auto relu = layers::make_layer(resolve_single(relu_spec(spec::LayerKind::SparseReLU), 4, 4, 2, 3));
  // Slots: (1,1) = 1, (3,3) = 2, one empty slot.
  const tensor::Batch in = sparse_batch({{{1, 1, {1}}, {3, 3, {2}}, {1, 1, {}, false}}}, 4, 4, 1);
  std::vector<float> values;
  const Gradients q = backward_through(*layer, *relu, in, true, &values);
  EXPECT_EQ(values, (std::vector<float>(6, 0.0f)));  // everything rounds or clamps to 0
  // Filter 0 passes (pre-activations 2^-11 and 2^-10 > 0), filter 1 blocks (negative); the empty
  // slot's exact zeros pass the ReLU, and the convolution's activity rule stops them.
  EXPECT_EQ(q.relu_in, (std::vector<float>{1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f}));
  // dLoss/dw[filter 0] = 1 + 2 (the two inputs); filter 1 receives nothing.
  EXPECT_EQ(q.parameters.weights, (std::vector<float>{3.0f, 0.0f}));
}

}  // namespace
}  // namespace sparsepixels::testing
