// The example configs from training to a bit-exact C simulation, through the command line as a user runs
// it: `train CONFIG --epochs 1` on 1,000 events, `convert`, then `csim` on 1,000 test events must exit 0
// with "0 mismatches". One sparse config per dataset and bit width (sizes t, s, m, l spread over them),
// plus a top-k selection variant and a max-pooling variant written from example configs. Data: real sparse
// MNIST when the IDX files are present (else generated), generated jet-shaped and LArTPC-like events.
// Each case compiles one project (10-30 s), so each is its own CTest test and `ctest -j` runs them side by
// side. scripts/check-examples.sh runs the same check on all 30 configs.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "../codegen/temporary_folder.h"
#include "example_data.h"
#include "run_command.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/model/config.h"

namespace {

namespace fs = std::filesystem;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using codegen_test::TemporaryFolder;
using sparsepixels::testing::run_cli;

const std::string kSourceDir = SPARSEPIXELS_SOURCE_DIR;
// Training epochs. The issue asks CI for 1 epoch on at most 1,000 events, but after 1 epoch most sparse
// designs still give one constant output (their average pools shrink the untrained signal), which would
// make the bit-for-bit comparison weak; 20 epochs (about 0.1 s more) give trained, event-dependent
// outputs, and every case below checks that its outputs vary (scripts/check-examples.sh measures the
// same for all 30 configs: docs/codegen.md).
const int kEpochs = 20;

std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Replaces every `from` by `to` in `text`; the number of replacements.
int replace_all(std::string& text, const std::string& from, const std::string& to) {
  int count = 0;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  return count;
}

// The dataset file for `dataset` ("mnist", "jets", "neutrino") in `folder`: 1,000 train, 200 validation
// and 1,000 test events.
std::string dataset_file(const std::string& dataset, const fs::path& folder) {
  auto mnist_folders = sparsepixels::data::mnist::default_mnist_folders(fs::read_symlink("/proc/self/exe"));
  mnist_folders.push_back(kSourceDir + "/data/mnist");  // where scripts/fetch-mnist.sh puts them
  const auto written = example_data::write_dataset_file(dataset, (folder / (dataset + ".h5")).string(),
                                                        example_data::Sizes{}, mnist_folders);
  std::cout << "data: " << written.source << "\n";
  return written.path;
}

// train (kEpochs), convert, csim (1,000 test events) through the command line; every step must exit 0
// and the simulation must report 1,000 events with 0 mismatches.
void train_convert_simulate(const std::string& config, const std::string& dataset, const fs::path& folder) {
  const std::string data = dataset_file(dataset, folder);
  const fs::path trained = folder / "model.json", project = folder / "project";

  auto result = run_cli(fmt::format("train {} --data {} --out {} --epochs {} --quiet", config, data,
                                    trained.string(), kEpochs));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  ASSERT_NE(result.output.find(fmt::format(" of {}; wrote", kEpochs)), std::string::npos) << result.output;

  result = run_cli(fmt::format("convert {} --out {}", trained.string(), project.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;

  result = run_cli(fmt::format("csim {} --data {} --events 1000", project.string(), data));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::regex summary(R"((\d+) events, (\d+) outputs each: (\d+) mismatches)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(result.output, match, summary)) << result.output;
  EXPECT_EQ(match[1].str(), "1000") << result.output;
  const int classes = dataset == "mnist" ? 10 : dataset == "jets" ? 5 : 1;
  EXPECT_EQ(match[2].str(), std::to_string(classes)) << result.output;
  EXPECT_EQ(match[3].str(), "0") << result.output;
  // The testbench's own log holds one line of outputs per event.
  const std::string log = read_text(project / "tb_data" / "csim_results.log");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1000);
  // A constant output would prove little about the data path: the trained model must tell events apart.
  std::set<std::string> distinct;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) distinct.insert(line);
  EXPECT_GT(distinct.size(), 1u) << "every event gave the same outputs";
}

void check_example(const std::string& design) {
  const std::string dataset = design.substr(0, design.find('/'));
  TemporaryFolder folder("examples-csim-" + dataset + "-" + design.substr(design.find('/') + 1));
  train_convert_simulate(kSourceDir + "/examples/" + design + ".yml", dataset, folder.path());
}

// One sparse config per dataset and bit width; the sizes t, s, m, l spread over them.
TEST(ExamplesCsim, MnistSparseT8Bit) {
  check_example("mnist/sparse-t-8b");
}
TEST(ExamplesCsim, MnistSparseM16Bit) {
  check_example("mnist/sparse-m-16b");
}
TEST(ExamplesCsim, JetsSparseM8Bit) {
  check_example("jets/sparse-m-8b");
}
TEST(ExamplesCsim, JetsSparseL16Bit) {
  check_example("jets/sparse-l-16b");
}
TEST(ExamplesCsim, NeutrinoSparseL8Bit) {
  check_example("neutrino/sparse-l-8b");
}
TEST(ExamplesCsim, NeutrinoSparseS16Bit) {
  check_example("neutrino/sparse-s-16b");
}

// Top-k selection: a copy of jets/sparse-t-16b with `selection: topk` (and the HLS default policy topk).
TEST(ExamplesCsim, JetsSparseT16BitTopk) {
  TemporaryFolder folder("examples-csim-jets-topk");
  std::string text = read_text(kSourceDir + "/examples/jets/sparse-t-16b.yml");
  ASSERT_EQ(replace_all(text, "selection: raster", "selection: topk"), 1);
  ASSERT_EQ(replace_all(text, "selection_policy: raster", "selection_policy: topk"), 1);
  const fs::path config = folder.path() / "jets-sparse-t-16b-topk.yml";
  std::ofstream(config) << text;
  const spec::ModelSpec spec = model::load_config(config.string());
  ASSERT_EQ(spec.layers.front().kind, spec::LayerKind::InputReduce);
  ASSERT_EQ(spec.layers.front().selection, spec::Selection::TopK);
  train_convert_simulate(config.string(), "jets", folder.path());
}

// Max pooling: a copy of mnist/sparse-s-8b with both sparse average pools made max pools.
TEST(ExamplesCsim, MnistSparseS8BitMaxPooling) {
  TemporaryFolder folder("examples-csim-mnist-maxpool");
  std::string text = read_text(kSourceDir + "/examples/mnist/sparse-s-8b.yml");
  ASSERT_EQ(replace_all(text, "type: SparseAvgPool2D", "type: SparseMaxPool2D"), 2);
  const fs::path config = folder.path() / "mnist-sparse-s-8b-maxpool.yml";
  std::ofstream(config) << text;
  const spec::ModelSpec spec = model::load_config(config.string());
  int max_pools = 0;
  for (const auto& layer : spec.layers) max_pools += layer.kind == spec::LayerKind::SparseMaxPool2D ? 1 : 0;
  ASSERT_EQ(max_pools, 2);
  train_convert_simulate(config.string(), "mnist", folder.path());
}

}  // namespace
