// `sparsepixels bench [--arch A] [--data FILE] [--json FILE] [--height H --width W --active MEAN]`: training
// and inference throughput.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/workflow/bench.h"

namespace sparsepixels::cli {
namespace {

Run setup_bench(CLI::App& sub) {
  auto args = std::make_shared<workflow::BenchOptions>();
  auto json = std::make_shared<std::string>();
  sub.add_option("--arch", args->arch, "Architecture: mnist, jets or neutrino (default neutrino)")
      ->check(CLI::IsMember({"mnist", "jets", "neutrino"}));
  sub.add_option("--data", args->data,
                 "Dataset file whose train split is measured (default: synthetic events for neutrino, the "
                 "MNIST IDX files for mnist; jets needs one)");
  sub.add_option("--json", *json, "Write the figures as JSON to FILE ('-' for stdout)");
  sub.add_option("--threads", args->threads, "Threads (0: all)")->check(CLI::Range(0, limits::kMaxThreads));
  sub.add_option("--events", args->events, "Events held in memory")->check(CLI::Range(128, 10000000));
  sub.add_option("--seconds", args->seconds_per_model, "Seconds per measurement")
      ->check(CLI::Range(0.1, 60.0));
  const std::string side_range =
      fmt::format("{}..{}", data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide);
  sub.add_option("--height", args->height,
                 "Scaling mode: synthetic events of this height (" + side_range +
                     "), neutrino sparse-l with top-k from hit lists only")
      ->check(CLI::Range(data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide));
  sub.add_option("--width", args->width, "Scaling mode: event width (" + side_range + ")")
      ->check(CLI::Range(data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide));
  auto* active =
      sub.add_option("--active", args->active,
                     "Scaling mode: mean number of active pixels per event (data synthetic --active)");
  return [args, json, active] {
    if (active->count() > 0 && !(args->active > 0)) {
      throw UsageError(
          fmt::format("--active: {} is not a positive mean number of active pixels", args->active));
    }
    if (!args->data.empty()) require_input_file(args->data);
    if (!args->data.empty() && !json->empty() && *json != "-")
      require_output_not_input("--json", *json, {args->data});
    args->executable_path = executable_path();
    const workflow::BenchResult result = workflow::run_bench(*args);
    const std::string text = result.to_json();
    if (*json == "-") {
      std::cout << text << "\n";
    } else {
      std::cout << "model            train ev/s    infer ev/s  from hits ev/s\n";
      auto rate_of = [](const std::map<std::string, double>& rates, const std::string& name) {
        const auto found = rates.find(name);
        return found == rates.end() ? std::string("-") : fmt::format("{:.0f}", found->second);
      };
      for (const auto& [name, rate] : result.train_events_per_s) {
        std::cout << fmt::format("{:<16} {:>10.0f}    {:>10}  {:>14}\n", name, rate,
                                 rate_of(result.infer_events_per_s, name),
                                 rate_of(result.infer_from_hits_events_per_s, name));
      }
      std::cout << fmt::format(
          "{}: batch {}, threads {}, {} events ({}), {}x{}, {:.1f} active pixels per event\n", result.arch,
          result.batch, result.threads, result.events, result.data, result.height, result.width,
          result.mean_active);
      for (const auto& [name, count] : result.parameters) {
        std::cout << fmt::format("{}: {} parameters\n", name, count);
      }
      if (result.synthetic_events_per_cpu_s > 0) {
        std::cout << fmt::format("synthetic generator: {:.0f} events per CPU second\n",
                                 result.synthetic_events_per_cpu_s);
      }
    }
    if (!json->empty() && *json != "-") {
      util::write_file_atomically(*json, fmt::format("{}\n", text));
    }
    return 0;
  };
}

const CommandRegistration registration{
    "bench", "Measure training and inference throughput of the paper's architectures", setup_bench};

}  // namespace
}  // namespace sparsepixels::cli
