// The model file: round trip and validation on load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/version.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

std::string temporary_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("sparsepixels_model_test_" + name)).string();
}

std::vector<float> sparse_events(std::size_t events, int size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<float> x(events * size * size, 0.0f);
  for (std::size_t e = 0; e < events; ++e) {
    for (int k = 0; k < 30; ++k)
      x[e * size * size + random() % (size * size)] = 0.1f + (random() % 1000) / 1000.0f;
  }
  return x;
}

TEST(ModelFile, RoundTripKeepsEverythingExactly) {
  ModelSpec spec = paper_model("neutrino", 16);
  spec.layers[1].precision.weight = fixed::FixedType::parse("ap_fixed<8,3>");
  spec.training.reduce_lr_factor = 0.3;
  spec.training.reduce_lr_patience = 4;
  spec.training.reduce_lr_min_delta = 0.002;
  spec.training.min_learning_rate = 1e-6;
  spec.training.slot_rule = SlotRule::Keras;
  Model model(spec);
  model.initialize(42);
  const std::string path = temporary_path("roundtrip.json");
  save_model(model, path);
  const Model loaded = load_model(path);
  EXPECT_EQ(loaded.seed(), 42u);
  EXPECT_EQ(loaded.spec().training.reduce_lr_factor, 0.3);
  EXPECT_EQ(loaded.spec().training.reduce_lr_patience, 4);
  EXPECT_EQ(loaded.spec().training.reduce_lr_min_delta, 0.002);
  EXPECT_EQ(loaded.spec().training.min_learning_rate, 1e-6);
  EXPECT_EQ(loaded.spec().training.slot_rule, SlotRule::Keras);
  EXPECT_EQ(loaded.parameters(), model.parameters());
  ASSERT_EQ(loaded.size(), model.size());
  for (std::size_t i = 0; i < model.size(); ++i) {
    EXPECT_EQ(loaded.resolved()[i].spec.name, model.resolved()[i].spec.name);
    EXPECT_EQ(loaded.resolved()[i].types.accum, model.resolved()[i].types.accum);
    EXPECT_EQ(loaded.resolved()[i].types.weight, model.resolved()[i].types.weight);
    EXPECT_EQ(loaded.resolved()[i].output, model.resolved()[i].output);
  }
  const auto x = sparse_events(40, 63, 3);
  std::vector<float> a, b;
  model.predict(x.data(), 40, a);
  loaded.predict(x.data(), 40, b);
  EXPECT_EQ(a, b);
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["tool_version"], version());
  EXPECT_EQ(j["format_version"], 1);
  std::filesystem::remove(path);
}

// Saves a model, edits its JSON, and expects loading to fail naming the file and `parts`.
// `file`: the temporary file's name (tests running at once need different ones).
void expect_load_error(const std::function<void(nlohmann::json&)>& edit,
                       const std::vector<std::string>& parts, const std::string& file = "bad.json") {
  Model model(paper_model("neutrino", 8));
  model.initialize(1);
  const std::string path = temporary_path(file);
  save_model(model, path);
  nlohmann::json j;
  {
    std::ifstream in(path);
    j = nlohmann::json::parse(in);
  }
  edit(j);
  {
    std::ofstream out(path);
    out << j.dump();
  }
  try {
    load_model(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    for (const auto& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
  std::filesystem::remove(path);
}

TEST(ModelFile, LoadRejectsBadFiles) {
  expect_load_error([](auto& j) { j["layers"][1]["type"] = "Conv3D"; }, {"Conv3D", "type"});
  expect_load_error([](auto& j) { j["layers"][1]["weights"].erase(0); }, {"conv1", "weights", "49"});
  expect_load_error([](auto& j) { j["layers"][1]["types"]["weight"] = "ap_fixed<8>"; },
                    {"conv1", "types.weight"});
  expect_load_error([](auto& j) { j["layers"][7]["types"]["accum"] = "ap_fixed<10,4>"; },
                    {"dense1", "accum"});
  expect_load_error([](auto& j) { j["format_version"] = 99; }, {"format_version", "99"});
  expect_load_error([](auto& j) { j["layers"][1]["kernel"] = 5; }, {"conv1", "weights"});
  expect_load_error([](auto& j) { j["layers"][5]["output_shape"]["channels"] = 7; },
                    {"pool2", "output_shape"});
  expect_load_error([](auto& j) { j.erase("seed"); }, {"seed", "missing"});
}

TEST(ModelFile, ArithmeticProfileRoundTrips) {
  for (const auto profile : {ArithmeticProfile::Exact, ArithmeticProfile::Hls4ml}) {
    ModelSpec spec = paper_model("neutrino", 16);
    spec.arithmetic_profile = profile;
    Model model(spec);
    model.initialize(3);
    const std::string path = temporary_path("profile.json");
    save_model(model, path);
    nlohmann::json j;
    {
      std::ifstream in(path);
      j = nlohmann::json::parse(in);
    }
    // Always written, the default too.
    EXPECT_EQ(j["arithmetic_profile"], profile == ArithmeticProfile::Exact ? "exact" : "hls4ml");
    const Model loaded = load_model(path);
    EXPECT_EQ(loaded.spec().arithmetic_profile, profile);
    EXPECT_EQ(loaded.resolved().back().profile, profile);
    EXPECT_EQ(loaded.resolved().back().types.table, model.resolved().back().types.table);
    // A file written before profiles existed has no field: exact.
    j.erase("arithmetic_profile");
    {
      std::ofstream out(path);
      out << j.dump();
    }
    EXPECT_EQ(load_model(path).spec().arithmetic_profile, ArithmeticProfile::Exact);
    std::filesystem::remove(path);
  }
  expect_load_error([](auto& j) { j["arithmetic_profile"] = "vivado"; }, {"arithmetic_profile", "vivado"},
                    "bad_profile.json");
  expect_load_error([](auto& j) { j["arithmetic_profile"] = 1; }, {"arithmetic_profile", "string"},
                    "bad_profile.json");
}

TEST(ModelFile, ConfigOrModelByExtension) {
  EXPECT_THROW(load_model_or_config("model.txt"), Error);
  const std::string path = temporary_path("config.yml");
  {
    std::ofstream out(path);
    out << "input: {height: 8, width: 8}\nlayers:\n  - {type: Flatten}\n  - {type: Dense, units: 1}\n"
           "  - {type: Sigmoid}\n";
  }
  const Model model = load_model_or_config(path);
  EXPECT_EQ(model.parameter_count(), 65u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sparsepixels::model
