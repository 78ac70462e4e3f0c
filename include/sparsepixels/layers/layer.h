#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/layers/fixed_layer.h"
#include "sparsepixels/spec/model_spec.h"
#include "sparsepixels/tensor/batch.h"

namespace sparsepixels::layers {

/// Rounds to a fixed-point type in the forward pass of quantization-aware training (the backward
/// pass is straight-through, so no derivative is kept).
class Quantizer {
 public:
  Quantizer() = default;
  /// `declared_modes`: the type's own rounding/overflow modes (results); otherwise QKeras
  /// quantized_bits semantics, round half to even then saturate (weights and biases), whatever modes
  /// the type declares (as inference::parameter_raw converts parameters).
  Quantizer(const fixed::FixedType& type, bool declared_modes);
  float operator()(float value) const { return quantize(static_cast<double>(value)); }
  /// Converts an exact double (a sum computed in double) straight to the type: one rounding only.
  /// The result is returned as float, exact when the type fits float (see fits_float).
  float quantize(double value) const { return fast_ ? quantize_fast(value) : quantize_declared(value); }
  /// True when the inline path applies: AP_TRN or AP_RND_CONV, then AP_WRAP or AP_SAT (no saturation
  /// bits), width <= 50, not an ap_int.
  bool fast() const { return fast_; }
  float quantize_fast(double value) const {
    constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52
    constexpr double kLimit = 1125899906842624.0;  // 2^50
    double x = value * scale_;                     // exact: a power of two
    if (!(std::abs(x) < kLimit)) return quantize_declared(value);
    // Clamping to the integer raw range before rounding equals rounding then saturating.
    if (saturate_) x = std::clamp(x, min_raw_, max_raw_);
    // Adding and subtracting 1.5 * 2^52 rounds half to even (round-to-nearest arithmetic).
    double raw = (x + kShift) - kShift;
    if (truncate_ && raw > x) raw -= 1.0;  // toward minus infinity
    if (!saturate_) {
      // Wrap into [min_raw, min_raw + 2^W): subtract 2^W * floor((raw - min_raw) / 2^W), all exact.
      const double turns = (raw - min_raw_) * inverse_modulus_;
      double whole = (turns + kShift) - kShift;
      if (whole > turns) whole -= 1.0;
      raw -= whole * modulus_;
    }
    return static_cast<float>(raw * inverse_scale_);
  }
  void apply(float* values, std::size_t count) const;

 private:
  float quantize_declared(double value) const;
  fixed::FixedType type_;
  bool fast_ = false;      // computed inline (see fast())
  bool truncate_ = false;  // AP_TRN (otherwise AP_RND_CONV)
  bool saturate_ = true;   // AP_SAT (otherwise AP_WRAP)
  double scale_ = 1, inverse_scale_ = 1, min_raw_ = 0, max_raw_ = 0, modulus_ = 1, inverse_modulus_ = 1;
};

/// True when every value of `type` is exactly a float32 (at most 24 significant bits).
bool fits_float(const fixed::FixedType& type);

/// How the quantized forward pass sums products (QAT).
enum class QatSums {
  Exact,    ///< float32 where the layer's accumulator fits 24 bits, double (exact to 53 bits) otherwise
  Float32,  ///< always float32, as before exact sums existed: for tests that show what exactness changes
};

/// Gradients of one layer's parameters, same layout as the parameters.
struct ParameterGradients {
  std::vector<float> weights, bias;
  void zero();
};

/// A layer with forward and backward passes over batches. Parameters are float ("master" values);
/// `prepare` makes the copies the forward pass uses (quantized in QAT). forward/backward are const,
/// so shards of a batch can run on several threads at once.
class Layer {
 public:
  explicit Layer(spec::ResolvedLayer resolved) : info_(std::move(resolved)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const spec::ResolvedLayer& info() const { return info_; }

  /// Trainable parameters: weights (HWIO for convolutions, [n_in][n_out] for Dense) and biases.
  std::vector<float> weights, bias;

  /// Keras defaults: Glorot-uniform weights, zero biases (batch normalization: its own defaults).
  virtual void initialize(std::mt19937_64& random);

  /// Whether forward is a training step's (batch normalization then uses the batch statistics instead
  /// of its moving ones). train::Engine sets it around train_step; it is false otherwise.
  void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

  /// Training under the reference's mask (`training.slot_rule: keras`): a sparse convolution computes
  /// every slot the input reduction kept, also one whose features a ReLU zeroed (the Keras layers'
  /// keep_mask), instead of the activity rule. train() sets it for its duration; inference (float,
  /// quantized, fixed, hardware) always follows the activity rule.
  void set_input_mask(bool input_mask) { input_mask_ = input_mask; }
  bool input_mask() const { return input_mask_; }

  /// After a training step: updates statistics that are not trained by gradients (batch
  /// normalization's moving mean and variance) from the layer's inputs of that step, one batch per
  /// shard in shard order. The default does nothing.
  virtual void update_statistics(const std::vector<const tensor::Batch*>& inputs);

  /// Folds `batchnorm` (the next layer, a SparseBatchNormalization resolved as folded) into this
  /// layer (QKeras QConv2DBatchnorm): the forward pass, the fixed layer and the kernel compute with
  /// the folded weights and biases; in training the fold takes the batch statistics of this layer's
  /// unfolded output (docs/semantics.md 4b). The model links the pair when it makes its layers.
  void fold(const Layer& batchnorm) { batchnorm_ = &batchnorm; }
  bool has_fold() const { return batchnorm_ != nullptr; }

  /// Makes the forward copies of the parameters and sets the mode (float or quantized). In quantized
  /// mode it also decides, from the resolved accumulator type, whether float32 sums are exact
  /// (docs/training.md); it throws sparsepixels::Error when a weight, bias or result type cannot be
  /// held in float32 or the accumulator needs more than 53 bits.
  void prepare(bool quantized, QatSums sums = QatSums::Exact);
  bool quantized() const { return quantized_; }
  /// True when the quantized forward pass sums in double (the accumulator exceeds 24 bits).
  bool double_sums() const { return double_sums_; }

  /// The layer in fixed point with its current parameters; `input_type` is the previous layer's
  /// result type (the model's input type for the first layer). Throws sparsepixels::Error naming the
  /// layer and field for a wrong parameter count or a non-finite value.
  virtual std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const = 0;

  /// Computes `out` from `in`; what backward needs is recorded in `out` (mask, index, negative).
  virtual void forward(const tensor::Batch& in, tensor::Batch& out) const = 0;

  /// Given dLoss/dOut, adds dLoss/dParameters into `gradients` and writes dLoss/dIn into
  /// `grad_in` (skipped when null). `in` and `out` are the forward pass's batches.
  virtual void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                        std::vector<float>* grad_in, ParameterGradients& gradients) const = 0;

