// Issue 18 on the command line: data of another shape, out-of-range options, outputs that would destroy
// inputs or foreign folders, names that collide with generated code, a diverging training, a project
// whose config or results cannot be trusted. Each case exits 1 or 2 with a line naming what is wrong.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::read_bytes;
using testing::run_cli;
using testing::run_in;
using testing::run_shell;

// A small sparse model on height x width x channels events with three classes.
std::string config_text(int height, int width, int channels, const std::string& name = "small",
                        const std::string& learning_rate = "0.01") {
  return "name: " + name + "\ninput: {height: " + std::to_string(height) +
         ", width: " + std::to_string(width) + ", channels: " + std::to_string(channels) +
         "}\n"
         "layers:\n"
         "  - {type: InputReduce, name: reduce, n_active: 5}\n"
         "  - {type: SparseConv2D, name: conv, filters: 2, kernel: 3}\n"
         "  - {type: SparseReLU, name: relu}\n"
         "  - {type: SparseFlatten, name: flatten}\n"
         "  - {type: Dense, name: dense, units: 3}\n"
         "  - {type: Softmax, name: head}\n"
         "training: {learning_rate: " +
         learning_rate + ", batch_size: 8, max_epochs: 2, seed: 4}\n";
}

class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("sparsepixels-hardening-" + std::string(test->name()) + "-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // Writes the config and a model file of it (random parameters); returns the model file's path.
  std::string write_model(int height, int width, int channels, const std::string& name = "small") {
    const std::string config = (root_ / (name + ".yml")).string();
    std::ofstream(config) << config_text(height, width, channels, name);
    model::Model model(model::load_config(config), config);
    model.initialize(11);
    const std::string path = (root_ / (name + ".json")).string();
    model::save_model(model, path);
    return path;
  }

  // A dataset of `events` random sparse events of height x width x channels, three classes.
  std::string write_data(const std::string& file, int height, int width, int channels, int events = 24) {
    data::Split split;
    split.height = static_cast<std::size_t>(height);
    split.width = static_cast<std::size_t>(width);
    split.channels = static_cast<std::size_t>(channels);
    split.x.assign(split.event_size() * static_cast<std::size_t>(events), 0.0f);
    std::mt19937 random(static_cast<unsigned>(height * 131 + width * 7 + channels));
    for (int e = 0; e < events; ++e) {
      for (int k = 0; k < 6; ++k) split.x[e * split.event_size() + random() % split.event_size()] = 0.5f;
      split.y.push_back(e % 3);
    }
    data::DatasetInfo info;
    info.source = "hardening test";
    info.transform = "random";
    info.class_names = {"a", "b", "c"};
    info.height = split.height;
    info.width = split.width;
    info.channels = split.channels;
    const std::string path = (root_ / file).string();
    data::write_dataset(path, info, split, split, split);
    return path;
  }

  fs::path root_;
};

void expect_failure(const CommandResult& result, int code, const std::string& start,
                    const std::string& part) {
  EXPECT_EQ(result.exit_code, code) << result.output;
  EXPECT_EQ(result.output.rfind(start, 0), 0u) << result.output;
  EXPECT_NE(result.output.find(part), std::string::npos) << result.output;
}

