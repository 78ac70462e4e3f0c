#include "sparsepixels/eval/roc_plot.h"

#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sparsepixels/error.h"
#include "sparsepixels/eval/metrics.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/process.h"

extern char** environ;

namespace sparsepixels::eval {
namespace {

// A gnuplot single-quoted string: only a doubled quote needs escaping inside one.
std::string gnuplot_string(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// The last non-empty line of a file (gnuplot's error message), or "" if there is none.
std::string last_line(const std::string& path) {
  std::ifstream file(path);
  std::string line, last;
  while (std::getline(file, line)) {
    if (line.find_first_not_of(" \t\r^") != std::string::npos) last = line;
  }
  return last;
}

}  // namespace

bool program_available(const std::string& executable) {
  if (executable.empty()) return false;
  if (executable.find('/') != std::string::npos) return access(executable.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream folders(path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(folder.empty() ? "." : folder) / executable;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error) && access(candidate.c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

bool has_png_signature(const std::string& path) {
  static constexpr std::array<unsigned char, 8> kSignature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::ifstream file(path, std::ios::binary);
  std::array<char, 8> head{};
  if (!file.read(head.data(), head.size())) return false;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (static_cast<unsigned char>(head[i]) != kSignature[i]) return false;
  }
  return true;
}

PlotResult plot_roc(const std::vector<PlotSeries>& series, const std::string& png_path,
                    const PlotOptions& options) {
  if (series.empty()) throw Error(fmt::format("{}: no ROC curve to plot", png_path));
  const std::filesystem::path png(png_path);
  const std::string script_path = std::filesystem::path(png).replace_extension(".gp").string();
  const std::string log_path = std::filesystem::path(png).replace_extension(".gnuplot.log").string();
  util::AtomicFile png_file(png_path);  // gnuplot draws into its temporary, removed unless committed
  const std::string& temporary_png = png_file.temporary();

  std::ostringstream script;
  script << "# ROC plot written by sparsepixels eval; run again with: gnuplot " << script_path << "\n";
  script << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
            "  set terminal pngcairo size 800,700 noenhanced\n"
            "} else {\n"
            "  set terminal png size 800,700 noenhanced\n"
            "}\n";
  script << "set output " << gnuplot_string(temporary_png) << "\n";
  script << "set title " << gnuplot_string(options.title) << "\n";
  script << "set datafile separator comma\n"
            "set xlabel 'false positive rate'\n"
            "set ylabel 'true positive rate'\n"
            "set xrange [0:1]\n"
            "set yrange [0:1]\n"
            "set size square\n"
            "set grid\n"
            "set key right bottom\n";
  script << "plot ";
  for (const PlotSeries& curve : series) {
    // `skip 1` passes over the CSV header line.
    script << gnuplot_string(curve.csv_path) << " skip 1 using 1:2 with lines linewidth 2 title "
           << gnuplot_string(curve.title) << ", \\\n     ";
  }
  script << "x with lines dashtype 2 linecolor 'gray' title 'chance'\n";
  script << "unset output\n";
  util::write_file_atomically(script_path, script.str());

  PlotResult result;
  if (!program_available(options.gnuplot)) {
    result.warning = fmt::format(
        "gnuplot ('{}') was not found, so {} was not drawn; the ROC CSV files are written (install Debian's "
        "gnuplot-nox and run: gnuplot {})",
        options.gnuplot, png_path, script_path);
    return result;
  }
  const int status = util::run_program(
      {"timeout", std::to_string(options.timeout_seconds), options.gnuplot, script_path}, log_path);
  if (status != 0) {
    // timeout(1) exits with 124 when it had to stop the program.
    const std::string reason = status == 124  ? fmt::format("timed out after {} s", options.timeout_seconds)
                               : status == -1 ? std::string("could not be run")
                                              : fmt::format("exited with code {}", status);
    const std::string message = last_line(log_path);
    result.warning = fmt::format("gnuplot {}, so {} was not drawn{}; the ROC CSV files are written", reason,
                                 png_path, message.empty() ? "" : fmt::format(" (gnuplot: {})", message));
    return result;
  }
  if (!has_png_signature(temporary_png)) {
    result.warning = fmt::format("gnuplot wrote no PNG to {}; the ROC CSV files are written", temporary_png);
    return result;
  }
  png_file.commit();
  std::filesystem::remove(log_path);
  result.written = true;
  return result;
}

}  // namespace sparsepixels::eval
