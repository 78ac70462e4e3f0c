#include "keras_graph.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <regex>
#include <set>

#include "quantizers.h"
#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::import {
namespace {

using json = nlohmann::json;
using spec::LayerKind;

std::string text_of(const json& j) {
  return j.dump().substr(0, 60);
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

}  // namespace

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

}  // namespace sparsepixels::import
