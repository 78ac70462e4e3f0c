#include "sparsepixels/spec/model_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <utility>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::spec {

namespace {

// Lower-case prefix used for automatic layer names ("sparseconv2d_1").
std::string default_name(LayerKind kind, int index) {
  std::string text = to_string(kind);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return fmt::format("{}_{}", text, index);
}

int ceil_log2(int value) {
  int bits = 0;
  while ((1 << bits) < value) ++bits;
  return bits;
}

// Throws through fail(field, message) unless low <= value <= high.
template <class Fail>
void require_range(const Fail& fail, const std::string& field, std::int64_t value, std::int64_t low,
                   std::int64_t high) {
  if (value < low || value > high) fail(field, fmt::format("must be in [{}, {}], got {}", low, high, value));
}

// The sizes a layer declares, checked against limits.h before any count is derived from them; the
// products are 64-bit and bounded by the limits, so none of them overflows.
template <class Fail>
void check_layer_limits(const LayerSpec& s, const Shape& input, const Fail& fail) {
  const std::int64_t channels = input.channels;
  std::int64_t weights = 0;  // kinds other than these declare no size that counts derive from
  if (s.kind == LayerKind::InputReduce) require_range(fail, "n_active", s.n_active, 1, limits::kMaxActive);
  if (s.kind == LayerKind::SparseConv2D || s.kind == LayerKind::Conv2D) {
    require_range(fail, "kernel", s.kernel, 1, limits::kMaxKernel);
    require_range(fail, "filters", s.filters, 1, limits::kMaxChannels);
    weights = std::int64_t{s.kernel} * s.kernel * channels * s.filters;
  }
  if (s.kind == LayerKind::Dense) {
    require_range(fail, "units", s.units, 1, limits::kMaxUnits);
    weights = channels * s.units;
  }
  if (weights > limits::kMaxParametersPerLayer) {
    fail("type",
         fmt::format("{} weights exceed the limit of {} per layer", weights, limits::kMaxParametersPerLayer));
  }
}

// The values of one event a layer outputs, checked before the next layer derives sizes from them.
template <class Fail>
void check_event_size(const Shape& shape, const Fail& fail) {
  const std::int64_t values = shape.sparse ? std::int64_t{shape.slots} * shape.channels
                                           : std::int64_t{shape.height} * shape.width * shape.channels;
  if (values > limits::kMaxValuesPerEvent) {
    fail("type", fmt::format("the output {} holds {} values per event, more than the limit of {}",
                             shape.to_string(), values, limits::kMaxValuesPerEvent));
  }
}

// The input and the model-wide settings, checked before any layer is resolved.
void check_model_limits(const ModelSpec& spec, const std::string& origin) {
  auto fail = [&](const std::string& field, const std::string& message) {
    throw Error(fmt::format("{}: field '{}': {}", origin, field, message));
  };
  require_range(fail, "input.height", spec.input_height, 1, limits::kMaxImageSide);
  require_range(fail, "input.width", spec.input_width, 1, limits::kMaxImageSide);
  require_range(fail, "input.channels", spec.input_channels, 1, limits::kMaxChannels);
  check_event_size(Shape{false, spec.input_height, spec.input_width, spec.input_channels, 0},
                   [&](const std::string&, const std::string& message) { fail("input", message); });
  if (spec.layers.size() > limits::kMaxLayers) {
    fail("layers", fmt::format("{} layers exceed the limit of {}", spec.layers.size(), limits::kMaxLayers));
  }
  const TrainingSettings& t = spec.training;
  auto finite_positive = [&](const std::string& field, double value) {
    if (!std::isfinite(value) || value <= 0)
      fail(field, fmt::format("must be a finite number > 0, got {}", value));
  };
  finite_positive("training.learning_rate", t.learning_rate);
  finite_positive("training.epsilon", t.epsilon);
  if (!(t.beta1 >= 0 && t.beta1 < 1))
    fail("training.beta1", fmt::format("must be in [0, 1), got {}", t.beta1));
  if (!(t.beta2 >= 0 && t.beta2 < 1))
    fail("training.beta2", fmt::format("must be in [0, 1), got {}", t.beta2));
  if (!(std::isfinite(t.min_delta) && t.min_delta >= 0)) {
    fail("training.early_stopping.min_delta",
         fmt::format("must be a finite number >= 0, got {}", t.min_delta));
  }
  require_range(fail, "training.batch_size", t.batch_size, 1, limits::kMaxBatchSize);
  require_range(fail, "training.max_epochs", t.max_epochs, 0, std::numeric_limits<int>::max());
  require_range(fail, "training.early_stopping.patience", t.patience, 0, std::numeric_limits<int>::max());
  require_range(fail, "training.threads", t.threads, 0, limits::kMaxThreads);
  if (!(t.reduce_lr_factor >= 0 && t.reduce_lr_factor < 1))
    fail("training.reduce_lr.factor", fmt::format("must be in (0, 1) (0: off), got {}", t.reduce_lr_factor));
  require_range(fail, "training.reduce_lr.patience", t.reduce_lr_patience, 1,
                std::numeric_limits<int>::max());
  if (!(std::isfinite(t.reduce_lr_min_delta) && t.reduce_lr_min_delta >= 0)) {
    fail("training.reduce_lr.min_delta",
         fmt::format("must be a finite number >= 0, got {}", t.reduce_lr_min_delta));
  }
  if (!(std::isfinite(t.min_learning_rate) && t.min_learning_rate >= 0))
    fail("training.reduce_lr.min_lr",
         fmt::format("must be a finite number >= 0, got {}", t.min_learning_rate));
  const HlsSettings& h = spec.hls;
  if (!(std::isfinite(h.clock_ns) && h.clock_ns > 0 && h.clock_ns <= limits::kMaxClockNs)) {
    fail("hls.clock_ns",
         fmt::format("must be a period in (0, {}] ns, got {}", limits::kMaxClockNs, h.clock_ns));
  }
  if (!(h.clock_uncertainty >= 0 && h.clock_uncertainty < 1)) {
    fail("hls.clock_uncertainty", fmt::format("must be a fraction in [0, 1), got {}", h.clock_uncertainty));
  }
  if (h.io_type != "io_parallel" && h.io_type != "io_stream") {
    fail("hls.io_type", "expected 'io_parallel' or 'io_stream'");
  }
}

}  // namespace

