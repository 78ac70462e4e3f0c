// `sparsepixels csim DIR --data FILE [--events N] [--split S] [--ap-types DIR]`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/codegen/csim.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

struct CsimArguments {
  std::string project;
  codegen::CsimOptions options;
};

Run setup_csim(CLI::App& sub) {
  auto args = std::make_shared<CsimArguments>();
  sub.add_option("DIR", args->project, "Project folder written by convert")->required();
  sub.add_option("--data", args->options.data, "Dataset file (HDF5)")->required();
  sub.add_option("--split", args->options.split, "Split to run")
      ->check(CLI::IsMember({"train", "val", "test"}));
  sub.add_option("--events", args->options.events, "First N events of the split (0: all; default 1000)");
  sub.add_option("--ap-types", args->options.ap_types,
                 "Folder with the vendor's ap_fixed.h (default: the project's)");
  return [args] {
    require_input_folder(args->project);
    require_input_file(args->options.data);
    if (!args->options.ap_types.empty()) require_input_folder(args->options.ap_types);
    // run_csim reports no progress of its own (test data, compile, run): a spinner with the elapsed time.
    util::Progress progress(fmt::format("csim {}: test data, compile, run", args->project), 0,
                            util::terminal_progress("events"));
    codegen::CsimReport report;
    {
      const util::ProgressTicker ticker(progress);
      report = codegen::run_csim(args->project, args->options);
    }
    progress.finish();
    std::cout << fmt::format("{} events, {} outputs each: {} mismatches\n", report.events, report.outputs,
                             report.mismatches);
    if (report.mismatches == 0) return 0;
    std::cout << report.details;
    return 1;
  };
}

const CommandRegistration registration{
    "csim", "Compile a generated project with g++ and compare it bit for bit", setup_csim};

}  // namespace
}  // namespace sparsepixels::cli
