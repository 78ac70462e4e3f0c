// SparseConv2D: submanifold convolution over a neighbour table (reference section 3.2).
#include <algorithm>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

bool slot_active(const float* features, int channels) {
  for (int c = 0; c < channels; ++c) {
    if (features[c] != 0.0f) return true;
  }
  return false;
}

class FixedSparseConv2D final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const spec::LayerTypes& types = info_.types;
    const int C = info_.input.channels;
    const int slots = info_.input.slots, filters = info_.spec.filters, kernel = info_.spec.kernel;
    const int radius = (kernel - 1) / 2;
    const int product_fraction = types.weight.fraction() + input_type_.fraction();
    const int sum_fraction = std::max(product_fraction, types.bias.fraction());
    out.raw.assign(static_cast<std::size_t>(slots) * filters, 0);
    out.hash = in.hash;
    for (int out_slot = 0; out_slot < slots; ++out_slot) {
      bool active = false;
      for (int channel = 0; channel < C; ++channel) active |= in.raw[C * out_slot + channel] != 0;
      if (!active) continue;  // an inactive slot outputs zero
      const int out_row = in.hash[2 * out_slot], out_col = in.hash[2 * out_slot + 1];
      for (int filter = 0; filter < filters; ++filter) {
        Int128 sum = 0;
        for (int in_slot = 0; in_slot < slots; ++in_slot) {
          const int row_offset = in.hash[2 * in_slot] - out_row,
                    col_offset = in.hash[2 * in_slot + 1] - out_col;
          if (std::abs(row_offset) > radius || std::abs(col_offset) > radius) continue;
          const int tap = (radius + row_offset) * kernel + (radius + col_offset);
          for (int channel = 0; channel < C; ++channel) {
            sum += Int128(weights_[(static_cast<std::size_t>(tap) * C + channel) * filters + filter]) *
                   in.raw[C * in_slot + channel];
          }
        }
        sum = shift_left(sum, sum_fraction - product_fraction);
        // The bias rule: only a non-zero sum receives the bias.
        if (sum != 0) sum += shift_left(biases_[filter], sum_fraction - types.bias.fraction());
        const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
        out.raw[static_cast<std::size_t>(filters) * out_slot + filter] =
            cast_typed(types.result, types.accum, accumulated, profile);
      }
    }
  }
};

