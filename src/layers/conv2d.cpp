// Conv2D 'same', stride 1 (the standard baseline): direct convolution that scatters each non-zero
// input to the outputs it feeds (detector images are mostly zeros).
#include <algorithm>
#include <cstdint>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

// Row kernels of the dense Conv2D path: plain loops the compiler vectorizes, built for AVX2 and for the
// baseline x86-64 (GCC target_clones picks one at run time; no -march=native anywhere). Products and
// sums stay separate instructions (-ffp-contract=off), so every build computes the same values.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SPARSEPIXELS_ROW_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define SPARSEPIXELS_ROW_KERNEL
#endif

// out[i] += w * in[i] for i in [0, count).
template <typename Sum>
SPARSEPIXELS_ROW_KERNEL void multiply_add_row(Sum* out, const float* in, Sum w, int count) {
  for (int i = 0; i < count; ++i) out[i] += w * Sum(in[i]);
}

// out[i] += a[i] * b[i] for i in [0, count).
SPARSEPIXELS_ROW_KERNEL void multiply_rows(float* out, const float* a, const float* b, int count) {
  for (int i = 0; i < count; ++i) out[i] += a[i] * b[i];
}

class FixedConv2D final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const spec::LayerTypes& types = info_.types;
    const int C = info_.input.channels, height = info_.input.height, width = info_.input.width;
    const int filters = info_.spec.filters, kernel = info_.spec.kernel, radius = (kernel - 1) / 2;
    const int product_fraction = types.weight.fraction() + input_type_.fraction();
    const int sum_fraction = std::max(product_fraction, types.bias.fraction());
    out.raw.assign(static_cast<std::size_t>(height) * width * filters, 0);
    out.hash.clear();
    // Exact integer sums do not depend on the order of their terms, so each input value is read once and
    // feeds every filter, and a zero (most of a sparse image) is skipped once for all of them.
    std::vector<Int128> sums(static_cast<std::size_t>(filters));
    const std::int64_t* x = in.raw.data();
    for (int row = 0; row < height; ++row) {
      for (int col = 0; col < width; ++col) {
        std::fill(sums.begin(), sums.end(), Int128(0));
        for (int kr = 0; kr < kernel; ++kr) {
          const int in_row = row - radius + kr;
          if (in_row < 0 || in_row >= height) continue;  // outside the image counts as zero
          for (int kc = 0; kc < kernel; ++kc) {
            const int in_col = col - radius + kc;
            if (in_col < 0 || in_col >= width) continue;
            const std::int64_t* pixel = x + (static_cast<std::size_t>(in_row) * width + in_col) * C;
            const std::int64_t* taps =
                weights_.data() + (static_cast<std::size_t>(kr) * kernel + kc) * C * filters;
            for (int channel = 0; channel < C; ++channel) {
              const std::int64_t value = pixel[channel];
              if (value == 0) continue;
              const std::int64_t* weight = taps + static_cast<std::size_t>(channel) * filters;
              for (int filter = 0; filter < filters; ++filter) sums[filter] += Int128(weight[filter]) * value;
            }
          }
        }
        for (int filter = 0; filter < filters; ++filter) {
          // Standard convolution always adds the bias (Keras Conv2D).
          const Int128 sum = shift_left(sums[filter], sum_fraction - product_fraction) +
                             shift_left(biases_[filter], sum_fraction - types.bias.fraction());
          const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
          out.raw[(static_cast<std::size_t>(row) * width + col) * filters + filter] =
              cast_typed(types.result, types.accum, accumulated, profile);
        }
      }
    }
  }
};

