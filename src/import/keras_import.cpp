#include "sparsepixels/import/keras_import.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "keras_files.h"
#include "quantizers.h"
#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/config.h"

namespace sparsepixels::import {
namespace {

using json = nlohmann::json;
using fixed::FixedType;
using spec::LayerKind;
using spec::LayerSpec;

// hls4ml's default precision for what has no quantizer and no config entry.
constexpr const char* kDefaultType = "ap_fixed<16,6>";

// One layer of the Keras graph as config.json describes it.
struct KerasLayer {
  std::string class_name, name, module;
  json config;
};

// One layer of ours to be, with where its types and weights come from.
struct Planned {
  LayerSpec layer;
  std::string keras_name;   // the Keras layer it comes from (its config entry and weights)
  std::string keras_class;  // that layer's class (hls4ml LayerType entries, Keras 2 weight groups)
  std::optional<FixedType> weight_quantizer, bias_quantizer, result_quantizer;
  bool use_bias = true;
  bool batchnorm_scale = true, batchnorm_center = true;
  bool inner_activation = false;  // an activation written inside a Conv/Dense layer
};

std::string text_of(const json& j) {
  return j.dump().substr(0, 60);
}

std::string read_text_file(const std::string& path, std::uint64_t max_bytes) {
  std::error_code code;
  if (!std::filesystem::is_regular_file(path, code)) throw Error(fmt::format("{}: no such file", path));
  const auto size = std::filesystem::file_size(path, code);
  if (code || size > max_bytes) throw Error(fmt::format("{}: larger than {} bytes", path, max_bytes));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error(fmt::format("{}: cannot read", path));
  return text.str();
}

json parse_json(const std::string& text, const std::string& origin) {
  try {
    return json::parse(text, [&origin](int depth, json::parse_event_t, json&) {
      if (depth > limits::kMaxNestingDepth)
        throw Error(
            fmt::format("{}: config.json nests deeper than {} levels", origin, limits::kMaxNestingDepth));
      return true;
    });
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: config.json is not valid JSON: {}", origin, e.what()));
  }
}

// Keras's generic_utils.to_snake_case: the auto name a layer class gets ("QConv2D" -> "q_conv2d").
std::string snake_case(const std::string& class_name) {
  static const std::regex words("(.)([A-Z][a-z0-9]+)"), joins("([a-z])([A-Z])");
  std::string text = std::regex_replace(class_name, words, "$1_$2");
  text = std::regex_replace(text, joins, "$1_$2");
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!text.empty() && text.front() == '_') text = "private" + text;
  return text;
}

// The name of the first layer a Keras 2 or Keras 3 inbound node reads; "" if none.
std::string first_inbound(const json& nodes, const std::string& where) {
  if (!nodes.is_array() || nodes.empty()) return {};
  if (nodes.size() > 1)
    throw Error(fmt::format("{}: the layer is used more than once (shared layers do not import)", where));
  const json& node = nodes[0];
  // Keras 3: {"args": [tensor or list of tensors], "kwargs": {...}}; a tensor has config.keras_history.
  std::function<std::string(const json&, int)> history = [&](const json& j, int depth) -> std::string {
    if (depth > 16) return {};
    if (j.is_object()) {
      if (j.contains("config") && j.at("config").is_object() && j.at("config").contains("keras_history")) {
        const json& h = j.at("config").at("keras_history");
        if (h.is_array() && !h.empty() && h[0].is_string()) return h[0].get<std::string>();
      }
      if (j.contains("args")) return history(j.at("args"), depth + 1);
      return {};
    }
    if (j.is_array() && !j.empty()) {
      // Keras 2: [[name, node, tensor, kwargs], ...]
      if (j[0].is_string()) return j[0].get<std::string>();
      return history(j[0], depth + 1);
    }
    return {};
  };
  const std::string name = history(node, 0);
  if (name.empty())
    throw Error(fmt::format("{}: field 'inbound_nodes': cannot read the layer's input", where));
  return name;
}

// The layers of config.json in order, checked to form one chain (each reads the one before it).
std::vector<KerasLayer> read_layers(const json& root, const std::string& origin, std::string& model_name) {
  if (!root.is_object() || !root.contains("config") || !root.at("config").is_object())
    throw Error(fmt::format("{}: config.json: expected an object with 'config'", origin));
  const std::string model_class = root.value("class_name", std::string());
  if (model_class != "Functional" && model_class != "Sequential" && model_class != "Model")
    throw Error(
        fmt::format("{}: config.json: class_name '{}' is not a Keras model (Functional or Sequential)",
                    origin, model_class.substr(0, 40)));
  const json& config = root.at("config");
  if (config.contains("name") && config.at("name").is_string())
    model_name = config.at("name").get<std::string>();
  if (!config.contains("layers") || !config.at("layers").is_array() || config.at("layers").empty())
    throw Error(fmt::format("{}: config.json: field 'config.layers': expected a non-empty list", origin));
  if (config.at("layers").size() > limits::kMaxLayers)
    throw Error(fmt::format("{}: config.json: more than {} layers", origin, limits::kMaxLayers));
  std::vector<KerasLayer> layers;
  std::set<std::string> names;
  for (const json& entry : config.at("layers")) {
    if (!entry.is_object() || !entry.contains("class_name") || !entry.at("class_name").is_string() ||
        !entry.contains("config") || !entry.at("config").is_object())
      throw Error(fmt::format("{}: config.json: layer {}: expected class_name and config", origin,
                              layers.size() + 1));
    KerasLayer layer;
    layer.class_name = entry.at("class_name").get<std::string>();
    layer.config = entry.at("config");
    if (entry.contains("module") && entry.at("module").is_string())
      layer.module = entry.at("module").get<std::string>();
    const json& name = entry.contains("name") ? entry.at("name") : layer.config.value("name", json());
    if (!name.is_string() || name.get<std::string>().empty())
      throw Error(fmt::format("{}: config.json: layer {} ({}): no name", origin, layers.size() + 1,
                              layer.class_name));
    layer.name = name.get<std::string>();
    if (!names.insert(layer.name).second)
      throw Error(fmt::format("{}: config.json: layer '{}': duplicate name", origin, layer.name));
    const std::string where = fmt::format("{}: layer '{}' ({})", origin, layer.name, layer.class_name);
    if (model_class != "Sequential" && layer.class_name != "InputLayer") {
      const std::string input = first_inbound(entry.value("inbound_nodes", json::array()), where);
      if (layers.empty() || input != layers.back().name)
        throw Error(fmt::format("{}: reads '{}', not the layer before it: only sequential chains import",
                                where, input));
    }
    layers.push_back(std::move(layer));
  }
  if (model_class != "Sequential" && config.contains("output_layers")) {
    const json& outputs = config.at("output_layers");
    // Keras 2: [[name, 0, 0]]; Keras 3: [name, 0, 0] or a list of those.
    const json& first =
        outputs.is_array() && !outputs.empty() && outputs[0].is_array() ? outputs[0] : outputs;
    const bool several = outputs.is_array() && outputs.size() > 1 && outputs[0].is_array();
    if (several || !first.is_array() || first.empty() || !first[0].is_string() ||
        first[0].get<std::string>() != layers.back().name)
      throw Error(
          fmt::format("{}: config.json: field 'output_layers': the model's one output must be its last "
                      "layer '{}'",
                      origin, layers.back().name));
  }
  return layers;
}

// The class and config of a layer, unwrapping the sparse-pixels library's own wrappers.
struct Unwrapped {
  std::string class_name;
  json config;
};
Unwrapped unwrap(const KerasLayer& layer, const std::string& where) {
  auto inner = [&](const char* key) {
    if (!layer.config.contains(key) || !layer.config.at(key).is_object())
      throw Error(fmt::format("{}: field '{}': expected the wrapped layer's config", where, key));
    return layer.config.at(key);
  };
  if (layer.class_name == "QConv2DSparse") {
    json config = inner("conv_config");
    if (layer.config.contains("bq_conf") && !layer.config.at("bq_conf").is_null())
      throw Error(fmt::format("{}: field 'bq_conf': HGQ2 quantizer configs are out of scope (docs/import.md)",
                              where));
    if (layer.config.contains("activation") && !layer.config.at("activation").is_null())
      config["activation"] = layer.config.at("activation");
    if (layer.config.contains("use_bias")) config["use_bias"] = layer.config.at("use_bias");
    return {"QConv2D", config};
  }
  if (layer.class_name == "AveragePooling2DSparse") return {"AveragePooling2D", inner("pool_config")};
  if (layer.class_name == "MaxPooling2DSparse") return {"MaxPooling2D", inner("pool_config")};
  return {layer.class_name, layer.config};
}

// A pair [a, b] or a single integer, as two integers.
std::pair<int, int> pair_of(const json& config, const char* key, const std::string& where) {
  if (!config.contains(key)) throw Error(fmt::format("{}: field '{}' is missing", where, key));
  const json& v = config.at(key);
  auto one = [&](const json& x) {
    if (!x.is_number_integer() || x.get<long long>() < 1 || x.get<long long>() > limits::kMaxImageSide)
      throw Error(fmt::format("{}: field '{}': expected positive integers, got {}", where, key, text_of(v)));
    return static_cast<int>(x.get<long long>());
  };
  if (v.is_array() && v.size() == 2) return {one(v[0]), one(v[1])};
  if (v.is_array() && v.size() == 1) return {one(v[0]), one(v[0])};
  return {one(v), one(v)};
}

int positive_int(const json& config, const char* key, int max, const std::string& where) {
  if (!config.contains(key) || !config.at(key).is_number_integer())
    throw Error(fmt::format("{}: field '{}': expected an integer", where, key));
  const long long v = config.at(key).get<long long>();
  if (v < 1 || v > max)
    throw Error(fmt::format("{}: field '{}': must be in 1..{}, got {}", where, key, max, v));
  return static_cast<int>(v);
}

void require_value(const json& config, const char* key, const std::vector<json>& allowed,
                   const std::string& where) {
  if (!config.contains(key) || config.at(key).is_null()) return;
  for (const json& a : allowed)
    if (config.at(key) == a) return;
  throw Error(fmt::format("{}: field '{}': {} is not supported", where, key, text_of(config.at(key))));
}

void require_channels_last(const json& config, const std::string& where) {
  require_value(config, "data_format", {"channels_last"}, where);
}

// An activation name or quantizer (a Conv/Dense `activation`, an Activation, a QActivation) as the
// layer of ours it becomes; nullopt for linear.
std::optional<Planned> activation_layer(const json& activation, const std::string& name,
                                        const std::string& where) {
  Planned p;
  p.layer.name = name;
  if (activation.is_null()) return std::nullopt;
  std::string text = activation.is_string() ? activation.get<std::string>() : std::string();
  if (activation.is_object() && activation.contains("class_name") &&
      activation.at("class_name").is_string()) {
    const std::string cls = activation.at("class_name").get<std::string>();
    if (cls.rfind("quantized", 0) == 0) {
      text = "quantizer";
    } else if (activation.contains("config") && activation.at("config").is_object() &&
               activation.at("config").contains("name")) {
      text = activation.at("config").value("name", cls);  // Keras 3 serializes functions this way
    } else {
      text = cls;
    }
  }
  if (text == "linear" || text.empty()) {
    if (!activation.is_string() && text.empty())
      throw Error(fmt::format("{}: field 'activation': {} is not supported", where, text_of(activation)));
    return std::nullopt;
  }
  if (text == "relu") {
    p.layer.kind = LayerKind::ReLU;
  } else if (text == "softmax") {
    p.layer.kind = LayerKind::Softmax;
  } else if (text == "sigmoid") {
    p.layer.kind = LayerKind::Sigmoid;
  } else {
    bool relu = false;
    p.result_quantizer = quantizer_type(activation, where + ": field 'activation'", &relu);
    if (!relu)
      throw Error(
          fmt::format("{}: field 'activation': only quantized_relu quantizes an activation here", where));
    p.layer.kind = LayerKind::ReLU;
  }
  return p;
}

// Maps the Keras layers to ours (dense kinds; made sparse later), with the input shape.
struct Mapped {
  int height = 0, width = 0, channels = 0;
  std::string input_name;
  std::optional<int> n_active;  // from the library's own InputReduce
  std::optional<double> threshold;
  std::vector<Planned> layers;
  std::vector<std::string> notes;
};

Mapped map_layers(const std::vector<KerasLayer>& layers, const std::string& origin) {
  Mapped m;
  std::size_t start = 0;
  auto input_shape = [&](const json& shape, const std::string& where) {
    if (!shape.is_array() || shape.size() != 4 || !shape[1].is_number_integer() ||
        !shape[2].is_number_integer() || !shape[3].is_number_integer())
      throw Error(fmt::format("{}: the input shape {} is not (batch, height, width, channels)", where,
                              text_of(shape)));
    auto side = [&](const json& v, int max) {
      const long long x = v.get<long long>();
      if (x < 1 || x > max)
        throw Error(fmt::format("{}: the input shape {} is out of range", where, text_of(shape)));
      return static_cast<int>(x);
    };
    m.height = side(shape[1], limits::kMaxImageSide);
    m.width = side(shape[2], limits::kMaxImageSide);
    m.channels = side(shape[3], limits::kMaxChannels);
  };
  const KerasLayer& first = layers.front();
  const std::string first_where = fmt::format("{}: layer '{}' ({})", origin, first.name, first.class_name);
  if (first.class_name == "InputLayer") {
    const json& c = first.config;
    input_shape(c.contains("batch_shape") ? c.at("batch_shape") : c.value("batch_input_shape", json()),
                first_where);
    m.input_name = first.name;
    start = 1;
  } else if (first.config.contains("batch_input_shape")) {
    input_shape(first.config.at("batch_input_shape"), first_where);
  } else {
    throw Error(fmt::format("{}: config.json: the model has no InputLayer and no input shape", origin));
  }
  for (std::size_t i = start; i < layers.size(); ++i) {
    const KerasLayer& keras = layers[i];
    const std::string where = fmt::format("{}: layer '{}' ({})", origin, keras.name, keras.class_name);
    const Unwrapped u = unwrap(keras, where);
    const json& c = u.config;
    const std::string& cls = u.class_name;
    const std::string& module = keras.module;
    Planned p;
    p.keras_name = keras.name;
    p.keras_class = keras.class_name;
    p.layer.name = keras.name;
    // QConv2D/QDense quantize their kernel and bias; plain Keras layers do not.
    auto read_quantizers = [&] {
      if (cls != "QConv2D" && cls != "QDense") return;
      p.weight_quantizer =
          quantizer_type(c.value("kernel_quantizer", json()), where + ": field 'kernel_quantizer'");
      p.bias_quantizer =
          quantizer_type(c.value("bias_quantizer", json()), where + ": field 'bias_quantizer'");
    };
    auto add_inner_activation = [&] {
      if (!c.contains("activation")) return;
      std::optional<Planned> a = activation_layer(c.at("activation"), keras.name + "_activation", where);
      if (!a) return;
      a->keras_name = keras.name;
      a->keras_class = keras.class_name;
      a->inner_activation = true;
      m.notes.push_back(
          fmt::format("layer '{}': its activation becomes the layer '{}'", keras.name, a->layer.name));
      m.layers.push_back(*a);
    };
    if (cls == "InputReduce") {
      if (i != start) throw Error(fmt::format("{}: InputReduce must come right after the input", where));
      m.n_active = positive_int(c, "n_max_pixels", limits::kMaxActive, where);
      const json& t = c.value("threshold", json());
      if (!t.is_null() && !t.is_number())
        throw Error(
            fmt::format("{}: field 'threshold': expected a number or null, got {}", where, text_of(t)));
      m.threshold = t.is_null() ? 0.0 : t.get<double>();
      if (!(*m.threshold >= 0) || !std::isfinite(*m.threshold))
        throw Error(fmt::format("{}: field 'threshold': must be >= 0", where));
      continue;
    }
    if (cls.rfind("HGQ", 0) == 0 || module.rfind("hgq", 0) == 0 || c.contains("kq_conf") ||
        c.contains("iq_conf"))
      throw Error(fmt::format(
          "{}: HGQ2 layers (per-element bit widths) are out of scope for now (docs/import.md)", where));
    if (cls == "QConv2D" || cls == "Conv2D") {
      require_channels_last(c, where);
      const auto [kh, kw] = pair_of(c, "kernel_size", where);
      if (kh != kw) throw Error(fmt::format("{}: field 'kernel_size': {}x{} is not square", where, kh, kw));
      if (kh % 2 == 0 || kh > limits::kMaxKernel)
        throw Error(fmt::format("{}: field 'kernel_size': must be odd and at most {}, got {}", where,
                                limits::kMaxKernel, kh));
      if (pair_of(c, "strides", where) != std::pair{1, 1})
        throw Error(fmt::format("{}: field 'strides': must be 1", where));
      if (c.contains("dilation_rate") && pair_of(c, "dilation_rate", where) != std::pair{1, 1})
        throw Error(fmt::format("{}: field 'dilation_rate': must be 1", where));
      require_value(c, "padding", {"same"}, where);
      require_value(c, "groups", {1}, where);
      p.layer.kind = LayerKind::Conv2D;
      p.layer.filters = positive_int(c, "filters", limits::kMaxChannels, where);
      p.layer.kernel = kh;
      p.use_bias = c.value("use_bias", true);
      read_quantizers();
      m.layers.push_back(p);
      add_inner_activation();
    } else if (cls == "QDense" || cls == "Dense") {
      p.layer.kind = LayerKind::Dense;
      p.layer.units = positive_int(c, "units", limits::kMaxUnits, where);
      p.use_bias = c.value("use_bias", true);
      read_quantizers();
      m.layers.push_back(p);
      add_inner_activation();
    } else if (cls == "QActivation" || cls == "Activation" || cls == "ReLU") {
      const json activation = cls == "ReLU" ? json("relu") : c.value("activation", json());
      if (cls == "ReLU") {
        require_value(c, "max_value", {nullptr}, where);
        require_value(c, "negative_slope", {0, 0.0}, where);
        require_value(c, "threshold", {0, 0.0}, where);
      }
      std::optional<Planned> a = activation_layer(activation, keras.name, where);
      if (!a) {
        m.notes.push_back(fmt::format("layer '{}': a linear activation, dropped", keras.name));
        continue;
      }
      a->keras_name = keras.name;
      a->keras_class = keras.class_name;
      m.layers.push_back(*a);
    } else if (cls == "AveragePooling2D" || cls == "MaxPooling2D") {
      require_channels_last(c, where);
      require_value(c, "padding", {"valid"}, where);
      const auto pool = pair_of(c, "pool_size", where);
      if (c.contains("strides") && !c.at("strides").is_null() && pair_of(c, "strides", where) != pool)
        throw Error(fmt::format("{}: field 'strides': must equal pool_size", where));
      p.layer.kind = cls == "AveragePooling2D" ? LayerKind::AvgPool2D : LayerKind::MaxPool2D;
      p.layer.pool_height = pool.first;
      p.layer.pool_width = pool.second;
      m.layers.push_back(p);
    } else if (cls == "Flatten") {
      require_channels_last(c, where);
      p.layer.kind = LayerKind::Flatten;
      m.layers.push_back(p);
    } else if (cls == "Dropout") {
      m.notes.push_back(fmt::format("layer '{}': Dropout does nothing at inference, dropped", keras.name));
    } else if (cls == "BatchNormalization") {
      const json& axis = c.value("axis", json(-1));
      const bool last_axis =
          axis == json(-1) || axis == json(3) || axis == json::array({3}) || axis == json::array({-1});
      if (!last_axis)
        throw Error(fmt::format("{}: field 'axis': {} is not the channel axis", where, text_of(axis)));
      p.layer.kind = LayerKind::SparseBatchNormalization;
      if (c.contains("momentum") && c.at("momentum").is_number())
        p.layer.momentum = c.at("momentum").get<double>();
      if (c.contains("epsilon") && c.at("epsilon").is_number())
        p.layer.epsilon = c.at("epsilon").get<double>();
      p.batchnorm_scale = c.value("scale", true);
      p.batchnorm_center = c.value("center", true);
      m.layers.push_back(p);
    } else {
      throw Error(
          fmt::format("{}: the layer class '{}' has no counterpart here (docs/import.md lists those that do)",
                      where, cls.substr(0, 60)));
    }
  }
  if (m.layers.empty())
    throw Error(fmt::format("{}: config.json: the model has no layers after its input", origin));
  return m;
}

// The sparse counterpart of a dense kind (up to Flatten).
LayerKind sparse_kind(const Planned& p, const std::string& origin) {
  switch (p.layer.kind) {
    case LayerKind::Conv2D:
      return LayerKind::SparseConv2D;
    case LayerKind::ReLU:
      return LayerKind::SparseReLU;
    case LayerKind::AvgPool2D:
      return LayerKind::SparseAvgPool2D;
    case LayerKind::MaxPool2D:
      return LayerKind::SparseMaxPool2D;
    case LayerKind::Flatten:
      return LayerKind::SparseFlatten;
    case LayerKind::SparseBatchNormalization:
      return LayerKind::SparseBatchNormalization;
    case LayerKind::Dense:
    case LayerKind::Sigmoid:
    case LayerKind::Softmax:
    case LayerKind::InputReduce:
    case LayerKind::SparseConv2D:
    case LayerKind::SparseReLU:
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
    case LayerKind::SparseFlatten:
      break;
  }
  throw Error(fmt::format("{}: layer '{}' ({}) comes before Flatten and has no sparse counterpart", origin,
                          p.keras_name, p.keras_class));
}

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
  FixedType parse(const Planned& p, const std::string& field, const std::string& text) const {
    return hls4ml_type(
        text, fmt::format("{}: hls4ml config: layer '{}': Precision.{}", origin, p.keras_name, field));
  }
  // An explicit (not auto) type from the config.
  std::optional<FixedType> explicit_type(const Planned& p, const std::string& field) const {
    const auto text = entry(p, field);
    if (!text || is_auto(text)) return std::nullopt;
    return parse(p, field, *text);
  }
  FixedType default_type() const {
    return hls4ml_type(hls.default_precision, fmt::format("{}: hls4ml config: Model.Precision", origin));
  }
};

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

