#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/layers/fixed_layer.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::inference {

// One layer's values and profile, its tables and parameter conversion belong to the layers (each
// kind's fixed forward pass is in its own src/layers/ file); the runner speaks the same names.
using layers::LayerProfile;
using layers::LayerValues;
using layers::make_sigmoid_table;
using layers::make_softmax_tables;
using layers::parameter_raw;
using layers::pool_reciprocal_raw;
using layers::SigmoidTable;
using layers::SoftmaxTables;

/// What fixed_predict should compute besides the outputs.
struct FixedOptions {
  int threads = 1;       ///< worker threads (0: all hardware threads); never changes a result
  bool trace = false;    ///< keep every layer's output for every event
  bool profile = false;  ///< per-layer LayerProfile over all events
};

/// The result of fixed-point inference on a set of events.
struct FixedOutput {
  std::size_t events = 0, output_size = 0;
  fixed::FixedType output_type;                 ///< the last layer's result type
  std::vector<std::int64_t> raw;                ///< events x output_size raw mantissas of output_type
  std::vector<double> values;                   ///< the same values as doubles (exact up to 53 bits)
  std::vector<std::vector<LayerValues>> trace;  ///< [event][layer] when FixedOptions::trace
  std::vector<LayerProfile> profile;            ///< [layer] when FixedOptions::profile
};

/// A model prepared for fixed-point inference: each layer's layers::FixedLayer (parameters converted
/// to their declared types, tables built), run in order on raw integer mantissas, exactly what the
/// HLS kernels compute (docs/fixed-inference.md). This runner owns input quantization, threads,
/// traces and profiles. Immutable once built, so one instance serves many threads.
class FixedModel {
 public:
  /// Converts the model's float parameters; throws sparsepixels::Error for an unsupported model.
  explicit FixedModel(const model::Model& model);

  std::size_t layer_count() const { return layers_.size(); }
  /// Floats per input event (H*W*C of the model's input).
  std::size_t input_size() const { return input_size_; }
  /// Values per output event.
  std::size_t output_size() const;
  const fixed::FixedType& input_type() const { return input_type_; }
  const fixed::FixedType& output_type() const;
  /// The result type of layer `index`.
  const fixed::FixedType& result_type(std::size_t index) const;
  /// The InputReduce threshold converted to the input type (0 if the model has no InputReduce).
  std::int64_t threshold_raw() const { return threshold_raw_; }
  /// Raw weights and biases of layer `index` in the declared weight and bias types (empty if none).
  const std::vector<std::int64_t>& weights_raw(std::size_t index) const;
  const std::vector<std::int64_t>& biases_raw(std::size_t index) const;

  /// Converts one float32 event to raw mantissas of the input type (input_size() values).
  void quantize_input(const float* event, std::vector<std::int64_t>& raw) const;
  /// Runs one event; outputs[k] receives layer k's output (resized to layer_count()).
  void run(const float* event, std::vector<LayerValues>& outputs) const;
  /// Runs `events` events (event-major, channel-last float32), on options.threads threads.
  FixedOutput predict(const float* inputs, std::size_t events, const FixedOptions& options = {}) const;

 private:
  void run_traced(const float* event, std::vector<LayerValues>& outputs,
                  std::vector<LayerProfile>* profile) const;

  fixed::FixedType input_type_;
  std::size_t input_size_ = 0;
  std::int64_t threshold_raw_ = 0;
  std::vector<std::unique_ptr<layers::FixedLayer>> layers_;
};

/// Fixed-point inference of `model` on `events` dense float32 events: FixedModel(model).predict.
FixedOutput fixed_predict(const model::Model& model, const float* inputs, std::size_t events,
                          const FixedOptions& options = {});

}  // namespace sparsepixels::inference
