#include "keras_types.h"

#include <fmt/format.h>

#include "sparsepixels/error.h"

namespace sparsepixels::import {

using fixed::FixedType;
using spec::LayerKind;
using spec::LayerSpec;

// Works out every layer's types (docs/import.md, "Types") into their precision fields; returns the
// input type. Notes the layers that took the default.
FixedType assign_types(std::vector<Planned>& planned, const std::string& input_name, const TypeSource& source,
                       bool float_input, bool hls4ml_tables, std::vector<std::string>& notes) {
  const FixedType fallback = source.hls.present ? source.default_type() : FixedType::parse(kDefaultType);
  std::vector<std::string> defaulted;
  FixedType input = fallback;
  Planned input_layer;
  input_layer.keras_name = input_name;
  input_layer.keras_class = "InputLayer";
  if (const auto t = source.explicit_type(input_layer, "result")) {
    input = *t;
  } else if (!float_input) {
    defaulted.push_back(fmt::format("the input ({})", fallback.to_string()));
  }
  FixedType data = input;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    Planned& p = planned[i];
    spec::LayerPrecision& precision = p.layer.precision;
    const LayerKind kind = p.layer.kind;
    auto take = [&](const std::string& field, const std::optional<FixedType>& quantizer) {
      if (auto t = source.explicit_type(p, field)) return *t;
      if (quantizer) return *quantizer;
      if (!float_input || field != "result")
        defaulted.push_back(fmt::format("'{}' {} ({})", p.layer.name, field, fallback.to_string()));
      return fallback;
    };
    switch (kind) {
      case LayerKind::Conv2D:
      case LayerKind::SparseConv2D:
      case LayerKind::Dense: {
        const FixedType weight = take("weight", p.weight_quantizer);
        const FixedType bias = take("bias", p.bias_quantizer);
        precision.weight = weight;
        precision.bias = bias;
        const bool hls_auto_accum = source.hls.present && !source.explicit_type(p, "accum");
        if (source.hls.present && !hls_auto_accum) precision.accum = source.explicit_type(p, "accum");
        // hls4ml's auto accumulator needs the input type and fan-in: set in finish_hls4ml_auto.
        precision.accum_auto = !precision.accum;
        if (const auto t = source.explicit_type(p, "result")) {
          precision.result = *t;
        } else if (source.hls.present) {
          precision.result = std::nullopt;  // auto: the accumulator, set in finish_hls4ml_auto
        } else if (i + 1 < planned.size() && planned[i + 1].result_quantizer &&
                   (planned[i + 1].layer.kind == LayerKind::ReLU ||
                    planned[i + 1].layer.kind == LayerKind::SparseReLU)) {
          precision.result =
              *planned[i + 1].result_quantizer;  // the ReLU's type: the same values, fewer bits
        } else {
          if (!float_input)
            defaulted.push_back(fmt::format("'{}' result ({})", p.layer.name, fallback.to_string()));
          precision.result = fallback;
        }
        break;
      }
      case LayerKind::ReLU:
      case LayerKind::SparseReLU:
        if (const auto t = source.explicit_type(p, "result")) {
          precision.result = *t;
        } else if (p.result_quantizer &&
                   !(source.hls.present && TypeSource::is_auto(source.entry(p, "result")))) {
          precision.result = *p.result_quantizer;
        } else {
          if (!float_input)
            defaulted.push_back(fmt::format("'{}' result ({})", p.layer.name, fallback.to_string()));
          precision.result = fallback;
        }
        break;
      case LayerKind::Sigmoid:
      case LayerKind::Softmax:
        // hls4ml's table types apply to hls4ml's tables (the hls4ml profile); ours have their own.
        if (hls4ml_tables) {
          const bool exp_table = kind == LayerKind::Softmax && source.entry(p, "exp_table").has_value();
          if (const auto table = source.explicit_type(p, exp_table ? "exp_table" : "table"))
            precision.table = *table;
        }
        precision.result = source.explicit_type(p, "result").value_or(fallback);
        if (!source.explicit_type(p, "result") && !float_input)
          defaulted.push_back(fmt::format("'{}' result ({})", p.layer.name, fallback.to_string()));
        break;
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D:
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
        if (const auto t = source.explicit_type(p, "accum")) precision.accum = *t;
        precision.accum_auto = !precision.accum;
        precision.result = source.explicit_type(p, "result").value_or(data);  // auto: the input's type
        break;
      case LayerKind::Flatten:
      case LayerKind::SparseFlatten:
        break;  // the input's type
      case LayerKind::SparseBatchNormalization: {
        const bool folded = i > 0 && (planned[i - 1].layer.kind == LayerKind::Conv2D ||
                                      planned[i - 1].layer.kind == LayerKind::SparseConv2D);
        if (folded) break;  // the convolution's types (docs/semantics.md 4b)
        precision.weight = take("weight", std::nullopt);
        precision.bias = take("bias", std::nullopt);
        precision.result = take("result", std::nullopt);
        precision.accum_auto = true;
        break;
      }
      case LayerKind::InputReduce:
        break;
    }
    if (precision.result) data = *precision.result;
  }
  if (!defaulted.empty()) {
    std::string list;
    for (const std::string& d : defaulted) list += (list.empty() ? "" : ", ") + d;
    notes.push_back(fmt::format("warning: no quantizer and no hls4ml type, so hls4ml's default: {}", list));
  }
  return input;
}

