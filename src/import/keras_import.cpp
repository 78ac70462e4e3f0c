#include "sparsepixels/import/keras_import.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "keras_files.h"
#include "keras_graph.h"
#include "keras_types.h"
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
