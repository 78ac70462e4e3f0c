// SparseFlatten: slots -> zero-filled channel-last vector (reference section 3.5).
#include <algorithm>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

// Fixed point: each non-zero slot value cast to the result type at its cell; slots outside the grid
// (after a pool that truncates) are dropped.
class FixedSparseFlatten final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    const int C = info_.input.channels, height = info_.input.height, width = info_.input.width;
    const int slots = info_.input.slots;
    out.raw.assign(static_cast<std::size_t>(height) * width * C, 0);
    out.hash.clear();
    for (int slot = 0; slot < slots; ++slot) {
      const int row = in.hash[2 * slot], col = in.hash[2 * slot + 1];
      if (row < 1 || row > height || col < 1 || col > width) continue;
      for (int channel = 0; channel < C; ++channel) {
        const std::int64_t value = in.raw[C * slot + channel];
        if (value != 0) {
          out.raw[static_cast<std::size_t>(C) * ((row - 1) * width + (col - 1)) + channel] =
              fixed_arithmetic::cast_typed(info_.types.result, input_type_, value, profile);
        }
      }
    }
  }
};

// Fixed point: every value cast to the result type, in order.
class FixedFlatten final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    out.raw.resize(in.raw.size());
    out.hash.clear();
    for (std::size_t k = 0; k < in.raw.size(); ++k)
      out.raw[k] = fixed_arithmetic::cast_typed(info_.types.result, input_type_, in.raw[k], profile);
  }
};

class SparseFlatten final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedSparseFlatten>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const int slots = info_.input.slots, channels = info_.input.channels;
    const tensor::Geometry& geometry = *in.geometry;
    out.reset(in.events, info_.output.size());
    out.geometry.reset();
    std::fill(out.values.begin(), out.values.end(), 0.0f);
    out.nonzero_stride = in.event_size;
    out.index.assign(in.values.size(), -1);
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      float* y = out.event(e);
      std::int32_t* where = out.index.data() + e * in.event_size;
      for (int s = 0; s < slots; ++s) {
        const std::size_t at = e * static_cast<std::size_t>(slots) + s;
        const int row = geometry.row[at], col = geometry.col[at];
        if (!geometry.position[at] || row > geometry.height || col > geometry.width) continue;
        const int cell = ((row - 1) * geometry.width + (col - 1)) * channels;
        for (int c = 0; c < channels; ++c) {
          // Every real position is listed (Dense needs its gradient) though only non-zero values count.
          where[s * channels + c] = cell + c;
          const float value = x[s * channels + c];
          if (value != 0.0f) y[cell + c] = value;
        }
      }
    }
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    const int slots = info_.input.slots, channels = info_.input.channels;
    const tensor::Geometry& geometry = *in.geometry;
    grad_in->assign(in.values.size(), 0.0f);
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* g = grad_out.data() + e * out.event_size;
      float* gx = grad_in->data() + e * in.event_size;
      for (int s = 0; s < slots; ++s) {
        const std::size_t at = e * static_cast<std::size_t>(slots) + s;
        const int row = geometry.row[at], col = geometry.col[at];
        if (!geometry.position[at] || row > geometry.height || col > geometry.width) continue;
        const int cell = ((row - 1) * geometry.width + (col - 1)) * channels;
        for (int c = 0; c < channels; ++c) gx[s * channels + c] = g[cell + c];
      }
    }
  }
};

class Flatten final : public Layer {
 public:
  using Layer::Layer;
  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedFlatten>(info_, input_type, weights, bias);
  }
  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    out.reset(in.events, in.event_size);
    out.geometry.reset();
    out.nonzero_stride = 0;
    std::copy(in.values.begin(), in.values.end(), out.values.begin());
  }
  void backward(const tensor::Batch&, const tensor::Batch&, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (grad_in) *grad_in = grad_out;
  }
};

}  // namespace

std::unique_ptr<Layer> make_sparse_flatten(const spec::ResolvedLayer& resolved) {
  return std::make_unique<SparseFlatten>(resolved);
}

std::unique_ptr<Layer> make_flatten(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Flatten>(resolved);
}

}  // namespace sparsepixels::layers
