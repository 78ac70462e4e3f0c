// `sparsepixels rtlsim DIR --data FILE --events N [--split S] [--json FILE]`: a Verilog design written by
// convert --backend verilog, simulated by Verilator and compared bit for bit with the fixed inference.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

struct RtlsimArguments {
  std::string design, json;
  codegen::RtlsimOptions options;
};

Run setup_rtlsim(CLI::App& sub) {
  auto args = std::make_shared<RtlsimArguments>();
  sub.add_option("DIR", args->design, "Design folder written by convert --backend verilog")->required();
  sub.add_option("--data", args->options.data, "Dataset file (HDF5)")->required();
  sub.add_option("--events", args->options.events, "First N events of the split (at least 1)")->required();
  sub.add_option("--split", args->options.split, "Split to run")
      ->check(CLI::IsMember({"train", "val", "test"}));
  sub.add_option("--json", args->json, "Also write the results as JSON to FILE ('-' = stdout)");
  return [args] {
    if (args->options.events == 0) throw UsageError("--events: expected at least 1 event");
    require_input_folder(args->design);
    require_input_file(args->options.data);
    if (!args->json.empty() && args->json != "-") {
      require_output_not_input("--json", args->json, {args->options.data});
      require_writable_output(args->json);
    }
    util::Progress progress(fmt::format("rtlsim {}: Verilator build, simulation", args->design), 0,
                            util::terminal_progress("events"));
    codegen::RtlsimReport report;
    {
      const util::ProgressTicker ticker(progress);
      report = codegen::run_rtlsim(args->design, args->options);
    }
    progress.finish();
    std::ostream& text = args->json == "-" ? std::cerr : std::cout;
    text << fmt::format("{} events, {} outputs each: {} mismatches\n", report.events, report.outputs,
                        report.mismatches);
    text << fmt::format("latency {} cycles\n", report.latency);
    if (report.interval >= 0) {
      text << fmt::format("II {} cycles\n", report.interval);
    } else {
      text << "II not measured (one event)\n";
    }
    if (report.mismatches != 0) text << report.details;
    if (!args->json.empty()) {
      nlohmann::json json = {
          {"design", args->design},
          {"events", report.events},
          {"outputs", report.outputs},
          {"mismatches", report.mismatches},
          {"latency_cycles", report.latency},
          {"interval_cycles", report.interval >= 0 ? nlohmann::json(report.interval) : nlohmann::json()}};
      if (args->json == "-") {
        std::cout << json.dump(2) << "\n";
      } else {
        util::write_file_atomically(args->json, json.dump(2) + "\n");
      }
    }
    return report.mismatches == 0 ? 0 : 1;
  };
}

const CommandRegistration registration{
    "rtlsim", "Simulate a Verilog design with Verilator and compare it bit for bit", setup_rtlsim};

}  // namespace
}  // namespace sparsepixels::cli
