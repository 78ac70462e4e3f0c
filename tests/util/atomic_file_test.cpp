// util::write_file_atomically, util::AtomicFile and util::run_program: the one writer and the one
// process runner every room uses.
#include "sparsepixels/util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/util/process.h"

namespace fs = std::filesystem;
using sparsepixels::Error;
namespace util = sparsepixels::util;

namespace {

// A fresh empty folder per test.
fs::path fresh_folder(const std::string& name) {
  const fs::path folder =
      fs::temp_directory_path() / ("sparsepixels_util_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

std::string read(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::set<std::string> names_in(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

}  // namespace

TEST(AtomicFile, WritesAndReplacesLeavingNoTemporary) {
  const fs::path folder = fresh_folder("write");
  const fs::path target = folder / "out.json";
  util::write_file_atomically(target.string(), "first\n");
  EXPECT_EQ(read(target), "first\n");
  util::write_file_atomically(target.string(), std::string("second\0with a zero", 18));
  EXPECT_EQ(read(target), std::string("second\0with a zero", 18));
  EXPECT_EQ(names_in(folder), std::set<std::string>{"out.json"});
  fs::remove_all(folder);
}

TEST(AtomicFile, TemporaryNamesAreUniqueAndBesideTheTarget) {
  const std::string a = util::temporary_name_for("/some/folder/file.h5");
  const std::string b = util::temporary_name_for("/some/folder/file.h5");
  EXPECT_NE(a, b);
  EXPECT_EQ(fs::path(a).parent_path(), fs::path("/some/folder"));
  EXPECT_EQ(a.rfind("/some/folder/file.h5.tmp-", 0), 0u) << a;
  // pid, a random part drawn once per process, a counter.
  const std::regex form("/some/folder/file\\.h5\\.tmp-" + std::to_string(getpid()) + "-[0-9a-f]{8}-[0-9]+");
  EXPECT_TRUE(std::regex_match(a, form)) << a;
}

TEST(AtomicFile, MissingFolderNamesTheFile) {
  try {
    util::write_file_atomically("/nonexistent-sparsepixels-folder/out.csv", "x");
    ADD_FAILURE() << "no error for a missing folder";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-sparsepixels-folder/out.csv"), std::string::npos)
        << error.what();
  }
}

TEST(AtomicFile, FailedRenameKeepsTheTargetAndRemovesTheTemporary) {
  const fs::path folder = fresh_folder("rename");
  const fs::path target = folder / "busy";
  fs::create_directories(target / "child");  // a non-empty folder cannot be replaced by a file
  try {
    util::write_file_atomically(target.string(), "data");
    ADD_FAILURE() << "no error when the target is a non-empty folder";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(target.string()), std::string::npos) << error.what();
  }
  EXPECT_TRUE(fs::is_directory(target / "child"));
  EXPECT_EQ(names_in(folder), std::set<std::string>{"busy"});
  fs::remove_all(folder);
}

TEST(AtomicFile, UncommittedFileIsRemovedAndTheOldTargetKept) {
  const fs::path folder = fresh_folder("uncommitted");
  const fs::path target = folder / "plot.png";
  util::write_file_atomically(target.string(), "old");
  {
    util::AtomicFile file(target.string());
    std::ofstream(file.temporary()) << "half";
    EXPECT_TRUE(fs::exists(file.temporary()));
  }  // an error path: never committed
  EXPECT_EQ(read(target), "old");
  EXPECT_EQ(names_in(folder), std::set<std::string>{"plot.png"});
  {
    util::AtomicFile file(target.string());
    std::ofstream(file.temporary()) << "new";
    file.commit();
  }
  EXPECT_EQ(read(target), "new");
  EXPECT_EQ(names_in(folder), std::set<std::string>{"plot.png"});
  fs::remove_all(folder);
}

TEST(AtomicFile, CommitWithoutATemporaryNamesTheTarget) {
  const fs::path folder = fresh_folder("nothing");
  util::AtomicFile file((folder / "never-written").string());
  EXPECT_THROW(file.commit(), Error);
  EXPECT_TRUE(names_in(folder).empty());
  fs::remove_all(folder);
}

TEST(RunProgram, ExitStatusLogAndWorkingFolder) {
  const fs::path folder = fresh_folder("process");
  const fs::path log = folder / "log.txt";
  EXPECT_EQ(util::run_program({"sh", "-c", "pwd; echo oops >&2; exit 3"}, log.string(), folder.string()), 3);
  EXPECT_EQ(read(log), fs::canonical(folder).string() + "\noops\n");
  EXPECT_EQ(util::run_program({"true"}, log.string()), 0);
  EXPECT_EQ(util::run_program({"sparsepixels-no-such-program"}, log.string()), -1);
  EXPECT_EQ(util::run_program({"sh", "-c", "kill -9 $$"}, log.string()), -1);
  fs::remove_all(folder);
}

namespace {

// A pid that belonged to a process that is gone: a child that exited and was reaped.
pid_t finished_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// A process killed while writing leaves its temporary; the next writer of the same target removes it
// (file or folder), and nothing else: not a live process's temporary, not another target's.
TEST(AtomicFile, AbandonedTemporariesOfTheTargetAreRemovedByTheNextWriter) {
  const fs::path folder = fresh_folder("abandoned");
  const pid_t gone = finished_pid();
  const std::string target = (folder / "model.json").string();
  const fs::path dead_file = folder / ("model.json.tmp-" + std::to_string(gone) + "-0badf00d-3");
  const fs::path dead_folder = folder / ("model.json.tmp-" + std::to_string(gone) + "-0badf00d-4");
  const fs::path live = folder / ("model.json.tmp-" + std::to_string(::getppid()) + "-12345678-0");
  const fs::path other = folder / ("data.h5.tmp-" + std::to_string(gone) + "-0badf00d-5");
  const fs::path not_a_temporary = folder / "model.json.tmp-notes";
  for (const fs::path& file : {dead_file, live, other, not_a_temporary}) std::ofstream(file) << "x";
  fs::create_directories(dead_folder / "firmware");
  std::ofstream(dead_folder / "firmware" / "a.h") << "x";

  util::write_file_atomically(target, "{}");
  EXPECT_FALSE(fs::exists(dead_file));
  EXPECT_FALSE(fs::exists(dead_folder));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(fs::exists(not_a_temporary));
  EXPECT_EQ(read(target), "{}");
  fs::remove_all(folder);
}

}  // namespace