std::string to_string(Selection selection) {
  return selection == Selection::Raster ? "raster" : "topk";
}

std::string to_string(ArithmeticProfile profile) {
  return profile == ArithmeticProfile::Exact ? "exact" : "hls4ml";
}

ArithmeticProfile parse_arithmetic_profile(const std::string& text, const std::string& field) {
  if (text == "exact") return ArithmeticProfile::Exact;
  if (text == "hls4ml") return ArithmeticProfile::Hls4ml;
  throw Error(fmt::format("field '{}': expected 'exact' or 'hls4ml', got '{}'", field, text));
}

std::string to_string(SlotRule rule) {
  return rule == SlotRule::Activity ? "activity" : "keras";
}

SlotRule parse_slot_rule(const std::string& text, const std::string& field) {
  if (text == "activity") return SlotRule::Activity;
  if (text == "keras") return SlotRule::Keras;
  throw Error(fmt::format("field '{}': expected 'activity' or 'keras', got '{}'", field, text));
}

std::size_t Shape::size() const {
  if (sparse) return static_cast<std::size_t>(slots) * static_cast<std::size_t>(channels);
  return static_cast<std::size_t>(height) * static_cast<std::size_t>(width) *
         static_cast<std::size_t>(channels);
}

std::string Shape::to_string() const {
  if (sparse) return fmt::format("({} slots x {} ch, grid {}x{})", slots, channels, height, width);
  if (height == 1 && width == 1) return fmt::format("({})", channels);
  return fmt::format("({}, {}, {})", height, width, channels);
}

bool type_covers(const fixed::FixedType& wide, const fixed::FixedType& narrow) {
  return fixed::holds_exactly(wide, narrow);
}

fixed::FixedType exact_pool_accumulator(const fixed::FixedType& input, int area) {
  fixed::FixedType accum;
  accum.is_signed = input.is_signed;
  accum.integer = input.integer + ceil_log2(std::max(area, 1));
  accum.width = accum.integer + input.fraction();
  accum.quantization = fixed::Quantization::TRN;
  accum.overflow = fixed::Overflow::WRAP;
  accum.saturation_bits = 0;
  return accum;
}

