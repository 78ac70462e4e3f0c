#pragma once
// `sparsepixels demo`: the paper's story in one call — data, training of the standard model and
// sparse-t/s/m/l at 8 bits, evaluation, code generation with csim, latency estimates, a table, a plot
// and summary.json (docs/demo.md).

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sparsepixels::workflow {

/// What run_demo does; the defaults are the documented epoch and event budget (docs/demo.md).
struct DemoOptions {
  std::string out_dir = "demo-out";  ///< every output goes here (created if needed)
  int epochs =
      0;  ///< epoch budget of the standard CNN (0: the config's max_epochs; early stopping may end sooner)
  int sparse_epochs = 0;           ///< epoch budget of each sparse model (0: the config's max_epochs)
  std::size_t train_events = 0;    ///< first N events of the train split (0: all)
  std::size_t val_events = 0;      ///< first N events of the val split (0: all)
  std::size_t csim_events = 1000;  ///< first N test events run through csim
  std::string examples_dir;        ///< folder holding mnist/ and neutrino/; empty: found
  std::string executable_path;     ///< anchors the default data and examples folders
  /// Training and inference threads, and the number of sparse models converted and C-simulated at
  /// once (0: all hardware threads); never changes a result.
  int threads = 0;
  bool synthetic = false;  ///< skip MNIST even when its IDX files are found
  /// Folders searched for the MNIST IDX files; unset: mnist::default_mnist_folders(executable_path).
  std::optional<std::vector<std::string>> mnist_folders;
  std::size_t synthetic_events = 7000;  ///< events generated when MNIST is absent (split 70/10/20)
  std::uint64_t synthetic_seed = 1;     ///< seed of the built-in generator
  std::string gnuplot = "gnuplot";      ///< plotting program (a warning, not a failure, when absent)
  std::ostream* progress = nullptr;     ///< one line per model and phase when set
  /// Where progress bars (training epochs, the csim phase) are drawn with '\r'; nullptr: none. The
  /// command line passes stderr when stdout and stderr are terminals (util::progress_wanted()).
  std::ostream* progress_bars = nullptr;
  /// The models run, in table order; a subset of model_names() (default: all five).
  std::vector<std::string> models;
};

/// One trained and measured model.
struct ModelResult {
  std::string name;                            ///< "standard", "sparse-t", ...
  std::optional<int> n_active;                 ///< the budget N; unset for the standard model
  int bits = 8;                                ///< weight width of the config
  std::string metric;                          ///< "accuracy" or "auc"
  double value = 0;                            ///< the metric on the test split, in [0, 1]
  std::size_t csim_events = 0;                 ///< events run through csim (0 for the standard model)
  std::optional<std::size_t> csim_mismatches;  ///< unset for the standard model (no csim)
  std::int64_t latency_cycles = 0;             ///< estimated latency
  double clock_ns = 0;                         ///< clock period of the estimate
  double train_events_per_s = 0;               ///< training throughput (epochs x events / wall time)
  int epochs_run = 0;                          ///< epochs actually trained
  double train_seconds = 0;                    ///< wall time of training (validation included)
  double csim_seconds = 0;                     ///< wall time of convert + csim of this model (0: none)
};

/// Everything run_demo measured and wrote.
struct DemoResult {
  std::string dataset;  ///< "mnist" or "neutrino"
  std::string data_path;
  std::vector<ModelResult> models;
  std::string summary_path, table_path, plot_path;
  std::string plot_warning;       ///< set when the PNG could not be drawn
  int csim_jobs = 0;              ///< sparse models converted and C-simulated at once
  double csim_phase_seconds = 0;  ///< wall time of the whole convert + csim phase
  /// Sum of csim mismatches over the sparse models.
  std::size_t total_mismatches() const;
};

/// The five models of the paper's table, in table order: standard, sparse-t, sparse-s, sparse-m, sparse-l.
const std::vector<std::string>& model_names();

/// The folders searched for the example configs when none is given, in order: examples/ in the folder
/// of `executable_path` and in each of its three parents, then ./examples.
std::vector<std::string> default_examples_folders(const std::string& executable_path);

/// The first of `candidates` holding `<dataset>/standard-8b.yml`; otherwise an Error naming every folder.
std::string locate_examples_folder(const std::vector<std::string>& candidates, const std::string& dataset);

/// Runs the whole demo. Throws sparsepixels::UsageError for invalid options (naming the option and
/// value) and sparsepixels::Error when a step fails; csim mismatches are results, not exceptions.
DemoResult run_demo(const DemoOptions& options);

/// The paper-like table: model, N, accuracy or AUC, latency in cycles and in µs, csim mismatches.
std::string format_table(const DemoResult& result);

/// summary.json: {"dataset", "models": [{"name", "n_active", "bits", "metric", "value", "csim_events",
/// "csim_mismatches", "latency_cycles"}], "train_events_per_s": {name: value}}.
nlohmann::json summary_json(const DemoResult& result);

}  // namespace sparsepixels::workflow
