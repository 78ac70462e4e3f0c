// SparseAvgPool2D and SparseMaxPool2D (reference sections 3.4, 11.5 and 11.6).
#include <algorithm>
#include <cmath>
#include <limits>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

std::int64_t hls4ml_pool_reciprocal_raw(int side) {
  return (std::int64_t{1} << kHls4mlReciprocalBits) / side;  // 1/side truncated to 10 fraction bits
}

double hls4ml_pooling_scale(int pool_height, int pool_width) {
  double scale = 1.0;
  for (const int side : {pool_height, pool_width}) {
    if (side > 1)
      scale *= std::ldexp(static_cast<double>(hls4ml_pool_reciprocal_raw(side)), -kHls4mlReciprocalBits);
  }
  return scale;  // exact: at most 20 significant bits
}

double pooling_reciprocal(int area) {
  // The raw bits the fixed path uses (round half to even to ap_ufixed<18,0>), as a double (exact).
  return area == 1
             ? 1.0
             : std::ldexp(static_cast<double>(pool_reciprocal_raw(area)), -fixed_arithmetic::kReciprocalBits);
}

namespace {

// Fixed point: slots share a cell when their pooled coordinates agree; the first slot of a cell in
// the output grid carries the cell's average (exact sum times R, 11.5) or Keras max (11.6), the
// others output zero.
class FixedSparsePool final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  // hls4ml: the sum times 1/p_h and then times 1/p_w, each an ap_ufixed<10,0> truncated from 1/p
  // (skipped for a side of 1); both products exact, one cast.
  std::int64_t hls4ml_average(std::int64_t accumulated, LayerProfile* profile) const {
    fixed::Int128 product = accumulated;
    int fraction = info_.types.accum.fraction();
    for (const int side : {info_.spec.pool_height, info_.spec.pool_width}) {
      if (side == 1) continue;
      product *= hls4ml_pool_reciprocal_raw(side);
      fraction += kHls4mlReciprocalBits;
    }
    return fixed_arithmetic::cast_value(info_.types.result, product, fraction, profile);
  }

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const spec::LayerTypes& types = info_.types;
    const int C = info_.input.channels, slots = info_.input.slots;
    const int pool_height = info_.spec.pool_height, pool_width = info_.spec.pool_width;
    const int area = pool_height * pool_width;
    const int out_height = info_.output.height, out_width = info_.output.width;
    out.hash.resize(in.hash.size());
    for (int slot = 0; slot < slots; ++slot) {
      out.hash[2 * slot] = (in.hash[2 * slot] - 1) / pool_height + 1;
      out.hash[2 * slot + 1] = (in.hash[2 * slot + 1] - 1) / pool_width + 1;
    }
    auto same_cell = [&](int a, int b) {
      return out.hash[2 * a] == out.hash[2 * b] && out.hash[2 * a + 1] == out.hash[2 * b + 1];
    };
    std::vector<char> active(static_cast<std::size_t>(slots), 0);
    for (int slot = 0; slot < slots; ++slot) {
      for (int channel = 0; channel < C; ++channel) active[slot] |= in.raw[C * slot + channel] != 0;
    }
    out.raw.assign(static_cast<std::size_t>(slots) * C, 0);
    const bool average = info_.spec.kind == spec::LayerKind::SparseAvgPool2D;
    const bool hls4ml = info_.profile == spec::ArithmeticProfile::Hls4ml;
    const std::int64_t reciprocal = area > 1 ? pool_reciprocal_raw(area) : 1;
    for (int slot = 0; slot < slots; ++slot) {
      // A slot leads its cell when its cell is in the output grid and no earlier slot shares it.
      bool leads = out.hash[2 * slot] <= out_height && out.hash[2 * slot + 1] <= out_width;
      for (int earlier = 0; earlier < slot && leads; ++earlier) leads = !same_cell(earlier, slot);
      if (!leads) continue;
      int active_members = 0;
      for (int member = 0; member < slots; ++member)
        active_members += active[member] && same_cell(member, slot);
      for (int channel = 0; channel < C; ++channel) {
        std::int64_t& result = out.raw[C * slot + channel];
        if (average) {
          Int128 sum = 0;
          for (int member = 0; member < slots; ++member) {
            if (same_cell(member, slot)) sum += in.raw[C * member + channel];
          }
          const std::int64_t accumulated = types.accum.cast_raw(sum, input_type_.fraction());  // exact
          result = hls4ml ? hls4ml_average(accumulated, profile)
                          : average_of_sum(types.result, types.accum, accumulated, area, reciprocal, profile);
        } else if (hls4ml) {
          // hls4ml: a running maximum from 0 over the cell's slots (so never below 0).
          std::int64_t largest = 0;
          for (int member = 0; member < slots; ++member) {
            if (same_cell(member, slot)) largest = std::max(largest, in.raw[C * member + channel]);
          }
          result = cast_typed(types.result, input_type_, largest, profile);
        } else {
          // Keras max pooling on the zero-filled image: active members, plus 0 if the cell has a gap.
          bool any = false;
          std::int64_t largest = 0;
          for (int member = 0; member < slots; ++member) {
            const std::int64_t value = in.raw[C * member + channel];
            if (active[member] && same_cell(member, slot) && (!any || value > largest)) {
              largest = value;
              any = true;
            }
          }
          if (active_members < area && largest < 0) largest = 0;
          result = cast_typed(types.result, input_type_, largest, profile);
        }
      }
    }
  }
};

