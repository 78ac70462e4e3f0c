#include "sparsepixels/estimate/from_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <optional>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace sparsepixels::estimate {

namespace {

using spec::ResolvedLayer;

// The CSD digit statistics of a layer's weights once converted to the weight type; none when every
// weight is zero (untrained placeholders of a model saved from a config, not a measured sparsity).
std::optional<WeightDigits> measured_digits(const std::vector<float>& weights, const fixed::FixedType& type) {
  std::vector<std::int64_t> raw;
  raw.reserve(weights.size());
  for (float weight : weights) raw.push_back(type.quantize_raw(static_cast<double>(weight)));
  const WeightDigits digits = measured_weight_digits(raw);
  if (raw.empty() || digits.nonzero_share == 0) return std::nullopt;
  return digits;
}

// 0 (the estimator's own exact rule) when the layer uses the exact accumulator, else the declared width.
int accumulator_bits(const fixed::FixedType& used, const fixed::FixedType& exact) {
  return used == exact ? 0 : used.width;
}

}  // namespace

DesignSpec design_from_model(const model::Model& model, const std::string& origin,
                             const FromModelOptions& options) {
  model::require_fixed_point(model, origin, "the estimator");
  const spec::ModelSpec& spec = model.spec();
  const std::vector<ResolvedLayer>& layers = model.resolved();
  DesignSpec design;
  design.name = spec.name;
  design.height = spec.input_height;
  design.width = spec.input_width;
  design.channels = spec.input_channels;
  design.input_bits = spec.input_type.width;
  design.clock_ns = spec.hls.clock_ns;
  design.clock_uncertainty = spec.hls.clock_uncertainty;
  design.part = spec.hls.part;

  const bool sparse = !layers.empty() && layers.front().spec.kind == spec::LayerKind::InputReduce;
  design.architecture = sparse ? Architecture::Sparse : Architecture::StandardStream;
  bool flattened = false;
  // The type flowing into the current layer (the model input, then each layer's result).
  fixed::FixedType data_type = spec.input_type;

  for (std::size_t index = 0; index < layers.size(); ++index) {
    const ResolvedLayer& layer = layers[index];
    const spec::LayerTypes& types = layer.types;
    auto cannot_cost = [&](const std::string& reason) {
      throw Error(fmt::format("{}: layer '{}' ({}): the estimator cannot cost this layer: {}", origin,
                              layer.spec.name, spec::to_string(layer.spec.kind), reason));
    };
    // A batch normalization folded into the convolution before it is part of that stage's weights.
    if (layer.folded) continue;
    const std::optional<spec::StageKind> stage = spec::kind_info(layer.spec.kind).stage;
    if (!stage) {
      // Input reduction: resolution already rejects one that is not first; the estimator builds it in.
      design.n_active = layer.spec.n_active;
      design.selection =
          layer.spec.selection == spec::Selection::TopK ? SelectionPolicy::TopK : SelectionPolicy::Raster;
      data_type = types.result;
      continue;
    }
    // Sparse and standard kinds of one family map to the same stage; the architecture costs them.
    StageSpec entry;
    switch (*stage) {
      case StageKind::Conv:
        entry = conv_layer(layer.spec.name, layer.spec.kernel, layer.spec.filters,
                           std::max(types.weight.width, types.bias.width), types.result.width);
        entry.accumulator_bits = accumulator_bits(
            types.accum, fixed::exact_accumulator(types.weight, data_type, types.bias, layer.fan_in));
        entry.weight_fraction_bits = types.weight.fraction();
        if (options.use_weight_sparsity)
          entry.weight_digits = measured_digits(model.layer(index).weights, types.weight);
        break;
      case StageKind::Activation:
        entry = relu_layer(layer.spec.name, types.result.width);
        break;
      case StageKind::Pool: {
        const bool average = spec::kind_info(layer.spec.kind).accumulator == spec::AccumulatorRule::PoolSum;
        entry = pool_layer(layer.spec.name, layer.spec.pool_height,
                           average ? PoolKind::Average : PoolKind::Max, types.result.width);
        entry.pool_width = layer.spec.pool_width;
        if (average) {
          entry.accumulator_bits =
              accumulator_bits(types.accum, spec::exact_pool_accumulator(data_type, layer.fan_in));
        }
        break;
      }
      case StageKind::Flatten:
        entry = flatten_layer(layer.spec.name);
        flattened = true;
        break;
      case StageKind::Dense:
        // A model may feed a 1x1 input straight into Dense; the estimator's dense needs a flat vector.
        if (!flattened) cannot_cost("Dense without a Flatten before it");
        entry = dense_layer(layer.spec.name, layer.spec.units, std::max(types.weight.width, types.bias.width),
                            types.result.width);
        entry.accumulator_bits = accumulator_bits(
            types.accum, fixed::exact_accumulator(types.weight, data_type, types.bias, layer.fan_in));
        entry.weight_fraction_bits = types.weight.fraction();
        if (options.use_weight_sparsity)
          entry.weight_digits = measured_digits(model.layer(index).weights, types.weight);
        break;
      case StageKind::Softmax:
      case StageKind::Sigmoid:
        if (!flattened)
          cannot_cost(fmt::format("{} without a Flatten before it", spec::to_string(layer.spec.kind)));
        entry = *stage == StageKind::Softmax ? softmax_layer(layer.spec.name, types.result.width)
                                             : sigmoid_layer(layer.spec.name, types.result.width);
        entry.table_bits = types.table.width;
        break;
    }
    data_type = types.result;
    design.layers.push_back(entry);
  }
  if (design.layers.empty()) {
    throw Error(fmt::format("{}: the model has no layer the estimator can cost after InputReduce", origin));
  }
  return design;
}

}  // namespace sparsepixels::estimate
