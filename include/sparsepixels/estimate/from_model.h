#pragma once

#include <string>

#include "sparsepixels/estimate/design.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::estimate {

/// Choices for mapping a model onto the estimator's design description.
struct FromModelOptions {
  /// Cost dense and streaming-conv multipliers from the CSD digits of the model's weights in their
  /// declared type (a trained model: zero weights cost nothing, powers of two only wiring). Off for
  /// configs, whose weights are all zero placeholders; the estimator then uses the expectation for
  /// Glorot-scale weights. A layer whose weights are all zero is taken as untrained too.
  bool use_weight_sparsity = false;
};

/// Maps a resolved model onto the estimator's input: the sparse pipeline when the model starts with
/// InputReduce (budget N, selection policy), otherwise the standard io_stream baseline; layer sizes,
/// bit widths of weights, results, declared accumulators ('auto' ones are left to the estimator's
/// exact rule) and tables; clock, uncertainty and part from the model's HLS settings.
/// Throws sparsepixels::Error naming `origin`, the layer and the reason for a layer the estimator
/// cannot cost.
DesignSpec design_from_model(const model::Model& model, const std::string& origin = "model",
                             const FromModelOptions& options = {});

}  // namespace sparsepixels::estimate
