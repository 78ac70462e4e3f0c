// QKeras quantizers and hls4ml configs as types (hand-worked cases), and hls4ml's 'auto' rules.
#include "quantizers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include "sparsepixels/error.h"

#include "sparsepixels/import/keras_import.h"
#include "sparsepixels/model/config.h"

namespace {

using nlohmann::json;
using sparsepixels::import::hls4ml_type;
using sparsepixels::import::parse_hls4ml_config;
using sparsepixels::import::quantizer_type;

std::string type_of(const json& quantizer) {
  return quantizer_type(quantizer, "test")->to_string();
}

TEST(Quantizers, QKerasSpellingsGiveTheHoldingType) {
  // quantized_bits(B, I): a sign bit besides I integer bits.
  EXPECT_EQ(type_of("quantized_bits(8,0)"), "ap_fixed<8,1>");
  EXPECT_EQ(type_of("quantized_bits(16, 6, alpha=1)"), "ap_fixed<16,7>");
  EXPECT_EQ(type_of("quantized_bits(8, 4, 0, False)"), "ap_ufixed<8,4>");  // keep_negative=False
  EXPECT_EQ(type_of(json{{"class_name", "quantized_bits"},
                         {"config", {{"bits", 8}, {"integer", 4}, {"alpha", 1}}}}),
            "ap_fixed<8,5>");
  // quantized_relu(B, I): unsigned, round half to even, saturate.
  EXPECT_EQ(type_of("quantized_relu(8, 0)"), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(type_of("quantized_relu(16,6)"), "ap_ufixed<16,6,AP_RND_CONV,AP_SAT>");
  bool relu = false;
  quantizer_type("quantized_relu(4,1)", "test", &relu);
  EXPECT_TRUE(relu);
  EXPECT_FALSE(quantizer_type(nullptr, "test").has_value());
}

TEST(Quantizers, UnsupportedOnesAreNamedErrors) {
  auto message = [](const json& q) {
    try {
      quantizer_type(q, "layer 'x': field 'kernel_quantizer'");
    } catch (const sparsepixels::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("quantized_bits(8,0,alpha='auto')").find("alpha"), std::string::npos);
  EXPECT_NE(message("quantized_bits(8,0,alpha=0.5)").find("alpha"), std::string::npos);
  EXPECT_NE(message("quantized_bits(8,0,1)").find("symmetric"), std::string::npos);
  EXPECT_NE(message("quantized_relu(8,0,negative_slope=0.25)").find("negative_slope"), std::string::npos);
  EXPECT_NE(message("quantized_tanh(8)").find("quantized_tanh"), std::string::npos);
  EXPECT_NE(message("quantized_bits(80,0)").find("bits"), std::string::npos);
  EXPECT_NE(message("quantized_bits(8,0,scale_axis=1)").find("per-channel"), std::string::npos);
  EXPECT_NE(message("quantized_bits(8,0)").find("no error"), std::string::npos);
}

TEST(Hls4mlConfig, PrecisionSpellingsSettingsAndErrors) {
  const auto config = parse_hls4ml_config(R"(
Part: xcvu9p-flga2104-2L-e
ClockPeriod: 4
ClockUncertainty: 25%
IOType: io_parallel
Backend: Vitis
KerasModel: !keras_model 'somewhere.keras'
HLSConfig:
  Model:
    Precision:
      default: ap_fixed<18,8>
    ReuseFactor: 1
    Strategy: Latency
  LayerName:
    x_in:
      Precision: ap_ufixed<8,1>
    conv1:
      Precision:
        weight: fixed<8,1,TRN,WRAP,0>
        result: auto
      Unknown: ignored
  LayerType:
    Dense:
      Precision:
        accum: fixed<32,12>
)",
                                          "h.yml");
  EXPECT_EQ(*config.part, "xcvu9p-flga2104-2L-e");
  EXPECT_DOUBLE_EQ(*config.clock_ns, 4);
  EXPECT_DOUBLE_EQ(*config.clock_uncertainty, 0.25);
  EXPECT_EQ(config.default_precision, "ap_fixed<18,8>");
  EXPECT_EQ(config.layers.at("x_in").precision.at("result"), "ap_ufixed<8,1>");
  EXPECT_EQ(config.layers.at("conv1").precision.at("result"), "auto");
  EXPECT_EQ(hls4ml_type(config.layers.at("conv1").precision.at("weight"), "t").to_string(), "ap_fixed<8,1>");
  EXPECT_EQ(config.layer_types.at("Dense").precision.at("accum"), "fixed<32,12>");
  // Five fields: the saturation bits are kept.
  EXPECT_EQ(hls4ml_type("fixed<8,3,TRN,WRAP,2>", "t").to_string(), "ap_fixed<8,3,AP_TRN,AP_WRAP,2>");
  // Clock uncertainty in ns is a fraction of the period.
  EXPECT_DOUBLE_EQ(
      *parse_hls4ml_config("ClockPeriod: 5\nClockUncertainty: 1.25\n", "h.yml").clock_uncertainty, 0.25);

  auto message = [](const std::string& text) {
    try {
      parse_hls4ml_config(text, "h.yml");
    } catch (const sparsepixels::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("HLSConfig:\n  Model:\n    ReuseFactor: 4\n").find("HLSConfig.Model.ReuseFactor"),
            std::string::npos);
  EXPECT_NE(message("HLSConfig:\n  LayerName:\n    d1:\n      Strategy: Resource\n")
                .find("HLSConfig.LayerName.d1.Strategy"),
            std::string::npos);
  EXPECT_NE(message("HLSConfig:\n  Model:\n    Precision: {default: fixed<16,6>, maximum: fixed<24,8>}\n")
                .find("maximum"),
            std::string::npos);
  EXPECT_NE(message("IOType: io_serial\n").find("IOType"), std::string::npos);
  EXPECT_NE(message("[1, 2").find("YAML"), std::string::npos);
  // A map used as a layer name (found by fuzz_keras): an Error, not a yaml-cpp exception.
  EXPECT_NE(message("HLSConfig:\n  LayerName:\n    ? {a: 1}\n    : {Precision: auto}\n").find("h.yml"),
            std::string::npos);
}

// hls4ml's 'auto' on the published 8-bit sparse-m design, worked by hand from infer_precision.py:
// conv1: input ufixed<8,1> (unsigned), weight fixed<8,1>, n_ops 7*7*1 = 49 -> ceil(log2) = 6:
//   width 8+8+6 = 22, integer 1+1+6 = 8, fraction 14; bias fixed<8,1>: integer max(8, 1) + 1 = 9,
//   width 9 + max(14, 7) = 23 -> fixed<23,9> (accumulator and result).
// pool1 (average 4x4): input ufixed<8,0>, ceil(log2 16) = 4: ufixed<8+8, 0+4> = ufixed<16,4>; result
//   the input's type.
// dense1: input ufixed<8,0>, weight fixed<8,1>, n 108 -> 7: width 23, integer 8, fraction 15; bias:
//   integer 9, width 24 -> fixed<24,9>.
TEST(Hls4mlAuto, PublishedDesignTypesWorkedByHand) {
  const std::string design = std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/sparsemnist/model-8b/sparse_m";
  sparsepixels::import::ImportOptions options;
  options.hls4ml_config = design + "/hls4ml_config.yml";
  options.n_active = 16;
  options.threshold = 0.4;
  const auto imported = sparsepixels::import::import_model(design + "/keras_model.keras", options);
  const auto& r = imported.model.resolved();
  EXPECT_EQ(imported.model.spec().input_type.to_string(), "ap_ufixed<8,1>");
  EXPECT_EQ(r[1].spec.name, "conv1");
  EXPECT_EQ(r[1].types.accum.to_string(), "ap_fixed<23,9>");
  EXPECT_EQ(r[1].types.result.to_string(), "ap_fixed<23,9>");
  EXPECT_EQ(r[2].types.result.to_string(), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(r[3].types.accum.to_string(), "ap_ufixed<16,4>");
  EXPECT_EQ(r[3].types.result.to_string(), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(r[8].spec.name, "dense1");
  EXPECT_EQ(r[8].types.accum.to_string(), "ap_fixed<24,9>");
  EXPECT_EQ(r[11].types.result.to_string(), "ap_fixed<16,6>");  // softmax: auto -> the model default
  EXPECT_EQ(imported.model.spec().hls.part, "xcu250-figd2104-2L-e");
  EXPECT_DOUBLE_EQ(imported.model.spec().hls.clock_uncertainty, 0.27);
}

// Without an hls4ml config: quantizers give the types; a conv/dense followed by a quantized ReLU takes
// the ReLU's type; what has neither gets hls4ml's default fixed<16,6>, with a warning naming it.
TEST(Hls4mlAuto, WithoutAConfigTheQuantizersAndDefaultsDecide) {
  const std::string design = std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/sparsemnist/model-8b/full";
  const auto imported = sparsepixels::import::import_model(design + "/keras_model.keras", {});
  const auto& r = imported.model.resolved();
  EXPECT_EQ(imported.model.spec().input_type.to_string(), "ap_fixed<16,6>");
  EXPECT_EQ(r[0].types.result.to_string(), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(r[0].types.weight.to_string(), "ap_fixed<8,1>");
  EXPECT_EQ(r.back().types.result.to_string(), "ap_fixed<16,6>");
  bool warned = false;
  for (const auto& note : imported.notes) warned = warned || note.find("the input") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace

namespace {

// The same rules for a YAML config under `arithmetic_profile: hls4ml`: `accum: auto` resolves to
// hls4ml's accumulator (the hand-worked values above), and to the exact one under the default profile.
TEST(Hls4mlAuto, ConfigAccumulatorsUnderTheHls4mlProfile) {
  const std::string example = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/mnist/sparse-m-8b.yml";
  std::ifstream in(example);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto exact = sparsepixels::model::Model(sparsepixels::model::parse_config(text, example), example);
  const auto hls4ml = sparsepixels::model::Model(
      sparsepixels::model::parse_config(text + "\narithmetic_profile: hls4ml\n", example), example);
  const auto& e = exact.resolved();
  const auto& h = hls4ml.resolved();
  EXPECT_EQ(h[1].types.accum.to_string(), "ap_fixed<23,9>");   // conv1
  EXPECT_EQ(h[3].types.accum.to_string(), "ap_ufixed<16,4>");  // pool1
  EXPECT_EQ(h[8].types.accum.to_string(), "ap_fixed<24,9>");   // dense1
  // The exact accumulators: conv1 sums min(16, 49) = 16 products of 2^-7 * 2^-7 (fraction 14) plus
  // the bias, each below 2 in magnitude: 17 terms -> 5 more integer bits than a product's 2.
  EXPECT_EQ(e[1].types.accum.to_string(), "ap_fixed<21,7>");
  EXPECT_NE(e[8].types.accum, h[8].types.accum);
}

}  // namespace
