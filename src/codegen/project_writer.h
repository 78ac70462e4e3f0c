// The writer behind write_project(): plans the layers (names, arrays, io mode), asks each layer's emitter
// for its code and fills the project's template files with it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emitters/emitter.h"

namespace sparsepixels::codegen {

/// The settings a project is written with (already checked by write_project()).
struct ProjectSettings {
  std::string name;  ///< the top function's name
  std::string part;
  double clock_ns = 0;
  double uncertainty = 0;  ///< fraction of the period
  std::string model_hash;
};

/// Writes the files of one project.
class ProjectWriter {
 public:
  /// Plans every layer and emits its code; throws sparsepixels::Error for a model the writer cannot write.
  ProjectWriter(const model::Model& model, const inference::FixedModel& fixed, ProjectSettings settings);

  /// Loops unrolled past what Vitis HLS unrolls comfortably.
  const std::vector<std::string>& warnings() const { return warnings_; }

  /// Writes the project into `root` (an empty folder), copying the model file and the kernel headers of
  /// `hls_dir`.
  void write(const std::filesystem::path& root, const std::string& model_path,
             const std::string& hls_dir) const;

 private:
  const model::Model& model_;
  const inference::FixedModel& fixed_;
  ProjectSettings settings_;
  std::vector<LayerPlan> layers_;
  std::vector<LayerCode> code_;  // one per layer
  std::string hash_type_;        // ap_uint<B> shared by every sparse layer
  bool stream_input_ = false;    // a standard (io_stream) model: the input is streamed pixel by pixel
  std::vector<std::string> warnings_;

  void plan();
  std::vector<Placeholder> common() const;
  std::string layer_types() const;
  std::string layer_configs() const;
  std::string layer_calls() const;
  std::string layer_records() const;
  void write_weights(const std::filesystem::path& folder) const;
};

}  // namespace sparsepixels::codegen