class SparsePool final : public Layer {
 public:
  explicit SparsePool(const spec::ResolvedLayer& resolved)
      : Layer(resolved), average_(resolved.spec.kind == spec::LayerKind::SparseAvgPool2D) {}

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedSparsePool>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const int slots = info_.input.slots, channels = info_.input.channels;
    const int pool_h = info_.spec.pool_height, pool_w = info_.spec.pool_width;
    const tensor::Geometry& from = *in.geometry;
    // The output's previous geometry is reused (no allocation per batch) unless it is the input's.
    if (!out.geometry || out.geometry == in.geometry) out.geometry = std::make_shared<tensor::Geometry>();
    const std::shared_ptr<tensor::Geometry> geometry = out.geometry;
    geometry->reset(in.events, slots, info_.output.height, info_.output.width);
    out.reset(in.events, in.event_size);
    out.geometry = geometry;
    std::fill(out.values.begin(), out.values.end(), 0.0f);
    // index: the slot receiving each slot's cell (-1 outside the valid grid); for max pooling then
    // also the winning slot per (owner slot, channel).
    const std::size_t owners_size = in.events * static_cast<std::size_t>(slots);
    out.index.assign(owners_size + (average_ ? 0 : in.values.size()), -1);
    const int area = pool_h * pool_w;
    const bool hls4ml = info_.profile == spec::ArithmeticProfile::Hls4ml;
    const double reciprocal = quantized_scale();
    const float scale = static_cast<float>(quantized_ ? reciprocal : 1.0 / area);
    if (double_sums_) out.negative.resize(out.values.size());

