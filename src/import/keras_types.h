#pragma once
// The types of an imported model: hls4ml config entries, QKeras quantizers, hls4ml's defaults and
// its 'auto' rules (docs/import.md, "Types"). Private to src/import.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "keras_graph.h"
#include "quantizers.h"
#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::import {

/// hls4ml's default precision for what has no quantizer and no config entry.
inline constexpr const char* kDefaultType = "ap_fixed<16,6>";

// Where a layer's types come from: the hls4ml config (per name, then per class), then quantizers.
struct TypeSource {
  const Hls4mlConfig& hls;
  const std::string& origin;

  // The config's text for one field of a layer, if any ("auto" included).
  std::optional<std::string> entry(const Planned& p, const std::string& field) const {
    for (const auto* table : {&hls.layers, &hls.layer_types}) {
      const auto found = table->find(table == &hls.layers ? p.keras_name : p.keras_class);
      if (found == table->end()) continue;
      const auto& precision = found->second.precision;
      auto value = precision.find(field);
      if (value == precision.end()) value = precision.find("default");
      if (value != precision.end()) return value->second;
      return std::nullopt;
    }
    return std::nullopt;
  }
  static bool is_auto(const std::optional<std::string>& text) {
    return text && (*text == "auto" || *text == "Auto" || *text == "AUTO");
  }
  fixed::FixedType parse(const Planned& p, const std::string& field, const std::string& text) const {
    return hls4ml_type(
        text, fmt::format("{}: hls4ml config: layer '{}': Precision.{}", origin, p.keras_name, field));
  }
  // An explicit (not auto) type from the config.
  std::optional<fixed::FixedType> explicit_type(const Planned& p, const std::string& field) const {
    const auto text = entry(p, field);
    if (!text || is_auto(text)) return std::nullopt;
    return parse(p, field, *text);
  }
  fixed::FixedType default_type() const {
    return hls4ml_type(hls.default_precision, fmt::format("{}: hls4ml config: Model.Precision", origin));
  }
};

/// Works out every layer's types into their precision fields; returns the input type. Notes the
/// places that took the default. `hls4ml_tables`: the sigmoid/softmax table types of the config apply.
fixed::FixedType assign_types(std::vector<Planned>& planned, const std::string& input_name,
                              const TypeSource& source, bool float_input, bool hls4ml_tables,
                              std::vector<std::string>& notes);

/// hls4ml's 'auto' for conv/dense results and accumulators and for pooling, in layer order.
void finish_hls4ml_auto(spec::ModelSpec& spec, const std::vector<Planned>& planned, const TypeSource& source,
                        const std::string& origin);

}  // namespace sparsepixels::import