fixed::FixedType hls4ml_products_accumulator(const fixed::FixedType& input, const fixed::FixedType& weight,
                                             const fixed::FixedType& bias, int n_ops) {
  // hls4ml/model/optimizer/passes/infer_precision.py, _infer_common_precision (its bias is always
  // counted: infer_no_bias is off by default).
  const int extra = static_cast<int>(std::ceil(std::log2(static_cast<double>(std::max(n_ops, 1)))));
  const bool product_signed = weight.is_signed || input.is_signed;
  const int fraction = (weight.width + input.width + extra) - (weight.integer + input.integer + extra);
  const int integer =
      std::max(weight.integer + input.integer + extra + (bias.is_signed && !product_signed ? 1 : 0),
               bias.integer + (product_signed && !bias.is_signed ? 1 : 0)) +
      1;
  fixed::FixedType type;
  type.width = integer + std::max(fraction, bias.width - bias.integer);
  type.integer = integer;
  type.is_signed = product_signed || bias.is_signed;
  return type;
}

fixed::FixedType hls4ml_average_accumulator(const fixed::FixedType& input, int area) {
  const int extra = static_cast<int>(std::ceil(std::log2(static_cast<double>(std::max(area, 1)))));
  fixed::FixedType type;
  type.width = input.width + 2 * extra;
  type.integer = input.integer + extra;
  type.is_signed = input.is_signed;
  return type;
}

