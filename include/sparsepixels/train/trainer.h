#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::train {

/// One line of the training history.
struct EpochRecord {
  int epoch = 0;  // 1-based
  double loss = 0, accuracy = 0;
  double val_loss = 0, val_accuracy = 0;  // NaN without validation events
  double learning_rate = 0;
  double seconds = 0;  // wall time of the epoch (training and validation)
};

/// What train() did.
struct TrainResult {
  std::vector<EpochRecord> history;
  int best_epoch = 0;  // the epoch whose parameters the model holds at the end (restore_best)
  bool stopped_early = false;
  bool stopped_by_request = false;  // TrainOptions::should_stop returned true
  int redraws = 0;                  // dead-start guard: layers' weights drawn again before training
  std::vector<std::string> log;     // what the guard did, one line per event (also sent to on_log)
};

/// Options that override the model's training settings for one run.
struct TrainOptions {
  std::optional<int> epochs;                         // --epochs: replaces max_epochs
  std::optional<std::uint64_t> seed;                 // --seed: replaces the training seed
  std::optional<int> threads;                        // replaces training.threads; never changes the result
  std::string history_csv;                           // written after every epoch when not empty
  std::function<void(const EpochRecord&)> on_epoch;  // progress callback
  std::function<void(const std::string&)> on_log;    // messages of the dead-start guard
  /// Dead-start guard (docs/training.md): after initialization, a layer followed by a ReLU whose
  /// ReLU outputs are all zero on the first training batch gets new weights, up to kDeadStartRedraws
  /// times. Disable only to study the unguarded initialization.
  bool dead_start_guard = true;
  /// Polled after every batch and every epoch (after early stopping's bookkeeping): when it returns
  /// true, training ends as after early stopping (best parameters restored when restore_best). An
  /// epoch cut short is not recorded. Used by the Python module for callbacks and Ctrl-C.
  std::function<bool()> should_stop;
};

/// Most times the dead-start guard draws one layer's weights again.
inline constexpr int kDeadStartRedraws = 10;

/// The loss of the model's head: "binary_crossentropy" (one output, sigmoid) or
/// "categorical_crossentropy" (softmax); resolves "auto". Throws if the head does not fit.
std::string resolve_loss(const model::Model& model);

/// Mean loss and accuracy of the model on a split (float or quantized forward). The loss is computed
/// from the logits (the input of the final Sigmoid/Softmax), as in training.
std::pair<double, double> evaluate(const model::Model& model, const data::Split& split, bool quantized,
                                   int threads);

/// Trains with Adam on mini-batches, early stopping on the validation loss (min_delta, patience,
/// restore best). Initializes the parameters from the seed first (with the dead-start guard).
/// Deterministic: the same seed and data give the same parameters whatever the thread count.
TrainResult train(model::Model& model, const data::Split& train_split, const data::Split& val_split,
                  const TrainOptions& options = {});

/// The same from hit lists, for a model whose first layer is an InputReduce (Engine::prepare from hits):
/// no event is made dense, and the result equals train() on the dense events bit for bit.
TrainResult train(model::Model& model, const data::HitSplit& train_split, const data::HitSplit& val_split,
                  const TrainOptions& options = {});

/// Writes a history CSV (epoch, loss, accuracy, val_loss, val_accuracy, learning_rate, seconds)
/// to a temporary name, then renames it.
void write_history(const std::string& path, const std::vector<EpochRecord>& history);

}  // namespace sparsepixels::train
