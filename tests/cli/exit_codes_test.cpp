// Every subcommand follows one convention (issue 7): exit 0 for --help, 1 with one line
// "error: <path>: ..." for an input file or folder that does not exist, 2 for bad usage.
#include <gtest/gtest.h>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using sparsepixels::testing::run_cli;

// The subcommands of issue 7 ("the names are the interface users script against").
const std::vector<std::string> kCommands{"data", "stats",    "summary", "train", "eval", "predict", "convert",
                                         "csim", "estimate", "report",  "bench", "demo", "import",  "rtlsim"};

// A fresh folder holding one existing file and one existing folder, removed at the end.
class Paths : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sparsepixels-exit-codes-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "existing-folder");
    std::ofstream(root_ / "existing-file.txt") << "not a model\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string missing(const std::string& name) const { return (root_ / ("missing-" + name)).string(); }
  std::string existing_file() const { return (root_ / "existing-file.txt").string(); }
  std::string existing_folder() const { return (root_ / "existing-folder").string(); }
  std::string output(const std::string& name) const { return (root_ / name).string(); }
  fs::path root_;
};

// Exit 1 and exactly one line "error: <path>: ..." naming the missing path.
void expect_missing_input(const std::string& args, const std::string& path) {
  SCOPED_TRACE(args);
  const auto result = run_cli(args);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output.rfind("error: " + path + ": ", 0), 0u) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST(ExitCodes, HelpListsEveryIssueCommandAndNoOther) {
  const auto result = run_cli("--help");
  ASSERT_EQ(result.exit_code, 0);
  // CLI11 lists subcommands as "  name   description" after "Subcommands:".
  const auto section = result.output.find("Subcommands:");
  ASSERT_NE(section, std::string::npos) << result.output;
  std::istringstream lines(result.output.substr(section));
  std::string line;
  std::getline(lines, line);
  std::set<std::string> listed;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) listed.insert(name);
  }
  EXPECT_EQ(listed, std::set<std::string>(kCommands.begin(), kCommands.end())) << result.output;
}

TEST(ExitCodes, HelpOfEverySubcommandExitsZero) {
  std::vector<std::string> commands = kCommands;
  for (const char* data : {"mnist", "fashion-mnist", "microboone", "jets", "synthetic"})
    commands.push_back(std::string("data ") + data);
  for (const std::string& command : commands) {
    const auto result = run_cli(command + " --help");
    EXPECT_EQ(result.exit_code, 0) << command << "\n" << result.output;
    EXPECT_NE(result.output.find("Usage:"), std::string::npos) << command << "\n" << result.output;
  }
}

TEST_F(Paths, EveryMissingInputExitsOneNamingIt) {
  const std::string out = output("out");
  // One case per input of every subcommand that reads one.
  expect_missing_input("data jets --in " + missing("jets.h5") + " --out " + out, missing("jets.h5"));
  expect_missing_input("data microboone --in " + existing_file() + " " + missing("wire.h5") + " --out " + out,
                       missing("wire.h5"));
  expect_missing_input("data mnist --idx-dir " + missing("idx") + " --out " + out, missing("idx"));
  expect_missing_input("data fashion-mnist --idx-dir " + missing("idx") + " --out " + out, missing("idx"));
  expect_missing_input("stats " + missing("data.h5"), missing("data.h5"));
  expect_missing_input("summary " + missing("model.yml"), missing("model.yml"));
  expect_missing_input("train " + missing("config.yml") + " --data " + existing_file() + " --out " + out,
                       missing("config.yml"));
  expect_missing_input("train " + existing_file() + " --data " + missing("data.h5") + " --out " + out,
                       missing("data.h5"));
  expect_missing_input("eval " + missing("model.json") + " --data " + existing_file(), missing("model.json"));
  expect_missing_input("eval " + existing_file() + " --data " + missing("data.h5"), missing("data.h5"));
  expect_missing_input("predict " + missing("model.json") + " --data " + existing_file() + " --out " + out,
                       missing("model.json"));
  expect_missing_input("predict " + existing_file() + " --data " + missing("data.h5") + " --out " + out,
                       missing("data.h5"));
  expect_missing_input("convert " + missing("model.json") + " --out " + out, missing("model.json"));
  expect_missing_input("csim " + missing("project") + " --data " + existing_file(), missing("project"));
  expect_missing_input("csim " + existing_folder() + " --data " + missing("data.h5"), missing("data.h5"));
  expect_missing_input(
      "csim " + existing_folder() + " --data " + existing_file() + " --ap-types " + missing("ap_types"),
      missing("ap_types"));
  expect_missing_input("estimate " + missing("model.json"), missing("model.json"));
  expect_missing_input("import " + missing("model.keras") + " --out " + out, missing("model.keras"));
  expect_missing_input("import " + existing_file() + " --hls4ml-config " + missing("h.yml") + " --out " + out,
                       missing("h.yml"));
  expect_missing_input("import " + existing_file() + " --config " + missing("c.yml") + " --out " + out,
                       missing("c.yml"));
  expect_missing_input("report " + missing("project"), missing("project"));
  expect_missing_input("bench --arch jets --data " + missing("jets.h5"), missing("jets.h5"));
  expect_missing_input("report " + existing_folder() + " --model " + missing("model.json"),
                       missing("model.json"));
  // Bounded in case the check regresses: a tiny synthetic run of the standard model only.
  expect_missing_input("demo --examples " + missing("examples") + " --out " + out +
                           " --synthetic --synthetic-events 20 --models standard --epochs 1",
                       missing("examples"));
}

