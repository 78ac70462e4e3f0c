#include "quantizers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::import {
namespace {

using json = nlohmann::json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// A Python literal of a quantizer's argument list as JSON: ints, floats, True/False/None, strings.
json python_literal(const std::string& text, const std::string& where) {
  const std::string t = trim(text);
  if (t == "True") return true;
  if (t == "False") return false;
  if (t == "None") return nullptr;
  if (t.size() >= 2 && (t.front() == '\'' || t.front() == '"') && t.back() == t.front())
    return t.substr(1, t.size() - 2);
  try {
    std::size_t used = 0;
    const double value = std::stod(t, &used);
    if (used == t.size() && std::isfinite(value)) {
      if (value == std::floor(value) && std::fabs(value) < 1e9) return static_cast<long long>(value);
      return value;
    }
  } catch (const std::exception&) {
  }
  throw Error(fmt::format("{}: cannot read the quantizer argument '{}'", where, t.substr(0, 40)));
}

// "quantized_relu(8, 0, use_sigmoid=0)" as {"class_name", "config"} with the positional arguments named.
json parse_quantizer_string(const std::string& text, const std::string& where) {
  const std::string t = trim(text);
  const auto open = t.find('(');
  if (open == std::string::npos || t.back() != ')')
    return json{{"class_name", t}, {"config", json::object()}};
  const std::string name = trim(t.substr(0, open));
  static const std::map<std::string, std::vector<std::string>> kPositional = {
      {"quantized_bits",
       {"bits", "integer", "symmetric", "keep_negative", "alpha", "use_stochastic_rounding"}},
      {"quantized_relu",
       {"bits", "integer", "use_sigmoid", "negative_slope", "use_stochastic_rounding", "relu_upper_bound"}},
  };
  json config = json::object();
  const std::string inner = t.substr(open + 1, t.size() - open - 2);
  std::size_t position = 0, start = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= inner.size(); ++i) {
    const char c = i < inner.size() ? inner[i] : ',';
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c != ',' || depth != 0) continue;
    const std::string argument = trim(inner.substr(start, i - start));
    start = i + 1;
    if (argument.empty()) continue;
    const auto equals = argument.find('=');
    if (equals != std::string::npos) {
      config[trim(argument.substr(0, equals))] = python_literal(argument.substr(equals + 1), where);
      continue;
    }
    const auto names = kPositional.find(name);
    if (names == kPositional.end() || position >= names->second.size())
      throw Error(fmt::format("{}: '{}': unexpected argument '{}'", where, t.substr(0, 60), argument));
    config[names->second[position++]] = python_literal(argument, where);
  }
  return json{{"class_name", name}, {"config", config}};
}

int integer_argument(const json& config, const char* key, int fallback, const std::string& where) {
  if (!config.contains(key) || config.at(key).is_null()) return fallback;
  const json& value = config.at(key);
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  if (value.is_number_integer()) {
    const long long v = value.get<long long>();
    if (v < -1024 || v > 1024) throw Error(fmt::format("{}: field '{}': {} is out of range", where, key, v));
    return static_cast<int>(v);
  }
  if (value.is_number_float()) {
    const double v = value.get<double>();
    if (v == std::floor(v) && std::fabs(v) <= 1024) return static_cast<int>(v);
  }
  throw Error(
      fmt::format("{}: field '{}': expected an integer, got {}", where, key, value.dump().substr(0, 40)));
}

// True if the argument is absent, null or the given neutral value.
bool neutral(const json& config, const char* key, double value) {
  if (!config.contains(key) || config.at(key).is_null()) return true;
  const json& v = config.at(key);
  if (v.is_boolean()) return (v.get<bool>() ? 1.0 : 0.0) == value;
  return v.is_number() && v.get<double>() == value;
}

}  // namespace

