// Mapping a model onto the estimator's DesignSpec: the 30 example configs must estimate exactly like
// the estimator's own hand-written descriptions of the paper's designs (paper_design), and the
// mapping's details (declared accumulators, max pooling, top-k, measured weight sparsity, errors)
// are checked on small models written here.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/estimate/calibration.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::estimate {
namespace {

std::string example(const std::string& dataset, const std::string& variant, int bits) {
  return std::string(SPARSEPIXELS_EXAMPLES_DIR) + "/" + dataset + "/" + variant + "-" + std::to_string(bits) +
         "b.yml";
}

void expect_same_resources(const Resources& actual, const Resources& expected) {
  EXPECT_DOUBLE_EQ(actual.lut, expected.lut);
  EXPECT_DOUBLE_EQ(actual.ff, expected.ff);
  EXPECT_DOUBLE_EQ(actual.dsp, expected.dsp);
  EXPECT_DOUBLE_EQ(actual.bram36, expected.bram36);
}

TEST(DesignFromModel, ExampleConfigsEstimateLikeThePaperDesigns) {
  const std::pair<const char*, PaperModel> models[] = {
      {"mnist", PaperModel::Mnist}, {"jets", PaperModel::Jets}, {"neutrino", PaperModel::Neutrino}};
  const std::pair<const char*, int> variants[] = {
      {"standard", 0}, {"sparse-t", 8}, {"sparse-s", 12}, {"sparse-m", 16}, {"sparse-l", 20}};
  int compared = 0;
  for (const auto& [dataset, paper] : models) {
    for (const auto& [variant, n_active] : variants) {
      for (int bits : {8, 16}) {
        const std::string path = example(dataset, variant, bits);
        SCOPED_TRACE(path);
        const model::Model model = model::load_model_or_config(path);
        DesignSpec mapped = design_from_model(model, path);
        const DesignSpec reference = paper_design(paper, n_active, bits);
        // The one intended difference: the examples' logits keep their exact accumulator type
        // (result: auto, as the published hls4ml configs), the paper's synthesized designs narrowed
        // them to ap_fixed<16,6>. Mapped as declared, then compared with the paper's width.
        ASSERT_EQ(mapped.layers.at(mapped.layers.size() - 2).name, "dense2");
        StageSpec& logits = mapped.layers[mapped.layers.size() - 2];
        EXPECT_EQ(logits.result_bits, model.resolved()[model.size() - 2].types.accum.width);
        EXPECT_GT(logits.result_bits, 16);
        logits.result_bits = 16;

        EXPECT_EQ(mapped.architecture, reference.architecture);
        EXPECT_EQ(mapped.n_active, reference.n_active);
        EXPECT_EQ(mapped.selection, reference.selection);
        EXPECT_EQ(mapped.height, reference.height);
        EXPECT_EQ(mapped.width, reference.width);
        EXPECT_EQ(mapped.channels, reference.channels);
        EXPECT_EQ(mapped.input_bits, reference.input_bits);
        EXPECT_DOUBLE_EQ(mapped.clock_ns, reference.clock_ns);
        EXPECT_DOUBLE_EQ(mapped.clock_uncertainty, reference.clock_uncertainty);
        EXPECT_EQ(mapped.part, reference.part);
        ASSERT_EQ(mapped.layers.size(), reference.layers.size());
        const std::vector<LayerShape> mapped_shapes = propagate_shapes(mapped);
        const std::vector<LayerShape> reference_shapes = propagate_shapes(reference);
        for (std::size_t i = 0; i < mapped.layers.size(); ++i) {
          const StageSpec& a = mapped.layers[i];
          const StageSpec& b = reference.layers[i];
          SCOPED_TRACE(b.name);
          EXPECT_EQ(a.kind, b.kind);
          EXPECT_EQ(a.kernel_size, b.kernel_size);
          EXPECT_EQ(a.filters, b.filters);
          EXPECT_EQ(a.pool_height, b.pool_height);
          EXPECT_EQ(a.pool_width, b.pool_width);
          EXPECT_EQ(a.pool_kind, b.pool_kind);
          EXPECT_EQ(a.units, b.units);
          EXPECT_EQ(a.weight_bits, b.weight_bits);
          EXPECT_EQ(a.table_bits, b.table_bits);
          EXPECT_EQ(a.weight_fraction_bits, b.weight_fraction_bits);
          EXPECT_FALSE(a.weight_digits.has_value());  // a config's weights are unknown: Glorot expectation
          EXPECT_EQ(mapped_shapes[i].input_bits, reference_shapes[i].input_bits);
          EXPECT_EQ(mapped_shapes[i].result_bits, reference_shapes[i].result_bits);
          EXPECT_EQ(mapped_shapes[i].accumulator_bits, reference_shapes[i].accumulator_bits);
        }

        const DesignEstimate got = estimate_design(mapped);
        const DesignEstimate want = estimate_design(reference);
        EXPECT_EQ(got.latency_cycles, want.latency_cycles);
        EXPECT_EQ(got.ii_cycles, want.ii_cycles);
        expect_same_resources(got.resources, want.resources);
        ASSERT_EQ(got.layers.size(), want.layers.size());
        for (std::size_t i = 0; i < got.layers.size(); ++i) {
          EXPECT_EQ(got.layers[i].kind, want.layers[i].kind);
          EXPECT_EQ(got.layers[i].latency_cycles, want.layers[i].latency_cycles);
          EXPECT_EQ(got.layers[i].ii_cycles, want.layers[i].ii_cycles);
          expect_same_resources(got.layers[i].resources, want.layers[i].resources);
        }
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 30);
}

// The estimate behaves sensibly on every example config: within a dataset and bit width, latency and
// every resource grow with the budget N (sparse-t < s < m < l); 16 bits cost at least what 8 bits do;
// the standard design's latency grows with the image area while the sparse design's does not.
TEST(DesignFromModel, ExampleConfigEstimatesAreMonotone) {
  struct Point {
    std::int64_t latency, ii;
    Resources resources;
  };
  auto estimate_of = [](const std::string& path, int extra_pixels = 0) {
    const model::Model model = model::load_model_or_config(path);
    DesignSpec design = design_from_model(model, path);
    design.height += extra_pixels;
    design.width += extra_pixels;
    const DesignEstimate estimate = estimate_design(design);
    return Point{estimate.latency_cycles, estimate.ii_cycles, estimate.resources};
  };
  auto expect_not_below = [](const Point& larger, const Point& smaller, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_GE(larger.latency, smaller.latency);
    EXPECT_GE(larger.resources.lut, smaller.resources.lut);
    EXPECT_GE(larger.resources.ff, smaller.resources.ff);
    EXPECT_GE(larger.resources.dsp, smaller.resources.dsp);
    EXPECT_GE(larger.resources.bram36, smaller.resources.bram36);
  };
  int checked = 0;
  for (const char* dataset : {"mnist", "jets", "neutrino"}) {
    for (int bits : {8, 16}) {
      std::vector<Point> sparse;
      for (const char* variant : {"sparse-t", "sparse-s", "sparse-m", "sparse-l"}) {
        sparse.push_back(estimate_of(example(dataset, variant, bits)));
        ++checked;
      }
      for (std::size_t i = 1; i < sparse.size(); ++i) {
        const std::string what = fmt::format("{} {}-bit: variant {} vs {}", dataset, bits, i, i - 1);
        expect_not_below(sparse[i], sparse[i - 1], what);
        EXPECT_GT(sparse[i].resources.lut, sparse[i - 1].resources.lut) << what;  // strictly: N^2 logic
        EXPECT_GT(sparse[i].latency, sparse[i - 1].latency) << what;
      }
      const Point standard = estimate_of(example(dataset, "standard", bits));
      ++checked;
      // Latency: the sparse designs are far faster than convolving every pixel.
      EXPECT_LT(10 * sparse.back().latency, standard.latency) << dataset << " " << bits;
      // One more row and column: the streaming design takes longer; the sparse design does not (its
      // reduction tree keeps 12 levels: 49^2, 57^2 and 64^2 pixels are all within 2^12).
      const Point larger_standard = estimate_of(example(dataset, "standard", bits), 1);
      EXPECT_GT(larger_standard.latency, standard.latency) << dataset << " " << bits;
      EXPECT_GT(larger_standard.ii, standard.ii) << dataset << " " << bits;
      EXPECT_EQ(estimate_of(example(dataset, "sparse-m", bits), 1).latency, sparse[2].latency)
          << dataset << " " << bits;
    }
    for (const char* variant : {"standard", "sparse-t", "sparse-s", "sparse-m", "sparse-l"}) {
      expect_not_below(estimate_of(example(dataset, variant, 16)), estimate_of(example(dataset, variant, 8)),
                       fmt::format("{} {}: 16-bit vs 8-bit", dataset, variant));
    }
  }
  EXPECT_EQ(checked, 30);
}

// A small sparse model whose input reduction, pooling and hidden dense layer the caller writes.
std::string small_config(const std::string& reduce, const std::string& pool, const std::string& dense1) {
  return R"(
name: small
input: {height: 16, width: 16, channels: 1, type: "ap_ufixed<8,1>"}
precision: {weight: "ap_fixed<8,1>", bias: "ap_fixed<8,1>", result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}
layers:
  - )" + reduce +
         R"(
  - {type: SparseConv2D, name: conv, filters: 2, kernel: 3}
  - {type: SparseReLU, name: relu}
  - )" + pool +
         R"(
  - {type: SparseFlatten, name: flatten}
  - )" + dense1 +
         R"(
  - {type: Dense, name: logits, units: 3, precision: {result: "ap_fixed<16,6>"}}
  - {type: Softmax, name: softmax, precision: {result: "ap_fixed<16,6>", table: "ap_fixed<12,2>"}}
hls: {part: xcu250-figd2104-2L-e, clock_ns: 4, clock_uncertainty: 0.2}
)";
}

