// InputReduce: dense image -> N slots (reference section 3.1; contract 11.2 for the quantized modes).
#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/finite.h"

namespace sparsepixels::layers {

namespace {

/// True when one of 16 floats at `values` is > threshold (NaN never is, as in the scalar test).
/// A running maximum that starts at the threshold compiles to packed max instructions.
inline bool any_above(const float* values, float threshold) {
  float lanes[4] = {threshold, threshold, threshold, threshold};
  for (std::size_t k = 0; k < 16; k += 4) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      const float value = values[k + lane];
      lanes[lane] = value > lanes[lane] ? value : lanes[lane];
    }
  }
  const float highest = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  return highest > threshold;
}

/// Hints that `count` floats at `values` will be read soon (no effect where unsupported).
inline void prefetch([[maybe_unused]] const float* values, [[maybe_unused]] std::size_t count) {
#if defined(__GNUC__)
  for (std::size_t k = 0; k < count; k += 16) __builtin_prefetch(values + k);  // one 64-byte line
#endif
}

// Fixed point: the same selection on the quantized pixels and threshold (reference 11.2).
class FixedInputReduce final : public FixedLayer {
 public:
  FixedInputReduce(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
                   const std::vector<float>& weights, const std::vector<float>& bias)
      : FixedLayer(info, input_type, weights, bias), threshold_raw_(threshold_raw(info, input_type)) {}

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    const int C = info_.input.channels;
    const int width = info_.input.width, pixels = info_.input.height * info_.input.width;
    const int slots = info_.spec.n_active;
    auto channel0 = [&](int pixel) { return in.raw[static_cast<std::size_t>(C) * pixel]; };
    std::vector<int> chosen;
    if (info_.spec.selection == spec::Selection::Raster) {
      // The first N active pixels in raster order.
      for (int pixel = 0; pixel < pixels && static_cast<int>(chosen.size()) < slots; ++pixel) {
        if (channel0(pixel) > threshold_raw_) chosen.push_back(pixel);
      }
    } else {
      for (int pixel = 0; pixel < pixels; ++pixel) {
        if (channel0(pixel) > threshold_raw_) chosen.push_back(pixel);
      }
      // Larger channel-0 value first; equal values by increasing raster index (a total order).
      auto before = [&](int a, int b) {
        return channel0(a) != channel0(b) ? channel0(a) > channel0(b) : a < b;
      };
      const std::size_t kept = std::min(chosen.size(), static_cast<std::size_t>(slots));
      std::partial_sort(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(kept), chosen.end(),
                        before);
      chosen.resize(kept);
    }
    out.raw.assign(static_cast<std::size_t>(slots) * C, 0);
    out.hash.assign(2 * static_cast<std::size_t>(slots), 1);  // empty slots: zeros at (1, 1)
    for (std::size_t slot = 0; slot < chosen.size(); ++slot) {
      const int pixel = chosen[slot];
      for (int channel = 0; channel < C; ++channel) {
        out.raw[C * slot + channel] = fixed_arithmetic::cast_typed(
            info_.types.result, input_type_, in.raw[static_cast<std::size_t>(C) * pixel + channel], profile);
      }
      out.hash[2 * slot] = pixel / width + 1;
      out.hash[2 * slot + 1] = pixel % width + 1;
    }
    if (info_.profile == spec::ArithmeticProfile::Hls4ml) {
      // hls4ml: an empty slot takes channels 1..C-1 of pixel 0 (a phantom pixel at (1, 1) for C > 1).
      for (std::size_t slot = chosen.size(); slot < static_cast<std::size_t>(slots); ++slot) {
        for (int channel = 1; channel < C; ++channel) {
          out.raw[C * slot + channel] =
              fixed_arithmetic::cast_typed(info_.types.result, input_type_, in.raw[channel], profile);
        }
      }
    }
  }

 private:
  std::int64_t threshold_raw_;  // the threshold in the input type
};

