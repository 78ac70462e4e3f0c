// A SparseBatchNormalization right after a SparseConv2D is folded into it (docs/semantics.md 4b):
// resolution, the float forward pass against an independent conv-then-normalize computation (moving
// statistics, and batch statistics in training), the pair's gradients against finite differences, and
// the QAT forward pass against the fixed layers bit for bit.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "layer_harness.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::testing {
namespace {

// reduce -> conv -> bn (folded) -> flatten -> dense -> sigmoid, `channels` input channels.
std::string folded_config(int channels, const std::string& bn_extra = "") {
  return fmt::format(R"(
name: folded
input: {{height: 8, width: 8, channels: {}, type: "ap_fixed<8,2>"}}
precision: {{weight: "ap_fixed<8,2>", bias: "ap_fixed<10,3>", result: "ap_fixed<12,4>", accum: auto}}
layers:
  - {{type: InputReduce, name: reduce, n_active: 6, threshold: 0.1}}
  - {{type: SparseConv2D, name: conv, filters: 3, kernel: 3}}
  - {{type: SparseBatchNormalization, name: bn{}}}
  - {{type: SparseFlatten}}
  - {{type: Dense, units: 1}}
  - {{type: Sigmoid}}
)",
                     channels, bn_extra);
}

// Random conv weights and biases; batch normalization parameters with moving variances > 0.
model::Model folded_model(int channels) {
  model::Model model(model::parse_config(folded_config(channels), "folded_test"));
  fill_random(model.layer(1).weights, 3, 0.8f);
  fill_random(model.layer(1).bias, 4, 0.5f);
  layers::Layer& bn = model.layer(2);
  fill_random(bn.weights, 5, 1.5f);
  fill_random(bn.bias, 6, 1.0f);
  for (int c = 0; c < 3; ++c) bn.weights[6 + c] = std::abs(bn.weights[6 + c]) + 0.05f;  // variance
  model.layer(1).prepare(false);
  model.layer(2).prepare(false);
  return model;
}

// The convolution alone (its own layer, not linked to the batch normalization) on `in`.
tensor::Batch unfolded_convolution(const model::Model& model, const tensor::Batch& in) {
  auto conv = layers::make_layer(model.resolved()[1]);
  conv->weights = model.layer(1).weights;
  conv->bias = model.layer(1).bias;
  conv->prepare(false);
  tensor::Batch out;
  conv->forward(in, out);
  return out;
}

// gamma * (z - mean) / sqrt(variance + epsilon) + beta on active slots of z, 0 on empty ones, with the
// given per-channel mean and variance (3 channels).
std::vector<double> normalize(const std::vector<float>& z, const layers::Layer& bn,
                              const std::vector<double>& mean, const std::vector<double>& variance) {
  std::vector<double> y(z.size(), 0.0);
  for (std::size_t s = 0; s + 3 <= z.size(); s += 3) {
    if (z[s] == 0.0f && z[s + 1] == 0.0f && z[s + 2] == 0.0f) continue;
    for (std::size_t c = 0; c < 3; ++c) {
      y[s + c] = bn.weights[c] * (z[s + c] - mean[c]) / std::sqrt(variance[c] + 1e-3) + bn.bias[c];
    }
  }
  return y;
}

TEST(FoldedBatchNormalization, ResolvesAfterAConvolutionWithItsTypes) {
  const auto resolved = spec::resolve(model::parse_config(folded_config(1), "folded_test"), "folded_test");
  EXPECT_TRUE(resolved[2].folded);
  EXPECT_EQ(resolved[2].types.weight, resolved[1].types.weight);
  EXPECT_EQ(resolved[2].types.bias, resolved[1].types.bias);
  EXPECT_EQ(resolved[2].types.result, resolved[1].types.result);
  EXPECT_EQ(resolved[2].weight_count, 9u);  // gamma, moving mean, moving variance
  EXPECT_FALSE(resolved[1].folded);
  // Types of its own contradict the fold: the error names the convolution that holds them.
  try {
    spec::resolve(
        model::parse_config(folded_config(1, R"(, precision: {result: "ap_fixed<9,3>"})"), "folded_test"),
        "folded_test");
    FAIL() << "a folded batch normalization accepted its own types";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("folded into 'conv'"), std::string::npos) << error.what();
  }
  // After a ReLU it is not folded.
  std::string config = folded_config(1);
  config.replace(config.find("  - {type: SparseBatchNormalization"), 0, "  - {type: SparseReLU}\n");
  const auto standalone = spec::resolve(model::parse_config(config, "folded_test"), "folded_test");
  ASSERT_EQ(standalone[3].spec.kind, spec::LayerKind::SparseBatchNormalization);
  EXPECT_FALSE(standalone[3].folded);
}

