// Model definition: the paper's architectures, YAML configs, type resolution and config errors.
#include <gtest/gtest.h>

#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

// The neutrino sparse-l model of the paper (reference section 4) written as a user would.
const char* const kNeutrinoSparse = R"(
name: neutrino-sparse-l
input: {height: 63, width: 63, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision:
  weight: "ap_fixed<8,3>"
  bias: "ap_fixed<8,3>"
  result: "ap_fixed<16,6>"
  accum: auto
layers:
  - {type: InputReduce, name: reduce, n_active: 20, threshold: 0.0, selection: raster}
  - {type: SparseConv2D, name: conv1, filters: 1, kernel: 7}
  - {type: SparseReLU, name: relu1, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseConv2D, name: conv2, filters: 3, kernel: 7}
  - {type: SparseReLU, name: relu2, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, name: pool, pool: 7}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense1, units: 16}
  - {type: ReLU, name: relu3, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: Dense, name: dense2, units: 1}
  - {type: Sigmoid, name: output}
training:
  loss: binary_crossentropy
  learning_rate: 0.001
  batch_size: 128
  max_epochs: 200
  early_stopping: {min_delta: 0.001, patience: 15, restore_best: true}
  seed: 7
  quantized: true
hls:
  part: xcu250-figd2104-2L-e
  clock_ns: 5
  clock_uncertainty: 0.27
  selection_policy: raster
)";

TEST(PaperModels, ParameterCountsMatchThePaper) {
  // Reference section 4: the same count for the standard and every sparse variant.
  const std::pair<const char*, std::size_t> expected[] = {
      {"mnist", 4422}, {"jets", 4535}, {"neutrino", 4121}};
  for (const auto& [dataset, params] : expected) {
    for (int n_active : {0, 8, 12, 16, 20}) {
      const Model model(paper_model(dataset, n_active));
      EXPECT_EQ(model.parameter_count(), params) << dataset << " N=" << n_active;
    }
  }
}

TEST(PaperModels, OutputShapesFollowSectionFour) {
  const Model mnist(paper_model("mnist", 20));
  // reduce, conv1, relu1, pool1 (12x12), conv2, relu2, pool2 (6x6x3), flatten 108, dense 36 ...
  EXPECT_EQ(mnist.resolved()[3].output.height, 12);
  EXPECT_EQ(mnist.resolved()[6].output.height, 6);
  EXPECT_EQ(mnist.resolved()[6].output.channels, 3);
  EXPECT_EQ(mnist.resolved()[7].output.channels, 108);
  const Model jets(paper_model("jets", 0));
  EXPECT_EQ(jets.resolved()[4].output.height, 14);  // conv, relu, conv, relu, pool 4
  EXPECT_EQ(jets.resolved()[5].output.channels, 196);
  const Model neutrino(paper_model("neutrino", 0));
  EXPECT_EQ(neutrino.resolved()[5].output.channels, 243);
}

TEST(Config, NeutrinoSparseConfigParses) {
  const ModelSpec spec = parse_config(kNeutrinoSparse, "neutrino.yml");
  const Model model(spec, "neutrino.yml");
  EXPECT_EQ(model.parameter_count(), 4121u);
  EXPECT_EQ(spec.training.seed, 7u);
  EXPECT_TRUE(spec.training.quantized);
  EXPECT_DOUBLE_EQ(spec.hls.clock_uncertainty, 0.27);
  const auto& conv1 = model.resolved()[1];
  EXPECT_EQ(conv1.spec.kernel, 7);
  EXPECT_EQ(conv1.fan_in, 20);  // min(N, K*K) * C = min(20, 49) * 1
  EXPECT_EQ(conv1.types.weight.to_string(), "ap_fixed<8,3>");
  const auto& relu1 = model.resolved()[2];
  EXPECT_EQ(relu1.types.result.to_string(), "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>");
  // The flatten passes its input type through (ReLU results of the pool's type).
  EXPECT_EQ(model.resolved()[6].types.result, model.resolved()[5].types.result);
  // The auto accumulator of conv2 holds every product exactly: fraction bits of weight (5) plus input (6).
  const auto& conv2 = model.resolved()[3];
  EXPECT_GE(conv2.types.accum.fraction(), 11);
  EXPECT_EQ(conv2.types.accum.overflow, fixed::Overflow::WRAP);
  // The output of conv2 (16,6) and a 7x7 average pool: the pool accumulator adds 6 integer bits.
  const auto& pool = model.resolved()[5];
  EXPECT_EQ(pool.types.accum.fraction(), relu1.types.result.fraction());
  EXPECT_EQ(pool.types.accum.integer, relu1.types.result.integer + 6);
}