// Larger, smaller, more channels, and the same number of values transposed: all refused before any event
// is read (a smaller file overflowed the input reduction's buffer; a larger one gave wrong outputs).
TEST_F(Hardening, EveryCommandReadingDataChecksItsShapeAgainstTheModel) {
  const std::string model = write_model(9, 7, 1);
  ASSERT_EQ(run_cli("convert " + model + " --out " + (root_ / "project").string()).exit_code, 0);
  const std::string config = (root_ / "small.yml").string();
  for (const auto& [height, width, channels] :
       std::vector<std::array<int, 3>>{{11, 7, 1}, {5, 5, 1}, {9, 7, 2}, {7, 9, 1}}) {
    const std::string data = write_data("data-" + std::to_string(height) + "x" + std::to_string(width) + "x" +
                                            std::to_string(channels) + ".h5",
                                        height, width, channels);
    SCOPED_TRACE(data);
    const std::string shape = "error: " + data + ": events are ";
    const std::string out = (root_ / "out.csv").string();
    expect_failure(run_cli("predict " + model + " --data " + data + " --out " + out), 1, shape, "9x7x1");
    expect_failure(run_cli("predict " + model + " --fixed --data " + data + " --out " + out), 1, shape,
                   "9x7x1");
    expect_failure(run_cli("train " + config + " --data " + data + " --out " + (root_ / "t.json").string()),
                   1, shape, "9x7x1");
    expect_failure(run_cli("csim " + (root_ / "project").string() + " --data " + data), 1, shape, "9x7x1");
    expect_failure(run_cli("eval " + model + " --data " + data + " --out " + (root_ / "eval").string()), 1,
                   "error: " + model, "9x7x1");
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(Hardening, ThreadCountsAboveTheLimitAreBadUsage) {
  const std::string model = write_model(9, 7, 1);
  const std::string data = write_data("data.h5", 9, 7, 1);
  const std::string config = (root_ / "small.yml").string();
  for (const char* threads : {"1025", "4097", "250000", "1000000"}) {
    SCOPED_TRACE(threads);
    const std::string option = std::string(" --threads ") + threads;
    for (const std::string& args :
         {"predict " + model + " --data " + data + " --out " + (root_ / "p.csv").string() + option,
          "eval " + model + " --data " + data + option,
          "train " + config + " --data " + data + " --out " + (root_ / "t.json").string() + option,
          "bench --events 10" + option, "demo" + option}) {
      const CommandResult result = run_cli(args);
      EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
      EXPECT_NE(result.output.find("--threads"), std::string::npos) << result.output;
    }
  }
}

TEST_F(Hardening, ThreadsInAConfigAboveTheLimitAreTheFilesError) {
  const std::string data = write_data("data.h5", 9, 7, 1);
  const std::string config = (root_ / "threads.yml").string();
  std::string text = config_text(9, 7, 1);
  text.replace(text.find("seed: 4}"), 8, "seed: 4, threads: 3000}");
  std::ofstream(config) << text;
  expect_failure(run_cli("train " + config + " --data " + data + " --out " + (root_ / "t.json").string()), 1,
                 "error: " + config, "training.threads");
}

// Writing an output over an input destroys the input: refused whatever the spelling of the path.
TEST_F(Hardening, OutputsThatAreInputsAreRefused) {
  const std::string model = write_model(9, 7, 1);
  const std::string data = write_data("data.h5", 9, 7, 1);
  const std::string config = (root_ / "small.yml").string();
  const std::string data_bytes = read_bytes(data), model_bytes = read_bytes(model),
                    config_bytes = read_bytes(config);
  const std::string other_data = (root_ / "sub" / ".." / "data.h5").string();
  fs::create_directories(root_ / "sub");
  for (const std::string& args : {
           "train " + config + " --data " + data + " --out " + other_data,
           "train " + config + " --data " + data + " --out " + config,
           "train " + config + " --data " + data + " --out " + (root_ / "m.json").string() + " --history " +
               data,
           "predict " + model + " --data " + data + " --out " + model,
           "predict " + model + " --data " + data + " --out ./" + fs::relative(data).string(),
           "eval " + model + " --data " + data + " --json " + model,
           "stats " + data + " --json " + other_data,
           "import " + model + " --config " + config + " --out " + config,
           "estimate " + model + " --json " + model,
           "estimate " + config + " --json ./" + fs::relative(config).string(),
           "bench --data " + data + " --json " + other_data,
       }) {
    const CommandResult result = run_cli(args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("is the input"), std::string::npos) << args << "\n" << result.output;
  }
  EXPECT_EQ(read_bytes(data), data_bytes);
  EXPECT_EQ(read_bytes(model), model_bytes);
  EXPECT_EQ(read_bytes(config), config_bytes);
}

// eval --out DIR writes metrics.json, confusion.csv, roc*.csv, roc.png, roc.gp there: an input of one of
// those names in DIR (however DIR or the input is spelled, or a link leading to it) is refused.
TEST_F(Hardening, EvalOutFolderThatWouldReplaceAnInputIsRefused) {
  const std::string model = write_model(9, 7, 1);
  const std::string data = write_data("data.h5", 9, 7, 1);
  const fs::path out = root_ / "out";
  fs::create_directories(out);
  const std::string model_in_out = (out / "metrics.json").string();
  fs::copy_file(model, model_in_out);
  const std::string data_in_out = (out / "roc_1_b.csv").string();
  fs::copy_file(data, data_in_out);
  const std::string gp_in_out = (out / "roc.gp").string();
  fs::copy_file(model, gp_in_out);
  const std::string link = (root_ / "link.json").string();
  fs::create_symlink(model_in_out, link);
  const std::string model_bytes = read_bytes(model), data_bytes = read_bytes(data);
  const std::string other_out = (root_ / "sub" / ".." / "out" / "").string();
  fs::create_directories(root_ / "sub");
  for (const std::string& args : {
           "eval " + model_in_out + " --data " + data + " --out " + out.string(),
           "eval " + model_in_out + " --data " + data + " --out " + other_out,
           "eval " + link + " --data " + data + " --out " + out.string(),
           "eval " + gp_in_out + " --data " + data + " --out " + out.string(),
           "eval " + model + " --data " + data_in_out + " --out " + out.string(),
       }) {
    const CommandResult result = run_cli(args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("--out"), std::string::npos) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("would replace the input"), std::string::npos) << args << "\n"
                                                                                << result.output;
  }
  EXPECT_EQ(read_bytes(model_in_out), model_bytes);
  EXPECT_EQ(read_bytes(gp_in_out), model_bytes);
  EXPECT_EQ(read_bytes(data_in_out), data_bytes);
  EXPECT_FALSE(fs::exists(out / "confusion.csv"));
  // Inputs of other names in the output folder stay where they are and are read.
  const std::string model_json = (out / "model.json").string();
  fs::copy_file(model, model_json);
  const CommandResult result = run_cli("eval " + model_json + " --data " + data + " --out " + out.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_bytes(model_json), model_bytes);
  EXPECT_TRUE(fs::is_regular_file(out / "metrics.json"));
}

// A missing output folder is found before training or predicting, not after.
TEST_F(Hardening, AnOutputInAMissingFolderIsFoundFirst) {
  const std::string model = write_model(9, 7, 1);
  const std::string data = write_data("data.h5", 9, 7, 1);
  const std::string config = (root_ / "small.yml").string();
  const std::string missing = (root_ / "no-such-folder" / "out").string();
  for (const std::string& args :
       {"train " + config + " --data " + data + " --out " + missing + ".json --quiet",
        "train " + config + " --data " + data + " --out " + (root_ / "m.json").string() + " --history " +
            missing + ".csv --quiet",
        "predict " + model + " --data " + data + " --out " + missing + ".csv"}) {
    const CommandResult result = run_cli(args);
    EXPECT_EQ(result.exit_code, 1) << args << "\n" << result.output;
    EXPECT_NE(result.output.find("cannot write: the folder " + (root_ / "no-such-folder").string() +
                                 " does not exist"),
              std::string::npos)
        << result.output;
  }
  EXPECT_FALSE(fs::exists(root_ / "m.json"));
}

// Settings of a model file are the file's errors (exit 1 naming the field), not option errors (exit 2).
TEST_F(Hardening, ModelFileSettingsAreTheFilesErrors) {
  const std::string model = write_model(9, 7, 1);
  std::string text = read_bytes(model);
  const std::string part = "\"part\": \"xcu250-figd2104-2L-e\"";
  ASSERT_NE(text.find(part), std::string::npos) << text.substr(0, 2000);
  text.replace(text.find(part), part.size(), "\"part\": \"xc7 z020; rm\"");
  std::ofstream(model) << text;
  expect_failure(run_cli("convert " + model + " --out " + (root_ / "p").string()), 1, "error: " + model,
                 "field 'hls.part'");
  std::string clock = read_bytes(model);
  const std::string period = "\"clock_ns\": 5.0";
  ASSERT_NE(clock.find(period), std::string::npos);
  clock.replace(clock.find(period), period.size(), "\"clock_ns\": 4000.0");
  std::ofstream(model) << clock;
  expect_failure(run_cli("convert " + model + " --out " + (root_ / "p").string()), 1, "error: " + model,
                 "field 'hls.clock_ns'");
}

// A learning rate large enough to diverge: exit 1, and the good model at --out is kept.
TEST_F(Hardening, ADivergingTrainingWritesNoModel) {
  const std::string data = write_data("data.h5", 9, 7, 1, 64);
  const std::string model = write_model(9, 7, 1);
  const std::string before = read_bytes(model);
  for (const char* rate : {"3e33", "1e37"}) {
    const std::string config = (root_ / "diverge.yml").string();
    std::ofstream(config) << config_text(9, 7, 1, "diverge", rate);
    const CommandResult result =
        run_cli("train " + config + " --data " + data + " --out " + model + " --quiet");
    EXPECT_EQ(result.exit_code, 1) << rate << "\n" << result.output;
    EXPECT_NE(result.output.find("not finite"), std::string::npos) << result.output;
    EXPECT_EQ(read_bytes(model), before);
  }
}

TEST_F(Hardening, ANonFiniteParameterIsNeverSaved) {
  const std::string path = write_model(9, 7, 1);
  const std::string before = read_bytes(path);
  model::Model model = model::load_model(path);
  model.layer(4).weights[7] = std::numeric_limits<float>::quiet_NaN();
  try {
    model::save_model(model, path);
    ADD_FAILURE() << "saved";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'dense': field 'weights[7]'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_bytes(path), before);
}

// --force replaces a previous project only; never the current folder, a parent, a folder holding the model
// or a folder convert did not write.
TEST_F(Hardening, ForceReplacesOnlyAPreviousProject) {
  const std::string model = write_model(9, 7, 1);
  fs::create_directories(root_ / "work" / "deeper");
  std::ofstream(root_ / "work" / "notes.txt") << "keep me\n";
  std::ofstream(root_ / "work" / "deeper" / "more.txt") << "keep me too\n";
  const fs::path work = root_ / "work";
  for (const std::string out : {".", "./", "..", "../..", "deeper/..", "/"}) {
    const CommandResult result = run_in(work / "deeper", "convert " + model + " --out " + out + " --force");
    EXPECT_NE(result.exit_code, 0) << out << "\n" << result.output;
    EXPECT_NE(result.output.find("--out " + out + ": is the current folder"), std::string::npos)
        << result.output;
  }
  // A folder that is not a project, and the folder holding the model.
  for (const fs::path& out : {work, root_}) {
    const CommandResult result = run_cli("convert " + model + " --out " + out.string() + " --force");
    EXPECT_NE(result.exit_code, 0) << out << "\n" << result.output;
  }
  EXPECT_EQ(read_bytes(work / "notes.txt"), "keep me\n");
  EXPECT_EQ(read_bytes(work / "deeper" / "more.txt"), "keep me too\n");
  EXPECT_TRUE(fs::exists(model));

  // A previous project is replaced (with a trailing slash too), and nothing is left beside it.
  const fs::path project = work / "project";
  ASSERT_EQ(run_cli("convert " + model + " --out " + project.string()).exit_code, 0);
  std::ofstream(project / "stale.txt") << "from the old project\n";
  const CommandResult again = run_cli("convert " + model + " --out " + project.string() + "/ --force");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(fs::exists(project / "sparsepixels_config.yml"));
  EXPECT_FALSE(fs::exists(project / "stale.txt"));
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(work)) entries.push_back(entry.path().filename().string());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"deeper", "notes.txt", "project"}));
  // Without --force an existing project stays.
  EXPECT_EQ(run_cli("convert " + model + " --out " + project.string()).exit_code, 1);
}

