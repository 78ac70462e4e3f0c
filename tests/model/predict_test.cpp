// Model::predict: the kept worker pool and the in-place input reduction give exactly what the
// layers give one by one on a copied batch, whatever the thread count, mode or concurrent calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>

#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

// Sparse 63x63 events with awkward pixels: NaN, infinities, negatives, values equal to the threshold,
// and active pixels on the edges of the reduction's 16-pixel blocks and in the tail after the last block.
std::vector<float> awkward_events(std::size_t events, std::uint64_t seed) {
  constexpr int kPixels = 63 * 63;
  std::mt19937_64 random(seed);
  std::vector<float> x(events * kPixels, 0.0f);
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            -0.5f,
                            0.0f,
                            -0.0f};
  for (std::size_t e = 0; e < events; ++e) {
    float* image = x.data() + e * kPixels;
    for (int k = 0; k < 40; ++k)
      image[random() % kPixels] = 0.05f + static_cast<float>(random() % 1000) / 250.0f;
    // Block edges (15, 16, 31, 32) and the tail (3968 is past the last whole block of 16).
    if (e % 3 == 0) image[15] = 1.5f;
    if (e % 4 == 1) image[16] = 2.5f;
    if (e % 5 == 2) image[kPixels - 1] = 0.75f;
    if (e % 7 == 3) image[3968] = 0.25f;
    if (e % 2 == 0) image[random() % kPixels] = specials[random() % 6];
  }
  return x;
}

std::vector<std::uint32_t> bits(const std::vector<float>& values) {
  std::vector<std::uint32_t> out;
  for (float v : values) out.push_back(std::bit_cast<std::uint32_t>(v));
  return out;
}

// The reference: each layer's own forward on a batch holding a copy of the events, in shards of
// 64 events as predict makes them (results are per event, so shard boundaries do not matter).
std::vector<float> layer_by_layer(Model& model, const std::vector<float>& x, std::size_t events,
                                  bool quantized) {
  for (std::size_t i = 0; i < model.size(); ++i) {
    auto& layer = model.layer(i);
    if (layer.quantized() != quantized) layer.prepare(quantized);
  }
  const std::size_t in_size = model.input_shape().size();
  std::vector<float> out;
  std::vector<tensor::Batch> activations(model.size() + 1);
  for (std::size_t first = 0; first < events; first += 64) {
    const std::size_t count = std::min<std::size_t>(64, events - first);
    activations[0].reset(count, in_size);
    std::copy_n(x.data() + first * in_size, count * in_size, activations[0].values.begin());
    if (quantized) quantize_inputs(model, activations[0].values.data(), activations[0].values.size());
    forward_range(model, 0, model.size(), activations);
    out.insert(out.end(), activations.back().values.begin(), activations.back().values.end());
  }
  return out;
}

Model initialized(int n_active, std::uint64_t seed) {
  Model model(paper_model("neutrino", n_active));
  model.initialize(seed);
  return model;
}

TEST(Predict, SparseModelEqualsLayerByLayerOnACopyBitForBit) {
  Model model = initialized(20, 7);
  const std::size_t events = 300;  // not a multiple of the 64-event shards
  const auto x = awkward_events(events, 11);
  for (bool quantized : {false, true}) {
    const auto expected = bits(layer_by_layer(model, x, events, quantized));
    ASSERT_EQ(expected.size(), events * model.output_size());
    // Thread counts change between calls on the same model: the kept pool is replaced.
    for (int threads : {1, 2, 3, 2, 1}) {
      std::vector<float> out;
      model.predict(x.data(), events, out, quantized, threads);
      EXPECT_EQ(bits(out), expected) << "quantized " << quantized << ", threads " << threads;
    }
  }
}

