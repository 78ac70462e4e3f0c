// The limits of include/sparsepixels/limits.h (docs/limits.md) on configs, model files and specs: each
// out-of-range value is an error naming the file and the field, found before anything is allocated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

namespace fs = std::filesystem;

// A small valid sparse model; the tests replace one piece of it.
const char* const kConfig = R"(name: small
input: {height: 12, width: 10, channels: 2}
layers:
  - {type: InputReduce, name: reduce, n_active: 6}
  - {type: SparseConv2D, name: conv, filters: 3, kernel: 5}
  - {type: SparseReLU, name: relu}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense, units: 4}
  - {type: Softmax, name: head}
training: {learning_rate: 0.01, batch_size: 16, threads: 2}
hls: {clock_ns: 4, clock_uncertainty: 0.1}
)";

// The message of the Error `action` throws (fails the test when it throws none).
template <class Action>
std::string error_of(const Action& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Parses the config with `from` replaced by `to`; expects an error naming the file and every part.
void expect_config_error(const std::string& from, const std::string& to,
                         const std::vector<std::string>& parts) {
  SCOPED_TRACE(to);
  const std::string message = error_of([&] { parse_config(replaced(kConfig, from, to), "limits.yml"); });
  EXPECT_EQ(message.rfind("limits.yml", 0), 0u) << message;
  for (const auto& part : parts)
    EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  EXPECT_LT(message.size(), 400u) << message;
}

TEST(Limits, TheSmallConfigIsValid) {
  EXPECT_EQ(parse_config(kConfig, "limits.yml").layers.size(), 6u);
}

TEST(Limits, KernelsAboveFifteenAreRejectedWhateverTheirSize) {
  // 17 does not fit the HLS kernels; 46341 squares past 2^31; 65537 and 99999 overflowed k*k before.
  for (const char* kernel : {"17", "21", "255", "46341", "65537", "99999", "2147483647"}) {
    expect_config_error("kernel: 5", std::string("kernel: ") + kernel,
                        {"conv", "'kernel'", "[1, 15]", kernel});
  }
  EXPECT_NO_THROW(parse_config(replaced(kConfig, "kernel: 5", "kernel: 15"), "limits.yml"));
}

TEST(Limits, SizesAboveTheirLimitsAreRejected) {
  expect_config_error("n_active: 6", "n_active: 70000", {"reduce", "'n_active'", "[1, 65536]"});
  expect_config_error("filters: 3", "filters: 5000", {"conv", "'filters'", "[1, 4096]"});
  expect_config_error("units: 4", "units: 3000000", {"dense", "'units'", "[1, 65536]"});
  expect_config_error("height: 12", "height: 5000", {"'input.height'", "[1, 4096]"});
  expect_config_error("width: 10", "width: 1000000", {"'input.width'", "[1, 4096]"});
  expect_config_error("channels: 2", "channels: 9999", {"'input.channels'", "[1, 4096]"});
  expect_config_error("threads: 2", "threads: 70000", {"'training.threads'", "[0, 1024]"});
  expect_config_error("batch_size: 16", "batch_size: 100000", {"'training.batch_size'"});
  expect_config_error("clock_ns: 4", "clock_ns: 2500", {"'hls.clock_ns'"});
}

TEST(Limits, ProductsOfSizesAreCheckedIn64Bits) {
  // Each size is within its limit; their products are not (and overflow 32 bits).
  const std::string big_input = replaced(kConfig, "{height: 12, width: 10, channels: 2}",
                                         "{height: 4000, width: 4000, channels: 3000}");
  const std::string message = error_of([&] { parse_config(big_input, "limits.yml"); });
  EXPECT_NE(message.find("'input'"), std::string::npos) << message;
  EXPECT_NE(message.find("48000000000 values per event"), std::string::npos) << message;

  ModelSpec spec = parse_config(kConfig, "limits.yml");
  spec.input_height = spec.input_width = 2048;
  spec.input_channels = 4;
  spec.layers = {spec.layers[1], spec.layers[2], spec.layers[3], spec.layers[4], spec.layers[5]};
  spec.layers[0].kind = LayerKind::Conv2D;
  spec.layers[0].filters = 4000;
  spec.layers[1].kind = LayerKind::ReLU;
  spec.layers[2].kind = LayerKind::Flatten;
  const std::string conv = error_of([&] { resolve(spec, "spec"); });
  EXPECT_NE(conv.find("layer 'conv'"), std::string::npos) << conv;
  EXPECT_NE(conv.find("values per event"), std::string::npos) << conv;

  spec.input_height = spec.input_width = 1024;
  spec.input_channels = 16;
  spec.layers[0].filters = 1;  // flatten: 2^20 values into 65536 units: 2^36 weights
  spec.layers[3].units = limits::kMaxUnits;
  const std::string dense = error_of([&] { resolve(spec, "spec"); });
  EXPECT_NE(dense.find("layer 'dense'"), std::string::npos) << dense;
  EXPECT_NE(dense.find("68719476736 weights exceed"), std::string::npos) << dense;
}

TEST(Limits, YamlIntegersMustBeIntegersInRange) {
  expect_config_error("kernel: 5", "kernel: 8589934595", {"conv", "'kernel'", "integer"});
  expect_config_error("kernel: 5", "kernel: 3.0001", {"conv", "'kernel'", "integer"});
  expect_config_error("units: 4", "units: 2.5", {"dense", "'units'", "integer"});
  expect_config_error("batch_size: 16", "batch_size: -4294967290", {"'training.batch_size'"});
}

TEST(Limits, YamlNumbersMustBeFinite) {
  for (const char* bad : {".nan", ".NaN", ".inf", "-.inf", "1e999"}) {
    expect_config_error("learning_rate: 0.01", std::string("learning_rate: ") + bad,
                        {"'training.learning_rate'"});
    expect_config_error("clock_ns: 4", std::string("clock_ns: ") + bad, {"'hls.clock_ns'"});
  }
  expect_config_error("{type: InputReduce, name: reduce, n_active: 6}",
                      "{type: InputReduce, name: reduce, n_active: 6, threshold: .inf}", {"'threshold'"});
}

// Values of the wrong shape that yaml-cpp itself refuses to convert: the file and line, not "yaml-cpp:
// error".
TEST(Limits, YamlConversionErrorsNameTheFile) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"channels: 2}", "channels: 2, type: [8, 3]}"}, {"name: small", "name: small\n[1, 2]: 3"}}) {
    const std::string message = error_of([&] { parse_config(replaced(kConfig, from, to), "shape.yml"); });
    EXPECT_EQ(message.rfind("shape.yml:", 0), 0u) << message;
    EXPECT_EQ(message.find("yaml-cpp"), std::string::npos) << message;
  }
}

