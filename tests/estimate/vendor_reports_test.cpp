// Vendor report readers on files written here in the tools' formats (a Vitis HLS csynth.xml and a
// Vivado report_utilization text report), with hand-chosen numbers, and on malformed variants.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/estimate/calibration.h"
#include "sparsepixels/estimate/vendor_reports.h"

namespace sparsepixels::estimate {
namespace {

namespace fs = std::filesystem;

const char* const kVitisCsynth = R"(<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <ReportVersion>
    <Version>2023.1</Version>
  </ReportVersion>
  <UserAssignments>
    <unit>ns</unit>
    <ProductFamily>virtexuplus</ProductFamily>
    <Part>xcu250-figd2104-2L-e</Part>
    <TopModelName>myproject</TopModelName>
    <TargetClockPeriod>5.00</TargetClockPeriod>
    <ClockUncertainty>1.35</ClockUncertainty>
    <FlowTarget>vivado</FlowTarget>
  </UserAssignments>
  <PerformanceEstimates>
    <PipelineType>dataflow</PipelineType>
    <SummaryOfTimingAnalysis>
      <unit>ns</unit>
      <EstimatedClockPeriod>3.650</EstimatedClockPeriod>
    </SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency>
      <unit>clock cycles</unit>
      <Best-caseLatency>146</Best-caseLatency>
      <Average-caseLatency>146</Average-caseLatency>
      <Worst-caseLatency>146</Worst-caseLatency>
      <Best-caseRealTimeLatency>0.730 us</Best-caseRealTimeLatency>
      <Worst-caseRealTimeLatency>0.730 us</Worst-caseRealTimeLatency>
      <Interval-min>84</Interval-min>
      <Interval-max>84</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources>
      <BRAM_18K>6</BRAM_18K>
      <DSP>10</DSP>
      <FF>96859</FF>
      <LUT>325058</LUT>
      <URAM>0</URAM>
    </Resources>
    <AvailableResources>
      <BRAM_18K>5376</BRAM_18K>
      <DSP>12288</DSP>
      <FF>3456000</FF>
      <LUT>1728000</LUT>
      <URAM>1280</URAM>
    </AvailableResources>
  </AreaEstimates>
</profile>
)";

// Vivado HLS (older) names the DSP count DSP48E and may leave latencies undefined.
const char* const kVivadoHlsCsynth = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- written by a test -->
<profile>
  <UserAssignments><Part>xcku115-flvb2104-2-i</Part><TopModelName>top &amp; co</TopModelName></UserAssignments>
  <PerformanceEstimates>
    <SummaryOfOverallLatency>
      <Best-caseLatency>12</Best-caseLatency><Average-caseLatency>undef</Average-caseLatency>
      <Worst-caseLatency>undef</Worst-caseLatency><Interval-min>3</Interval-min><Interval-max>undef</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates><Resources><BRAM_18K>1</BRAM_18K><DSP48E>7</DSP48E><FF>500</FF><LUT>900</LUT></Resources>
  </AreaEstimates>
</profile>
)";

const char* const kUltrascaleUtilization = R"(Copyright 1986-2022 Xilinx, Inc. All Rights Reserved.
---------------------------------------------------------------------------------------------------------------------
| Tool Version : Vivado v.2023.1 (lin64) Build 3865809 Sun May  7 15:04:56 MDT 2023
| Date         : Fri Nov 27 10:00:00 2026
| Host         : builder running 64-bit Debian GNU/Linux 12
| Command      : report_utilization -file vivado_synth.rpt
| Design       : myproject
| Device       : xcu250-figd2104-2L-e
| Speed File   : -2L
| Design State : Synthesized
---------------------------------------------------------------------------------------------------------------------

Utilization Design Information

Table of Contents
-----------------
1. CLB Logic
2. BLOCKRAM
3. ARITHMETIC

1. CLB Logic
------------

+----------------------------+--------+-------+------------+-----------+-------+
|          Site Type         |  Used  | Fixed | Prohibited | Available | Util% |
+----------------------------+--------+-------+------------+-----------+-------+
| CLB LUTs*                  | 325058 |     0 |          0 |   1728000 | 18.81 |
|   LUT as Logic             | 324001 |     0 |          0 |   1728000 | 18.75 |
|   LUT as Memory            |   1057 |     0 |          0 |    791040 |  0.13 |
| CLB Registers              |  96859 |     0 |          0 |   3456000 |  2.80 |
|   Register as Flip Flop    |  96859 |     0 |          0 |   3456000 |  2.80 |
| CARRY8                     |   9120 |     0 |          0 |    216000 |  4.22 |
+----------------------------+--------+-------+------------+-----------+-------+
* Warning! LUT value is adjusted to account for LUT combining.

