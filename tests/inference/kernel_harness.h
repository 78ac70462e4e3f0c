// kernel_harness.h: runs the HLS kernels (hls/nnet_utils) and the host fixed inference on the same
// model and events and counts every layer output that differs. Shared by the equality tests.
//
// The kernels are the independent reference: the tests instantiate them with compile-time config
// structs written from the model's architecture, their typedefs checked against the model's resolved
// types (so both sides compute in the same types), and compare raw bits layer by layer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ap_fixed.h"
#include "ap_int.h"
#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"

namespace harness {

using sparsepixels::fixed::FixedType;
using sparsepixels::inference::LayerValues;

/// Width, integer bits, sign and modes of an ap_fixed/ap_ufixed type.
template <class T>
struct ApTraits;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_fixed_base<W, I, S, Q, O, N>> {
  static const int width = W, integer = I, saturation_bits = N;
  static const bool is_signed = S;
  static const ap_q_mode quantization = Q;
  static const ap_o_mode overflow = O;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_fixed<W, I, Q, O, N>> : ApTraits<ap_fixed_base<W, I, true, Q, O, N>> {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_ufixed<W, I, Q, O, N>> : ApTraits<ap_fixed_base<W, I, false, Q, O, N>> {};

/// The run-time description of a compile-time ap type (to compare with the model's types).
template <class T>
FixedType describe() {
  using Traits = ApTraits<T>;
  FixedType type;
  type.width = Traits::width;
  type.integer = Traits::integer;
  type.is_signed = Traits::is_signed;
  type.saturation_bits = Traits::saturation_bits;
  switch (Traits::quantization) {
    case AP_RND:
      type.quantization = sparsepixels::fixed::Quantization::RND;
      break;
    case AP_RND_ZERO:
      type.quantization = sparsepixels::fixed::Quantization::RND_ZERO;
      break;
    case AP_RND_MIN_INF:
      type.quantization = sparsepixels::fixed::Quantization::RND_MIN_INF;
      break;
    case AP_RND_INF:
      type.quantization = sparsepixels::fixed::Quantization::RND_INF;
      break;
    case AP_RND_CONV:
      type.quantization = sparsepixels::fixed::Quantization::RND_CONV;
      break;
    case AP_TRN:
      type.quantization = sparsepixels::fixed::Quantization::TRN;
      break;
    case AP_TRN_ZERO:
      type.quantization = sparsepixels::fixed::Quantization::TRN_ZERO;
      break;
  }
  switch (Traits::overflow) {
    case AP_SAT:
      type.overflow = sparsepixels::fixed::Overflow::SAT;
      break;
    case AP_SAT_ZERO:
      type.overflow = sparsepixels::fixed::Overflow::SAT_ZERO;
      break;
    case AP_SAT_SYM:
      type.overflow = sparsepixels::fixed::Overflow::SAT_SYM;
      break;
    default:
      type.overflow = sparsepixels::fixed::Overflow::WRAP;
      break;
  }
  return type;
}

/// ceil(log2(n)) for n >= 1, at compile time.
constexpr int ceil_log2(int n) {
  return n <= 1 ? 0 : 1 + ceil_log2((n + 1) / 2);
}
constexpr int max_of(int a, int b) {
  return a > b ? a : b;
}

/// The exact accumulator of reference section 11.3 for sum of fan_in products weight*input plus a
/// bias, written from docs/fixed-point.md independently of the library's exact_accumulator.
template <class weight_T, class input_T, class bias_T, int fan_in>
struct ExactAccumulator {
  using Wt = ApTraits<weight_T>;
  using In = ApTraits<input_T>;
  using Bt = ApTraits<bias_T>;
  static const bool is_signed = Wt::is_signed || In::is_signed || Bt::is_signed;
  static const bool product_signed = Wt::is_signed || In::is_signed;
  static const int product_integer = Wt::integer + In::integer + ((is_signed && !product_signed) ? 1 : 0);
  static const int bias_integer = Bt::integer + ((is_signed && !Bt::is_signed) ? 1 : 0);
  static const int fraction =
      max_of((Wt::width - Wt::integer) + (In::width - In::integer), Bt::width - Bt::integer);
  static const int integer = max_of(product_integer, bias_integer) + ceil_log2(fan_in + 1);
  typedef typename std::conditional<is_signed, ap_fixed<integer + fraction, integer>,
                                    ap_ufixed<integer + fraction, integer>>::type type;
};

/// The exact sum of `terms` values of input_T (pooling sums, the softmax sum): log2 more integer bits.
template <class input_T, int terms>
struct ExactSum {
  using In = ApTraits<input_T>;
  static const int integer = In::integer + ceil_log2(terms);
  static const int fraction = In::width - In::integer;
  typedef typename std::conditional<In::is_signed, ap_fixed<integer + fraction, integer>,
                                    ap_ufixed<integer + fraction, integer>>::type type;
};

/// The raw mantissa of an ap value (exact: every type here is at most 53 bits wide).
template <class T>
std::int64_t raw_of(const T& value) {
  return static_cast<std::int64_t>(
      std::llround(std::ldexp(value.to_double(), ApTraits<T>::width - ApTraits<T>::integer)));
}

/// A sparse kernel output (features and hash) as LayerValues.
template <class T, class hash_T>
LayerValues capture_sparse(const T* features, std::size_t count, const hash_T* hash, std::size_t slots) {
  LayerValues values;
  for (std::size_t k = 0; k < count; ++k) values.raw.push_back(raw_of(features[k]));
  for (std::size_t k = 0; k < 2 * slots; ++k) values.hash.push_back(static_cast<int>(hash[k].to_uint()));
  return values;
}

/// A dense kernel output as LayerValues.
template <class T>
LayerValues capture_dense(const T* values_in, std::size_t count) {
  LayerValues values;
  for (std::size_t k = 0; k < count; ++k) values.raw.push_back(raw_of(values_in[k]));
  return values;
}

/// Kernel-side parameters: the model's float parameters converted to the ap type (exact: the test
/// draws them on the type's grid).
template <class T>
std::vector<T> kernel_parameters(const std::vector<float>& values) {
  std::vector<T> result;
  for (float value : values) result.push_back(T(static_cast<double>(value)));
  return result;
}

/// A kernel-side lookup table from the generator's raw entries (exact doubles).
template <class T>
std::vector<T> kernel_table(const std::vector<std::int64_t>& raw, const FixedType& type) {
  std::vector<T> table;
  for (std::int64_t value : raw) table.push_back(T(std::ldexp(static_cast<double>(value), -type.fraction())));
  return table;
}

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

/// Compares the host trace with the kernel trace of one event; counts differing values and hashes,
/// and describes the first difference in `first`.
inline std::size_t count_mismatches(const std::vector<LayerValues>& host,
                                    const std::vector<LayerValues>& kernel,
                                    const sparsepixels::model::Model& model, std::size_t event,
                                    std::string& first) {
  std::size_t mismatches = 0;
  auto note = [&](std::size_t layer, const std::string& what) {
    if (first.empty()) {
      std::ostringstream text;
      text << "event " << event << ", layer " << layer << " (" << model.resolved()[layer].spec.name
           << "): " << what;
      first = text.str();
    }
  };
  if (host.size() != kernel.size()) {
    note(0, "different layer counts");
    return 1;
  }
  for (std::size_t layer = 0; layer < host.size(); ++layer) {
    if (host[layer].raw.size() != kernel[layer].raw.size() ||
        host[layer].hash.size() != kernel[layer].hash.size()) {
      note(layer, "different sizes");
      ++mismatches;
      continue;
    }
    for (std::size_t k = 0; k < host[layer].raw.size(); ++k) {
      if (host[layer].raw[k] != kernel[layer].raw[k]) {
        ++mismatches;
        note(layer, "value " + std::to_string(k) + ": host raw " + std::to_string(host[layer].raw[k]) +
                        ", kernel raw " + std::to_string(kernel[layer].raw[k]));
      }
    }
    for (std::size_t k = 0; k < host[layer].hash.size(); ++k) {
      if (host[layer].hash[k] != kernel[layer].hash[k]) {
        ++mismatches;
        note(layer, "hash " + std::to_string(k) + ": host " + std::to_string(host[layer].hash[k]) +
                        ", kernel " + std::to_string(kernel[layer].hash[k]));
      }
    }
  }
  return mismatches;
}

/// Runs a design (a struct with the kernels wired like a generated top function) and the host fixed
/// inference on `events` random events and expects zero mismatches in every layer. Design provides:
///   static sparsepixels::spec::ModelSpec spec();
///   static void check_types(const std::vector<sparsepixels::spec::ResolvedLayer>&);
///   struct Parameters { explicit Parameters(const sparsepixels::inference::FixedModel&,
///                                           const sparsepixels::model::Model&); ... };
///   static void run(const float* event, Parameters&, std::vector<LayerValues>& trace);
/// Returns the host profile so the caller can check the events exercised every layer.
template <class Design>
std::vector<sparsepixels::inference::LayerProfile> expect_kernels_equal(int events, std::uint64_t seed) {
  sparsepixels::model::Model model(Design::spec());
  Design::check_types(model.resolved());
  randomize_parameters(model, seed);
  const sparsepixels::inference::FixedModel fixed(model);
  typename Design::Parameters parameters(fixed, model);
  const auto& input = model.resolved().front().input;
  const int budget = model.resolved().front().spec.kind == sparsepixels::spec::LayerKind::InputReduce
                         ? model.resolved().front().spec.n_active
                         : 8;
  const double threshold = model.resolved().front().spec.threshold;
  const std::vector<float> x = random_events(events, input.height, input.width, input.channels, budget,
                                             threshold, model.spec().input_type, seed + 1);
  sparsepixels::inference::FixedOptions options;
  options.threads = 2;
  options.trace = true;
  options.profile = true;
  const auto host = fixed.predict(x.data(), static_cast<std::size_t>(events), options);
  std::size_t mismatches = 0, compared = 0;
  std::string first;
  std::vector<LayerValues> kernel;
  for (int event = 0; event < events; ++event) {
    kernel.clear();
    Design::run(x.data() + static_cast<std::size_t>(event) * fixed.input_size(), parameters, kernel);
    mismatches += count_mismatches(host.trace[static_cast<std::size_t>(event)], kernel, model,
                                   static_cast<std::size_t>(event), first);
    for (const auto& layer : kernel) compared += layer.raw.size() + layer.hash.size();
  }
  EXPECT_EQ(mismatches, 0u) << "of " << compared << " values; first: " << first;
  // The final outputs are the last layer's trace.
  for (int event = 0; event < events; ++event) {
    for (std::size_t k = 0; k < host.output_size; ++k) {
      EXPECT_EQ(host.raw[static_cast<std::size_t>(event) * host.output_size + k],
                host.trace[static_cast<std::size_t>(event)].back().raw[k]);
    }
  }
  return host.profile;
}

/// Every layer produced some non-zero output over the events (the comparison was not all zeros).
inline void expect_every_layer_exercised(const std::vector<sparsepixels::inference::LayerProfile>& profile) {
  for (std::size_t layer = 0; layer < profile.size(); ++layer) {
    EXPECT_GT(profile[layer].nonzero, 0u) << "layer " << layer << " only ever output zeros";
  }
}

}  // namespace harness