TEST(FoldedBatchNormalization, InferenceEqualsConvolutionThenMovingStatistics) {
  for (const int channels : {1, 2}) {
    SCOPED_TRACE(channels);
    model::Model model = folded_model(channels);
    const tensor::Batch in = random_sparse_batch(5, 6, 4, 8, 8, channels, 21);
    tensor::Batch between, out;
    model.layer(1).forward(in, between);
    model.layer(2).forward(between, out);
    const layers::Layer& bn = model.layer(2);
    const std::vector<double> expected =
        normalize(unfolded_convolution(model, in).values, bn, {bn.weights[3], bn.weights[4], bn.weights[5]},
                  {bn.weights[6], bn.weights[7], bn.weights[8]});
    ASSERT_EQ(out.values.size(), expected.size());
    std::size_t nonzero = 0;
    for (std::size_t k = 0; k < expected.size(); ++k) {
      EXPECT_NEAR(out.values[k], expected[k], 1e-5 * (1 + std::abs(expected[k]))) << k;
      if (expected[k] != 0) ++nonzero;
    }
    EXPECT_GT(nonzero, 0u);
  }
}

TEST(FoldedBatchNormalization, TrainingFoldsWithTheBatchStatisticsOfTheUnfoldedOutput) {
  model::Model model = folded_model(2);
  const tensor::Batch in = random_sparse_batch(6, 6, 4, 8, 8, 2, 22);
  model.layer(1).set_training(true);
  model.layer(2).set_training(true);
  tensor::Batch between, out;
  model.layer(1).forward(in, between);
  model.layer(2).forward(between, out);
  const tensor::Batch z = unfolded_convolution(model, in);
  EXPECT_EQ(between.unfolded, z.values);  // the unfolded pass is the convolution's own, bit for bit
  // Batch statistics of the active slots of z, per channel (biased variance, as Keras).
  std::vector<double> mean(3, 0.0), variance(3, 0.0);
  double active = 0;
  for (std::size_t s = 0; s < z.values.size(); s += 3) {
    if (z.values[s] == 0.0f && z.values[s + 1] == 0.0f && z.values[s + 2] == 0.0f) continue;
    ++active;
    for (std::size_t c = 0; c < 3; ++c) mean[c] += z.values[s + c];
  }
  for (double& m : mean) m /= active;
  for (std::size_t s = 0; s < z.values.size(); s += 3) {
    if (z.values[s] == 0.0f && z.values[s + 1] == 0.0f && z.values[s + 2] == 0.0f) continue;
    for (std::size_t c = 0; c < 3; ++c)
      variance[c] += (z.values[s + c] - mean[c]) * (z.values[s + c] - mean[c]);
  }
  for (double& v : variance) v /= active;
  const std::vector<double> expected = normalize(z.values, model.layer(2), mean, variance);
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(out.values[k], expected[k], 1e-5 * (1 + std::abs(expected[k]))) << k;
  }
  // The moving statistics follow the unfolded output's statistics.
  const float moving_mean = model.layer(2).weights[3];
  model.layer(2).update_statistics({&between});
  EXPECT_FLOAT_EQ(model.layer(2).weights[3], static_cast<float>(moving_mean * 0.99 + mean[0] * 0.01));
}