TEST_F(Paths, BenchOfJetsWithoutDataNamesTheOption) {
  const auto result = run_cli("bench --arch jets --events 128 --seconds 0.1");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("--data"), std::string::npos) << result.output;
}

// bench --arch mnist measures the MNIST architecture on the sparse MNIST digits (data/mnist, which the
// test setup fetches), the 8-bit QAT standard CNN included.
TEST_F(Paths, BenchMeasuresTheChosenArchitecture) {
  const auto result = run_cli("bench --arch mnist --events 256 --seconds 0.1 --threads 1 --json -");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json.at("arch"), "mnist");
  EXPECT_EQ(json.at("events"), 256);
  for (const char* model : {"standard", "sparse-l", "standard-qat-8b", "sparse-l-qat-8b"}) {
    EXPECT_GT(json.at("train_events_per_s").at(model).get<double>(), 0.0) << model;
  }
  EXPECT_GT(json.at("infer_events_per_s").at("standard").get<double>(), 0.0);
  for (const char* model : {"standard", "sparse-t", "sparse-l"})  // the same models from hit lists
    EXPECT_GT(json.at("infer_from_hits_events_per_s").at(model).get<double>(), 0.0) << model;
}

TEST_F(Paths, AFolderWhereAFileIsExpectedIsAFailure) {
  const auto result = run_cli("summary " + existing_folder());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output, "error: " + existing_folder() + ": is a directory, not a file\n");
}

TEST_F(Paths, UnknownOptionOfEverySubcommandIsBadUsage) {
  const std::string file = existing_file(), folder = existing_folder(), out = output("out");
  // Every required argument given, so the unknown option is the only thing wrong.
  const std::vector<std::pair<std::string, std::string>> commands{
      {"data", "data synthetic --out " + out},
      {"stats", "stats " + file},
      {"summary", "summary " + file},
      {"train", "train " + file + " --data " + file + " --out " + out},
      {"eval", "eval " + file + " --data " + file},
      {"predict", "predict " + file + " --data " + file + " --out " + out},
      {"convert", "convert " + file + " --out " + out},
      {"csim", "csim " + folder + " --data " + file},
      {"estimate", "estimate " + file},
      {"report", "report " + folder},
      {"bench", "bench"},
      {"demo", "demo"},
      {"import", "import " + file + " --out " + out},
      {"rtlsim", "rtlsim " + folder + " --data " + file + " --events 1"},
  };
  ASSERT_EQ(commands.size(), kCommands.size());
  for (std::size_t k = 0; k < commands.size(); ++k) {
    const auto& [name, args] = commands[k];
    EXPECT_EQ(name, kCommands[k]);
    const auto result = run_cli(args + " --no-such-option");
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("--no-such-option"), std::string::npos) << args << "\n" << result.output;
  }
  EXPECT_FALSE(fs::exists(out)) << "a command ran despite the bad option";
}

TEST_F(Paths, MissingArgumentsAndBadValuesAreBadUsage) {
  const std::string file = existing_file(), folder = existing_folder(), out = output("out");
  // Each value is out of range or not parseable; the input paths exist so only the value is wrong.
  const std::vector<std::string> cases{
      "data",
      "data synthetic",
      "data synthetic --out " + out + " --events 5",
      "data synthetic --out " + out + " --seed minus-one",
      "stats",
      "stats " + file + " --keep-fraction 1.5",
      "stats " + file + " --split validation",
      "summary",
      "train " + file + " --data " + file,
      "train " + file + " --data " + file + " --out " + out + " --epochs -1",
      "train " + file + " --data " + file + " --out " + out + " --threads many",
      "eval " + file,
      "eval " + file + " --data " + file + " --split validation",
      "predict " + file + " --data " + file,
      "predict " + file + " --data " + file + " --out " + out + " --threads -2",
      "predict " + file + " --data " + file + " --out " + out + " --fixed --quantized",
      "convert " + file,
      "convert " + file + " --out " + out + " --clock-ns 0",
      "csim " + folder,
      "csim " + folder + " --data " + file + " --split validation",
      "csim " + folder + " --data " + file + " --events ten",
      "convert " + file + " --out " + out + " --backend vhdl",
      "convert " + file + " --out " + out + " --backend verilog --part xcu250-figd2104-2L-e",
      "rtlsim " + folder,
      "rtlsim " + folder + " --data " + file,
      "rtlsim " + folder + " --data " + file + " --events 0",
      "rtlsim " + folder + " --data " + file + " --events 5 --split validation",
      "estimate",
      "estimate " + file + " --clock-ns -5",
      "report",
      "bench --seconds 0",
      "bench --events 3",
      "bench --arch muons",
      "demo --epochs 0",
      "demo --csim-events nine",
      "demo --threads -1",
  };
  for (const std::string& args : cases) {
    const auto result = run_cli(args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
  }
}

}  // namespace
