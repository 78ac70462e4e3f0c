// `sparsepixels report DIR [--model FILE] [--json FILE]`: the Vitis HLS csynth report and the Vivado
// utilization report of a synthesized project, beside the estimate of the project's model.
#include <cmath>
#include <filesystem>
#include <vector>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "command.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/estimate/vendor_reports.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::cli {
namespace {

struct ReportOptions {
  std::string directory;
  std::string model;
  std::string json;
};

// The project's model: --model, else the copy the project keeps as DIR/model.json.
std::string find_model(const ReportOptions& options) {
  if (!options.model.empty()) return options.model;
  const std::filesystem::path copy = std::filesystem::path(options.directory) / "model.json";
  if (std::filesystem::is_regular_file(copy)) return copy.string();
  throw Error(options.directory +
              ": no model for the estimate: expected model.json there, or pass --model FILE");
}

// Writes `text` to `path` ('-' = stdout) through a temporary file renamed into place.
void write_text(const std::string& text, const std::string& path) {
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  util::write_file_atomically(path, text);
}

int run_report(const ReportOptions& options) {
  require_input_folder(options.directory);
  if (!options.model.empty()) require_input_file(options.model);
  const estimate::ProjectReportFiles files = estimate::find_project_reports(options.directory);
  if (!files.hls_synthesis && !files.vivado_utilization) {
    throw Error(options.directory +
                ": no synthesis report (looked for syn/report/csynth.xml or <top>_csynth.xml, and "
                "vivado_synth.rpt or *utilization*.rpt below it); run the project's build_prj.tcl first");
  }
  std::optional<estimate::HlsSynthesisReport> hls;
  std::optional<estimate::VivadoUtilizationReport> vivado;
  if (files.hls_synthesis) hls = estimate::read_hls_synthesis_report(*files.hls_synthesis);
  if (files.vivado_utilization) vivado = estimate::read_vivado_utilization_report(*files.vivado_utilization);

  const std::string model_path = find_model(options);
  if (!options.json.empty() && options.json != "-") {
    // Neither the model nor a report nor the project's config may be replaced by the JSON.
    std::vector<std::string> inputs{
        model_path, (std::filesystem::path(options.directory) / "sparsepixels_config.yml").string()};
    for (const auto& report : {files.hls_synthesis, files.vivado_utilization})
      if (report) inputs.push_back(*report);
    require_output_not_input("--json", options.json, inputs);
  }
  const model::Model model = model::load_model_or_config(model_path);
  estimate::FromModelOptions mapping;
  mapping.use_weight_sparsity = std::filesystem::path(model_path).extension() == ".json";
  const estimate::DesignSpec design = estimate::design_from_model(model, model_path, mapping);
  const estimate::DesignEstimate result = estimate::estimate_design(design);

  std::ostream& text = options.json == "-" ? std::cerr : std::cout;
  text << "project " << options.directory << "\n";
  text << "model " << model_path << " (" << model.spec().name << ")\n";
  if (hls) {
    text << "HLS report " << hls->path << " (tool " << hls->tool_version << ", part " << hls->part << ", top "
         << hls->top << ")\n";
  } else {
    text << "HLS report: none found\n";
  }
  if (vivado) {
    text << "Vivado report " << vivado->path << " (device " << vivado->device << ")\n";
  } else {
    text << "Vivado report: none found\n";
  }
  // The estimate uses the model's settings; say so when the synthesized project used others.
  if (hls && hls->target_clock_ns && std::abs(*hls->target_clock_ns - design.clock_ns) > 1e-9) {
    text << "note: the project was synthesized at " << *hls->target_clock_ns
         << " ns; the estimate uses the model's " << design.clock_ns << " ns\n";
  }
  if (hls && !hls->part.empty() && hls->part != design.part) {
    text << "note: the project's part is " << hls->part << "; the estimate uses " << design.part << "\n";
  }
  text << estimate::format_comparison(result, hls ? &*hls : nullptr, vivado ? &*vivado : nullptr);

  if (!options.json.empty()) {
    nlohmann::json document{
        {"project", options.directory}, {"model", model_path}, {"estimate", estimate::to_json(result)}};
    document["hls"] = hls ? estimate::to_json(*hls) : nlohmann::json(nullptr);
    document["vivado"] = vivado ? estimate::to_json(*vivado) : nlohmann::json(nullptr);
    write_text(document.dump(2) + "\n", options.json);
  }
  return 0;
}

Run setup_report(CLI::App& sub) {
  auto options = std::make_shared<ReportOptions>();
  sub.add_option("DIR", options->directory, "A synthesized project folder")->required();
  sub.add_option("--model", options->model, "The project's model file or config (default: DIR/model.json)");
  sub.add_option("--json", options->json,
                 "Also write the reports and the estimate as JSON to FILE ('-' = stdout)");
  return [options] { return run_report(*options); };
}

const CommandRegistration registration{
    "report", "Compare a synthesized project's vendor reports with the estimate", setup_report};

}  // namespace
}  // namespace sparsepixels::cli
