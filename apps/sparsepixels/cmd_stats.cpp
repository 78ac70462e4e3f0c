// `sparsepixels stats FILE`: active pixels per event of a split and the budget N keeping a fraction whole.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "command.h"
#include "sparsepixels/data/stats.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::cli {
namespace {

nlohmann::json to_json(const data::ActivePixelStats& stats) {
  nlohmann::json percentiles;
  for (const int percent : {5, 25, 50, 75, 90, 95, 99}) {
    percentiles[std::to_string(percent)] = stats.percentile(percent / 100.0);
  }
  return {{"file", stats.file},
          {"split", stats.split},
          {"threshold", stats.threshold},
          {"events", stats.events},
          {"pixels_per_event", stats.pixels_per_event},
          {"active_pixels",
           {{"min", stats.min},
            {"max", stats.max},
            {"mean", stats.mean},
            {"standard_deviation", stats.standard_deviation},
            {"mean_fraction", stats.mean / static_cast<double>(stats.pixels_per_event)},
            {"percentiles", percentiles},
            // Trimmed after the largest count seen.
            {"histogram", std::vector<std::size_t>(
                              stats.histogram.begin(),
                              stats.histogram.begin() + static_cast<std::ptrdiff_t>(stats.max + 1))}}},
          {"keep_fraction", stats.keep_fraction},
          {"n_active", stats.n_active}};
}

void write_json(const std::string& path, const nlohmann::json& json) {
  if (path == "-") {
    std::cout << json.dump(2) << "\n";
    return;
  }
  util::write_file_atomically(path, json.dump(2) + "\n");
}

Run setup_stats(CLI::App& app) {
  struct Options {
    std::string file, split = "test", json;
    std::optional<double> threshold;
    double keep_fraction = 0.95;
  };
  auto options = std::make_shared<Options>();
  app.add_option("FILE", options->file, "Dataset file (HDF5)")->required();
  app.add_option("--split", options->split, "Split to read")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  app.add_option("--threshold", options->threshold,
                 "A pixel is active when channel 0 > T (default: the file's)");
  app.add_option("--keep-fraction", options->keep_fraction, "Fraction of events the budget N keeps whole")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--json", options->json, "Write the statistics as JSON to FILE ('-' = stdout)");
  return [=]() {
    if (options->keep_fraction <= 0) throw UsageError("--keep-fraction must be > 0");
    require_input_file(options->file);
    if (!options->json.empty() && options->json != "-") {
      require_output_not_input("--json", options->json, {options->file});
    }
    const data::ActivePixelStats stats =
        data::active_pixel_stats(options->file, options->split, options->threshold, options->keep_fraction);
    if (!options->json.empty()) write_json(options->json, to_json(stats));
    if (options->json == "-") return 0;
    std::cout << stats.file << " [" << stats.split << "]: " << stats.events << " events, threshold "
              << stats.threshold << "\nactive pixels per event: mean " << stats.mean << " ("
              << 100.0 * stats.mean / stats.pixels_per_event << "% of " << stats.pixels_per_event << "), sd "
              << stats.standard_deviation << ", min " << stats.min << ", median " << stats.percentile(0.5)
              << ", p95 " << stats.percentile(0.95) << ", max " << stats.max << "\nbudget N keeping "
              << 100.0 * stats.keep_fraction << "% of events whole: " << stats.n_active << "\n";
    return 0;
  };
}

const CommandRegistration registration{
    "stats", "Active pixels per event and the budget N keeping a fraction whole", setup_stats};

}  // namespace
}  // namespace sparsepixels::cli
