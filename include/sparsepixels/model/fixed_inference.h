#pragma once

#include <cstddef>
#include <vector>

#include "sparsepixels/model/model.h"

namespace sparsepixels::model {

/// Fixed-point inference on raw integer mantissas, following docs/semantics.md step by step (the
/// same casts as the HLS kernels, exact accumulators in 128-bit integers, lookup tables for
/// sigmoid/softmax). Weights are the QKeras-quantized values of the float parameters (round half to
/// even, saturate) in the declared weight/bias types. Writes events x output_size() values.
/// `stop_before_head`: stop before a final Sigmoid/Softmax and return its input (the logits).
void predict_fixed(const Model& model, const float* inputs, std::size_t events, std::vector<double>& out,
                   bool stop_before_head = false);

}  // namespace sparsepixels::model