2. BLOCKRAM
-----------

+-------------------+------+-------+------------+-----------+-------+
|     Site Type     | Used | Fixed | Prohibited | Available | Util% |
+-------------------+------+-------+------------+-----------+-------+
| Block RAM Tile    |  1.5 |     0 |          0 |      2688 |  0.06 |
|   RAMB36/FIFO*    |    1 |     0 |          0 |      2688 |  0.04 |
|   RAMB18          |    1 |     0 |          0 |      5376 |  0.02 |
| URAM              |    0 |     0 |          0 |      1280 |  0.00 |
+-------------------+------+-------+------------+-----------+-------+

3. ARITHMETIC
-------------

+----------------+------+-------+------------+-----------+-------+
|    Site Type   | Used | Fixed | Prohibited | Available | Util% |
+----------------+------+-------+------------+-----------+-------+
| DSPs           |   10 |     0 |          0 |     12288 |  0.08 |
|   DSP48E2 only |   10 |       |            |           |       |
+----------------+------+-------+------------+-----------+-------+

8. Primitives
-------------

+----------+--------+---------------------+
| Ref Name |  Used  | Functional Category |
+----------+--------+---------------------+
| LUT6     | 200000 |                 CLB |
+----------+--------+---------------------+
)";

const char* const kSeriesSevenUtilization = R"(| Device       : xc7z020clg400-1
1. Slice Logic
+----------------------------+------+-------+-----------+-------+
|          Site Type         | Used | Fixed | Available | Util% |
+----------------------------+------+-------+-----------+-------+
| Slice LUTs*                | 4321 |     0 |     53200 |  8.12 |
| Slice Registers            | 5678 |     0 |    106400 |  5.34 |
+----------------------------+------+-------+-----------+-------+
| Block RAM Tile    |    2 |     0 |       140 |  1.43 |
| DSPs           |   34 |     0 |       220 | 15.45 |
)";

