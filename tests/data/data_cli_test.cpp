// The `data` and `stats` commands: exit codes, outputs and error messages, run on the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sparsepixels/data/dataset.h"
#include "temporary_folder.h"

namespace {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout, and stderr unless separated
};

// Runs `sparsepixels ARGS`; stderr goes into the output unless `stderr_to_null`.
Result run(const std::string& args, bool stderr_to_null = false) {
  const std::string command =
      std::string(SPARSEPIXELS_CLI) + " " + args + (stderr_to_null ? " 2>/dev/null" : " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  Result result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr)
    result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DataCli, SyntheticThenStatsAsJson) {
  sparsepixels::testing::TemporaryFolder folder;
  const std::string path = folder.file("synthetic.h5");
  const Result made = run("data synthetic --out " + path + " --events 200 --seed 4");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_TRUE(contains(made.output, "train 140, val 20, test 40")) << made.output;
  const auto info = sparsepixels::data::read_dataset_info(path);
  EXPECT_EQ(info.height, 63u);

  const Result stats = run("stats " + path + " --keep-fraction 1 --json -", true);
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  const auto json = nlohmann::json::parse(stats.output);
  EXPECT_EQ(json.at("split"), "test");
  EXPECT_EQ(json.at("events"), 40);
  EXPECT_EQ(json.at("n_active"),
            json.at("active_pixels").at("max"));  // keeping every event whole needs the max

  const std::string json_path = folder.file("stats.json");
  const Result to_file = run("stats " + path + " --split train --threshold 0.5 --json " + json_path);
  ASSERT_EQ(to_file.exit_code, 0) << to_file.output;
  std::ifstream in(json_path);
  const auto from_file = nlohmann::json::parse(in);
  EXPECT_EQ(from_file.at("events"), 140);
  EXPECT_EQ(from_file.at("threshold"), 0.5);
  EXPECT_TRUE(contains(to_file.output, "budget N keeping 95% of events whole")) << to_file.output;
}

TEST(DataCli, MissingAndBadFilesExitOneWithTheFileName) {
  sparsepixels::testing::TemporaryFolder folder;
  const Result missing = run("stats " + folder.file("absent.h5"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "absent.h5")) << missing.output;

  const std::string text = folder.file("text.h5");
  std::ofstream(text) << "plain text";
  const Result jets = run("data jets --in " + text + " --out " + folder.file("jets.h5"));
  EXPECT_EQ(jets.exit_code, 1);
  EXPECT_TRUE(contains(jets.output, "text.h5")) << jets.output;
  EXPECT_TRUE(contains(jets.output, "HDF5")) << jets.output;

  const Result microboone =
      run("data microboone --in " + folder.file("none.h5") + " --out " + folder.file("m.h5"));
  EXPECT_EQ(microboone.exit_code, 1);
  EXPECT_TRUE(contains(microboone.output, "none.h5")) << microboone.output;

  const Result mnist =
      run("data mnist --idx-dir " + folder.file("no-idx") + " --out " + folder.file("mnist.h5"));
  EXPECT_EQ(mnist.exit_code, 1);
  EXPECT_TRUE(contains(mnist.output, "no-idx")) << mnist.output;

  const Result no_folder = run("data synthetic --events 20 --out " + folder.file("missing/x.h5"));
  EXPECT_EQ(no_folder.exit_code, 1);
  EXPECT_TRUE(contains(no_folder.output, "does not exist")) << no_folder.output;

  // Nothing was written besides the text file.
  EXPECT_EQ(folder.entries(), (std::vector<std::string>{"text.h5"}));
}

TEST(DataCli, BadUsageExitsTwo) {
  EXPECT_EQ(run("data").exit_code, 2);
  EXPECT_EQ(run("data synthetic").exit_code, 2);                        // --out is required
  EXPECT_EQ(run("data synthetic --out x.h5 --events 3").exit_code, 2);  // below the minimum of 10
  EXPECT_EQ(run("stats some.h5 --split nope").exit_code, 2);
  EXPECT_EQ(run("stats some.h5 --keep-fraction 2").exit_code, 2);
}

}  // namespace
