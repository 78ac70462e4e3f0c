// The model file: versioned JSON (docs/model-file.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/version.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary (model_spec.h) is what this file works on

namespace {

constexpr const char* kFormat = "sparsepixels-model";
constexpr int kFormatVersion = 1;

using nlohmann::json;

json shape_json(const Shape& shape) {
  json j = {{"sparse", shape.sparse},
            {"height", shape.height},
            {"width", shape.width},
            {"channels", shape.channels}};
  if (shape.sparse) j["slots"] = shape.slots;
  return j;
}

json layer_json(const ResolvedLayer& layer, const layers::Layer& values) {
  const LayerSpec& s = layer.spec;
  json j = {{"type", to_string(s.kind)}, {"name", s.name}};
  switch (s.kind) {
    case LayerKind::InputReduce:
      j["n_active"] = s.n_active;
      j["threshold"] = s.threshold;
      j["selection"] = to_string(s.selection);
      break;
    case LayerKind::SparseConv2D:
    case LayerKind::Conv2D:
      j["filters"] = s.filters;
      j["kernel"] = s.kernel;
      break;
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
    case LayerKind::AvgPool2D:
    case LayerKind::MaxPool2D:
      j["pool"] = {s.pool_height, s.pool_width};
      break;
    case LayerKind::Dense:
      j["units"] = s.units;
      break;
    case LayerKind::SparseBatchNormalization:
      j["momentum"] = s.momentum;
      j["epsilon"] = s.epsilon;
      break;
    case LayerKind::SparseReLU:
    case LayerKind::SparseFlatten:
    case LayerKind::ReLU:
    case LayerKind::Sigmoid:
    case LayerKind::Softmax:
    case LayerKind::Flatten:
      break;
  }
  j["input_shape"] = shape_json(layer.input);
  j["output_shape"] = shape_json(layer.output);
  j["fan_in"] = layer.fan_in;
  j["types"] = {{"weight", layer.types.weight.to_string()},
                {"bias", layer.types.bias.to_string()},
                {"accum", layer.types.accum.to_string()},
                {"result", layer.types.result.to_string()},
                {"table", layer.types.table.to_string()}};
  if (s.float_result) j["float_result"] = true;
  if (layer.weight_count + layer.bias_count > 0) {
    j["weights"] = values.weights;  // float32 values; JSON numbers print them so they read back exactly
    j["bias"] = values.bias;
  }
  return j;
}

// A value as the start of its JSON text: an error line never echoes a huge value.
std::string abbreviated(const json& value) {
  constexpr std::size_t kShown = 40;
  if (value.is_structured()) return value.is_array() ? "a list" : "an object";
  std::string text = value.dump();
  if (text.size() > kShown) text = text.substr(0, kShown) + "...";
  return text;
}

// True if `value` is a JSON integer that T holds (1.0, 1.5 and 2^32 + 1 are not ints).
template <typename T>
bool fits_integer(const json& value) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) {
    return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  }
  const std::int64_t number = value.get<std::int64_t>();
  if constexpr (std::is_signed_v<T>) {
    return number >= std::numeric_limits<T>::min() && number <= std::numeric_limits<T>::max();
  } else {
    return number >= 0 && static_cast<std::uint64_t>(number) <= std::numeric_limits<T>::max();
  }
}

