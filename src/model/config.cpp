#include "sparsepixels/model/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "sparsepixels/error.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary (model_spec.h) is what this file works on

namespace {

// Where a problem is: file, line, and (inside a layer) the layer's name and kind.
struct Context {
  std::string origin;
  std::string layer;   // empty outside the layer list
  std::string prefix;  // section of the fields ("training.")

  [[noreturn]] void fail(const YAML::Node& node, std::string field, const std::string& message) const {
    if (!prefix.empty() && field.rfind(prefix, 0) != 0) field = prefix + field;
    std::string where = origin;
    if (node.IsDefined() && !node.Mark().is_null()) where += fmt::format(":{}", node.Mark().line + 1);
    if (!layer.empty()) where += ": " + layer;
    throw Error(fmt::format("{}: field '{}': {}", where, field, message));
  }
};

template <typename T>
T read_scalar(const Context& context, const YAML::Node& parent, const std::string& key, const T& fallback) {
  const YAML::Node node = parent[key];
  if (!node.IsDefined() || node.IsNull()) return fallback;
  if (!node.IsScalar()) context.fail(node, key, "expected a single value");
  try {
    const T value = node.as<T>();
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value))
        context.fail(node, key, fmt::format("'{}' is not a finite number", shown(node.Scalar())));
    }
    return value;
  } catch (const YAML::Exception&) {
    context.fail(node, key,
                 fmt::format("cannot read '{}' as a {}", shown(node.Scalar()),
                             std::is_same_v<T, std::string> ? "string"
                             : std::is_same_v<T, bool>      ? "boolean"
                             : std::is_integral_v<T>        ? "integer"
                                                            : "number"));
  }
}

void check_keys(const Context& context, const YAML::Node& node, const std::string& what,
                const std::set<std::string>& allowed) {
  if (!node.IsMap()) context.fail(node, what, "expected a mapping");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      context.fail(item.first, what.empty() ? key : what + "." + key,
                   fmt::format("unknown key (known: {})", list));
    }
  }
}

fixed::FixedType read_type(const Context& context, const YAML::Node& node, const std::string& field) {
  const std::string text = node.as<std::string>();
  try {
    return fixed::FixedType::parse(text);
  } catch (const Error& e) {
    context.fail(node, field, fmt::format("malformed type '{}': {}", shown(text), shown(e.what())));
  }
}

void read_precision(const Context& context, const YAML::Node& node, const std::string& field,
                    LayerPrecision& precision) {
  if (!node.IsDefined() || node.IsNull()) return;
  check_keys(context, node, field, {"weight", "bias", "accum", "result", "table"});
  auto one = [&](const char* key, std::optional<fixed::FixedType>& target) {
    const YAML::Node value = node[key];
    if (!value.IsDefined() || value.IsNull()) return;
    if (!value.IsScalar()) context.fail(value, field + "." + key, "expected a type string");
    if (value.as<std::string>() == "auto" && std::string(key) == "accum") {
      precision.accum_auto = true;
      return;
    }
    if (value.as<std::string>() == "auto" && std::string(key) == "result") {
      precision.result_auto = true;
      return;
    }
    target = read_type(context, value, field + "." + key);
  };
  one("weight", precision.weight);
  one("bias", precision.bias);
  one("accum", precision.accum);
  one("result", precision.result);
  one("table", precision.table);
}

Selection read_selection(const Context& context, const YAML::Node& parent, const std::string& key,
                         Selection fallback) {
  const std::string text = read_scalar<std::string>(context, parent, key, to_string(fallback));
  if (text == "raster") return Selection::Raster;
  if (text == "topk") return Selection::TopK;
  context.fail(parent[key], key, fmt::format("expected 'raster' or 'topk', got '{}'", shown(text)));
}

void read_pool(const Context& context, const YAML::Node& layer_node, LayerSpec& layer) {
  const YAML::Node pool = layer_node["pool"];
  if (!pool.IsDefined()) context.fail(layer_node, "pool", "missing (a size or [height, width])");
  try {
    if (pool.IsSequence()) {
      if (pool.size() != 2) context.fail(pool, "pool", "expected [height, width]");
      layer.pool_height = pool[0].as<int>();
      layer.pool_width = pool[1].as<int>();
    } else {
      layer.pool_height = layer.pool_width = pool.as<int>();
    }
  } catch (const YAML::Exception&) {
    context.fail(pool, "pool", "expected an integer or [height, width]");
  }
}