class Conv2D final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedConv2D>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const std::size_t size =
        static_cast<std::size_t>(info_.input.height) * info_.input.width * info_.spec.filters;
    out.reset(in.events, size);
    out.geometry.reset();
    if (double_sums_) {
      // QAT with an accumulator wider than float32's 24 bits: exact sums in double, quantized once.
      out.negative.resize(out.values.size());
      thread_local std::vector<double> sums;
      sums.resize(size);
      for (std::size_t e = 0; e < in.events; ++e) {
        convolve(in.event(e), sums.data());
        quantize_exact(sums.data(), size, out, e * size);
      }
      return;
    }
    for (std::size_t e = 0; e < in.events; ++e) convolve(in.event(e), out.event(e));
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients& gradients) const override {
    const int height = info_.input.height, width = info_.input.width, channels = info_.input.channels;
    const int filters = info_.spec.filters;
    const std::size_t pixels = static_cast<std::size_t>(height) * width;
    if (grad_in) grad_in->assign(in.values.size(), 0.0f);
    std::vector<float>& planes = gradient_planes();
    planes.resize(pixels * filters);
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      const float* g = grad_out.data() + e * out.event_size;
      for (std::size_t p = 0; p < pixels; ++p) {
        for (int f = 0; f < filters; ++f) {
          gradients.bias[f] += g[p * filters + f];
          planes[static_cast<std::size_t>(f) * pixels + p] = g[p * filters + f];
        }
      }
      const std::size_t size = pixels * channels;
      const auto nonzero =
          static_cast<std::size_t>(std::count_if(x, x + size, [](float v) { return v != 0.0f; }));
      if (nonzero * 8 > size) {
        weight_gradient_rows(x, gradients.weights.data());
      } else {
        // Every non-zero input times the output gradients it fed (zeros add nothing).
        for (int r = 0; r < height; ++r) {
          for (int c = 0; c < width; ++c) {
            for (int ch = 0; ch < channels; ++ch) {
              const float value = x[(r * width + c) * channels + ch];
              if (value == 0.0f) continue;
              for_each_output(r, c, [&](int tap, int output) {
                float* gw =
                    gradients.weights.data() + (static_cast<std::size_t>(tap) * channels + ch) * filters;
                const float* go = g + static_cast<std::size_t>(output) * filters;
                for (int f = 0; f < filters; ++f) gw[f] += value * go[f];
              });
            }
          }
        }
      }
      if (grad_in) input_gradient_rows(grad_in->data() + e * in.event_size);
    }
  }

 private:
  // For each input channel, filter and tap (kr, kc): calls visit(w, row, output row, input row,
  // first column, end column) for every output row whose input row, shifted by the tap, is inside the
  // image; the output columns [first, end) read the input columns shifted by kc - radius.
  template <typename Visit>
  void for_each_tap_row(Visit&& visit) const {
    const int height = info_.input.height, width = info_.input.width, channels = info_.input.channels;
    const int filters = info_.spec.filters, kernel = info_.spec.kernel, radius = kernel / 2;
    for (int ch = 0; ch < channels; ++ch) {
      for (int f = 0; f < filters; ++f) {
        for (int kr = 0; kr < kernel; ++kr) {
          const int row_first = std::max(0, radius - kr), row_end = std::min(height, height + radius - kr);
          for (int kc = 0; kc < kernel; ++kc) {
            const std::size_t w =
                ((static_cast<std::size_t>(kr) * kernel + kc) * channels + ch) * filters + f;
            const int col_first = std::max(0, radius - kc), col_end = std::min(width, width + radius - kc);
            for (int row = row_first; row < row_end; ++row) {
              visit(ch, f, w, row, row + kr - radius, kc - radius, col_first, col_end);
            }
          }
        }
      }
    }
  }

  // dLoss/dWeights of a dense event: for each weight, the sum over outputs of dLoss/dOutput times the
  // input it read, accumulated a row at a time into a column buffer (a loop the compiler vectorizes).
  void weight_gradient_rows(const float* x, float* grad_weights) const {
    const int width = info_.input.width, channels = info_.input.channels;
    const std::size_t pixels = static_cast<std::size_t>(info_.input.height) * width;
    thread_local std::vector<float> input_planes, columns;
    input_planes.resize(pixels * channels);
    for (int ch = 0; ch < channels; ++ch) {
      for (std::size_t p = 0; p < pixels; ++p) input_planes[ch * pixels + p] = x[p * channels + ch];
    }
    columns.resize(static_cast<std::size_t>(width));
    std::size_t current = SIZE_MAX;
    auto flush = [&] {
      if (current == SIZE_MAX) return;
      float sum = 0.0f;
      for (float v : columns) sum += v;
      grad_weights[current] += sum;
    };
    for_each_tap_row([&](int ch, int f, std::size_t w, int row, int in_row, int shift, int first, int end) {
      if (w != current) {
        flush();
        current = w;
        std::fill(columns.begin(), columns.end(), 0.0f);
      }
      const float* go = gradient_plane(f) + static_cast<std::size_t>(row) * width;
      const float* in = input_planes.data() + ch * pixels + static_cast<std::size_t>(in_row) * width + shift;
      multiply_rows(columns.data() + first, go + first, in + first, end - first);
    });
    flush();
  }

  // dLoss/dInput: each output's gradient times the weight, added onto the input it read, a row at a time.
  void input_gradient_rows(float* grad_in) const {
    const int width = info_.input.width, channels = info_.input.channels;
    const std::size_t pixels = static_cast<std::size_t>(info_.input.height) * width;
    thread_local std::vector<float> planes;
    planes.assign(pixels * channels, 0.0f);
    for_each_tap_row([&](int ch, int f, std::size_t w, int row, int in_row, int shift, int first, int end) {
      const float weight = forward_weights_[w];
      const float* go = gradient_plane(f) + static_cast<std::size_t>(row) * width;
      float* into = planes.data() + ch * pixels + static_cast<std::size_t>(in_row) * width + shift;
      multiply_add_row(into + first, go + first, weight, end - first);
    });
    for (int ch = 0; ch < channels; ++ch) {
      for (std::size_t p = 0; p < pixels; ++p) grad_in[p * channels + ch] = planes[ch * pixels + p];
    }
  }

  // The event's dLoss/dOutput, one plane per filter (filled by backward, per thread).
  static std::vector<float>& gradient_planes() {
    thread_local std::vector<float> planes;
    return planes;
  }
  const float* gradient_plane(int f) const {
    return gradient_planes().data() + static_cast<std::size_t>(f) * info_.input.height * info_.input.width;
  }

 private:
  // Calls visit(tap, output pixel) for every output pixel that input pixel (r, c) feeds: output
  // (r + radius - kr, c + radius - kc) reads it through tap (kr, kc) ('same' padding, stride 1).
  template <typename Visit>
  void for_each_output(int r, int c, Visit&& visit) const {
    const int height = info_.input.height, width = info_.input.width;
    const int kernel = info_.spec.kernel, radius = kernel / 2;
    const int kr_first = std::max(0, r + radius - (height - 1)), kr_last = std::min(kernel - 1, r + radius);
    const int kc_first = std::max(0, c + radius - (width - 1)), kc_last = std::min(kernel - 1, c + radius);
    for (int kr = kr_first; kr <= kr_last; ++kr) {
      const int row = r + radius - kr;
      for (int kc = kc_first; kc <= kc_last; ++kc) visit(kr * kernel + kc, row * width + (c + radius - kc));
    }
  }

  // One event's outputs (sum of weights x inputs, then the bias) into y[pixels * filters], in float or
  // double. A sparse image scatters each non-zero input to the outputs it feeds (its zeros cost
  // nothing); a dense one (more than 1 in 8 values non-zero) takes the row path. In QAT every partial
  // sum is exact (the accumulator holds it), so neither the path nor the order changes the result.
  template <typename Sum>
  void convolve(const float* x, Sum* y) const {
    const std::size_t size =
        static_cast<std::size_t>(info_.input.height) * info_.input.width * info_.input.channels;
    const auto nonzero =
        static_cast<std::size_t>(std::count_if(x, x + size, [](float v) { return v != 0.0f; }));
    if (nonzero * 8 > size) {
      convolve_rows(x, y);
    } else {
      convolve_scatter(x, y);
    }
    const std::size_t pixels = static_cast<std::size_t>(info_.input.height) * info_.input.width;
    const int filters = info_.spec.filters;
    for (std::size_t p = 0; p < pixels; ++p) {
      for (int f = 0; f < filters; ++f) y[p * filters + f] += Sum(forward_bias_[f]);
    }
  }

  template <typename Sum>
  void convolve_scatter(const float* x, Sum* y) const {
    const int height = info_.input.height, width = info_.input.width, channels = info_.input.channels;
    const int filters = info_.spec.filters;
    const float* weights = forward_weights_.data();
    std::fill(y, y + static_cast<std::size_t>(height) * width * filters, Sum(0));
    for (int r = 0; r < height; ++r) {
      for (int c = 0; c < width; ++c) {
        for (int ch = 0; ch < channels; ++ch) {
          const Sum value = x[(r * width + c) * channels + ch];
          if (value == Sum(0)) continue;
          for_each_output(r, c, [&](int tap, int output) {
            const float* w = weights + (static_cast<std::size_t>(tap) * channels + ch) * filters;
            Sum* o = y + static_cast<std::size_t>(output) * filters;
            for (int f = 0; f < filters; ++f) o[f] += Sum(w[f]) * value;
          });
        }
      }
    }
  }

  // Dense images: per filter and tap, one multiply-add over a whole row of outputs at a time (loops the
  // compiler vectorizes), on planar copies of the input channels and the output filters.
  template <typename Sum>
  void convolve_rows(const float* x, Sum* y) const {
    const int height = info_.input.height, width = info_.input.width, channels = info_.input.channels;
    const int filters = info_.spec.filters, kernel = info_.spec.kernel, radius = kernel / 2;
    const std::size_t pixels = static_cast<std::size_t>(height) * width;
    thread_local std::vector<float> input;
    thread_local std::vector<Sum> output;
    input.resize(pixels);
    output.assign(pixels * filters, Sum(0));
    for (int ch = 0; ch < channels; ++ch) {
      for (std::size_t p = 0; p < pixels; ++p) input[p] = x[p * channels + ch];
      for (int f = 0; f < filters; ++f) {
        Sum* plane = output.data() + static_cast<std::size_t>(f) * pixels;
        for (int kr = 0; kr < kernel; ++kr) {
          const int row_first = std::max(0, radius - kr), row_end = std::min(height, height + radius - kr);
          for (int kc = 0; kc < kernel; ++kc) {
            const Sum w =
                forward_weights_[((static_cast<std::size_t>(kr) * kernel + kc) * channels + ch) * filters +
                                 f];
            if (w == Sum(0)) continue;
            const int col_first = std::max(0, radius - kc), col_end = std::min(width, width + radius - kc);
            for (int row = row_first; row < row_end; ++row) {
              const float* in =
                  input.data() + static_cast<std::size_t>(row + kr - radius) * width + (kc - radius);
              Sum* o = plane + static_cast<std::size_t>(row) * width;
              multiply_add_row(o + col_first, in + col_first, w, col_end - col_first);
            }
          }
        }
      }
    }
    for (std::size_t p = 0; p < pixels; ++p) {
      for (int f = 0; f < filters; ++f) y[p * filters + f] = output[static_cast<std::size_t>(f) * pixels + p];
    }
  }
};