TEST(DesignFromModel, MapsMaxPoolingTopKTablesClockAndDeclaredAccumulators) {
  const std::string text =
      small_config("{type: InputReduce, name: reduce, n_active: 6, selection: topk}",
                   "{type: SparseMaxPool2D, name: pool, pool: [2, 4]}",
                   "{type: Dense, name: hidden, units: 5, precision: {accum: \"ap_fixed<40,20>\"}}");
  const model::Model model(model::parse_config(text, "small.yml"), "small.yml");
  const DesignSpec design = design_from_model(model, "small.yml");
  EXPECT_EQ(design.architecture, Architecture::Sparse);
  EXPECT_EQ(design.n_active, 6);
  EXPECT_EQ(design.selection, SelectionPolicy::TopK);
  EXPECT_DOUBLE_EQ(design.clock_ns, 4.0);
  EXPECT_DOUBLE_EQ(design.clock_uncertainty, 0.2);
  ASSERT_EQ(design.layers.size(), 7u);  // InputReduce is part of the sparse design, not a layer
  EXPECT_EQ(design.layers[0].kind, StageKind::Conv);
  EXPECT_EQ(design.layers[0].accumulator_bits, 0);  // 'auto' (the default): the estimator's exact rule
  EXPECT_EQ(design.layers[2].kind, StageKind::Pool);
  EXPECT_EQ(design.layers[2].pool_kind, PoolKind::Max);
  EXPECT_EQ(design.layers[2].pool_height, 2);
  EXPECT_EQ(design.layers[2].pool_width, 4);
  EXPECT_EQ(design.layers[4].kind, StageKind::Dense);
  EXPECT_EQ(design.layers[4].accumulator_bits, 40);  // declared
  EXPECT_EQ(design.layers[4].result_bits, 8);
  EXPECT_EQ(design.layers[5].result_bits, 16);
  EXPECT_EQ(design.layers[6].kind, StageKind::Softmax);
  EXPECT_EQ(design.layers[6].table_bits, 12);
  EXPECT_NO_THROW(estimate_design(design));
}