// A convert killed mid-way leaves its temporary folder; a later convert to the same place removes it once
// its process is gone, and leaves a running one's alone.
TEST_F(Hardening, AbandonedTemporaryFoldersAreRemovedLater) {
  const std::string model = write_model(9, 7, 1);
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // a process id that is gone
  const fs::path abandoned = root_ / ("project.tmp-" + std::to_string(child) + "-5eed0bad-3");
  const fs::path running = root_ / ("project.tmp-" + std::to_string(getpid()) + "-5eed0bad-4");
  const fs::path other = root_ / ("projectx.tmp-" + std::to_string(child) + "-5eed0bad-5");
  for (const fs::path& folder : {abandoned, running, other}) {
    fs::create_directories(folder / "firmware");
    std::ofstream(folder / "firmware" / "half.h") << "// half written\n";
  }
  ASSERT_EQ(run_cli("convert " + model + " --out " + (root_ / "project").string()).exit_code, 0);
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(running / "firmware" / "half.h"));
  EXPECT_TRUE(fs::exists(other / "firmware" / "half.h"));
}

TEST_F(Hardening, NamesCollidingWithGeneratedCodeAreRejected) {
  const std::string model = write_model(9, 7, 1);
  for (const char* name : {"Parameters", "TRACE", "uint8_t", "output_t", "ap_ufixed", "nnet_helper",
                           "HLS_top", "fopen", "getline", "argc"}) {
    const fs::path out = root_ / (std::string("project-") + name);
    const CommandResult result = run_cli("convert " + model + " --out " + out.string() + " --name " + name);
    EXPECT_EQ(result.exit_code, 2) << name << "\n" << result.output;
    EXPECT_NE(result.output.find(std::string("--name '") + name + "'"), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(out));
  }
  // The name from the model file is the file's error.
  const std::string defines = write_model(9, 7, 1, "Defines");
  expect_failure(run_cli("convert " + defines + " --out " + (root_ / "p").string()), 1, "error: " + defines,
                 "field 'name'");
  EXPECT_EQ(run_cli("convert " + model + " --out " + (root_ / "p").string() + " --name small_top").exit_code,
            0);
}

