#include "sparsepixels/estimate/vendor_reports.h"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sparsepixels/error.h"
#include "xml_document.h"

namespace sparsepixels::estimate {

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error("cannot open report '" + path + "'");
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double value = std::stod(std::string(text), &used);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

using detail::XmlElement;

std::string element_text(const XmlElement* element) {
  return element ? std::string(trim(element->text)) : "";
}

/// An integer element below `parent`; absent element -> nullopt; "undef" -> nullopt when allowed.
std::optional<std::int64_t> integer_at(const XmlElement& parent, std::string_view path,
                                       const std::string& source, bool undef_allowed) {
  const XmlElement* element = parent.find(path);
  if (element == nullptr) return std::nullopt;
  const std::string text = element_text(element);
  if (undef_allowed && text == "undef") return std::nullopt;
  const std::optional<std::int64_t> value = parse_integer(text);
  if (!value) {
    throw Error(
        fmt::format("{}:{}: <{}> is not an integer: '{}'", source, element->line, element->name, text));
  }
  return value;
}

std::optional<double> number_at(const XmlElement& parent, std::string_view path, const std::string& source) {
  const XmlElement* element = parent.find(path);
  if (element == nullptr) return std::nullopt;
  const std::string text = element_text(element);
  if (text.empty() || text == "undef" || text == "NA") return std::nullopt;
  const std::optional<double> value = parse_number(text);
  if (!value)
    throw Error(fmt::format("{}:{}: <{}> is not a number: '{}'", source, element->line, element->name, text));
  return value;
}

ReportedResources resources_at(const XmlElement& resources, const std::string& source) {
  ReportedResources result;
  result.lut = integer_at(resources, "LUT", source, false);
  result.ff = integer_at(resources, "FF", source, false);
  // Vitis HLS writes <DSP>, Vivado HLS <DSP48E>.
  result.dsp = integer_at(resources, "DSP", source, false);
  if (!result.dsp) result.dsp = integer_at(resources, "DSP48E", source, false);
  result.uram = integer_at(resources, "URAM", source, false);
  if (const auto halves = integer_at(resources, "BRAM_18K", source, false)) result.bram36 = *halves / 2.0;
  return result;
}

}  // namespace

HlsSynthesisReport parse_hls_synthesis_report(std::string_view xml, const std::string& source) {
  const XmlElement root = detail::parse_xml(xml, source);
  const XmlElement* performance = root.child("PerformanceEstimates");
  const XmlElement* latency = performance ? performance->child("SummaryOfOverallLatency") : nullptr;
  if (latency == nullptr) {
    throw Error(source + ": not a C-synthesis report: no <PerformanceEstimates>/<SummaryOfOverallLatency>");
  }
  const XmlElement* area = root.find("AreaEstimates/Resources");
  if (area == nullptr) throw Error(source + ": not a C-synthesis report: no <AreaEstimates>/<Resources>");
  HlsSynthesisReport report;
  report.path = source;
  report.tool_version = element_text(root.find("ReportVersion/Version"));
  report.part = element_text(root.find("UserAssignments/Part"));
  report.top = element_text(root.find("UserAssignments/TopModelName"));
  report.target_clock_ns = number_at(root, "UserAssignments/TargetClockPeriod", source);
  report.clock_uncertainty_ns = number_at(root, "UserAssignments/ClockUncertainty", source);
  report.estimated_clock_ns = number_at(*performance, "SummaryOfTimingAnalysis/EstimatedClockPeriod", source);
  report.best_latency = integer_at(*latency, "Best-caseLatency", source, true);
  report.average_latency = integer_at(*latency, "Average-caseLatency", source, true);
  report.worst_latency = integer_at(*latency, "Worst-caseLatency", source, true);
  report.interval_min = integer_at(*latency, "Interval-min", source, true);
  report.interval_max = integer_at(*latency, "Interval-max", source, true);
  if (!latency->child("Worst-caseLatency") && !latency->child("Best-caseLatency")) {
    throw Error(source +
                ": <SummaryOfOverallLatency> has neither <Best-caseLatency> nor <Worst-caseLatency>");
  }
  report.used = resources_at(*area, source);
  if (!report.used.lut) throw Error(source + ": <AreaEstimates>/<Resources> has no <LUT>");
  if (const XmlElement* available = root.find("AreaEstimates/AvailableResources")) {
    report.available = resources_at(*available, source);
  }
  return report;
}

HlsSynthesisReport read_hls_synthesis_report(const std::string& path) {
  HlsSynthesisReport report = parse_hls_synthesis_report(read_text_file(path), path);
  report.path = path;
  return report;
}