class TempDirectory {
 public:
  TempDirectory() {
    path_ = fs::temp_directory_path() /
            ("sparsepixels_reports_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDirectory() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  std::string write(const fs::path& relative, const std::string& content) const {
    const fs::path target = path_ / relative;
    fs::create_directories(target.parent_path());
    std::ofstream(target) << content;
    return target.string();
  }

 private:
  fs::path path_;
};

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST(HlsSynthesisReport, ReadsVitisCsynthXml) {
  TempDirectory directory;
  const std::string path = directory.write("csynth.xml", kVitisCsynth);
  const HlsSynthesisReport report = read_hls_synthesis_report(path);
  EXPECT_EQ(report.path, path);
  EXPECT_EQ(report.tool_version, "2023.1");
  EXPECT_EQ(report.part, "xcu250-figd2104-2L-e");
  EXPECT_EQ(report.top, "myproject");
  EXPECT_DOUBLE_EQ(*report.target_clock_ns, 5.0);
  EXPECT_DOUBLE_EQ(*report.clock_uncertainty_ns, 1.35);
  EXPECT_DOUBLE_EQ(*report.estimated_clock_ns, 3.65);
  EXPECT_EQ(*report.best_latency, 146);
  EXPECT_EQ(*report.worst_latency, 146);
  EXPECT_EQ(*report.interval_min, 84);
  EXPECT_EQ(*report.interval_max, 84);
  EXPECT_EQ(*report.used.lut, 325058);
  EXPECT_EQ(*report.used.ff, 96859);
  EXPECT_EQ(*report.used.dsp, 10);
  EXPECT_DOUBLE_EQ(*report.used.bram36, 3.0);  // 6 halves of 18 Kb
  EXPECT_EQ(*report.used.uram, 0);
  EXPECT_EQ(*report.available.lut, 1728000);
  EXPECT_DOUBLE_EQ(*report.available.bram36, 2688);
  const nlohmann::json json = to_json(report);
  EXPECT_EQ(json["latency_worst_cycles"], 146);
  EXPECT_EQ(json["resources"]["lut"], 325058);
}

TEST(HlsSynthesisReport, ReadsVivadoHlsNamesAndUndefinedLatency) {
  const HlsSynthesisReport report = parse_hls_synthesis_report(kVivadoHlsCsynth, "old.xml");
  EXPECT_EQ(report.top, "top & co");
  EXPECT_EQ(*report.best_latency, 12);
  EXPECT_FALSE(report.worst_latency.has_value());
  EXPECT_FALSE(report.average_latency.has_value());
  EXPECT_FALSE(report.interval_max.has_value());
  EXPECT_EQ(*report.used.dsp, 7);
  EXPECT_DOUBLE_EQ(*report.used.bram36, 0.5);
  EXPECT_FALSE(report.used.uram.has_value());
  EXPECT_FALSE(report.available.lut.has_value());
}

TEST(HlsSynthesisReport, MalformedFilesGiveClearErrors) {
  std::string text = kVitisCsynth;
  text.replace(text.find("</Worst-caseLatency>"), 20, "</Worst-caseLatenc>");
  std::string message = error_of([&] { parse_hls_synthesis_report(text, "bad.xml"); });
  EXPECT_NE(message.find("bad.xml:25: malformed XML"), std::string::npos) << message;
  EXPECT_NE(message.find("</Worst-caseLatenc> closes <Worst-caseLatency>"), std::string::npos) << message;

  text = kVitisCsynth;
  text.replace(text.find("<LUT>325058</LUT>"), 17, "<LUT>32x5058</LUT>");
  message = error_of([&] { parse_hls_synthesis_report(text, "lut.xml"); });
  EXPECT_NE(message.find("lut.xml:"), std::string::npos) << message;
  EXPECT_NE(message.find("<LUT> is not an integer: '32x5058'"), std::string::npos) << message;

  message = error_of([] { parse_hls_synthesis_report("<profile><AreaEstimates/></profile>", "empty.xml"); });
  EXPECT_NE(message.find("SummaryOfOverallLatency"), std::string::npos) << message;

  message = error_of([] { parse_hls_synthesis_report("<profile><a></profile", "cut.xml"); });
  EXPECT_NE(message.find("cut.xml:1: malformed XML"), std::string::npos) << message;

  message = error_of([] { read_hls_synthesis_report("/nonexistent/dir/csynth.xml"); });
  EXPECT_NE(message.find("cannot open report '/nonexistent/dir/csynth.xml'"), std::string::npos) << message;
}

// Deep nesting is refused with a clear error at any depth past the limit, without exhausting the stack
// (the parser recursed once per level: 30,000 levels crashed it).
TEST(HlsSynthesisReport, DeepNestingIsAnErrorNotACrash) {
  for (const std::size_t depth : {std::size_t{300}, std::size_t{20000}, std::size_t{400000}}) {
    std::string text;
    for (std::size_t k = 0; k < depth; ++k) text += "<e>";
    for (std::size_t k = 0; k < depth; ++k) text += "</e>";
    const std::string message = error_of([&] { parse_hls_synthesis_report(text, "deep.xml"); });
    EXPECT_NE(message.find("deep.xml:1: malformed XML: elements nested deeper than"), std::string::npos)
        << depth << ": " << message;
  }
  // A depth within the limit still parses (and fails only for what it lacks).
  std::string text = "<profile>";
  for (int k = 0; k < 100; ++k) text += "<e>";
  for (int k = 0; k < 100; ++k) text += "</e>";
  text += "</profile>";
  const std::string message = error_of([&] { parse_hls_synthesis_report(text, "shallow.xml"); });
  EXPECT_NE(message.find("not a C-synthesis report"), std::string::npos) << message;
}

TEST(HlsSynthesisReport, ReadsGeneralXmlConstructs) {
  // Attributes, comments and CDATA inside elements, self-closing elements, character references.
  const char* const text = R"(<?xml version="1.0"?>
<!DOCTYPE profile>
<profile kind='summary' version="1">
  <UserAssignments><TopModelName><![CDATA[my<top>]]></TopModelName><Part>xc&#55;z&#x30;20</Part></UserAssignments>
  <PerformanceEstimates>
    <PipelineType/>
    <SummaryOfOverallLatency>
      <!-- a comment between elements -->
      <Best-caseLatency> 7 </Best-caseLatency>
      <Worst-caseLatency>9<!-- inside --></Worst-caseLatency>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates><Resources><LUT>5</LUT></Resources></AreaEstimates>
</profile>)";
  const HlsSynthesisReport report = parse_hls_synthesis_report(text, "general.xml");
  EXPECT_EQ(report.top, "my<top>");
  EXPECT_EQ(report.part, "xc7z020");
  EXPECT_EQ(*report.best_latency, 7);
  EXPECT_EQ(*report.worst_latency, 9);
  EXPECT_EQ(*report.used.lut, 5);
  EXPECT_FALSE(report.used.dsp.has_value());
  EXPECT_NE(error_of([] {
              parse_hls_synthesis_report("<profile>&bogus;</profile>", "e.xml");
            }).find("unknown entity &bogus;"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { parse_hls_synthesis_report("<profile a=1></profile>", "q.xml"); }).find("quoted value"),
      std::string::npos);
  EXPECT_NE(error_of([] { parse_hls_synthesis_report("<a></a><b></b>", "two.xml"); }).find("after the root"),
            std::string::npos);
}

