// Fixed inference equals the QAT forward up to the last activation's input (reference 11.8), and its
// sigmoid/softmax tables stay within their documented error of the float functions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

data::Split toy_split(std::size_t events, std::uint64_t seed, int classes) {
  data::Split split;
  split.height = split.width = 16;
  split.channels = 1;
  split.x.assign(events * 256, 0.0f);
  std::mt19937_64 random(seed);
  for (std::size_t e = 0; e < events; ++e) {
    const int label = static_cast<int>(random() % static_cast<std::uint64_t>(classes));
    for (int h = 0; h < 6; ++h) {
      const int band = 16 / classes;
      const int row =
          random() % 4 ? label * band + static_cast<int>(random() % band) : static_cast<int>(random() % 16);
      split.x[e * 256 + row * 16 + static_cast<int>(random() % 16)] =
          static_cast<float>(random() % 1000) / 1000.0f;
    }
    split.y.push_back(label);
  }
  return split;
}

// Types chosen so the float32 QAT forward is exact: short products and sums, power-of-two pools.
const char* const kTypes = R"(
input: {height: 16, width: 16, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<6,2>", bias: "ap_fixed<6,2>", result: "ap_fixed<10,4,AP_RND_CONV,AP_SAT>"}
)";

std::string config(const std::string& layers, int epochs) {
  return std::string(kTypes) + "layers:\n" + layers +
         "training: {batch_size: 32, learning_rate: 0.01, quantized: true, seed: 2, max_epochs: " +
         std::to_string(epochs) + "}\n";
}

void expect_fixed_equals_qat(const std::string& layers, int classes) {
  Model model(parse_config(config(layers, 3), "fixed.yml"), "fixed.yml");
  const data::Split train_split = toy_split(600, 1, classes), val_split = toy_split(200, 2, classes);
  train::train(model, train_split, val_split);
  // The fixed path's output, and (from its trace) the input of the head, i.e. the logits.
  const inference::FixedModel fixed_model(model);
  const inference::FixedOutput fixed =
      fixed_model.predict(val_split.x.data(), val_split.size(), {.threads = 1, .trace = true});
  const std::vector<double>& fixed_out = fixed.values;
  const std::size_t logits_layer = model.size() - 2;
  const fixed::FixedType& logits_type = fixed_model.result_type(logits_layer);
  std::vector<double> fixed_logits;
  for (const auto& event_layers : fixed.trace) {
    for (std::int64_t raw : event_layers[logits_layer].raw)
      fixed_logits.push_back(logits_type.to_double(raw));
  }
  // The QAT forward up to the head's input.
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(true);
  std::vector<tensor::Batch> activations(model.size() + 1);
  activations[0].reset(val_split.size(), 256);
  std::copy(val_split.x.begin(), val_split.x.end(), activations[0].values.begin());
  quantize_inputs(model, activations[0].values.data(), activations[0].values.size());
  forward_range(model, 0, model.size() - 1, activations);
  const std::vector<float>& qat = activations[model.size() - 1].values;
  ASSERT_EQ(qat.size(), fixed_logits.size());
  int mismatches = 0, non_zero = 0;
  for (std::size_t i = 0; i < qat.size(); ++i) {
    mismatches += static_cast<double>(qat[i]) != fixed_logits[i] ? 1 : 0;
    non_zero += qat[i] != 0.0f ? 1 : 0;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(non_zero, static_cast<int>(qat.size()) / 2);  // the comparison is not between zeros
  // Head: table lookups within bin/2 * max slope + table and result half-LSBs (docs/semantics.md 8).
  for (std::size_t e = 0; e < val_split.size(); ++e) {
    if (classes == 2) {
      const double expected = 1.0 / (1.0 + std::exp(-fixed_logits[e]));
      EXPECT_NEAR(fixed_out[e], expected, 1.0 / 64 / 2 / 4 + std::ldexp(1.0, -17) + std::ldexp(1.0, -6)) << e;
    } else {
      double sum = 0;
      for (int c = 0; c < classes; ++c) sum += std::exp(fixed_logits[e * classes + c]);
      for (int c = 0; c < classes; ++c) {
        EXPECT_NEAR(fixed_out[e * classes + c], std::exp(fixed_logits[e * classes + c]) / sum, 0.02) << e;
      }
    }
  }
}

TEST(FixedInference, SparseModelEqualsQatUpToTheSigmoidInput) {
  expect_fixed_equals_qat(R"(
  - {type: InputReduce, n_active: 8, threshold: 0.1}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU, precision: {result: "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, pool: 2}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU, precision: {result: "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseMaxPool2D, pool: 2}
  - {type: SparseFlatten}
  - {type: Dense, units: 8}
  - {type: ReLU, precision: {result: "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"}}
  - {type: Dense, units: 1, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
  - {type: Sigmoid, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
)",
                          2);
}

TEST(FixedInference, TopKSparseModelWithSoftmax) {
  expect_fixed_equals_qat(R"(
  - {type: InputReduce, n_active: 6, threshold: 0.05, selection: topk}
  - {type: SparseConv2D, filters: 3, kernel: 5}
  - {type: SparseReLU, precision: {result: "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, pool: 4}
  - {type: SparseFlatten}
  - {type: Dense, units: 3, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
  - {type: Softmax, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
)",
                          3);
}

TEST(FixedInference, StandardModelEqualsQat) {
  expect_fixed_equals_qat(R"(
  - {type: Conv2D, filters: 2, kernel: 3}
  - {type: ReLU, precision: {result: "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"}}
  - {type: MaxPool2D, pool: 2}
  - {type: AvgPool2D, pool: 2}
  - {type: Flatten}
  - {type: Dense, units: 1, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
  - {type: Sigmoid, precision: {result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}}
)",
                          2);
}

}  // namespace
}  // namespace sparsepixels::model
