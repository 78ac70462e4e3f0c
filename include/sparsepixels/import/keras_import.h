#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/model/model.h"
#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::import {

/// What `sparsepixels import` was asked to do (docs/import.md).
struct ImportOptions {
  /// Insert an input reduction keeping this many pixels and make the layers up to Flatten sparse.
  std::optional<int> n_active;
  std::optional<double> threshold;           ///< with n_active (default 0)
  std::optional<spec::Selection> selection;  ///< with n_active (default raster)
  std::string hls4ml_config;                 ///< an hls4ml_config.yml: types and HLS settings
  std::string architecture_config;           ///< a YAML config naming the layers of a legacy .h5
  /// Keep the input, and every result Keras leaves unquantized, in float (a comparison aid).
  bool float_input = false;
  /// The arithmetic profile of the imported model (exact when unset; docs/semantics.md section 12).
  std::optional<spec::ArithmeticProfile> profile;
};

/// An imported model and what the user should know about it (defaults taken, layers dropped).
struct ImportResult {
  model::Model model;
  std::vector<std::string> notes;
};

/// Imports a `.keras` archive (Keras 2.13-2.15 or Keras 3) or, with `architecture_config`, a legacy
/// Keras `.h5` weight file. Errors name the file, the layer and the field.
ImportResult import_model(const std::string& path, const ImportOptions& options);

/// Imports a `.keras` archive held in memory; `origin` names it in errors (the fuzz target's entry).
ImportResult import_keras_archive(const void* data, std::size_t size, const std::string& origin,
                                  const ImportOptions& options);

/// Imports from the texts of an archive's config.json and of an hls4ml config (may be empty), with
/// every weight zero: the parsers without the zip and HDF5 layers (the fuzz target's second entry).
ImportResult import_keras_config_text(const std::string& config_json, const std::string& hls4ml_yaml,
                                      const std::string& origin, const ImportOptions& options);

}  // namespace sparsepixels::import
