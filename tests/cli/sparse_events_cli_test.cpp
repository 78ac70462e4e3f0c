// The sparse layout on the command line: `data convert` and `--format`, and every command that reads a
// dataset gives byte-identical outputs on the dense and the sparse file of the same events.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <H5Cpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/inference/fixed_inference.h"
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

class SparseCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("sparsepixels-sparse-cli-" + std::string(test->name()) + "-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // A small sparse model on 9x7x2 events, three classes, random parameters; returns the model file.
  std::string write_model() {
    const std::string config = (root_ / "small.yml").string();
    std::ofstream(config) << "name: small\ninput: {height: 9, width: 7, channels: 2}\n"
                             "layers:\n"
                             "  - {type: InputReduce, name: reduce, n_active: 6}\n"
                             "  - {type: SparseConv2D, name: conv, filters: 2, kernel: 3}\n"
                             "  - {type: SparseReLU, name: relu}\n"
                             "  - {type: SparseFlatten, name: flatten}\n"
                             "  - {type: Dense, name: dense, units: 3}\n"
                             "  - {type: Softmax, name: head}\n"
                             "training: {learning_rate: 0.01, batch_size: 8, max_epochs: 2, seed: 4}\n";
    model::Model model(model::load_config(config), config);
    model.initialize(11);
    const std::string path = (root_ / "small.json").string();
    model::save_model(model, path);
    return path;
  }

  // A dense dataset of 9x7x2 random sparse events (test split: `test_events`, across several read chunks).
  std::string write_dense(const std::string& file, std::size_t test_events) {
    const auto events = [](std::size_t count, unsigned seed) {
      data::Split split;
      split.height = 9;
      split.width = 7;
      split.channels = 2;
      split.x.assign(split.event_size() * count, 0.0f);
      std::mt19937 random(seed);
      for (std::size_t e = 0; e < count; ++e) {
        for (int k = 0; k < static_cast<int>(e % 9); ++k)
          split.x[e * split.event_size() + random() % split.event_size()] =
              static_cast<float>(random() % 997) / 997.0f;
        split.y.push_back(static_cast<std::int32_t>(random() % 3));
      }
      return split;
    };
    data::DatasetInfo info;
    info.source = "sparse cli test";
    info.transform = "random";
    info.threshold = 0.1;
    info.class_names = {"a", "b", "c"};
    info.height = 9;
    info.width = 7;
    info.channels = 2;
    const std::string path = (root_ / file).string();
    data::write_dataset(path, info, events(50, 1), events(20, 2), events(test_events, 3));
    return path;
  }

  fs::path root_;
};

// The CSV `predict --fixed` wrote before it streamed: the whole split read at once, one call.
std::string whole_split_fixed_csv(const std::string& model_path, const std::string& data_path) {
  const model::Model model = model::load_model(model_path);
  const data::Split split = data::read_split(data_path, "test");
  const auto out = inference::FixedModel(model).predict(split.x.data(), split.size()).values;
  const std::size_t outputs = model.output_size();
  std::string text = "event,label";
  for (std::size_t k = 0; k < outputs; ++k) text += fmt::format(",output{}", k);
  text += "\n";
  for (std::size_t e = 0; e < split.size(); ++e) {
    text += fmt::format("{},{}", e, split.y[e]);
    for (std::size_t k = 0; k < outputs; ++k) text += fmt::format(",{:.17g}", out[e * outputs + k]);
    text += "\n";
  }
  return text;
}

