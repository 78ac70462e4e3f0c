#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sparsepixels/estimate/estimator.h"

namespace sparsepixels::estimate {

/// Resource counts as a vendor tool reports them.
struct ReportedResources {
  std::optional<std::int64_t> lut, ff, dsp, uram;
  std::optional<double> bram36;  ///< 36 Kb tiles (HLS reports 18 Kb halves: divided by 2)
};

/// The summary of a Vitis HLS / Vivado HLS C-synthesis report (`<top>_csynth.xml` or `csynth.xml`
/// under `<project>/solution1/syn/report/`). Latencies are nullopt where the tool wrote "undef".
struct HlsSynthesisReport {
  std::string path;
  std::string tool_version, part, top;
  std::optional<double> target_clock_ns, clock_uncertainty_ns, estimated_clock_ns;
  std::optional<std::int64_t> best_latency, average_latency, worst_latency, interval_min, interval_max;
  ReportedResources used, available;
};

/// The summary of a Vivado `report_utilization` text report.
struct VivadoUtilizationReport {
  std::string path;
  std::string device, design, tool_version;
  ReportedResources used, available;
};

/// Parses csynth XML text; `source` names it in errors. Throws sparsepixels::Error naming the
/// source, the element and the value for malformed or incomplete reports.
HlsSynthesisReport parse_hls_synthesis_report(std::string_view xml, const std::string& source);
/// Reads and parses a csynth XML file.
HlsSynthesisReport read_hls_synthesis_report(const std::string& path);

/// Parses a utilization report's text; throws sparsepixels::Error when no LUT row is found or a
/// count is not a number.
VivadoUtilizationReport parse_vivado_utilization_report(std::string_view text, const std::string& source);
/// Reads and parses a utilization report file.
VivadoUtilizationReport read_vivado_utilization_report(const std::string& path);

/// Report files found in a synthesized project directory (either may be missing).
struct ProjectReportFiles {
  std::optional<std::string> hls_synthesis;       ///< .../syn/report/csynth.xml or <top>_csynth.xml
  std::optional<std::string> vivado_utilization;  ///< vivado_synth.rpt or *utilization*.rpt
};

/// Looks for the report files below `directory` (hls4ml layout); throws if it is not a directory.
ProjectReportFiles find_project_reports(const std::string& directory);

nlohmann::json to_json(const HlsSynthesisReport& report);
nlohmann::json to_json(const VivadoUtilizationReport& report);

/// A text table of the estimate beside the reports' numbers (either report may be absent).
std::string format_comparison(const DesignEstimate& estimate, const HlsSynthesisReport* hls,
                              const VivadoUtilizationReport* vivado);

}  // namespace sparsepixels::estimate
