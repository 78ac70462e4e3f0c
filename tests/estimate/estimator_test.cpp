// The estimator's formulas against hand-computed values, with coefficients set by hand so that each
// expectation follows from the model's statement in docs/estimator.md alone.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/estimate/calibration.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/weight_digits.h"

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

DesignSpec sparse_design(int height, int width, int n_active, std::vector<StageSpec> layers, int bits = 8) {
  DesignSpec design;
  design.name = "test";
  design.height = height;
  design.width = width;
  design.n_active = n_active;
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
  EXPECT_NE(message_of(sparse_design(10, 10, 0, {relu_layer("r")})).find("n_active"), std::string::npos);
  EXPECT_NE(message_of(sparse_design(4, 4, 2, {pool_layer("p", 8)})).find("larger than its input"),
            std::string::npos);
  EXPECT_NE(message_of(sparse_design(10, 10, 4, {flatten_layer("f"), conv_layer("c", 3, 1, 8, 8)}))
                .find("layer 1 (c)"),
            std::string::npos);
}

TEST(EstimateParts, DevicesMatchByPrefix) {
  const Part* u250 = find_part("xcu250-figd2104-2L-e");
  ASSERT_NE(u250, nullptr);
  EXPECT_EQ(u250->lut, 1728000);
  EXPECT_EQ(u250->ff, 3456000);
  EXPECT_EQ(u250->dsp, 12288);
  EXPECT_DOUBLE_EQ(u250->bram36, 2688);
  EXPECT_EQ(find_part("XCU250-FIGD2104-2L-E"), u250);  // part names are case-insensitive
  EXPECT_EQ(find_part("xcu250-figd2104-2-e"), u250);   // another speed grade of the same device
  EXPECT_EQ(find_part("xc7a35tcpg236-1"), nullptr);
  EXPECT_EQ(find_part(""), nullptr);
}

TEST(EstimateParts, WarnsAboveThePartNotesAboveEightyPercent) {
  DesignEstimate estimate;
  estimate.name = "big";
  estimate.part = "xcu250-figd2104-2L-e";
  estimate.capacity = *find_part(estimate.part);
  estimate.resources.lut = 2100000;  // 121.5%
  estimate.resources.ff = 3000000;   // 86.8%
  estimate.resources.dsp = 9830;     // 79.99%: below the note
  const std::vector<std::string> messages = utilization_messages(estimate);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0],
            "warning: big: estimated LUT 2,100,000 exceeds the part xcu250-figd2104-2L-e (1,728,000)");
  EXPECT_EQ(messages[1],
            "note: big: estimated FF 3,000,000 is 86.8% of the part xcu250-figd2104-2L-e (3,456,000)");
  estimate.resources = {};
  EXPECT_TRUE(utilization_messages(estimate).empty());
  EXPECT_FALSE(to_json(estimate)["utilization"].is_null());
}

TEST(EstimateParts, UnknownPartIsAWarningNotAnError) {
  DesignSpec design = sparse_design(10, 10, 4, {relu_layer("r")});
  design.part = "xc-no-such-part";
  const DesignEstimate estimate = estimate_design(design, hand_coefficients());
  EXPECT_FALSE(estimate.capacity.has_value());
  EXPECT_EQ(estimate.part, "xc-no-such-part");
  const std::vector<std::string> messages = utilization_messages(estimate);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rfind("warning: test: unknown part 'xc-no-such-part'", 0), 0u) << messages[0];
  EXPECT_NE(messages[0].find("utilization cannot be checked"), std::string::npos);
  EXPECT_NE(messages[0].find("xcu250"), std::string::npos);  // lists the known devices
  EXPECT_TRUE(to_json(estimate)["utilization"].is_null());
  EXPECT_NE(format_estimate(estimate).find("cannot be checked"), std::string::npos);
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

TEST(EstimateModel, ConstantWeightsCostTheirCsdDigits) {
  const Coefficients c = hand_coefficients();
  // 8x8 image, N = 4, flatten to 64 values, dense 64 -> 10 at 8 bits: accumulator 8 + 8 + ceil(log2 65)
  // = 23 bits. Per weight: (digits - non-zero share) adders of 8 + 8 bits inside the multiplier, and
  // one 23-bit addend per non-zero product (lut_per_dense_unit = ff_per_fixed_unit = 1).
  DesignSpec design = sparse_design(8, 8, 4, {flatten_layer("flatten"), dense_layer("dense", 10, 8, 8)});
  design.layers[1].weight_digits = WeightDigits{0.5, 2.0};
  DesignEstimate estimate = estimate_design(design, c);
  EXPECT_DOUBLE_EQ(estimate.layers[2].resources.lut, 640 * (1.5 * 16 + 0.5 * 23));
  // Registers hold the non-zero products at accumulator width, not the multipliers' internals.
  EXPECT_DOUBLE_EQ(estimate.layers[2].resources.ff, 640 * 0.5 * 23);
  // Weights that are zero or a power of two (one digit each): no multiplier adders at all.
  design.layers[1].weight_digits = WeightDigits{0.5, 0.5};
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[2].resources.lut, 640 * 0.5 * 23);
  design.layers[1].weight_digits = WeightDigits{0.5, 0.75};
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[2].resources.lut, 640 * (0.25 * 16 + 0.5 * 23));
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[2].resources.dsp, 0);

  // At 16 bits half the multipliers go to DSPs (dense_dsp_fraction 0.5), costing one 16 + 16 + 7 = 39
  // bit addend per non-zero weight; the other half stays in fabric: 2 adders of 32 bits + the addend.
  design.input_bits = 16;
  design.layers[1].weight_bits = 16;
  design.layers[1].result_bits = 16;
  design.layers[1].weight_digits = WeightDigits{1.0, 3.0};
  const DesignEstimate full = estimate_design(design, c);
  EXPECT_DOUBLE_EQ(full.layers[2].resources.dsp, 0.5 * 640);
  EXPECT_DOUBLE_EQ(full.layers[2].resources.lut, 640 * (0.5 * 39 + 0.5 * (2 * 32 + 39)));
  design.layers[1].weight_digits = WeightDigits{0.25, 0.5};
  EXPECT_DOUBLE_EQ(estimate_design(design, c).layers[2].resources.dsp, 0.5 * 160);

  // Unknown weights: the Glorot expectation in the layer's weight type (64 + 10 fans, 8 bits with 3
  // fraction bits: limit sqrt(6 / 74) = 0.285 = 2.28 steps of 1/8).
  design = sparse_design(8, 8, 4, {flatten_layer("flatten"), dense_layer("dense", 10, 8, 8)});
  design.layers[1].weight_fraction_bits = 3;
  const WeightDigits expected = glorot_weight_digits(64, 10, 8, 3);
  EXPECT_DOUBLE_EQ(
      estimate_design(design, c).layers[2].resources.lut,
      std::round(640 * ((expected.mean_digits - expected.nonzero_share) * 16 + expected.nonzero_share * 23)));
}