// Reads a required field, naming the file, the layer and the field when it is missing or wrong.
struct Reader {
  std::string path;
  std::string where;  // "layer 'conv1'" or empty

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw Error(fmt::format("{}: {}field '{}': {}", path, where.empty() ? "" : where + ": ", field, message));
  }
  const json& need(const json& j, const std::string& field) const {
    if (!j.is_object() || !j.contains(field)) fail(field, "missing");
    return j.at(field);
  }
  template <typename T>
  T get(const json& j, const std::string& field) const {
    return value_of<T>(need(j, field), field);
  }
  // Integers must be JSON integers within T's range, numbers finite: nothing is truncated or rounded.
  template <typename T>
  T value_of(const json& value, const std::string& field) const {
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
      if (std::is_same_v<T, bool> ? !value.is_boolean() : !value.is_string()) {
        fail(field, fmt::format("expected a {}, got {}", std::is_same_v<T, bool> ? "boolean" : "string",
                                abbreviated(value)));
      }
      return value.get<T>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!fits_integer<T>(value)) {
        fail(field, fmt::format("expected an integer in [{}, {}], got {}", std::numeric_limits<T>::min(),
                                std::numeric_limits<T>::max(), abbreviated(value)));
      }
      return value.get<T>();
    } else {
      static_assert(std::is_floating_point_v<T>);
      if (!value.is_number() || !std::isfinite(value.get<double>())) {
        fail(field, fmt::format("expected a finite number, got {}", abbreviated(value)));
      }
      return value.get<T>();
    }
  }
  // A list of values of one kind; an error names the element.
  template <typename T>
  std::vector<T> list(const json& j, const std::string& field) const {
    const json& value = need(j, field);
    if (!value.is_array()) fail(field, fmt::format("expected a list, got {}", abbreviated(value)));
    std::vector<T> out;
    out.reserve(value.size());
    for (std::size_t k = 0; k < value.size(); ++k)
      out.push_back(value_of<T>(value[k], fmt::format("{}[{}]", field, k)));
    return out;
  }
  // `field` may be dotted ("types.weight"); the key read is its last part.
  fixed::FixedType type(const json& j, const std::string& field) const {
    const std::string key = field.substr(field.rfind('.') + 1);
    if (!j.is_object() || !j.contains(key)) fail(field, "missing");
    if (!j.at(key).is_string()) fail(field, "expected a type string");
    const std::string text = j.at(key).get<std::string>();
    try {
      return fixed::FixedType::parse(text);
    } catch (const Error& e) {
      fail(field, fmt::format("malformed type '{}': {}", shown(text), shown(e.what())));
    }
  }
};

}  // namespace

void save_model(const Model& model, const std::string& path) {
  const ModelSpec& spec = model.spec();
  // A model file holds finite parameters only: a diverged model never replaces a good file.
  for (std::size_t i = 0; i < model.size(); ++i) {
    auto require_finite = [&](const char* field, const std::vector<float>& values) {
      const auto bad = std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
      if (bad == values.end()) return;
      throw Error(fmt::format("{}: not written: layer '{}': field '{}[{}]' is {}", path,
                              model.resolved()[i].spec.name, field, bad - values.begin(), *bad));
    };
    require_finite("weights", model.layer(i).weights);
    require_finite("bias", model.layer(i).bias);
  }
  json j;
  j["format"] = kFormat;
  j["format_version"] = kFormatVersion;
  j["tool_version"] = version();
  j["name"] = spec.name;
  j["seed"] = model.seed();
  j["input"] = {{"height", spec.input_height},
                {"width", spec.input_width},
                {"channels", spec.input_channels},
                {"type", spec.input_type.to_string()}};
  if (spec.float_input) j["input"]["float"] = true;
  json layers = json::array();
  for (std::size_t i = 0; i < model.size(); ++i)
    layers.push_back(layer_json(model.resolved()[i], model.layer(i)));
  j["layers"] = layers;
  const TrainingSettings& t = spec.training;
  j["training"] = {{"loss", t.loss},
                   {"learning_rate", t.learning_rate},
                   {"beta1", t.beta1},
                   {"beta2", t.beta2},
                   {"epsilon", t.epsilon},
                   {"batch_size", t.batch_size},
                   {"max_epochs", t.max_epochs},
                   {"early_stopping",
                    {{"enabled", t.early_stopping},
                     {"min_delta", t.min_delta},
                     {"patience", t.patience},
                     {"restore_best", t.restore_best}}},
                   {"reduce_lr",
                    {{"factor", t.reduce_lr_factor},
                     {"patience", t.reduce_lr_patience},
                     {"min_delta", t.reduce_lr_min_delta},
                     {"min_lr", t.min_learning_rate}}},
                   {"slot_rule", to_string(t.slot_rule)},
                   {"seed", t.seed},
                   {"quantized", t.quantized},
                   {"threads", t.threads}};
  j["hls"] = {{"part", spec.hls.part},
              {"clock_ns", spec.hls.clock_ns},
              {"clock_uncertainty", spec.hls.clock_uncertainty},
              {"io_type", spec.hls.io_type},
              {"selection_policy", to_string(spec.hls.selection_policy)}};
  j["arithmetic_profile"] = to_string(spec.arithmetic_profile);

  util::write_file_atomically(path, j.dump(1) + "\n");
}

