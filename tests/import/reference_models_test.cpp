// The 20 published designs import, and with --float-input their QAT forward reproduces the Keras
// outputs shipped with them (tb_output_predictions.dat) on the 100 test events.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "reference_models.h"
#include "sparsepixels/import/keras_import.h"

namespace {

using import_test::Design;

class ReferenceDesign : public ::testing::TestWithParam<Design> {};

std::size_t top_class(const float* values, std::size_t count) {
  return static_cast<std::size_t>(std::max_element(values, values + count) - values);
}

TEST_P(ReferenceDesign, FloatInputReproducesTheKerasOutputs) {
  const Design& design = GetParam();
  sparsepixels::import::ImportOptions options;
  options.float_input = true;
  if (design.n_active() > 0) {
    options.n_active = design.n_active();
    options.threshold = design.threshold();
  }
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
