#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::inference {

/// The sigmoid lookup table of a Sigmoid layer (docs/fixed-inference.md, "Tables"): the layer's
/// table type, 1024 entries over [-8, 8), raw entries from fixed::sigmoid_table.
struct SigmoidTable {
  fixed::FixedType table_type;
  fixed::TableLayout layout;
  std::vector<std::int64_t> raw;
};

/// The two softmax tables of a Softmax layer and the exact type of the sum of exponentials, with the
/// kernel defaults (nnet::softmax_config) where the model has no field: exp over differences [0, 8) in
/// the layer's table type; 1/s over [0, 2^E), E = 6 or more so that 2^E > n_in, in ap_fixed<18,8>;
/// 1024 entries each; the sum type holds n_in exp-table values exactly.
struct SoftmaxTables {
  fixed::FixedType exp_type, inverse_type, sum_type;
  fixed::TableLayout exp_layout, inverse_layout;
  std::vector<std::int64_t> exp_raw, inverse_raw;
};

/// The tables a Sigmoid layer uses (code generation writes the same ones into the project).
SigmoidTable make_sigmoid_table(const spec::ResolvedLayer& layer);
/// The tables and sum type a Softmax layer uses (code generation writes the same ones).
SoftmaxTables make_softmax_tables(const spec::ResolvedLayer& layer);

/// A float parameter (weight or bias) converted to its declared type: rounded half to even, then
/// saturated (QKeras quantized_bits, as QAT does), so values already quantized by QAT are exact.
std::int64_t parameter_raw(float value, const fixed::FixedType& type);

/// The pooling reciprocal R = 1/area rounded half to even to ap_ufixed<18,0> (reference 11.5): its
/// raw bits round(2^18 / area). Only for area >= 2.
std::int64_t pool_reciprocal_raw(int area);

/// One layer's output for one event, as raw mantissas of the layer's result type.
/// Sparse layers: `raw` holds feat[N*C] (slot-major) and `hash` the 2*N 1-based (row, col);
/// dense layers: `raw` holds H*W*C values channel-last and `hash` is empty.
struct LayerValues {
  std::vector<std::int64_t> raw;
  std::vector<int> hash;
};

/// Value statistics of one layer's outputs over all events of a prediction.
struct LayerProfile {
  double min_value = 0, max_value = 0;  // over every output value (0 when nothing was seen)
  std::size_t values = 0;               // outputs counted
  std::size_t nonzero = 0;              // outputs different from zero
  std::size_t out_of_range = 0;         // casts whose exact input lay outside the result type's range
                                        // (saturated or wrapped, depending on the overflow mode)
};

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

/// A model prepared for fixed-point inference: parameters converted to their declared types, tables
/// built. Computes on raw integer mantissas exactly what the HLS kernels compute, layer by layer
/// (docs/fixed-inference.md). Immutable once built, so one instance serves many threads.
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
  /// One layer as the fixed path runs it.
  struct Layer {
    spec::ResolvedLayer info;
    fixed::FixedType input_type;  // the previous layer's result type (the model's input type first)
    std::vector<std::int64_t> weights, biases;
    SigmoidTable sigmoid;
    SoftmaxTables softmax;
  };
  void run_layer(const Layer& layer, const LayerValues& in, LayerValues& out, LayerProfile* profile) const;
  void run_traced(const float* event, std::vector<LayerValues>& outputs,
                  std::vector<LayerProfile>* profile) const;

  fixed::FixedType input_type_;
  std::size_t input_size_ = 0;
  std::int64_t threshold_raw_ = 0;
  std::vector<Layer> layers_;
};

/// Fixed-point inference of `model` on `events` dense float32 events: FixedModel(model).predict.
FixedOutput fixed_predict(const model::Model& model, const float* inputs, std::size_t events,
                          const FixedOptions& options = {});

}  // namespace sparsepixels::inference
