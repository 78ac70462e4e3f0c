// `sparsepixels summary MODEL_OR_CONFIG`: layers, output shapes, parameter counts and types.
#include <iostream>

#include "command.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::cli {
namespace {

Run setup_summary(CLI::App& sub) {
  auto path = std::make_shared<std::string>();
  sub.add_option("MODEL_OR_CONFIG", *path, "A model file (.json) or a YAML config (.yml)")->required();
  return [path] {
    require_input_file(*path);
    const model::Model model = model::load_model_or_config(*path);
    std::cout << model::summary(model);
    return 0;
  };
}

const CommandRegistration registration{
    "summary", "Print a model's layers, shapes, parameter counts and types", setup_summary};

}  // namespace
}  // namespace sparsepixels::cli