Model load_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot open the model file", path));
  json j;
  try {
    // A depth limit: deeply nested values would exhaust the stack when printed or compared.
    j = json::parse(in, [&path](int depth, json::parse_event_t, json&) {
      if (depth > limits::kMaxNestingDepth) {
        throw Error(fmt::format("{}: nested deeper than {} levels (a model file nests fewer than 10)", path,
                                limits::kMaxNestingDepth));
      }
      return true;
    });
  } catch (const json::exception& e) {  // also out_of_range: a number beyond a double (1e999)
    throw Error(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  Reader r{path, ""};
  if (r.get<std::string>(j, "format") != kFormat) r.fail("format", fmt::format("expected '{}'", kFormat));
  const int format_version = r.get<int>(j, "format_version");
  if (format_version != kFormatVersion) {
    r.fail("format_version",
           fmt::format("{} is not supported (this tool reads {})", format_version, kFormatVersion));
  }
  ModelSpec spec;
  spec.name = r.get<std::string>(j, "name");
  const json& input = r.need(j, "input");
  spec.input_height = r.get<int>(input, "height");
  spec.input_width = r.get<int>(input, "width");
  spec.input_channels = r.get<int>(input, "channels");
  spec.input_type = r.type(input, "input.type");
  if (input.contains("float")) spec.float_input = r.get<bool>(input, "float");

  if (j.contains("training")) {
    const json& t = j.at("training");
    TrainingSettings& s = spec.training;
    s.loss = r.get<std::string>(t, "loss");
    s.learning_rate = r.get<double>(t, "learning_rate");
    s.beta1 = r.get<double>(t, "beta1");
    s.beta2 = r.get<double>(t, "beta2");
    s.epsilon = r.get<double>(t, "epsilon");
    s.batch_size = r.get<int>(t, "batch_size");
    s.max_epochs = r.get<int>(t, "max_epochs");
    const json& stop = r.need(t, "early_stopping");
    s.early_stopping = r.get<bool>(stop, "enabled");
    s.min_delta = r.get<double>(stop, "min_delta");
    s.patience = r.get<int>(stop, "patience");
    s.restore_best = r.get<bool>(stop, "restore_best");
    if (t.contains("slot_rule")) {  // absent in model files written before 2026-12-08: activity
      try {
        s.slot_rule = parse_slot_rule(r.get<std::string>(t, "slot_rule"), "training.slot_rule");
      } catch (const Error&) {
        r.fail("training.slot_rule", "expected activity or keras");
      }
    }
    if (t.contains("reduce_lr")) {  // absent in model files written before 2026-12-08: off
      const json& reduce = r.need(t, "reduce_lr");
      s.reduce_lr_factor = r.get<double>(reduce, "factor");
      s.reduce_lr_patience = r.get<int>(reduce, "patience");
      s.reduce_lr_min_delta = r.get<double>(reduce, "min_delta");
      s.min_learning_rate = r.get<double>(reduce, "min_lr");
    }
    s.seed = r.get<std::uint64_t>(t, "seed");
    s.quantized = r.get<bool>(t, "quantized");
    s.threads = r.get<int>(t, "threads");
  }
  if (j.contains("hls")) {
    const json& h = j.at("hls");
    spec.hls.part = r.get<std::string>(h, "part");
    spec.hls.clock_ns = r.get<double>(h, "clock_ns");
    spec.hls.clock_uncertainty = r.get<double>(h, "clock_uncertainty");
    spec.hls.io_type = r.get<std::string>(h, "io_type");
    const std::string policy = r.get<std::string>(h, "selection_policy");
    if (policy != "raster" && policy != "topk") r.fail("hls.selection_policy", "expected raster or topk");
    spec.hls.selection_policy = policy == "raster" ? Selection::Raster : Selection::TopK;
  }

  // Files written before profiles existed have none: they follow the exact rules.
  if (j.contains("arithmetic_profile")) {
    const std::string profile = r.get<std::string>(j, "arithmetic_profile");
    if (profile != "exact" && profile != "hls4ml") {
      r.fail("arithmetic_profile", fmt::format("expected 'exact' or 'hls4ml', got '{}'", shown(profile)));
    }
    spec.arithmetic_profile = parse_arithmetic_profile(profile, "arithmetic_profile");
  }

  const json& layers = r.need(j, "layers");
  if (!layers.is_array() || layers.empty()) r.fail("layers", "expected a non-empty list");
  std::vector<LayerTypes> stored_types;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    Reader lr{path, fmt::format("layer {}", i + 1)};
    LayerSpec layer;
    const std::string type = lr.get<std::string>(l, "type");
    const auto kind = parse_layer_kind(type);
    if (!kind) lr.fail("type", fmt::format("unknown layer type '{}'", shown(type)));
    layer.kind = *kind;
    layer.name = lr.get<std::string>(l, "name");
    lr.where = fmt::format("layer '{}' ({})", shown(layer.name), type);
    switch (layer.kind) {
      case LayerKind::InputReduce: {
        layer.n_active = lr.get<int>(l, "n_active");
        layer.threshold = lr.get<double>(l, "threshold");
        const std::string selection = lr.get<std::string>(l, "selection");
        if (selection != "raster" && selection != "topk") lr.fail("selection", "expected raster or topk");
        layer.selection = selection == "raster" ? Selection::Raster : Selection::TopK;
        break;
      }
      case LayerKind::SparseConv2D:
      case LayerKind::Conv2D:
        layer.filters = lr.get<int>(l, "filters");
        layer.kernel = lr.get<int>(l, "kernel");
        break;
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D: {
        const auto pool = lr.list<int>(l, "pool");
        if (pool.size() != 2) lr.fail("pool", "expected [height, width]");
        layer.pool_height = pool[0];
        layer.pool_width = pool[1];
        break;
      }
      case LayerKind::Dense:
        layer.units = lr.get<int>(l, "units");
        break;
      case LayerKind::SparseBatchNormalization:
        layer.momentum = lr.get<double>(l, "momentum");
        layer.epsilon = lr.get<double>(l, "epsilon");
        break;
      case LayerKind::SparseReLU:
      case LayerKind::SparseFlatten:
      case LayerKind::ReLU:
      case LayerKind::Sigmoid:
      case LayerKind::Softmax:
      case LayerKind::Flatten:
        break;
    }
    if (l.contains("float_result")) layer.float_result = lr.get<bool>(l, "float_result");
    const json& types = lr.need(l, "types");
    LayerTypes stored{lr.type(types, "types.weight"), lr.type(types, "types.bias"),
                      lr.type(types, "types.accum"), lr.type(types, "types.result"),
                      lr.type(types, "types.table")};
    // The stored types are authoritative: nothing is re-derived (reference 11.1).
    layer.precision.weight = stored.weight;
    layer.precision.bias = stored.bias;
    layer.precision.accum = stored.accum;
    layer.precision.result = stored.result;
    layer.precision.table = stored.table;
    stored_types.push_back(stored);
    spec.layers.push_back(layer);
  }

  Model model(spec, path);
  model.set_seed(r.get<std::uint64_t>(j, "seed"));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    const ResolvedLayer& resolved = model.resolved()[i];
    Reader lr{path, fmt::format("layer '{}' ({})", shown(resolved.spec.name), to_string(resolved.spec.kind))};
    const LayerTypes& t = resolved.types;
    const LayerTypes& s = stored_types[i];
    if (!(t.weight == s.weight && t.bias == s.bias && t.accum == s.accum && t.result == s.result &&
          t.table == s.table)) {
      lr.fail("types",
              "the stored types do not match the layer (e.g. a flatten whose result type differs from its "
              "input)");
    }
    if (l.contains("output_shape")) {
      const json& shape = l.at("output_shape");
      const Shape& expected = resolved.output;
      if (lr.get<int>(shape, "height") != expected.height || lr.get<int>(shape, "width") != expected.width ||
          lr.get<int>(shape, "channels") != expected.channels) {
        lr.fail("output_shape",
                fmt::format("{} does not match the architecture's {}", shape.dump(), expected.to_string()));
      }
    }
    auto read_values = [&](const char* field, std::size_t count, std::vector<float>& target) {
      if (count == 0) {
        if (l.contains(field)) lr.fail(field, "this layer has no parameters");
        return;
      }
      const auto values = lr.list<double>(l, field);
      if (values.size() != count) {
        lr.fail(field, fmt::format("expected {} values, got {}", count, values.size()));
      }
      target.resize(count);
      for (std::size_t k = 0; k < count; ++k) {
        target[k] = static_cast<float>(values[k]);
        if (!std::isfinite(target[k])) {
          lr.fail(fmt::format("{}[{}]", field, k), fmt::format("{} is not a finite float32", values[k]));
        }
      }
    };
    layers::Layer& layer = model.layer(i);
    read_values("weights", resolved.weight_count, layer.weights);
    read_values("bias", resolved.bias_count, layer.bias);
  }
  // After every layer has its parameters: a layer with a folded batch normalization reads the next one's.
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(false);
  return model;
}

Model load_model_or_config(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".json") return load_model(path);
  if (extension == ".yml" || extension == ".yaml") return Model(load_config(path), path);
  throw Error(fmt::format("{}: expected a model file (.json) or a config (.yml, .yaml)", path));
}

}  // namespace sparsepixels::model
