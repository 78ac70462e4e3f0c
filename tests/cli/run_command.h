#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace sparsepixels::testing {

/// What a command printed (stdout and stderr together) and its exit code.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs a shell command line, capturing what it writes to stdout (add 2>&1 for stderr).
inline CommandResult run_shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  CommandResult result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr)
    result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Runs `sparsepixels ARGS` through the shell, capturing stdout and stderr.
inline CommandResult run_cli(const std::string& args) {
  return run_shell(std::string(SPARSEPIXELS_CLI) + " " + args + " 2>&1");
}

/// Runs `sparsepixels ARGS` with `folder` as the current folder (stdout and stderr together), so that
/// relative paths print the same on every machine.
inline CommandResult run_in(const std::filesystem::path& folder, const std::string& args) {
  return run_shell("cd '" + folder.string() + "' && " + SPARSEPIXELS_CLI + " " + args + " 2>&1");
}

/// The bytes of a file ("" if it cannot be read).
inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace sparsepixels::testing
