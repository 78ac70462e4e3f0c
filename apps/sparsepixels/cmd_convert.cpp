// `sparsepixels convert MODEL --out DIR [--name NAME] [--part PART] [--clock-ns NS] [--force]`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/codegen/project.h"

namespace sparsepixels::cli {
namespace {

struct ConvertArguments {
  std::string model, out;
  codegen::ProjectOptions options;
};

Run setup_convert(CLI::App& sub) {
  auto args = std::make_shared<ConvertArguments>();
  sub.add_option("MODEL", args->model, "Model file (JSON)")->required()->check(CLI::ExistingFile);
  sub.add_option("--out", args->out, "Project folder to write")->required();
  sub.add_option("--name", args->options.name, "Top function name (default: from the model's name)");
  sub.add_option("--part", args->options.part, "FPGA part (default: the model's, xcu250-figd2104-2L-e)");
  sub.add_option("--clock-ns", args->options.clock_ns, "Clock period in ns (default: the model's, 5)")
      ->check(CLI::PositiveNumber);
  sub.add_flag("--force", args->options.overwrite, "Replace an existing project folder");
  return [args] {
    const auto summary = codegen::write_project(args->model, args->out, args->options);
    for (const auto& warning : summary.warnings) std::cerr << "warning: " << warning << "\n";
    std::cout << fmt::format("wrote project '{}' to {} (model hash fnv1a64:{})\n", summary.name, args->out,
                             summary.model_hash);
    return 0;
  };
}

const CommandRegistration registration{"convert", "Write a Vitis HLS project (hls4ml layout) for a model",
                                       setup_convert};

}  // namespace
}  // namespace sparsepixels::cli