std::optional<fixed::FixedType> quantizer_type(const json& quantizer, const std::string& where, bool* relu) {
  if (relu != nullptr) *relu = false;
  if (quantizer.is_null()) return std::nullopt;
  json q = quantizer;
  if (q.is_string()) q = parse_quantizer_string(q.get<std::string>(), where);
  if (!q.is_object() || !q.contains("class_name") || !q.at("class_name").is_string())
    throw Error(fmt::format("{}: expected a QKeras quantizer (an object with 'class_name'), got {}", where,
                            quantizer.dump().substr(0, 60)));
  const std::string name = q.at("class_name").get<std::string>();
  const json config = q.contains("config") && q.at("config").is_object() ? q.at("config") : json::object();
  auto fail = [&](const std::string& field, const std::string& why) {
    throw Error(fmt::format("{}: {} field '{}': {}", where, name, field, why));
  };
  const bool is_bits = name == "quantized_bits";
  const bool is_relu = name == "quantized_relu";
  if (!is_bits && !is_relu) {
    throw Error(
        fmt::format("{}: quantizer '{}' is not supported (quantized_bits and quantized_relu are; "
                    "docs/import.md)",
                    where, name.substr(0, 60)));
  }
  const int bits = integer_argument(config, "bits", 8, where);
  const int integer = integer_argument(config, "integer", 0, where);
  if (bits < 1 || bits > 64) fail("bits", fmt::format("must be in 1..64, got {}", bits));
  if (!neutral(config, "use_stochastic_rounding", 0)) fail("use_stochastic_rounding", "must be false");
  fixed::FixedType type;
  type.width = bits;
  if (is_bits) {
    if (config.contains("alpha") && config.at("alpha").is_string())
      fail("alpha", fmt::format("'{}' scales (per-channel, trained) are not supported; alpha must be 1",
                                config.at("alpha").get<std::string>().substr(0, 20)));
    if (!neutral(config, "alpha", 1)) fail("alpha", "must be 1 (other scales are not supported)");
    if (!neutral(config, "symmetric", 0)) fail("symmetric", "symmetric quantized_bits is not supported");
    for (const char* key : {"scale_axis", "elements_per_scale", "min_po2_exponent", "max_po2_exponent"})
      if (config.contains(key) && !config.at(key).is_null())
        fail(key, "per-channel scales are not supported");
    const bool keep_negative = integer_argument(config, "keep_negative", 1, where) != 0;
    type.is_signed = keep_negative;
    type.integer = keep_negative ? integer + 1 : integer;
  } else {
    if (!neutral(config, "use_sigmoid", 0)) fail("use_sigmoid", "must be 0");
    if (!neutral(config, "negative_slope", 0))
      fail("negative_slope", "must be 0 (leaky ReLU is not supported)");
    if (config.contains("relu_upper_bound") && !config.at("relu_upper_bound").is_null())
      fail("relu_upper_bound", "is not supported");
    type.is_signed = false;
    type.integer = integer;
    type.quantization = fixed::Quantization::RND_CONV;
    type.overflow = fixed::Overflow::SAT;
    if (relu != nullptr) *relu = true;
  }
  try {
    type.validate();
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}: {}", where, name, e.what()));
  }
  return type;
}

fixed::FixedType hls4ml_type(const std::string& text, const std::string& where) {
  try {
    return fixed::FixedType::parse(text);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", where, e.what()));
  }
}