// csim builds files named after project_name: a name that leaves the project is refused; and the results
// of an earlier run never count for this one.
TEST_F(Hardening, CsimTrustsNeitherTheConfigsNameNorAnEarlierRun) {
  const std::string model = write_model(9, 7, 1);
  const std::string data = write_data("data.h5", 9, 7, 1);
  const fs::path project = root_ / "project";
  ASSERT_EQ(run_cli("convert " + model + " --out " + project.string()).exit_code, 0);
  const fs::path record = project / "sparsepixels_config.yml";
  const std::string original = read_bytes(record);
  for (const char* hostile : {"../../outside", "small/../../x", "a b", "x;touch pwned"}) {
    std::string text = original;
    const std::string key = "project_name: \"small\"";
    ASSERT_NE(text.find(key), std::string::npos) << text;
    text.replace(text.find(key), key.size(), std::string("project_name: \"") + hostile + "\"");
    std::ofstream(record) << text;
    expect_failure(run_cli("csim " + project.string() + " --data " + data + " --events 4"), 1,
                   "error: " + record.string(), "field 'project_name'");
  }
  EXPECT_FALSE(fs::exists(root_ / "outside_csim"));
  std::ofstream(record) << original;

  const CommandResult good = run_cli("csim " + project.string() + " --data " + data + " --events 6");
  ASSERT_EQ(good.exit_code, 0) << good.output;
  ASSERT_TRUE(fs::exists(project / "tb_data" / "csim_results.log"));
  // A testbench that writes nothing: the earlier run's correct results must not make it pass.
  std::ofstream(project / "small_test.cpp") << "int main() { return 0; }\n";
  const CommandResult stale = run_cli("csim " + project.string() + " --data " + data + " --events 6");
  EXPECT_EQ(stale.exit_code, 1) << stale.output;
  EXPECT_NE(stale.output.find("wrote no results"), std::string::npos) << stale.output;
}

}  // namespace
}  // namespace sparsepixels