TEST(Predict, ReductionSelectsTheFirstPixelsAboveThresholdIgnoringNaN) {
  // A brute-force raster scan (threshold 0: NaN, infinities below it and zeros are never kept).
  Model model = initialized(12, 3);
  const std::size_t events = 90;
  const auto x = awkward_events(events, 5);
  tensor::Batch in, out;
  in.reset(events, 63 * 63);
  std::copy(x.begin(), x.end(), in.values.begin());
  model.layer(0).forward(in, out);
  for (std::size_t e = 0; e < events; ++e) {
    int slot = 0;
    for (int pixel = 0; pixel < 63 * 63 && slot < 12; ++pixel) {
      const float value = x[e * 63 * 63 + pixel];
      if (!(value > 0.0f)) continue;
      EXPECT_EQ(std::bit_cast<std::uint32_t>(out.event(e)[slot]), std::bit_cast<std::uint32_t>(value));
      EXPECT_EQ(out.geometry->row[e * 12 + slot], pixel / 63 + 1) << "event " << e << " slot " << slot;
      EXPECT_EQ(out.geometry->col[e * 12 + slot], pixel % 63 + 1) << "event " << e << " slot " << slot;
      ++slot;
    }
    for (; slot < 12; ++slot) EXPECT_EQ(out.geometry->position[e * 12 + slot], 0);
  }
}

TEST(Predict, StandardModelEqualsLayerByLayerInBothModes) {
  // The first layer is a Conv2D: predict copies the events (and converts them to the input type in QAT).
  Model model = initialized(0, 9);
  const std::size_t events = 20;
  const auto x = awkward_events(events, 13);
  for (bool quantized : {false, true}) {
    const auto expected = bits(layer_by_layer(model, x, events, quantized));
    std::vector<float> out;
    model.predict(x.data(), events, out, quantized, 2);
    EXPECT_EQ(bits(out), expected) << "quantized " << quantized;
  }
}

TEST(Predict, ConcurrentCallsOnOneModelGiveTheSameResults) {
  // One call holds the kept pool; the others run on their own, and none may disturb another.
  Model model = initialized(16, 21);
  const std::size_t events = 700;
  const auto x = awkward_events(events, 17);
  const auto expected = bits(layer_by_layer(model, x, events, false));
  std::vector<std::vector<float>> outputs(4);
  std::vector<std::thread> callers;
  for (std::size_t c = 0; c < outputs.size(); ++c) {
    callers.emplace_back([&, c] {
      for (int repeat = 0; repeat < 3; ++repeat) model.predict(x.data(), events, outputs[c], false, 2);
    });
  }
  for (auto& caller : callers) caller.join();
  for (const auto& out : outputs) EXPECT_EQ(bits(out), expected);
}

TEST(Predict, MovedModelKeepsPredicting) {
  Model model = initialized(8, 4);
  const auto x = awkward_events(70, 2);
  std::vector<float> before, after;
  model.predict(x.data(), 70, before, false, 2);
  Model moved = std::move(model);
  moved.predict(x.data(), 70, after, false, 2);
  EXPECT_EQ(bits(after), bits(before));
  EXPECT_EQ(bits(after), bits(layer_by_layer(moved, x, 70, false)));
}

TEST(Predict, NoEventsGivesNoOutput) {
  Model model = initialized(8, 4);
  std::vector<float> out(5, 1.0f);
  model.predict(nullptr, 0, out, false, 2);
  EXPECT_TRUE(out.empty());
}

// predict_finite: the same outputs as predict on finite events; the lowest event holding an inf or
// NaN, whichever shard (of 64 events) and thread finds one first.
TEST(PredictFinite, FindsTheFirstNonFiniteEventOrGivesPredictsOutputs) {
  for (const int n_active : {0, 12}) {
    Model model = initialized(n_active, 5);
    std::vector<float> x(300 * 63 * 63, 0.0f);
    for (std::size_t i = 0; i < x.size(); i += 97) x[i] = 0.5f + static_cast<float>(i % 7) / 8.0f;
    std::vector<float> expected, out;
    model.predict(x.data(), 300, expected, false, 2);
    EXPECT_EQ(model.predict_finite(x.data(), 300, out, false, 2), 300u);
    EXPECT_EQ(bits(out), bits(expected));
    x[250 * 63 * 63 + 17] = std::numeric_limits<float>::quiet_NaN();   // shard 3
    x[70 * 63 * 63 + 3968] = -std::numeric_limits<float>::infinity();  // shard 1, past the last block
    x[130 * 63 * 63] = std::numeric_limits<float>::infinity();         // shard 2
    for (const int threads : {1, 2, 3})
      EXPECT_EQ(model.predict_finite(x.data(), 300, out, false, threads), 70u);
  }
}