    for (std::size_t e = 0; e < in.events; ++e) {
      const std::size_t base = e * static_cast<std::size_t>(slots);
      std::int32_t* owner = out.index.data() + base;
      for (int s = 0; s < slots; ++s) {
        const int row = (from.row[base + s] - 1) / pool_h + 1, col = (from.col[base + s] - 1) / pool_w + 1;
        geometry->row[base + s] = static_cast<std::int16_t>(row);
        geometry->col[base + s] = static_cast<std::int16_t>(col);
        geometry->position[base + s] = 0;
        // The lowest-index slot of the cell, active or not, receives the cell (reference 3.4).
        int first = s;
        for (int t = 0; t < s; ++t) {
          if (geometry->row[base + t] == row && geometry->col[base + t] == col) {
            first = t;
            break;
          }
        }
        const bool valid = row <= geometry->height && col <= geometry->width;
        owner[s] = valid ? first : -1;
        if (valid && from.position[base + s]) geometry->position[base + first] = 1;
      }
      const float* x = in.event(e);
      float* y = out.event(e);
      if (average_ && double_sums_) {
        // QAT, sum x R wider than 24 bits: exact cell sums times R in double, quantized once.
        thread_local std::vector<double> sums;
        sums.assign(out.event_size, 0.0);
        for (int s = 0; s < slots; ++s) {
          if (owner[s] < 0) continue;
          for (int c = 0; c < channels; ++c) sums[owner[s] * channels + c] += x[s * channels + c];
        }
        if (reciprocal != 1.0) {
          for (double& sum : sums) sum *= reciprocal;
        }
        quantize_exact(sums.data(), out.event_size, out, e * out.event_size);
      } else if (average_) {
        for (int s = 0; s < slots; ++s) {
          if (owner[s] < 0) continue;
          for (int c = 0; c < channels; ++c) y[owner[s] * channels + c] += x[s * channels + c];
        }
        if (scale != 1.0f) {
          for (std::size_t i = 0; i < out.event_size; ++i) y[i] *= scale;
        }
      } else {
        std::int32_t* winner = out.index.data() + owners_size + e * out.event_size;
        // Candidates: the cell's active slots (any channel non-zero; docs/semantics.md section 5).
        auto active = [&](int s) {
          for (int c = 0; c < channels; ++c) {
            if (x[s * channels + c] != 0.0f) return true;
          }
          return false;
        };
        for (int o = 0; o < slots; ++o) {
          if (owner[o] != o) continue;
          int candidates = 0;
          for (int s = o; s < slots; ++s) candidates += (owner[s] == o && active(s)) ? 1 : 0;
          for (int c = 0; c < channels; ++c) {
            float best = -std::numeric_limits<float>::infinity();
            int best_slot = -1;
            for (int s = o; s < slots; ++s) {
              if (owner[s] != o || !active(s)) continue;
              if (x[s * channels + c] > best) {
                best = x[s * channels + c];
                best_slot = s;
              }
            }
            // A cell with fewer real pixels than its area also holds an implicit zero (11.6); hls4ml's
            // running maximum starts at 0, so a maximum <= 0 is that 0 and no slot wins.
            const bool floored = hls4ml ? best <= 0.0f : (candidates < area && best < 0.0f);
            if (best_slot < 0 || floored) {
              best = 0.0f;
              best_slot = -1;
            }
            y[o * channels + c] = best;
            winner[o * channels + c] = best_slot;
          }
        }
      }
    }
    if (!double_sums_) quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    const int slots = info_.input.slots, channels = info_.input.channels;
    const int area = info_.spec.pool_height * info_.spec.pool_width;
    grad_in->assign(in.values.size(), 0.0f);
    const float scale = area == 1 ? 1.0f : static_cast<float>(quantized_ ? quantized_scale() : 1.0 / area);
    const std::size_t owners_size = in.events * static_cast<std::size_t>(slots);
    for (std::size_t e = 0; e < in.events; ++e) {
      const std::int32_t* owner = out.index.data() + e * static_cast<std::size_t>(slots);
      const float* g = grad_out.data() + e * out.event_size;
      float* gx = grad_in->data() + e * in.event_size;
      if (average_) {
        for (int s = 0; s < slots; ++s) {
          if (owner[s] < 0) continue;
          for (int c = 0; c < channels; ++c) gx[s * channels + c] = g[owner[s] * channels + c] * scale;
        }
      } else {
        const std::int32_t* winner = out.index.data() + owners_size + e * out.event_size;
        for (std::size_t i = 0; i < out.event_size; ++i) {
          if (winner[i] < 0) continue;
          const std::size_t channel = i % static_cast<std::size_t>(channels);
          gx[static_cast<std::size_t>(winner[i]) * channels + channel] += g[i];
        }
      }
    }
  }

 private:
  // What QAT multiplies a cell sum by: R (reference 11.5), or hls4ml's two truncated reciprocals.
  double quantized_scale() const {
    const int pool_h = info_.spec.pool_height, pool_w = info_.spec.pool_width;
    return info_.profile == spec::ArithmeticProfile::Hls4ml ? hls4ml_pooling_scale(pool_h, pool_w)
                                                            : pooling_reciprocal(pool_h * pool_w);
  }

  bool average_;
};

}  // namespace

std::unique_ptr<Layer> make_sparse_pool(const spec::ResolvedLayer& resolved) {
  return std::make_unique<SparsePool>(resolved);
}

}  // namespace sparsepixels::layers
