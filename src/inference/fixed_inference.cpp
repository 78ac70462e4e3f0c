#include "sparsepixels/inference/fixed_inference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "sparsepixels/error.h"
#include "sparsepixels/tensor/shard_pool.h"

namespace sparsepixels::inference {

namespace {

using fixed::FixedType;
using fixed::Int128;
using spec::LayerKind;

constexpr int kReciprocalBits = 18;       // R is ap_ufixed<18,0> (reference 11.5)
constexpr std::size_t kTableSize = 1024;  // every lookup table (docs/fixed-inference.md, "Tables")
constexpr int kSigmoidRangeLog2 = 3;      // sigmoid inputs [-8, 8)
constexpr int kExpRangeLog2 = 3;          // softmax differences [0, 8)
constexpr int kInverseRangeLog2 = 6;      // softmax sums [0, 64) (at least; must exceed n_in)
constexpr const char* kInverseTableType = "ap_fixed<18,8>";

// value * 2^shift for shift >= 0 (a multiplication: left shifts of negative values are not portable).
Int128 shift_left(Int128 value, int shift) {
  return value * (Int128(1) << shift);
}

// True when the exact value raw * 2^-fraction lies outside [min_value, max_value] of `type`.
bool outside_range(Int128 raw, int fraction, const FixedType& type) {
  if (!type.is_signed && type.width == 64) return false;  // max_raw() is a bit pattern there
  const int common = std::max(fraction, type.fraction());
  const int value_shift = common - fraction, type_shift = common - type.fraction();
  if (value_shift > 60 || type_shift > 60) return false;  // beyond what the profile tracks
  const Int128 value = shift_left(raw, value_shift);
  return value < shift_left(type.min_raw(), type_shift) || value > shift_left(type.max_raw(), type_shift);
}

// The exact value raw * 2^-fraction cast to `to` (like assigning a full-precision ap expression).
std::int64_t cast_value(const FixedType& to, Int128 raw, int fraction, LayerProfile* profile) {
  if (profile != nullptr && outside_range(raw, fraction, to)) ++profile->out_of_range;
  return to.cast_raw(raw, fraction);
}

// A value of type `from` cast to `to` (like assigning one ap object to another).
std::int64_t cast_typed(const FixedType& to, const FixedType& from, Int128 raw, LayerProfile* profile) {
  if (profile != nullptr && outside_range(raw, from.fraction(), to)) ++profile->out_of_range;
  return to.cast_from(from, raw);
}

// Smallest e with 2^e > n: the inverse table must cover sums up to n_in.
int range_above(int n) {
  int exponent = 0;
  while ((std::int64_t{1} << exponent) <= n) ++exponent;
  return exponent;
}

// The exact sum of `terms` values of `type` (the pooling accumulator rule of reference 11.3).
FixedType exact_sum_type(const FixedType& type, int terms) {
  FixedType sum = spec::exact_pool_accumulator(type, terms);
  sum.integer_type = false;
  return sum;
}

bool is_sparse_output(LayerKind kind) {
  switch (kind) {
    case LayerKind::InputReduce:
    case LayerKind::SparseConv2D:
    case LayerKind::SparseReLU:
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
      return true;
    default:
      return false;
  }
}

void record_profile(const LayerValues& values, const FixedType& type, LayerProfile& profile) {
  for (std::int64_t raw : values.raw) {
    const double value = type.to_double(raw);
    if (profile.values == 0) {
      profile.min_value = profile.max_value = value;
    } else {
      profile.min_value = std::min(profile.min_value, value);
      profile.max_value = std::max(profile.max_value, value);
    }
    ++profile.values;
    if (raw != 0) ++profile.nonzero;
  }
}

void merge_profile(const LayerProfile& part, LayerProfile& total) {
  if (part.values == 0) return;
  if (total.values == 0) {
    total.min_value = part.min_value;
    total.max_value = part.max_value;
  } else {
    total.min_value = std::min(total.min_value, part.min_value);
    total.max_value = std::max(total.max_value, part.max_value);
  }
  total.values += part.values;
  total.nonzero += part.nonzero;
  total.out_of_range += part.out_of_range;
}

}  // namespace

SigmoidTable make_sigmoid_table(const spec::ResolvedLayer& layer) {
  SigmoidTable table;
  table.table_type = layer.types.table;
  table.layout = fixed::TableLayout{kTableSize, kSigmoidRangeLog2, true};
  table.raw = fixed::sigmoid_table(table.table_type, table.layout);
  return table;
}

SoftmaxTables make_softmax_tables(const spec::ResolvedLayer& layer) {
  SoftmaxTables tables;
  // The kernel defaults (nnet::softmax_config) where the model has no field: the inverse table in
  // ap_fixed<18,8> over [0, 64), widened when n_in >= 64.
  tables.exp_type = layer.types.table;
  tables.inverse_type = fixed::FixedType::parse(kInverseTableType);
  const int n_in = layer.input.channels;
  tables.sum_type = exact_sum_type(tables.exp_type, n_in);
  tables.exp_layout = fixed::TableLayout{kTableSize, kExpRangeLog2, false};
  tables.inverse_layout =
      fixed::TableLayout{kTableSize, std::max(kInverseRangeLog2, range_above(n_in)), false};
  tables.exp_raw = fixed::softmax_exp_table(tables.exp_type, tables.exp_layout);
  tables.inverse_raw = fixed::softmax_inverse_table(tables.inverse_type, tables.inverse_layout);
  return tables;
}

std::int64_t parameter_raw(float value, const FixedType& type) {
  FixedType rounding = type;
  rounding.quantization = fixed::Quantization::RND_CONV;
  rounding.overflow = fixed::Overflow::SAT;
  rounding.saturation_bits = 0;
  rounding.integer_type = false;  // an ap_int<W> holds what ap_fixed<W,W> holds; round, don't chop
  return rounding.quantize_raw(static_cast<double>(value));
}

std::int64_t pool_reciprocal_raw(int area) {
  if (area < 2) throw Error(fmt::format("pool_reciprocal_raw: area must be >= 2, got {}", area));
  const std::int64_t numerator = std::int64_t{1} << kReciprocalBits;
  const std::int64_t quotient = numerator / area, remainder = numerator % area;
  const bool round_up = 2 * remainder > area || (2 * remainder == area && quotient % 2 == 1);
  return round_up ? quotient + 1 : quotient;
}

FixedModel::FixedModel(const model::Model& model) {
  const spec::ModelSpec& spec = model.spec();
  const auto& resolved = model.resolved();
  input_type_ = spec.input_type;
  input_type_.validate();
  input_size_ = model.input_shape().size();
  FixedType previous = input_type_;
  for (std::size_t index = 0; index < resolved.size(); ++index) {
    Layer layer;
    layer.info = resolved[index];
    layer.input_type = previous;
    const layers::Layer& source = model.layer(index);
    const std::string& name = layer.info.spec.name;
    auto convert = [&](const std::vector<float>& values, std::size_t expected, const FixedType& type,
                       const char* field) {
      if (values.size() != expected) {
        throw Error(fmt::format("fixed inference: layer '{}': field '{}': {} values, expected {}", name,
                                field, values.size(), expected));
      }
      std::vector<std::int64_t> raw(values.size());
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (!std::isfinite(values[k])) {
          throw Error(fmt::format("fixed inference: layer '{}': field '{}': value {} is {}", name, field, k,
                                  values[k]));
        }
        raw[k] = parameter_raw(values[k], type);
      }
      return raw;
    };
    layer.weights = convert(source.weights, layer.info.weight_count, layer.info.types.weight, "weights");
    layer.biases = convert(source.bias, layer.info.bias_count, layer.info.types.bias, "bias");
    if (layer.info.spec.kind == LayerKind::InputReduce) {
      threshold_raw_ = input_type_.quantize_raw(layer.info.spec.threshold);
    }
    if (layer.info.spec.kind == LayerKind::Sigmoid) layer.sigmoid = make_sigmoid_table(layer.info);
    if (layer.info.spec.kind == LayerKind::Softmax) layer.softmax = make_softmax_tables(layer.info);
    previous = layer.info.types.result;
    layers_.push_back(std::move(layer));
  }
}