// predict_hits: from hit lists, the outputs of predict on the dense events, bit for bit: sparse
// models (raster and top-k, float and QAT, the hls4ml profile's phantom slots with two channels) and a
// standard model (made dense per shard).
TEST(PredictHits, EqualsPredictOnTheDenseEvents) {
  std::mt19937_64 random(17);
  auto events_of = [&](int channels) {
    std::vector<float> x(200 * 63 * 63 * static_cast<std::size_t>(channels), 0.0f);
    for (std::size_t e = 0; e < 200; ++e) {
      for (int k = 0; k < 35; ++k) {
        const std::size_t pixel = random() % (63 * 63);
        for (int c = 0; c < channels; ++c)
          x[(e * 63 * 63 + pixel) * channels + c] = static_cast<float>(random() % 1000) / 400.0f - 0.2f;
      }
      if (e % 5 == 0) x[e * 63 * 63 * channels + channels - 1] = 0.75f;  // pixel 0, the last channel
    }
    return x;
  };
  auto hits_of = [](const std::vector<float>& x, int channels, std::vector<std::int64_t>& offsets,
                    std::vector<std::uint32_t>& coords, std::vector<float>& values) {
    offsets.assign(1, 0);
    const std::size_t pixels = 63 * 63;
    for (std::size_t e = 0; e < x.size() / (pixels * channels); ++e) {
      for (std::size_t p = 0; p < pixels; ++p) {
        const float* v = x.data() + (e * pixels + p) * channels;
        if (std::all_of(v, v + channels, [](float f) { return f == 0.0f; })) continue;
        coords.push_back(static_cast<std::uint32_t>(p / 63));
        coords.push_back(static_cast<std::uint32_t>(p % 63));
        values.insert(values.end(), v, v + channels);
      }
      offsets.push_back(static_cast<std::int64_t>(coords.size() / 2));
    }
  };
  struct Case {
    int n_active, channels;
    Selection selection;
    ArithmeticProfile profile;
  };
  for (const Case& c : {Case{12, 1, Selection::Raster, ArithmeticProfile::Exact},
                        Case{20, 1, Selection::TopK, ArithmeticProfile::Exact},
                        Case{40, 2, Selection::Raster, ArithmeticProfile::Hls4ml},
                        Case{0, 1, Selection::Raster, ArithmeticProfile::Exact}}) {
    ModelSpec spec = paper_model("neutrino", c.n_active);
    spec.input_channels = c.channels;
    spec.arithmetic_profile = c.profile;
    if (c.n_active > 0) spec.layers.front().selection = c.selection;
    Model model(spec);
    model.initialize(3);
    const std::vector<float> x = events_of(c.channels);
    std::vector<std::int64_t> offsets;
    std::vector<std::uint32_t> coords;
    std::vector<float> values;
    hits_of(x, c.channels, offsets, coords, values);
    const tensor::HitEvents hits{offsets.data(), coords.data(), values.data(), 200};
    for (const bool quantized : {false, true}) {
      std::vector<float> dense, sparse;
      model.predict(x.data(), 200, dense, quantized, 2);
      model.predict_hits(hits, sparse, quantized, 2);
      EXPECT_EQ(bits(sparse), bits(dense)) << c.n_active << " " << c.channels << " " << quantized;
    }
  }
}

}  // namespace
}  // namespace sparsepixels::model