 protected:
  spec::ResolvedLayer info_;
  std::vector<float> forward_weights_, forward_bias_;  // what forward uses (quantized in QAT)
  const Layer* batchnorm_ = nullptr;                   // a folded batch normalization (see fold)
  /// The weights and biases this layer computes with, before quantization: its own, or with the folded
  /// batch normalization applied, from the statistics of `unfolded` (this layer's unfolded outputs of
  /// one batch) or, when null, from the moving statistics. In QAT and when `quantize`, rounded to the
  /// weight and bias types as prepare does.
  void effective_parameters(const std::vector<float>* unfolded, bool quantize,
                            std::vector<float>& weights_out, std::vector<float>& bias_out) const;
  Quantizer result_quantizer_;
  bool quantized_ = false;
  bool training_ = false;
  bool input_mask_ = false;
  bool double_sums_ = false;  // QAT and the accumulator needs more than float32's 24 bits
  /// QKeras's quantized_relu(B, I) passes its gradient only for 0 <= x <= 2^I; an unsigned result type
  /// (a conv/dense result fused with the ReLU's type) is that quantizer, so its limit is 2^I
  /// (infinity for a signed result type).
  double relu_gradient_limit_ = 0;
  /// Whether ReLU's straight-through derivative blocks a value whose pre-quantization value is `pre`.
  bool relu_blocks(double pre) const { return pre < 0.0 || pre > relu_gradient_limit_; }
  /// Applies the result type in QAT (no-op in float mode) and records, per value, whether ReLU's
  /// straight-through derivative must block it (`out.negative`: the value before quantization was < 0,
  /// or above the unsigned result type's QKeras limit 2^I).
  void quantize_result(tensor::Batch& out) const;
  /// QAT with double sums: out.values[offset + k] = result type of the exact `sums[k]`; records
  /// out.negative for those values. `out.negative` must already be sized to out.values.
  void quantize_exact(const double* sums, std::size_t count, tensor::Batch& out, std::size_t offset) const;
};

/// The pooling reciprocal R = 1/area rounded half to even to ap_ufixed<18,0> (reference 11.5).
double pooling_reciprocal(int area);

/// hls4ml profile: 1/side truncated to ap_ufixed<10,0> (hls4ml's per-side pooling reciprocal), as raw
/// bits floor(1024 / side); for side >= 2.
inline constexpr int kHls4mlReciprocalBits = 10;
std::int64_t hls4ml_pool_reciprocal_raw(int side);
/// hls4ml profile: the factor an average-pooled sum is multiplied by, the product of the two sides'
/// reciprocals (a side of 1 contributes 1).
double hls4ml_pooling_scale(int pool_height, int pool_width);

/// InputReduce's forward pass reading `events` dense images in place from the caller's array (no copy
/// into a batch); throws sparsepixels::Error if `layer` is not an InputReduce. With `check_finite`,
/// returns the first event holding inf or NaN (checked image by image as the pass reads it; that
/// event's and later events' slots are left unfilled), else `events`.
std::size_t reduce_dense_input(const Layer& layer, const float* images, std::size_t events,
                               tensor::Batch& out, bool check_finite = false);

/// InputReduce's forward pass straight from hit lists: the same slots as from the dense images the
/// hits describe (a pixel that is no hit is zero, so only hits can pass the threshold), at a cost that
/// grows with the hits, not the image; throws sparsepixels::Error if `layer` is not an InputReduce.
void reduce_hit_input(const Layer& layer, const tensor::HitEvents& hits, tensor::Batch& out);

/// Makes the layer for a resolved spec (parameters sized, zero).
std::unique_ptr<Layer> make_layer(const spec::ResolvedLayer& resolved);

}  // namespace sparsepixels::layers
