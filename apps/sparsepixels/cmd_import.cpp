// `sparsepixels import MODEL --out model.json [--n-active N --threshold T [--selection raster|topk]]
//  [--hls4ml-config YML] [--config C.yml] [--profile exact|hls4ml] [--float-input]`: a Keras model as a model
//  file (docs/import.md).
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/import/keras_import.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::cli {
namespace {

struct ImportArguments {
  std::string input, out, selection, profile;
  import::ImportOptions options;
  std::optional<int> n_active;
  std::optional<double> threshold;
};

Run setup_import(CLI::App& sub) {
  auto args = std::make_shared<ImportArguments>();
  sub.add_option("MODEL", args->input,
                 "A .keras archive (Keras 2.13-2.15 or 3), or a legacy .h5 weight file with --config")
      ->required();
  sub.add_option("--out", args->out, "Model file to write (JSON, docs/model-file.md)")->required();
  sub.add_option("--n-active", args->n_active, "Import as a sparse model keeping N active pixels")
      ->check(CLI::Range(1, limits::kMaxActive));
  sub.add_option("--threshold", args->threshold, "Input reduction threshold (with --n-active; default 0)")
      ->check(CLI::Range(0.0, 1e30));
  sub.add_option("--selection", args->selection, "raster (first N in raster order, default) or topk")
      ->check(CLI::IsMember({"raster", "topk"}));
  sub.add_option("--hls4ml-config", args->options.hls4ml_config,
                 "hls4ml_config.yml: per-layer types ('auto' as hls4ml resolves it) and HLS settings");
  sub.add_option("--config", args->options.architecture_config,
                 "YAML config (docs/config.md) naming the layers of a legacy .h5 weight file");
  sub.add_option("--profile", args->profile,
                 "Arithmetic profile: exact (default) or hls4ml (hls4ml's pooling, empty-slot, max-pool and "
                 "table rules; docs/semantics.md section 12)")
      ->check(CLI::IsMember({"exact", "hls4ml"}));
  sub.add_flag("--float-input", args->options.float_input,
               "Keep the input, and results Keras leaves unquantized, in float: a comparison aid for "
               "predict --quantized (no fixed inference, no HLS project)");
  return [args] {
    require_input_file(args->input);
    if (!args->options.hls4ml_config.empty()) require_input_file(args->options.hls4ml_config);
    if (!args->options.architecture_config.empty()) require_input_file(args->options.architecture_config);
    std::vector<std::string> inputs{args->input};
    for (const std::string& path : {args->options.hls4ml_config, args->options.architecture_config})
      if (!path.empty()) inputs.push_back(path);
    require_output_not_input("--out", args->out, inputs);
    require_writable_output(args->out);
    args->options.n_active = args->n_active;
    args->options.threshold = args->threshold;
    if (!args->profile.empty())
      args->options.profile = spec::parse_arithmetic_profile(args->profile, "--profile");
    if (!args->selection.empty())
      args->options.selection = args->selection == "topk" ? spec::Selection::TopK : spec::Selection::Raster;
    const import::ImportResult result = import::import_model(args->input, args->options);
    for (const std::string& note : result.notes) std::cerr << "note: " << note << "\n";
    model::save_model(result.model, args->out);
    std::cout << "imported " << args->input << " -> " << args->out << " (" << result.model.size()
              << " layers, " << result.model.parameter_count() << " parameters)\n";
    return 0;
  };
}

const CommandRegistration registration{
    "import", "Import a Keras model (.keras, or .h5 weights with --config)", setup_import};

}  // namespace
}  // namespace sparsepixels::cli
