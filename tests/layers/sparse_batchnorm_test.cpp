// SparseBatchNormalization: batch statistics over active slots only, moving statistics (Keras
// momentum), empty slots staying 0, gradients, QAT forward == fixed forward, the model file, and that
// the optimizer leaves the moving statistics alone.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "layer_harness.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/tensor/shard_pool.h"
#include "sparsepixels/train/engine.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec batchnorm_spec() {
  spec::LayerSpec spec;
  spec.kind = spec::LayerKind::SparseBatchNormalization;
  return spec;
}

// Sets gamma, moving mean, moving variance and beta of a 2-channel layer.
void set_parameters(layers::Layer& layer, std::vector<float> gamma, std::vector<float> mean,
                    std::vector<float> variance, std::vector<float> beta) {
  layer.weights = gamma;
  layer.weights.insert(layer.weights.end(), mean.begin(), mean.end());
  layer.weights.insert(layer.weights.end(), variance.begin(), variance.end());
  layer.bias = beta;
}

// Two events of three slots, two channels: slot (e0, s1) is active through channel 1 only (its
// channel-0 value 0 counts in the statistics); (e0, s2) and (e1, s2) are empty.
tensor::Batch hand_batch() {
  return sparse_batch({{{1, 1, {1.0f, 2.0f}}, {2, 2, {0.0f, -1.0f}}, {1, 1, {}, false}},
                       {{3, 3, {3.0f, 4.0f}}, {1, 3, {-2.0f, 0.5f}}, {1, 1, {}, false}}},
                      4, 4, 2);
}

