// Host fixed-point inference: integers only on the data path (reference 11.4, docs/semantics.md).
#include "sparsepixels/model/fixed_inference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"

namespace sparsepixels::model {

namespace {

__extension__ typedef __int128 Wide;  // exact accumulators (GCC and Clang)

// value * 2^shift for shift >= 0, without shifting a negative number.
Wide scale_up(Wide value, int shift) {
  return value * (static_cast<Wide>(1) << shift);
}

// One tensor of one event: raw mantissas of `type`; sparse tensors carry 1-based coordinates.
struct Tensor {
  std::vector<std::int64_t> raw;
  fixed::FixedType type;
  std::vector<int> row, col;
  int height = 0, width = 0, channels = 0;
};

// Weight and bias mantissas of a layer: QKeras-quantized float parameters in the declared types.
struct Parameters {
  std::vector<std::int64_t> weights, bias;
};

Parameters quantized_parameters(const ResolvedLayer& info, const layers::Layer& layer) {
  Parameters p;
  const layers::Quantizer weight(info.types.weight, false), bias(info.types.bias, false);
  for (float w : layer.weights) p.weights.push_back(info.types.weight.quantize_raw(weight(w)));
  for (float b : layer.bias) p.bias.push_back(info.types.bias.quantize_raw(bias(b)));
  return p;
}

bool slot_active(const Tensor& t, int slot) {
  for (int c = 0; c < t.channels; ++c) {
    if (t.raw[slot * t.channels + c] != 0) return true;
  }
  return false;
}

std::int64_t pool_reciprocal_raw(int area) {
  // round_half_even(2^18 / area) in integers.
  const std::int64_t numerator = std::int64_t{1} << 18;
  std::int64_t quotient = numerator / area;
  const std::int64_t remainder = numerator % area;
  if (2 * remainder > area || (2 * remainder == area && (quotient & 1))) ++quotient;
  return quotient;
}

class FixedRunner {
 public:
  explicit FixedRunner(const Model& model) : model_(model) {
    for (std::size_t i = 0; i < model.size(); ++i)
      parameters_.push_back(quantized_parameters(model.resolved()[i], model.layer(i)));
  }

  Tensor run(const float* image, std::size_t last) {
    const ModelSpec& spec = model_.spec();
    Tensor t;
    t.type = spec.input_type;
    t.height = spec.input_height;
    t.width = spec.input_width;
    t.channels = spec.input_channels;
    const std::size_t size = static_cast<std::size_t>(t.height) * t.width * t.channels;
    t.raw.resize(size);
    for (std::size_t i = 0; i < size; ++i) t.raw[i] = t.type.quantize_raw(image[i]);
    for (std::size_t i = 0; i < last; ++i) t = layer(i, t);
    return t;
  }