std::vector<ResolvedLayer> resolve(const ModelSpec& spec, const std::string& origin) {
  auto fail_model = [&](const std::string& field, const std::string& message) {
    throw Error(fmt::format("{}: field '{}': {}", origin, field, message));
  };
  if (spec.input_height <= 0)
    fail_model("input.height", fmt::format("must be > 0, got {}", spec.input_height));
  if (spec.input_width <= 0) fail_model("input.width", fmt::format("must be > 0, got {}", spec.input_width));
  if (spec.input_channels <= 0) {
    fail_model("input.channels", fmt::format("must be > 0, got {}", spec.input_channels));
  }
  if (spec.layers.empty()) fail_model("layers", "the model has no layers");
  check_model_limits(spec, origin);

  const fixed::FixedType builtin = fixed::FixedType::parse("ap_fixed<16,6>");
  const fixed::FixedType builtin_table = fixed::FixedType::parse("ap_fixed<18,2>");  // the kernels' default
  // hls4ml's activation tables are ap_fixed<18,8> (its activ_config default).
  const fixed::FixedType hls4ml_table = fixed::FixedType::parse("ap_fixed<18,8>");
  const bool hls4ml = spec.arithmetic_profile == ArithmeticProfile::Hls4ml;

  std::vector<ResolvedLayer> out;
  Shape shape{false, spec.input_height, spec.input_width, spec.input_channels, 0};
  fixed::FixedType data_type = spec.input_type;  // the type of the tensor flowing into the next layer
  std::unordered_set<std::string> names;         // a set: the duplicate check stays linear in the layer count

  for (std::size_t index = 0; index < spec.layers.size(); ++index) {
    ResolvedLayer layer;
    layer.spec = spec.layers[index];
    LayerSpec& s = layer.spec;
    if (s.name.empty()) s.name = default_name(s.kind, static_cast<int>(index) + 1);
    if (!names.insert(s.name).second) {
      throw Error(fmt::format("{}: layer {} ('{}'): field 'name': duplicate layer name", origin, index + 1,
                              shown(s.name)));
    }
    auto fail = [&](const std::string& field, const std::string& message) {
      throw Error(fmt::format("{}: layer '{}' ({}): field '{}': {}", origin, shown(s.name), to_string(s.kind),
                              field, message));
    };
    auto require_positive = [&](const std::string& field, int value) {
      if (value <= 0) fail(field, fmt::format("must be > 0, got {}", value));
    };
    if (kind_info(s.kind).sparse_input && !shape.sparse) {
      fail("type", "a sparse layer needs sparse input (put InputReduce first)");
    }
    if (!kind_info(s.kind).sparse_input && s.kind != LayerKind::InputReduce && shape.sparse) {
      fail("type", "this layer needs dense input (use the Sparse* layer or SparseFlatten first)");
    }
    layer.input = shape;
    layer.profile = spec.arithmetic_profile;
    check_layer_limits(s, shape, fail);
    if (s.float_result && !spec.float_input) fail("float_result", "needs a float input (input.float)");
    // A float input stays float through the input reduction that reads it.
    if (spec.float_input && index == 0 && s.kind == LayerKind::InputReduce) s.float_result = true;
    s.keras_mask = spec.float_input && s.kind == LayerKind::SparseConv2D;

    auto pick = [&](const std::optional<fixed::FixedType>& own,
                    const std::optional<fixed::FixedType>& fallback,
                    const fixed::FixedType& last) { return own ? *own : (fallback ? *fallback : last); };
    const LayerPrecision& p = s.precision;
    const LayerPrecision& d = spec.defaults;
    LayerTypes types;
    types.weight = pick(p.weight, d.weight, builtin);
    types.bias = pick(p.bias, d.bias, builtin);
    types.result = pick(p.result, d.result, builtin);
    types.table = pick(p.table, d.table, hls4ml ? hls4ml_table : builtin_table);
    types.accum = types.result;
    // Resolves an accumulator: 'auto' -> exact (under the hls4ml profile hls4ml's, when it holds the
    // exact one); an override must hold the exact one.
    auto resolve_accum = [&](const fixed::FixedType& exact,
                             std::optional<fixed::FixedType> hls4ml_auto = {}) {
      const bool own_auto = p.accum_auto || (!p.accum && (d.accum_auto || !d.accum));
      if (own_auto) return hls4ml && hls4ml_auto && type_covers(*hls4ml_auto, exact) ? *hls4ml_auto : exact;
      const fixed::FixedType declared = p.accum ? *p.accum : *d.accum;
      if (!type_covers(declared, exact)) {
        fail("precision.accum", fmt::format("{} is narrower than the exact accumulator {} (section 11.3)",
                                            declared.to_string(), exact.to_string()));
      }
      return declared;
    };

    switch (s.kind) {
      case LayerKind::InputReduce:
        if (index != 0) fail("type", "InputReduce must be the first layer");
        require_positive("n_active", s.n_active);
        if (s.threshold < 0) fail("threshold", fmt::format("must be >= 0, got {}", s.threshold));
        shape = Shape{true, shape.height, shape.width, shape.channels, s.n_active};
        types.result = data_type;
        break;
      case LayerKind::SparseConv2D:
      case LayerKind::Conv2D: {
        require_positive("filters", s.filters);
        require_positive("kernel", s.kernel);
        if (s.kernel % 2 == 0) fail("kernel", fmt::format("must be odd, got {}", s.kernel));
        const int taps = s.kernel * s.kernel;
        layer.weight_count = static_cast<std::size_t>(taps) * shape.channels * s.filters;
        layer.bias_count = static_cast<std::size_t>(s.filters);
        layer.fan_in =
            (s.kind == LayerKind::SparseConv2D ? std::min(shape.slots, taps) : taps) * shape.channels;
        types.accum = resolve_accum(
            fixed::exact_accumulator(types.weight, data_type, types.bias, layer.fan_in),
            hls4ml_products_accumulator(data_type, types.weight, types.bias, taps * shape.channels));
        shape.channels = s.filters;
        break;
      }
      case LayerKind::Dense: {
        require_positive("units", s.units);
        if (shape.height != 1 || shape.width != 1) {
          fail("type", fmt::format("Dense needs a vector input; got {} (add Flatten)", shape.to_string()));
        }
        layer.weight_count = static_cast<std::size_t>(shape.channels) * s.units;
        layer.bias_count = static_cast<std::size_t>(s.units);
        layer.fan_in = shape.channels;
        types.accum =
            resolve_accum(fixed::exact_accumulator(types.weight, data_type, types.bias, layer.fan_in),
                          hls4ml_products_accumulator(data_type, types.weight, types.bias, layer.fan_in));
        shape.channels = s.units;
        break;
      }
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D: {
        require_positive("pool", s.pool_height);
        require_positive("pool", s.pool_width);
        if (s.pool_height > shape.height || s.pool_width > shape.width) {
          fail("pool", fmt::format("{}x{} is larger than the input {}x{}", s.pool_height, s.pool_width,
                                   shape.height, shape.width));
        }
        layer.fan_in = s.pool_height * s.pool_width;
        const bool average = s.kind == LayerKind::SparseAvgPool2D || s.kind == LayerKind::AvgPool2D;
        types.accum = average ? resolve_accum(exact_pool_accumulator(data_type, layer.fan_in),
                                              hls4ml_average_accumulator(data_type, layer.fan_in))
                              : data_type;
        shape.height /= s.pool_height;
        shape.width /= s.pool_width;
        break;
      }
      case LayerKind::SparseFlatten:
      case LayerKind::Flatten:
        shape = Shape{false, 1, 1, shape.height * shape.width * shape.channels, 0};
        types.result = data_type;  // flattening moves values, never changes them
        break;
      case LayerKind::SparseReLU:
      case LayerKind::ReLU:
        break;
      case LayerKind::SparseBatchNormalization:
        // Per channel: gamma, moving mean, moving variance (weights) and beta (bias); the kernel
        // computes x * scale + shift, one product and one addend per value.
        if (!(s.momentum >= 0 && s.momentum <= 1))
          fail("momentum", fmt::format("must be in [0, 1], got {}", s.momentum));
        if (!(s.epsilon > 0)) fail("epsilon", fmt::format("must be > 0, got {}", s.epsilon));
        layer.weight_count = 3 * static_cast<std::size_t>(shape.channels);
        layer.bias_count = static_cast<std::size_t>(shape.channels);
        layer.fan_in = 1;
        layer.folded = !out.empty() && out.back().spec.kind == LayerKind::SparseConv2D;
        if (layer.folded) {
          // Folded into the convolution: the pair computes with the convolution's weight, bias,
          // accumulator and result types (QKeras QConv2DBatchnorm), so the layer declares none.
          // Types declared on it (a model file records every layer's) must be the convolution's.
          const LayerTypes& conv = out.back().types;
          const LayerPrecision& own = s.precision;
          const bool differs =
              (own.weight && *own.weight != conv.weight) || (own.bias && *own.bias != conv.bias) ||
              (own.accum && *own.accum != conv.accum) || (own.result && *own.result != conv.result) ||
              (own.table && *own.table != conv.result);
          if (differs) {
            fail("precision",
                 fmt::format("folded into '{}' (the SparseConv2D before it), it has that layer's "
                             "types; declare them there",
                             out.back().spec.name));
          }
          types = conv;
        } else {
          types.accum = resolve_accum(fixed::exact_accumulator(types.weight, data_type, types.bias, 1));
        }
        break;
      case LayerKind::Sigmoid:
      case LayerKind::Softmax:
        if (shape.height != 1 || shape.width != 1) fail("type", "needs a vector input");
        if (s.kind == LayerKind::Sigmoid && shape.channels != 1) {
          fail("type", fmt::format("Sigmoid needs one input, got {}", shape.channels));
        }
        // hls4ml's stable softmax indexes its tables with the top 10 bits of a signed input.
        if (hls4ml && s.kind == LayerKind::Softmax && (!data_type.is_signed || data_type.width < 10)) {
          fail("type", fmt::format("arithmetic_profile hls4ml: Softmax needs a signed input of at least 10 "
                                   "bits, got {}",
                                   data_type.to_string()));
        }
        if (hls4ml && s.kind == LayerKind::Softmax && (!types.table.is_signed || types.table.width < 10)) {
          fail("precision.table", fmt::format("arithmetic_profile hls4ml: Softmax needs a signed table type "
                                              "of at least 10 bits, got {}",
                                              types.table.to_string()));
        }
        break;
    }
    const bool has_sum = kind_info(s.kind).accumulator == AccumulatorRule::Products;
    if (p.result_auto) {
      const bool convolution_or_dense =
          s.kind == LayerKind::SparseConv2D || s.kind == LayerKind::Conv2D || s.kind == LayerKind::Dense;
      if (!convolution_or_dense || p.result) {
        fail("precision.result", "'auto' (the accumulator type) applies to convolutions and Dense only");
      }
      types.result = types.accum;
    }
    if (!has_sum) {
      types.weight = types.result;
      types.bias = types.result;
    }
    if (!has_sum && layer.fan_in == 0) types.accum = types.result;  // no sum: nothing to accumulate
    if (s.kind != LayerKind::Sigmoid && s.kind != LayerKind::Softmax) types.table = types.result;
    if (shape.height <= 0 || shape.width <= 0) fail("pool", "the output is empty");
    check_event_size(shape, fail);
    layer.types = types;
    layer.output = shape;
    data_type = types.result;
    out.push_back(std::move(layer));
  }
  const LayerKind last = out.back().spec.kind;
  if (out.size() >= 2 && (last == LayerKind::Sigmoid || last == LayerKind::Softmax))
    out[out.size() - 2].logits = true;
  return out;
}

}  // namespace sparsepixels::spec