TEST(DesignFromModel, MeasuresWeightSparsityOnlyWhenAsked) {
  const std::string text =
      small_config("{type: InputReduce, name: reduce, n_active: 4}",
                   "{type: SparseAvgPool2D, name: pool, pool: 2}", "{type: Dense, name: hidden, units: 4}");
  model::Model model(model::parse_config(text, "small.yml"), "small.yml");
  model.initialize(3);
  // conv: 3*3*1*2 = 18 weights; zero 9 of them exactly, and leave 9 at 0.25.
  std::vector<float>& conv = model.layer(1).weights;
  ASSERT_EQ(conv.size(), 18u);
  for (std::size_t i = 0; i < conv.size(); ++i) conv[i] = i % 2 == 0 ? 0.25f : 0.0f;
  // hidden dense: 8x8x2 = 128 inputs x 4 units = 512 weights; 384 below the LSB of ap_fixed<8,1>
  // (1/128: truncated to 0), 128 at -0.5.
  std::vector<float>& dense = model.layer(5).weights;
  ASSERT_EQ(dense.size(), 512u);
  for (std::size_t i = 0; i < dense.size(); ++i) dense[i] = i % 4 == 0 ? -0.5f : 0.004f;

  const DesignSpec assumed = design_from_model(model, "small.yml");
  EXPECT_FALSE(assumed.layers[0].weight_digits.has_value());
  EXPECT_FALSE(assumed.layers[4].weight_digits.has_value());
  EXPECT_EQ(assumed.layers[4].weight_fraction_bits, 7);  // ap_fixed<8,1>

  FromModelOptions options;
  options.use_weight_sparsity = true;
  const DesignSpec measured = design_from_model(model, "small.yml", options);
  // 0.25 is raw 32 in ap_fixed<8,1>, one CSD digit; -0.5 is raw -64, one digit.
  ASSERT_TRUE(measured.layers[0].weight_digits.has_value());
  EXPECT_DOUBLE_EQ(measured.layers[0].weight_digits->nonzero_share, 9.0 / 18.0);
  EXPECT_DOUBLE_EQ(measured.layers[0].weight_digits->mean_digits, 9.0 / 18.0);
  ASSERT_TRUE(measured.layers[4].weight_digits.has_value());
  EXPECT_DOUBLE_EQ(measured.layers[4].weight_digits->nonzero_share, 128.0 / 512.0);
  EXPECT_DOUBLE_EQ(measured.layers[4].weight_digits->mean_digits, 128.0 / 512.0);
  // 0.375 = raw 48 = 64 - 16: two digits.
  for (std::size_t i = 0; i < dense.size(); ++i) dense[i] = i % 4 == 0 ? 0.375f : 0.0f;
  EXPECT_DOUBLE_EQ(design_from_model(model, "small.yml", options).layers[4].weight_digits->mean_digits,
                   2.0 * 128.0 / 512.0);

  // A layer with every weight zero is an untrained placeholder: the Glorot expectation is used.
  std::fill(dense.begin(), dense.end(), 0.0f);
  EXPECT_FALSE(design_from_model(model, "small.yml", options).layers[4].weight_digits.has_value());
}