// Copies a planned layer's Keras weights into the model's layer, checking every shape.
void set_weights(layers::Layer& target, const spec::ResolvedLayer& resolved, const Planned& plan,
                 const std::vector<const Variable*>& variables, const std::string& origin) {
  const std::string where = fmt::format("{}: layer '{}' ({})", origin, plan.keras_name, plan.keras_class);
  std::size_t next = 0;
  auto take = [&](const char* what, const std::vector<std::size_t>& shape) -> const Variable& {
    if (next >= variables.size())
      throw Error(fmt::format("{}: weights: the {} is missing (the file has {} variables for this layer)",
                              where, what, variables.size()));
    const Variable& v = *variables[next++];
    if (v.shape != shape) {
      auto text = [](const std::vector<std::size_t>& s) {
        std::string t = "(";
        for (std::size_t k = 0; k < s.size(); ++k) t += (k ? ", " : "") + std::to_string(s[k]);
        return t + ")";
      };
      throw Error(fmt::format("{}: weights: {} ({}) has shape {}, expected {}", where, what, v.path,
                              text(v.shape), text(shape)));
    }
    for (float x : v.values)
      if (!std::isfinite(x))
        throw Error(
            fmt::format("{}: weights: {} ({}) holds a value that is not finite", where, what, v.path));
    return v;
  };
  const spec::LayerSpec& s = resolved.spec;
  const std::size_t channels = static_cast<std::size_t>(resolved.input.channels);
  switch (s.kind) {
    case LayerKind::Conv2D:
    case LayerKind::SparseConv2D:
    case LayerKind::Dense: {
      const bool conv = s.kind != LayerKind::Dense;
      const std::size_t outputs = static_cast<std::size_t>(conv ? s.filters : s.units);
      const std::vector<std::size_t> kernel_shape =
          conv ? std::vector<std::size_t>{static_cast<std::size_t>(s.kernel),
                                          static_cast<std::size_t>(s.kernel), channels, outputs}
               : std::vector<std::size_t>{channels, outputs};
      target.weights = take("kernel", kernel_shape).values;
      target.bias.assign(outputs, 0.0f);
      if (plan.use_bias) target.bias = take("bias", {outputs}).values;
      break;
    }
    case LayerKind::SparseBatchNormalization: {
      std::vector<float> gamma(channels, 1.0f), beta(channels, 0.0f);
      if (plan.batchnorm_scale) gamma = take("gamma", {channels}).values;
      if (plan.batchnorm_center) beta = take("beta", {channels}).values;
      const std::vector<float> mean = take("moving_mean", {channels}).values;
      const std::vector<float> variance = take("moving_variance", {channels}).values;
      target.weights = gamma;
      target.weights.insert(target.weights.end(), mean.begin(), mean.end());
      target.weights.insert(target.weights.end(), variance.begin(), variance.end());
      target.bias = beta;
      break;
    }
    default:
      break;
  }
  if (next != variables.size())
    throw Error(fmt::format("{}: weights: the file has {} variables for this layer, {} expected", where,
                            variables.size(), next));
}

