// `sparsepixels estimate MODEL_OR_CONFIG [--json FILE] [--clock-ns NS] [--part PART]`: latency, II and
// resources of the generated design, per layer and in total, before any synthesis (docs/estimator.md).
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::cli {
namespace {

struct EstimateOptions {
  std::string path;
  std::string json;
  std::optional<double> clock_ns;
  std::optional<std::string> part;
};

// True for a trained model file; configs hold zero placeholders instead of weights.
bool is_model_file(const std::string& path) {
  return std::filesystem::path(path).extension() == ".json";
}

int run_estimate(const EstimateOptions& options) {
  // A missing input is a failure (exit 1), not a usage error: the command line itself was well formed.
  require_input_file(options.path);
  if (!options.json.empty() && options.json != "-")
    require_output_not_input("--json", options.json, {options.path});
  const model::Model model = model::load_model_or_config(options.path);
  estimate::FromModelOptions mapping;
  mapping.use_weight_sparsity = is_model_file(options.path);
  estimate::DesignSpec design = estimate::design_from_model(model, options.path, mapping);
  if (options.clock_ns) design.clock_ns = *options.clock_ns;
  if (options.part) design.part = *options.part;
  const estimate::DesignEstimate result = estimate::estimate_design(design);

  // With --json -, stdout carries only the JSON document; the table then goes to stderr.
  std::ostream& text = options.json == "-" ? std::cerr : std::cout;
  const bool sparse = design.architecture == estimate::Architecture::Sparse;
  text << "estimate of " << options.path << " (" << design.name << "): "
       << (sparse ? "sparse io_parallel, N = " + std::to_string(design.n_active)
                  : std::string("standard io_stream"))
       << ", part " << design.part << ", clock " << design.clock_ns << " ns, uncertainty "
       << design.clock_uncertainty * 100 << "%\n";
  const std::string io_type = model.spec().hls.io_type;
  if (sparse != (io_type == "io_parallel")) {
    text << "note: the model's io_type is " << io_type << "; the estimator costs "
         << (sparse ? "sparse models as io_parallel" : "standard models as io_stream") << "\n";
  }
  text << estimate::format_estimate(result);
  text << "latency " << result.latency_cycles
       << " cycles = " << static_cast<double>(result.latency_cycles) * result.clock_ns / 1000.0 << " us; II "
       << result.ii_cycles << " cycles\n";
  // Warnings go to stderr so that they stay visible even with --json -.
  for (const std::string& message : estimate::utilization_messages(result)) std::cerr << message << "\n";
  if (!options.json.empty()) estimate::write_estimate_json(result, options.json);
  return 0;
}

Run setup_estimate(CLI::App& sub) {
  auto options = std::make_shared<EstimateOptions>();
  sub.add_option("MODEL_OR_CONFIG", options->path, "A model file (.json) or a YAML config (.yml)")
      ->required();
  sub.add_option("--json", options->json, "Also write the estimate as JSON to FILE ('-' = stdout)");
  sub.add_option("--clock-ns", options->clock_ns, "Clock period in ns (default: the model's HLS setting)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--part", options->part,
                 "FPGA part (default: the model's HLS setting); an unknown part only warns that utilization "
                 "cannot be checked");
  return [options] { return run_estimate(*options); };
}

const CommandRegistration registration{
    "estimate", "Estimate latency and FPGA resources of a model before synthesis", setup_estimate};

}  // namespace
}  // namespace sparsepixels::cli
