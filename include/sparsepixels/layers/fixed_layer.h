#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/spec/model_spec.h"

namespace sparsepixels::layers {

/// One layer's output for one event, as raw mantissas of the layer's result type.
/// Sparse layers: `raw` holds feat[N*C] (slot-major) and `hash` the 2*N 1-based (row, col);
/// dense layers: `raw` holds H*W*C values channel-last and `hash` is empty.
struct LayerValues {
  std::vector<std::int64_t> raw;
  std::vector<int> hash;
};

/// Value statistics of one layer's outputs over the events it has seen.
struct LayerProfile {
  double min_value = 0, max_value = 0;  // over every output value (0 when nothing was seen)
  std::size_t values = 0;               // outputs counted
  std::size_t nonzero = 0;              // outputs different from zero
  std::size_t out_of_range = 0;         // casts whose exact input lay outside the result type's range
                                        // (saturated or wrapped, depending on the overflow mode)
};

/// One layer in fixed point: its parameters converted to their declared types, computing on raw
/// integer mantissas exactly what its HLS kernel computes (docs/fixed-inference.md). Each kind's
/// subclass lives in the kind's own file under src/layers/. Immutable, so one serves many threads.
class FixedLayer {
 public:
  /// Converts `weights` and `bias` with parameter_raw; throws sparsepixels::Error naming the layer
  /// and field for a wrong count or a non-finite value. `input_type`: the previous layer's result
  /// type (the model's input type for the first layer).
  FixedLayer(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
             const std::vector<float>& weights, const std::vector<float>& bias);
  virtual ~FixedLayer() = default;
  FixedLayer(const FixedLayer&) = delete;
  FixedLayer& operator=(const FixedLayer&) = delete;

  const spec::ResolvedLayer& info() const { return info_; }
  const fixed::FixedType& input_type() const { return input_type_; }
  /// Raw weights and biases in the declared weight and bias types (empty if the kind has none);
  /// batch normalization: its folded scale and shift, one per channel.
  const std::vector<std::int64_t>& weights_raw() const { return weights_; }
  const std::vector<std::int64_t>& biases_raw() const { return biases_; }

  /// Computes one event's output from the previous layer's; counts out-of-range casts into
  /// `profile` when given (value statistics are the runner's).
  virtual void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile = nullptr) const = 0;

 protected:
  /// For kinds whose hardware parameters are computed from the trained ones (batch normalization's
  /// folded scale and shift): the raw values, already in the weight and bias types.
  FixedLayer(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
             std::vector<std::int64_t> weights_raw, std::vector<std::int64_t> biases_raw)
      : info_(info),
        input_type_(input_type),
        weights_(std::move(weights_raw)),
        biases_(std::move(biases_raw)) {}

  spec::ResolvedLayer info_;
  fixed::FixedType input_type_;
  std::vector<std::int64_t> weights_, biases_;
};

/// The fixed-point form of one layer from its resolved spec and float parameters (what
/// Layer::make_fixed does for a layer of a model).
std::unique_ptr<FixedLayer> make_fixed_layer(const spec::ResolvedLayer& info,
                                             const fixed::FixedType& input_type,
                                             const std::vector<float>& weights,
                                             const std::vector<float>& bias);

/// A float parameter (weight or bias) converted to its declared type: rounded half to even, then
/// saturated (QKeras quantized_bits, as QAT does), so values already quantized by QAT are exact.
std::int64_t parameter_raw(float value, const fixed::FixedType& type);

/// InputReduce's threshold converted to the input type (what the selection compares channel 0 with).
std::int64_t threshold_raw(const spec::ResolvedLayer& info, const fixed::FixedType& input_type);

/// The pooling reciprocal R = 1/area rounded half to even to ap_ufixed<18,0> (reference 11.5): its
/// raw bits round(2^18 / area). Only for area >= 2.
std::int64_t pool_reciprocal_raw(int area);

/// The sigmoid lookup table of a Sigmoid layer (docs/fixed-inference.md, "Tables"): the layer's
/// table type, 1024 entries over [-8, 8), raw entries from fixed::sigmoid_table.
struct SigmoidTable {
  fixed::FixedType table_type;
  fixed::TableLayout layout;
  std::vector<std::int64_t> raw;
};

/// The two softmax tables of a Softmax layer and the exact type of the sum of exponentials (under the
/// hls4ml profile: both tables and the sum in the layer's table type, docs/semantics.md), with the
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
/// The tables and sum type a Softmax layer uses (code generation writes the same ones). `input_type`:
/// the previous layer's result type (the hls4ml profile addresses its exp table in that type).
SoftmaxTables make_softmax_tables(const spec::ResolvedLayer& layer, const fixed::FixedType& input_type);

}  // namespace sparsepixels::layers