TEST(EstimateModel, CsdDigitCounts) {
  EXPECT_EQ(csd_digit_count(0), 0);
  EXPECT_EQ(csd_digit_count(1), 1);
  EXPECT_EQ(csd_digit_count(64), 1);
  EXPECT_EQ(csd_digit_count(3), 2);     // 4 - 1
  EXPECT_EQ(csd_digit_count(7), 2);     // 8 - 1
  EXPECT_EQ(csd_digit_count(-7), 2);    // -(8 - 1)
  EXPECT_EQ(csd_digit_count(11), 3);    // 16 - 4 - 1
  EXPECT_EQ(csd_digit_count(21), 3);    // 16 + 4 + 1
  EXPECT_EQ(csd_digit_count(255), 2);   // 256 - 1
  EXPECT_EQ(csd_digit_count(0x55), 4);  // 64 + 16 + 4 + 1: no two digits may be adjacent
  EXPECT_EQ(csd_digit_count(std::numeric_limits<std::int64_t>::min()), 1);

  const WeightDigits measured = measured_weight_digits({0, 3, -4, 5});
  EXPECT_DOUBLE_EQ(measured.nonzero_share, 0.75);
  EXPECT_DOUBLE_EQ(measured.mean_digits, (0 + 2 + 1 + 2) / 4.0);
}

TEST(EstimateModel, GlorotDigitExpectationByHand) {
  // fan_in = fan_out = 3: limit sqrt(6 / 6) = 1; 2 fraction bits: uniform on [-4, 4] steps.
  // Raw 0, +-1, +-2, +-3 each collect 1/8, +-4 collect 1/16; digits 0, 1, 1, 2 and 1.
  WeightDigits digits = glorot_weight_digits(3, 3, 8, 2);
  EXPECT_NEAR(digits.nonzero_share, 7.0 / 8.0, 1e-12);
  EXPECT_NEAR(digits.mean_digits, 2.0 * (1 + 1 + 2) / 8.0 + 2.0 / 16.0, 1e-12);
  // A 3-bit mantissa saturates to -4..3: raw 3 collects [2.5, 4] (3/16), -4 collects [-4, -3.5).
  digits = glorot_weight_digits(3, 3, 3, 2);
  EXPECT_NEAR(digits.nonzero_share, 7.0 / 8.0, 1e-12);
  EXPECT_NEAR(digits.mean_digits, (2 * 1.5 + 1 * 0.5 + 2 * 1 + 1 * 2 + 1 * 2) / 8.0, 1e-12);
  // Coarse types zero most Glorot-scale weights: the jets 8-bit dense1 (196 -> 20, 1/8 steps).
  digits = glorot_weight_digits(196, 20, 8, 3);
  const double limit_steps = std::sqrt(6.0 / 216.0) * 8;  // 1.33: |w| < 1/2 step rounds to 0
  EXPECT_NEAR(digits.nonzero_share, (limit_steps - 0.5) / limit_steps, 1e-12);
  EXPECT_NEAR(digits.mean_digits, digits.nonzero_share, 1e-12);  // every non-zero weight is +-1 step
  // Very fine types: past 2^16 steps each further fraction bit adds 1/3 digit.
  const WeightDigits fine = glorot_weight_digits(3, 3, 40, 30);
  const WeightDigits coarser = glorot_weight_digits(3, 3, 39, 29);
  EXPECT_NEAR(fine.mean_digits - coarser.mean_digits, 1.0 / 3.0, 1e-9);
  EXPECT_THROW(glorot_weight_digits(0, 3, 8, 2), Error);
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
  // No temporary (util::temporary_name_for: "<name>.tmp-<pid>-<n>") is left beside the file.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(entry.path().string().rfind(std::filesystem::path(path).string() + ".tmp", 0),
              std::string::npos)
        << entry.path();
  }
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