TEST(Config, WiderAccumulatorAcceptedNarrowerRejected) {
  std::string text = kNeutrinoSparse;
  const std::string conv = "{type: SparseConv2D, name: conv1, filters: 1, kernel: 7}";
  const auto at = text.find(conv);
  ASSERT_NE(at, std::string::npos);
  std::string wide = text;
  wide.replace(
      at, conv.size(),
      "{type: SparseConv2D, name: conv1, filters: 1, kernel: 7, precision: {accum: \"ap_fixed<40,16>\"}}");
  EXPECT_EQ(Model(parse_config(wide, "wide.yml")).resolved()[1].types.accum.to_string(), "ap_fixed<40,16>");
  std::string narrow = text;
  narrow.replace(
      at, conv.size(),
      "{type: SparseConv2D, name: conv1, filters: 1, kernel: 7, precision: {accum: \"ap_fixed<12,4>\"}}");
  try {
    parse_config(narrow, "narrow.yml");
    FAIL() << "a narrower accumulator must be rejected";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("narrow.yml"), std::string::npos) << message;
    EXPECT_NE(message.find("conv1"), std::string::npos) << message;
    EXPECT_NE(message.find("precision.accum"), std::string::npos) << message;
  }
}

TEST(Config, AutoResultIsTheAccumulatorType) {
  std::string text = kNeutrinoSparse;
  const std::string dense = "{type: Dense, name: dense2, units: 1}";
  const auto at = text.find(dense);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, dense.size(), "{type: Dense, name: dense2, units: 1, precision: {result: auto}}");
  const Model model(parse_config(text, "auto.yml"));
  const ResolvedLayer& dense2 = model.resolved()[9];
  ASSERT_EQ(dense2.spec.name, "dense2");
  // 16 ReLU outputs ap_ufixed<8,2> times ap_fixed<8,3> weights, plus a bias (reference 11.3).
  EXPECT_EQ(
      dense2.types.accum,
      fixed::exact_accumulator(dense2.types.weight, model.resolved()[8].types.result, dense2.types.bias, 16));
  EXPECT_EQ(dense2.types.result, dense2.types.accum);
  EXPECT_TRUE(dense2.logits);
  EXPECT_FALSE(model.resolved()[7].logits);
}

