#pragma once
// The `eval` step: run a model on a dataset split, score it, and write metrics, ROC curves and plots.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/eval/metrics.h"
#include "sparsepixels/eval/roc_plot.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::eval {

/// How evaluate() runs the model.
struct EvaluationOptions {
  std::string split = "test";       ///< "train", "val" or "test"
  bool fixed = false;               ///< bit-exact fixed-point inference (inference::FixedModel)
  bool quantized = false;           ///< the QAT forward (types applied); excludes `fixed`
  int threads = 0;                  ///< inference threads (0: all); never changes a result
  std::size_t chunk_events = 1024;  ///< events read from the file at a time
};

/// Value ranges of one layer's outputs over the whole split (fixed-point inference only).
struct LayerRange {
  std::string layer;        ///< the layer name
  std::string result_type;  ///< its result type, e.g. "ap_fixed<8,3>"
  double min_value = 0, max_value = 0;
  std::size_t values = 0, nonzero = 0;
  std::size_t out_of_range = 0;  ///< casts whose exact value lay outside the type (saturated or wrapped)
  std::string overflow_mode;     ///< "AP_SAT", "AP_WRAP"...: what happened to out-of-range values
};

/// Everything evaluate() measured.
struct Evaluation {
  std::string model_path, data_path, split;
  bool fixed = false;
  bool quantized = false;
  std::vector<std::string> class_names;
  std::size_t output_size = 0;
  std::vector<std::int32_t> labels;     ///< one per event
  std::vector<double> outputs;          ///< events x output_size, event-major
  std::vector<std::int32_t> predicted;  ///< predicted_classes(outputs)
  double accuracy = 0;
  std::vector<std::vector<std::size_t>> confusion;
  /// Two classes: the ROC of the class-1 score (the sigmoid output, or softmax output 1).
  std::optional<RocCurve> binary;
  /// Several outputs (softmax): one-vs-rest ROC of every class.
  std::vector<RocCurve> per_class;
  std::vector<LayerRange> layer_ranges;  ///< fixed only: one per layer
  std::size_t events() const { return labels.size(); }
};

/// Runs `model` on a split of the dataset file at `data_path`, read in chunks from this thread
/// (the HDF5 library is not thread-safe), and computes every metric. Throws sparsepixels::Error if
/// the model's input or output does not fit the dataset (naming both files) or the split is empty.
Evaluation evaluate(const model::Model& model, const std::string& model_path, const std::string& data_path,
                    const EvaluationOptions& options = {});

/// evaluate() on events in memory (the Python module's `Model.evaluate`): `inputs` holds `events`
/// dense float32 events (event-major, channel-last, the model's input shape), `labels` one class
/// index per event in [0, class_names.size()). `model_label` and `data_label` stand for the file
/// names in messages and in metrics_json; options.split only labels the result.
Evaluation evaluate_events(const model::Model& model, const std::string& model_label, const float* inputs,
                           const std::int32_t* labels, std::size_t events,
                           const std::vector<std::string>& class_names, const std::string& data_label,
                           const EvaluationOptions& options = {});

/// The files write_evaluation produced; `plot_warning` is set when the PNG could not be drawn.
struct EvaluationFiles {
  std::string metrics_json, confusion_csv, roc_png;
  std::vector<std::string> roc_csv;
  std::string plot_warning;
};

/// Writes into `folder` (created if needed): metrics.json, confusion.csv, roc.csv (two classes),
/// roc_<k>_<class>.csv (one per class of a softmax model), and roc.png through gnuplot.
EvaluationFiles write_evaluation(const Evaluation& evaluation, const std::string& folder,
                                 const PlotOptions& plot = {});

/// Whether write_evaluation may write (or replace) a file of this name in its folder: metrics.json,
/// confusion.csv, roc.csv, roc_<k>_<class>.csv, roc.png and gnuplot's roc.gp and roc.gnuplot.log.
bool is_evaluation_file_name(const std::string& name);

/// The metrics as JSON text (format: docs/evaluation.md); `files` lists what was written.
std::string metrics_json(const Evaluation& evaluation, const EvaluationFiles& files);

/// The human-readable summary the CLI prints: accuracy, AUC, per-class AUC.
std::string format_summary(const Evaluation& evaluation);

}  // namespace sparsepixels::eval
