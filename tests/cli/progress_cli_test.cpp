// Progress lines appear on a terminal and never in redirected output: the command line is run under a
// pseudo-terminal (forkpty) with stdout either on the terminal or redirected to a file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct TerminalRun {
  int exit_code = -1;
  std::string terminal;  ///< everything written to the pseudo-terminal
};

// Runs `sparsepixels ARGS...` with stdin/stdout/stderr on a new pseudo-terminal (newline translation
// off, so every '\r' seen was written by the program); `stdout_file` non-empty redirects stdout there.
TerminalRun run_in_terminal(const std::vector<std::string>& args, const std::string& stdout_file,
                            bool no_progress = false) {
  int master = -1;
  const pid_t child = forkpty(&master, nullptr, nullptr, nullptr);
  if (child < 0) throw std::runtime_error("forkpty failed");
  if (child == 0) {
    termios settings{};
    if (tcgetattr(STDOUT_FILENO, &settings) == 0) {
      settings.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
      tcsetattr(STDOUT_FILENO, TCSANOW, &settings);
    }
    if (!stdout_file.empty()) {
      const int file = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (file < 0) _exit(126);
      dup2(file, STDOUT_FILENO);
    }
    if (no_progress) {
      setenv("SPARSEPIXELS_NO_PROGRESS", "1", 1);
    } else {
      unsetenv("SPARSEPIXELS_NO_PROGRESS");
    }
    std::vector<char*> argv{const_cast<char*>(SPARSEPIXELS_CLI)};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(SPARSEPIXELS_CLI, argv.data());
    _exit(127);
  }
  TerminalRun run;
  char buffer[4096];
  while (true) {
    const ssize_t got = read(master, buffer, sizeof buffer);
    if (got > 0) {
      run.terminal.append(buffer, static_cast<std::size_t>(got));
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child has closed the terminal
    }
  }
  close(master);
  int status = 0;
  waitpid(child, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class ProgressCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sparsepixels-progress-cli-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // A small synthetic dataset (3000 events: 600 test events, several predict chunks).
  std::string make_data() {
    const std::string data = (root_ / "synthetic.h5").string();
    const TerminalRun run = run_in_terminal({"data", "synthetic", "--out", data, "--events", "3000"},
                                            (root_ / "data.log").string());
    EXPECT_EQ(run.exit_code, 0) << read_file(root_ / "data.log") << run.terminal;
    return data;
  }
  fs::path root_;
};

TEST_F(ProgressCli, TerminalShowsProgressAndAFileGetsNone) {
  const std::string data = (root_ / "a.h5").string();
  // On the terminal: the phase line is drawn with '\r' and ended with a newline.
  const TerminalRun shown = run_in_terminal({"data", "synthetic", "--out", data, "--events", "300"}, "");
  ASSERT_EQ(shown.exit_code, 0) << shown.terminal;
  EXPECT_NE(shown.terminal.find("\rdata synthetic: writing " + data), std::string::npos) << shown.terminal;
  EXPECT_NE(shown.terminal.find("wrote " + data), std::string::npos) << shown.terminal;

  // stdout redirected to a file: no '\r' in the file, and none on the terminal either.
  const fs::path log = root_ / "stdout.txt";
  const TerminalRun piped =
      run_in_terminal({"data", "synthetic", "--out", data, "--events", "300"}, log.string());
  ASSERT_EQ(piped.exit_code, 0) << piped.terminal;
  const std::string written = read_file(log);
  EXPECT_NE(written.find("wrote " + data), std::string::npos) << written;
  EXPECT_EQ(written.find('\r'), std::string::npos) << written;
  EXPECT_EQ(piped.terminal.find('\r'), std::string::npos) << piped.terminal;
}

TEST_F(ProgressCli, PredictDrawsAnEventBarOnlyOnATerminal) {
  const std::string data = make_data();
  const std::string model = (root_ / "model.json").string();
  const std::string config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/neutrino/sparse-t-8b.yml";
  const TerminalRun trained = run_in_terminal(
      {"train", config, "--data", data, "--out", model, "--epochs", "1"}, (root_ / "train.log").string());
  ASSERT_EQ(trained.exit_code, 0) << read_file(root_ / "train.log") << trained.terminal;
  const std::string train_log = read_file(root_ / "train.log");
  EXPECT_NE(train_log.find("epoch    1"), std::string::npos) << train_log;
  EXPECT_EQ(train_log.find('\r'), std::string::npos) << train_log;

  const std::string csv = (root_ / "predictions.csv").string();
  const TerminalRun shown = run_in_terminal({"predict", model, "--data", data, "--out", csv, "--fixed"}, "");
  ASSERT_EQ(shown.exit_code, 0) << shown.terminal;
  // 600 test events: the final state of the bar is drawn before the newline.
  EXPECT_NE(shown.terminal.find("\rpredict test  ["), std::string::npos) << shown.terminal;
  EXPECT_NE(shown.terminal.find("600/600  100%"), std::string::npos) << shown.terminal;

  const TerminalRun quiet =
      run_in_terminal({"predict", model, "--data", data, "--out", csv, "--fixed"}, "", /*no_progress=*/true);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.terminal;
  EXPECT_EQ(quiet.terminal.find('\r'), std::string::npos) << quiet.terminal;
  EXPECT_NE(quiet.terminal.find("wrote 600 predictions"), std::string::npos) << quiet.terminal;
}

}  // namespace
