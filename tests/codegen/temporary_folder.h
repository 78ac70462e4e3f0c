// temporary_folder.h: a fresh folder under the system temporary directory for one test, removed at its
// end (kept when SPARSEPIXELS_KEEP_TEST_FILES is set, for inspecting a failure).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace codegen_test {

/// A temporary folder removed at the end of the test.
class TemporaryFolder {
 public:
  /// Creates <tmp>/sparsepixels-<tag>-<pid>, emptied first.
  explicit TemporaryFolder(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() / ("sparsepixels-" + tag + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TemporaryFolder() {
    if (std::getenv("SPARSEPIXELS_KEEP_TEST_FILES") != nullptr) return;  // for inspecting a failure
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  /// The folder.
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace codegen_test
