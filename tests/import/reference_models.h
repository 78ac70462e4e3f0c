// reference_models.h: the published SparsePixels designs the tests carry (tests/data/reference-models):
// their files and their test vectors.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace import_test {

/// One published design: dataset folder, precision and variant.
struct Design {
  std::string dataset;  // "sparsemnist" or "jet"
  std::string bits;     // "8b" or "16b"
  std::string variant;  // "full", "sparse_t", "sparse_s", "sparse_m", "sparse_l"

  std::string folder() const {
    return std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/" + dataset + "/model-" + bits + "/" + variant;
  }
  std::string archive() const { return folder() + "/keras_model.keras"; }
  std::string hls4ml_config() const { return folder() + "/hls4ml_config.yml"; }
  std::string name() const { return dataset + "_" + bits + "_" + variant; }
  /// N of the sparse variants (t/s/m/l = 8/12/16/20), 0 for the standard CNN.
  int n_active() const {
    if (variant == "sparse_t") return 8;
    if (variant == "sparse_s") return 12;
    if (variant == "sparse_m") return 16;
    if (variant == "sparse_l") return 20;
    return 0;
  }
  /// The thresholds of the published hardware: 0.4 for sparse MNIST, 0 for jets.
  double threshold() const { return dataset == "sparsemnist" ? 0.4 : 0.0; }
  int side() const { return dataset == "sparsemnist" ? 48 : 56; }
};

/// All 20 designs.
inline std::vector<Design> all_designs() {
  std::vector<Design> out;
  for (const char* dataset : {"sparsemnist", "jet"})
    for (const char* bits : {"8b", "16b"})
      for (const char* variant : {"full", "sparse_t", "sparse_s", "sparse_m", "sparse_l"})
        out.push_back({dataset, bits, variant});
  return out;
}

/// A whitespace-separated table of floats, one row per line.
inline std::vector<std::vector<float>> read_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<float>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<float> row;
    float value = 0;
    while (fields >> value) row.push_back(value);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

}  // namespace import_test
