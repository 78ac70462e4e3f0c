#pragma once
// Helpers shared by the layer tests: building single layers, sparse batches and gradient checks.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "sparsepixels/layers/layer.h"
#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::testing {

/// Resolves a one-layer model (after an optional InputReduce when the layer is sparse) and returns
/// the layer's resolved form; `input` gives the dense input grid.
inline spec::ResolvedLayer resolve_single(spec::LayerSpec layer, int height, int width, int channels,
                                          int slots = 0) {
  spec::ModelSpec spec;
  spec.input_height = height;
  spec.input_width = width;
  spec.input_channels = channels;
  spec.input_type = fixed::FixedType::parse("ap_fixed<16,6,AP_RND_CONV,AP_SAT>");
  if (slots > 0 && layer.kind != spec::LayerKind::InputReduce) {
    spec::LayerSpec reduce;
    reduce.kind = spec::LayerKind::InputReduce;
    reduce.n_active = slots;
    spec.layers.push_back(reduce);
  }
  spec.layers.push_back(layer);
  return spec::resolve(spec, "test").back();
}

/// A sparse slot: coordinates (1-based), features; `real` false makes an empty slot.
struct Slot {
  int row, col;
  std::vector<float> features;
  bool real = true;
};

/// A batch of sparse events from explicit slots (each event has the same slot count).
inline tensor::Batch sparse_batch(const std::vector<std::vector<Slot>>& events, int height, int width,
                                  int channels) {
  tensor::Batch batch;
  const int slots = static_cast<int>(events.front().size());
  batch.reset(events.size(), static_cast<std::size_t>(slots) * channels);
  batch.geometry = std::make_shared<tensor::Geometry>();
  batch.geometry->reset(events.size(), slots, height, width);
  for (std::size_t e = 0; e < events.size(); ++e) {
    for (int s = 0; s < slots; ++s) {
      const Slot& slot = events[e][s];
      const std::size_t at = e * slots + s;
      batch.geometry->row[at] = static_cast<std::int16_t>(slot.real ? slot.row : 1);
      batch.geometry->col[at] = static_cast<std::int16_t>(slot.real ? slot.col : 1);
      batch.geometry->position[at] = slot.real ? 1 : 0;
      for (int c = 0; c < channels; ++c) {
        batch.values[at * channels + c] = slot.real ? slot.features.at(c) : 0.0f;
      }
    }
  }
  return batch;
}

/// Random sparse events: `active` distinct real pixels of `slots`, random features in [0.2, 1.2]
/// (never zero, so activity does not flip under small perturbations), signs mixed when `mixed`.
inline tensor::Batch random_sparse_batch(std::size_t events, int slots, int active, int height, int width,
                                         int channels, std::uint64_t seed, bool mixed = true) {
  std::mt19937_64 random(seed);
  std::vector<std::vector<Slot>> all;
  for (std::size_t e = 0; e < events; ++e) {
    std::vector<Slot> slots_of_event;
    std::vector<int> used;
    for (int s = 0; s < slots; ++s) {
      if (s >= active) {
        slots_of_event.push_back({1, 1, {}, false});
        continue;
      }
      int pixel;
      do {
        pixel = static_cast<int>(random() % static_cast<std::uint64_t>(height * width));
      } while (std::find(used.begin(), used.end(), pixel) != used.end());
      used.push_back(pixel);
      std::vector<float> features;
      for (int c = 0; c < channels; ++c) {
        float value = 0.2f + static_cast<float>(random() % 1000) / 1000.0f;
        if (mixed && random() % 3 == 0) value = -value;
        features.push_back(value);
      }
      slots_of_event.push_back({pixel / width + 1, pixel % width + 1, features, true});
    }
    all.push_back(slots_of_event);
  }
  return sparse_batch(all, height, width, channels);
}

/// Fills a vector with uniform values in [-scale, scale].
inline void fill_random(std::vector<float>& values, std::uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 random(seed);
  for (float& v : values) v = scale * (static_cast<float>(random() % 20001) / 10000.0f - 1.0f);
}

/// Loss = sum(out * weights_of_loss): its gradient wrt out is weights_of_loss.
inline double probe_loss(layers::Layer& layer, const tensor::Batch& in, const std::vector<float>& probe) {
  tensor::Batch out;
  layer.forward(in, out);
  double sum = 0;
  for (std::size_t i = 0; i < out.values.size(); ++i) sum += static_cast<double>(out.values[i]) * probe[i];
  return sum;
}

/// Central finite differences of the probe loss against the analytic gradients of every parameter
/// and (where `check_input`) every input value for which `input_filter` holds.
inline void gradient_check(layers::Layer& layer, tensor::Batch in, std::uint64_t seed,
                           bool check_input = true,
                           const std::function<bool(std::size_t)>& input_filter = nullptr, double step = 1e-2,
                           double tolerance = 2e-2) {
  layer.prepare(false);
  tensor::Batch out;
  layer.forward(in, out);
  std::vector<float> probe(out.values.size());
  fill_random(probe, seed);
  layers::ParameterGradients gradients;
  gradients.weights.assign(layer.weights.size(), 0.0f);
  gradients.bias.assign(layer.bias.size(), 0.0f);
  std::vector<float> grad_in;
  layer.backward(in, out, probe, check_input ? &grad_in : nullptr, gradients);

  auto numeric = [&](float& value) {
    const float saved = value;
    value = saved + static_cast<float>(step);
    layer.prepare(false);
    const double plus = probe_loss(layer, in, probe);
    value = saved - static_cast<float>(step);
    layer.prepare(false);
    const double minus = probe_loss(layer, in, probe);
    value = saved;
    layer.prepare(false);
    return (plus - minus) / (2 * step);
  };
  auto compare = [&](double analytic, double expected, const char* what, std::size_t index) {
    EXPECT_NEAR(analytic, expected, tolerance * std::max(1.0, std::abs(expected))) << what << " " << index;
  };
  for (std::size_t i = 0; i < layer.weights.size(); ++i)
    compare(gradients.weights[i], numeric(layer.weights[i]), "weight", i);
  for (std::size_t i = 0; i < layer.bias.size(); ++i)
    compare(gradients.bias[i], numeric(layer.bias[i]), "bias", i);
  if (!check_input) return;
  ASSERT_EQ(grad_in.size(), in.values.size());
  for (std::size_t i = 0; i < in.values.size(); ++i) {
    if (input_filter && !input_filter(i)) continue;
    compare(grad_in[i], numeric(in.values[i]), "input", i);
  }
}

}  // namespace sparsepixels::testing
