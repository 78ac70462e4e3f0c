#pragma once

#include <map>
#include <string>

namespace sparsepixels::workflow {

/// Throughput of the neutrino architecture (reference section 4) on in-memory synthetic events.
struct BenchResult {
  std::map<std::string, double> train_events_per_s;  // "standard", "sparse-t".."sparse-l", "sparse-l-qat"
  std::map<std::string, double> infer_events_per_s;
  int batch = 128;
  int threads = 0;
  std::size_t events = 0;
  /// The synthetic generator's speed on the bench's events (process CPU time).
  double synthetic_events_per_cpu_s = 0;
  /// {"train_events_per_s": {...}, "infer_events_per_s": {...}, "batch": .., "threads": .., ...}
  std::string to_json() const;
};

/// Measures training (forward + backward + Adam over batches; the input reduction runs once per
/// dataset, before timing) and inference (dense input to output, input reduction included).
/// `seconds_per_model` bounds each measurement.
BenchResult run_bench(int threads, std::size_t events, double seconds_per_model);

}  // namespace sparsepixels::workflow
