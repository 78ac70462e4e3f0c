// random_models.h: random parameters on the types' grids and random sparse events for the whole-model
// tests (convert + csim): the events cover no active pixel, fewer than N, exactly N, more than N, border
// and corner pixels, equal values (topk ties), values around the threshold's quantization step and values
// beyond the input type's range.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/model/model.h"

namespace codegen_test {

using sparsepixels::fixed::FixedType;

/// Random parameters of realistic scale (Glorot-like, limit sqrt(6 / (fan_in + fan_out))) drawn on the
/// grid of each layer's weight and bias types, so they are exact in both float and the ap types.
/// The limit is never below two steps of the type, so coarse 8-bit weights are not all zero.
/// About one bias in five is exactly zero.
inline void randomize_parameters(sparsepixels::model::Model& model, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  for (std::size_t index = 0; index < model.size(); ++index) {
    auto& layer = model.layer(index);
    const auto& info = model.resolved()[index];
    if (info.weight_count == 0) continue;
    const double fan_out = static_cast<double>(info.bias_count);
    const double fan_in = static_cast<double>(info.weight_count) / fan_out;
    // Skewed slightly positive (-0.6 limit .. limit) so single-filter layers followed by ReLU stay alive.
    auto draw = [&](const FixedType& type, double limit) {
      const double lsb = std::ldexp(1.0, -type.fraction());
      const auto bound = std::max<std::int64_t>(2, static_cast<std::int64_t>(std::floor(limit / lsb)));
      std::uniform_int_distribution<std::int64_t> pick(-bound * 6 / 10, bound);
      const std::int64_t raw = std::clamp(pick(random), type.min_raw(), type.max_raw());
      return static_cast<float>(std::ldexp(static_cast<double>(raw), -type.fraction()));
    };
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    for (float& weight : layer.weights) weight = draw(info.types.weight, limit);
    for (float& bias : layer.bias) bias = (random() % 5 == 0) ? 0.0f : draw(info.types.bias, 0.25);
  }
}

/// Random sparse events (float32, H x W x C, channel-last) covering the cases that matter: no active
/// pixel, fewer than N, exactly N, more than N, pixels on the border and in the corners, equal values
/// (topk ties), values just around the threshold, and values beyond the input type's range.
inline std::vector<float> random_events(int count, int height, int width, int channels, int budget,
                                        double threshold, const FixedType& input_type, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const std::size_t pixels = static_cast<std::size_t>(height) * width;
  std::vector<float> events(static_cast<std::size_t>(count) * pixels * channels, 0.0f);
  const double lsb = input_type.lsb();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int event = 0; event < count; ++event) {
    float* x = events.data() + static_cast<std::size_t>(event) * pixels * channels;
    const int scenario = event % 8;
    int active = 0;
    switch (scenario) {
      case 0:
        active = 0;
        break;  // nothing above threshold
      case 1:
        active = budget;
        break;  // exactly N
      case 2:
        active = 1 + static_cast<int>(random() % budget);
        break;  // 1..N
      default:
        active = budget + 1 + static_cast<int>(random() % (3 * budget));
        break;  // more than N
    }
    // Sub-threshold noise: values at or below the threshold once quantized (never selected).
    for (int noise = 0; noise < 10; ++noise) {
      const std::size_t pixel = random() % pixels;
      x[pixel * channels] = static_cast<float>(threshold - unit(random) * 4 * lsb);
      if (x[pixel * channels] < 0) x[pixel * channels] = static_cast<float>(unit(random) * lsb * 0.9);
    }
    std::vector<double> palette;  // a few shared values make ties (scenario 5)
    for (int k = 0; k < 3; ++k) palette.push_back(threshold + 0.05 + unit(random) * 0.6);
    for (int k = 0; k < active; ++k) {
      std::size_t pixel;
      if (scenario == 4 && k % 2 == 0) {
        // Border and corner pixels.
        const int side = static_cast<int>(random() % 4);
        const int along = static_cast<int>(random() % (side < 2 ? width : height));
        const int row = side == 0 ? 0 : side == 1 ? height - 1 : along;
        const int col = side < 2 ? along : (side == 2 ? 0 : width - 1);
        pixel = static_cast<std::size_t>(row) * width + col;
      } else {
        pixel = random() % pixels;
      }
      double value;
      if (scenario == 5) {
        value = palette[random() % palette.size()];
      } else if (scenario == 6 && k % 3 == 0) {
        value = threshold + (unit(random) * 2 - 0.5) * lsb;  // around the threshold's quantization step
      } else if (scenario == 7 && k % 4 == 0) {
        value = input_type.max_value() * (1.0 + unit(random));  // beyond the range: wraps or saturates
      } else {
        value = threshold + lsb + unit(random) * 0.8;
      }
      for (int channel = 0; channel < channels; ++channel) {
        x[pixel * channels + channel] = static_cast<float>(channel == 0 ? value : unit(random) - 0.3);
      }
    }
    if (scenario == 4) {  // the four corners
      for (std::size_t corner :
           {std::size_t{0}, static_cast<std::size_t>(width - 1), pixels - width, pixels - 1}) {
        x[corner * channels] = static_cast<float>(threshold + 0.3 + unit(random) * 0.3);
      }
    }
  }
  return events;
}

}  // namespace codegen_test
