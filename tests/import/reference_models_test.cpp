// The 20 published designs import, and with --float-input their QAT forward reproduces the Keras
// outputs shipped with them (tb_output_predictions.dat) on the 100 test events.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <map>

#include "reference_models.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/import/keras_import.h"
#include "sparsepixels/inference/fixed_inference.h"

namespace {

using import_test::Design;

class ReferenceDesign : public ::testing::TestWithParam<Design> {};

// A design's import: N and the hardware threshold for the sparse variants, and its hls4ml config.
sparsepixels::import::ImportOptions import_options(const Design& design, bool hls4ml_config) {
  sparsepixels::import::ImportOptions options;
  if (hls4ml_config) options.hls4ml_config = design.hls4ml_config();
  if (design.n_active() > 0) {
    options.n_active = design.n_active();
    options.threshold = design.threshold();
  }
  return options;
}

std::size_t top_class(const float* values, std::size_t count) {
  return static_cast<std::size_t>(std::max_element(values, values + count) - values);
}

TEST_P(ReferenceDesign, FloatInputReproducesTheKerasOutputs) {
  const Design& design = GetParam();
  sparsepixels::import::ImportOptions options = import_options(design, false);
  options.float_input = true;
  const auto imported = sparsepixels::import::import_model(design.archive(), options);
  const auto inputs = import_test::read_rows(std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/" +
                                             design.dataset + "/tb_input_features.dat");
  const auto expected = import_test::read_rows(design.folder() + "/tb_output_predictions.dat");
  ASSERT_EQ(inputs.size(), 100u);
  ASSERT_EQ(expected.size(), 100u);
  std::vector<float> flat;
  for (const auto& row : inputs) {
    ASSERT_EQ(row.size(), static_cast<std::size_t>(design.side() * design.side()));
    flat.insert(flat.end(), row.begin(), row.end());
  }
  std::vector<float> out;
  imported.model.predict(flat.data(), inputs.size(), out, /*quantized=*/true, 1);
  const std::size_t classes = imported.model.output_size();
  double worst = 0;
  int same_top = 0;
  for (std::size_t e = 0; e < expected.size(); ++e) {
    ASSERT_EQ(expected[e].size(), classes);
    for (std::size_t k = 0; k < classes; ++k)
      worst = std::max(worst, static_cast<double>(std::fabs(out[e * classes + k] - expected[e][k])));
    same_top += top_class(&out[e * classes], classes) == top_class(expected[e].data(), classes) ? 1 : 0;
  }
  std::printf("%s: max |ours - Keras| = %.3g, same top class %d/100\n", design.name().c_str(), worst,
              same_top);
  EXPECT_LE(worst, 1e-5);
  EXPECT_EQ(same_top, 100);
}

INSTANTIATE_TEST_SUITE_P(All, ReferenceDesign, ::testing::ValuesIn(import_test::all_designs()),
                         [](const auto& info) { return info.param.name(); });

}  // namespace

namespace {

// The hls4ml-typed import (the designs' hls4ml_config.yml, no --float-input): fixed inference is the
// hardware's arithmetic. Its distance from Keras is reported (docs/import.md; the jet designs' 8-bit
// input type ap_ufixed<8,1> with truncation moves their outputs most), and it must keep the Keras
// decision on most events: a broken import keeps it on about 1 in 5 (jets) or 1 in 10 (digits).
TEST_P(ReferenceDesign, Hls4mlTypesStayCloseToKeras) {
  const Design& design = GetParam();
  const auto imported = sparsepixels::import::import_model(design.archive(), import_options(design, true));
  const sparsepixels::inference::FixedModel fixed(imported.model);
  const auto inputs = import_test::read_rows(std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/" +
                                             design.dataset + "/tb_input_features.dat");
  const auto expected = import_test::read_rows(design.folder() + "/tb_output_predictions.dat");
  std::vector<float> flat;
  for (const auto& row : inputs) flat.insert(flat.end(), row.begin(), row.end());
  const auto out = fixed.predict(flat.data(), inputs.size());
  const std::size_t classes = out.output_size;
  double worst = 0;
  int same_top = 0;
  for (std::size_t e = 0; e < expected.size(); ++e) {
    std::vector<float> ours(classes);
    for (std::size_t k = 0; k < classes; ++k) {
      ours[k] = static_cast<float>(out.values[e * classes + k]);
      worst = std::max(worst, std::fabs(out.values[e * classes + k] - expected[e][k]));
    }
    same_top += top_class(ours.data(), classes) == top_class(expected[e].data(), classes) ? 1 : 0;
  }
  std::printf("| %s | %.3g | %d/100 |\n", design.name().c_str(), worst, same_top);
  EXPECT_GE(same_top, 60);
}

// `eval --fixed` accuracy of the imported sparse-MNIST designs on the 10,000 test digits, against the
// published accuracy of these weights (reference-models README): within 0.5 points.
TEST(ReferenceAccuracy, ImportedSparseMnistDesignsScoreAsPublished) {
  namespace mnist = sparsepixels::data::mnist;
  const std::string folder = std::string(SPARSEPIXELS_SOURCE_DIR) + "/data/mnist";
  if (!mnist::has_idx_files(folder))
    GTEST_SKIP() << "MNIST IDX files absent from " << folder << " (scripts/fetch-mnist.sh)";
  const auto images = mnist::read_idx_images(*mnist::find_idx_file(folder, "t10k-images-idx3-ubyte"));
  const auto labels = mnist::read_idx_labels(*mnist::find_idx_file(folder, "t10k-labels-idx1-ubyte"));
  ASSERT_EQ(labels.size(), 10000u);
  std::vector<float> inputs;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto image = mnist::sparse_image(images.pixels.data() + i * 28 * 28);
    inputs.insert(inputs.end(), image.begin(), image.end());
  }
  const std::map<std::string, double> published = {
      {"8b_full", 0.9426},      {"8b_sparse_t", 0.7434}, {"8b_sparse_s", 0.8670},  {"8b_sparse_m", 0.9068},
      {"8b_sparse_l", 0.9120},  {"16b_full", 0.9539},    {"16b_sparse_t", 0.8310}, {"16b_sparse_s", 0.9182},
      {"16b_sparse_m", 0.9458}, {"16b_sparse_l", 0.9501}};
  for (const Design& design : import_test::all_designs()) {
    if (design.dataset != "sparsemnist") continue;
    const auto imported = sparsepixels::import::import_model(design.archive(), import_options(design, true));
    const sparsepixels::inference::FixedModel fixed(imported.model);
    sparsepixels::inference::FixedOptions run;
    run.threads = 0;
    const auto out = fixed.predict(inputs.data(), labels.size(), run);
    int correct = 0;
    for (std::size_t e = 0; e < labels.size(); ++e) {
      std::vector<float> row(out.output_size);
      for (std::size_t k = 0; k < row.size(); ++k)
        row[k] = static_cast<float>(out.values[e * row.size() + k]);
      correct += top_class(row.data(), row.size()) == labels[e] ? 1 : 0;
    }
    const double accuracy = correct / 10000.0;
    const double reference = published.at(design.bits + "_" + design.variant);
    std::printf("| %s | %.4f | %.4f |\n", design.name().c_str(), accuracy, reference);
    EXPECT_NEAR(accuracy, reference, 0.005) << design.name();
  }
}

}  // namespace