LayerSpec read_layer(const std::string& origin, const YAML::Node& node, std::size_t index,
                     Selection default_selection) {
  Context context{origin, fmt::format("layer {}", index + 1), ""};
  if (!node.IsMap()) context.fail(node, "layers", "each layer must be a mapping with a 'type'");
  LayerSpec layer;
  const std::string type = read_scalar<std::string>(context, node, "type", "");
  if (type.empty()) context.fail(node, "type", "missing");
  const auto kind = parse_layer_kind(type);
  if (!kind) context.fail(node["type"], "type", fmt::format("unknown layer type '{}'", shown(type)));
  layer.kind = *kind;
  layer.name = read_scalar<std::string>(context, node, "name", "");
  context.layer = fmt::format("layer '{}' ({})",
                              layer.name.empty() ? std::to_string(index + 1) : shown(layer.name), type);

  std::set<std::string> allowed{"type", "name", "precision"};
  switch (layer.kind) {
    case LayerKind::InputReduce:
      allowed.insert({"n_active", "threshold", "selection"});
      check_keys(context, node, "", allowed);
      layer.n_active = read_scalar<int>(context, node, "n_active", 0);
      if (layer.n_active <= 0) context.fail(node, "n_active", "missing or not > 0");
      layer.threshold = read_scalar<double>(context, node, "threshold", 0.0);
      layer.selection = read_selection(context, node, "selection", default_selection);
      break;
    case LayerKind::SparseConv2D:
    case LayerKind::Conv2D:
      allowed.insert({"filters", "kernel"});
      check_keys(context, node, "", allowed);
      layer.filters = read_scalar<int>(context, node, "filters", 0);
      layer.kernel = read_scalar<int>(context, node, "kernel", 0);
      if (layer.filters <= 0) context.fail(node, "filters", "missing or not > 0");
      if (layer.kernel <= 0) context.fail(node, "kernel", "missing or not > 0");
      break;
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
    case LayerKind::AvgPool2D:
    case LayerKind::MaxPool2D:
      allowed.insert("pool");
      check_keys(context, node, "", allowed);
      read_pool(context, node, layer);
      break;
    case LayerKind::Dense:
      allowed.insert("units");
      check_keys(context, node, "", allowed);
      layer.units = read_scalar<int>(context, node, "units", 0);
      if (layer.units <= 0) context.fail(node, "units", "missing or not > 0");
      break;
    case LayerKind::SparseBatchNormalization:
      allowed.insert({"momentum", "epsilon"});
      check_keys(context, node, "", allowed);
      layer.momentum = read_scalar<double>(context, node, "momentum", 0.99);
      layer.epsilon = read_scalar<double>(context, node, "epsilon", 1e-3);
      if (!(layer.momentum >= 0 && layer.momentum <= 1)) context.fail(node, "momentum", "must be in [0, 1]");
      if (!(layer.epsilon > 0)) context.fail(node, "epsilon", "must be > 0");
      break;
    case LayerKind::SparseReLU:
    case LayerKind::SparseFlatten:
    case LayerKind::ReLU:
    case LayerKind::Sigmoid:
    case LayerKind::Softmax:
    case LayerKind::Flatten:
      check_keys(context, node, "", allowed);
      break;
  }
  read_precision(context, node["precision"], "precision", layer.precision);
  return layer;
}

