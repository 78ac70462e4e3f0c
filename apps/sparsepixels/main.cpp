// The `sparsepixels` command line. Each subcommand lives in its own cmd_*.cpp and registers itself.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/error.h"
#include "sparsepixels/version.h"

namespace sparsepixels::cli {

std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}

CommandRegistration::CommandRegistration(std::string name, std::string description, Setup setup) {
  commands().push_back({std::move(name), std::move(description), std::move(setup)});
}

void require_input_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(path + ": does not exist");
  if (std::filesystem::is_directory(status)) throw Error(path + ": is a directory, not a file");
  if (access(path.c_str(), R_OK) != 0) throw Error(path + ": cannot be read (permission denied)");
}

void require_output_not_input(const std::string& option, const std::string& output,
                              const std::vector<std::string>& inputs) {
  // The canonical form as far as the path exists; the plain absolute form when even that fails.
  auto canonical = [](const std::string& path) {
    std::error_code error;
    const std::filesystem::path result = std::filesystem::weakly_canonical(path, error);
    return error ? std::filesystem::absolute(path).lexically_normal() : result;
  };
  for (const std::string& input : inputs) {
    std::error_code error;
    const bool same =
        std::filesystem::equivalent(output, input, error) || canonical(output) == canonical(input);
    if (same)
      throw UsageError(fmt::format("{} {}: is the input {}; choose another file", option, output, input));
  }
}

void require_writable_output(const std::string& path) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw Error(fmt::format("{}: cannot write: the folder {} does not exist", path, folder.string()));
  }
  if (access(folder.c_str(), W_OK | X_OK) != 0) {
    throw Error(fmt::format("{}: cannot write: the folder {} is not writable", path, folder.string()));
  }
  if (std::filesystem::is_directory(path, error))
    throw Error(fmt::format("{}: cannot write: is a folder", path));
}

void require_input_folder(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(path + ": not a directory (it does not exist)");
  if (!std::filesystem::is_directory(status)) throw Error(path + ": not a directory");
  if (access(path.c_str(), R_OK | X_OK) != 0) throw Error(path + ": cannot be read (permission denied)");
}

std::string executable_path() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : path.string();
}

namespace {

// The order users read in --help: the flow from raw data to hardware.
int position(const std::string& name) {
  static const char* const kOrder[] = {"data",    "stats", "summary",  "train",  "eval",  "predict",
                                       "convert", "csim",  "estimate", "report", "bench", "demo"};
  const auto* found = std::find(std::begin(kOrder), std::end(kOrder), name);
  return static_cast<int>(found - std::begin(kOrder));
}

}  // namespace
}  // namespace sparsepixels::cli

int main(int argc, char** argv) {
  using namespace sparsepixels::cli;
  CLI::App app{"sparsepixels: sparse convolutional neural networks on FPGAs, from data to Vitis HLS"};
  app.set_version_flag("--version", sparsepixels::version());
  app.require_subcommand(0, 1);

  std::vector<Command> sorted = commands();
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Command& a, const Command& b) { return position(a.name) < position(b.name); });
  std::vector<std::pair<CLI::App*, Run>> runs;
  for (const Command& command : sorted) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    runs.emplace_back(sub, command.setup(*sub));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, run] : runs) {
      if (sub->parsed()) return run();
    }
    std::cout << app.help();
    return 0;
  } catch (const sparsepixels::UsageError& e) {
    std::cerr << "usage error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