class InputReduce final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedInputReduce>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    reduce(in.values.data(), in.events, in.geometry.get(), out);
  }

  /// The forward pass on `events` dense images at `images` (event-major, channel-last), read in
  /// place; `input_geometry` is the input batch's geometry (null for a caller's dense array).
  /// With `check_finite`, each image is first checked for inf and NaN (while it is read anyway, so
  /// the selection finds it in cache): the first event holding one stops the pass and is returned
  /// (its slots and the later events' are not filled); otherwise returns `events`.
  std::size_t reduce(const float* images, std::size_t events, const tensor::Geometry* input_geometry,
                     tensor::Batch& out, bool check_finite = false) const {
    const std::size_t pixels = static_cast<std::size_t>(info_.input.height) * info_.input.width;
    const DenseSource source{images, pixels, info_.input.channels};
    return select(source, events, input_geometry, out, check_finite);
  }

  /// The forward pass on hit lists: the slots the dense images they describe would give.
  void reduce(const tensor::HitEvents& hits, tensor::Batch& out) const {
    const HitSource source{hits, info_.input.width, info_.input.channels};
    select(source, hits.events, nullptr, out);
  }

 private:
  // The candidates of one event, pixel by pixel: every pixel of a dense image.
  struct DenseSource {
    const float* images;
    std::size_t pixels;
    int channels;
    const float* image(std::size_t e) const {
      return images + e * pixels * static_cast<std::size_t>(channels);
    }
    std::size_t count(std::size_t) const { return pixels; }
    std::size_t pixel(std::size_t, std::size_t i) const { return i; }
    float value(std::size_t e, std::size_t i, int c) const { return image(e)[i * channels + c]; }
    float pixel_zero(std::size_t e, int c) const { return image(e)[c]; }
  };
  // The candidates of one event from its hits only (every other pixel is zero, so never above the
  // threshold of at least 0), in raster order as the dense scan meets them.
  struct HitSource {
    const tensor::HitEvents& hits;
    int width, channels;
    const float* image(std::size_t) const { return nullptr; }
    std::size_t count(std::size_t e) const {
      return static_cast<std::size_t>(hits.offsets[e + 1] - hits.offsets[e]);
    }
    std::size_t at(std::size_t e, std::size_t i) const {
      return static_cast<std::size_t>(hits.offsets[e]) + i;
    }
    std::size_t pixel(std::size_t e, std::size_t i) const {
      const std::size_t k = at(e, i);
      return static_cast<std::size_t>(hits.coords[2 * k]) * width + hits.coords[2 * k + 1];
    }
    float value(std::size_t e, std::size_t i, int c) const { return hits.values[at(e, i) * channels + c]; }
    float pixel_zero(std::size_t e, int c) const {
      return count(e) > 0 && pixel(e, 0) == 0 ? value(e, 0, c) : 0.0f;
    }
  };

  // Fills `out` with the selected slots of every event of `source` (raster first-N or top-k).
  template <class Source>
  std::size_t select(const Source& source, std::size_t events, const tensor::Geometry* input_geometry,
                     tensor::Batch& out, bool check_finite = false) const {
    const spec::Shape& shape = info_.input;
    const int slots = info_.spec.n_active;
    const int channels = shape.channels;
    // The output's previous geometry is reused (no allocation per batch) unless it is the input's.
    if (!out.geometry || out.geometry.get() == input_geometry)
      out.geometry = std::make_shared<tensor::Geometry>();
    const std::shared_ptr<tensor::Geometry> geometry = out.geometry;
    geometry->reset(events, slots, shape.height, shape.width);
    out.reset(events, static_cast<std::size_t>(slots) * channels);
    out.geometry = geometry;
    std::fill(out.values.begin(), out.values.end(), 0.0f);

    // Quantized modes compare the quantized pixel with the threshold quantized the same way (11.2).
    // A float input (--float-input imports) is read as float in QAT too.
    const bool quantize = quantized_ && !info_.spec.float_result;
    const Quantizer input_quantizer(info_.types.result, true);
    const float threshold = quantize ? input_quantizer(static_cast<float>(info_.spec.threshold))
                                     : static_cast<float>(info_.spec.threshold);
    auto converted = [&](float value) { return quantize ? input_quantizer(value) : value; };
    std::vector<std::pair<float, std::uint32_t>> candidates;
    for (std::size_t e = 0; e < events; ++e) {
      float* features = out.event(e);
      const std::size_t base = e * static_cast<std::size_t>(slots);
      const std::size_t count = source.count(e);
      const float* image = source.image(e);
      if (check_finite && image != nullptr &&
          util::first_non_finite(image, count * static_cast<std::size_t>(channels)) <
              count * static_cast<std::size_t>(channels))
        return e;
      int filled = 0;
      auto keep = [&](std::size_t i) {
        const std::size_t pixel = source.pixel(e, i);
        for (int c = 0; c < channels; ++c) features[filled * channels + c] = converted(source.value(e, i, c));
        geometry->row[base + filled] = static_cast<std::int16_t>(pixel / shape.width + 1);
        geometry->col[base + filled] = static_cast<std::int16_t>(pixel % shape.width + 1);
        geometry->position[base + filled] = 1;
        ++filled;
      };
      if (info_.spec.selection == spec::Selection::Raster && !quantize && channels == 1 && image != nullptr) {
        // Float, one channel, dense: test blocks of pixels without branches first (about 1% are active).
        constexpr std::size_t kBlock = 16;
        std::size_t pixel = 0;
        // The scan stops early, so the hardware prefetcher does not see the next image coming: ask
        // for its first 4 KiB now (about 17% faster from memory on the bench's events).
        if (e + 1 < events) prefetch(source.image(e + 1), std::min<std::size_t>(count, 1024));
        for (; pixel + kBlock <= count && filled < slots; pixel += kBlock) {
          if (!any_above(image + pixel, threshold)) continue;
          for (std::size_t k = 0; k < kBlock && filled < slots; ++k) {
            if (image[pixel + k] > threshold) keep(pixel + k);
          }
        }
        for (; pixel < count && filled < slots; ++pixel) {
          if (image[pixel] > threshold) keep(pixel);
        }
      } else if (info_.spec.selection == spec::Selection::Raster) {
        for (std::size_t i = 0; i < count && filled < slots; ++i) {
          if (converted(source.value(e, i, 0)) > threshold) keep(i);
        }
      } else {
        // Top-k: the N largest channel-0 values, ties to the lower raster index, slots in that order.
        candidates.clear();
        for (std::size_t i = 0; i < count; ++i) {
          const float value = converted(source.value(e, i, 0));
          if (value > threshold) candidates.emplace_back(value, static_cast<std::uint32_t>(i));
        }
        const std::size_t kept = std::min<std::size_t>(candidates.size(), static_cast<std::size_t>(slots));
        // Candidates come in raster order from both sources, so the index breaks ties as the pixel would.
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(kept),
                          candidates.end(), [](const auto& a, const auto& b) {
                            return a.first != b.first ? a.first > b.first : a.second < b.second;
                          });
        for (std::size_t k = 0; k < kept; ++k) keep(candidates[k].second);
      }
      // hls4ml: empty slots take channels 1..C-1 of pixel 0, phantom pixels at (1, 1) that the
      // neighbour tables must see (with C = 1 they stay all zero).
      const bool phantoms = info_.profile == spec::ArithmeticProfile::Hls4ml && channels > 1;
      for (int s = filled; s < slots; ++s) {
        geometry->row[base + s] = 1;
        geometry->col[base + s] = 1;
        geometry->position[base + s] = phantoms ? 1 : 0;
        if (phantoms) {
          for (int c = 1; c < channels; ++c) features[s * channels + c] = converted(source.pixel_zero(e, c));
        }
      }
    }
    return events;
  }

 public:
  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    grad_in->assign(in.values.size(), 0.0f);
    const int slots = info_.spec.n_active;
    const int channels = info_.input.channels;
    const tensor::Geometry& geometry = *out.geometry;
    for (std::size_t e = 0; e < in.events; ++e) {
      for (int s = 0; s < slots; ++s) {
        const std::size_t at = e * static_cast<std::size_t>(slots) + s;
        if (!geometry.position[at]) continue;
        const std::size_t pixel =
            static_cast<std::size_t>(geometry.row[at] - 1) * geometry.width + (geometry.col[at] - 1);
        for (int c = 0; c < channels; ++c) {
          (*grad_in)[e * in.event_size + pixel * channels + c] = grad_out[at * channels + c];
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Layer> make_input_reduce(const spec::ResolvedLayer& resolved) {
  return std::make_unique<InputReduce>(resolved);
}

void reduce_hit_input(const Layer& layer, const tensor::HitEvents& hits, tensor::Batch& out) {
  const auto* reduce = dynamic_cast<const InputReduce*>(&layer);
  if (!reduce) {
    throw Error(
        fmt::format("layer '{}': reduce_hit_input needs an InputReduce layer", layer.info().spec.name));
  }
  reduce->reduce(hits, out);
}

std::size_t reduce_dense_input(const Layer& layer, const float* images, std::size_t events,
                               tensor::Batch& out, bool check_finite) {
  const auto* reduce = dynamic_cast<const InputReduce*>(&layer);
  if (!reduce) {
    throw Error(
        fmt::format("layer '{}': reduce_dense_input needs an InputReduce layer", layer.info().spec.name));
  }
  return reduce->reduce(images, events, nullptr, out, check_finite);
}

}  // namespace sparsepixels::layers
