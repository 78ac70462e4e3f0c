// `sparsepixels demo [--out DIR] [--epochs N] [--train-events N] [--csim-events N] [--examples DIR]
// [--threads T]`: the paper's table in one command (docs/demo.md).
#include <filesystem>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/util/progress.h"
#include "sparsepixels/workflow/demo.h"

namespace sparsepixels::cli {
namespace {

Run setup_demo(CLI::App& sub) {
  auto options = std::make_shared<workflow::DemoOptions>();
  sub.add_option("--out", options->out_dir, "Output folder (default demo-out)");
  sub.add_option("--epochs", options->epochs,
                 "Epoch budget of the standard CNN (default: the config's max_epochs, 200)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--sparse-epochs", options->sparse_epochs,
                 "Epoch budget of each sparse model (default: the config's max_epochs, 200)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--train-events", options->train_events, "First N training events used (default 0: all)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--val-events", options->val_events, "First N validation events used (default 0: all)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--csim-events", options->csim_events, "Test events run through csim (default 1000)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--examples", options->examples_dir,
                 "Folder holding mnist/ and neutrino/ configs (default: found next to the executable)");
  sub.add_option(
         "--threads", options->threads,
         "Threads, and sparse models converted and C-simulated at once (0: all); never changes a result")
      ->check(CLI::Range(0, limits::kMaxThreads));
  sub.add_option("--models", options->models,
                 "Comma-separated subset of standard,sparse-t,sparse-s,sparse-m,sparse-l (default: all)")
      ->delimiter(',');
  sub.add_flag("--synthetic", options->synthetic,
               "Use the built-in neutrino generator even if MNIST is found");
  sub.add_option("--synthetic-events", options->synthetic_events,
                 "Events generated when MNIST is absent (default 7000, split 70/10/20)")
      ->check(CLI::PositiveNumber);
  return [options] {
    if (!options->examples_dir.empty()) require_input_folder(options->examples_dir);
    options->executable_path = executable_path();
    options->progress = &std::cout;
    options->progress_bars = util::terminal_progress().stream;
    const workflow::DemoResult result = workflow::run_demo(*options);
    std::cout << "\n" << workflow::format_table(result);
    if (!result.plot_warning.empty()) std::cerr << "warning: " << result.plot_warning << "\n";
    std::cout << "wrote " << result.summary_path << ", " << result.table_path;
    if (result.plot_warning.empty()) std::cout << ", " << result.plot_path;
    std::cout << "\n";
    if (result.total_mismatches() == 0) return 0;
    std::cerr << "error: " << result.summary_path << ": csim found " << result.total_mismatches()
              << " mismatching outputs\n";
    return 1;
  };
}

const CommandRegistration registration{
    "demo", "Train, evaluate, convert, csim and estimate the paper's models; print the table", setup_demo};

}  // namespace
}  // namespace sparsepixels::cli
