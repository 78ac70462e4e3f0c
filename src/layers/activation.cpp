// Element-wise and vector activations: ReLU (dense and sparse), Sigmoid, Softmax.
#include <algorithm>
#include <cmath>

#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

class Activation final : public Layer {
 public:
  using Layer::Layer;

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const std::size_t stride = in.nonzero_stride;
    out.reset(in.events, in.event_size);
    out.geometry = in.geometry;  // sparse ReLU keeps the coordinates
    const float* x = in.values.data();
    float* y = out.values.data();
    switch (info_.spec.kind) {
      case spec::LayerKind::ReLU:
      case spec::LayerKind::SparseReLU:
        for (std::size_t i = 0; i < in.values.size(); ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        // relu(0) = 0, so a flattened sparse batch stays sparse in the same places.
        if (stride > 0) {
          out.nonzero_stride = stride;
          out.index = in.index;
        }
        break;
      case spec::LayerKind::Sigmoid:
        for (std::size_t i = 0; i < in.values.size(); ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
        break;
      case spec::LayerKind::Softmax:
        for (std::size_t e = 0; e < in.events; ++e) {
          const float* xe = in.event(e);
          float* ye = out.event(e);
          const float top = *std::max_element(xe, xe + in.event_size);
          float sum = 0.0f;
          for (std::size_t i = 0; i < in.event_size; ++i) sum += (ye[i] = std::exp(xe[i] - top));
          for (std::size_t i = 0; i < in.event_size; ++i) ye[i] /= sum;
        }
        break;
      default:
        break;
    }
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    grad_in->resize(in.values.size());
    const float* x = in.values.data();
    const float* y = out.values.data();
    const float* g = grad_out.data();
    float* gx = grad_in->data();
    switch (info_.spec.kind) {
      case spec::LayerKind::ReLU:
      case spec::LayerKind::SparseReLU:
        // QAT (docs/training.md): QKeras's quantized_relu takes relu'(x) on the value before
        // quantization, which the previous layer records (Batch::negative): a positive value its
        // result type rounded to 0 passes, a negative one an unsigned type clamped to 0 blocks. An
        // exact 0 passes: here it comes from quantization upstream (e.g. an average pool rounding
        // small sums to 0) where QKeras's float pool would give a tiny value of either sign.
        if (in.negative.size() == in.values.size()) {
          // The ReLU's own unsigned result type is also a quantized_relu: above its 2^I, QKeras blocks.
          const std::uint8_t* negative = in.negative.data();
          const float limit = static_cast<float>(relu_gradient_limit_);
          for (std::size_t i = 0; i < in.values.size(); ++i) {
            gx[i] = (negative[i] != 0 || (quantized_ && x[i] > limit)) ? 0.0f : g[i];
          }
        } else {
          for (std::size_t i = 0; i < in.values.size(); ++i) gx[i] = x[i] > 0.0f ? g[i] : 0.0f;
        }
        break;
      case spec::LayerKind::Sigmoid:
        for (std::size_t i = 0; i < in.values.size(); ++i) {
          const float s = 1.0f / (1.0f + std::exp(-x[i]));
          gx[i] = g[i] * s * (1.0f - s);
        }
        break;
      case spec::LayerKind::Softmax:
        for (std::size_t e = 0; e < in.events; ++e) {
          const float* ye = y + e * in.event_size;
          const float* ge = g + e * in.event_size;
          float dot = 0.0f;
          for (std::size_t i = 0; i < in.event_size; ++i) dot += ge[i] * ye[i];
          for (std::size_t i = 0; i < in.event_size; ++i) gx[e * in.event_size + i] = ye[i] * (ge[i] - dot);
        }
        break;
      default:
        break;
    }
  }
};

}  // namespace

std::unique_ptr<Layer> make_activation(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Activation>(resolved);
}

}  // namespace sparsepixels::layers
