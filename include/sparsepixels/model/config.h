#pragma once

#include <string>

#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::model {

/// Reads a YAML model config (format: docs/config.md). Errors name the file, the layer and the field.
spec::ModelSpec load_config(const std::string& path);

/// Parses YAML config text; `origin` names it in error messages (usually the file path).
spec::ModelSpec parse_config(const std::string& text, const std::string& origin);

/// The paper's three base architectures (reference section 4) as specs: dataset "mnist", "jets" or
/// "neutrino"; n_active 0 gives the standard CNN, otherwise the sparse model with that budget.
spec::ModelSpec paper_model(const std::string& dataset, int n_active);

}  // namespace sparsepixels::model
