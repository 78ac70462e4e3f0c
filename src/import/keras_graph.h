#pragma once
// A Keras model's config.json as a chain of layers of ours to be (Planned), with where each one's types
// and weights come from. Private to src/import (docs/import.md).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::import {

/// One layer of the Keras graph as config.json describes it.
struct KerasLayer {
  std::string class_name, name, module;
  nlohmann::json config;
};

/// One layer of ours to be, with where its types and weights come from.
struct Planned {
  spec::LayerSpec layer;
  std::string keras_name;   // the Keras layer it comes from (its config entry and weights)
  std::string keras_class;  // that layer's class (hls4ml LayerType entries, Keras 2 weight groups)
  std::optional<fixed::FixedType> weight_quantizer, bias_quantizer, result_quantizer;
  bool use_bias = true;
  bool batchnorm_scale = true, batchnorm_center = true;
  bool inner_activation = false;  // an activation written inside a Conv/Dense layer
};

/// The Keras layers mapped to ours (dense kinds; made sparse by the caller), with the input shape and
/// what the library's own InputReduce says.
struct Mapped {
  int height = 0, width = 0, channels = 0;
  std::string input_name;
  std::optional<int> n_active;
  std::optional<double> threshold;
  std::vector<Planned> layers;
  std::vector<std::string> notes;
};

/// config.json's text as JSON (nesting limited); errors name `origin`.
nlohmann::json parse_json(const std::string& text, const std::string& origin);

/// Keras's generic_utils.to_snake_case: the auto name a layer class gets ("QConv2D" -> "q_conv2d").
std::string snake_case(const std::string& class_name);

/// The layers of config.json in order, checked to form one chain (each reads the one before it);
/// `model_name` receives the model's name when it has one.
std::vector<KerasLayer> read_layers(const nlohmann::json& root, const std::string& origin,
                                    std::string& model_name);

/// Maps the Keras layers to ours; every unsupported layer or field is an error naming it.
Mapped map_layers(const std::vector<KerasLayer>& layers, const std::string& origin);

/// The sparse counterpart of a dense kind (up to Flatten); an error for a kind without one.
spec::LayerKind sparse_kind(const Planned& p, const std::string& origin);

}  // namespace sparsepixels::import