class FixedPool2D final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const spec::LayerTypes& types = info_.types;
    const int C = info_.input.channels, width = info_.input.width;
    const int pool_height = info_.spec.pool_height, pool_width = info_.spec.pool_width;
    const int area = pool_height * pool_width;
    const int out_height = info_.output.height, out_width = info_.output.width;
    const bool average = info_.spec.kind == spec::LayerKind::AvgPool2D;
    const std::int64_t reciprocal = area > 1 ? pool_reciprocal_raw(area) : 1;
    out.raw.assign(static_cast<std::size_t>(out_height) * out_width * C, 0);
    out.hash.clear();
    for (int cell_row = 0; cell_row < out_height; ++cell_row) {
      for (int cell_col = 0; cell_col < out_width; ++cell_col) {
        for (int channel = 0; channel < C; ++channel) {
          Int128 sum = 0;
          std::int64_t largest = 0;
          for (int r = 0; r < pool_height; ++r) {
            for (int c = 0; c < pool_width; ++c) {
              const std::size_t pixel =
                  static_cast<std::size_t>(cell_row * pool_height + r) * width + (cell_col * pool_width + c);
              const std::int64_t value = in.raw[pixel * C + channel];
              sum += value;
              if ((r == 0 && c == 0) || value > largest) largest = value;
            }
          }
          std::int64_t& result =
              out.raw[(static_cast<std::size_t>(cell_row) * out_width + cell_col) * C + channel];
          if (!average) {
            result = cast_typed(types.result, input_type_, largest, profile);
          } else {
            const std::int64_t accumulated = types.accum.cast_raw(sum, input_type_.fraction());  // exact
            result = average_of_sum(types.result, types.accum, accumulated, area, reciprocal, profile);
          }
        }
      }
    }
  }
};

