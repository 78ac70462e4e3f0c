// Where `convert` finds the kernel headers it copies into a project: the lookup order on a temporary folder
// layout (SPARSEPIXELS_HLS_DIR alone when set, then <executable folder>/../share/sparsepixels/hls, then the
// source tree), the error naming every folder tried, and an installed binary (`cmake --install` into a
// temporary prefix) that takes the headers from its own share/ folder.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "codegen_fixture.h"
#include "sparsepixels/error.h"

namespace {

namespace fs = std::filesystem;
namespace codegen = sparsepixels::codegen;
using codegen_test::TemporaryFolder;

// Makes `folder` look like an hls/ folder: nnet_utils/nnet_common.h and ap_types/ap_fixed.h.
void make_hls_folder(const fs::path& folder) {
  fs::create_directories(folder / "nnet_utils");
  fs::create_directories(folder / "ap_types");
  std::ofstream(folder / "nnet_utils" / "nnet_common.h") << "// kernels\n";
  std::ofstream(folder / "ap_types" / "ap_fixed.h") << "// types\n";
}

TEST(HlsDirLookup, EnvironmentValueIsTheOnlyCandidateWhenSet) {
  EXPECT_EQ(codegen::hls_dir_candidates("/my/hls", "/opt/sp/bin/sparsepixels", "/src/hls"),
            std::vector<std::string>{"/my/hls"});
}

TEST(HlsDirLookup, InstalledFolderComesBeforeTheSourceTree) {
  EXPECT_EQ(codegen::hls_dir_candidates("", "/opt/sp/bin/sparsepixels", "/src/hls"),
            (std::vector<std::string>{"/opt/sp/share/sparsepixels/hls", "/src/hls"}));
  // No executable path (no /proc): only the source tree; no source tree: only the installed folder.
  EXPECT_EQ(codegen::hls_dir_candidates("", "", "/src/hls"), std::vector<std::string>{"/src/hls"});
  EXPECT_EQ(codegen::hls_dir_candidates("", "/opt/sp/bin/sparsepixels", ""),
            std::vector<std::string>{"/opt/sp/share/sparsepixels/hls"});
}

TEST(HlsDirLookup, FirstCompleteFolderWinsAndTheErrorNamesEveryFolderTried) {
  TemporaryFolder folder("codegen-lookup");
  const fs::path installed = folder.path() / "prefix" / "share" / "sparsepixels" / "hls";
  const fs::path source = folder.path() / "source" / "hls";
  const std::string executable = (folder.path() / "prefix" / "bin" / "sparsepixels").string();
  const auto candidates = codegen::hls_dir_candidates("", executable, source.string());
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(fs::path(candidates[0]), installed);

  // Nothing there yet: the error lists both folders and says how to fix it.
  try {
    codegen::locate_hls_dir(candidates);
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(installed.string()), std::string::npos) << message;
    EXPECT_NE(message.find(source.string()), std::string::npos) << message;
    EXPECT_NE(message.find("SPARSEPIXELS_HLS_DIR"), std::string::npos) << message;
  }

  make_hls_folder(source);
  EXPECT_EQ(codegen::locate_hls_dir(candidates), source.string());
  // An installed folder missing its ap types is not taken.
  fs::create_directories(installed / "nnet_utils");
  std::ofstream(installed / "nnet_utils" / "nnet_common.h") << "// kernels\n";
  EXPECT_EQ(codegen::locate_hls_dir(candidates), source.string());
  make_hls_folder(installed);
  EXPECT_EQ(fs::path(codegen::locate_hls_dir(candidates)), installed);
}

// Runs a shell command with its output (stdout and stderr) in `log`; the exit code.
int run_logged(const std::string& command, const fs::path& log) {
  const int status = std::system((command + " > '" + log.string() + "' 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `cmake --install` into a temporary prefix; the installed binary (SPARSEPIXELS_HLS_DIR unset) copies the
// headers of <prefix>/share/sparsepixels/hls, which a marker line added here proves; so does a copy of the
// whole prefix moved elsewhere; with SPARSEPIXELS_HLS_DIR pointing nowhere it fails naming that folder.
TEST(InstalledBinary, ConvertTakesTheInstalledKernelHeaders) {
  TemporaryFolder folder("codegen-install");
  const fs::path prefix = folder.path() / "prefix", log = folder.path() / "log.txt";
  ASSERT_EQ(run_logged(fmt::format("'{}' --install '{}' --prefix '{}'", SPARSEPIXELS_CMAKE,
                                   SPARSEPIXELS_BINARY_DIR, prefix.string()),
                       log),
            0)
      << codegen_test::read_text(log);
  const fs::path installed_hls = prefix / "share" / "sparsepixels" / "hls";
  ASSERT_TRUE(fs::is_regular_file(prefix / "bin" / "sparsepixels"));
  for (const char* header : {"nnet_utils/nnet_sparse_conv.h", "nnet_utils/nnet_dense.h",
                             "ap_types/ap_fixed.h", "ap_types/hls_stream.h"}) {
    EXPECT_TRUE(fs::is_regular_file(installed_hls / header)) << header;
  }
  EXPECT_TRUE(
      fs::is_regular_file(prefix / "share" / "sparsepixels" / "examples" / "mnist" / "sparse-t-8b.yml"));
  const std::string model =
      codegen_test::save_random_model(codegen_test::example("neutrino/sparse-t-8b"), 41, folder.path());

  // Converts with the binary of `tree` after marking its installed nnet_common.h; the marker must reach
  // the project.
  auto convert_with = [&](const fs::path& tree, const std::string& project) {
    const std::string marker = "// installed copy in " + tree.string();
    std::ofstream(tree / "share" / "sparsepixels" / "hls" / "nnet_utils" / "nnet_common.h", std::ios::app)
        << marker << "\n";
    ASSERT_EQ(run_logged(fmt::format("env -u SPARSEPIXELS_HLS_DIR '{}' convert '{}' --out '{}'",
                                     (tree / "bin" / "sparsepixels").string(), model,
                                     (folder.path() / project).string()),
                         log),
              0)
        << codegen_test::read_text(log);
    const std::string copied =
        codegen_test::read_text(folder.path() / project / "firmware" / "nnet_utils" / "nnet_common.h");
    EXPECT_NE(copied.find(marker), std::string::npos)
        << project << ": the kernels do not come from " << tree.string();
  };
  convert_with(prefix, "project");
  const fs::path moved = folder.path() / "elsewhere" / "tree";
  fs::create_directories(moved);
  fs::copy(prefix, moved, fs::copy_options::recursive);
  convert_with(moved, "project-moved");

  const fs::path nowhere = folder.path() / "no-such-folder";
  EXPECT_EQ(run_logged(fmt::format("SPARSEPIXELS_HLS_DIR='{}' '{}' convert '{}' --out '{}'", nowhere.string(),
                                   (prefix / "bin" / "sparsepixels").string(), model,
                                   (folder.path() / "project2").string()),
                       log),
            1);
  EXPECT_NE(codegen_test::read_text(log).find(nowhere.string()), std::string::npos)
      << codegen_test::read_text(log);
  EXPECT_FALSE(fs::exists(folder.path() / "project2"));
}

}  // namespace