VivadoUtilizationReport parse_vivado_utilization_report(std::string_view text, const std::string& source) {
  VivadoUtilizationReport report;
  report.path = source;
  constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
  std::size_t used_column = kNoColumn, available_column = kNoColumn;
  bool lut_seen = false, ff_seen = false, bram_seen = false, dsp_seen = false, uram_seen = false;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() != '|') continue;
    std::vector<std::string_view> cells;
    std::size_t cell_start = 1;
    while (cell_start < line.size()) {
      std::size_t bar = line.find('|', cell_start);
      if (bar == std::string_view::npos) bar = line.size();
      cells.push_back(trim(line.substr(cell_start, bar - cell_start)));
      cell_start = bar + 1;
    }
    if (cells.empty()) continue;
    // Header lines: "| Device : xcu250-figd2104-2L-e".
    if (cells.size() == 1) {
      const std::size_t colon = cells[0].find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view key = trim(cells[0].substr(0, colon));
      const std::string value(trim(cells[0].substr(colon + 1)));
      if (key == "Device") report.device = value;
      if (key == "Design") report.design = value;
      if (key == "Tool Version") report.tool_version = value;
      continue;
    }
    if (cells[0] == "Site Type") {
      used_column = kNoColumn;
      available_column = kNoColumn;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "Used") used_column = i;
        if (cells[i] == "Available") available_column = i;
      }
      continue;
    }
    if (used_column == kNoColumn) continue;
    std::string_view label = cells[0];
    while (!label.empty() && label.back() == '*') label.remove_suffix(1);
    label = trim(label);
    bool* seen = nullptr;
    if (label == "CLB LUTs" || label == "Slice LUTs") seen = &lut_seen;
    if (label == "CLB Registers" || label == "Slice Registers") seen = &ff_seen;
    if (label == "Block RAM Tile") seen = &bram_seen;
    if (label == "DSPs") seen = &dsp_seen;
    if (label == "URAM") seen = &uram_seen;
    if (seen == nullptr || *seen) continue;  // the summary tables come first; later rows repeat them
    *seen = true;
    if (used_column >= cells.size()) {
      throw Error(fmt::format("{}:{}: row '{}' has no Used column", source, line_number, label));
    }
    const std::optional<double> used = parse_number(cells[used_column]);
    if (!used) {
      throw Error(fmt::format("{}:{}: Used of '{}' is not a number: '{}'", source, line_number, label,
                              cells[used_column]));
    }
    std::optional<double> available;
    if (available_column < cells.size() && !cells[available_column].empty()) {
      available = parse_number(cells[available_column]);
      if (!available) {
        throw Error(fmt::format("{}:{}: Available of '{}' is not a number: '{}'", source, line_number, label,
                                cells[available_column]));
      }
    }
    auto as_count = [](const std::optional<double>& value) -> std::optional<std::int64_t> {
      if (!value) return std::nullopt;
      return static_cast<std::int64_t>(std::llround(*value));
    };
    if (seen == &lut_seen) report.used.lut = as_count(used), report.available.lut = as_count(available);
    if (seen == &ff_seen) report.used.ff = as_count(used), report.available.ff = as_count(available);
    if (seen == &dsp_seen) report.used.dsp = as_count(used), report.available.dsp = as_count(available);
    if (seen == &uram_seen) report.used.uram = as_count(used), report.available.uram = as_count(available);
    if (seen == &bram_seen) report.used.bram36 = used, report.available.bram36 = available;
  }
  if (!lut_seen) {
    throw Error(source +
                ": no 'CLB LUTs' or 'Slice LUTs' row under a 'Site Type | Used' header: "
                "not a Vivado utilization report");
  }
  return report;
}

VivadoUtilizationReport read_vivado_utilization_report(const std::string& path) {
  return parse_vivado_utilization_report(read_text_file(path), path);
}

ProjectReportFiles find_project_reports(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error))
    throw Error("report directory '" + directory + "' is not a directory");
  std::vector<fs::path> csynth_top, csynth_named, utilization;
  for (auto it =
           fs::recursive_directory_iterator(directory, fs::directory_options::skip_permission_denied, error);
       it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (!it->is_regular_file(error)) continue;
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    const bool in_syn_report =
        path.parent_path().filename() == "report" && path.parent_path().parent_path().filename() == "syn";
    if (in_syn_report && name == "csynth.xml") csynth_top.push_back(path);
    if (in_syn_report && name.size() > 11 && name.ends_with("_csynth.xml")) csynth_named.push_back(path);
    if (name.ends_with(".rpt") &&
        (name == "vivado_synth.rpt" || name.find("utilization") != std::string::npos)) {
      utilization.push_back(path);
    }
  }
  std::sort(csynth_top.begin(), csynth_top.end());
  std::sort(csynth_named.begin(), csynth_named.end());
  std::sort(utilization.begin(), utilization.end());
  ProjectReportFiles files;
  if (!csynth_top.empty()) {
    files.hls_synthesis = csynth_top.front().string();
  } else if (!csynth_named.empty()) {
    // hls4ml names the top's report after set_top in build_prj.tcl; otherwise take the shortest name.
    std::string top;
    std::ifstream script(fs::path(directory) / "build_prj.tcl");
    for (std::string line; std::getline(script, line);) {
      const std::size_t at = line.find("set_top");
      if (at != std::string::npos) top = std::string(trim(std::string_view(line).substr(at + 7)));
    }
    const auto match = std::find_if(csynth_named.begin(), csynth_named.end(), [&](const fs::path& path) {
      return path.filename() == top + "_csynth.xml";
    });
    if (!top.empty() && match != csynth_named.end()) {
      files.hls_synthesis = match->string();
    } else {
      files.hls_synthesis =
          std::min_element(csynth_named.begin(), csynth_named.end(), [](const auto& a, const auto& b) {
            return a.filename().string().size() < b.filename().string().size();
          })->string();
    }
  }
  const auto vivado_synth = std::find_if(utilization.begin(), utilization.end(), [](const fs::path& path) {
    return path.filename() == "vivado_synth.rpt";
  });
  if (vivado_synth != utilization.end()) {
    files.vivado_utilization = vivado_synth->string();
  } else if (!utilization.empty()) {
    files.vivado_utilization = utilization.front().string();
  }
  return files;
}

