// Issue 15 item 4 on the command line: `data synthetic --height/--width/--active`, the 512x512 example
// config through train, convert and predict, and `bench --height/--width/--active`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run_command.h"
#include "sparsepixels/data/dataset.h"
#include "temporary_folder.h"

namespace {

using Result = sparsepixels::testing::CommandResult;

// `sparsepixels ARGS`, stdout and stderr captured; with `stderr_to_null` stdout only (JSON output).
Result run(const std::string& args, bool stderr_to_null = false) {
  if (!stderr_to_null) return sparsepixels::testing::run_cli(args);
  return sparsepixels::testing::run_shell(std::string(SPARSEPIXELS_CLI) + " " + args + " 2>/dev/null");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LargeImagesCli, BadSyntheticOptionsExitTwoNamingTheOption) {
  sparsepixels::testing::TemporaryFolder folder;
  const std::string out = " --out " + folder.file("x.h5");
  const std::pair<std::string, std::string> cases[] = {
      {"--height 4096", "--height"}, {"--height 15", "--height"},
      {"--width 2049", "--width"},   {"--width wide", "--width"},
      {"--active 0", "--active"},    {"--active -2", "--active"},
      {"--active many", "--active"}, {"--height 512 --width 512 --active 5000", "--active"},
      {"--active 200", "--active"},  // more than a 63x63 event holds (about 42)
  };
  for (const auto& [args, option] : cases) {
    const Result result = run("data synthetic --events 20" + out + " " + args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
    EXPECT_TRUE(contains(result.output, option)) << args << "\n" << result.output;
  }
  EXPECT_TRUE(folder.entries().empty());  // nothing written, not even a temporary file
}

TEST(LargeImagesCli, Synthetic512ThenStats) {
  sparsepixels::testing::TemporaryFolder folder;
  const std::string path = folder.file("lartpc-512.h5");
  const Result made = run("data synthetic --height 512 --width 512 --active 40 --events 200 --out " + path);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_TRUE(contains(made.output, "512x512x1, train 140, val 20, test 40 events, sparse")) << made.output;
  const Result stats = run("stats " + path + " --split train --json -", true);
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  const auto json = nlohmann::json::parse(stats.output);
  EXPECT_EQ(json.at("events"), 140);
  const double mean = json.at("active_pixels").at("mean").get<double>();
  EXPECT_GT(mean, 30.0);  // 40 on average over many events; 140 events vary by a few
  EXPECT_LT(mean, 50.0);
}

// The example config at 512x512 trains (1 epoch), converts (with the estimate's warning that the input
// reduction does not fit the U250) and predicts, on a small generated data set.
TEST(LargeImagesCli, Lartpc512TrainsConvertsAndPredicts) {
  sparsepixels::testing::TemporaryFolder folder;
  const std::string data = folder.file("lartpc-512.h5"), model = folder.file("model.json");
  ASSERT_EQ(run("data synthetic --height 512 --width 512 --active 40 --events 100 --out " + data).exit_code,
            0);
  const std::string config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/lartpc-512/sparse-l.yml";
  const Result trained =
      run("train " + config + " --data " + data + " --out " + model + " --epochs 1 --quiet");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const Result converted = run("convert " + model + " --out " + folder.file("project"));
  ASSERT_EQ(converted.exit_code, 0) << converted.output;
  EXPECT_TRUE(contains(converted.output, "the input reduction alone is estimated at")) << converted.output;
  EXPECT_TRUE(std::filesystem::is_directory(folder.file("project")));
  const std::string csv = folder.file("predictions.csv");
  const Result predicted = run("predict " + model + " --data " + data + " --split test --out " + csv);
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  std::ifstream in(csv);
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 1u + 20u);  // header and the 20 test events
  // The 63x63 neutrino model refuses the 512x512 events, naming both shapes.
  const Result wrong =
      run("train " + std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/neutrino/sparse-l-8b.yml --data " +
          data + " --out " + folder.file("wrong.json") + " --epochs 1 --quiet");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_TRUE(contains(wrong.output, "512x512x1")) << wrong.output;
}

TEST(LargeImagesCli, BenchScalingMode) {
  const Result result =
      run("bench --height 128 --width 128 --active 20 --seconds 0.1 --events 256 --json -", true);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json.at("height"), 128);
  EXPECT_EQ(json.at("width"), 128);
  EXPECT_NEAR(json.at("mean_active").get<double>(), 20.0, 4.0);
  EXPECT_EQ(json.at("parameters").at("sparse-l-topk"), 50 + 150 + (18 * 18 * 3 + 1) * 16 + 17);
  EXPECT_EQ(json.at("parameters").at("sparse-l-topk-pool16"), 50 + 150 + (8 * 8 * 3 + 1) * 16 + 17);
  for (const char* name : {"sparse-l-topk", "sparse-l-topk-pool16"}) {
    EXPECT_GT(json.at("infer_from_hits_events_per_s").at(name).get<double>(), 0.0) << name;
    EXPECT_GT(json.at("train_events_per_s").at(name).get<double>(), 0.0) << name;
    EXPECT_GT(json.at("train_events_per_s").at(std::string(name) + "-qat").get<double>(), 0.0) << name;
  }
  for (const std::string& args :
       {std::string("bench --height 4096"), std::string("bench --width 8"), std::string("bench --active -1"),
        std::string("bench --arch mnist --height 512 --width 512")}) {
    const Result bad = run(args + " --seconds 0.1");
    EXPECT_EQ(bad.exit_code, 2) << args << "\n" << bad.output;
  }
}

}  // namespace