// Replaces `from` by `to` in the reference config and expects an error naming every `parts`.
void expect_error(const std::string& from, const std::string& to, const std::vector<std::string>& parts) {
  std::string text = kNeutrinoSparse;
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  try {
    parse_config(text, "bad.yml");
    FAIL() << "no error for " << to;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.yml"), std::string::npos) << message;
    for (const auto& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
}

TEST(Config, ErrorsNameFileLayerAndField) {
  expect_error("type: SparseConv2D, name: conv1", "type: SparseConv3D, name: conv1",
               {"SparseConv3D", "type"});
  expect_error("filters: 1, kernel: 7}", "filters: 1, kernel: 4}", {"conv1", "kernel", "odd"});
  expect_error("filters: 1, kernel: 7}", "filters: 1, kernel: 7, stride: 2}", {"conv1", "stride", "unknown"});
  expect_error("units: 16}", "units: -3}", {"dense1", "units"});
  expect_error("weight: \"ap_fixed<8,3>\"", "weight: \"ap_fixed<8,3,AP_BOGUS>\"",
               {"precision.weight", "AP_BOGUS"});
  expect_error("pool: 7}", "pool: 64}", {"pool", "larger"});
  expect_error("n_active: 20", "n_active: 0", {"reduce", "n_active"});
  expect_error("selection: raster}", "selection: random}", {"reduce", "selection", "random"});
  expect_error("batch_size: 128", "batch_size: many", {"training.batch_size", "many"});
  expect_error("clock_uncertainty: 0.27", "clock_uncertainty: 2", {"hls.clock_uncertainty"});
  expect_error("{type: SparseFlatten, name: flatten}", "{type: Flatten, name: flatten}",
               {"flatten", "dense input"});
  expect_error("seed: 7", "seed: 7\n  reduce_lr: {factor: 1.5}", {"training.reduce_lr.factor"});
  expect_error("seed: 7", "seed: 7\n  slot_rule: mask", {"training.slot_rule", "mask"});
  expect_error("seed: 7", "seed: 7\n  reduce_lr: {factor: 0.5, patience: 0}",
               {"training.reduce_lr.patience"});
  expect_error("seed: 7", "seed: 7\n  reduce_lr: {factor: 0.5, cooldown: 2}",
               {"training.reduce_lr", "cooldown"});
  expect_error("{type: SparseFlatten, name: flatten}",
               "{type: SparseFlatten, name: flatten, precision: {result: auto}}",
               {"flatten", "precision.result", "convolutions and Dense"});
}

TEST(Config, ArithmeticProfileIsExactUnlessSaid) {
  EXPECT_EQ(parse_config(kNeutrinoSparse, "neutrino.yml").arithmetic_profile, ArithmeticProfile::Exact);
  const std::string hls4ml = std::string(kNeutrinoSparse) + "arithmetic_profile: hls4ml\n";
  const ModelSpec spec = parse_config(hls4ml, "neutrino.yml");
  EXPECT_EQ(spec.arithmetic_profile, ArithmeticProfile::Hls4ml);
  // Every resolved layer carries it; the Sigmoid's table defaults to hls4ml's ap_fixed<18,8>.
  const auto resolved = resolve(spec);
  for (const auto& layer : resolved) EXPECT_EQ(layer.profile, ArithmeticProfile::Hls4ml);
  EXPECT_EQ(resolved.back().types.table, fixed::FixedType::parse("ap_fixed<18,8>"));
  EXPECT_EQ(resolve(parse_config(kNeutrinoSparse, "neutrino.yml")).back().types.table,
            fixed::FixedType::parse("ap_fixed<18,2>"));
  expect_error("name: neutrino-sparse-l", "name: neutrino-sparse-l\narithmetic_profile: hls5ml",
               {"arithmetic_profile", "hls5ml", "exact"});
  // Accumulators narrower than exact stay rejected under the hls4ml profile too.
  expect_error("accum: auto", "accum: \"ap_fixed<10,4>\"\narithmetic_profile: hls4ml",
               {"precision.accum", "narrower"});
}

TEST(Config, MissingFileIsAClearError) {
  try {
    load_config("/nonexistent/model.yml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.yml"), std::string::npos);
  }
}

TEST(Summary, ListsLayersShapesCountsAndTypes) {
  const Model model(parse_config(kNeutrinoSparse, "neutrino.yml"));
  const std::string text = summary(model);
  EXPECT_NE(text.find("Total params: 4121"), std::string::npos) << text;
  EXPECT_NE(text.find("conv2 (SparseConv2D)"), std::string::npos) << text;
  EXPECT_NE(text.find("3904"), std::string::npos) << text;  // dense1: 243 * 16 + 16
  EXPECT_NE(text.find("ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"), std::string::npos) << text;
  EXPECT_NE(text.find("(243)"), std::string::npos) << text;
}

// Column of position `at` in its line.
std::size_t column_of(const std::string& text, std::size_t at) {
  return at - (text.rfind('\n', at) + 1);
}

TEST(Summary, LongLayerNamesKeepTheColumnsAligned) {
  std::string config = kNeutrinoSparse;
  const std::string name = "name: conv2,";
  config.replace(config.find(name), name.size(), "name: a_very_long_second_convolution_layer_name,");
  const std::string text = summary(Model(parse_config(config, "long.yml")));
  // The output shape of every layer starts in the column of the header's "Output shape".
  const std::size_t header = column_of(text, text.find("Output shape"));
  for (const std::string shape : {"(20 slots x 1 ch", "(20 slots x 3 ch", "(243)"}) {
    const std::size_t at = text.find(shape);
    ASSERT_NE(at, std::string::npos) << shape << "\n" << text;
    EXPECT_EQ(column_of(text, at), header) << shape << "\n" << text;
  }
}

}  // namespace
}  // namespace sparsepixels::model
