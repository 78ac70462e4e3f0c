// Sparse batch normalization: per channel over the active slots, y = x * scale + shift, with
// scale = gamma / sqrt(variance + epsilon) and shift = beta - mean * scale (docs/semantics.md,
// section 4b). Training normalizes with the batch statistics of the active slots and keeps moving
// statistics (Keras); inference, QAT inference and the kernel use the moving ones, folded into one
// scale and one shift per channel in the layer's weight and bias types.
//
// Parameter layout (the model file stores it as is): weights = [gamma (C) | moving_mean (C) |
// moving_variance (C)], bias = beta (C). Only gamma and beta have gradients; the moving statistics
// get zero gradients (so Adam leaves them unchanged) and are updated by update_statistics.
//
// Folded (right after a SparseConv2D, ResolvedLayer::folded): the convolution computes the pair with
// fold_batchnorm's weights and biases; this layer passes values through, takes its statistics from the
// convolution's unfolded output and differentiates the batch normalization of that output.
#include <fmt/format.h>

#include <cmath>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"
#include "sparsepixels/error.h"

namespace sparsepixels::layers {

namespace {

// The folded scale and shift of one channel, each rounded once to float32: both QAT and the fixed
// conversion start from these floats (then parameter_raw / the parameter quantizer).
struct Folded {
  float scale, shift;
};

Folded fold_channel(double gamma, double beta, double mean, double variance, double epsilon) {
  const double inverse = 1.0 / std::sqrt(variance + epsilon);
  return {static_cast<float>(gamma * inverse), static_cast<float>(beta - mean * gamma * inverse)};
}

// Per channel mean and biased variance over the active slots (any channel non-zero) of `batches`.
struct Statistics {
  std::vector<double> mean, variance;
  std::vector<std::size_t> count;
};

Statistics active_statistics(const std::vector<const std::vector<float>*>& batches, std::size_t channels) {
  Statistics stats{std::vector<double>(channels, 0.0), std::vector<double>(channels, 0.0),
                   std::vector<std::size_t>(channels, 0)};
  auto active = [channels](const float* slot) {
    for (std::size_t c = 0; c < channels; ++c)
      if (slot[c] != 0.0f) return true;
    return false;
  };
  for (const std::vector<float>* values : batches) {
    for (std::size_t k = 0; k + channels <= values->size(); k += channels) {
      const float* slot = values->data() + k;
      if (!active(slot)) continue;
      for (std::size_t c = 0; c < channels; ++c) {
        stats.mean[c] += slot[c];
        ++stats.count[c];
      }
    }
  }
  for (std::size_t c = 0; c < channels; ++c) {
    if (stats.count[c] > 0) stats.mean[c] /= static_cast<double>(stats.count[c]);
  }
  for (const std::vector<float>* values : batches) {
    for (std::size_t k = 0; k + channels <= values->size(); k += channels) {
      const float* slot = values->data() + k;
      if (!active(slot)) continue;
      for (std::size_t c = 0; c < channels; ++c) {
        const double d = slot[c] - stats.mean[c];
        stats.variance[c] += d * d;
      }
    }
  }
  for (std::size_t c = 0; c < channels; ++c) {
    if (stats.count[c] > 0) stats.variance[c] /= static_cast<double>(stats.count[c]);
  }
  return stats;
}

// Fixed point: on active slots, the exact x * scale + shift through the accumulator, cast once.
class FixedSparseBatchNorm final : public FixedLayer {
 public:
  FixedSparseBatchNorm(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
                       std::vector<std::int64_t> scale_raw, std::vector<std::int64_t> shift_raw)
      : FixedLayer(info, input_type, std::move(scale_raw), std::move(shift_raw)) {}

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const auto channels = static_cast<std::size_t>(info_.input.channels);
    const int product_fraction = input_type_.fraction() + info_.types.weight.fraction();
    const int bias_fraction = info_.types.bias.fraction();
    const int fraction = std::max(product_fraction, bias_fraction);
    out.raw.assign(in.raw.size(), 0);
    out.hash = in.hash;
    for (std::size_t k = 0; k + channels <= in.raw.size(); k += channels) {
      bool active = false;
      for (std::size_t c = 0; c < channels; ++c) active = active || in.raw[k + c] != 0;
      if (!active) continue;  // empty slots stay exactly 0
      for (std::size_t c = 0; c < channels; ++c) {
        const Int128 sum = shift_left(Int128(in.raw[k + c]) * weights_[c], fraction - product_fraction) +
                           shift_left(biases_[c], fraction - bias_fraction);
        // The accumulator holds the sum exactly (reference 11.3), so it passes unchanged.
        out.raw[k + c] = cast_value(info_.types.result, sum, fraction, profile);
      }
    }
  }
};

// Folded into the convolution before it: the pair's output passes unchanged (same types).
class FixedFoldedBatchNorm final : public FixedLayer {
 public:
  FixedFoldedBatchNorm(const spec::ResolvedLayer& info, const fixed::FixedType& input_type)
      : FixedLayer(info, input_type, std::vector<std::int64_t>{}, std::vector<std::int64_t>{}) {}