namespace {

// parse_hls4ml_config's work; yaml-cpp may throw from any conversion (a map used as a key, ...).
Hls4mlConfig read_hls4ml_config(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: not valid YAML: {}", origin, e.what()));
  }
  if (!root.IsMap()) throw Error(fmt::format("{}: expected a mapping (an hls4ml config)", origin));
  Hls4mlConfig out;
  out.present = true;
  auto fail = [&](const std::string& field, const std::string& why) {
    throw Error(fmt::format("{}: field '{}': {}", origin, field, why));
  };
  auto scalar = [&](const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar()) fail(field, "expected a single value");
    return node.Scalar();
  };
  auto number = [&](const YAML::Node& node, const std::string& field) {
    const std::string value = scalar(node, field);
    try {
      std::size_t used = 0;
      const double v = std::stod(value, &used);
      if (used == value.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    throw Error(
        fmt::format("{}: field '{}': expected a number, got '{}'", origin, field, value.substr(0, 40)));
  };
  auto check_settings = [&](const YAML::Node& node, const std::string& field) {
    if (node["ReuseFactor"] && number(node["ReuseFactor"], field + ".ReuseFactor") != 1)
      fail(field + ".ReuseFactor", "only 1 is supported (every design here is fully parallel)");
    if (node["Strategy"] && lower(scalar(node["Strategy"], field + ".Strategy")) != "latency")
      fail(field + ".Strategy", fmt::format("'{}' is not supported (only Latency)",
                                            scalar(node["Strategy"], field + ".Strategy")));
  };
  auto precision = [&](const YAML::Node& node, const std::string& field, Hls4mlLayer& layer) {
    layer.present = true;
    if (!node["Precision"]) return;
    const YAML::Node p = node["Precision"];
    if (p.IsScalar()) {  // one type for every field of the layer
      for (const char* key : {"weight", "bias", "accum", "result", "default"})
        layer.precision[key] = p.Scalar();
      return;
    }
    if (!p.IsMap()) fail(field + ".Precision", "expected a type or a map of types");
    for (const auto& entry : p) {
      const std::string key = entry.first.as<std::string>();
      layer.precision[key] = scalar(entry.second, field + ".Precision." + key);
    }
  };
  if (root["Part"]) out.part = scalar(root["Part"], "Part");
  if (root["IOType"]) {
    out.io_type = scalar(root["IOType"], "IOType");
    if (*out.io_type != "io_parallel" && *out.io_type != "io_stream")
      fail("IOType", fmt::format("expected io_parallel or io_stream, got '{}'", out.io_type->substr(0, 40)));
  }
  if (root["ClockPeriod"]) {
    out.clock_ns = number(root["ClockPeriod"], "ClockPeriod");
    if (!(*out.clock_ns > 0 && *out.clock_ns <= limits::kMaxClockNs))
      fail("ClockPeriod", fmt::format("must be in (0, {}] ns", limits::kMaxClockNs));
  }
  if (root["ClockUncertainty"]) {
    std::string value = trim(scalar(root["ClockUncertainty"], "ClockUncertainty"));
    const bool percent = !value.empty() && value.back() == '%';
    if (percent) value.pop_back();
    YAML::Node plain(value);
    double v = number(plain, "ClockUncertainty");
    if (!percent)
      v /= out.clock_ns.value_or(5.0);  // nanoseconds, as a fraction of the period
    else
      v /= 100.0;
    if (!(v >= 0 && v < 1)) fail("ClockUncertainty", "must be below the clock period");
    out.clock_uncertainty = v;
  }
  const YAML::Node hls = root["HLSConfig"];
  if (!hls) return out;
  if (!hls.IsMap()) fail("HLSConfig", "expected a mapping");
  if (const YAML::Node model = hls["Model"]) {
    if (!model.IsMap()) fail("HLSConfig.Model", "expected a mapping");
    check_settings(model, "HLSConfig.Model");
    if (const YAML::Node p = model["Precision"]) {
      if (p.IsScalar()) {
        out.default_precision = p.Scalar();
      } else if (p.IsMap()) {
        if (p["maximum"])
          fail("HLSConfig.Model.Precision.maximum", "is not supported (set the types instead)");
        if (p["default"]) out.default_precision = scalar(p["default"], "HLSConfig.Model.Precision.default");
      } else {
        fail("HLSConfig.Model.Precision", "expected a type or a map");
      }
    }
    if (lower(trim(out.default_precision)) == "auto")
      fail("HLSConfig.Model.Precision", "the model default cannot be auto");
    hls4ml_type(out.default_precision, fmt::format("{}: field 'HLSConfig.Model.Precision'", origin));
  }
  for (const char* section : {"LayerName", "LayerType"}) {
    const YAML::Node layers = hls[section];
    if (!layers) continue;
    if (!layers.IsMap()) fail(fmt::format("HLSConfig.{}", section), "expected a mapping");
    auto& target = std::string(section) == "LayerName" ? out.layers : out.layer_types;
    for (const auto& entry : layers) {
      const std::string name = entry.first.as<std::string>();
      const std::string field = fmt::format("HLSConfig.{}.{}", section, name);
      if (!entry.second.IsMap()) fail(field, "expected a mapping");
      check_settings(entry.second, field);
      precision(entry.second, field, target[name]);
    }
  }
  return out;
}

}  // namespace

Hls4mlConfig parse_hls4ml_config(const std::string& text, const std::string& origin) {
  try {
    return read_hls4ml_config(text, origin);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: not a readable hls4ml config: {}", origin, e.what()));
  }
}

}  // namespace sparsepixels::import
