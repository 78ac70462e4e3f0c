#include "sparsepixels/layers/fixed_layer.h"

#include <fmt/format.h>

#include <cmath>

#include "fixed_arithmetic.h"
#include "sparsepixels/error.h"
#include "sparsepixels/layers/layer.h"

namespace sparsepixels::layers {

namespace {

std::vector<std::int64_t> convert_parameters(const spec::ResolvedLayer& info,
                                             const std::vector<float>& values, std::size_t expected,
                                             const fixed::FixedType& type, const char* field) {
  const std::string& name = info.spec.name;
  if (values.size() != expected) {
    throw Error(fmt::format("fixed inference: layer '{}': field '{}': {} values, expected {}", name, field,
                            values.size(), expected));
  }
  std::vector<std::int64_t> raw(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k])) {
      throw Error(
          fmt::format("fixed inference: layer '{}': field '{}': value {} is {}", name, field, k, values[k]));
    }
    raw[k] = parameter_raw(values[k], type);
  }
  return raw;
}

}  // namespace

FixedLayer::FixedLayer(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
                       const std::vector<float>& weights, const std::vector<float>& bias)
    : info_(info),
      input_type_(input_type),
      weights_(convert_parameters(info, weights, info.weight_count, info.types.weight, "weights")),
      biases_(convert_parameters(info, bias, info.bias_count, info.types.bias, "bias")) {}

std::unique_ptr<FixedLayer> make_fixed_layer(const spec::ResolvedLayer& info,
                                             const fixed::FixedType& input_type,
                                             const std::vector<float>& weights,
                                             const std::vector<float>& bias) {
  std::unique_ptr<Layer> layer = make_layer(info);
  layer->weights = weights;
  layer->bias = bias;
  return layer->make_fixed(input_type);
}

std::int64_t parameter_raw(float value, const fixed::FixedType& type) {
  fixed::FixedType rounding = type;
  rounding.quantization = fixed::Quantization::RND_CONV;
  rounding.overflow = fixed::Overflow::SAT;
  rounding.saturation_bits = 0;
  rounding.integer_type = false;  // an ap_int<W> holds what ap_fixed<W,W> holds; round, don't chop
  return rounding.quantize_raw(static_cast<double>(value));
}

std::int64_t threshold_raw(const spec::ResolvedLayer& info, const fixed::FixedType& input_type) {
  return input_type.quantize_raw(info.spec.threshold);
}

std::int64_t pool_reciprocal_raw(int area) {
  if (area < 2) throw Error(fmt::format("pool_reciprocal_raw: area must be >= 2, got {}", area));
  const std::int64_t numerator = std::int64_t{1} << fixed_arithmetic::kReciprocalBits;
  const std::int64_t quotient = numerator / area, remainder = numerator % area;
  const bool round_up = 2 * remainder > area || (2 * remainder == area && quotient % 2 == 1);
  return round_up ? quotient + 1 : quotient;
}

}  // namespace sparsepixels::layers