ModelSpec read_config(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: not valid YAML: {}", origin, e.mark.line + 1, e.msg));
  }
  Context context{origin, "", ""};
  if (!root.IsMap()) context.fail(root, "(top level)", "expected a mapping with 'input' and 'layers'");
  check_keys(context, root, "",
             {"name", "input", "precision", "layers", "training", "hls", "arithmetic_profile"});

  ModelSpec spec;
  spec.name = read_scalar<std::string>(context, root, "name", spec.name);

  const YAML::Node input = root["input"];
  if (!input.IsDefined()) context.fail(root, "input", "missing (height, width, channels, type)");
  const Context input_context{origin, "", "input."};
  check_keys(context, input, "input", {"height", "width", "channels", "type"});
  spec.input_height = read_scalar<int>(input_context, input, "height", 0);
  spec.input_width = read_scalar<int>(input_context, input, "width", 0);
  spec.input_channels = read_scalar<int>(input_context, input, "channels", 1);
  spec.input_type = fixed::FixedType::parse("ap_fixed<16,6,AP_RND_CONV,AP_SAT>");
  if (input["type"].IsDefined()) spec.input_type = read_type(context, input["type"], "input.type");

  read_precision(context, root["precision"], "precision", spec.defaults);
  const std::string profile = read_scalar<std::string>(context, root, "arithmetic_profile", "exact");
  if (profile != "exact" && profile != "hls4ml") {
    context.fail(root["arithmetic_profile"], "arithmetic_profile",
                 fmt::format("expected 'exact' or 'hls4ml', got '{}'", shown(profile)));
  }
  spec.arithmetic_profile = parse_arithmetic_profile(profile, "arithmetic_profile");

  const YAML::Node hls = root["hls"];
  if (hls.IsDefined() && !hls.IsNull()) {
    const Context context{origin, "", "hls."};
    check_keys(context, hls, "hls", {"part", "clock_ns", "clock_uncertainty", "io_type", "selection_policy"});
    spec.hls.part = read_scalar<std::string>(context, hls, "part", spec.hls.part);
    spec.hls.clock_ns = read_scalar<double>(context, hls, "clock_ns", spec.hls.clock_ns);
    spec.hls.clock_uncertainty =
        read_scalar<double>(context, hls, "clock_uncertainty", spec.hls.clock_uncertainty);
    spec.hls.io_type = read_scalar<std::string>(context, hls, "io_type", spec.hls.io_type);
    spec.hls.selection_policy = read_selection(context, hls, "selection_policy", spec.hls.selection_policy);
    if (spec.hls.clock_ns <= 0) context.fail(hls["clock_ns"], "hls.clock_ns", "must be > 0");
    if (spec.hls.clock_uncertainty < 0 || spec.hls.clock_uncertainty >= 1) {
      context.fail(hls["clock_uncertainty"], "hls.clock_uncertainty", "must be a fraction in [0, 1)");
    }
    if (spec.hls.io_type != "io_parallel" && spec.hls.io_type != "io_stream") {
      context.fail(hls["io_type"], "hls.io_type", "expected 'io_parallel' or 'io_stream'");
    }
  }

  const YAML::Node layers = root["layers"];
  if (!layers.IsDefined() || !layers.IsSequence() || layers.size() == 0) {
    context.fail(root, "layers", "missing or not a non-empty list");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    spec.layers.push_back(read_layer(origin, layers[i], i, spec.hls.selection_policy));
  }

  const YAML::Node training = root["training"];
  if (training.IsDefined() && !training.IsNull()) {
    const Context context{origin, "", "training."};
    check_keys(context, training, "training",
               {"loss", "learning_rate", "batch_size", "max_epochs", "early_stopping", "reduce_lr",
                "slot_rule", "seed", "quantized", "threads", "beta1", "beta2", "epsilon"});
    TrainingSettings& t = spec.training;
    t.loss = read_scalar<std::string>(context, training, "loss", t.loss);
    if (t.loss != "auto" && t.loss != "binary_crossentropy" && t.loss != "categorical_crossentropy") {
      context.fail(training["loss"], "training.loss",
                   fmt::format("expected auto, binary_crossentropy or categorical_crossentropy, got '{}'",
                               shown(t.loss)));
    }
    t.learning_rate = read_scalar<double>(context, training, "learning_rate", t.learning_rate);
    t.beta1 = read_scalar<double>(context, training, "beta1", t.beta1);
    t.beta2 = read_scalar<double>(context, training, "beta2", t.beta2);
    t.epsilon = read_scalar<double>(context, training, "epsilon", t.epsilon);
    t.batch_size = read_scalar<int>(context, training, "batch_size", t.batch_size);
    t.max_epochs = read_scalar<int>(context, training, "max_epochs", t.max_epochs);
    t.seed = read_scalar<std::uint64_t>(context, training, "seed", t.seed);
    t.quantized = read_scalar<bool>(context, training, "quantized", t.quantized);
    t.threads = read_scalar<int>(context, training, "threads", t.threads);
    if (t.learning_rate <= 0)
      context.fail(training["learning_rate"], "training.learning_rate", "must be > 0");
    if (t.batch_size <= 0) context.fail(training["batch_size"], "training.batch_size", "must be > 0");
    if (t.max_epochs < 0) context.fail(training["max_epochs"], "training.max_epochs", "must be >= 0");
    if (t.threads < 0) context.fail(training["threads"], "training.threads", "must be >= 0");
    const YAML::Node stop = training["early_stopping"];
    if (stop.IsDefined() && !stop.IsNull()) {
      if (stop.IsScalar()) {
        t.early_stopping = read_scalar<bool>(context, training, "early_stopping", true);
      } else {
        const Context context{origin, "", "training.early_stopping."};
        check_keys(context, stop, "training.early_stopping",
                   {"enabled", "min_delta", "patience", "restore_best"});
        t.early_stopping = read_scalar<bool>(context, stop, "enabled", true);
        t.min_delta = read_scalar<double>(context, stop, "min_delta", t.min_delta);
        t.patience = read_scalar<int>(context, stop, "patience", t.patience);
        t.restore_best = read_scalar<bool>(context, stop, "restore_best", t.restore_best);
        if (t.patience < 0)
          context.fail(stop["patience"], "training.early_stopping.patience", "must be >= 0");
        if (t.min_delta < 0)
          context.fail(stop["min_delta"], "training.early_stopping.min_delta", "must be >= 0");
      }
    }
    const std::string slot_rule =
        read_scalar<std::string>(context, training, "slot_rule", to_string(t.slot_rule));
    try {
      t.slot_rule = parse_slot_rule(slot_rule, "training.slot_rule");
    } catch (const Error&) {
      context.fail(training["slot_rule"], "training.slot_rule",
                   fmt::format("expected 'activity' or 'keras', got '{}'", shown(slot_rule)));
    }
    const YAML::Node reduce = training["reduce_lr"];
    if (reduce.IsDefined() && !reduce.IsNull()) {
      const Context context{origin, "", "training.reduce_lr."};
      if (!reduce.IsMap())
        context.fail(reduce, "training.reduce_lr", "expected {factor, patience, min_delta, min_lr}");
      check_keys(context, reduce, "training.reduce_lr", {"factor", "patience", "min_delta", "min_lr"});
      t.reduce_lr_factor = read_scalar<double>(context, reduce, "factor", 0.1);
      t.reduce_lr_patience = read_scalar<int>(context, reduce, "patience", t.reduce_lr_patience);
      t.reduce_lr_min_delta = read_scalar<double>(context, reduce, "min_delta", t.reduce_lr_min_delta);
      t.min_learning_rate = read_scalar<double>(context, reduce, "min_lr", t.min_learning_rate);
    }
  }
  resolve(spec, origin);  // shape and type errors surface now, naming the file
  return spec;
}

}  // namespace

