#include "sparsepixels/layers/layer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "layer_kinds.h"
#include "sparsepixels/error.h"

namespace sparsepixels::layers {

Quantizer::Quantizer(const fixed::FixedType& type, bool declared_modes) : type_(type) {
  if (!declared_modes) {
    // Parameters: QKeras quantized_bits whatever the declared modes (as inference::parameter_raw).
    type_.quantization = fixed::Quantization::RND_CONV;
    type_.overflow = fixed::Overflow::SAT;
    type_.saturation_bits = 0;
    type_.integer_type = false;
  }
  using fixed::Overflow;
  using fixed::Quantization;
  const bool simple_modes =
      (type_.quantization == Quantization::RND_CONV || type_.quantization == Quantization::TRN) &&
      (type_.overflow == Overflow::SAT || type_.overflow == Overflow::WRAP) && type_.saturation_bits == 0;
  // The inline path needs |raw| < 2^50 (its rounding trick) and plain integer-free ap_fixed rules.
  fast_ = simple_modes && type_.width <= 50 && !type_.integer_type;
  truncate_ = type_.quantization == Quantization::TRN;
  saturate_ = type_.overflow == Overflow::SAT;
  modulus_ = std::ldexp(1.0, type_.width);
  inverse_modulus_ = std::ldexp(1.0, -type_.width);
  scale_ = std::ldexp(1.0, type_.fraction());
  inverse_scale_ = std::ldexp(1.0, -type_.fraction());
  min_raw_ = static_cast<double>(type_.min_raw());
  max_raw_ = static_cast<double>(type_.max_raw());
}

float Quantizer::quantize_declared(double value) const {
  return static_cast<float>(type_.quantize(value));
}

bool fits_float(const fixed::FixedType& type) {
  // float32 has a 24-bit significand; a signed type's most negative raw -2^(W-1) needs only W-1 bits.
  return type.width - (type.is_signed ? 1 : 0) <= 24;
}

void Quantizer::apply(float* values, std::size_t count) const {
  if (fast_) {
    for (std::size_t i = 0; i < count; ++i) values[i] = quantize_fast(values[i]);
    return;
  }
  for (std::size_t i = 0; i < count; ++i) values[i] = quantize_declared(values[i]);
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

void Layer::update_statistics(const std::vector<const tensor::Batch*>&) {}

namespace {

// Significant bits of a positive integer (the bit length without trailing zeros).
int significant_bits(std::int64_t value) {
  while (value > 0 && value % 2 == 0) value /= 2;
  int bits = 0;
  for (; value > 0; value /= 2) ++bits;
  return bits;
}

// Significant bits of the largest exact intermediate of the layer's quantized forward pass: the
// accumulator holds every product and partial sum (reference 11.3); average pooling then multiplies
// the sum by R (11.5). 0 for layers without arithmetic.
int arithmetic_bits(const spec::ResolvedLayer& info) {
  switch (spec::kind_info(info.spec.kind).accumulator) {
    case spec::AccumulatorRule::None:
      return 0;
    case spec::AccumulatorRule::Products:
      return info.types.accum.width;
    case spec::AccumulatorRule::PoolSum: {
      const int area = info.spec.pool_height * info.spec.pool_width;
      if (info.profile == spec::ArithmeticProfile::Hls4ml &&
          info.spec.kind == spec::LayerKind::SparseAvgPool2D) {
        // hls4ml's two per-side reciprocals (1 for a side of 1): the bits of their product.
        std::int64_t scale = 1;
        for (const int side : {info.spec.pool_height, info.spec.pool_width}) {
          if (side > 1) scale *= hls4ml_pool_reciprocal_raw(side);
        }
        return info.types.accum.width + (scale > 1 ? significant_bits(scale) : 0);
      }
      const int reciprocal_bits = area > 1 ? significant_bits(pool_reciprocal_raw(area)) : 0;
      return info.types.accum.width + reciprocal_bits;
    }
  }
  return 0;  // unreachable: every rule is listed above
}

}  // namespace

void Layer::effective_parameters(const std::vector<float>* unfolded, bool quantize,
                                 std::vector<float>& weights_out, std::vector<float>& bias_out) const {
  weights_out = weights;
  bias_out = bias;
  if (batchnorm_) fold_batchnorm(*batchnorm_, unfolded, weights_out, bias_out);
  if (!quantize || !quantized_) return;
  // QKeras quantized_bits on the (folded) parameters, as inference::parameter_raw converts them.
  Quantizer(info_.types.weight, false).apply(weights_out.data(), weights_out.size());
  Quantizer(info_.types.bias, false).apply(bias_out.data(), bias_out.size());
}

void Layer::prepare(bool quantized, QatSums sums) {
  quantized_ = quantized;
  double_sums_ = false;
  effective_parameters(nullptr, true, forward_weights_, forward_bias_);  // quantized in QAT
  if (!quantized) return;
  const spec::LayerKind kind = info_.spec.kind;
  auto reject = [&](const char* field, const fixed::FixedType& type, const std::string& why) {
    throw Error(fmt::format("QAT: layer '{}' ({}): field 'precision.{}': {} {}", info_.spec.name,
                            spec::to_string(kind), field, type.to_string(), why));
  };
  // Values between layers are float32 in QAT: every parameter and result must be a float32 exactly.
  if (!weights.empty() && !fits_float(info_.types.weight))
    reject("weight", info_.types.weight, "is wider than float32's 24 bits");
  if (!bias.empty() && !fits_float(info_.types.bias))
    reject("bias", info_.types.bias, "is wider than float32's 24 bits");
  // Sigmoid/Softmax outputs are float approximations in QAT anyway (reference 11.8), so the logits
  // that feed them may be carried rounded once to float32 (each is the exact value of its type, from
  // an exact sum, then one float rounding: docs/training.md).
  if (kind != spec::LayerKind::Sigmoid && kind != spec::LayerKind::Softmax && !info_.spec.float_result &&
      !info_.logits && !fits_float(info_.types.result)) {
    reject("result", info_.types.result, "is wider than float32's 24 bits (QAT keeps results in float32)");
  }
  const int bits = arithmetic_bits(info_);
  double_sums_ = sums == QatSums::Exact && bits > 24;
  if (bits > 53) {
    reject(
        "accum", info_.types.accum,
        fmt::format("needs {} significant bits; QAT sums exactly in double up to 53 (reference 11.4)", bits));
  }
  result_quantizer_ = Quantizer(info_.types.result, true);
  relu_gradient_limit_ = info_.types.result.is_signed ? std::numeric_limits<double>::infinity()
                                                      : std::ldexp(1.0, info_.types.result.integer);
}

void Layer::quantize_result(tensor::Batch& out) const {
  if (!quantized_) return;
  const std::size_t count = out.values.size();
  out.negative.resize(count);
  float* values = out.values.data();
  std::uint8_t* negative = out.negative.data();
  if (info_.spec.float_result) {  // kept in float (--float-input imports); ReLU's gradient as in float
    for (std::size_t i = 0; i < count; ++i) negative[i] = values[i] < 0.0f ? 1 : 0;
    return;
  }
  const Quantizer& quantizer = result_quantizer_;
  if (quantizer.fast()) {
    // Branch-free, so the compiler can vectorize it (the limit is a power of two or infinity: exact).
    const float limit = static_cast<float>(relu_gradient_limit_);
    for (std::size_t i = 0; i < count; ++i) {
      negative[i] = static_cast<std::uint8_t>((values[i] < 0.0f) | (values[i] > limit));
      values[i] = quantizer.quantize_fast(values[i]);
    }
    return;
  }
  for (std::size_t i = 0; i < count; ++i) {
    negative[i] = relu_blocks(values[i]) ? 1 : 0;
    values[i] = quantizer(values[i]);
  }
}

void Layer::quantize_exact(const double* sums, std::size_t count, tensor::Batch& out,
                           std::size_t offset) const {
  float* values = out.values.data() + offset;
  std::uint8_t* negative = out.negative.data() + offset;
  for (std::size_t i = 0; i < count; ++i) {
    negative[i] = relu_blocks(sums[i]) ? 1 : 0;
    values[i] = info_.spec.float_result ? static_cast<float>(sums[i]) : result_quantizer_.quantize(sums[i]);
  }
}

std::unique_ptr<Layer> make_layer(const spec::ResolvedLayer& resolved) {
  std::unique_ptr<Layer> layer;
  using spec::LayerKind;
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
      layer = make_relu(resolved);
      break;
    case LayerKind::Sigmoid:
      layer = make_sigmoid(resolved);
      break;
    case LayerKind::Softmax:
      layer = make_softmax(resolved);
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
    case LayerKind::SparseBatchNormalization:
      layer = make_sparse_batchnorm(resolved);
      break;
  }
  layer->weights.assign(resolved.weight_count, 0.0f);
  layer->bias.assign(resolved.bias_count, 0.0f);
  layer->prepare(false);
  return layer;
}

}  // namespace sparsepixels::layers
