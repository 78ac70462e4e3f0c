#pragma once

#include <memory>
#include <random>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/model/spec.h"
#include "sparsepixels/tensor/batch.h"

namespace sparsepixels::layers {

/// Rounds to a fixed-point type in the forward pass of quantization-aware training (the backward
/// pass is straight-through, so no derivative is kept).
class Quantizer {
 public:
  Quantizer() = default;
  /// `declared_modes`: the type's own rounding/overflow modes (results); otherwise QKeras
  /// quantized_bits semantics, round half to even then saturate (weights and biases).
  Quantizer(const fixed::FixedType& type, bool declared_modes);
  float operator()(float value) const;
  void apply(float* values, std::size_t count) const;

 private:
  fixed::FixedType type_;
  bool fast_ = false;  // round-half-even + saturate, computed inline
  double scale_ = 1, inverse_scale_ = 1, min_raw_ = 0, max_raw_ = 0;
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
  explicit Layer(model::ResolvedLayer resolved) : info_(std::move(resolved)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const model::ResolvedLayer& info() const { return info_; }

  /// Trainable parameters: weights (HWIO for convolutions, [n_in][n_out] for Dense) and biases.
  std::vector<float> weights, bias;

  /// Keras defaults: Glorot-uniform weights, zero biases.
  void initialize(std::mt19937_64& random);

  /// Makes the forward copies of the parameters and sets the mode (float or quantized).
  void prepare(bool quantized);
  bool quantized() const { return quantized_; }

  /// Computes `out` from `in`; what backward needs is recorded in `out` (mask, index).
  virtual void forward(const tensor::Batch& in, tensor::Batch& out) const = 0;

  /// Given dLoss/dOut, adds dLoss/dParameters into `gradients` and writes dLoss/dIn into
  /// `grad_in` (skipped when null). `in` and `out` are the forward pass's batches.
  virtual void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                        std::vector<float>* grad_in, ParameterGradients& gradients) const = 0;

 protected:
  model::ResolvedLayer info_;
  std::vector<float> forward_weights_, forward_bias_;  // what forward uses (quantized in QAT)
  Quantizer result_quantizer_;
  bool quantized_ = false;
  /// Applies the result type in QAT (no-op in float mode).
  void quantize_result(tensor::Batch& out) const;
};

/// The pooling reciprocal R = 1/area rounded half to even to ap_ufixed<18,0> (reference 11.5).
double pooling_reciprocal(int area);

/// Makes the layer for a resolved spec (parameters sized, zero).
std::unique_ptr<Layer> make_layer(const model::ResolvedLayer& resolved);

}  // namespace sparsepixels::layers