// A name or value from a file is shown short and without control characters (terminal escapes, newlines).
TEST(Limits, ErrorsShowNamesAndValuesShortAndPrintable) {
  const std::string hostile = "evil\\e[31m\\n" + std::string(5000, 'x');
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"name: conv, filters: 3, kernel: 5", "name: \"" + hostile + "\", filters: 3, kernel: 23"},
           {"type: SparseReLU, name: relu", "type: \"" + hostile + "\", name: relu"},
           {"learning_rate: 0.01", "learning_rate: " + std::string(3000, '9') + "x"}}) {
    const std::string message = error_of([&] { parse_config(replaced(kConfig, from, to), "names.yml"); });
    EXPECT_EQ(message.rfind("names.yml:", 0), 0u) << message.substr(0, 300);
    EXPECT_LT(message.size(), 300u) << message.substr(0, 300);
    for (const char c : message) EXPECT_TRUE(c >= 32 && c < 127) << static_cast<int>(c);
  }
}

TEST(Limits, DeeplyNestedYamlIsAnError) {
  for (const std::size_t depth : {std::size_t{12000}, std::size_t{300000}}) {
    const std::string text = "name: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
    const std::string message = error_of([&] { parse_config(text, "deep.yml"); });
    EXPECT_EQ(message.rfind("deep.yml", 0), 0u) << message.substr(0, 200);
  }
}

TEST(Limits, LayerCountIsLimitedAndNamesAreCheckedInLinearTime) {
  ModelSpec spec = parse_config(kConfig, "limits.yml");
  LayerSpec relu;
  relu.kind = LayerKind::ReLU;
  spec.layers.resize(5);
  // Dense -> ReLU x many -> Softmax: every layer is valid, only the count is not.
  spec.layers.insert(spec.layers.end(), limits::kMaxLayers, relu);
  spec.layers.push_back(parse_config(kConfig, "limits.yml").layers[5]);
  const std::string message = error_of([&] { resolve(spec, "many.yml"); });
  EXPECT_NE(message.find("many.yml: field 'layers'"), std::string::npos) << message;
  EXPECT_NE(message.find("exceed the limit of 10000"), std::string::npos) << message;

  spec.layers.erase(spec.layers.begin() + 5, spec.layers.begin() + 5 + 6);
  EXPECT_EQ(resolve(spec, "many.yml").size(), limits::kMaxLayers);
  spec.layers[4000].name = spec.layers[9000].name = "twin";
  const std::string twin = error_of([&] { resolve(spec, "many.yml"); });
  EXPECT_NE(twin.find("layer 9001 ('twin'): field 'name': duplicate"), std::string::npos) << twin;
}

// A model file of the small config, as JSON to edit.
class ModelFileLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("sparsepixels_limits_test_" + std::to_string(getpid()));
    fs::create_directories(folder_);
    Model model(parse_config(kConfig, "limits.yml"));
    model.initialize(3);
    const std::string path = (folder_ / "small.json").string();
    save_model(model, path);
    std::ifstream in(path);
    json_ = nlohmann::json::parse(in);
  }
  void TearDown() override { fs::remove_all(folder_); }

  // Writes `text` as a model file and returns the error loading it gives.
  std::string load_error(const std::string& text) {
    const std::string path = (folder_ / "edited.json").string();
    std::ofstream(path) << text;
    return error_of([&] { load_model(path); });
  }
  std::string load_error(const nlohmann::json& j) { return load_error(j.dump()); }
  void expect_load_error(const nlohmann::json& j, const std::vector<std::string>& parts) {
    const std::string message = load_error(j);
    EXPECT_EQ(message.rfind((folder_ / "edited.json").string() + ": ", 0), 0u) << message;
    for (const auto& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
    EXPECT_LT(message.size(), 400u) << message.substr(0, 400);
  }
  nlohmann::json& layer(const std::string& name) {
    for (auto& l : json_["layers"])
      if (l["name"] == name) return l;
    throw std::runtime_error("no layer " + name);
  }

  fs::path folder_;
  nlohmann::json json_;
};