std::size_t FixedModel::output_size() const {
  return layers_.back().info.output.size();
}

const FixedType& FixedModel::output_type() const {
  return layers_.back().info.types.result;
}

const FixedType& FixedModel::result_type(std::size_t index) const {
  return layers_.at(index).info.types.result;
}

const std::vector<std::int64_t>& FixedModel::weights_raw(std::size_t index) const {
  return layers_.at(index).weights;
}

const std::vector<std::int64_t>& FixedModel::biases_raw(std::size_t index) const {
  return layers_.at(index).biases;
}

void FixedModel::quantize_input(const float* event, std::vector<std::int64_t>& raw) const {
  raw.resize(input_size_);
  // float32 widened to double is exact, as ap_fixed(float) does it (reference 11.2).
  // +0 and -0 give raw 0 in every mode (docs/fixed-point.md); sparse events are mostly zeros.
  for (std::size_t k = 0; k < input_size_; ++k) {
    raw[k] = event[k] == 0.0f ? 0 : input_type_.quantize_raw(static_cast<double>(event[k]));
  }
}

void FixedModel::run_layer(const Layer& layer, const LayerValues& in, LayerValues& out,
                           LayerProfile* profile) const {
  const spec::ResolvedLayer& info = layer.info;
  const spec::LayerTypes& types = info.types;
  const FixedType& in_type = layer.input_type;
  const int in_fraction = in_type.fraction();
  const int C = info.input.channels;
  out.hash.clear();
  switch (info.spec.kind) {
    case LayerKind::InputReduce: {
      const int width = info.input.width, pixels = info.input.height * info.input.width;
      const int slots = info.spec.n_active;
      std::vector<int> chosen;
      if (info.spec.selection == spec::Selection::Raster) {
        // The first N active pixels in raster order.
        for (int pixel = 0; pixel < pixels && static_cast<int>(chosen.size()) < slots; ++pixel) {
          if (in.raw[static_cast<std::size_t>(C) * pixel] > threshold_raw_) chosen.push_back(pixel);
        }
      } else {
        for (int pixel = 0; pixel < pixels; ++pixel) {
          if (in.raw[static_cast<std::size_t>(C) * pixel] > threshold_raw_) chosen.push_back(pixel);
        }
        // Larger channel-0 value first; equal values by increasing raster index (a total order).
        auto before = [&](int a, int b) {
          const std::int64_t value_a = in.raw[static_cast<std::size_t>(C) * a];
          const std::int64_t value_b = in.raw[static_cast<std::size_t>(C) * b];
          return value_a != value_b ? value_a > value_b : a < b;
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
          out.raw[C * slot + channel] = cast_typed(
              types.result, in_type, in.raw[static_cast<std::size_t>(C) * pixel + channel], profile);
        }
        out.hash[2 * slot] = pixel / width + 1;
        out.hash[2 * slot + 1] = pixel % width + 1;
      }
      break;
    }
    case LayerKind::SparseConv2D: {
      const int slots = info.input.slots, filters = info.spec.filters, kernel = info.spec.kernel;
      const int radius = (kernel - 1) / 2;
      const int product_fraction = types.weight.fraction() + in_fraction;
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
              sum += Int128(layer.weights[(static_cast<std::size_t>(tap) * C + channel) * filters + filter]) *
                     in.raw[C * in_slot + channel];
            }
          }
          sum = shift_left(sum, sum_fraction - product_fraction);
          // The bias rule: only a non-zero sum receives the bias.
          if (sum != 0) sum += shift_left(layer.biases[filter], sum_fraction - types.bias.fraction());
          const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
          out.raw[static_cast<std::size_t>(filters) * out_slot + filter] =
              cast_typed(types.result, types.accum, accumulated, profile);
        }
      }
      break;
    }
    case LayerKind::SparseReLU:
    case LayerKind::ReLU: {
      out.raw.resize(in.raw.size());
      for (std::size_t k = 0; k < in.raw.size(); ++k) {
        out.raw[k] = in.raw[k] > 0 ? cast_typed(types.result, in_type, in.raw[k], profile) : 0;
      }
      out.hash = in.hash;
      break;
    }
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D: {
      const int slots = info.input.slots;
      const int pool_height = info.spec.pool_height, pool_width = info.spec.pool_width;
      const int area = pool_height * pool_width;
      const int out_height = info.output.height, out_width = info.output.width;
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
      const bool average = info.spec.kind == LayerKind::SparseAvgPool2D;
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
            const std::int64_t accumulated = types.accum.cast_raw(sum, in_fraction);  // exact: no change
            result = area == 1 ? cast_typed(types.result, types.accum, accumulated, profile)
                               : cast_value(types.result, Int128(accumulated) * reciprocal,
                                            types.accum.fraction() + kReciprocalBits, profile);
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
            result = cast_typed(types.result, in_type, largest, profile);
          }
        }
      }
      break;
    }
    case LayerKind::SparseFlatten: {
      const int height = info.input.height, width = info.input.width, slots = info.input.slots;
      out.raw.assign(static_cast<std::size_t>(height) * width * C, 0);
      for (int slot = 0; slot < slots; ++slot) {
        const int row = in.hash[2 * slot], col = in.hash[2 * slot + 1];
        if (row < 1 || row > height || col < 1 || col > width) continue;
        for (int channel = 0; channel < C; ++channel) {
          const std::int64_t value = in.raw[C * slot + channel];
          if (value != 0) {
            out.raw[static_cast<std::size_t>(C) * ((row - 1) * width + (col - 1)) + channel] =
                cast_typed(types.result, in_type, value, profile);
          }
        }
      }
      break;
    }
    case LayerKind::Dense: {
      const int n_in = C, n_out = info.spec.units;
      const int product_fraction = types.weight.fraction() + in_fraction;
      const int sum_fraction = std::max(product_fraction, types.bias.fraction());
      out.raw.resize(static_cast<std::size_t>(n_out));
      for (int output = 0; output < n_out; ++output) {
        Int128 sum = 0;
        for (int input = 0; input < n_in; ++input) {
          const std::int64_t value = in.raw[input];
          if (value != 0)
            sum += Int128(layer.weights[static_cast<std::size_t>(input) * n_out + output]) * value;
        }
        sum = shift_left(sum, sum_fraction - product_fraction) +
              shift_left(layer.biases[output], sum_fraction - types.bias.fraction());
        const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
        out.raw[output] = cast_typed(types.result, types.accum, accumulated, profile);
      }
      break;
    }
    case LayerKind::Sigmoid: {
      const SigmoidTable& table = layer.sigmoid;
      out.raw.resize(in.raw.size());
      for (std::size_t k = 0; k < in.raw.size(); ++k) {
        const std::size_t entry = table.layout.index(in.raw[k], in_fraction);
        out.raw[k] = cast_typed(types.result, table.table_type, table.raw[entry], profile);
      }
      break;
    }
    case LayerKind::Softmax: {
      const SoftmaxTables& tables = layer.softmax;
      const std::size_t n_in = in.raw.size();
      const std::int64_t largest = *std::max_element(in.raw.begin(), in.raw.end());
      std::vector<std::int64_t> exponentials(n_in);
      const int exp_fraction = tables.exp_type.fraction(), sum_fraction = tables.sum_type.fraction();
      const int common_fraction = std::max(exp_fraction, sum_fraction);
      std::int64_t sum = 0;
      for (std::size_t k = 0; k < n_in; ++k) {
        // The difference max - x_k is exact and non-negative.
        exponentials[k] = tables.exp_raw[tables.exp_layout.index(largest - in.raw[k], in_fraction)];
        sum = tables.sum_type.cast_raw(shift_left(sum, common_fraction - sum_fraction) +
                                           shift_left(exponentials[k], common_fraction - exp_fraction),
                                       common_fraction);
      }
      const std::int64_t inverse = tables.inverse_raw[tables.inverse_layout.index(sum, sum_fraction)];
      const int product_fraction = exp_fraction + tables.inverse_type.fraction();
      out.raw.resize(n_in);
      for (std::size_t k = 0; k < n_in; ++k) {
        out.raw[k] = cast_value(types.result, Int128(exponentials[k]) * inverse, product_fraction, profile);
      }
      break;
    }
    case LayerKind::Conv2D: {
      const int height = info.input.height, width = info.input.width;
      const int filters = info.spec.filters, kernel = info.spec.kernel, radius = (kernel - 1) / 2;
      const int product_fraction = types.weight.fraction() + in_fraction;
      const int sum_fraction = std::max(product_fraction, types.bias.fraction());
      out.raw.assign(static_cast<std::size_t>(height) * width * filters, 0);
      for (int row = 0; row < height; ++row) {
        for (int col = 0; col < width; ++col) {
          for (int filter = 0; filter < filters; ++filter) {
            Int128 sum = 0;
            for (int kr = 0; kr < kernel; ++kr) {
              const int in_row = row - radius + kr;
              if (in_row < 0 || in_row >= height) continue;  // outside the image counts as zero
              for (int kc = 0; kc < kernel; ++kc) {
                const int in_col = col - radius + kc;
                if (in_col < 0 || in_col >= width) continue;
                const std::size_t pixel = static_cast<std::size_t>(in_row) * width + in_col;
                for (int channel = 0; channel < C; ++channel) {
                  const std::int64_t value = in.raw[pixel * C + channel];
                  if (value == 0) continue;
                  sum += Int128(layer.weights[((static_cast<std::size_t>(kr) * kernel + kc) * C + channel) *
                                                  filters +
                                              filter]) *
                         value;
                }
              }
            }
            // Standard convolution always adds the bias (Keras Conv2D).
            sum = shift_left(sum, sum_fraction - product_fraction) +
                  shift_left(layer.biases[filter], sum_fraction - types.bias.fraction());
            const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
            out.raw[(static_cast<std::size_t>(row) * width + col) * filters + filter] =
                cast_typed(types.result, types.accum, accumulated, profile);
          }
        }
      }
      break;
    }
    case LayerKind::AvgPool2D:
    case LayerKind::MaxPool2D: {
      const int width = info.input.width;
      const int pool_height = info.spec.pool_height, pool_width = info.spec.pool_width;
      const int area = pool_height * pool_width;
      const int out_height = info.output.height, out_width = info.output.width;
      const bool average = info.spec.kind == LayerKind::AvgPool2D;
      const std::int64_t reciprocal = area > 1 ? pool_reciprocal_raw(area) : 1;
      out.raw.assign(static_cast<std::size_t>(out_height) * out_width * C, 0);
      for (int cell_row = 0; cell_row < out_height; ++cell_row) {
        for (int cell_col = 0; cell_col < out_width; ++cell_col) {
          for (int channel = 0; channel < C; ++channel) {
            Int128 sum = 0;
            std::int64_t largest = 0;
            for (int r = 0; r < pool_height; ++r) {
              for (int c = 0; c < pool_width; ++c) {
                const std::size_t pixel = static_cast<std::size_t>(cell_row * pool_height + r) * width +
                                          (cell_col * pool_width + c);
                const std::int64_t value = in.raw[pixel * C + channel];
                sum += value;
                if ((r == 0 && c == 0) || value > largest) largest = value;
              }
            }
            std::int64_t& result =
                out.raw[(static_cast<std::size_t>(cell_row) * out_width + cell_col) * C + channel];
            if (!average) {
              result = cast_typed(types.result, in_type, largest, profile);
            } else {
              const std::int64_t accumulated = types.accum.cast_raw(sum, in_fraction);  // exact: no change
              result = area == 1 ? cast_typed(types.result, types.accum, accumulated, profile)
                                 : cast_value(types.result, Int128(accumulated) * reciprocal,
                                              types.accum.fraction() + kReciprocalBits, profile);
            }
          }
        }
      }
      break;
    }
    case LayerKind::Flatten: {
      out.raw.resize(in.raw.size());
      for (std::size_t k = 0; k < in.raw.size(); ++k)
        out.raw[k] = cast_typed(types.result, in_type, in.raw[k], profile);
      break;
    }
  }
  if (!is_sparse_output(info.spec.kind)) out.hash.clear();
  if (profile != nullptr) record_profile(out, types.result, *profile);
}