namespace {

nlohmann::json resources_json(const ReportedResources& resources) {
  nlohmann::json json = nlohmann::json::object();
  auto put = [&](const char* key, const auto& value) {
    if (value) json[key] = *value;
  };
  put("lut", resources.lut);
  put("ff", resources.ff);
  put("dsp", resources.dsp);
  put("bram", resources.bram36);
  put("uram", resources.uram);
  return json;
}

template <typename Value>
nlohmann::json optional_json(const std::optional<Value>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const HlsSynthesisReport& report) {
  return nlohmann::json{{"path", report.path},
                        {"tool_version", report.tool_version},
                        {"part", report.part},
                        {"top", report.top},
                        {"target_clock_ns", optional_json(report.target_clock_ns)},
                        {"estimated_clock_ns", optional_json(report.estimated_clock_ns)},
                        {"latency_best_cycles", optional_json(report.best_latency)},
                        {"latency_worst_cycles", optional_json(report.worst_latency)},
                        {"ii_min_cycles", optional_json(report.interval_min)},
                        {"ii_max_cycles", optional_json(report.interval_max)},
                        {"resources", resources_json(report.used)},
                        {"available", resources_json(report.available)}};
}

nlohmann::json to_json(const VivadoUtilizationReport& report) {
  return nlohmann::json{{"path", report.path},
                        {"device", report.device},
                        {"design", report.design},
                        {"resources", resources_json(report.used)},
                        {"available", resources_json(report.available)}};
}

std::string format_comparison(const DesignEstimate& estimate, const HlsSynthesisReport* hls,
                              const VivadoUtilizationReport* vivado) {
  std::string text = fmt::format("{:<16} {:>12} {:>14} {:>14} {:>9}\n", "quantity", "estimate", "HLS csynth",
                                 "Vivado synth", "est/ref");
  auto cell = [](const std::optional<double>& value) {
    return value ? fmt::format("{:.0f}", *value) : std::string("-");
  };
  auto row = [&](const char* quantity, double estimated, std::optional<double> from_hls,
                 std::optional<double> from_vivado) {
    // Resources compare with Vivado when present (the calibration's reference), else with HLS.
    const std::optional<double> reference = from_vivado ? from_vivado : from_hls;
    const std::string ratio = reference && *reference != 0
                                  ? fmt::format("{:+.1f}%", 100.0 * (estimated - *reference) / *reference)
                                  : "-";
    text += fmt::format("{:<16} {:>12.0f} {:>14} {:>14} {:>9}\n", quantity, estimated, cell(from_hls),
                        cell(from_vivado), ratio);
  };
  auto to_double = [](const std::optional<std::int64_t>& value) -> std::optional<double> {
    if (!value) return std::nullopt;
    return static_cast<double>(*value);
  };
  const ReportedResources none;
  const ReportedResources& hls_used = hls ? hls->used : none;
  const ReportedResources& vivado_used = vivado ? vivado->used : none;
  row("latency_cycles", static_cast<double>(estimate.latency_cycles),
      hls ? to_double(hls->worst_latency) : std::nullopt, std::nullopt);
  row("ii_cycles", static_cast<double>(estimate.ii_cycles), hls ? to_double(hls->interval_max) : std::nullopt,
      std::nullopt);
  row("lut", estimate.resources.lut, to_double(hls_used.lut), to_double(vivado_used.lut));
  row("ff", estimate.resources.ff, to_double(hls_used.ff), to_double(vivado_used.ff));
  row("dsp", estimate.resources.dsp, to_double(hls_used.dsp), to_double(vivado_used.dsp));
  row("bram36", estimate.resources.bram36, hls_used.bram36, vivado_used.bram36);
  return text;
}

}  // namespace sparsepixels::estimate
