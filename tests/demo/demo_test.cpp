// The demo end to end on a tiny synthetic configuration: summary.json's schema and values, the table,
// the progress lines, and the exit codes of bad options.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_command.h"
#include "sparsepixels/error.h"
#include "sparsepixels/eval/roc_plot.h"
#include "sparsepixels/workflow/demo.h"

namespace fs = std::filesystem;
using sparsepixels::testing::run_cli;
using sparsepixels::workflow::DemoOptions;
using sparsepixels::workflow::DemoResult;
using sparsepixels::workflow::ModelResult;
using sparsepixels::workflow::run_demo;

namespace {

// A fresh empty folder under the system temporary folder.
fs::path fresh_folder(const std::string& name) {
  const fs::path folder =
      fs::temp_directory_path() / ("sparsepixels-demo-test-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

// The tiny configuration: 200 synthetic events (140 train, 20 val, 40 test), one epoch, 5 csim events.
DemoOptions tiny_options(const fs::path& root, std::ostream* progress) {
  DemoOptions options;
  options.out_dir = (root / "out").string();
  options.epochs = 1;
  options.sparse_epochs = 1;
  options.train_events = 0;
  options.val_events = 0;
  options.csim_events = 5;
  options.synthetic_events = 200;
  options.examples_dir = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples";
  options.mnist_folders = std::vector<std::string>{(root / "no-mnist-here").string()};
  options.threads = 2;
  options.progress = progress;
  return options;
}

class DemoRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fresh_folder("run"));
    progress_ = new std::ostringstream;
    bars_ = new std::ostringstream;
    DemoOptions options = tiny_options(*root_, progress_);
    options.progress_bars = bars_;
    result_ = new DemoResult(run_demo(options));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete result_;
    delete progress_;
    delete bars_;
    delete root_;
  }
  static fs::path* root_;
  static std::ostringstream* progress_;
  static std::ostringstream* bars_;
  static DemoResult* result_;
};

fs::path* DemoRun::root_ = nullptr;
std::ostringstream* DemoRun::progress_ = nullptr;
std::ostringstream* DemoRun::bars_ = nullptr;
DemoResult* DemoRun::result_ = nullptr;

TEST_F(DemoRun, SaysMnistIsAbsentAndUsesTheGenerator) {
  EXPECT_NE(progress_->str().find("MNIST IDX files not found"), std::string::npos) << progress_->str();
  EXPECT_EQ(result_->dataset, "neutrino");
  EXPECT_TRUE(fs::is_regular_file(*root_ / "out" / "synthetic.h5"));
}

TEST_F(DemoRun, SummaryJsonHasTheIssueSchemaAndValues) {
  std::ifstream file(*root_ / "out" / "summary.json");
  ASSERT_TRUE(file) << "summary.json missing";
  const nlohmann::json summary = nlohmann::json::parse(file);
  EXPECT_EQ(summary.at("dataset"), "neutrino");
  const auto& models = summary.at("models");
  ASSERT_EQ(models.size(), 5u);
  // The paper's budgets (reference section 4): sparse-t/s/m/l keep 8, 12, 16, 20 pixels.
  const std::vector<std::pair<std::string, int>> expected{
      {"standard", 0}, {"sparse-t", 8}, {"sparse-s", 12}, {"sparse-m", 16}, {"sparse-l", 20}};
  std::int64_t previous_sparse_latency = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& model = models[i];
    SCOPED_TRACE(expected[i].first);
    EXPECT_EQ(model.size(), 8u) << model.dump();
    EXPECT_EQ(model.at("name"), expected[i].first);
    EXPECT_EQ(model.at("bits"), 8);
    EXPECT_EQ(model.at("metric"), "auc");
    const double value = model.at("value").get<double>();
    EXPECT_GE(value, 0.0);
    EXPECT_LE(value, 1.0);
    const std::int64_t latency = model.at("latency_cycles").get<std::int64_t>();
    EXPECT_GT(latency, 0);
    if (expected[i].second == 0) {
      EXPECT_TRUE(model.at("n_active").is_null());
      EXPECT_TRUE(model.at("csim_mismatches").is_null());
      EXPECT_EQ(model.at("csim_events"), 0);
    } else {
      EXPECT_EQ(model.at("n_active"), expected[i].second);
      EXPECT_EQ(model.at("csim_events"), 5);
      EXPECT_EQ(model.at("csim_mismatches"), 0);
      // A larger budget never makes the sparse pipeline faster (one selection pass per pixel).
      EXPECT_GE(latency, previous_sparse_latency);
      previous_sparse_latency = latency;
    }
    EXPECT_TRUE(fs::is_regular_file(*root_ / "out" / expected[i].first / "model.json"));
    EXPECT_EQ(fs::is_directory(*root_ / "out" / expected[i].first / "hls"), expected[i].second != 0);
    EXPECT_GT(summary.at("train_events_per_s").at(expected[i].first).get<double>(), 0.0);
  }
  EXPECT_EQ(summary.at("train_events_per_s").size(), 5u);
  EXPECT_EQ(result_->total_mismatches(), 0u);
}