TEST_F(ModelFileLimits, TheSavedFileLoads) {
  const std::string path = (folder_ / "edited.json").string();
  std::ofstream(path) << json_.dump();
  EXPECT_EQ(load_model(path).size(), 6u);
}

TEST_F(ModelFileLimits, KernelsAndSizesAboveTheirLimits) {
  for (const int kernel : {19, 1025, 65539, 77777}) {
    nlohmann::json j = json_;
    for (auto& l : j["layers"])
      if (l["name"] == "conv") l["kernel"] = kernel;
    expect_load_error(j, {"layer 'conv'", "'kernel'", "[1, 15]"});
  }
  nlohmann::json j = json_;
  j["input"]["height"] = 123456;
  expect_load_error(j, {"'input.height'", "[1, 4096]"});
}

TEST_F(ModelFileLimits, IntegersMustBeIntegersInRange) {
  layer("conv")["filters"] = 8589934593LL;  // 2^33 + 1 read as 1 before
  expect_load_error(json_, {"layer 'conv'", "'filters'", "integer"});
  layer("conv")["filters"] = 3.25;
  expect_load_error(json_, {"layer 'conv'", "'filters'", "integer"});
  layer("conv")["filters"] = 3;
  layer("dense")["units"] = -9000000000LL;
  expect_load_error(json_, {"layer 'dense'", "'units'", "integer"});
  layer("dense")["units"] = 4;
  json_["training"]["seed"] = -5;
  expect_load_error(json_, {"'seed'", "integer"});
}

TEST_F(ModelFileLimits, WeightsMustBeFiniteFloat32) {
  for (const double value : {4e38, -1e39, 1e300}) {
    nlohmann::json j = json_;
    for (auto& l : j["layers"])
      if (l["name"] == "dense") l["weights"][5] = value;
    expect_load_error(j, {"layer 'dense'", "'weights[5]'", "finite float32"});
  }
  layer("conv")["bias"][1] = "0.5";
  expect_load_error(json_, {"layer 'conv'", "'bias[1]'", "finite number"});
}

TEST_F(ModelFileLimits, SettingsAreModelFileErrors) {
  json_["hls"]["clock_ns"] = 12000;
  expect_load_error(json_, {"'hls.clock_ns'"});
  json_["hls"]["clock_ns"] = 5;
  json_["hls"]["io_type"] = "io_serial";
  expect_load_error(json_, {"'hls.io_type'"});
  json_["hls"]["io_type"] = "io_parallel";
  json_["training"]["learning_rate"] = -1;
  expect_load_error(json_, {"'training.learning_rate'"});
  json_["training"]["learning_rate"] = 0.01;
  json_["training"]["threads"] = 100000;
  expect_load_error(json_, {"'training.threads'", "[0, 1024]"});
  // JSON has no NaN; a number too large for a double is an error naming the file, not the library's.
  const std::string text = replaced(json_.dump(), "\"learning_rate\":0.01", "\"learning_rate\":1e999");
  const std::string message = load_error(text);
  EXPECT_EQ(message.rfind((folder_ / "edited.json").string() + ": not valid JSON", 0), 0u) << message;
  EXPECT_NE(message.find("1e999"), std::string::npos) << message;
}

TEST_F(ModelFileLimits, HugeValuesAreNotEchoed) {
  layer("conv")["kernel"] = std::string(1 << 20, '7');
  expect_load_error(json_, {"layer 'conv'", "'kernel'"});
}

TEST_F(ModelFileLimits, NamesAreShownShortAndPrintable) {
  nlohmann::json& conv = layer("conv");
  conv["name"] = "evil\x1b[2J\r\n" + std::string(100000, 'y');
  conv["kernel"] = 21;
  const std::string message = load_error(json_);
  EXPECT_NE(message.find("'kernel'"), std::string::npos) << message.substr(0, 300);
  EXPECT_LT(message.size(), 400u) << message.substr(0, 300);
  for (const char c : message) EXPECT_TRUE(c >= 32 && c < 127) << static_cast<int>(c);
}

TEST_F(ModelFileLimits, DeepNestingIsAnErrorNotACrash) {
  for (const std::size_t depth : {std::size_t{10000}, std::size_t{150000}, std::size_t{1000000}}) {
    std::string text = json_.dump();
    text =
        replaced(text, "\"name\":\"small\"", "\"name\":" + std::string(depth, '[') + std::string(depth, ']'));
    const std::string message = load_error(text);
    EXPECT_NE(message.find("nested deeper than"), std::string::npos) << message.substr(0, 300);
  }
}

}  // namespace
}  // namespace sparsepixels::model