  void forward(const LayerValues& in, LayerValues& out, LayerProfile*) const override { out = in; }
};

class SparseBatchNorm final : public Layer {
 public:
  using Layer::Layer;

  void initialize(std::mt19937_64&) override {
    const std::size_t channels = channel_count();
    std::fill(weights.begin(), weights.begin() + static_cast<std::ptrdiff_t>(channels), 1.0f);  // gamma
    std::fill(weights.begin() + static_cast<std::ptrdiff_t>(channels),
              weights.begin() + static_cast<std::ptrdiff_t>(2 * channels), 0.0f);                 // mean
    std::fill(weights.begin() + static_cast<std::ptrdiff_t>(2 * channels), weights.end(), 1.0f);  // variance
    std::fill(bias.begin(), bias.end(), 0.0f);                                                    // beta
  }

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    const std::size_t channels = channel_count();
    const std::string& name = info_.spec.name;
    if (weights.size() != 3 * channels || bias.size() != channels) {
      throw Error(
          fmt::format("fixed inference: layer '{}': field 'weights': {} weights and {} biases, "
                      "expected {} and {}",
                      name, weights.size(), bias.size(), 3 * channels, channels));
    }
    if (info_.folded) return std::make_unique<FixedFoldedBatchNorm>(info_, input_type);
    std::vector<std::int64_t> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      const Folded f = folded_moving(c);
      if (!std::isfinite(f.scale) || !std::isfinite(f.shift)) {
        throw Error(fmt::format(
            "fixed inference: layer '{}': field 'weights': channel {} folds to scale {} and shift {}", name,
            c, f.scale, f.shift));
      }
      scale[c] = parameter_raw(f.scale, info_.types.weight);
      shift[c] = parameter_raw(f.shift, info_.types.bias);
    }
    return std::make_unique<FixedSparseBatchNorm>(info_, input_type, std::move(scale), std::move(shift));
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const std::size_t channels = channel_count();
    out.reset(in.events, in.event_size);
    out.geometry = in.geometry;
    if (info_.folded) {
      // The convolution before it computed the pair: its values and QAT records pass unchanged.
      out.values = in.values;
      out.negative = in.negative;
      return;
    }
    const std::size_t slots = in.values.size() / channels;
    if (quantized_) out.negative.assign(in.values.size(), 0);
    const std::vector<Folded> folded = folded_for(in);
    std::vector<float> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      scale[c] = folded[c].scale;
      shift[c] = folded[c].shift;
      if (quantized_) {
        scale[c] = Quantizer(info_.types.weight, false)(scale[c]);
        shift[c] = Quantizer(info_.types.bias, false)(shift[c]);
      }
    }
    const float* x = in.values.data();
    float* y = out.values.data();
    std::vector<double> sums(channels);
    for (std::size_t s = 0; s < slots; ++s) {
      const float* xs = x + s * channels;
      float* ys = y + s * channels;
      bool active = false;
      for (std::size_t c = 0; c < channels; ++c) active = active || xs[c] != 0.0f;
      if (!active) {
        std::fill(ys, ys + channels, 0.0f);
        continue;
      }
      // In double: exact in QAT (the accumulator bounds the significant bits, at most 53).
      for (std::size_t c = 0; c < channels; ++c) {
        sums[c] = static_cast<double>(xs[c]) * scale[c] + static_cast<double>(shift[c]);
      }
      if (quantized_) {
        quantize_exact(sums.data(), channels, out, s * channels);
      } else {
        for (std::size_t c = 0; c < channels; ++c) ys[c] = static_cast<float>(sums[c]);
      }
    }
  }

  void backward(const tensor::Batch& in, const tensor::Batch& /*out*/, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients& gradients) const override {
    const std::size_t channels = channel_count();
    // Folded: the gradient of the batch normalization of the convolution's unfolded output (QAT's
    // quantizers, the folded weights' included, are straight-through).
    if (info_.folded && (!training_ || in.unfolded.size() != in.values.size())) {
      throw Error(
          fmt::format("train: layer '{}': a folded batch normalization's backward needs the "
                      "training pass's unfolded values",
                      info_.spec.name));
    }
    const std::vector<float>& values = info_.folded ? in.unfolded : in.values;
    const std::size_t slots = values.size() / channels;
    const float* x = values.data();
    const float* g = grad_out.data();
    if (grad_in) grad_in->assign(values.size(), 0.0f);
    // An active slot (any channel non-zero) is one the forward pass normalized.
    auto active = [&](std::size_t s) {
      for (std::size_t c = 0; c < channels; ++c)
        if (x[s * channels + c] != 0.0f) return true;
      return false;
    };
    // Statistics of the forward pass: the batch's in training, the moving ones otherwise. QAT's
    // quantizers are straight-through, so the gradient is the float layer's.
    std::vector<double> mean(channels), inverse(channels);
    std::vector<std::size_t> count(channels, 0);
    if (training_) {
      const Statistics stats = active_statistics({&values}, channels);
      for (std::size_t c = 0; c < channels; ++c) {
        mean[c] = stats.mean[c];
        inverse[c] = 1.0 / std::sqrt(stats.variance[c] + info_.spec.epsilon);
        count[c] = stats.count[c];
      }
    } else {
      for (std::size_t c = 0; c < channels; ++c) {
        mean[c] = weights[channels + c];
        inverse[c] = 1.0 / std::sqrt(static_cast<double>(weights[2 * channels + c]) + info_.spec.epsilon);
      }
    }
    std::vector<double> sum_g(channels, 0.0), sum_g_xhat(channels, 0.0);
    for (std::size_t s = 0; s < slots; ++s) {
      if (!active(s)) continue;
      for (std::size_t c = 0; c < channels; ++c) {
        const std::size_t k = s * channels + c;
        const double xhat = (x[k] - mean[c]) * inverse[c];
        sum_g[c] += g[k];
        sum_g_xhat[c] += g[k] * xhat;
      }
    }
    for (std::size_t c = 0; c < channels; ++c) {
      gradients.weights[c] += static_cast<float>(sum_g_xhat[c]);  // gamma
      gradients.bias[c] += static_cast<float>(sum_g[c]);          // beta
    }
    if (!grad_in) return;
    for (std::size_t s = 0; s < slots; ++s) {
      if (!active(s)) continue;  // an inactive slot outputs 0 whatever its value
      for (std::size_t c = 0; c < channels; ++c) {
        const std::size_t k = s * channels + c;
        const double gamma_inverse = static_cast<double>(weights[c]) * inverse[c];
        double d = g[k];
        if (training_) {
          // The batch statistics depend on x too (standard batch-norm gradient over the n active slots).
          const double n = static_cast<double>(count[c]);
          const double xhat = (x[k] - mean[c]) * inverse[c];
          d = g[k] - sum_g[c] / n - xhat * sum_g_xhat[c] / n;
        }
        (*grad_in)[k] = static_cast<float>(gamma_inverse * d);
      }
    }
  }

  void update_statistics(const std::vector<const tensor::Batch*>& inputs) override {
    const std::size_t channels = channel_count();
    // Folded: the statistics of the convolution's unfolded output, as the training pass normalized.
    std::vector<const std::vector<float>*> values;
    for (const tensor::Batch* batch : inputs)
      values.push_back(info_.folded ? &batch->unfolded : &batch->values);
    const Statistics stats = active_statistics(values, channels);
    const double momentum = info_.spec.momentum;
    for (std::size_t c = 0; c < channels; ++c) {
      if (stats.count[c] == 0) continue;  // no active slot in the batch: nothing to learn from
      float& mean = weights[channels + c];
      float& variance = weights[2 * channels + c];
      mean = static_cast<float>(mean * momentum + stats.mean[c] * (1.0 - momentum));
      variance = static_cast<float>(variance * momentum + stats.variance[c] * (1.0 - momentum));
    }
  }

 private:
  std::size_t channel_count() const { return static_cast<std::size_t>(info_.input.channels); }

  Folded folded_moving(std::size_t c) const {
    const std::size_t channels = channel_count();
    return fold_channel(weights[c], bias[c], weights[channels + c], weights[2 * channels + c],
                        info_.spec.epsilon);
  }

  // The scale and shift of every channel for this forward pass: from the batch's statistics in
  // training, from the moving statistics otherwise.
  std::vector<Folded> folded_for(const tensor::Batch& in) const {
    const std::size_t channels = channel_count();
    std::vector<Folded> folded(channels);
    if (training_) {
      const Statistics stats = active_statistics({&in.values}, channels);
      for (std::size_t c = 0; c < channels; ++c) {
        folded[c] = fold_channel(weights[c], bias[c], stats.mean[c], stats.variance[c], info_.spec.epsilon);
      }
    } else {
      for (std::size_t c = 0; c < channels; ++c) folded[c] = folded_moving(c);
    }
    return folded;
  }
};

}  // namespace