TEST_F(DemoRun, TableHasOneRowPerModelWithItsBudget) {
  const std::string table = sparsepixels::workflow::format_table(*result_);
  std::istringstream lines(table);
  std::string header;
  std::getline(lines, header);
  EXPECT_NE(header.find("auc"), std::string::npos) << table;
  EXPECT_NE(header.find("latency cycles"), std::string::npos) << table;
  const std::vector<std::pair<std::string, std::string>> rows{
      {"standard", "-"}, {"sparse-t", "8"}, {"sparse-s", "12"}, {"sparse-m", "16"}, {"sparse-l", "20"}};
  for (const auto& [name, budget] : rows) {
    std::string line;
    ASSERT_TRUE(std::getline(lines, line)) << table;
    std::istringstream fields(line);
    std::string first, second;
    fields >> first >> second;
    EXPECT_EQ(first, name) << line;
    EXPECT_EQ(second, budget) << line;
    if (budget != "-") {
      EXPECT_NE(line.find("0 / 5"), std::string::npos) << line;
    }
  }
  std::ifstream file(*root_ / "out" / "table.txt");
  std::stringstream written;
  written << file.rdbuf();
  EXPECT_EQ(written.str(), table);
}

TEST_F(DemoRun, CsimRunsInParallelAndIsReportedInTableOrder) {
  // --threads 2 and four sparse models: two projects at a time.
  EXPECT_EQ(result_->csim_jobs, 2);
  EXPECT_GT(result_->csim_phase_seconds, 0.0);
  const std::string log = progress_->str();
  EXPECT_NE(log.find("4 HLS projects and running each on the first 5 test events, 2 at a time"),
            std::string::npos)
      << log;
  std::size_t previous = 0;
  for (const char* name : {"sparse-t", "sparse-s", "sparse-m", "sparse-l"}) {
    const std::size_t line = log.find(fmt::format("[{}] csim (", name));
    ASSERT_NE(line, std::string::npos) << name << "\n" << log;
    EXPECT_GT(line, previous) << name << " reported out of table order\n" << log;
    EXPECT_NE(log.find("5 events, 0 mismatches", line), std::string::npos) << log;
    previous = line;
  }
  for (const ModelResult& model : result_->models) {
    EXPECT_EQ(model.csim_seconds > 0, model.n_active.has_value()) << model.name;
  }
}

TEST_F(DemoRun, BarsGoToTheirStreamAndLinesStayPlain) {
  const std::string bars = bars_->str();
  // One epoch each: the final state of every training bar, and the csim phase's four projects.
  for (const char* name : {"standard", "sparse-t", "sparse-s", "sparse-m", "sparse-l"}) {
    EXPECT_NE(bars.find(fmt::format("\r[{}] train  [########################]  1/1  100%", name)),
              std::string::npos)
        << name << "\n"
        << bars;
  }
  EXPECT_NE(bars.find("\rcsim  [########################]  4/4  100%"), std::string::npos) << bars;
  const std::string log = progress_->str();
  EXPECT_EQ(log.find('\r'), std::string::npos) << log;
  // One line per model for training, not one per epoch.
  EXPECT_NE(log.find("[sparse-l] trained 1 of at most 1 epochs on 140 events"), std::string::npos) << log;
}