TEST_F(SparseCli, EveryCommandReadingDataGivesTheSameOutputsOnDenseAndSparse) {
  const std::string model = write_model();
  // Two folders holding data.h5 (dense, sparse), so that every output naming the file is the same.
  const fs::path dense = root_ / "dense", sparse = root_ / "sparse";
  fs::create_directories(dense);
  fs::create_directories(sparse);
  fs::rename(write_dense("data.h5", 2300), dense / "data.h5");
  const CommandResult converted = run_cli("data convert " + (dense / "data.h5").string() + " --out " +
                                          (sparse / "data.h5").string() + " --format sparse");
  ASSERT_EQ(converted.exit_code, 0) << converted.output;
  ASSERT_EQ(data::read_dataset_info((sparse / "data.h5").string()).layout, data::DatasetLayout::sparse);

  const auto same_in_both = [&](const std::string& args, const std::vector<std::string>& files) {
    SCOPED_TRACE(args);
    const CommandResult a = run_in(dense, args), b = run_in(sparse, args);
    EXPECT_EQ(a.exit_code, 0) << a.output;
    EXPECT_EQ(b.exit_code, 0) << b.output;
    EXPECT_EQ(a.output, b.output);
    for (const std::string& file : files) {
      ASSERT_TRUE(fs::exists(dense / file)) << file;
      EXPECT_FALSE(read_bytes(dense / file).empty()) << file;
      EXPECT_EQ(read_bytes(dense / file), read_bytes(sparse / file)) << file;
    }
  };
  same_in_both("predict " + model + " --data data.h5 --fixed --out fixed.csv", {"fixed.csv"});
  same_in_both("predict " + model + " --data data.h5 --out float.csv --threads 1", {"float.csv"});
  same_in_both("predict " + model + " --data data.h5 --quantized --out quantized.csv --threads 1",
               {"quantized.csv"});
  same_in_both("stats data.h5 --json stats.json", {"stats.json"});
  same_in_both("stats data.h5 --split train --threshold 0.5", {});
  same_in_both("eval " + model + " --data data.h5 --fixed --out eval --json eval.json",
               {"eval.json", "eval/metrics.json", "eval/confusion.csv"});
  same_in_both("eval " + model + " --data data.h5 --split val --out eval-float --threads 1",
               {"eval-float/metrics.json"});
  // train reads both splits whole: the same model file (its printed lines carry timings, so not those).
  for (const fs::path& folder : {dense, sparse}) {
    const CommandResult trained =
        run_in(folder, "train " + (root_ / "small.yml").string() +
                           " --data data.h5 --out trained.json --epochs 2 --threads 1 --quiet");
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
  }
  EXPECT_FALSE(read_bytes(dense / "trained.json").empty());
  EXPECT_EQ(read_bytes(dense / "trained.json"), read_bytes(sparse / "trained.json"));
  // Streaming changed no output: the CSV equals the one of the whole split read at once.
  EXPECT_EQ(read_bytes(dense / "fixed.csv"), whole_split_fixed_csv(model, (dense / "data.h5").string()));
  const std::string sparse_csv = read_bytes(sparse / "fixed.csv");
  EXPECT_EQ(std::count(sparse_csv.begin(), sparse_csv.end(), '\n'), 2301);

  // csim: the same testbench data from both files, and 0 mismatches.
  ASSERT_EQ(run_cli("convert " + model + " --out " + (root_ / "project").string()).exit_code, 0);
  std::string inputs[2];
  for (int k = 0; k < 2; ++k) {
    const fs::path data = (k == 0 ? dense : sparse) / "data.h5";
    const CommandResult csim =
        run_cli("csim " + (root_ / "project").string() + " --data " + data.string() + " --events 1030");
    ASSERT_EQ(csim.exit_code, 0) << csim.output;
    EXPECT_NE(csim.output.find("0 mismatches"), std::string::npos) << csim.output;
    inputs[k] = read_bytes(root_ / "project" / "tb_data" / "tb_input_features.dat") +
                read_bytes(root_ / "project" / "tb_data" / "tb_output_predictions.dat");
  }
  EXPECT_FALSE(inputs[0].empty());
  EXPECT_EQ(inputs[0], inputs[1]);
}

TEST_F(SparseCli, DataConvertExitCodes) {
  const std::string dense = write_dense("in.h5", 30);
  const std::string sparse = (root_ / "out.h5").string();
  const CommandResult ok = run_cli("data convert " + dense + " --out " + sparse + " --format sparse");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("sparse"), std::string::npos) << ok.output;
  for (const std::string& split : data::split_names()) {
    const data::Split a = data::read_split(dense, split), b = data::read_split(sparse, split);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.y, b.y);
  }
  // Back to dense, over an existing file.
  EXPECT_EQ(run_cli("data convert " + sparse + " --out " + dense + ".2 --format dense").exit_code, 0);
  EXPECT_EQ(data::read_dataset_info(dense + ".2").layout, data::DatasetLayout::dense);

  // OUT == IN under any spelling: exit 2, the file untouched.
  const std::string before = read_bytes(dense);
  const CommandResult same = run_cli("data convert " + dense + " --out " + dense + " --format sparse");
  EXPECT_EQ(same.exit_code, 2) << same.output;
  EXPECT_NE(same.output.find("is the input"), std::string::npos) << same.output;
  const CommandResult spelled =
      run_in(root_, "data convert in.h5 --out ./../" + root_.filename().string() + "/in.h5 --format dense");
  EXPECT_EQ(spelled.exit_code, 2) << spelled.output;
  EXPECT_EQ(read_bytes(dense), before);

  // Usage errors: exit 2.
  EXPECT_EQ(run_cli("data convert " + dense + " --out " + (root_ / "x.h5").string()).exit_code, 2);
  EXPECT_EQ(
      run_cli("data convert " + dense + " --out " + (root_ / "x.h5").string() + " --format coo").exit_code,
      2);
  EXPECT_EQ(run_cli("data convert --out " + (root_ / "x.h5").string() + " --format dense").exit_code, 2);

  // Bad inputs: exit 1 naming the file; nothing written.
  const CommandResult missing = run_cli("data convert " + (root_ / "nope.h5").string() + " --out " +
                                        (root_ / "x.h5").string() + " --format dense");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("nope.h5"), std::string::npos) << missing.output;
  std::ofstream(root_ / "text.h5") << "not hdf5\n";
  const CommandResult text = run_cli("data convert " + (root_ / "text.h5").string() + " --out " +
                                     (root_ / "x.h5").string() + " --format sparse");
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_EQ(text.output.rfind("error: " + (root_ / "text.h5").string(), 0), 0u) << text.output;
  {
    H5::H5File file(sparse, H5F_ACC_RDWR);
    H5::DataSet offsets = file.openDataSet("/val/offsets");
    std::vector<std::int64_t> values(21);
    offsets.read(values.data(), H5::PredType::NATIVE_INT64);
    std::swap(values[3], values[9]);  // a decrease after event 3 (events 0..8 hold 0..8 hits)
    offsets.write(values.data(), H5::PredType::NATIVE_INT64);
  }
  const CommandResult damaged =
      run_cli("data convert " + sparse + " --out " + (root_ / "x.h5").string() + " --format dense");
  EXPECT_EQ(damaged.exit_code, 1) << damaged.output;
  EXPECT_NE(damaged.output.find("error: " + sparse + ": split val, event"), std::string::npos)
      << damaged.output;
  EXPECT_NE(damaged.output.find("offsets decrease"), std::string::npos) << damaged.output;
  EXPECT_FALSE(fs::exists(root_ / "x.h5"));
  for (const auto& entry : fs::directory_iterator(root_))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  // The damaged file is refused by the other readers too.
  const CommandResult stats = run_cli("stats " + sparse + " --split val");
  EXPECT_EQ(stats.exit_code, 1) << stats.output;
  EXPECT_NE(stats.output.find("offsets decrease"), std::string::npos) << stats.output;
}

