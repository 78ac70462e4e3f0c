// ROC plots through gnuplot: a real PNG when gnuplot is here, a warning (and no exception) when it is not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sparsepixels/error.h"
#include "sparsepixels/eval/metrics.h"
#include "sparsepixels/eval/roc_plot.h"
#include "tiny_models.h"

namespace sparsepixels::eval {
namespace {

std::string write_example_csv(const std::filesystem::path& folder, const std::string& name) {
  const std::string path = (folder / name).string();
  write_roc_csv(roc_curve({0.9, 0.8, 0.8, 0.3, 0.3, 0.1}, {1, 1, 0, 1, 0, 0}, 1), path);
  return path;
}

TEST(RocPlot, DrawsAPngWhenGnuplotIsPresent) {
  if (!program_available("gnuplot")) GTEST_SKIP() << "gnuplot is not installed here (Debian: gnuplot-nox)";
  const auto folder = testing::fresh_folder("plot_png");
  // A quote and an underscore in a title must reach gnuplot intact (quoted, not enhanced text).
  const std::vector<PlotSeries> series{{"signal_1 vs 'rest'", write_example_csv(folder, "roc_a.csv")},
                                       {"second", write_example_csv(folder, "roc b.csv")}};
  const std::string png = (folder / "roc.png").string();
  const PlotResult result = plot_roc(series, png);
  EXPECT_TRUE(result.written) << result.warning;
  EXPECT_TRUE(result.warning.empty()) << result.warning;
  EXPECT_TRUE(has_png_signature(png));
  EXPECT_GT(std::filesystem::file_size(png), 1000u);
  EXPECT_TRUE(std::filesystem::exists(folder / "roc.gp"));
  // No temporary (util::temporary_name_for: "<name>.tmp-<pid>-<n>") is left beside the file.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(png).parent_path())) {
    EXPECT_EQ(entry.path().string().rfind(std::filesystem::path(png).string() + ".tmp", 0), std::string::npos)
        << entry.path();
  }
}

TEST(RocPlot, MissingGnuplotGivesAWarningAndKeepsTheScript) {
  const auto folder = testing::fresh_folder("plot_missing");
  const std::string png = (folder / "roc.png").string();
  const PlotResult result = plot_roc({{"curve", write_example_csv(folder, "roc.csv")}}, png,
                                     {.gnuplot = "sparsepixels-no-such-gnuplot"});
  EXPECT_FALSE(result.written);
  EXPECT_NE(result.warning.find("not found"), std::string::npos) << result.warning;
  EXPECT_NE(result.warning.find("gnuplot-nox"), std::string::npos) << result.warning;
  EXPECT_FALSE(std::filesystem::exists(png));
  EXPECT_TRUE(std::filesystem::exists(folder / "roc.gp"));
  EXPECT_TRUE(std::filesystem::exists(folder / "roc.csv"));
}

TEST(RocPlot, FailingOrHangingGnuplotGivesAWarning) {
  const auto folder = testing::fresh_folder("plot_failing");
  const std::string csv = write_example_csv(folder, "roc.csv");
  const std::string png = (folder / "roc.png").string();
  // A stand-in that prints a message and fails, and one that never finishes.
  const auto failing = folder / "failing.sh";
  const auto hanging = folder / "hanging.sh";
  std::ofstream(failing) << "#!/bin/sh\necho 'line 3: undefined variable' >&2\nexit 1\n";
  std::ofstream(hanging) << "#!/bin/sh\nexec sleep 30\n";
  for (const auto& script : {failing, hanging}) {
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  }
  const PlotResult failed = plot_roc({{"curve", csv}}, png, {.gnuplot = failing.string()});
  EXPECT_FALSE(failed.written);
  EXPECT_NE(failed.warning.find("exited with code 1"), std::string::npos) << failed.warning;
  EXPECT_NE(failed.warning.find("undefined variable"), std::string::npos) << failed.warning;
  const PlotResult hung =
      plot_roc({{"curve", csv}}, png, {.gnuplot = hanging.string(), .timeout_seconds = 1});
  EXPECT_FALSE(hung.written);
  EXPECT_NE(hung.warning.find("timed out after 1 s"), std::string::npos) << hung.warning;
  EXPECT_FALSE(std::filesystem::exists(png));
}

TEST(RocPlot, NothingToPlotIsAnError) {
  const auto folder = testing::fresh_folder("plot_empty");
  EXPECT_THROW(plot_roc({}, (folder / "roc.png").string()), Error);
}

TEST(RocPlot, PngSignatureCheckRejectsOtherFiles) {
  const auto folder = testing::fresh_folder("plot_signature");
  std::ofstream(folder / "fake.png") << "GIF89a, not a PNG";
  EXPECT_FALSE(has_png_signature((folder / "fake.png").string()));
  EXPECT_FALSE(has_png_signature((folder / "absent.png").string()));
  std::ofstream(folder / "real.png", std::ios::binary) << "\x89PNG\r\n\x1a\n and the rest";
  EXPECT_TRUE(has_png_signature((folder / "real.png").string()));
}

}  // namespace
}  // namespace sparsepixels::eval