TEST_F(DemoRun, PlotIsDrawnOrWarned) {
  if (result_->plot_warning.empty()) {
    EXPECT_TRUE(sparsepixels::eval::has_png_signature(result_->plot_path)) << result_->plot_path;
  } else {
    EXPECT_FALSE(fs::exists(result_->plot_path));
  }
  EXPECT_TRUE(fs::is_regular_file(*root_ / "out" / "auc_vs_n.gp"));
}

TEST(Demo, MissingGnuplotIsAWarningNotAFailure) {
  const fs::path root = fresh_folder("nognuplot");
  DemoOptions options = tiny_options(root, nullptr);
  options.gnuplot = (root / "no-such-gnuplot").string();
  options.models = {"standard"};  // no csim: keeps the test fast
  const DemoResult result = run_demo(options);
  EXPECT_NE(result.plot_warning.find("not found"), std::string::npos) << result.plot_warning;
  EXPECT_FALSE(fs::exists(result.plot_path));
  ASSERT_EQ(result.models.size(), 1u);
  EXPECT_EQ(result.models[0].name, "standard");
  EXPECT_TRUE(fs::is_regular_file(root / "out" / "summary.json"));
  fs::remove_all(root);
}

TEST(Demo, WithoutAnEpochBudgetEachModelTrainsItsConfigsMaxEpochs) {
  const fs::path root = fresh_folder("recipe");
  // The neutrino standard config with max_epochs 3 and early stopping that cannot trigger.
  const fs::path examples = root / "examples";
  fs::create_directories(examples / "neutrino");
  std::ifstream in(std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/neutrino/standard-8b.yml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"max_epochs: 200", "max_epochs: 3"},
                                 {"patience: 15", "patience: 50"}}) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  std::ofstream(examples / "neutrino" / "standard-8b.yml") << text;
  std::ostringstream log;
  DemoOptions options = tiny_options(root, &log);
  options.examples_dir = examples.string();
  options.models = {"standard"};
  options.epochs = 0;  // the default: the config's recipe
  const DemoResult result = run_demo(options);
  ASSERT_EQ(result.models.size(), 1u);
  EXPECT_EQ(result.models[0].epochs_run, 3);
  EXPECT_NE(log.str().find("[standard] trained 3 of at most 3 epochs"), std::string::npos) << log.str();
  EXPECT_EQ(DemoOptions{}.epochs, 0);
  EXPECT_EQ(DemoOptions{}.sparse_epochs, 0);
  EXPECT_EQ(DemoOptions{}.val_events, 0u);
  fs::remove_all(root);
}

TEST(Demo, TooManyCsimEventsIsAUsageError) {
  const fs::path root = fresh_folder("csim");
  DemoOptions options = tiny_options(root, nullptr);
  options.csim_events = 41;  // the test split holds 20% of 200 = 40 events
  EXPECT_THROW(run_demo(options), sparsepixels::UsageError);
  fs::remove_all(root);
}

TEST(Demo, UnknownModelIsAUsageError) {
  const fs::path root = fresh_folder("models");
  DemoOptions options = tiny_options(root, nullptr);
  options.models = {"standard", "sparse-xl"};
  EXPECT_THROW(run_demo(options), sparsepixels::UsageError);
  fs::remove_all(root);
}

TEST(Demo, MissingExamplesAreNamed) {
  const fs::path root = fresh_folder("examples");
  DemoOptions options = tiny_options(root, nullptr);
  options.examples_dir = (root / "nothing").string();
  try {
    run_demo(options);
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing"), std::string::npos) << e.what();
  }
  fs::remove_all(root);
}

TEST(DemoCli, BadOptionsExitTwo) {
  EXPECT_EQ(run_cli("demo --epochs 0").exit_code, 2);
  EXPECT_EQ(run_cli("demo --sparse-epochs 0").exit_code, 2);
  EXPECT_EQ(run_cli("demo --csim-events 0").exit_code, 2);
  EXPECT_EQ(run_cli("demo --epochs many").exit_code, 2);
  // A folder that does not exist is a failure naming it (exit 1), not bad usage.
  const auto missing = run_cli("demo --examples /no/such/folder");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_EQ(missing.output, "error: /no/such/folder: not a directory (it does not exist)\n");
  EXPECT_EQ(run_cli("demo --no-such-option").exit_code, 2);
  const auto help = run_cli("demo --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--csim-events"), std::string::npos) << help.output;
}

}  // namespace
