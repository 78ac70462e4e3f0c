#pragma once
// ROC plots as PNG through gnuplot (Debian's gnuplot-nox), run as a child process with a timeout.

#include <string>
#include <vector>

namespace sparsepixels::eval {

/// One curve of a plot: its legend title and the ROC CSV (write_roc_csv) holding it.
struct PlotSeries {
  std::string title;
  std::string csv_path;
};

/// How plot_roc runs gnuplot.
struct PlotOptions {
  std::string gnuplot = "gnuplot";  ///< the executable, looked up in PATH unless it holds a '/'
  int timeout_seconds = 60;         ///< gnuplot is killed after this long
  std::string title = "ROC curve";  ///< the plot title
};

/// What plot_roc did: `written` is true when the PNG exists; otherwise `warning` says why (gnuplot
/// missing, failed or timed out), with gnuplot's own last message when there is one.
struct PlotResult {
  bool written = false;
  std::string warning;
};

/// Writes the gnuplot script next to the PNG (`png_path` with the extension ".gp") and runs gnuplot
/// on it: the pngcairo terminal when gnuplot has it, else png. The PNG is written to a temporary name
/// and renamed once gnuplot succeeded and the file starts with the PNG signature. Never throws for a
/// missing or failing gnuplot (the CSVs stay the result); throws sparsepixels::Error if the script
/// cannot be written or `series` is empty.
PlotResult plot_roc(const std::vector<PlotSeries>& series, const std::string& png_path,
                    const PlotOptions& options = {});

/// True if `executable` names a program that can be run (a path, or a name found in PATH).
bool program_available(const std::string& executable);

/// True if the file starts with the 8-byte PNG signature.
bool has_png_signature(const std::string& path);

}  // namespace sparsepixels::eval
