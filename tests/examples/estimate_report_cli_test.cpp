// `sparsepixels estimate` and `sparsepixels report` run as a user runs them: on the example configs,
// with bad options and missing files, and on a project folder holding report files written here in
// the vendors' formats (a Vitis HLS csynth.xml and a Vivado report_utilization text report).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "run_command.h"
#include "sparsepixels/estimate/calibration.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels {
namespace {

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::run_cli;

const std::string kExamples = SPARSEPIXELS_EXAMPLES_DIR;

// A fresh folder under the system temporary directory, removed at the end of the test.
class TempDirectory {
 public:
  TempDirectory() {
    path_ = fs::temp_directory_path() /
            ("sparsepixels-examples-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDirectory() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  const fs::path& path() const { return path_; }
  std::string write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

// The estimator's description of a paper design with the logits as wide as the example config's
// (result: auto; the paper's synthesized designs narrowed them to 16 bits).
estimate::DesignSpec example_design(estimate::PaperModel paper, int n_active, int bits,
                                    const std::string& config) {
  estimate::DesignSpec design = estimate::paper_design(paper, n_active, bits);
  const model::Model model = model::load_model_or_config(config);
  design.layers.at(design.layers.size() - 2).result_bits =
      model.resolved()[model.size() - 2].types.accum.width;
  return design;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(EstimateCommand, PrintsTableAndWritesJsonForAConfig) {
  TempDirectory directory;
  const fs::path json = directory.path() / "estimate.json";
  const std::string config = kExamples + "/mnist/sparse-l-8b.yml";
  const testing::CommandResult result = run_cli("estimate " + config + " --json " + json.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // One row per layer of the design, a total and the utilization of the part.
  for (const char* text :
       {"conv1", "pool2", "dense2", "softmax", "total", "xcu250-figd2104-2L-e", "LUT", " us"}) {
    EXPECT_NE(result.output.find(text), std::string::npos) << text << "\n" << result.output;
  }
  ASSERT_TRUE(fs::exists(json));
  const nlohmann::json document = read_json(json);
  for (const char* key : {"latency_cycles", "ii_cycles", "clock_ns", "resources", "layers"}) {
    EXPECT_TRUE(document.contains(key)) << key;
  }
  for (const char* key : {"lut", "ff", "dsp", "bram"})
    EXPECT_TRUE(document["resources"].contains(key)) << key;
  EXPECT_TRUE(document["layers"].is_array());
  EXPECT_DOUBLE_EQ(document["clock_ns"].get<double>(), 5.0);
  // The same numbers as the estimator's own description of the paper's MNIST sparse-l 8-bit design.
  const estimate::DesignEstimate reference = estimate::estimate_design(
      example_design(estimate::PaperModel::Mnist, 20, 8, kExamples + "/mnist/sparse-l-8b.yml"));
  EXPECT_EQ(document["latency_cycles"].get<std::int64_t>(), reference.latency_cycles);
  EXPECT_EQ(document["ii_cycles"].get<std::int64_t>(), reference.ii_cycles);
  EXPECT_EQ(document["resources"]["lut"].get<std::int64_t>(),
            static_cast<std::int64_t>(reference.resources.lut));
  EXPECT_EQ(document["layers"].size(), reference.layers.size());
  EXPECT_NE(result.output.find(std::to_string(reference.latency_cycles)), std::string::npos);
  // No temporary (util::temporary_name_for: "<name>.tmp-<pid>-<n>") is left beside the file.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(json).parent_path())) {
    EXPECT_EQ(entry.path().string().rfind(std::filesystem::path(json).string() + ".tmp", 0),
              std::string::npos)
        << entry.path();
  }
}

TEST(EstimateCommand, ClockAndPartOptionsOverrideTheConfig) {
  TempDirectory directory;
  const fs::path json = directory.path() / "estimate.json";
  const testing::CommandResult result =
      run_cli("estimate " + kExamples + "/jets/standard-16b.yml --clock-ns 10 --json " + json.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_DOUBLE_EQ(read_json(json)["clock_ns"].get<double>(), 10.0);
  EXPECT_NE(result.output.find("standard io_stream"), std::string::npos) << result.output;
}

TEST(EstimateCommand, TrainedModelFileCountsItsZeroWeights) {
  TempDirectory directory;
  model::Model model = model::load_model_or_config(kExamples + "/jets/standard-8b.yml");
  // dense1 (layer 6): half its weights exactly zero, the others 0.5; every other layer keeps its
  // all-zero placeholders (counted as untrained, all weights kept).
  std::vector<float>& dense = model.layer(6).weights;
  for (std::size_t i = 0; i < dense.size(); ++i) dense[i] = i % 2 == 0 ? 0.5f : 0.0f;
  const fs::path model_file = directory.path() / "trained.json";
  model::save_model(model, model_file.string());
  const fs::path json = directory.path() / "estimate.json";
  const testing::CommandResult result =
      run_cli("estimate " + model_file.string() + " --json " + json.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  estimate::DesignSpec reference =
      example_design(estimate::PaperModel::Jets, 0, 8, kExamples + "/jets/standard-8b.yml");
  ASSERT_EQ(reference.layers[6].name, "dense1");
  const estimate::DesignEstimate full = estimate::estimate_design(reference);
  // 0.5 in ap_fixed<8,5> is raw 4: one CSD digit per non-zero weight.
  reference.layers[6].weight_digits = estimate::WeightDigits{0.5, 0.5};
  const estimate::DesignEstimate pruned = estimate::estimate_design(reference);
  const nlohmann::json document = read_json(json);
  EXPECT_EQ(document["resources"]["lut"].get<std::int64_t>(),
            static_cast<std::int64_t>(pruned.resources.lut));
  EXPECT_EQ(document["layers"][6]["resources"]["lut"].get<std::int64_t>(),
            static_cast<std::int64_t>(pruned.layers[6].resources.lut));
  EXPECT_LT(pruned.layers[6].resources.lut, full.layers[6].resources.lut);
}

TEST(EstimateCommand, EveryExampleConfigEstimates) {
  int count = 0, large = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kExamples)) {
    if (entry.path().extension() != ".yml") continue;
    const testing::CommandResult result = run_cli("estimate " + entry.path().string());
    EXPECT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.output;
    EXPECT_NE(result.output.find("total"), std::string::npos) << entry.path();
    // Only the large-image configs (examples/lartpc-*) have an input reduction too large for the U250.
    const bool is_large = entry.path().parent_path().filename().string().rfind("lartpc-", 0) == 0;
    EXPECT_EQ(result.output.find("the input reduction alone") != std::string::npos, is_large)
        << entry.path() << "\n"
        << result.output;
    (is_large ? large : count) += 1;
  }
  EXPECT_EQ(count, 30);
  EXPECT_EQ(large, 2);
}

// Issue 15: a 512x512 dense input reduction (about 23 LUTs per pixel and input bit pair, twice that with
// top-k) needs millions of LUTs; estimate says so and that a hit-list hardware input is the way out.
TEST(EstimateCommand, LargeInputReductionWarnsThatItDoesNotFitTheU250) {
  const testing::CommandResult result = run_cli("estimate " + kExamples + "/lartpc-512/sparse-l.yml");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::string expected = "warning: lartpc-512-sparse-l: the input reduction alone is estimated at ";
  const auto at = result.output.find(expected);
  ASSERT_NE(at, std::string::npos) << result.output;
  const std::string line = result.output.substr(at, result.output.find('\n', at) - at);
  EXPECT_NE(line.find("per pixel of the 512x512 dense input), more than the part xcu250-figd2104-2L-e has "
                      "(1,728,000): this design does not fit it"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("hit-list input"), std::string::npos) << line;
  // The figure is millions of LUTs: at least 5,000,000 (digits and commas after "estimated at ").
  std::string digits;
  for (std::size_t k = expected.size(); k < line.size() && line[k] != ' '; ++k)
    if (line[k] != ',') digits += line[k];
  EXPECT_GE(std::stoll(digits), 5000000LL) << line;
  // The paper's 63x63 neutrino sparse-l fits: no such warning.
  const testing::CommandResult small = run_cli("estimate " + kExamples + "/neutrino/sparse-l-8b.yml");
  EXPECT_EQ(small.output.find("the input reduction alone"), std::string::npos) << small.output;
}

TEST(EstimateCommand, BadOptionsExitTwo) {
  const std::string config = kExamples + "/mnist/sparse-t-8b.yml";
  for (const std::string& args :
       {std::string("estimate"), "estimate " + config + " --clock-ns -5",
        "estimate " + config + " --clock-ns fast", "estimate " + config + " --no-such-option"}) {
    const testing::CommandResult result = run_cli(args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
  }
}

TEST(EstimateCommand, UnknownPartWarnsThatUtilizationCannotBeChecked) {
  const std::string config = kExamples + "/mnist/sparse-t-8b.yml";
  const testing::CommandResult result = run_cli("estimate " + config + " --part xc-no-such-part");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("warning: mnist-sparse-t-8b: unknown part 'xc-no-such-part'"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("utilization cannot be checked"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("total"), std::string::npos)
      << result.output;  // the estimate is still printed
}

TEST(EstimateCommand, MissingFileExitsOneNamingIt) {
  TempDirectory directory;
  const std::string missing = (directory.path() / "no-such-model.yml").string();
  const testing::CommandResult result = run_cli("estimate " + missing);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output, "error: " + missing + ": does not exist\n");
}

TEST(ConvertCommand, MissingModelExitsOneNamingIt) {
  TempDirectory directory;
  const std::string missing = (directory.path() / "no-such-model.json").string();
  const testing::CommandResult result =
      run_cli("convert " + missing + " --out " + (directory.path() / "project").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output, "error: " + missing + ": does not exist\n");
  EXPECT_FALSE(fs::exists(directory.path() / "project"));
}

// The jets 16-bit sparse-l config with N = 64 instead of 20: its two convolutions alone need
// 2 x 3 x 64^2 = 24,576 DSPs (one 16 x 16 product per slot pair, channel and filter), twice the
// 12,288 of the U250. Written as a config and as a model file.
struct HugeDesign {
  std::string config, model;
};

HugeDesign write_huge_design(const TempDirectory& directory) {
  std::ifstream in(kExamples + "/jets/sparse-l-16b.yml");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  const std::string budget = "n_active: 20";
  const auto at = config.find(budget);
  EXPECT_NE(at, std::string::npos);
  config.replace(at, budget.size(), "n_active: 64");
  HugeDesign huge;
  huge.config = directory.write("huge.yml", config);
  huge.model = (directory.path() / "huge.json").string();
  model::save_model(model::load_model_or_config(huge.config), huge.model);
  return huge;
}

TEST(EstimateCommand, WarnsWhenTheEstimateExceedsThePart) {
  TempDirectory directory;
  const HugeDesign huge = write_huge_design(directory);
  const testing::CommandResult result = run_cli("estimate " + huge.config);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("warning: jets-sparse-l-16b: estimated DSP "), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(" exceeds the part xcu250-figd2104-2L-e (12,288)"), std::string::npos)
      << result.output;

  const testing::CommandResult small = run_cli("estimate " + kExamples + "/mnist/sparse-t-8b.yml");
  ASSERT_EQ(small.exit_code, 0) << small.output;
  EXPECT_EQ(small.output.find("exceeds the part"), std::string::npos) << small.output;
  EXPECT_EQ(small.output.find("warning"), std::string::npos) << small.output;
  EXPECT_EQ(small.output.find("of the part"), std::string::npos) << small.output;
}

TEST(ConvertCommand, WarnsWhenTheEstimateExceedsThePart) {
  TempDirectory directory;
  const HugeDesign huge = write_huge_design(directory);
  const testing::CommandResult result =
      run_cli("convert " + huge.model + " --out " + (directory.path() / "huge-project").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("warning: jets-sparse-l-16b: estimated DSP "), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(" exceeds the part xcu250-figd2104-2L-e (12,288)"), std::string::npos)
      << result.output;
  EXPECT_TRUE(fs::exists(directory.path() / "huge-project"));  // a warning, not a failure

  // The part given to convert is the one checked.
  const testing::CommandResult other_part =
      run_cli("convert " + huge.model + " --out " + (directory.path() / "other-part").string() +
              " --part xc-no-such-part");
  EXPECT_NE(other_part.output.find("unknown part 'xc-no-such-part'"), std::string::npos) << other_part.output;

  const std::string small_model = (directory.path() / "small.json").string();
  model::save_model(model::load_model_or_config(kExamples + "/mnist/sparse-t-8b.yml"), small_model);
  const testing::CommandResult small =
      run_cli("convert " + small_model + " --out " + (directory.path() / "small-project").string());
  ASSERT_EQ(small.exit_code, 0) << small.output;
  EXPECT_EQ(small.output.find("of the part"), std::string::npos) << small.output;
  EXPECT_EQ(small.output.find("exceeds the part"), std::string::npos) << small.output;
}

// Written by hand in the layout of a Vitis HLS 2023.1 csynth.xml (numbers: MNIST 8-bit sparse-l,
// reference section 8).
const char* const kCsynth = R"(<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <ReportVersion><Version>2023.1</Version></ReportVersion>
  <UserAssignments>
    <unit>ns</unit>
    <Part>xcu250-figd2104-2L-e</Part>
    <TopModelName>myproject</TopModelName>
    <TargetClockPeriod>5.00</TargetClockPeriod>
    <ClockUncertainty>1.35</ClockUncertainty>
  </UserAssignments>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis><unit>ns</unit><EstimatedClockPeriod>3.650</EstimatedClockPeriod></SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency>
      <unit>clock cycles</unit>
      <Best-caseLatency>146</Best-caseLatency>
      <Average-caseLatency>146</Average-caseLatency>
      <Worst-caseLatency>146</Worst-caseLatency>
      <Interval-min>84</Interval-min>
      <Interval-max>84</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources><BRAM_18K>0</BRAM_18K><DSP>12</DSP><FF>101234</FF><LUT>412345</LUT><URAM>0</URAM></Resources>
    <AvailableResources><BRAM_18K>5376</BRAM_18K><DSP>12288</DSP><FF>3456000</FF><LUT>1728000</LUT><URAM>1280</URAM></AvailableResources>
  </AreaEstimates>
</profile>
)";

// Written by hand in the layout of a Vivado 2023.1 report_utilization text report.
const char* const kUtilization = R"(Copyright 1986-2022 Xilinx, Inc. All Rights Reserved.
-------------------------------------------------------------------------------------
| Tool Version : Vivado v.2023.1 (lin64) Build 3865809 Sun May  7 15:04:56 MDT 2023
| Design       : myproject
| Device       : xcu250-figd2104-2L-e
| Design State : Synthesized
-------------------------------------------------------------------------------------

1. CLB Logic
------------

+----------------------------+--------+-------+------------+-----------+-------+
|          Site Type         |  Used  | Fixed | Prohibited | Available | Util% |
+----------------------------+--------+-------+------------+-----------+-------+
| CLB LUTs*                  | 325058 |     0 |          0 |   1728000 | 18.81 |
|   LUT as Logic             | 325058 |     0 |          0 |   1728000 | 18.81 |
| CLB Registers              |  96859 |     0 |          0 |   3456000 |  2.80 |
+----------------------------+--------+-------+------------+-----------+-------+

2. BLOCKRAM
-----------

+-------------------+------+-------+------------+-----------+-------+
|     Site Type     | Used | Fixed | Prohibited | Available | Util% |
+-------------------+------+-------+------------+-----------+-------+
| Block RAM Tile    |    0 |     0 |          0 |      2688 |  0.00 |
+-------------------+------+-------+------------+-----------+-------+

3. ARITHMETIC
-------------

+----------------+------+-------+------------+-----------+-------+
|    Site Type   | Used | Fixed | Prohibited | Available | Util% |
+----------------+------+-------+------------+-----------+-------+
| DSPs           |   10 |     0 |          0 |     12288 |  0.08 |
+----------------+------+-------+------------+-----------+-------+
)";

TEST(ReportCommand, PrintsVendorNumbersBesideTheEstimate) {
  TempDirectory project;
  project.write("myproject_prj/solution1/syn/report/csynth.xml", kCsynth);
  project.write("vivado_synth.rpt", kUtilization);
  const std::string config = kExamples + "/mnist/sparse-l-8b.yml";
  TempDirectory out;
  const fs::path json = out.path() / "report.json";
  const testing::CommandResult result =
      run_cli("report " + project.path().string() + " --model " + config + " --json " + json.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const estimate::DesignEstimate reference = estimate::estimate_design(
      example_design(estimate::PaperModel::Mnist, 20, 8, kExamples + "/mnist/sparse-l-8b.yml"));
  // Each vendor number appears, and so does the estimate's.
  for (const std::string& text :
       {std::string("146"), std::string("84"), std::string("412345"), std::string("325058"),
        std::string("96859"), std::to_string(reference.latency_cycles),
        std::to_string(static_cast<std::int64_t>(reference.resources.lut))}) {
    EXPECT_NE(result.output.find(text), std::string::npos) << text << "\n" << result.output;
  }
  // LUT is compared with Vivado's count: (estimate - 325058) / 325058.
  const std::string lut_error =
      fmt::format("{:+.1f}%", 100.0 * (reference.resources.lut - 325058.0) / 325058.0);
  EXPECT_NE(result.output.find(lut_error), std::string::npos) << lut_error << "\n" << result.output;
  const nlohmann::json document = read_json(json);
  EXPECT_EQ(document["hls"]["latency_worst_cycles"].get<std::int64_t>(), 146);
  EXPECT_EQ(document["estimate"]["latency_cycles"].get<std::int64_t>(), reference.latency_cycles);
}

TEST(ReportCommand, FindsTheProjectsModelCopy) {
  TempDirectory project;
  project.write("myproject_prj/solution1/syn/report/csynth.xml", kCsynth);
  const model::Model model = model::load_model_or_config(kExamples + "/jets/sparse-t-16b.yml");
  model::save_model(model, (project.path() / "model.json").string());
  const testing::CommandResult result = run_cli("report " + project.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const estimate::DesignEstimate reference = estimate::estimate_design(
      example_design(estimate::PaperModel::Jets, 8, 16, kExamples + "/jets/sparse-t-16b.yml"));
  EXPECT_NE(result.output.find("model.json"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Vivado report: none found"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(std::to_string(reference.latency_cycles)), std::string::npos) << result.output;
  // The copy's weights are all-zero placeholders: they count as untrained, not as pruned away.
  EXPECT_NE(result.output.find(std::to_string(static_cast<std::int64_t>(reference.resources.lut))),
            std::string::npos)
      << result.output;
}

TEST(ReportCommand, RefusesAJsonOutputThatIsOneOfItsInputs) {
  TempDirectory project;
  const std::string csynth = project.write("myproject_prj/solution1/syn/report/csynth.xml", kCsynth);
  const std::string vivado = project.write("vivado_synth.rpt", kUtilization);
  const std::string config = project.write("sparsepixels_config.yml", "# the project's config\n");
  const model::Model model = model::load_model_or_config(kExamples + "/jets/sparse-t-16b.yml");
  const std::string model_copy = (project.path() / "model.json").string();
  model::save_model(model, model_copy);
  // A copy of an example config as --model, so that a missing check cannot overwrite the example.
  TempDirectory elsewhere;
  const std::string model_option =
      elsewhere.write("sparse-t-8b.yml", read_bytes(kExamples + "/mnist/sparse-t-8b.yml"));

  struct Case {
    std::string model_args, json;
  };
  const std::string dot_path = (project.path() / "." / "model.json").string();
  for (const Case& c : {Case{"", model_copy}, Case{"", dot_path}, Case{"", csynth}, Case{"", vivado},
                        Case{"", config}, Case{" --model " + model_option, model_option}}) {
    const std::string before = read_bytes(c.json);
    ASSERT_FALSE(before.empty()) << c.json;
    const testing::CommandResult result =
        run_cli("report " + project.path().string() + c.model_args + " --json " + c.json);
    EXPECT_EQ(result.exit_code, 2) << c.json << "\n" << result.output;
    EXPECT_NE(result.output.find("--json"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("is the input"), std::string::npos) << result.output;
    EXPECT_EQ(read_bytes(c.json), before) << c.json << " was changed";
  }
  // Another file in the project folder is fine.
  const fs::path json = project.path() / "report.json";
  const testing::CommandResult result =
      run_cli("report " + project.path().string() + " --json " + json.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::is_regular_file(json));
}

TEST(ReportCommand, MissingReportsOrModelGiveClearErrors) {
  TempDirectory project;
  testing::CommandResult result =
      run_cli("report " + project.path().string() + " --model " + kExamples + "/mnist/sparse-t-8b.yml");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("no synthesis report"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(project.path().string()), std::string::npos) << result.output;

  project.write("vivado_synth.rpt", kUtilization);
  result = run_cli("report " + project.path().string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("model.json"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--model"), std::string::npos) << result.output;

  result = run_cli("report " + (project.path() / "missing").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("not a directory"), std::string::npos) << result.output;

  EXPECT_EQ(run_cli("report").exit_code, 2);
}

}  // namespace
}  // namespace sparsepixels
