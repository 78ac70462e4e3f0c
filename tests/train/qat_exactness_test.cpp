// QAT's forward pass must equal the bit-exact fixed inference (inference::FixedModel) up to the last
// activation's input (reference 11.8), for every example config of the paper, 8 and 16 bits, sparse
// and standard. The 16-bit configs have sums wider than float32's 24 bits, so this only holds because
// QAT sums in double where the accumulator needs it; the test also shows that float32 sums fail.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/tensor/shard_pool.h"
#include "sparsepixels/train/engine.h"

namespace sparsepixels::train {
namespace {

std::vector<std::string> example_configs() {
  std::vector<std::string> paths;
  const std::filesystem::path root = std::filesystem::path(SPARSEPIXELS_SOURCE_DIR) / "examples";
  // The paper's 30 (examples/lartpc-*, the large-image configs, share neutrino sparse-l's layers; their
  // inputs are far too large for dense test events).
  for (const char* dataset : {"mnist", "jets", "neutrino"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root / dataset)) {
      if (entry.is_regular_file() && entry.path().extension() == ".yml")
        paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Events shaped like the model's input: 1-2% of the pixels active, in one to three clusters (tracks,
// strokes, jets), values uniform in [0, 1] on every channel, the rest zero; an empty event first;
// random labels over `classes`.
data::Split generate_events(const model::Model& model, std::size_t events, std::uint64_t seed, int classes) {
  const spec::Shape shape = model.input_shape();
  data::Split split;
  split.height = static_cast<std::size_t>(shape.height);
  split.width = static_cast<std::size_t>(shape.width);
  split.channels = static_cast<std::size_t>(shape.channels);
  const std::size_t pixels = split.height * split.width;
  split.x.assign(events * split.event_size(), 0.0f);
  std::mt19937_64 random(seed);
  auto unit = [&] { return static_cast<double>(random() >> 11) * 0x1.0p-53; };
  auto around = [&](std::size_t centre, std::size_t size) {
    const auto offset = static_cast<long>(random() % 7) - 3;
    return static_cast<std::size_t>(
        std::clamp<long>(static_cast<long>(centre) + offset, 0, static_cast<long>(size) - 1));
  };
  for (std::size_t e = 0; e < events; ++e) {
    split.y.push_back(static_cast<std::int32_t>(random() % static_cast<std::uint64_t>(classes)));
    if (e == 0) continue;
    const auto active = static_cast<std::size_t>(static_cast<double>(pixels) * (0.01 + 0.01 * unit())) + 1;
    std::vector<std::pair<std::size_t, std::size_t>> centres(1 + random() % 3);
    for (auto& [row, col] : centres) {
      row = random() % split.height;
      col = random() % split.width;
    }
    for (std::size_t k = 0; k < active; ++k) {
      const auto& [row, col] = centres[random() % centres.size()];
      const std::size_t pixel = around(row, split.height) * split.width + around(col, split.width);
      for (std::size_t c = 0; c < split.channels; ++c) {
        split.x[e * split.event_size() + pixel * split.channels + c] = static_cast<float>(unit());
      }
    }
  }
  return split;
}

// Realistic random parameters: Glorot-uniform, but at least a few steps of the weight type's grid
// wide (the 8-bit jets weights have a step of 1/8, more than the Glorot limit), biases a quarter of
// that; both rounded to their types by QAT and the fixed inference alike. `scale` widens the range
// (large weights make sums wider than 24 bits in the 16-bit configs).
void randomize(model::Model& model, std::uint64_t seed, double scale) {
  model.initialize(seed);
  std::mt19937_64 random(seed + 1000);
  for (std::size_t i = 0; i < model.size(); ++i) {
    layers::Layer& layer = model.layer(i);
    if (layer.weights.empty()) continue;
    float glorot = 0.0f;
    for (float w : layer.weights) glorot = std::max(glorot, std::abs(w));
    const double limit = scale * std::max<double>(glorot, 3.0 * model.resolved()[i].types.weight.lsb());
    auto uniform = [&](double scale) {
      return static_cast<float>((2.0 * static_cast<double>(random() >> 11) * 0x1.0p-53 - 1.0) * scale);
    };
    for (float& w : layer.weights) w = uniform(limit);
    for (float& b : layer.bias) b = uniform(limit / 4);
    layer.prepare(false);
  }
}

// Index of the final Sigmoid/Softmax: the logits are the output of the layer before it.
std::size_t head_of(const model::Model& model) {
  const spec::LayerKind last = model.resolved().back().spec.kind;
  const bool activation = last == spec::LayerKind::Sigmoid || last == spec::LayerKind::Softmax;
  return activation ? model.size() - 1 : model.size();
}

struct Comparison {
  std::size_t compared = 0, mismatches = 0;
  std::vector<std::size_t> nonzero;  // per compared layer: fixed outputs different from zero
  std::string first_mismatch;
};

// Runs the QAT forward pass and the fixed inference on the same events and compares every output
// of every layer before the head (features and, for sparse layers, coordinates) value for value.
Comparison compare(model::Model& model, const data::Split& events, layers::QatSums sums) {
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(true, sums);
  const inference::FixedModel fixed(model);
  const std::size_t head = head_of(model);
  Comparison result;
  result.nonzero.assign(head, 0);
  constexpr std::size_t kChunk = 50;
  std::vector<tensor::Batch> activations(model.size() + 1);
  std::vector<inference::LayerValues> outputs;
  for (std::size_t first = 0; first < events.size(); first += kChunk) {
    const std::size_t count = std::min(kChunk, events.size() - first);
    activations[0].reset(count, events.event_size());
    std::copy_n(events.event(first), count * events.event_size(), activations[0].values.begin());
    model::quantize_inputs(model, activations[0].values.data(), activations[0].values.size());
    model::forward_range(model, 0, head, activations);
    for (std::size_t k = 0; k < count; ++k) {
      fixed.run(events.event(first + k), outputs);
      for (std::size_t layer = 0; layer < head; ++layer) {
        const tensor::Batch& qat = activations[layer + 1];
        const inference::LayerValues& exact = outputs[layer];
        EXPECT_EQ(qat.event_size, exact.raw.size()) << model.spec().name << " layer " << layer;
        const fixed::FixedType& type = fixed.result_type(layer);
        // Logits wider than float32 (the 16-bit configs') are carried rounded once to float32.
        const bool rounded = model.resolved()[layer].logits && !layers::fits_float(type);
        for (std::size_t i = 0; i < exact.raw.size(); ++i) {
          const double value = type.to_double(exact.raw[i]);
          const double expected = rounded ? static_cast<double>(static_cast<float>(value)) : value;
          const double got = qat.event(k)[i];
          ++result.compared;
          if (exact.raw[i] != 0) ++result.nonzero[layer];
          if (expected != got) {
            if (result.mismatches++ == 0) {
              result.first_mismatch =
                  fmt::format("layer {} ('{}') event {} value {}: QAT {} fixed {}", layer,
                              model.resolved()[layer].spec.name, first + k, i, got, expected);
            }
          }
        }
        if (exact.hash.empty()) continue;
        const tensor::Geometry& geometry = *qat.geometry;
        const auto slots = static_cast<std::size_t>(geometry.slots);
        for (std::size_t s = 0; s < slots; ++s) {
          ++result.compared;
          if (geometry.row[k * slots + s] != exact.hash[2 * s] ||
              geometry.col[k * slots + s] != exact.hash[2 * s + 1]) {
            if (result.mismatches++ == 0) {
              result.first_mismatch =
                  fmt::format("layer {} event {} slot {}: coordinates differ", layer, first + k, s);
            }
          }
        }
      }
    }
  }
  return result;
}

std::string describe(const Comparison& c) {
  return fmt::format("{} of {} values differ; first: {}", c.mismatches, c.compared, c.first_mismatch);
}

constexpr std::size_t kEvents = 240;

// Randomizes the model's parameters (scale as in randomize) from the first seed whose network is
// alive (some non-zero output in every layer), so no layer's comparison is vacuous, and returns the
// comparison of QAT (exact sums) with the fixed inference for it.
Comparison compare_alive(model::Model& model, const data::Split& events, double scale) {
  Comparison initial;
  bool alive = false;
  for (std::uint64_t seed = 1; seed <= 20 && !alive; ++seed) {
    randomize(model, seed, scale);
    initial = compare(model, events, layers::QatSums::Exact);
    alive =
        std::all_of(initial.nonzero.begin() + 1, initial.nonzero.end(), [](std::size_t n) { return n > 0; });
  }
  EXPECT_TRUE(alive) << "scale " << scale << ": no seed gives a live network; non-zero outputs per layer: "
                     << fmt::format("{}", fmt::join(initial.nonzero, " "));
  return initial;
}

// One QAT training step from the current weights (Adam, learning rate 0.01: every parameter moves by
// about 0.01, past the 8-bit grids' half step); QAT must still equal the fixed inference after it.
void expect_equal_after_a_training_step(model::Model& model, const data::Split& events, int classes,
                                        const data::Split* train = nullptr) {
  {
    tensor::ShardPool pool(2);
    Engine engine(model, true, pool);
    const PreparedSplit train_events =
        engine.prepare(train ? *train : generate_events(model, 128, 12, classes));
    std::vector<std::uint32_t> order(train_events.events);
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::vector<std::vector<float>> before = model.parameters();
    engine.train_step(train_events, order.data(), order.size());
    Adam adam(model, 0.01, 0.9, 0.999, 1e-7);
    adam.step(engine.gradients());
    engine.refresh();
    EXPECT_NE(model.parameters(), before);
  }
  const Comparison after = compare(model, events, layers::QatSums::Exact);
  EXPECT_EQ(after.mismatches, 0u) << describe(after);
  EXPECT_GT(after.nonzero.back(), 0u);
}

// Every example config, under each arithmetic profile (docs/semantics.md, "Arithmetic profiles"):
// the hls4ml profile changes average pooling over 7x7 cells (the neutrino models) and the tables.
class QatExactness : public ::testing::TestWithParam<spec::ArithmeticProfile> {};

TEST_P(QatExactness, EveryExampleConfigEqualsTheFixedInference) {
  const std::vector<std::string> configs = example_configs();
  ASSERT_EQ(configs.size(), 30u);
  std::size_t float32_mismatches = 0, wide_configs = 0;
  for (const std::string& path : configs) {
    SCOPED_TRACE(path);
    spec::ModelSpec spec = model::load_config(path);
    spec.arithmetic_profile = GetParam();
    model::Model model(spec, path);
    const int classes = model.output_size() == 1 ? 2 : static_cast<int>(model.output_size());
    const data::Split events = generate_events(model, kEvents, 11, classes);
    const std::size_t head = head_of(model);
    ASSERT_LT(head, model.size());

    // Realistic weights (scale 1) and wide ones (scale 64).
    for (const double scale : {64.0, 1.0}) {
      const Comparison initial = compare_alive(model, events, scale);
      EXPECT_EQ(initial.mismatches, 0u) << "scale " << scale << ": " << describe(initial);
      const Comparison float32 = compare(model, events, layers::QatSums::Float32);
      float32_mismatches += float32.mismatches;
      // Teeth: with wide weights, float32 sums give wrong results on every 16-bit config.
      if (scale > 1 && path.find("16b") != std::string::npos) {
        EXPECT_GT(float32.mismatches, 0u);
      }
      std::printf("%-55s scale %4.0f: %zu values equal; with float32 sums %zu differ\n", path.c_str(), scale,
                  initial.compared, float32.mismatches);
    }

    // Configs with a sum wider than float32's 24 bits must use double sums there.
    bool wide = false;
    for (std::size_t i = 0; i < head; ++i) {
      const spec::ResolvedLayer& layer = model.resolved()[i];
      const bool has_sum = layer.spec.kind == spec::LayerKind::SparseConv2D ||
                           layer.spec.kind == spec::LayerKind::Conv2D ||
                           layer.spec.kind == spec::LayerKind::Dense;
      if (has_sum && layer.types.accum.width > 24) {
        wide = true;
        model.layer(i).prepare(true);
        EXPECT_TRUE(model.layer(i).double_sums()) << layer.spec.name;
      }
    }
    if (path.find("16b") != std::string::npos) {
      EXPECT_TRUE(wide) << "a 16-bit config without a sum wider than 24 bits";
    }
    wide_configs += wide ? 1 : 0;

    expect_equal_after_a_training_step(model, events, classes);
  }
  EXPECT_GE(wide_configs, 15u);
  // The old float32 sums do not equal the fixed inference on these configs.
  EXPECT_GT(float32_mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, QatExactness,
                         ::testing::Values(spec::ArithmeticProfile::Exact, spec::ArithmeticProfile::Hls4ml),
                         [](const auto& info) { return spec::to_string(info.param); });

// Models where every hls4ml rule shows, under each profile: two input channels with pixel 0 set on
// channel 1 only (empty slots become phantom pixels at (1, 1) under hls4ml), max pooling of signed
// convolution outputs (all-negative cells), 3x3 and 3x2 average pooling, and both table heads.
const char* const kRulesModel = R"(
name: rules
input: {height: 12, width: 12, channels: 2, type: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,3>", bias: "ap_fixed<8,3>", result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}
layers:
  - {type: InputReduce, n_active: 6, threshold: 0.0}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseMaxPool2D, pool: 2}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU}
  - {type: SparseAvgPool2D, pool: POOL}
  - {type: SparseFlatten}
  - {type: Dense, units: UNITS}
  - {type: HEAD}
)";

// The events of generate_events with pixel 0 = (0, 0.5) in every other event.
data::Split with_pixel_zero(data::Split split) {
  for (std::size_t e = 0; e < split.size(); e += 2) {
    split.x[e * split.event_size()] = 0.0f;
    split.x[e * split.event_size() + 1] = 0.5f;
  }
  return split;
}

TEST_P(QatExactness, ModelsWhereEveryHls4mlRuleShowsEqualTheFixedInference) {
  struct Variant {
    const char* pool;
    const char* head;
    int units;
  };
  for (const Variant& variant : {Variant{"3", "Softmax", 3}, Variant{"[3, 2]", "Sigmoid", 1}}) {
    std::string text = kRulesModel;
    auto replace = [&](const std::string& key, const std::string& value) {
      text.replace(text.find(key), key.size(), value);
    };
    replace("POOL", variant.pool);
    replace("UNITS", std::to_string(variant.units));
    replace("HEAD", variant.head);
    SCOPED_TRACE(text);
    spec::ModelSpec spec = model::parse_config(text, "rules.yml");
    spec.arithmetic_profile = GetParam();
    model::Model model(spec, "rules.yml");
    const int classes = variant.units == 1 ? 2 : variant.units;
    const data::Split events = with_pixel_zero(generate_events(model, kEvents, 21, classes));
    for (const double scale : {1.0, 8.0}) {
      const Comparison initial = compare_alive(model, events, scale);
      EXPECT_EQ(initial.mismatches, 0u) << "scale " << scale << ": " << describe(initial);
    }
    const data::Split train = with_pixel_zero(generate_events(model, 128, 22, classes));
    expect_equal_after_a_training_step(model, events, classes, &train);

    // The rules are visible: under hls4ml, empty slots of events with pixel 0 set carry its 0.5.
    const inference::FixedModel fixed(model);
    std::vector<inference::LayerValues> outputs;
    fixed.run(events.event(2), outputs);
    const std::int64_t half = fixed.result_type(0).quantize_raw(0.5);
    bool phantom = false;
    for (std::size_t slot = 0; slot < 6; ++slot) {
      phantom = phantom || (outputs[0].raw[2 * slot] == 0 && outputs[0].raw[2 * slot + 1] == half);
    }
    EXPECT_EQ(phantom, GetParam() == spec::ArithmeticProfile::Hls4ml);
  }
}

TEST(QatExactness, ResultTypesWiderThanFloatAreRejected) {
  spec::ModelSpec spec;
  spec.input_height = spec.input_width = 4;
  spec.input_type = fixed::FixedType::parse("ap_fixed<16,6>");
  spec::LayerSpec flatten;
  flatten.kind = spec::LayerKind::Flatten;
  spec::LayerSpec dense;
  dense.kind = spec::LayerKind::Dense;
  dense.units = 2;
  dense.name = "wide";
  dense.precision.result = fixed::FixedType::parse("ap_fixed<32,8>");
  spec.layers = {flatten, dense};
  model::Model model(spec);
  EXPECT_NO_THROW(model.layer(1).prepare(false));
  try {
    model.layer(1).prepare(true);
    FAIL() << "a 32-bit result type was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'wide'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("ap_fixed<32,8>"), std::string::npos) << error.what();
  }
  // The same layer feeding the final Softmax holds the logits: accepted, carried rounded to float32.
  spec::LayerSpec softmax;
  softmax.kind = spec::LayerKind::Softmax;
  spec.layers.push_back(softmax);
  model::Model with_head(spec);
  EXPECT_TRUE(with_head.resolved()[1].logits);
  EXPECT_NO_THROW(with_head.layer(1).prepare(true));
}

}  // namespace
}  // namespace sparsepixels::train
