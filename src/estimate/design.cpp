#include "sparsepixels/estimate/design.h"

#include <algorithm>
#include <utility>

#include "sparsepixels/error.h"

namespace sparsepixels::estimate {

namespace {

int ceil_log2(long long value) {
  int bits = 0;
  while ((1LL << bits) < value) ++bits;
  return bits;
}

std::string layer_label(const DesignSpec& design, std::size_t index) {
  const StageSpec& layer = design.layers[index];
  return "design '" + design.name + "': layer " + std::to_string(index) +
         (layer.name.empty() ? std::string() : " (" + layer.name + ")");
}

void require_positive(const DesignSpec& design, std::size_t index, const char* field, int value) {
  if (value <= 0) {
    throw Error(layer_label(design, index) + ": " + field + " must be positive, got " +
                std::to_string(value));
  }
}

void require_width(const std::string& where, const char* field, int value) {
  if (value < 1 || value > 64) {
    throw Error(where + ": " + field + " must be between 1 and 64 bits, got " + std::to_string(value));
  }
}

}  // namespace

StageSpec conv_layer(std::string name, int kernel_size, int filters, int weight_bits, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Conv;
  layer.name = std::move(name);
  layer.kernel_size = kernel_size;
  layer.filters = filters;
  layer.weight_bits = weight_bits;
  layer.result_bits = result_bits;
  return layer;
}

StageSpec relu_layer(std::string name, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Activation;
  layer.name = std::move(name);
  layer.result_bits = result_bits;
  return layer;
}

StageSpec pool_layer(std::string name, int pool_size, PoolKind kind, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Pool;
  layer.name = std::move(name);
  layer.pool_height = pool_size;
  layer.pool_width = pool_size;
  layer.pool_kind = kind;
  layer.result_bits = result_bits;
  return layer;
}

StageSpec flatten_layer(std::string name) {
  StageSpec layer;
  layer.kind = StageKind::Flatten;
  layer.name = std::move(name);
  return layer;
}

StageSpec dense_layer(std::string name, int units, int weight_bits, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Dense;
  layer.name = std::move(name);
  layer.units = units;
  layer.weight_bits = weight_bits;
  layer.result_bits = result_bits;
  return layer;
}

StageSpec softmax_layer(std::string name, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Softmax;
  layer.name = std::move(name);
  layer.result_bits = result_bits;
  return layer;
}

StageSpec sigmoid_layer(std::string name, int result_bits) {
  StageSpec layer;
  layer.kind = StageKind::Sigmoid;
  layer.name = std::move(name);
  layer.result_bits = result_bits;
  return layer;
}

int exact_accumulator_bits(int a_bits, int b_bits, int fan_in) {
  return a_bits + b_bits + ceil_log2(static_cast<long long>(fan_in) + 1);
}

int coordinate_bits(int height, int width) {
  return ceil_log2(static_cast<long long>(std::max(height, width)) + 1);
}

WeightDigits constant_weight_digits(const StageSpec& layer, int fan_in, int fan_out) {
  if (layer.weight_digits) return *layer.weight_digits;
  return glorot_weight_digits(fan_in, fan_out, layer.weight_bits,
                              layer.weight_fraction_bits.value_or(layer.weight_bits - 1));
}

std::vector<LayerShape> propagate_shapes(const DesignSpec& design) {
  const std::string where = "design '" + design.name + "'";
  if (design.height <= 0 || design.width <= 0 || design.channels <= 0) {
    throw Error(where + ": input shape must be positive, got " + std::to_string(design.height) + "x" +
                std::to_string(design.width) + "x" + std::to_string(design.channels));
  }
  require_width(where, "input_bits", design.input_bits);
  if (design.architecture == Architecture::Sparse && design.n_active <= 0) {
    throw Error(where + ": n_active (N) must be positive for a sparse design, got " +
                std::to_string(design.n_active));
  }
  if (!(design.clock_ns > 0))
    throw Error(where + ": clock_ns must be positive, got " + std::to_string(design.clock_ns));
  if (!(design.clock_uncertainty >= 0 && design.clock_uncertainty < 1)) {
    throw Error(where + ": clock_uncertainty must be a fraction in [0, 1), got " +
                std::to_string(design.clock_uncertainty));
  }
  if (design.layers.empty()) throw Error(where + ": the layer list is empty");

  std::vector<LayerShape> shapes;
  LayerShape current;
  current.height = design.height;
  current.width = design.width;
  current.channels = design.channels;
  current.input_bits = design.input_bits;
  int bits = design.input_bits;
  for (std::size_t index = 0; index < design.layers.size(); ++index) {
    const StageSpec& layer = design.layers[index];
    LayerShape shape = current;
    shape.input_bits = bits;
    const int result_bits = layer.result_bits > 0 ? layer.result_bits : bits;
    require_width(layer_label(design, index), "result_bits", result_bits);
    auto spatial_only = [&](const char* what) {
      if (current.flat)
        throw Error(layer_label(design, index) + ": " + what +
                    " needs spatial input, but a flatten came before");
    };
    switch (layer.kind) {
      case StageKind::Conv: {
        spatial_only("conv");
        require_positive(design, index, "kernel_size", layer.kernel_size);
        require_positive(design, index, "filters", layer.filters);
        require_width(layer_label(design, index), "weight_bits", layer.weight_bits);
        if (layer.kernel_size % 2 == 0) {
          throw Error(layer_label(design, index) + ": kernel_size must be odd, got " +
                      std::to_string(layer.kernel_size));
        }
        const int window = layer.kernel_size * layer.kernel_size;
        const int fan_in =
            (design.architecture == Architecture::Sparse ? std::min(design.n_active, window) : window) *
            current.channels;
        shape.accumulator_bits = layer.accumulator_bits > 0
                                     ? layer.accumulator_bits
                                     : exact_accumulator_bits(bits, layer.weight_bits, fan_in);
        current.channels = layer.filters;
        break;
      }
      case StageKind::Activation:
        shape.outputs = current.flat ? current.inputs : 0;
        break;
      case StageKind::Pool: {
        spatial_only("pool");
        require_positive(design, index, "pool_height", layer.pool_height);
        require_positive(design, index, "pool_width", layer.pool_width);
        if (layer.pool_height > current.height || layer.pool_width > current.width) {
          throw Error(layer_label(design, index) + ": pool " + std::to_string(layer.pool_height) + "x" +
                      std::to_string(layer.pool_width) + " is larger than its input " +
                      std::to_string(current.height) + "x" + std::to_string(current.width));
        }
        shape.accumulator_bits =
            layer.accumulator_bits > 0
                ? layer.accumulator_bits
                : bits + ceil_log2(static_cast<long long>(layer.pool_height) * layer.pool_width);
        current.height /= layer.pool_height;
        current.width /= layer.pool_width;
        break;
      }
      case StageKind::Flatten:
        spatial_only("flatten");
        current.inputs = current.height * current.width * current.channels;
        current.flat = true;
        shape.outputs = current.inputs;
        break;
      case StageKind::Dense:
        if (!current.flat) throw Error(layer_label(design, index) + ": dense needs a flatten before it");
        require_positive(design, index, "units", layer.units);
        require_width(layer_label(design, index), "weight_bits", layer.weight_bits);
        shape.inputs = current.inputs;
        shape.accumulator_bits = layer.accumulator_bits > 0
                                     ? layer.accumulator_bits
                                     : exact_accumulator_bits(bits, layer.weight_bits, current.inputs);
        current.inputs = layer.units;
        shape.outputs = layer.units;
        break;
      case StageKind::Softmax:
      case StageKind::Sigmoid:
        if (!current.flat)
          throw Error(layer_label(design, index) + ": softmax/sigmoid needs a flatten before it");
        require_positive(design, index, "table_size", layer.table_size);
        require_width(layer_label(design, index), "table_bits", layer.table_bits);
        shape.inputs = current.inputs;
        shape.outputs = current.inputs;
        break;
    }
    shape.result_bits = result_bits;
    bits = result_bits;
    current.input_bits = bits;
    shapes.push_back(shape);
  }
  return shapes;
}

}  // namespace sparsepixels::estimate
