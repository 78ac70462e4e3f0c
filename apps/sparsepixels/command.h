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

}  // namespace sparsepixels::cli
