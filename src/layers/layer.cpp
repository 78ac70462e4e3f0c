#include "sparsepixels/layers/layer.h"

#include <algorithm>
#include <cmath>

#include "layer_kinds.h"

namespace sparsepixels::layers {

Quantizer::Quantizer(const fixed::FixedType& type, bool declared_modes) : type_(type) {
  const bool half_even_saturate = !declared_modes || (type.quantization == fixed::Quantization::RND_CONV &&
                                                      type.overflow == fixed::Overflow::SAT);
  // The inline path needs every raw value exact in a double and the vendor's plain SAT rule.
  fast_ = half_even_saturate && type.width <= 52 && !type.integer_type;
  scale_ = std::ldexp(1.0, type.fraction());
  inverse_scale_ = std::ldexp(1.0, -type.fraction());
  min_raw_ = static_cast<double>(type.min_raw());
  max_raw_ = static_cast<double>(type.max_raw());
}

float Quantizer::operator()(float value) const {
  if (fast_) {
    // nearbyint rounds ties to even in the default rounding mode.
    const double raw = std::clamp(std::nearbyint(static_cast<double>(value) * scale_), min_raw_, max_raw_);
    return static_cast<float>(raw * inverse_scale_);
  }
  return static_cast<float>(type_.quantize(static_cast<double>(value)));
}

void Quantizer::apply(float* values, std::size_t count) const {
  for (std::size_t i = 0; i < count; ++i) values[i] = (*this)(values[i]);
}

void ParameterGradients::zero() {
  std::fill(weights.begin(), weights.end(), 0.0f);
  std::fill(bias.begin(), bias.end(), 0.0f);
}

void Layer::initialize(std::mt19937_64& random) {
  if (weights.empty()) return;
  // Glorot uniform: limit sqrt(6 / (fan_in + fan_out)) with receptive fields counted (Keras).
  const auto outputs = bias.empty() ? 1.0 : static_cast<double>(bias.size());
  const double fan_in = static_cast<double>(weights.size()) / outputs;
  const double taps =
      info_.spec.kernel > 0 ? static_cast<double>(info_.spec.kernel * info_.spec.kernel) : 1.0;
  const double limit = std::sqrt(6.0 / (fan_in + outputs * taps));
  // A hand-rolled uniform draw: std::uniform_real_distribution differs between standard libraries.
  for (float& w : weights) {
    const double unit = static_cast<double>(random() >> 11) * 0x1.0p-53;
    w = static_cast<float>((2.0 * unit - 1.0) * limit);
  }
  std::fill(bias.begin(), bias.end(), 0.0f);
}

void Layer::prepare(bool quantized) {
  quantized_ = quantized;
  forward_weights_ = weights;
  forward_bias_ = bias;
  if (quantized) {
    const Quantizer weight_quantizer(info_.types.weight, false);
    const Quantizer bias_quantizer(info_.types.bias, false);
    weight_quantizer.apply(forward_weights_.data(), forward_weights_.size());
    bias_quantizer.apply(forward_bias_.data(), forward_bias_.size());
    result_quantizer_ = Quantizer(info_.types.result, true);
  }
}

void Layer::quantize_result(tensor::Batch& out) const {
  if (quantized_) result_quantizer_.apply(out.values.data(), out.values.size());
}

std::unique_ptr<Layer> make_layer(const model::ResolvedLayer& resolved) {
  std::unique_ptr<Layer> layer;
  using model::LayerKind;
  switch (resolved.spec.kind) {
    case LayerKind::InputReduce:
      layer = make_input_reduce(resolved);
      break;
    case LayerKind::SparseConv2D:
      layer = make_sparse_conv2d(resolved);
      break;
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
      layer = make_sparse_pool(resolved);
      break;
    case LayerKind::SparseFlatten:
      layer = make_sparse_flatten(resolved);
      break;
    case LayerKind::Dense:
      layer = make_dense(resolved);
      break;
    case LayerKind::SparseReLU:
    case LayerKind::ReLU:
    case LayerKind::Sigmoid:
    case LayerKind::Softmax:
      layer = make_activation(resolved);
      break;
    case LayerKind::Conv2D:
      layer = make_conv2d(resolved);
      break;
    case LayerKind::AvgPool2D:
    case LayerKind::MaxPool2D:
      layer = make_pool2d(resolved);
      break;
    case LayerKind::Flatten:
      layer = make_flatten(resolved);
      break;
  }
  layer->weights.assign(resolved.weight_count, 0.0f);
  layer->bias.assign(resolved.bias_count, 0.0f);
  layer->prepare(false);
  return layer;
}

}  // namespace sparsepixels::layers