 private:
  Tensor layer(std::size_t index, const Tensor& in) {
    const ResolvedLayer& info = model_.resolved()[index];
    const Parameters& p = parameters_[index];
    const fixed::FixedType& result = info.types.result;
    Tensor out;
    out.type = result;
    out.height = info.output.height;
    out.width = info.output.width;
    out.channels = info.output.channels;
    out.raw.assign(info.output.size(), 0);
    const int fx = in.type.fraction();
    switch (info.spec.kind) {
      case LayerKind::InputReduce: {
        const std::int64_t threshold = in.type.quantize_raw(info.spec.threshold);
        std::vector<std::pair<std::int64_t, int>> active;
        for (int pixel = 0; pixel < in.height * in.width; ++pixel) {
          const std::int64_t value = in.raw[static_cast<std::size_t>(pixel) * in.channels];
          if (value > threshold) active.emplace_back(value, pixel);
        }
        if (info.spec.selection == Selection::TopK) {
          std::stable_sort(active.begin(), active.end(),
                           [](const auto& a, const auto& b) { return a.first > b.first; });
        }
        const int slots = info.output.slots;
        out.row.assign(slots, 1);
        out.col.assign(slots, 1);
        for (int s = 0; s < slots && s < static_cast<int>(active.size()); ++s) {
          const int pixel = active[s].second;
          out.row[s] = pixel / in.width + 1;
          out.col[s] = pixel % in.width + 1;
          for (int c = 0; c < in.channels; ++c) {
            out.raw[s * in.channels + c] =
                result.cast_raw(in.raw[static_cast<std::size_t>(pixel) * in.channels + c], fx);
          }
        }
        break;
      }
      case LayerKind::SparseConv2D: {
        out.row = in.row;
        out.col = in.col;
        const int slots = info.input.slots, channels = in.channels, filters = info.spec.filters;
        const int radius = info.spec.kernel / 2, kernel = info.spec.kernel;
        const int fw = info.types.weight.fraction(), fb = info.types.bias.fraction();
        const int fa = std::max(fw + fx, fb);
        for (int o = 0; o < slots; ++o) {
          if (!slot_active(in, o)) continue;
          for (int f = 0; f < filters; ++f) {
            Wide acc = 0;
            for (int i = 0; i < slots; ++i) {
              const int dr = in.row[i] - in.row[o], dc = in.col[i] - in.col[o];
              if (std::abs(dr) > radius || std::abs(dc) > radius) continue;
              for (int c = 0; c < channels; ++c) {
                const std::int64_t w = p.weights[static_cast<std::size_t>(
                                                     ((radius + dr) * kernel + radius + dc) * channels + c) *
                                                     filters +
                                                 f];
                acc += static_cast<Wide>(w) * in.raw[i * channels + c];
              }
            }
            acc = scale_up(acc, fa - fw - fx);
            if (acc != 0) acc += scale_up(p.bias[f], fa - fb);
            out.raw[o * filters + f] = result.cast_raw(acc, fa);
          }
        }
        break;
      }
      case LayerKind::SparseReLU:
      case LayerKind::ReLU:
        out.row = in.row;
        out.col = in.col;
        for (std::size_t i = 0; i < in.raw.size(); ++i)
          out.raw[i] = in.raw[i] > 0 ? result.cast_raw(in.raw[i], fx) : 0;
        break;
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D: {
        const int slots = info.input.slots, channels = in.channels;
        const int ph = info.spec.pool_height, pw = info.spec.pool_width, area = ph * pw;
        out.row.resize(slots);
        out.col.resize(slots);
        for (int s = 0; s < slots; ++s) {
          out.row[s] = (in.row[s] - 1) / ph + 1;
          out.col[s] = (in.col[s] - 1) / pw + 1;
        }
        const bool average = info.spec.kind == LayerKind::SparseAvgPool2D;
        for (int o = 0; o < slots; ++o) {
          bool leads = out.row[o] <= out.height && out.col[o] <= out.width;
          for (int s = 0; s < o && leads; ++s)
            leads = !(out.row[s] == out.row[o] && out.col[s] == out.col[o]);
          if (!leads) continue;
          int active = 0;
          for (int s = o; s < slots; ++s) {
            if (out.row[s] == out.row[o] && out.col[s] == out.col[o] && slot_active(in, s)) ++active;
          }
          for (int c = 0; c < channels; ++c) {
            Wide sum = 0;
            bool any = false;
            std::int64_t best = 0;
            for (int s = o; s < slots; ++s) {
              if (out.row[s] != out.row[o] || out.col[s] != out.col[o]) continue;
              const std::int64_t value = in.raw[s * channels + c];
              sum += value;
              if (slot_active(in, s) && (!any || value > best)) {
                best = value;
                any = true;
              }
            }
            if (!average) {
              if (!any || (active < area && best < 0)) best = 0;
              out.raw[o * channels + c] = result.cast_raw(best, fx);
            } else if (area == 1) {
              out.raw[o * channels + c] = result.cast_raw(sum, fx);
            } else {
              out.raw[o * channels + c] = result.cast_raw(sum * pool_reciprocal_raw(area), fx + 18);
            }
          }
        }
        break;
      }
      case LayerKind::SparseFlatten:
        for (int s = 0; s < info.input.slots; ++s) {
          if (in.row[s] > in.height || in.col[s] > in.width) continue;
          for (int c = 0; c < in.channels; ++c) {
            const std::int64_t value = in.raw[s * in.channels + c];
            if (value == 0) continue;
            out.raw[static_cast<std::size_t>(((in.row[s] - 1) * in.width + in.col[s] - 1) * in.channels +
                                             c)] = result.cast_raw(value, fx);
          }
        }
        break;
      case LayerKind::Flatten:
        for (std::size_t i = 0; i < in.raw.size(); ++i) out.raw[i] = result.cast_raw(in.raw[i], fx);
        break;
      case LayerKind::Dense: {
        const int inputs = info.input.channels, units = info.spec.units;
        const int fw = info.types.weight.fraction(), fb = info.types.bias.fraction();
        const int fa = std::max(fw + fx, fb);
        for (int u = 0; u < units; ++u) {
          Wide acc = 0;
          for (int k = 0; k < inputs; ++k)
            acc += static_cast<Wide>(p.weights[static_cast<std::size_t>(k) * units + u]) * in.raw[k];
          acc = scale_up(acc, fa - fw - fx) + scale_up(p.bias[u], fa - fb);
          out.raw[u] = result.cast_raw(acc, fa);
        }
        break;
      }
      case LayerKind::Conv2D: {
        const int height = in.height, width = in.width, channels = in.channels, filters = info.spec.filters;
        const int kernel = info.spec.kernel, radius = kernel / 2;
        const int fw = info.types.weight.fraction(), fb = info.types.bias.fraction();
        const int fa = std::max(fw + fx, fb);
        for (int r = 0; r < height; ++r) {
          for (int c = 0; c < width; ++c) {
            for (int f = 0; f < filters; ++f) {
              Wide acc = 0;
              for (int kr = 0; kr < kernel; ++kr) {
                for (int kc = 0; kc < kernel; ++kc) {
                  const int rr = r + kr - radius, cc = c + kc - radius;
                  if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
                  for (int ch = 0; ch < channels; ++ch) {
                    acc +=
                        static_cast<Wide>(
                            p.weights[static_cast<std::size_t>((kr * kernel + kc) * channels + ch) * filters +
                                      f]) *
                        in.raw[static_cast<std::size_t>(rr * width + cc) * channels + ch];
                  }
                }
              }
              acc = scale_up(acc, fa - fw - fx) + scale_up(p.bias[f], fa - fb);
              out.raw[static_cast<std::size_t>(r * width + c) * filters + f] = result.cast_raw(acc, fa);
            }
          }
        }
        break;
      }
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D: {
        const int ph = info.spec.pool_height, pw = info.spec.pool_width, area = ph * pw,
                  channels = in.channels;
        for (int r = 0; r < out.height; ++r) {
          for (int c = 0; c < out.width; ++c) {
            for (int ch = 0; ch < channels; ++ch) {
              Wide sum = 0;
              std::int64_t best = 0;
              for (int pr = 0; pr < ph; ++pr) {
                for (int pc = 0; pc < pw; ++pc) {
                  const std::int64_t value =
                      in.raw[static_cast<std::size_t>((r * ph + pr) * in.width + c * pw + pc) * channels +
                             ch];
                  sum += value;
                  if ((pr == 0 && pc == 0) || value > best) best = value;
                }
              }
              std::int64_t& target = out.raw[static_cast<std::size_t>(r * out.width + c) * channels + ch];
              if (info.spec.kind == LayerKind::MaxPool2D) {
                target = result.cast_raw(best, fx);
              } else {
                target = area == 1 ? result.cast_raw(sum, fx)
                                   : result.cast_raw(sum * pool_reciprocal_raw(area), fx + 18);
              }
            }
          }
        }
        break;
      }
      case LayerKind::Sigmoid: {
        const fixed::TableLayout layout{1024, 3, true};
        if (sigmoid_table_.empty()) sigmoid_table_ = fixed::sigmoid_table(info.types.table, layout);
        for (std::size_t i = 0; i < in.raw.size(); ++i) {
          out.raw[i] =
              result.cast_raw(sigmoid_table_[layout.index(in.raw[i], fx)], info.types.table.fraction());
        }
        break;
      }
      case LayerKind::Softmax: {
        // Kernel defaults (nnet::softmax_config): exp over [0, 8), inverse over [0, 64) in ap_fixed<18,8>.
        const fixed::TableLayout exp_layout{1024, 3, false}, inverse_layout{1024, 6, false};
        const fixed::FixedType inverse_type = fixed::FixedType::parse("ap_fixed<18,8>");
        if (exp_table_.empty()) {
          exp_table_ = fixed::softmax_exp_table(info.types.table, exp_layout);
          inverse_table_ = fixed::softmax_inverse_table(inverse_type, inverse_layout);
        }
        const std::int64_t largest = *std::max_element(in.raw.begin(), in.raw.end());
        std::vector<std::int64_t> exponentials(in.raw.size());
        Wide sum = 0;
        for (std::size_t i = 0; i < in.raw.size(); ++i) {
          exponentials[i] = exp_table_[exp_layout.index(largest - in.raw[i], fx)];
          sum += exponentials[i];
        }
        const int fe = info.types.table.fraction();
        const std::int64_t inverse = inverse_table_[inverse_layout.index(static_cast<std::int64_t>(sum), fe)];
        for (std::size_t i = 0; i < in.raw.size(); ++i) {
          out.raw[i] =
              result.cast_raw(static_cast<Wide>(exponentials[i]) * inverse, fe + inverse_type.fraction());
        }
        break;
      }
    }
    return out;
  }

  const Model& model_;
  std::vector<Parameters> parameters_;
  std::vector<std::int64_t> sigmoid_table_, exp_table_, inverse_table_;
};

}  // namespace

void predict_fixed(const Model& model, const float* inputs, std::size_t events, std::vector<double>& out,
                   bool stop_before_head) {
  std::size_t last = model.size();
  const LayerKind head = model.resolved().back().spec.kind;
  if (stop_before_head && (head == LayerKind::Sigmoid || head == LayerKind::Softmax)) --last;
  const std::size_t out_size = model.resolved()[last - 1].output.size();
  const std::size_t in_size = model.input_shape().size();
  out.resize(events * out_size);
  FixedRunner runner(model);
  for (std::size_t e = 0; e < events; ++e) {
    const Tensor t = runner.run(inputs + e * in_size, last);
    for (std::size_t k = 0; k < out_size; ++k) out[e * out_size + k] = t.type.to_double(t.raw[k]);
  }
}

}  // namespace sparsepixels::model
