#pragma once
// QKeras quantizers and hls4ml configs as fixed-point types. Private to src/import.

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sparsepixels/fixed/fixed_type.h"

namespace sparsepixels::import {

/// A QKeras quantizer (a config object {"class_name", "config"} or a string "quantized_relu(8, 0)")
/// as the type that holds its values: quantized_bits(B, I) -> ap_fixed<B, I+1> (ap_ufixed<B, I> when
/// keep_negative is false); quantized_relu(B, I) -> ap_ufixed<B, I, AP_RND_CONV, AP_SAT>. `relu` is
/// set when it is a quantized_relu. Null gives nullopt. Anything else (alpha other than 1, auto
/// scales, symmetric, stochastic rounding, other quantizers) is an error naming `where`.
std::optional<fixed::FixedType> quantizer_type(const nlohmann::json& quantizer, const std::string& where,
                                               bool* relu = nullptr);

/// One layer's `Precision` in an hls4ml config: a type string or "auto" per field.
struct Hls4mlLayer {
  std::map<std::string, std::string> precision;  // weight, bias, accum, result, table, ... -> text
  bool present = false;
};

/// The parts of an hls4ml_config.yml the importer uses.
struct Hls4mlConfig {
  bool present = false;
  std::string default_precision = "fixed<16,6>";   // HLSConfig.Model.Precision(.default)
  std::map<std::string, Hls4mlLayer> layers;       // HLSConfig.LayerName
  std::map<std::string, Hls4mlLayer> layer_types;  // HLSConfig.LayerType (Keras class names)
  std::optional<std::string> part, io_type;
  std::optional<double> clock_ns, clock_uncertainty;  // uncertainty as a fraction of the period
};

/// Parses hls4ml_config.yml text; `origin` names it in errors. ReuseFactor > 1, Strategy Resource and
/// Precision.maximum are errors; unknown tags are ignored.
Hls4mlConfig parse_hls4ml_config(const std::string& text, const std::string& origin);

/// An hls4ml precision string ("fixed<8,1,TRN,WRAP,0>", "ap_ufixed<8,1>") as a type; `where` names it.
fixed::FixedType hls4ml_type(const std::string& text, const std::string& where);

}  // namespace sparsepixels::import