void fold_batchnorm(const Layer& batchnorm, const std::vector<float>* unfolded, std::vector<float>& weights,
                    std::vector<float>& bias) {
  const std::size_t channels = bias.size();
  const std::vector<float>& parameters = batchnorm.weights;
  const double epsilon = batchnorm.info().spec.epsilon;
  std::vector<double> mean(channels), variance(channels);
  if (unfolded) {
    const Statistics stats = active_statistics({unfolded}, channels);
    mean = stats.mean;
    variance = stats.variance;
  } else {
    for (std::size_t c = 0; c < channels; ++c) {
      mean[c] = parameters[channels + c];
      variance[c] = parameters[2 * channels + c];
    }
  }
  std::vector<double> scale(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    scale[c] = parameters[c] / std::sqrt(variance[c] + epsilon);
    bias[c] = static_cast<float>(batchnorm.bias[c] + (bias[c] - mean[c]) * scale[c]);
  }
  for (std::size_t k = 0; k < weights.size(); ++k) {
    weights[k] = static_cast<float>(weights[k] * scale[k % channels]);
  }
}

std::unique_ptr<Layer> make_sparse_batchnorm(const spec::ResolvedLayer& resolved) {
  return std::make_unique<SparseBatchNorm>(resolved);
}

}  // namespace sparsepixels::layers