void FixedModel::run_traced(const float* event, std::vector<LayerValues>& outputs,
                            std::vector<LayerProfile>* profile) const {
  outputs.resize(layers_.size());
  LayerValues input;
  quantize_input(event, input.raw);
  for (std::size_t index = 0; index < layers_.size(); ++index) {
    run_layer(layers_[index], index == 0 ? input : outputs[index - 1], outputs[index],
              profile != nullptr ? &(*profile)[index] : nullptr);
  }
}

void FixedModel::run(const float* event, std::vector<LayerValues>& outputs) const {
  run_traced(event, outputs, nullptr);
}

FixedOutput FixedModel::predict(const float* inputs, std::size_t events, const FixedOptions& options) const {
  FixedOutput result;
  result.events = events;
  result.output_size = output_size();
  result.output_type = output_type();
  result.raw.assign(events * result.output_size, 0);
  if (options.trace) result.trace.resize(events);
  tensor::ShardPool pool(options.threads);
  const auto workers = static_cast<std::size_t>(pool.threads());
  std::vector<std::vector<LayerValues>> scratch(workers);
  // One profile per worker; merging counts, minima and maxima does not depend on the order.
  std::vector<std::vector<LayerProfile>> profiles(workers, std::vector<LayerProfile>(layers_.size()));
  constexpr std::size_t kShardEvents = 16;
  const std::size_t shards = (events + kShardEvents - 1) / kShardEvents;
  pool.run(shards, [&](std::size_t shard, int worker) {
    auto& outputs = scratch[static_cast<std::size_t>(worker)];
    auto* profile = options.profile ? &profiles[static_cast<std::size_t>(worker)] : nullptr;
    const std::size_t last = std::min(events, (shard + 1) * kShardEvents);
    for (std::size_t event = shard * kShardEvents; event < last; ++event) {
      run_traced(inputs + event * input_size_, outputs, profile);
      std::copy(outputs.back().raw.begin(), outputs.back().raw.end(),
                result.raw.begin() + static_cast<std::ptrdiff_t>(event * result.output_size));
      if (options.trace) result.trace[event] = outputs;
    }
  });
  result.values.resize(result.raw.size());
  for (std::size_t k = 0; k < result.raw.size(); ++k)
    result.values[k] = result.output_type.to_double(result.raw[k]);
  if (options.profile) {
    result.profile.assign(layers_.size(), LayerProfile{});
    for (const auto& part : profiles) {
      for (std::size_t index = 0; index < layers_.size(); ++index)
        merge_profile(part[index], result.profile[index]);
    }
  }
  return result;
}

FixedOutput fixed_predict(const model::Model& model, const float* inputs, std::size_t events,
                          const FixedOptions& options) {
  return FixedModel(model).predict(inputs, events, options);
}

}  // namespace sparsepixels::inference