// Builds the model from config.json's text and an hls4ml config, with the weights of `variables`
// (null: all zero).
ImportResult build(const std::string& config_text, const Hls4mlConfig& hls, const ArchiveVariables* variables,
                   const std::string& origin, const ImportOptions& options) {
  const json root = parse_json(config_text, origin);
  std::string model_name = "imported";
  const std::vector<KerasLayer> keras_layers = read_layers(root, origin, model_name);
  Mapped m = map_layers(keras_layers, origin);

  const bool own_reduce = m.n_active.has_value();
  if (own_reduce && (options.n_active || options.threshold))
    throw UsageError(
        fmt::format("{}: the archive has its own InputReduce (n_max_pixels {}, threshold {}); drop "
                    "--n-active and --threshold",
                    origin, *m.n_active, *m.threshold));
  if (!options.n_active && (options.threshold || options.selection))
    throw UsageError("--threshold and --selection need --n-active");
  const std::optional<int> n_active = own_reduce ? m.n_active : options.n_active;
  const bool sparse = n_active.has_value();
  if (sparse) {
    bool flattened = false;
    for (Planned& p : m.layers) {
      if (flattened) continue;
      if (p.layer.kind == LayerKind::Flatten) flattened = true;
      p.layer.kind = sparse_kind(p, origin);
    }
    if (!flattened)
      throw Error(fmt::format("{}: a sparse model needs a Flatten before its Dense layers", origin));
  } else {
    for (const Planned& p : m.layers)
      if (p.layer.kind == LayerKind::SparseBatchNormalization)
        throw Error(
            fmt::format("{}: layer '{}' (BatchNormalization): only sparse models have batch normalization "
                        "here; import with --n-active",
                        origin, p.keras_name));
  }

  spec::ModelSpec spec;
  spec.name = model_name;
  spec.input_height = m.height;
  spec.input_width = m.width;
  spec.input_channels = m.channels;
  spec.float_input = options.float_input;
  spec.arithmetic_profile = options.profile.value_or(spec::ArithmeticProfile::Exact);
  const TypeSource source{hls, origin};
  spec.input_type = assign_types(m.layers, m.input_name, source, options.float_input,
                                 spec.arithmetic_profile == spec::ArithmeticProfile::Hls4ml, m.notes);
  if (sparse) {
    LayerSpec reduce;
    reduce.kind = LayerKind::InputReduce;
    reduce.name = "input_reduce";
    for (const Planned& p : m.layers)
      if (p.layer.name == reduce.name) reduce.name = "input_reduce_0";
    reduce.n_active = *n_active;
    reduce.threshold = own_reduce ? *m.threshold : options.threshold.value_or(0.0);
    reduce.selection = options.selection.value_or(spec::Selection::Raster);
    spec.layers.push_back(reduce);
    spec.hls.selection_policy = reduce.selection;
  }
  for (const Planned& p : m.layers) {
    LayerSpec layer = p.layer;
    // Keras computes in float what no quantizer covers; --float-input keeps that (a comparison aid).
    const bool quantized_relu = p.result_quantizer.has_value();
    if (options.float_input && !quantized_relu && layer.kind != LayerKind::Flatten &&
        layer.kind != LayerKind::SparseFlatten)
      layer.float_result = true;
    spec.layers.push_back(layer);
  }
  if (hls.part) spec.hls.part = *hls.part;
  if (hls.clock_ns) spec.hls.clock_ns = *hls.clock_ns;
  if (hls.clock_uncertainty) spec.hls.clock_uncertainty = *hls.clock_uncertainty;
  if (hls.io_type) spec.hls.io_type = *hls.io_type;
  finish_hls4ml_auto(spec, m.layers, source, origin);
  if (options.float_input) {
    for (const Planned& p : m.layers)
      if ((p.layer.kind == LayerKind::Conv2D || p.layer.kind == LayerKind::Dense) && !p.weight_quantizer)
        m.notes.push_back(fmt::format(
            "layer '{}' has no weight quantizer: its weights are still rounded to {} "
            "with --float-input",
            p.keras_name,
            p.layer.precision.weight ? p.layer.precision.weight->to_string() : std::string(kDefaultType)));
  }

  model::Model model(spec, origin);
  const std::size_t offset = sparse ? 1 : 0;
  // The Keras 2.13-2.15 layout names layer groups after the class, numbered per class in layer order.
  std::map<std::string, int> class_count;
  std::map<std::string, std::string> group_of;  // Keras layer name -> its weight group
  for (const KerasLayer& k : keras_layers) {
    const std::string base = snake_case(k.class_name);
    const int n = class_count[base]++;
    group_of[k.name] = n == 0 ? base : fmt::format("{}_{}", base, n);
  }
  std::set<std::string> used_groups;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Planned& plan = m.layers[i];
    const spec::ResolvedLayer& resolved = model.resolved()[i + offset];
    layers::Layer& layer = model.layer(i + offset);
    if (resolved.weight_count + resolved.bias_count == 0 || plan.inner_activation) continue;
    if (variables == nullptr) {
      if (spec::kind_info(resolved.spec.kind).has_parameters &&
          resolved.spec.kind == LayerKind::SparseBatchNormalization) {
        const std::size_t c = static_cast<std::size_t>(resolved.input.channels);
        layer.weights.assign(3 * c, 1.0f);  // gamma 1, mean 1, variance 1: finite and valid
        layer.bias.assign(c, 0.0f);
      }
      continue;
    }
    const std::string group = variables->layout == "layers" ? plan.keras_name : group_of.at(plan.keras_name);
    const auto found = variables->layers.find(group);
    if (found == variables->layers.end())
      throw Error(fmt::format("{}: layer '{}' ({}): weights: model.weights.h5 has no group '{}/{}'", origin,
                              plan.keras_name, plan.keras_class, variables->layout, group));
    used_groups.insert(group);
    std::vector<const Variable*> list;
    for (const Variable& v : found->second) list.push_back(&v);
    set_weights(layer, resolved, plan, list, origin);
  }
  if (variables != nullptr) {
    for (const auto& [group, list] : variables->layers) {
      if (!list.empty() && used_groups.count(group) == 0)
        throw Error(
            fmt::format("{}: model.weights.h5: '{}/{}' holds {} variables that no layer of config.json "
                        "takes",
                        origin, variables->layout, group, list.size()));
    }
  }
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(false);
  return ImportResult{std::move(model), std::move(m.notes)};
}