class Pool2D final : public Layer {
 public:
  explicit Pool2D(const spec::ResolvedLayer& resolved)
      : Layer(resolved), average_(resolved.spec.kind == spec::LayerKind::AvgPool2D) {}

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedPool2D>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const int width = info_.input.width, channels = info_.input.channels;
    const int out_h = info_.output.height, out_w = info_.output.width;
    const int pool_h = info_.spec.pool_height, pool_w = info_.spec.pool_width, area = pool_h * pool_w;
    const float scale =
        area == 1 ? 1.0f : static_cast<float>(quantized_ ? pooling_reciprocal(area) : 1.0 / area);
    out.reset(in.events, info_.output.size());
    out.geometry.reset();
    if (!average_) out.index.resize(out.values.size());
    if (double_sums_) out.negative.resize(out.values.size());
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* x = in.event(e);
      float* y = out.event(e);
      for (int r = 0; r < out_h; ++r) {
        for (int c = 0; c < out_w; ++c) {
          for (int ch = 0; ch < channels; ++ch) {
            float sum = 0.0f, best = 0.0f;
            int best_at = -1;
            for (int pr = 0; pr < pool_h; ++pr) {
              for (int pc = 0; pc < pool_w; ++pc) {
                const int at = ((r * pool_h + pr) * width + (c * pool_w + pc)) * channels + ch;
                sum += x[at];
                if (best_at < 0 || x[at] > best) {
                  best = x[at];
                  best_at = at;
                }
              }
            }
            const int o = (r * out_w + c) * channels + ch;
            if (double_sums_) {
              // QAT, sum x R wider than 24 bits: the exact cell sum times R, in double.
              double exact = 0.0;
              for (int pr = 0; pr < pool_h; ++pr) {
                for (int pc = 0; pc < pool_w; ++pc)
                  exact += x[((r * pool_h + pr) * width + (c * pool_w + pc)) * channels + ch];
              }
              if (area > 1) exact *= pooling_reciprocal(area);
              out.negative[e * out.event_size + o] = relu_blocks(exact) ? 1 : 0;
              y[o] = info_.spec.float_result ? static_cast<float>(exact) : result_quantizer_.quantize(exact);
              continue;
            }
            y[o] = average_ ? sum * scale : best;
            if (!average_) out.index[e * out.event_size + o] = best_at;
          }
        }
      }
    }
    if (!double_sums_) quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    const int width = info_.input.width, channels = info_.input.channels;
    const int out_h = info_.output.height, out_w = info_.output.width;
    const int pool_h = info_.spec.pool_height, pool_w = info_.spec.pool_width, area = pool_h * pool_w;
    const float scale =
        area == 1 ? 1.0f : static_cast<float>(quantized_ ? pooling_reciprocal(area) : 1.0 / area);
    grad_in->assign(in.values.size(), 0.0f);
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* g = grad_out.data() + e * out.event_size;
      float* gx = grad_in->data() + e * in.event_size;
      for (int r = 0; r < out_h; ++r) {
        for (int c = 0; c < out_w; ++c) {
          for (int ch = 0; ch < channels; ++ch) {
            const int o = (r * out_w + c) * channels + ch;
            if (!average_) {
              gx[out.index[e * out.event_size + o]] += g[o];
              continue;
            }
            for (int pr = 0; pr < pool_h; ++pr) {
              for (int pc = 0; pc < pool_w; ++pc) {
                gx[((r * pool_h + pr) * width + (c * pool_w + pc)) * channels + ch] = g[o] * scale;
              }
            }
          }
        }
      }
    }
  }

 private:
  bool average_;
};

}  // namespace

std::unique_ptr<Layer> make_conv2d(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Conv2D>(resolved);
}

std::unique_ptr<Layer> make_pool2d(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Pool2D>(resolved);
}

}  // namespace sparsepixels::layers