// hls4ml's 'auto' for conv/dense results and accumulators and for pooling needs each layer's input
// type and fan-in: one pass in layer order, carrying the type that flows between layers.
void finish_hls4ml_auto(spec::ModelSpec& spec, const std::vector<Planned>& planned, const TypeSource& source,
                        const std::string& origin) {
  if (!source.hls.present) return;
  const auto resolved = spec::resolve(spec, origin);  // shapes and weight/bias types; not auto results
  const std::size_t offset = spec.layers.front().kind == LayerKind::InputReduce ? 1 : 0;
  FixedType data = spec.input_type;
  for (std::size_t i = offset; i < spec.layers.size(); ++i) {
    LayerSpec& layer = spec.layers[i];
    const Planned& plan = planned[i - offset];
    const auto& types = resolved[i].types;
    const int channels = resolved[i].input.channels;
    switch (layer.kind) {
      case LayerKind::Conv2D:
      case LayerKind::SparseConv2D:
      case LayerKind::Dense: {
        const int n_ops = layer.kind == LayerKind::Dense ? channels : layer.kernel * layer.kernel * channels;
        const FixedType automatic = spec::hls4ml_products_accumulator(data, types.weight, types.bias, n_ops);
        if (!source.explicit_type(plan, "accum")) {
          layer.precision.accum = automatic;
          layer.precision.accum_auto = false;
        }
        if (!layer.precision.result) layer.precision.result = automatic;
        break;
      }
      case LayerKind::AvgPool2D:
      case LayerKind::SparseAvgPool2D: {
        const int area = layer.pool_height * layer.pool_width;
        const FixedType automatic = spec::hls4ml_average_accumulator(data, area);
        // hls4ml's accumulator when it holds the exact sum (otherwise ours, the exact one).
        if (!source.explicit_type(plan, "accum") &&
            spec::type_covers(automatic, spec::exact_pool_accumulator(data, area))) {
          layer.precision.accum = automatic;
          layer.precision.accum_auto = false;
        }
        if (!source.explicit_type(plan, "result")) layer.precision.result = data;
        break;
      }
      case LayerKind::MaxPool2D:
      case LayerKind::SparseMaxPool2D:
        if (!source.explicit_type(plan, "result")) layer.precision.result = data;
        break;
      case LayerKind::SparseBatchNormalization:
      case LayerKind::Flatten:
      case LayerKind::SparseFlatten:
      case LayerKind::ReLU:
      case LayerKind::SparseReLU:
      case LayerKind::Sigmoid:
      case LayerKind::Softmax:
      case LayerKind::InputReduce:
        break;
    }
    // A folded batch normalization and a flatten pass their input's type on.
    if (layer.precision.result && !resolved[i].folded && layer.kind != LayerKind::Flatten &&
        layer.kind != LayerKind::SparseFlatten)
      data = *layer.precision.result;
  }
}

}  // namespace sparsepixels::import