class SparseConv2D final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    std::vector<float> w, b;
    effective_parameters(nullptr, false, w, b);  // folded with the moving statistics, if folded
    return std::make_unique<FixedSparseConv2D>(info_, input_type, w, b);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    out.reset(in.events, static_cast<std::size_t>(info_.input.slots) * info_.spec.filters);
    out.geometry = in.geometry;
    out.mask.assign(out.values.size(), 0);
    if (!(batchnorm_ && training_)) {
      convolve(in, out, forward_weights_.data(), forward_bias_.data(), out.mask.data(), quantized_);
      return;
    }
    // A folded batch normalization in training (QConv2DBatchnorm with batch statistics): first the
    // unfolded convolution with the float weights, whose batch statistics the fold takes and which
    // backward differentiates (out.unfolded, out.mask); then the folded (in QAT quantized) weights.
    convolve(in, out, weights.data(), bias.data(), out.mask.data(), false);
    out.unfolded.swap(out.values);
    out.values.resize(out.unfolded.size());
    thread_local std::vector<float> folded_weights, folded_bias;
    thread_local std::vector<std::uint8_t> folded_mask;
    effective_parameters(&out.unfolded, true, folded_weights, folded_bias);
    folded_mask.assign(out.values.size(), 0);
    convolve(in, out, folded_weights.data(), folded_bias.data(), folded_mask.data(), quantized_);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients& gradients) const override {
    const int slots = info_.input.slots, channels = info_.input.channels, filters = info_.spec.filters;
    const tensor::NeighbourTable& table = in.geometry->neighbours(info_.spec.kernel);
    if (grad_in) grad_in->assign(in.values.size(), 0.0f);
    // With a folded batch normalization, backward differentiates the unfolded convolution (its output
    // gradient comes from the batch normalization's backward): the float weights.
    const float* weights = batchnorm_ ? this->weights.data() : forward_weights_.data();
    std::vector<float>& grad_sum = grad_sum_scratch();
    std::vector<std::uint8_t>& live = live_scratch();  // per output slot: some dLoss/dSum is non-zero
    grad_sum.resize(static_cast<std::size_t>(slots) * filters);
    live.resize(static_cast<std::size_t>(slots));
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      const float* g = grad_out.data() + e * out.event_size;
      const std::uint8_t* bias_added = out.mask.data() + e * out.event_size;
      // dLoss/dSum: the output equals the sum (plus bias) where the input slot is active.
      for (int o = 0; o < slots; ++o) {
        const bool active = counts(in, e, o, x + o * channels);
        bool any = false;
        for (int f = 0; f < filters; ++f) {
          const int at = o * filters + f;
          grad_sum[at] = active ? g[at] : 0.0f;
          any = any || grad_sum[at] != 0.0f;
          if (bias_added[at]) gradients.bias[f] += g[at];
        }
        live[o] = any ? 1 : 0;
      }
      float* gx = grad_in ? grad_in->data() + e * in.event_size : nullptr;
      const tensor::NeighbourTable::Pair* begin = table.pairs.data() + table.event_begin[e];
      const tensor::NeighbourTable::Pair* end = table.pairs.data() + table.event_begin[e + 1];
      if (channels == 1 && filters <= 4) {
        // One input channel and a few filters: loops unrolled at compile time, same order of sums.
        switch (filters) {
          case 1:
            backward_one_channel<1>(begin, end, x, weights, gradients.weights.data(), gx);
            break;
          case 2:
            backward_one_channel<2>(begin, end, x, weights, gradients.weights.data(), gx);
            break;
          case 3:
            backward_one_channel<3>(begin, end, x, weights, gradients.weights.data(), gx);
            break;
          default:
            backward_one_channel<4>(begin, end, x, weights, gradients.weights.data(), gx);
            break;
        }
        continue;
      }
      for (std::uint32_t p = table.event_begin[e]; p < table.event_begin[e + 1]; ++p) {
        const tensor::NeighbourTable::Pair pair = table.pairs[p];
        // A zero dLoss/dSum adds exactly nothing (inactive or ReLU-blocked outputs): skip the pair.
        if (!live[pair.output_slot]) continue;
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

 private:
  // Whether output slot o of event e is computed: its features are non-zero (the activity rule), or,
  // in a float-input import and in training under `slot_rule: keras`, the input reduction kept its
  // position (Keras's mask, docs/import.md and docs/training.md).
  bool counts(const tensor::Batch& in, std::size_t e, int o, const float* features) const {
    if (info_.spec.keras_mask || input_mask_)
      return in.geometry->position[e * static_cast<std::size_t>(info_.input.slots) + o] != 0;
    return slot_active(features, info_.input.channels);
  }

  // Every event's outputs into out.values with `weights` and `bias` (`bias_added`: where the bias rule
  // added the bias); in QAT and when `quantize`, rounded to the result type (exact sums in double
  // where the accumulator exceeds float32's 24 bits).
  void convolve(const tensor::Batch& in, tensor::Batch& out, const float* weights, const float* bias,
                std::uint8_t* bias_added, bool quantize) const {
    if (quantize && double_sums_) {
      out.negative.resize(out.values.size());
      thread_local std::vector<double> sums;
      sums.resize(out.event_size);
      for (std::size_t e = 0; e < in.events; ++e) {
        convolve_event(in, e, weights, bias, sums.data(), bias_added + e * out.event_size);
        quantize_exact(sums.data(), out.event_size, out, e * out.event_size);
      }
      return;
    }
    for (std::size_t e = 0; e < in.events; ++e) {
      convolve_event(in, e, weights, bias, out.event(e), bias_added + e * out.event_size);
    }
    if (quantize) quantize_result(out);
  }

  // One event's sums (bias and activity rules applied) into acc[slots * filters], in float or double.
  template <typename Sum>
  void convolve_event(const tensor::Batch& in, std::size_t e, const float* weights, const float* bias,
                      Sum* acc, std::uint8_t* bias_added) const {
    const int slots = info_.input.slots, channels = info_.input.channels, filters = info_.spec.filters;
    const tensor::NeighbourTable& table = in.geometry->neighbours(info_.spec.kernel);
    const float* x = in.event(e);
    std::fill(acc, acc + static_cast<std::size_t>(slots) * filters, Sum(0));
    const tensor::NeighbourTable::Pair* begin = table.pairs.data() + table.event_begin[e];
    const tensor::NeighbourTable::Pair* end = table.pairs.data() + table.event_begin[e + 1];
    if (channels == 1 && filters <= 4) {
      // One input channel and a few filters (the paper's layers): loops unrolled at compile time.
      switch (filters) {
        case 1:
          accumulate_one_channel<1>(begin, end, x, weights, acc);
          break;
        case 2:
          accumulate_one_channel<2>(begin, end, x, weights, acc);
          break;
        case 3:
          accumulate_one_channel<3>(begin, end, x, weights, acc);
          break;
        default:
          accumulate_one_channel<4>(begin, end, x, weights, acc);
          break;
      }
    } else {
      for (const tensor::NeighbourTable::Pair* pair = begin; pair != end; ++pair) {
        const float* xi = x + pair->input_slot * channels;
        const float* w = weights + static_cast<std::size_t>(pair->tap) * channels * filters;
        Sum* a = acc + pair->output_slot * filters;
        for (int c = 0; c < channels; ++c) {
          const Sum value = xi[c];
          if (value == Sum(0)) continue;
          for (int f = 0; f < filters; ++f) a[f] += Sum(w[c * filters + f]) * value;
        }
      }
    }
    for (int o = 0; o < slots; ++o) {
      Sum* a = acc + o * filters;
      // Activity rule: an inactive input slot gives a zero output (so ReLU-killed slots stay dead).
      if (!counts(in, e, o, x + o * channels)) {
        std::fill(a, a + filters, Sum(0));
        continue;
      }
      for (int f = 0; f < filters; ++f) {
        // Bias rule: only where the sum is non-zero.
        if (a[f] != Sum(0)) {
          a[f] += Sum(bias[f]);
          bias_added[o * filters + f] = 1;
        }
      }
    }
  }

  // dLoss/dWeights and dLoss/dInput over the pairs for one input channel and kFilters filters;
  // reads the event's dLoss/dSum and live flags from the thread's scratch (backward).
  template <int kFilters>
  static void backward_one_channel(const tensor::NeighbourTable::Pair* begin,
                                   const tensor::NeighbourTable::Pair* end, const float* x,
                                   const float* weights, float* grad_weights, float* gx) {
    for (const tensor::NeighbourTable::Pair* pair = begin; pair != end; ++pair) {
      if (!live_scratch()[pair->output_slot]) continue;  // a zero dLoss/dSum adds exactly nothing
      const float value = x[pair->input_slot];
      const float* gs = grad_sum_scratch().data() + pair->output_slot * kFilters;
      const std::size_t w_at = static_cast<std::size_t>(pair->tap) * kFilters;
      float* gw = grad_weights + w_at;
      const float* w = weights + w_at;
      float into_input = 0.0f;
      for (int f = 0; f < kFilters; ++f) {
        gw[f] += value * gs[f];
        into_input += w[f] * gs[f];
      }
      if (gx) gx[pair->input_slot] += into_input;
    }
  }

  static std::vector<float>& grad_sum_scratch() {
    thread_local std::vector<float> values;
    return values;
  }
  static std::vector<std::uint8_t>& live_scratch() {
    thread_local std::vector<std::uint8_t> values;
    return values;
  }

  // Adds w * x over the pairs for one input channel and kFilters filters. A zero input adds +-0,
  // which leaves every sum (starting at +0) bit for bit unchanged, so zeros are not skipped.
  template <int kFilters, typename Sum>
  static void accumulate_one_channel(const tensor::NeighbourTable::Pair* begin,
                                     const tensor::NeighbourTable::Pair* end, const float* x,
                                     const float* weights, Sum* acc) {
    for (const tensor::NeighbourTable::Pair* pair = begin; pair != end; ++pair) {
      const Sum value = x[pair->input_slot];
      const float* w = weights + static_cast<std::size_t>(pair->tap) * kFilters;
      Sum* a = acc + pair->output_slot * kFilters;
      for (int f = 0; f < kFilters; ++f) a[f] += Sum(w[f]) * value;
    }
  }
};

}  // namespace

std::unique_ptr<Layer> make_sparse_conv2d(const spec::ResolvedLayer& resolved) {
  return std::make_unique<SparseConv2D>(resolved);
}

}  // namespace sparsepixels::layers
