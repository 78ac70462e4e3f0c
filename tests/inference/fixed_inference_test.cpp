// Hand-computed cases of the host fixed inference: parameter conversion, the pooling reciprocal, a
// tiny sparse model traced layer by layer, the bias rule, topk order, thread independence, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"

namespace {

namespace inference = sparsepixels::inference;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using sparsepixels::fixed::FixedType;

FixedType type(const char* text) {
  return FixedType::parse(text);
}

TEST(ParameterRaw, RoundsHalfToEvenThenSaturates) {
  const FixedType weight = type("ap_fixed<8,1>");                // lsb 1/128, declared modes AP_TRN, AP_WRAP
  EXPECT_EQ(inference::parameter_raw(0.3203125f, weight), 41);   // exact: survives unchanged
  EXPECT_EQ(inference::parameter_raw(0.30078125f, weight), 38);  // 38.5 lsb: tie to even
  EXPECT_EQ(inference::parameter_raw(0.30859375f, weight), 40);  // 39.5 lsb: tie to even
  EXPECT_EQ(inference::parameter_raw(-0.30078125f, weight), -38);
  EXPECT_EQ(inference::parameter_raw(0.3f, weight), 38);   // 38.4 lsb: nearest, not truncated
  EXPECT_EQ(inference::parameter_raw(5.0f, weight), 127);  // saturates instead of wrapping
  EXPECT_EQ(inference::parameter_raw(-5.0f, weight), -128);
  EXPECT_EQ(inference::parameter_raw(2.5f, type("ap_int<4>")), 2);  // integers round too
  EXPECT_EQ(inference::parameter_raw(3.5f, type("ap_int<4>")), 4);
}

TEST(PoolReciprocal, IsOneOverAreaRoundedToEighteenBits) {
  EXPECT_EQ(inference::pool_reciprocal_raw(2), 131072);
  EXPECT_EQ(inference::pool_reciprocal_raw(4), 65536);
  EXPECT_EQ(inference::pool_reciprocal_raw(16), 16384);
  EXPECT_EQ(inference::pool_reciprocal_raw(3), 87381);  // 87381.33
  EXPECT_EQ(inference::pool_reciprocal_raw(7), 37449);  // 37449.14
  EXPECT_EQ(inference::pool_reciprocal_raw(9), 29127);  // 29127.11
  EXPECT_EQ(inference::pool_reciprocal_raw(49), 5350);  // 5349.88
  EXPECT_THROW(inference::pool_reciprocal_raw(1), sparsepixels::Error);
}

// 4x4x1 input, InputReduce(3, 0.25), SparseConv 3x3 -> 1, SparseReLU, SparseAvgPool 2, SparseFlatten,
// Dense 1, Sigmoid; 8-bit types.
model::Model tiny_model(spec::Selection selection) {
  spec::ModelSpec spec;
  spec.input_height = 4;
  spec.input_width = 4;
  spec.input_channels = 1;
  spec.input_type = type("ap_ufixed<8,1>");
  spec.defaults.weight = type("ap_fixed<8,1>");
  spec.defaults.bias = type("ap_fixed<8,1>");
  spec.defaults.result = type("ap_fixed<16,6,AP_RND_CONV,AP_SAT>");
  spec.defaults.accum_auto = true;
  auto add = [&](spec::LayerKind kind) -> spec::LayerSpec& {
    spec.layers.emplace_back();
    spec.layers.back().kind = kind;
    return spec.layers.back();
  };
  auto& reduce = add(spec::LayerKind::InputReduce);
  reduce.n_active = 3;
  reduce.threshold = 0.25;
  reduce.selection = selection;
  auto& conv = add(spec::LayerKind::SparseConv2D);
  conv.filters = 1;
  conv.kernel = 3;
  add(spec::LayerKind::SparseReLU).precision.result = type("ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  auto& pool = add(spec::LayerKind::SparseAvgPool2D);
  pool.pool_height = pool.pool_width = 2;
  pool.precision.result = type("ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  add(spec::LayerKind::SparseFlatten);
  add(spec::LayerKind::Dense).units = 1;
  auto& sigmoid = add(spec::LayerKind::Sigmoid);
  sigmoid.precision.result = type("ap_fixed<16,6>");
  sigmoid.precision.table = type("ap_fixed<18,2>");
  model::Model tiny(spec);
  tiny.layer(1).weights = {0.25f, 0.25f, 0.25f, 0.25f, 0.75f, 0.25f, 0.25f, 0.25f, 0.25f};
  tiny.layer(1).bias = {-0.125f};
  tiny.layer(5).weights = {0.5f, -0.25f, 0.75f, 0.125f};
  tiny.layer(5).bias = {0.0625f};
  return tiny;
}

// Pixels (row, col): (0,1) 0.5, (1,1) 0.25 (equal to the threshold: inactive), (1,2) 0.75, (2,0) 1.0,
// (3,3) 0.3 (quantized down to 38/128 = 0.296875: active, dropped by raster as the fourth).
std::vector<float> tiny_event() {
  std::vector<float> x(16, 0.0f);
  x[1] = 0.5f;
  x[5] = 0.25f;
  x[6] = 0.75f;
  x[8] = 1.0f;
  x[15] = 0.3f;
  return x;
}

// Raw values of a layer's output as doubles of its type.
std::vector<double> values_of(const inference::FixedModel& fixed,
                              const std::vector<inference::LayerValues>& trace, std::size_t layer) {
  std::vector<double> values;
  for (std::int64_t raw : trace[layer].raw) values.push_back(fixed.result_type(layer).to_double(raw));
  return values;
}

TEST(FixedInference, TinySparseModelByHand) {
  const model::Model tiny = tiny_model(spec::Selection::Raster);
  const inference::FixedModel fixed(tiny);
  EXPECT_EQ(fixed.threshold_raw(), 32);  // 0.25 in ap_ufixed<8,1>
  std::vector<inference::LayerValues> trace;
  const std::vector<float> x = tiny_event();
  fixed.run(x.data(), trace);
  ASSERT_EQ(trace.size(), 7u);
  // Raster: the first three active pixels, 1-based coordinates.
  EXPECT_EQ(values_of(fixed, trace, 0), (std::vector<double>{0.5, 0.75, 1.0}));
  EXPECT_EQ(trace[0].hash, (std::vector<int>{1, 2, 2, 3, 3, 1}));
  // Conv: A=(1,2) 0.75*0.5 + 0.25*0.75 - 0.125; B=(2,3) 0.25*0.5 + 0.75*0.75 - 0.125; C=(3,1) alone.
  EXPECT_EQ(values_of(fixed, trace, 1), (std::vector<double>{0.4375, 0.5625, 0.625}));
  EXPECT_EQ(trace[1].hash, trace[0].hash);
  EXPECT_EQ(values_of(fixed, trace, 2), (std::vector<double>{0.4375, 0.5625, 0.625}));
  // Pool 2x2: every slot leads its own cell; value x R with R = 1/4 exactly.
  EXPECT_EQ(values_of(fixed, trace, 3), (std::vector<double>{0.109375, 0.140625, 0.15625}));
  EXPECT_EQ(trace[3].hash, (std::vector<int>{1, 1, 1, 2, 2, 1}));
  EXPECT_EQ(values_of(fixed, trace, 4), (std::vector<double>{0.109375, 0.140625, 0.15625, 0.0}));
  EXPECT_TRUE(trace[4].hash.empty());
  // Dense: 0.5*0.109375 - 0.25*0.140625 + 0.75*0.15625 + 0.0625.
  EXPECT_EQ(values_of(fixed, trace, 5), (std::vector<double>{0.19921875}));
  // Sigmoid: bin floor((x + 8) * 64) = 524, centre 0.1953125, sigmoid 0.5486735 = 35957.8 / 2^16 in
  // the table type ap_fixed<18,2>: 35958; cast (AP_TRN) to ap_fixed<16,6>: floor(35958 / 64) = 561.
  EXPECT_EQ(trace[6].raw, (std::vector<std::int64_t>{561}));
  const auto output = fixed.predict(x.data(), 1);
  EXPECT_EQ(output.raw, (std::vector<std::int64_t>{561}));
  EXPECT_EQ(output.values, (std::vector<double>{0.5478515625}));
}

TEST(FixedInference, TopkOrdersByValue) {
  const model::Model tiny = tiny_model(spec::Selection::TopK);
  const inference::FixedModel fixed(tiny);
  std::vector<inference::LayerValues> trace;
  std::vector<float> x = tiny_event();
  fixed.run(x.data(), trace);
  EXPECT_EQ(values_of(fixed, trace, 0), (std::vector<double>{1.0, 0.75, 0.5}));
  EXPECT_EQ(trace[0].hash, (std::vector<int>{3, 1, 2, 3, 1, 2}));
  // Ties go to the lower raster index: (3,3) raised to 1.0 comes after (2,0).
  x[15] = 1.0f;
  fixed.run(x.data(), trace);
  EXPECT_EQ(trace[0].hash, (std::vector<int>{3, 1, 4, 4, 2, 3}));
}

TEST(FixedInference, EmptyEventGivesEmptySlots) {
  const model::Model tiny = tiny_model(spec::Selection::Raster);
  const inference::FixedModel fixed(tiny);
  std::vector<inference::LayerValues> trace;
  std::vector<float> x(16, 0.2f);  // all below the threshold
  fixed.run(x.data(), trace);
  EXPECT_EQ(trace[0].raw, (std::vector<std::int64_t>{0, 0, 0}));
  EXPECT_EQ(trace[0].hash, (std::vector<int>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(trace[1].raw, (std::vector<std::int64_t>{0, 0, 0}));         // inactive slots get no bias
  EXPECT_EQ(values_of(fixed, trace, 5), (std::vector<double>{0.0625}));  // the dense bias alone
}

TEST(FixedInference, ZeroSumGetsNoBias) {
  model::Model tiny = tiny_model(spec::Selection::Raster);
  // Only the centre (0.75) and the tap right of it (-0.75).
  tiny.layer(1).weights = {0, 0, 0, 0, 0.75f, -0.75f, 0, 0, 0};
  const inference::FixedModel fixed(tiny);
  std::vector<float> x(16, 0.0f);
  x[0] = 0.5f;
  x[1] = 0.5f;
  std::vector<inference::LayerValues> trace;
  fixed.run(x.data(), trace);
  // Slot (1,1): 0.375 - 0.375 = 0 exactly, so no bias; slot (1,2): 0.375 - 0.125; empty slot: 0.
  EXPECT_EQ(values_of(fixed, trace, 1), (std::vector<double>{0.0, 0.25, 0.0}));
}

TEST(FixedInference, ResultsDoNotDependOnThreads) {
  const model::Model tiny = tiny_model(spec::Selection::TopK);
  const inference::FixedModel fixed(tiny);
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(0.0f, 1.2f);
  std::vector<float> x(16 * 500);
  for (float& v : x) v = random() % 3 == 0 ? value(random) : 0.0f;
  inference::FixedOptions one, two;
  one.threads = 1;
  two.threads = 2;
  two.profile = true;
  two.trace = true;
  const auto a = fixed.predict(x.data(), 500, one);
  const auto b = fixed.predict(x.data(), 500, two);
  EXPECT_EQ(a.raw, b.raw);
  // The outputs are the last layer's trace, event by event (whatever the thread that ran the event).
  ASSERT_EQ(b.trace.size(), 500u);
  for (std::size_t event = 0; event < 500; ++event) {
    const std::vector<std::int64_t> outputs(
        b.raw.begin() + static_cast<std::ptrdiff_t>(event * b.output_size),
        b.raw.begin() + static_cast<std::ptrdiff_t>((event + 1) * b.output_size));
    EXPECT_EQ(b.trace[event].back().raw, outputs) << "event " << event;
  }
  ASSERT_EQ(b.profile.size(), 7u);
  EXPECT_EQ(b.profile[0].values, 500u * 3);
  EXPECT_GT(b.profile[6].nonzero, 0u);
  EXPECT_GE(b.profile[1].min_value, -32.0);
}

TEST(FixedInference, ProfileCountsOutOfRangeCasts) {
  model::Model tiny = tiny_model(spec::Selection::Raster);
  tiny.layer(5).weights = {0.99f, 0.99f, 0.99f, 0.99f};
  tiny.layer(5).bias = {0.99f};
  // A dense result type holding at most 0.75: every sum above it saturates.
  spec::ModelSpec spec = tiny.spec();
  spec.layers[5].precision.result = type("ap_ufixed<2,0,AP_TRN,AP_SAT>");
  model::Model narrow(spec);
  for (std::size_t k = 0; k < narrow.size(); ++k) {
    narrow.layer(k).weights = tiny.layer(k).weights;
    narrow.layer(k).bias = tiny.layer(k).bias;
  }
  const inference::FixedModel fixed(narrow);
  const std::vector<float> x = tiny_event();
  inference::FixedOptions options;
  options.profile = true;
  const auto output = fixed.predict(x.data(), 1, options);
  EXPECT_EQ(output.profile[5].out_of_range, 1u);
  EXPECT_EQ(output.profile[5].max_value, 0.75);
  EXPECT_EQ(output.profile[4].out_of_range, 0u);
}

TEST(FixedInference, RejectsNonFiniteParameters) {
  model::Model tiny = tiny_model(spec::Selection::Raster);
  tiny.layer(5).weights[2] = std::nanf("");
  try {
    inference::FixedModel fixed(tiny);
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& error) {
    EXPECT_NE(std::string(error.what()).find(tiny.resolved()[5].spec.name), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("weights"), std::string::npos) << error.what();
  }
}

}  // namespace
