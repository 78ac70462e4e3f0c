// codegen_fixture.h: builds models with random parameters on their types' grids, saves them, writes a
// dataset of random sparse events, and converts/simulates them in a fresh temporary folder.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "random_models.h"
#include "sparsepixels/codegen/csim.h"
#include "sparsepixels/codegen/project.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "temporary_folder.h"

namespace codegen_test {

namespace fs = std::filesystem;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;

/// The example config of the paper design `design` ("mnist/sparse-t-8b").
inline spec::ModelSpec example(const std::string& design) {
  return model::load_config(std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/" + design + ".yml");
}

/// Saves `spec` with random parameters (seeded) as folder/model.json; returns the path.
inline std::string save_random_model(const spec::ModelSpec& spec, std::uint64_t seed,
                                     const fs::path& folder) {
  model::Model model(spec);
  randomize_parameters(model, seed);
  const std::string path = (folder / "model.json").string();
  model::save_model(model, path);
  return path;
}

/// Writes `events` random sparse events for `spec` (every split the same) as folder/data.h5.
inline std::string save_random_dataset(const spec::ModelSpec& spec, int events, std::uint64_t seed,
                                       const fs::path& folder) {
  const model::Model model(spec);
  const auto& first = model.resolved().front();
  const int budget = first.spec.kind == spec::LayerKind::InputReduce ? first.spec.n_active : 8;
  sparsepixels::data::Split split;
  split.height = static_cast<std::size_t>(spec.input_height);
  split.width = static_cast<std::size_t>(spec.input_width);
  split.channels = static_cast<std::size_t>(spec.input_channels);
  split.x = random_events(events, spec.input_height, spec.input_width, spec.input_channels, budget,
                          first.spec.threshold, spec.input_type, seed);
  split.y.assign(static_cast<std::size_t>(events), 0);
  sparsepixels::data::DatasetInfo info;
  info.source = "codegen test";
  info.transform = "random sparse events";
  info.threshold = first.spec.threshold;
  info.class_names = {"a", "b"};
  info.height = split.height;
  info.width = split.width;
  info.channels = split.channels;
  const std::string path = (folder / "data.h5").string();
  sparsepixels::data::write_dataset(path, info, split, split, split);
  return path;
}

/// Reads a whole text file.
inline std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Converts a model with random parameters and runs csim on `events` random events; returns the report.
inline sparsepixels::codegen::CsimReport convert_and_simulate(const spec::ModelSpec& spec, int events,
                                                              std::uint64_t seed, const fs::path& folder) {
  const std::string model_path = save_random_model(spec, seed, folder);
  const std::string data = save_random_dataset(spec, events, seed + 1, folder);
  sparsepixels::codegen::write_project(model_path, (folder / "project").string());
  sparsepixels::codegen::CsimOptions options;
  options.data = data;
  options.events = static_cast<std::size_t>(events);
  return sparsepixels::codegen::run_csim((folder / "project").string(), options);
}

}  // namespace codegen_test
