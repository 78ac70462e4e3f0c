// `sparsepixels eval` end to end on tiny models and datasets the test writes (tiny_models.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_command.h"
#include "sparsepixels/eval/roc_plot.h"
#include "sparsepixels/model/model.h"
#include "tiny_models.h"

namespace sparsepixels::eval {
namespace {

using sparsepixels::testing::run_cli;
using testing::fresh_folder;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

std::size_t line_count(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::size_t lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  return lines;
}

// A folder holding binary.json (sigmoid), three.json (softmax) and their datasets.
struct Fixture {
  std::filesystem::path folder;
  std::string binary_model, three_model, binary_data, three_data;
  explicit Fixture(const std::string& name) : folder(fresh_folder(name)) {
    binary_model = (folder / "binary.json").string();
    three_model = (folder / "three.json").string();
    binary_data = (folder / "binary.h5").string();
    three_data = (folder / "three.h5").string();
    model::save_model(testing::diagonal_model(1, spec::LayerKind::Sigmoid), binary_model);
    model::save_model(testing::diagonal_model(3, spec::LayerKind::Softmax), three_model);
    testing::write_tiny_dataset(binary_data, {"background", "signal"}, testing::binary_test_split());
    testing::write_tiny_dataset(three_data, {"a", "b", "c"}, testing::three_class_test_split());
  }
};

TEST(EvalCommand, BinaryModelPrintsAccuracyAndAucAndWritesEveryFile) {
  const Fixture f("cli_binary");
  const auto out = f.folder / "out";
  const auto json = f.folder / "copy.json";
  const auto result = run_cli(fmt::format("eval {} --data {} --out {} --json {}", f.binary_model,
                                          f.binary_data, out.string(), json.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("accuracy: 0.6250"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("AUC: 0.7500"), std::string::npos) << result.output;
  const nlohmann::json metrics = read_json(out / "metrics.json");
  EXPECT_DOUBLE_EQ(metrics["accuracy"].get<double>(), 0.625);
  EXPECT_DOUBLE_EQ(metrics["auc"].get<double>(), 0.75);
  EXPECT_EQ(read_json(json), metrics);
  EXPECT_EQ(line_count(out / "roc.csv"), 8u);  // header, start point, 6 distinct scores
  EXPECT_EQ(line_count(out / "confusion.csv"), 3u);
  if (program_available("gnuplot")) {
    EXPECT_TRUE(has_png_signature((out / "roc.png").string())) << result.output;
  } else {
    EXPECT_NE(result.output.find("warning: gnuplot"), std::string::npos) << result.output;
  }
}

TEST(EvalCommand, ThreeClassModelPrintsPerClassAucAndWritesOneRocPerClass) {
  const Fixture f("cli_three");
  const auto out = f.folder / "out";
  const auto result =
      run_cli(fmt::format("eval {} --data {} --out {}", f.three_model, f.three_data, out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("accuracy: 0.5000"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("per-class AUC"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("0.6250"), std::string::npos) << result.output;
  for (const char* name : {"roc_0_a.csv", "roc_1_b.csv", "roc_2_c.csv", "metrics.json", "confusion.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(out / name)) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(out / "roc.csv"));
}

TEST(EvalCommand, SplitOptionPicksTheSplit) {
  const Fixture f("cli_split");
  const auto out = f.folder / "out";
  // The val split holds the easy events, every one predicted right.
  const auto result = run_cli(
      fmt::format("eval {} --data {} --split val --out {}", f.binary_model, f.binary_data, out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json metrics = read_json(out / "metrics.json");
  EXPECT_EQ(metrics["split"], "val");
  EXPECT_EQ(metrics["events"], 2);
  EXPECT_DOUBLE_EQ(metrics["accuracy"].get<double>(), 1.0);
}

TEST(EvalCommand, FixedPrintsLayerRanges) {
  const Fixture f("cli_fixed");
  const auto out = f.folder / "out";
  const auto result =
      run_cli(fmt::format("eval {} --data {} --fixed --out {}", f.binary_model, f.binary_data, out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("fixed inference"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("layer output ranges"), std::string::npos) << result.output;
  const nlohmann::json metrics = read_json(out / "metrics.json");
  EXPECT_EQ(metrics["inference"], "fixed");
  ASSERT_EQ(metrics["layer_ranges"].size(), 3u);
  EXPECT_EQ(metrics["layer_ranges"][1]["layer"], "dense");
  EXPECT_EQ(metrics["layer_ranges"][1]["max"], 2.0);
}

TEST(EvalCommand, QuantizedUsesTheQatForwardAndExcludesFixed) {
  const Fixture f("cli_quantized");
  const auto out = f.folder / "out";
  const auto result = run_cli(
      fmt::format("eval {} --data {} --quantized --out {}", f.three_model, f.three_data, out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_json(out / "metrics.json")["inference"], "quantized");
  const auto both = run_cli(fmt::format("eval {} --data {} --quantized --fixed --out {}", f.three_model,
                                        f.three_data, out.string()));
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_NE(both.output.find("--fixed and --quantized"), std::string::npos) << both.output;
}

TEST(EvalCommand, MissingFilesFailWithExitCodeOneNamingThePath) {
  const Fixture f("cli_missing");
  const std::string absent = (f.folder / "absent.json").string();
  const auto no_model = run_cli(fmt::format("eval {} --data {}", absent, f.binary_data));
  EXPECT_EQ(no_model.exit_code, 1) << no_model.output;
  EXPECT_NE(no_model.output.find(absent), std::string::npos) << no_model.output;
  EXPECT_NE(no_model.output.find("does not exist"), std::string::npos) << no_model.output;
  const std::string absent_data = (f.folder / "absent.h5").string();
  const auto no_data = run_cli(fmt::format("eval {} --data {}", f.binary_model, absent_data));
  EXPECT_EQ(no_data.exit_code, 1) << no_data.output;
  EXPECT_NE(no_data.output.find(absent_data), std::string::npos) << no_data.output;
}

TEST(EvalCommand, BadUsageExitsWithCodeTwo) {
  const Fixture f("cli_usage");
  const auto unknown_split =
      run_cli(fmt::format("eval {} --data {} --split validation", f.binary_model, f.binary_data));
  EXPECT_EQ(unknown_split.exit_code, 2) << unknown_split.output;
  EXPECT_NE(unknown_split.output.find("validation"), std::string::npos) << unknown_split.output;
  const auto no_data = run_cli(fmt::format("eval {}", f.binary_model));
  EXPECT_EQ(no_data.exit_code, 2) << no_data.output;
  EXPECT_NE(no_data.output.find("--data"), std::string::npos) << no_data.output;
}

TEST(EvalCommand, ModelThatDoesNotFitTheDatasetFails) {
  const Fixture f("cli_mismatch");
  const auto result = run_cli(
      fmt::format("eval {} --data {} --out {}", f.binary_model, f.three_data, (f.folder / "out").string()));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("3 classes"), std::string::npos) << result.output;
}

TEST(EvalCommand, HelpDescribesTheOptions) {
  const auto result = run_cli("eval --help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* option : {"--data", "--split", "--fixed", "--out", "--json"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option << "\n" << result.output;
  }
}

}  // namespace
}  // namespace sparsepixels::eval
