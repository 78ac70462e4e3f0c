#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sparsepixels::cli {

/// What a subcommand does once its options are parsed; returns the process exit code.
using Run = std::function<int()>;

/// Adds a subcommand's options to `sub` (bound to variables the returned Run captures).
using Setup = std::function<Run(CLI::App& sub)>;

struct Command {
  std::string name;
  std::string description;
  Setup setup;
};

/// Every subcommand linked into the executable, in registration order.
std::vector<Command>& commands();

/// Registers a subcommand at static-initialization time; one per command source file:
///   static const CommandRegistration reg{"stats", "Active pixels per event", setup_stats};
struct CommandRegistration {
  CommandRegistration(std::string name, std::string description, Setup setup);
};

// Exit codes of every subcommand: 0 success; 1 failure, including an input file or folder that does
// not exist or cannot be read; 2 bad usage (unknown option, missing argument, a value out of range or
// not parseable). Errors are printed as one line "error: <path>: <what>".

/// Throws sparsepixels::Error("<path>: ...") (exit 1) unless `path` is a readable regular file.
/// Commands check their inputs with this rather than CLI::ExistingFile, which would exit 2.
void require_input_file(const std::string& path);

/// Throws sparsepixels::UsageError (exit 2) naming `option` when `output` is the same file as one of
/// `inputs` (the same path, or another name of it): writing it would destroy the input.
void require_output_not_input(const std::string& option, const std::string& output,
                              const std::vector<std::string>& inputs);

/// Throws sparsepixels::Error("<path>: cannot write: ...") (exit 1) unless the folder `path` goes into exists
/// and is writable: checked before hours of work, not after.
void require_writable_output(const std::string& path);

/// Throws sparsepixels::Error("<path>: ...") (exit 1) unless `path` is a folder that can be listed.
void require_input_folder(const std::string& path);

/// The running executable (anchors the default data and examples folders); empty if unknown.
std::string executable_path();

}  // namespace sparsepixels::cli
