// SparseConv2D: submanifold convolution over a neighbour table (reference section 3.2).
#include <algorithm>

#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

bool slot_active(const float* features, int channels) {
  for (int c = 0; c < channels; ++c) {
    if (features[c] != 0.0f) return true;
  }
  return false;
}

class SparseConv2D final : public Layer {
 public:
  using Layer::Layer;

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const int slots = info_.input.slots, channels = info_.input.channels, filters = info_.spec.filters;
    const tensor::NeighbourTable& table = in.geometry->neighbours(info_.spec.kernel);
    out.reset(in.events, static_cast<std::size_t>(slots) * filters);
    out.geometry = in.geometry;
    out.mask.assign(out.values.size(), 0);
    std::fill(out.values.begin(), out.values.end(), 0.0f);
    const float* weights = forward_weights_.data();
    const float* bias = forward_bias_.data();
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      float* acc = out.event(e);
      for (std::uint32_t p = table.event_begin[e]; p < table.event_begin[e + 1]; ++p) {
        const tensor::NeighbourTable::Pair pair = table.pairs[p];
        const float* xi = x + pair.input_slot * channels;
        const float* w = weights + static_cast<std::size_t>(pair.tap) * channels * filters;
        float* a = acc + pair.output_slot * filters;
        for (int c = 0; c < channels; ++c) {
          const float value = xi[c];
          if (value == 0.0f) continue;
          for (int f = 0; f < filters; ++f) a[f] += w[c * filters + f] * value;
        }
      }
      std::uint8_t* bias_added = out.mask.data() + e * out.event_size;
      for (int o = 0; o < slots; ++o) {
        float* a = acc + o * filters;
        // Activity rule: an inactive input slot gives a zero output (so ReLU-killed slots stay dead).
        if (!slot_active(x + o * channels, channels)) {
          std::fill(a, a + filters, 0.0f);
          continue;
        }
        for (int f = 0; f < filters; ++f) {
          // Bias rule: only where the sum is non-zero.
          if (a[f] != 0.0f) {
            a[f] += bias[f];
            bias_added[o * filters + f] = 1;
          }
        }
      }
    }
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients& gradients) const override {
    const int slots = info_.input.slots, channels = info_.input.channels, filters = info_.spec.filters;
    const tensor::NeighbourTable& table = in.geometry->neighbours(info_.spec.kernel);
    if (grad_in) grad_in->assign(in.values.size(), 0.0f);
    const float* weights = forward_weights_.data();
    std::vector<float> grad_sum(static_cast<std::size_t>(slots) * filters);
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      const float* g = grad_out.data() + e * out.event_size;
      const std::uint8_t* bias_added = out.mask.data() + e * out.event_size;
      // dLoss/dSum: the output equals the sum (plus bias) where the input slot is active.
      for (int o = 0; o < slots; ++o) {
        const bool active = slot_active(x + o * channels, channels);
        for (int f = 0; f < filters; ++f) {
          const int at = o * filters + f;
          grad_sum[at] = active ? g[at] : 0.0f;
          if (bias_added[at]) gradients.bias[f] += g[at];
        }
      }
      float* gx = grad_in ? grad_in->data() + e * in.event_size : nullptr;
      for (std::uint32_t p = table.event_begin[e]; p < table.event_begin[e + 1]; ++p) {
        const tensor::NeighbourTable::Pair pair = table.pairs[p];
        const float* xi = x + pair.input_slot * channels;
        const float* gs = grad_sum.data() + pair.output_slot * filters;
        const std::size_t w_at = static_cast<std::size_t>(pair.tap) * channels * filters;
        float* gw = gradients.weights.data() + w_at;
        const float* w = weights + w_at;
        for (int c = 0; c < channels; ++c) {
          float into_input = 0.0f;
          for (int f = 0; f < filters; ++f) {
            gw[c * filters + f] += xi[c] * gs[f];
            into_input += w[c * filters + f] * gs[f];
          }
          if (gx) gx[pair.input_slot * channels + c] += into_input;
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Layer> make_sparse_conv2d(const model::ResolvedLayer& resolved) {
  return std::make_unique<SparseConv2D>(resolved);
}

}  // namespace sparsepixels::layers