TEST(VivadoUtilizationReport, ReadsUltrascaleTables) {
  TempDirectory directory;
  const std::string path = directory.write("vivado_synth.rpt", kUltrascaleUtilization);
  const VivadoUtilizationReport report = read_vivado_utilization_report(path);
  EXPECT_EQ(report.device, "xcu250-figd2104-2L-e");
  EXPECT_EQ(report.design, "myproject");
  EXPECT_EQ(*report.used.lut, 325058);
  EXPECT_EQ(*report.available.lut, 1728000);
  EXPECT_EQ(*report.used.ff, 96859);
  EXPECT_DOUBLE_EQ(*report.used.bram36, 1.5);
  EXPECT_EQ(*report.used.dsp, 10);
  EXPECT_EQ(*report.available.dsp, 12288);
  EXPECT_EQ(*report.used.uram, 0);
  EXPECT_EQ(to_json(report)["resources"]["dsp"], 10);
}

TEST(VivadoUtilizationReport, ReadsSevenSeriesTables) {
  const VivadoUtilizationReport report = parse_vivado_utilization_report(kSeriesSevenUtilization, "z7.rpt");
  EXPECT_EQ(report.device, "xc7z020clg400-1");
  EXPECT_EQ(*report.used.lut, 4321);
  EXPECT_EQ(*report.available.lut, 53200);
  EXPECT_EQ(*report.used.ff, 5678);
  EXPECT_DOUBLE_EQ(*report.used.bram36, 2);
  EXPECT_EQ(*report.used.dsp, 34);
  EXPECT_FALSE(report.used.uram.has_value());
}

TEST(VivadoUtilizationReport, MalformedFilesGiveClearErrors) {
  std::string text = kUltrascaleUtilization;
  text.replace(text.find("|  96859 |"), 10, "|  9x859 |");
  std::string message = error_of([&] { parse_vivado_utilization_report(text, "u.rpt"); });
  EXPECT_NE(message.find("u.rpt:"), std::string::npos) << message;
  EXPECT_NE(message.find("Used of 'CLB Registers' is not a number: '9x859'"), std::string::npos) << message;

  message = error_of([] { parse_vivado_utilization_report("just some text\n| a | b |\n", "other.rpt"); });
  EXPECT_NE(message.find("other.rpt: no 'CLB LUTs' or 'Slice LUTs' row"), std::string::npos) << message;
}

TEST(ProjectReports, FindsTheTopReportsInAnHls4mlLayout) {
  TempDirectory directory;
  directory.write("build_prj.tcl", "open_project -reset myproject_prj\nset_top myproject\n");
  const std::string top =
      directory.write("myproject_prj/solution1/syn/report/myproject_csynth.xml", kVitisCsynth);
  directory.write("myproject_prj/solution1/syn/report/dense_latency_csynth.xml", kVivadoHlsCsynth);
  const std::string vivado = directory.write("vivado_synth.rpt", kUltrascaleUtilization);
  directory.write("other/notes_utilization.rpt", kSeriesSevenUtilization);
  ProjectReportFiles files = find_project_reports(directory.path().string());
  ASSERT_TRUE(files.hls_synthesis.has_value());
  EXPECT_EQ(*files.hls_synthesis, top);
  ASSERT_TRUE(files.vivado_utilization.has_value());
  EXPECT_EQ(*files.vivado_utilization, vivado);

  // Vitis's own summary csynth.xml wins over per-module reports.
  const std::string summary = directory.write("myproject_prj/solution1/syn/report/csynth.xml", kVitisCsynth);
  files = find_project_reports(directory.path().string());
  EXPECT_EQ(*files.hls_synthesis, summary);

  EXPECT_NE(error_of([&] {
              find_project_reports((directory.path() / "missing").string());
            }).find("not a directory"),
            std::string::npos);
}

TEST(ProjectReports, ComparisonShowsEstimateBesideReports) {
  const HlsSynthesisReport hls = parse_hls_synthesis_report(kVitisCsynth, "csynth.xml");
  const VivadoUtilizationReport vivado =
      parse_vivado_utilization_report(kUltrascaleUtilization, "vivado_synth.rpt");
  DesignEstimate estimate;
  estimate.latency_cycles = 150;
  estimate.ii_cycles = 84;
  estimate.resources.lut = 357564;  // 10% above the Vivado count
  const std::string text = format_comparison(estimate, &hls, &vivado);
  EXPECT_NE(text.find("325058"), std::string::npos) << text;
  EXPECT_NE(text.find("+10.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("+2.7%"), std::string::npos) << text;  // latency 150 vs 146
  EXPECT_NE(format_comparison(estimate, nullptr, nullptr).find("-"), std::string::npos);
}

}  // namespace
}  // namespace sparsepixels::estimate
