#pragma once
// Tiny models with hand-set weights and tiny datasets whose metrics are worked out by hand in the tests.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::eval::testing {

/// A fresh, empty temporary folder for one test (the process id keeps concurrent runs apart).
inline std::filesystem::path fresh_folder(const std::string& name) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("sparsepixels_eval_test_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  return folder;
}

/// Flatten -> Dense(units) -> head on 2x2x1 events; Dense weight [input][unit] (Keras layout) is 1 on
/// the diagonal and 0 elsewhere, biases 0: output unit k sees pixel k alone.
inline model::Model diagonal_model(int units, spec::LayerKind head,
                                   const std::string& dense_result_type = "") {
  spec::ModelSpec spec;
  spec.name = "tiny";
  spec.input_height = 2;
  spec.input_width = 2;
  spec.input_channels = 1;
  spec::LayerSpec flatten, dense, activation;
  flatten.kind = spec::LayerKind::Flatten;
  flatten.name = "flatten";
  dense.kind = spec::LayerKind::Dense;
  dense.name = "dense";
  dense.units = units;
  if (!dense_result_type.empty()) dense.precision.result = fixed::FixedType::parse(dense_result_type);
  activation.kind = head;
  activation.name = "head";
  spec.layers = {flatten, dense, activation};
  model::Model model(spec);
  std::vector<std::vector<float>> parameters = model.parameters();
  std::vector<float>& weights = parameters.at(2);
  for (int k = 0; k < units; ++k) weights.at(static_cast<std::size_t>(k * units + k)) = 1.0f;
  model.set_parameters(parameters);
  return model;
}

/// A split of 2x2x1 events given as rows of 4 pixels.
inline data::Split make_split(const std::vector<std::vector<float>>& pixels,
                              const std::vector<std::int32_t>& labels) {
  data::Split split;
  split.height = 2;
  split.width = 2;
  split.channels = 1;
  for (const auto& row : pixels) split.x.insert(split.x.end(), row.begin(), row.end());
  split.y = labels;
  return split;
}

/// The binary test split: pixel 0 is the logit. Worked out by hand: accuracy 5/8, AUC 12/16, confusion
/// [[2, 2], [1, 3]], 6 distinct scores.
inline data::Split binary_test_split() {
  return make_split({{2, 0, 0, 0},
                     {1, 0, 0, 0},
                     {1, 0, 0, 0},
                     {-0.5, 0, 0, 0},
                     {0.5, 0, 0, 0},
                     {-1, 0, 0, 0},
                     {-2, 0, 0, 0},
                     {0.5, 0, 0, 0}},
                    {1, 1, 0, 1, 0, 0, 0, 1});
}

/// The three-class test split: pixels 0..2 are the logits of classes a, b, c. Worked out by hand:
/// accuracy 3/6, confusion [[1,0,1],[1,1,0],[0,1,1]], one-vs-rest AUC 5/8, 6/8, 6/8.
inline data::Split three_class_test_split() {
  return make_split({{3, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 1, 0}, {1.5, 0, 0, 0}, {0.5, 0, 2, 0}, {0, 1, 0, 0}},
                    {0, 1, 2, 1, 0, 2});
}

/// Writes a dataset whose test split is `test`, and whose train and val splits are easy events
/// (label = the class of the largest of the first `classes` pixels, every one predicted right).
inline void write_tiny_dataset(const std::string& path, const std::vector<std::string>& class_names,
                               const data::Split& test) {
  data::DatasetInfo info;
  info.source = "eval test";
  info.transform = "none";
  info.class_names = class_names;
  info.height = 2;
  info.width = 2;
  info.channels = 1;
  const bool binary = class_names.size() == 2;
  // Binary: pixel 0 is the logit; several classes: pixel k is class k's logit.
  const data::Split easy = binary ? make_split({{3, 0, 0, 0}, {-3, 0, 0, 0}}, {1, 0})
                                  : make_split({{4, 0, 0, 0}, {0, 4, 0, 0}, {0, 0, 4, 0}}, {0, 1, 2});
  data::write_dataset(path, info, easy, easy, test);
}

}  // namespace sparsepixels::eval::testing