ModelSpec parse_config(const std::string& text, const std::string& origin) {
  try {
    return read_config(text, origin);
  } catch (const YAML::Exception& e) {  // a conversion the readers above do not check themselves
    throw Error(fmt::format("{}:{}: {}", origin, e.mark.is_null() ? 0 : e.mark.line + 1, e.msg));
  }
}

ModelSpec load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot open the config file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

ModelSpec paper_model(const std::string& dataset, int n_active) {
  struct ConvDef {
    int kernel, filters, pool;  // pool 0: no pooling after this conv
  };
  ModelSpec spec;
  std::vector<ConvDef> convs;
  int hidden = 0, classes = 0;
  double threshold = 0;
  if (dataset == "mnist") {
    spec.input_height = spec.input_width = 48;
    convs = {{7, 1, 4}, {5, 3, 2}};
    hidden = 36;
    classes = 10;
    threshold = 0.4;
  } else if (dataset == "jets") {
    spec.input_height = spec.input_width = 56;
    convs = {{9, 3, 0}, {9, 1, 4}};
    hidden = 20;
    classes = 5;
  } else if (dataset == "neutrino") {
    spec.input_height = spec.input_width = 63;
    convs = {{7, 1, 0}, {7, 3, 7}};
    hidden = 16;
    classes = 1;
  } else {
    throw Error(fmt::format("paper model: unknown dataset '{}' (mnist, jets, neutrino)", dataset));
  }
  const bool sparse = n_active > 0;
  spec.name = fmt::format("{}-{}", dataset, sparse ? fmt::format("sparse-{}", n_active) : "standard");
  spec.input_channels = 1;
  spec.input_type = fixed::FixedType::parse("ap_fixed<16,6,AP_RND_CONV,AP_SAT>");
  spec.training.loss = classes == 1 ? "binary_crossentropy" : "categorical_crossentropy";
  auto add = [&](LayerKind kind, const std::string& name) {
    LayerSpec layer;
    layer.kind = kind;
    layer.name = name;
    spec.layers.push_back(layer);
    return &spec.layers.back();
  };
  if (sparse) {
    LayerSpec* reduce = add(LayerKind::InputReduce, "input_reduce");
    reduce->n_active = n_active;
    reduce->threshold = threshold;
  }
  for (std::size_t i = 0; i < convs.size(); ++i) {
    LayerSpec* conv = add(sparse ? LayerKind::SparseConv2D : LayerKind::Conv2D, fmt::format("conv{}", i + 1));
    conv->kernel = convs[i].kernel;
    conv->filters = convs[i].filters;
    add(sparse ? LayerKind::SparseReLU : LayerKind::ReLU, fmt::format("relu{}", i + 1));
    if (convs[i].pool > 0) {
      LayerSpec* pool =
          add(sparse ? LayerKind::SparseAvgPool2D : LayerKind::AvgPool2D, fmt::format("pool{}", i + 1));
      pool->pool_height = pool->pool_width = convs[i].pool;
    }
  }
  add(sparse ? LayerKind::SparseFlatten : LayerKind::Flatten, "flatten");
  add(LayerKind::Dense, "dense1")->units = hidden;
  add(LayerKind::ReLU, "relu3");
  add(LayerKind::Dense, "dense2")->units = classes;
  add(classes == 1 ? LayerKind::Sigmoid : LayerKind::Softmax, "output");
  return spec;
}

}  // namespace sparsepixels::model