Hls4mlConfig read_hls4ml(const ImportOptions& options) {
  if (options.hls4ml_config.empty()) return {};
  return parse_hls4ml_config(read_text_file(options.hls4ml_config, std::uint64_t{16} << 20),
                             options.hls4ml_config);
}

// A legacy Keras 2 .h5 weight file: the architecture and types from our YAML config, weights by name.
ImportResult import_legacy(const std::string& path, const ImportOptions& options) {
  if (options.n_active || options.threshold || options.selection || !options.hls4ml_config.empty() ||
      options.float_input || options.profile)
    throw UsageError(
        "with --config (a legacy .h5 weight file) the config sets everything: drop --n-active, "
        "--threshold, --selection, --hls4ml-config, --profile and --float-input");
  model::Model model(model::load_config(options.architecture_config), options.architecture_config);
  const LegacyWeights weights = read_legacy_weights(path);
  std::set<std::string> matched;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const spec::ResolvedLayer& resolved = model.resolved()[i];
    if (resolved.weight_count + resolved.bias_count == 0) continue;
    const std::string& name = resolved.spec.name;
    const auto found = weights.find(name);
    if (found == weights.end() || found->second.empty())
      throw Error(fmt::format("{}: layer '{}' of {} has no weights in the file", path, name,
                              options.architecture_config));
    matched.insert(name);
    std::vector<const Variable*> list;
    const auto& named = found->second;
    auto pick = [&](const char* key) {
      const auto v = named.find(key);
      if (v == named.end())
        throw Error(
            fmt::format("{}: layer '{}': no weight '{}' (the file has {})", path, name, key, named.size()));
      list.push_back(&v->second);
    };
    Planned plan;
    plan.keras_name = name;
    plan.keras_class = spec::to_string(resolved.spec.kind);
    if (resolved.spec.kind == LayerKind::SparseBatchNormalization) {
      plan.batchnorm_scale = named.count("gamma:0") > 0;
      plan.batchnorm_center = named.count("beta:0") > 0;
      if (plan.batchnorm_scale) pick("gamma:0");
      if (plan.batchnorm_center) pick("beta:0");
      pick("moving_mean:0");
      pick("moving_variance:0");
    } else {
      pick("kernel:0");
      plan.use_bias = named.count("bias:0") > 0;
      if (plan.use_bias) pick("bias:0");
    }
    if (list.size() != named.size())
      throw Error(fmt::format("{}: layer '{}': {} weights in the file, {} expected", path, name, named.size(),
                              list.size()));
    set_weights(model.layer(i), resolved, plan, list, path);
  }
  for (const auto& [name, named] : weights) {
    if (!named.empty() && matched.count(name) == 0)
      throw Error(
          fmt::format("{}: layer '{}' has weights in the file but no such layer with parameters in {}", path,
                      name, options.architecture_config));
  }
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(false);
  return ImportResult{std::move(model), {}};
}

}  // namespace

ImportResult import_keras_archive(const void* data, std::size_t size, const std::string& origin,
                                  const ImportOptions& options) {
  const KerasArchive archive = read_keras_archive(data, size, origin);
  const ArchiveVariables variables = read_archive_variables(archive.weights_h5, origin);
  return build(archive.config_json, read_hls4ml(options), &variables, origin, options);
}

ImportResult import_keras_config_text(const std::string& config_json, const std::string& hls4ml_yaml,
                                      const std::string& origin, const ImportOptions& options) {
  const Hls4mlConfig hls = hls4ml_yaml.empty() ? Hls4mlConfig{} : parse_hls4ml_config(hls4ml_yaml, origin);
  return build(config_json, hls, nullptr, origin, options);
}

ImportResult import_model(const std::string& path, const ImportOptions& options) {
  if (!options.architecture_config.empty()) return import_legacy(path, options);
  const KerasArchive archive = read_keras_archive(path);
  const ArchiveVariables variables = read_archive_variables(archive.weights_h5, path);
  return build(archive.config_json, read_hls4ml(options), &variables, path, options);
}

}  // namespace sparsepixels::import
