#pragma once

#include <map>
#include <string>

namespace sparsepixels::workflow {

/// What `bench` measures: one of the paper's architectures (reference section 4) on in-memory events.
struct BenchOptions {
  std::string arch = "neutrino";  ///< mnist, jets or neutrino
  /// A dataset file whose train split is measured (its first `events`); empty: the built-in events
  /// (neutrino: the synthetic generator; mnist: the MNIST IDX files found from `executable_path`).
  std::string data;
  int threads = 0;               ///< 0: all hardware threads
  std::size_t events = 20000;    ///< events held in memory
  double seconds_per_model = 4;  ///< bound of each measurement
  std::string executable_path;   ///< anchors the default MNIST and examples folders
  /// Scaling mode (issue 15, neutrino only), when any of these differs from its default: synthetic events of
  /// height x width (data synthetic --height/--width) with `active` mean active pixels (0: the physics fills
  /// the image), kept as hit lists only (no dense events, so any size fits in memory); measures neutrino
  /// sparse-l with top-k selection, inference from hit lists and training prepared from hit lists.
  std::size_t height = 63, width = 63;
  double active = 0;
  bool scaling() const { return height != 63 || width != 63 || active != 0; }
};

/// Throughput of one architecture on in-memory events.
struct BenchResult {
  std::string arch;
  /// "standard", "sparse-t".."sparse-l" (float), "sparse-l-qat" and "standard-qat" (QAT with the
  /// 8-bit example config's types where an example config is found, else the paper model's types)
  std::map<std::string, double> train_events_per_s;
  std::map<std::string, double> infer_events_per_s;
  /// The same inference from in-memory hit lists (Model::predict_hits), measured in the same run.
  std::map<std::string, double> infer_from_hits_events_per_s;
  int batch = 128;
  int threads = 0;
  std::size_t events = 0;
  std::string data;  ///< where the events came from
  /// The synthetic generator's speed on the bench's events (process CPU time); neutrino only.
  double synthetic_events_per_cpu_s = 0;
  /// The events' size and their measured mean number of active pixels (hits per event).
  std::size_t height = 0, width = 0;
  double mean_active = 0;
  /// Scaling mode: the models measured ("sparse-l-topk": the neutrino sparse-l layers with top-k, 7x7
  /// pool; "sparse-l-topk-pool<P>": the same with a P x P pool, P = min(height, width) / 8, so the dense
  /// head stays about the 63x63 model's size), each with its parameter count.
  std::map<std::string, std::size_t> parameters;
  /// {"train_events_per_s": {...}, "infer_events_per_s": {...}, "batch": .., "threads": .., ...}
  std::string to_json() const;
};

/// Measures training (forward + backward + Adam over batches; the input reduction runs once per
/// dataset, before timing) and inference (dense input to output, input reduction included).
/// `seconds_per_model` bounds each measurement.
BenchResult run_bench(const BenchOptions& options);

}  // namespace sparsepixels::workflow