TEST(SparseBatchNormalization, TrainingNormalizesWithTheActiveSlotsStatistics) {
  auto layer = layers::make_layer(resolve_single(batchnorm_spec(), 4, 4, 2, 3));
  set_parameters(*layer, {1.5f, 0.5f}, {9.0f, 9.0f}, {9.0f, 9.0f}, {0.25f, -1.0f});
  layer->set_training(true);
  const tensor::Batch in = hand_batch();
  tensor::Batch out;
  layer->forward(in, out);
  // Active values per channel: {1, 0, 3, -2} and {2, -1, 4, 0.5} (the two empty slots excluded).
  const double mean0 = 0.5, var0 = (0.25 + 0.25 + 6.25 + 6.25) / 4;
  const double mean1 = 1.375, var1 = (0.390625 + 5.640625 + 6.890625 + 0.765625) / 4;
  const double eps = 1e-3;
  auto expect = [&](double x, double mean, double var, double gamma, double beta) {
    return gamma * (x - mean) / std::sqrt(var + eps) + beta;
  };
  const std::vector<double> expected{expect(1, mean0, var0, 1.5, 0.25),
                                     expect(2, mean1, var1, 0.5, -1),
                                     expect(0, mean0, var0, 1.5, 0.25),
                                     expect(-1, mean1, var1, 0.5, -1),
                                     0,
                                     0,
                                     expect(3, mean0, var0, 1.5, 0.25),
                                     expect(4, mean1, var1, 0.5, -1),
                                     expect(-2, mean0, var0, 1.5, 0.25),
                                     expect(0.5, mean1, var1, 0.5, -1),
                                     0,
                                     0};
  ASSERT_EQ(out.values.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(out.values[k], expected[k], 1e-5) << k;
  // Empty slots stay exactly 0 although the shift is not 0; the coordinates pass through.
  EXPECT_EQ(out.values[4], 0.0f);
  EXPECT_EQ(out.values[11], 0.0f);
  EXPECT_EQ(out.geometry, in.geometry);

  // The moving statistics: Keras's momentum 0.99 towards the batch's (biased) statistics.
  layer->update_statistics({&in});
  EXPECT_FLOAT_EQ(layer->weights[2], static_cast<float>(9.0 * 0.99 + mean0 * 0.01));
  EXPECT_FLOAT_EQ(layer->weights[3], static_cast<float>(9.0 * 0.99 + mean1 * 0.01));
  EXPECT_FLOAT_EQ(layer->weights[4], static_cast<float>(9.0 * 0.99 + var0 * 0.01));
  EXPECT_FLOAT_EQ(layer->weights[5], static_cast<float>(9.0 * 0.99 + var1 * 0.01));
  EXPECT_EQ(layer->weights[0], 1.5f);  // gamma untouched
}

TEST(SparseBatchNormalization, InferenceUsesTheMovingStatistics) {
  auto layer = layers::make_layer(resolve_single(batchnorm_spec(), 4, 4, 2, 3));
  set_parameters(*layer, {2.0f, -1.0f}, {0.5f, 1.0f}, {3.999f, 0.249f}, {0.125f, 0.75f});
  const tensor::Batch in = hand_batch();
  tensor::Batch out;
  layer->forward(in, out);
  // scale = gamma / sqrt(var + 0.001) = {1, -2}; shift = beta - mean * scale = {-0.375, 2.75}.
  const std::vector<float> expected{1 - 0.375f, -4 + 2.75f, -0.375f,     2 + 2.75f,  0, 0,
                                    3 - 0.375f, -8 + 2.75f, -2 - 0.375f, -1 + 2.75f, 0, 0};
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(out.values[k], expected[k], 1e-6) << k;
  EXPECT_EQ(out.values[4], 0.0f);
  EXPECT_EQ(out.values[5], 0.0f);
}

TEST(SparseBatchNormalization, InitializesToKerasDefaults) {
  auto layer = layers::make_layer(resolve_single(batchnorm_spec(), 4, 4, 2, 3));
  std::mt19937_64 random(1);
  layer->initialize(random);
  EXPECT_EQ(layer->weights, (std::vector<float>{1, 1, 0, 0, 1, 1}));
  EXPECT_EQ(layer->bias, (std::vector<float>{0, 0}));
}

TEST(SparseBatchNormalization, TrainingGradientsMatchFiniteDifferences) {
  for (const int channels : {1, 3}) {
    SCOPED_TRACE(channels);
    auto layer = layers::make_layer(resolve_single(batchnorm_spec(), 6, 6, channels, 5));
    fill_random(layer->weights, 3, 1.0f);
    fill_random(layer->bias, 4, 1.0f);
    // Moving statistics do not take part in training's forward pass; give them valid values anyway.
    for (int c = 0; c < channels; ++c) layer->weights[2 * channels + c] = 2.0f;
    layer->set_training(true);
    // Activity never flips under the perturbation (values at least 0.2 away from zero).
    const tensor::Batch batch = random_sparse_batch(4, 5, 3, 6, 6, channels, 11);
    // Inputs of empty slots are skipped: any perturbation would make the slot active (a jump, as in
    // the sparse convolution); their analytic gradient is 0.
    gradient_check(
        *layer, batch, 21, true, [&](std::size_t i) { return batch.values[i] != 0.0f; }, 1e-3, 2e-2);
    // The moving statistics get no gradient, so Adam leaves them unchanged.
    tensor::Batch in = random_sparse_batch(4, 5, 3, 6, 6, channels, 12), out;
    layer->forward(in, out);
    layers::ParameterGradients gradients;
    gradients.weights.assign(layer->weights.size(), 0.0f);
    gradients.bias.assign(layer->bias.size(), 0.0f);
    std::vector<float> probe(out.values.size(), 1.0f);
    layer->backward(in, out, probe, nullptr, gradients);
    for (std::size_t k = static_cast<std::size_t>(channels); k < gradients.weights.size(); ++k) {
      EXPECT_EQ(gradients.weights[k], 0.0f) << k;
    }
  }
}

// Events on the grid of the input type (QAT values are exactly values of their types).
tensor::Batch quantized_batch(int slots, int active, int channels, const fixed::FixedType& type,
                              std::uint64_t seed) {
  tensor::Batch batch = random_sparse_batch(8, slots, active, 7, 7, channels, seed);
  for (std::size_t k = 0; k < batch.values.size(); ++k) {
    // Some zero values inside active slots (the shift still applies there), some slots made inactive.
    batch.values[k] = k % 5 == 1 ? 0.0f : static_cast<float>(type.quantize(3.0 * batch.values[k]));
  }
  return batch;
}

TEST(SparseBatchNormalization, QuantizedForwardEqualsFixedForwardBitForBit) {
  struct Case {
    const char *weight, *bias, *result;
  };
  // The second case saturates and rounds its results (some values leave ap_fixed<8,3>).
  for (const Case& types : {Case{"ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<16,6>"},
                            Case{"ap_fixed<8,3>", "ap_fixed<6,2>", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"},
                            Case{"ap_fixed<10,4>", "ap_fixed<12,5>", "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}) {
    SCOPED_TRACE(types.result);
    for (const int channels : {1, 2, 3}) {
      spec::LayerSpec bn = batchnorm_spec();
      bn.precision.weight = fixed::FixedType::parse(types.weight);
      bn.precision.bias = fixed::FixedType::parse(types.bias);
      bn.precision.result = fixed::FixedType::parse(types.result);
      auto layer = layers::make_layer(resolve_single(bn, 7, 7, channels, 6));
      fill_random(layer->weights, 5 + channels, 2.0f);
      fill_random(layer->bias, 6 + channels, 1.5f);
      for (int c = 0; c < channels; ++c) {
        layer->weights[2 * channels + c] = std::abs(layer->weights[2 * channels + c]) + 0.01f;
      }
      const fixed::FixedType input_type = fixed::FixedType::parse("ap_fixed<16,6,AP_RND_CONV,AP_SAT>");
      const tensor::Batch in = quantized_batch(6, 4, channels, input_type, 31 + channels);
      layer->prepare(true);
      tensor::Batch out;
      layer->forward(in, out);
      const auto fixed_layer = layer->make_fixed(input_type);
      const fixed::FixedType& result = layer->info().types.result;
      std::size_t mismatches = 0, nonzero = 0, empty = 0;
      const std::size_t event_size = in.event_size;
      for (std::size_t e = 0; e < in.events; ++e) {
        layers::LayerValues values, fixed_out;
        for (std::size_t k = 0; k < event_size; ++k) {
          values.raw.push_back(
              static_cast<std::int64_t>(std::ldexp(in.values[e * event_size + k], input_type.fraction())));
        }
        values.hash.assign(2 * 6, 1);
        fixed_layer->forward(values, fixed_out);
        for (std::size_t k = 0; k < event_size; ++k) {
          const double fixed_value = std::ldexp(static_cast<double>(fixed_out.raw[k]), -result.fraction());
          if (fixed_value != static_cast<double>(out.values[e * event_size + k])) ++mismatches;
          if (fixed_out.raw[k] != 0) ++nonzero;
          // Empty slots stay 0 in both (values.raw[first..first+C) is the value's slot).
          const std::size_t first = k - k % static_cast<std::size_t>(channels);
          bool active = false;
          for (int c = 0; c < channels; ++c)
            active = active || values.raw[first + static_cast<std::size_t>(c)] != 0;
          if (!active) {
            EXPECT_EQ(fixed_out.raw[k], 0);
            ++empty;
          }
        }
      }
      EXPECT_EQ(mismatches, 0u) << channels << " channels";
      EXPECT_GT(nonzero, 0u);
      EXPECT_GT(empty, 0u);
      // The fixed layer's parameters are the folded scale and shift, one per channel.
      EXPECT_EQ(fixed_layer->weights_raw().size(), static_cast<std::size_t>(channels));
      EXPECT_EQ(fixed_layer->biases_raw().size(), static_cast<std::size_t>(channels));
    }
  }
}

TEST(SparseBatchNormalization, ModelFileRoundTrip) {
  const std::string config = R"(
name: bn-round-trip
input: {height: 8, width: 8, channels: 1, type: "ap_ufixed<8,1>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_fixed<12,4>", accum: auto}
layers:
  - {type: InputReduce, n_active: 5, threshold: 0.1}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseBatchNormalization, name: bn, momentum: 0.9, epsilon: 0.01}
  - {type: SparseFlatten}
  - {type: Dense, units: 1}
  - {type: Sigmoid}
)";
  model::Model model(model::parse_config(config, "bn_test"));
  model.initialize(7);
  fill_random(model.layer(2).weights, 8, 1.0f);
  model.layer(2).weights[4] = 0.7f;
  model.layer(2).weights[5] = 1.3f;
  fill_random(model.layer(2).bias, 9, 1.0f);
  const std::string path =
      (std::filesystem::temp_directory_path() / "sparsepixels_bn_round_trip.json").string();
  model::save_model(model, path);
  const model::Model loaded = model::load_model(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.resolved()[2].spec.kind, spec::LayerKind::SparseBatchNormalization);
  EXPECT_EQ(loaded.resolved()[2].spec.momentum, 0.9);
  EXPECT_EQ(loaded.resolved()[2].spec.epsilon, 0.01);
  EXPECT_EQ(loaded.layer(2).weights, model.layer(2).weights);
  EXPECT_EQ(loaded.layer(2).bias, model.layer(2).bias);
  EXPECT_EQ(loaded.resolved()[2].types.accum, model.resolved()[2].types.accum);
}

TEST(SparseBatchNormalization, TrainingStepMovesGammaAndBetaAndTheMovingStatisticsOnlyByMomentum) {
  const std::string config = R"(
name: bn-step
input: {height: 6, width: 6, channels: 1, type: "ap_ufixed<8,1>"}
layers:
  - {type: InputReduce, n_active: 4, threshold: 0.1}
  - {type: SparseBatchNormalization, name: bn}
  - {type: SparseFlatten}
  - {type: Dense, units: 1}
  - {type: Sigmoid}
)";
  model::Model model(model::parse_config(config, "bn_test"));
  model.initialize(3);
  data::Split split;
  split.height = split.width = 6;
  split.channels = 1;
  std::mt19937_64 random(5);
  for (int e = 0; e < 40; ++e) {
    std::vector<float> image(36, 0.0f);
    for (int k = 0; k < 3; ++k) image[random() % 36] = 0.2f + static_cast<float>(random() % 100) / 100.0f;
    split.x.insert(split.x.end(), image.begin(), image.end());
    split.y.push_back(e % 2);
  }
  tensor::ShardPool pool(1);
  train::Engine engine(model, false, pool);
  const train::PreparedSplit prepared = engine.prepare(split);
  std::vector<std::uint32_t> order(40);
  for (std::uint32_t k = 0; k < 40; ++k) order[k] = k;
  const std::vector<float> before = model.layer(1).weights, bias_before = model.layer(1).bias;
  engine.train_step(prepared, order.data(), 40);
  EXPECT_FALSE(model.layer(1).training());
  EXPECT_EQ(engine.gradients()[1].weights[1], 0.0f);
  EXPECT_EQ(engine.gradients()[1].weights[2], 0.0f);
  train::Adam adam(model, 1e-2, 0.9, 0.999, 1e-7);
  adam.step(engine.gradients());
  EXPECT_NE(model.layer(1).weights[0], before[0]);  // gamma trained
  EXPECT_NE(model.layer(1).bias[0], bias_before[0]);
  EXPECT_EQ(model.layer(1).weights[1], before[1]);  // moving statistics: Adam does not touch them
  EXPECT_EQ(model.layer(1).weights[2], before[2]);
  // The moving update uses every active slot of the batch (both shards of 32 + 8 events).
  double sum = 0, squares = 0;
  std::size_t count = 0;
  for (float v : prepared.values) {
    if (v == 0.0f) continue;
    sum += v;
    squares += static_cast<double>(v) * v;
    ++count;
  }
  const double mean = sum / static_cast<double>(count),
               variance = squares / static_cast<double>(count) - mean * mean;
  engine.update_statistics();
  EXPECT_NEAR(model.layer(1).weights[1], 0.01 * mean, 1e-6);
  EXPECT_NEAR(model.layer(1).weights[2], 0.99 + 0.01 * variance, 1e-6);
}

// Shards normalize with their own statistics and the moving update joins them in shard order, so
// training gives the same parameters bit for bit whatever the thread count.
TEST(SparseBatchNormalization, TrainingDoesNotDependOnTheThreadCount) {
  const std::string config = R"(
name: bn-threads
input: {height: 8, width: 8, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_fixed<12,4,AP_RND_CONV,AP_SAT>"}
layers:
  - {type: InputReduce, n_active: 6, threshold: 0.1}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseBatchNormalization, name: bn}
  - {type: SparseReLU}
  - {type: SparseFlatten}
  - {type: Dense, units: 1}
  - {type: Sigmoid}
training: {quantized: true, batch_size: 100, seed: 2}
)";
  data::Split split;
  split.height = split.width = 8;
  split.channels = 1;
  std::mt19937_64 random(9);
  for (int e = 0; e < 300; ++e) {
    std::vector<float> image(64, 0.0f);
    float sum = 0;
    for (int k = 0; k < 4; ++k) {
      const float value = 0.2f + static_cast<float>(random() % 100) / 125.0f;
      image[random() % 64] = value;
      sum += value;
    }
    split.x.insert(split.x.end(), image.begin(), image.end());
    split.y.push_back(sum > 2.0f ? 1 : 0);
  }
  std::vector<std::vector<float>> parameters;
  for (const int threads : {1, 2}) {
    model::Model model(model::parse_config(config, "bn_test"));
    train::TrainOptions options;
    options.epochs = 2;
    options.threads = threads;
    train::train(model, split, split, options);
    EXPECT_NE(model.layer(2).weights[2], 0.0f);  // the moving mean moved
    if (parameters.empty()) {
      parameters = model.parameters();
    } else {
      EXPECT_EQ(model.parameters(), parameters);
    }
  }
}

}  // namespace
}  // namespace sparsepixels::testing
