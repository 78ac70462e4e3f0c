// `sparsepixels bench [--json FILE]`: training and inference throughput of the neutrino models.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/workflow/bench.h"

namespace sparsepixels::cli {
namespace {

struct BenchArguments {
  std::string json;
  int threads = 0;
  std::size_t events = 20000;
  double seconds = 4;
};

Run setup_bench(CLI::App& sub) {
  auto args = std::make_shared<BenchArguments>();
  sub.add_option("--json", args->json, "Write the figures as JSON to FILE ('-' for stdout)");
  sub.add_option("--threads", args->threads, "Threads (0: all)")->check(CLI::Range(0, limits::kMaxThreads));
  sub.add_option("--events", args->events, "Synthetic events generated in memory")
      ->check(CLI::Range(128, 10000000));
  sub.add_option("--seconds", args->seconds, "Seconds per measurement")->check(CLI::Range(0.1, 60.0));
  return [args] {
    const workflow::BenchResult result = workflow::run_bench(args->threads, args->events, args->seconds);
    const std::string json = result.to_json();
    if (args->json == "-") {
      std::cout << json << "\n";
    } else {
      std::cout << "model        train ev/s    infer ev/s\n";
      for (const auto& [name, rate] : result.train_events_per_s) {
        const auto infer = result.infer_events_per_s.find(name);
        std::cout << fmt::format("{:<12} {:>10.0f}    {:>10}\n", name, rate,
                                 infer == result.infer_events_per_s.end()
                                     ? std::string("-")
                                     : fmt::format("{:.0f}", infer->second));
      }
      std::cout << fmt::format("batch {}, threads {}, {} events\n", result.batch, result.threads,
                               result.events);
    }
    if (!args->json.empty() && args->json != "-") {
      util::write_file_atomically(args->json, fmt::format("{}\n", json));
    }
    return 0;
  };
}

const CommandRegistration registration{"bench", "Measure training and inference throughput (neutrino models)",
                                       setup_bench};

}  // namespace
}  // namespace sparsepixels::cli
