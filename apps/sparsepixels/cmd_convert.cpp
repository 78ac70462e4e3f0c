// `sparsepixels convert MODEL --out DIR [--backend vitis|verilog] [--name NAME] [--part PART] [--clock-ns NS]
// [--force]`.
#include <fmt/format.h>

#include <exception>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/codegen/project.h"
#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::cli {
namespace {

struct ConvertArguments {
  std::string model, out;
  std::string backend = "vitis";
  codegen::ProjectOptions options;
};

// Prints the estimator's "exceeds the part" warnings for the project just written (same part and
// clock as the project). A model the estimator cannot cost only loses the check, not the project.
void warn_about_utilization(const ConvertArguments& args) {
  try {
    const model::Model model = model::load_model(args.model);
    estimate::FromModelOptions mapping;
    mapping.use_weight_sparsity = true;  // a model file holds trained weights
    estimate::DesignSpec design = estimate::design_from_model(model, args.model, mapping);
    if (!args.options.part.empty()) design.part = args.options.part;
    if (args.options.clock_ns > 0) design.clock_ns = args.options.clock_ns;
    const estimate::DesignEstimate result = estimate::estimate_design(design);
    for (const std::string& message : estimate::utilization_messages(result)) std::cerr << message << "\n";
  } catch (const std::exception& e) {
    std::cerr << "note: no resource estimate, so the part's capacity is not checked: " << e.what() << "\n";
  }
}

Run setup_convert(CLI::App& sub) {
  auto args = std::make_shared<ConvertArguments>();
  sub.add_option("MODEL", args->model, "Model file (JSON)")->required();
  sub.add_option("--out", args->out, "Project folder to write")->required();
  sub.add_option("--name", args->options.name, "Top function name (default: from the model's name)");
  sub.add_option("--part", args->options.part, "FPGA part (default: the model's, xcu250-figd2104-2L-e)");
  sub.add_option("--clock-ns", args->options.clock_ns, "Clock period in ns (default: the model's, 5)")
      ->check(CLI::PositiveNumber);
  sub.add_flag("--force", args->options.overwrite, "Replace an existing project folder");
  sub.add_option("--backend", args->backend,
                 "vitis: a Vitis HLS project (default); verilog: RTL (docs/rtl.md)")
      ->check(CLI::IsMember({"vitis", "verilog"}));
  return [args] {
    // A missing model is a failure (exit 1), not a usage error: the command line itself was well formed.
    require_input_file(args->model);
    if (args->backend == "verilog") {
      if (!args->options.part.empty() || args->options.clock_ns > 0) {
        throw UsageError(
            "--part and --clock-ns belong to the Vitis HLS backend; --backend verilog takes neither");
      }
      codegen::VerilogOptions options;
      options.name = args->options.name;
      options.overwrite = args->options.overwrite;
      const auto summary = codegen::write_verilog(args->model, args->out, options);
      std::cout << fmt::format("wrote Verilog design '{}' to {} ({} files, model hash fnv1a64:{})\n",
                               summary.name, args->out, summary.files.size(), summary.model_hash);
      return 0;
    }
    const auto summary = codegen::write_project(args->model, args->out, args->options);
    for (const auto& warning : summary.warnings) std::cerr << "warning: " << warning << "\n";
    warn_about_utilization(*args);
    std::cout << fmt::format("wrote project '{}' to {} (model hash fnv1a64:{})\n", summary.name, args->out,
                             summary.model_hash);
    return 0;
  };
}

const CommandRegistration registration{
    "convert", "Write a Vitis HLS project (hls4ml layout) or a Verilog design for a model", setup_convert};

}  // namespace
}  // namespace sparsepixels::cli