TEST(FoldedBatchNormalization, TrainingGradientsMatchFiniteDifferences) {
  model::Model model = folded_model(2);
  layers::Layer& conv = model.layer(1);
  layers::Layer& bn = model.layer(2);
  conv.set_training(true);
  bn.set_training(true);
  const tensor::Batch in = random_sparse_batch(4, 6, 4, 8, 8, 2, 23);
  tensor::Batch between, out;
  conv.forward(in, between);
  bn.forward(between, out);
  std::vector<float> probe(out.values.size());
  fill_random(probe, 24);
  layers::ParameterGradients conv_gradients, bn_gradients;
  conv_gradients.weights.assign(conv.weights.size(), 0.0f);
  conv_gradients.bias.assign(conv.bias.size(), 0.0f);
  bn_gradients.weights.assign(bn.weights.size(), 0.0f);
  bn_gradients.bias.assign(bn.bias.size(), 0.0f);
  std::vector<float> grad_between, grad_in;
  bn.backward(between, out, probe, &grad_between, bn_gradients);
  conv.backward(in, between, grad_between, &grad_in, conv_gradients);

  auto loss = [&](const tensor::Batch& input) {
    tensor::Batch b, o;
    conv.forward(input, b);
    bn.forward(b, o);
    double sum = 0;
    for (std::size_t k = 0; k < o.values.size(); ++k) sum += static_cast<double>(o.values[k]) * probe[k];
    return sum;
  };
  constexpr double kStep = 1e-3;
  auto numeric = [&](float& value, const tensor::Batch& input) {
    const float saved = value;
    value = saved + static_cast<float>(kStep);
    const double plus = loss(input);
    value = saved - static_cast<float>(kStep);
    const double minus = loss(input);
    value = saved;
    return (plus - minus) / (2 * kStep);
  };
  auto expect_close = [](double analytic, double expected, const std::string& what) {
    EXPECT_NEAR(analytic, expected, 2e-2 * (1 + std::abs(expected))) << what;
  };
  std::size_t checked = 0;
  for (std::size_t k = 0; k < conv.weights.size(); ++k, ++checked)
    expect_close(conv_gradients.weights[k], numeric(conv.weights[k], in), fmt::format("conv weight {}", k));
  for (std::size_t k = 0; k < conv.bias.size(); ++k, ++checked)
    expect_close(conv_gradients.bias[k], numeric(conv.bias[k], in), fmt::format("conv bias {}", k));
  for (std::size_t c = 0; c < 3; ++c, checked += 2) {
    expect_close(bn_gradients.weights[c], numeric(bn.weights[c], in), fmt::format("gamma {}", c));
    expect_close(bn_gradients.bias[c], numeric(bn.bias[c], in), fmt::format("beta {}", c));
  }
  for (std::size_t k = 3; k < bn.weights.size(); ++k) EXPECT_EQ(bn_gradients.weights[k], 0.0f) << k;
  tensor::Batch perturbed = in;
  for (std::size_t k = 0; k < in.values.size(); ++k) {
    if (in.values[k] == 0.0f) continue;  // empty slots: any perturbation makes the slot active
    expect_close(grad_in[k], numeric(perturbed.values[k], perturbed), fmt::format("input {}", k));
    ++checked;
  }
  EXPECT_GT(checked, 60u);
}

TEST(FoldedBatchNormalization, QuantizedForwardEqualsFixedLayersBitForBit) {
  for (const int channels : {1, 2}) {
    SCOPED_TRACE(channels);
    model::Model model = folded_model(channels);
    model.layer(1).prepare(true);
    model.layer(2).prepare(true);
    const fixed::FixedType input_type = model.spec().input_type;
    tensor::Batch in = random_sparse_batch(16, 6, 4, 8, 8, channels, 25);
    for (float& v : in.values) v = static_cast<float>(input_type.quantize(1.5 * v));
    tensor::Batch between, out;
    model.layer(1).forward(in, between);
    model.layer(2).forward(between, out);
    const auto conv = model.layer(1).make_fixed(input_type);
    const auto bn = model.layer(2).make_fixed(model.resolved()[1].types.result);
    // The fixed convolution holds the folded weights: not the convolution's own ones.
    const auto unfolded = layers::make_fixed_layer(model.resolved()[1], input_type, model.layer(1).weights,
                                                   model.layer(1).bias);
    EXPECT_NE(conv->weights_raw(), unfolded->weights_raw());
    EXPECT_TRUE(bn->weights_raw().empty());
    const fixed::FixedType& result = model.resolved()[2].types.result;
    std::size_t mismatches = 0, nonzero = 0;
    for (std::size_t e = 0; e < in.events; ++e) {
      layers::LayerValues values, conv_out, bn_out;
      for (std::size_t k = 0; k < in.event_size; ++k) {
        values.raw.push_back(
            static_cast<std::int64_t>(std::ldexp(in.values[e * in.event_size + k], input_type.fraction())));
      }
      for (int s = 0; s < 6; ++s) {
        values.hash.push_back(in.geometry->row[e * 6 + s]);
        values.hash.push_back(in.geometry->col[e * 6 + s]);
      }
      conv->forward(values, conv_out);
      bn->forward(conv_out, bn_out);
      ASSERT_EQ(bn_out.raw.size(), out.event_size);
      for (std::size_t k = 0; k < out.event_size; ++k) {
        const double fixed_value = std::ldexp(static_cast<double>(bn_out.raw[k]), -result.fraction());
        if (fixed_value != static_cast<double>(out.values[e * out.event_size + k])) ++mismatches;
        if (bn_out.raw[k] != 0) ++nonzero;
      }
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_GT(nonzero, 0u);
  }
}

}  // namespace
}  // namespace sparsepixels::testing