TEST_F(SparseCli, EveryDataSubcommandTakesFormat) {
  for (const char* command : {"mnist", "fashion-mnist", "microboone", "jets", "synthetic", "convert"}) {
    const CommandResult help = run_cli(std::string("data ") + command + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find("--format"), std::string::npos) << command << ": " << help.output;
  }
  const std::string by_default = (root_ / "default.h5").string(), dense = (root_ / "dense.h5").string(),
                    sparse = (root_ / "sparse.h5").string();
  ASSERT_EQ(run_cli("data synthetic --events 60 --out " + by_default).exit_code, 0);
  ASSERT_EQ(run_cli("data synthetic --events 60 --format dense --out " + dense).exit_code, 0);
  ASSERT_EQ(run_cli("data synthetic --events 60 --format sparse --out " + sparse).exit_code, 0);
  EXPECT_EQ(data::read_dataset_info(by_default).layout, data::DatasetLayout::sparse);
  EXPECT_EQ(data::read_dataset_info(dense).layout, data::DatasetLayout::dense);
  EXPECT_EQ(data::read_dataset_info(sparse).layout, data::DatasetLayout::sparse);
  EXPECT_EQ(data::read_split(dense, "train").x, data::read_split(sparse, "train").x);
  EXPECT_EQ(run_cli("data synthetic --events 60 --format csr --out " + dense).exit_code, 2);
  // jets: dense by default, sparse on request (a small input file of the public schema).
  const std::string jets_input = (root_ / "jets-in.h5").string();
  {
    const hsize_t jets = 15, x_dims[3] = {jets, 100, 100}, y_dims[2] = {jets, 5};
    std::vector<float> x(jets * 10000, 0.0f), y(jets * 5, 0.0f);
    for (std::size_t jet = 0; jet < jets; ++jet) {
      x[jet * 10000 + 5050 + jet] = 600.0f;
      y[jet * 5 + jet % 5] = 1.0f;
    }
    H5::H5File file(jets_input, H5F_ACC_TRUNC);
    file.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(3, x_dims))
        .write(x.data(), H5::PredType::NATIVE_FLOAT);
    file.createDataSet("y", H5::PredType::IEEE_F32LE, H5::DataSpace(2, y_dims))
        .write(y.data(), H5::PredType::NATIVE_FLOAT);
  }
  const std::string jets_dense = (root_ / "jets-dense.h5").string(),
                    jets_sparse = (root_ / "jets-sparse.h5").string();
  ASSERT_EQ(run_cli("data jets --in " + jets_input + " --out " + jets_dense).exit_code, 0);
  ASSERT_EQ(run_cli("data jets --in " + jets_input + " --out " + jets_sparse + " --format sparse").exit_code,
            0);
  EXPECT_EQ(data::read_dataset_info(jets_dense).layout, data::DatasetLayout::dense);
  EXPECT_EQ(data::read_dataset_info(jets_sparse).layout, data::DatasetLayout::sparse);
  EXPECT_EQ(data::read_split(jets_dense, "test").x, data::read_split(jets_sparse, "test").x);
}

}  // namespace
}  // namespace sparsepixels
