// The estimator's formulas against hand-computed values, with coefficients set by hand so that each
// expectation follows from the model's statement in docs/estimator.md alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/estimate/calibration.h"
#include "sparsepixels/estimate/estimator.h"

namespace sparsepixels::estimate {
namespace {

/// Round, easy coefficients: every expected value below is computed from these by hand.
Coefficients hand_coefficients() {
  Coefficients c;
  c.tree_levels_per_ns = 3.0 / 3.65;  // three levels per cycle at 5 ns with 27% uncertainty
  c.tree_level_offset = -2;
  c.reduce_extra_cycles = 2;
  c.design_ii_extra_cycles = 1;
  c.cycles_per_slot = 0.25;
  c.conv_base_cycles = 4;
  c.pool_base_cycles = 2;
  c.flatten_base_cycles = 3;
  c.cycles_per_channel_level = 1;
  c.dense_base_cycles = 1;
  c.dense_cycles_per_level = 0.5;
  c.softmax_base_cycles = 2;
  c.sigmoid_cycles = 2;
  c.stage_handoff_cycles = 1;
  c.dsp_stage_extra_cycles = 1;
  c.stream_row_overhead_cycles = 4;
  c.stream_serial_fraction = 0.5;
  c.stream_tail_cycles = 100;
  c.lut_per_reduce_bit = 3;
  c.lut_per_slot_unit = 1;
  c.lut_per_dense_unit = 1;
  c.ff_per_slot_unit = 1;
  c.ff_per_fixed_unit = 1;
  c.ff_per_reduce_unit = 1;
  c.dense_dsp_fraction = 0.5;
  return c;
}

DesignSpec sparse_design(int height, int width, int budget, std::vector<LayerSpec> layers, int bits = 8) {
  DesignSpec design;
  design.name = "test";
  design.height = height;
  design.width = width;
  design.budget = budget;
  design.input_bits = bits;
  design.layers = std::move(layers);
  return design;
}

TEST(EstimateDesign, AccumulatorAndCoordinateWidths) {
  EXPECT_EQ(exact_accumulator_bits(8, 8, 20), 8 + 8 + 5);  // 21 terms need 5 more bits
  EXPECT_EQ(exact_accumulator_bits(16, 16, 3888), 16 + 16 + 12);
  EXPECT_EQ(exact_accumulator_bits(8, 8, 1), 8 + 8 + 1);
  EXPECT_EQ(coordinate_bits(48, 48), 6);  // 1..48 needs 6 bits
  EXPECT_EQ(coordinate_bits(63, 63), 6);
  EXPECT_EQ(coordinate_bits(64, 10), 7);
}

TEST(EstimateDesign, ShapesOfTheMnistModel) {
  const std::vector<LayerShape> shapes = propagate_shapes(paper_design(PaperModel::Mnist, 20, 8));
  ASSERT_EQ(shapes.size(), 11u);
  EXPECT_EQ(shapes[0].height, 48);
  EXPECT_EQ(shapes[0].accumulator_bits, 8 + 8 + 5);  // fan-in min(20, 49) * 1 = 20
  EXPECT_EQ(shapes[3].height, 12);                   // conv2 sees the 4x4-pooled 12x12 map
  EXPECT_EQ(shapes[3].channels, 1);
  EXPECT_EQ(shapes[5].channels, 3);  // pool2 after conv2's 3 filters
  EXPECT_EQ(shapes[6].outputs, 6 * 6 * 3);
  EXPECT_EQ(shapes[7].inputs, 108);
  EXPECT_EQ(shapes[7].accumulator_bits, 8 + 8 + 7);  // 109 terms
  EXPECT_EQ(shapes[9].inputs, 36);
  EXPECT_EQ(shapes[10].inputs, 10);
  EXPECT_EQ(shapes[10].input_bits, 16);
}

TEST(EstimateDesign, InvalidDesignsNameTheField) {
  auto message_of = [](const DesignSpec& design) {
    try {
      propagate_shapes(design);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(
      message_of(sparse_design(10, 10, 4, {conv_layer("c", 4, 1, 8, 8)})).find("kernel_size must be odd"),
      std::string::npos);
  EXPECT_NE(message_of(sparse_design(10, 10, 4, {dense_layer("d", 3, 8, 8)})).find("flatten"),
            std::string::npos);
  EXPECT_NE(message_of(sparse_design(10, 10, 0, {relu_layer("r")})).find("budget"), std::string::npos);
  EXPECT_NE(message_of(sparse_design(4, 4, 2, {pool_layer("p", 8)})).find("larger than its input"),
            std::string::npos);
  EXPECT_NE(message_of(sparse_design(10, 10, 4, {flatten_layer("f"), conv_layer("c", 3, 1, 8, 8)}))
                .find("layer 1 (c)"),
            std::string::npos);
  DesignSpec design = sparse_design(10, 10, 4, {relu_layer("r")});
  design.part = "xc-no-such-part";
  EXPECT_THROW(estimate_design(design, hand_coefficients()), Error);
  EXPECT_EQ(find_part("xcu250-figd2104-2L-e").lut, 1728000);
}

TEST(EstimateModel, InputReductionCyclesFollowTreeDepthAndClock) {
  const Coefficients c = hand_coefficients();
  // 10x10: depth 7, ceil((7 - 2) / 3) = 2 cycles per slot; 2 * 5 + 2 = 12.
  EXPECT_EQ(estimate_design(sparse_design(10, 10, 5, {relu_layer("r")}), c).layers[0].latency_cycles, 12);
  // 48x48: depth 12, ceil(10 / 3) = 4 per slot; 4 * 20 + 2 = 82, design II 83.
  DesignSpec mnist_like = sparse_design(48, 48, 20, {relu_layer("r")});
  DesignEstimate estimate = estimate_design(mnist_like, c);
  EXPECT_EQ(estimate.layers[0].latency_cycles, 82);
  EXPECT_EQ(estimate.ii_cycles, 83);
  // A 10 ns clock with 27% uncertainty fits six levels per cycle: ceil(10 / 6) = 2 per slot.
  mnist_like.clock_ns = 10;
  estimate = estimate_design(mnist_like, c);
  EXPECT_EQ(estimate.layers[0].latency_cycles, 2 * 20 + 2);
  // LUT: 3 per pixel, channel and bit.
  EXPECT_DOUBLE_EQ(estimate.layers[0].resources.lut, 3.0 * 48 * 48 * 8);
  // Top-k compares values at every node: half the levels per cycle, ceil(5 / 1.5) = 4 per slot, and
  // one more comparator bit per pixel and input bit.
  DesignSpec topk = sparse_design(10, 10, 5, {relu_layer("r")});
  topk.selection = SelectionPolicy::TopK;
  estimate = estimate_design(topk, c);
  EXPECT_EQ(estimate.layers[0].latency_cycles, 4 * 5 + 2);
  EXPECT_DOUBLE_EQ(estimate.layers[0].resources.lut, 3.0 * 100 * (8 + 8));
}

TEST(EstimateModel, SparseConvCostsNSquaredMultipliers) {
  const Coefficients c = hand_coefficients();
  // N = 10, C = 2 (from the input), F = 3, 16-bit operands: 10^2 * 2 * 3 = 600 DSPs.
  DesignSpec design = sparse_design(32, 32, 10, {conv_layer("conv", 5, 3, 16, 16)}, 16);
  design.channels = 2;
  DesignEstimate estimate = estimate_design(design, c);
  EXPECT_DOUBLE_EQ(estimate.layers[1].resources.dsp, 600);
  // Latency: 4 + 0.25 * 10 + log2(2) * 1 + 1 (DSP stage) = 8.5, rounded half away from zero to 9.
  EXPECT_EQ(estimate.layers[1].latency_cycles, 9);
  // At 10 ns (27% uncertainty) the same logic takes half the cycles: 8.5 / 2 = 4.25 -> 4.
  design.clock_ns = 10;
  EXPECT_EQ(estimate_design(design, c).layers[1].latency_cycles, 4);
  design.clock_ns = 5;
  // The same conv at 8 bits maps its multipliers to LUTs: no DSP.
  design.input_bits = 8;
  design.layers[0].weight_bits = 8;
  EXPECT_DOUBLE_EQ(estimate_design(design, c).resources.dsp, 0);
  // A 32 x 16 multiplier needs ceil(32/27) * ceil(16/18) = 2 DSP48E2 blocks.
  design.input_bits = 32;
  design.layers[0].weight_bits = 16;
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[1].resources.dsp, 1200);
}

TEST(EstimateModel, TopOverheadIsOneHandoffPerStageBoundary) {
  const Coefficients c = hand_coefficients();
  const DesignEstimate estimate = estimate_design(paper_design(PaperModel::Mnist, 8, 8), c);
  ASSERT_EQ(estimate.layers.size(), 13u);  // reduction, 11 layers, overhead
  EXPECT_EQ(estimate.layers.back().kind, "top_overhead");
  EXPECT_EQ(estimate.layers.back().latency_cycles, 11);
  std::int64_t sum = 0;
  for (const LayerEstimate& layer : estimate.layers) sum += layer.latency_cycles;
  EXPECT_EQ(estimate.latency_cycles, sum);
  // Softmax over 10 classes: 2 + ceil(log2 10) = 6 cycles; 10 products of 18-bit table values on DSPs.
  EXPECT_EQ(estimate.layers[11].latency_cycles, 6);
  EXPECT_DOUBLE_EQ(estimate.layers[11].resources.dsp, 10);
  // Dense 108 -> 36 at 8 bits: 1 + 0.5 * log2(108) = 4.38 -> 4 cycles.
  EXPECT_EQ(estimate.layers[8].latency_cycles, 4);
}

TEST(EstimateModel, StandardLatencyGrowsWithImageAreaSparseDoesNot) {
  const Coefficients c = hand_coefficients();
  DesignSpec standard;
  standard.name = "standard";
  standard.architecture = Architecture::StandardStream;
  standard.height = standard.width = 48;
  standard.clock_uncertainty = 0.125;
  standard.layers = {conv_layer("conv", 7, 1, 8, 8), relu_layer("relu"), flatten_layer("flatten"),
                     dense_layer("dense", 2, 8, 16), softmax_layer("softmax")};
  // One conv: (48 + 6) rows of (48 + 6 + 4) cycles = 3132, plus the 100-cycle tail.
  DesignEstimate estimate = estimate_design(standard, c);
  EXPECT_EQ(estimate.ii_cycles, 54 * 58);
  EXPECT_EQ(estimate.latency_cycles, 54 * 58 + 100);
  // A second conv at full resolution adds half of its own time (serial fraction 0.5).
  standard.layers.insert(standard.layers.begin() + 1, conv_layer("conv2", 7, 1, 8, 8));
  EXPECT_EQ(estimate_design(standard, c).latency_cycles, 54 * 58 + 54 * 58 / 2 + 100);
  standard.height = standard.width = 96;
  EXPECT_GT(estimate_design(standard, c).latency_cycles, 3 * (54 * 58));

  DesignSpec sparse = sparse_design(48, 48, 16, {conv_layer("conv", 7, 1, 8, 8), relu_layer("relu")});
  const std::int64_t small = estimate_design(sparse, c).latency_cycles;
  sparse.height = sparse.width = 60;  // same tree depth (12 levels): same latency
  EXPECT_EQ(estimate_design(sparse, c).latency_cycles, small);
}

TEST(EstimateModel, NonzeroWeightShareScalesConstantMultipliers) {
  Coefficients c = hand_coefficients();
  DesignSpec design =
      sparse_design(8, 8, 4, {flatten_layer("flatten"), dense_layer("dense", 10, 16, 16)}, 16);
  const double full = estimate_design(design, c).layers[2].resources.dsp;
  EXPECT_DOUBLE_EQ(full, 0.5 * 64 * 10);  // 640 wide multipliers, half on DSPs
  design.layers[1].nonzero_weight_share = 0.25;
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[2].resources.dsp, 0.25 * full);
}

TEST(EstimateJson, HasTheIssueKeys) {
  const DesignEstimate estimate = estimate_design(paper_design(PaperModel::Jets, 12, 8));
  const nlohmann::json json = to_json(estimate);
  for (const char* key : {"latency_cycles", "ii_cycles", "clock_ns", "resources", "layers"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  for (const char* key : {"lut", "ff", "dsp", "bram"}) EXPECT_TRUE(json["resources"].contains(key)) << key;
  EXPECT_EQ(json["latency_cycles"].get<std::int64_t>(), estimate.latency_cycles);
  EXPECT_DOUBLE_EQ(json["clock_ns"].get<double>(), 5.0);
  ASSERT_EQ(json["layers"].size(), estimate.layers.size());
  EXPECT_EQ(json["layers"][0]["name"], "input_reduce");
  EXPECT_EQ(json["layers"][1]["name"], "conv1");
  const std::string table = format_estimate(estimate);
  EXPECT_NE(table.find("input_reduce"), std::string::npos);
  EXPECT_NE(table.find("total"), std::string::npos);
}

TEST(EstimateJson, WritesAFileAtomicallyAndNamesBadPaths) {
  const DesignEstimate estimate = estimate_design(paper_design(PaperModel::Mnist, 8, 8));
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "sparsepixels_estimate_test.json";
  write_estimate_json(estimate, path.string());
  std::ifstream stream(path);
  std::stringstream content;
  content << stream.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(content.str());
  EXPECT_EQ(json["latency_cycles"].get<std::int64_t>(), estimate.latency_cycles);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  std::filesystem::remove(path);
  try {
    write_estimate_json(estimate, "/nonexistent-dir/estimate.json");
    ADD_FAILURE() << "no error for a missing directory";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-dir/estimate.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace sparsepixels::estimate