TEST(DesignFromModel, StandardModelsBecomeTheStreamingBaseline) {
  const model::Model model(model::paper_model("jets", 0), "jets");
  const DesignSpec design = design_from_model(model, "jets");
  EXPECT_EQ(design.architecture, Architecture::StandardStream);
  EXPECT_EQ(design.n_active, 0);
  ASSERT_EQ(design.layers.size(), 10u);
  EXPECT_EQ(design.layers[0].kernel_size, 9);
  EXPECT_EQ(design.layers[0].filters, 3);
}

// A batch normalization folded into the convolution before it is in that stage's weights: no stage.
// A standalone one (after the pooling) is a stage of its own.
TEST(DesignFromModel, FoldedBatchNormalizationIsNoStage) {
  const std::string text = R"(
name: bn
input: {height: 16, width: 16, channels: 1}
layers:
  - {type: InputReduce, n_active: 8}
  - {type: SparseConv2D, name: conv, filters: 2, kernel: 3}
  - {type: SparseBatchNormalization, name: folded}
  - {type: SparseReLU}
  - {type: SparseAvgPool2D, pool: 2}
  - {type: SparseBatchNormalization, name: standalone}
  - {type: SparseFlatten}
  - {type: Dense, units: 2}
  - {type: Softmax}
)";
  const model::Model model(model::parse_config(text, "bn.yml"), "bn.yml");
  const DesignSpec design = design_from_model(model, "bn.yml");
  std::vector<std::string> names;
  for (const auto& stage : design.layers) names.push_back(stage.name);
  EXPECT_EQ(std::count(names.begin(), names.end(), "folded"), 0) << fmt::format("{}", fmt::join(names, ", "));
  EXPECT_EQ(std::count(names.begin(), names.end(), "standalone"), 1)
      << fmt::format("{}", fmt::join(names, ", "));
  EXPECT_EQ(std::count(names.begin(), names.end(), "conv"), 1);
}

TEST(DesignFromModel, LayerTheEstimatorCannotCostIsNamed) {
  const char* const text = R"(
name: vector-input
input: {height: 1, width: 1, channels: 8}
layers:
  - {type: Dense, name: direct, units: 4}
  - {type: Softmax, name: out}
)";
  const model::Model model(model::parse_config(text, "vector.yml"), "vector.yml");
  try {
    design_from_model(model, "vector.yml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("vector.yml"), std::string::npos) << message;
    EXPECT_NE(message.find("'direct'"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot cost"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace sparsepixels::estimate
