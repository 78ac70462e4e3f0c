// Element-wise and vector activations: ReLU (dense and sparse), Sigmoid, Softmax.
#include <algorithm>
#include <cmath>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

constexpr std::size_t kTableSize = 1024;  // every lookup table (docs/fixed-inference.md, "Tables")
constexpr int kSigmoidRangeLog2 = 3;      // sigmoid inputs [-8, 8)
constexpr int kExpRangeLog2 = 3;          // softmax differences [0, 8)
constexpr int kInverseRangeLog2 = 6;      // softmax sums [0, 64) (at least; must exceed n_in)
constexpr const char* kInverseTableType = "ap_fixed<18,8>";

// Smallest e with 2^e > n: the inverse table must cover sums up to n_in.
int range_above(int n) {
  int exponent = 0;
  while ((std::int64_t{1} << exponent) <= n) ++exponent;
  return exponent;
}

// Fixed point: positive values cast to the result type, the rest 0; sparse slots keep their places.
class FixedReLU final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    out.raw.resize(in.raw.size());
    for (std::size_t k = 0; k < in.raw.size(); ++k) {
      out.raw[k] = in.raw[k] > 0
                       ? fixed_arithmetic::cast_typed(info_.types.result, input_type_, in.raw[k], profile)
                       : 0;
    }
    if (info_.spec.kind == spec::LayerKind::SparseReLU) {
      out.hash = in.hash;
    } else {
      out.hash.clear();
    }
  }
};

// Fixed point: one lookup in the sigmoid table per value.
class FixedSigmoid final : public FixedLayer {
 public:
  FixedSigmoid(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
               const std::vector<float>& weights, const std::vector<float>& bias)
      : FixedLayer(info, input_type, weights, bias), table_(make_sigmoid_table(info)) {}

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    out.raw.resize(in.raw.size());
    out.hash.clear();
    const bool hls4ml = info_.profile == spec::ArithmeticProfile::Hls4ml;
    for (std::size_t k = 0; k < in.raw.size(); ++k) {
      const std::size_t entry =
          hls4ml ? fixed::hls4ml_sigmoid_index(table_.layout.size, in.raw[k], input_type_.fraction())
                 : table_.layout.index(in.raw[k], input_type_.fraction());
      out.raw[k] =
          fixed_arithmetic::cast_typed(info_.types.result, table_.table_type, table_.raw[entry], profile);
    }
  }

 private:
  SigmoidTable table_;
};

// Fixed point: exp(max - x) from the exp table, summed exactly, 1/sum from the inverse table.
class FixedSoftmax final : public FixedLayer {
 public:
  FixedSoftmax(const spec::ResolvedLayer& info, const fixed::FixedType& input_type,
               const std::vector<float>& weights, const std::vector<float>& bias)
      : FixedLayer(info, input_type, weights, bias), tables_(make_softmax_tables(info, input_type)) {}

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    if (info_.profile == spec::ArithmeticProfile::Hls4ml) return forward_hls4ml(in, out, profile);
    using namespace fixed_arithmetic;
    const std::size_t n_in = in.raw.size();
    const int in_fraction = input_type_.fraction();
    const std::int64_t largest = *std::max_element(in.raw.begin(), in.raw.end());
    std::vector<std::int64_t> exponentials(n_in);
    const int exp_fraction = tables_.exp_type.fraction(), sum_fraction = tables_.sum_type.fraction();
    const int common_fraction = std::max(exp_fraction, sum_fraction);
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < n_in; ++k) {
      // The difference max - x_k is exact and non-negative.
      exponentials[k] = tables_.exp_raw[tables_.exp_layout.index(largest - in.raw[k], in_fraction)];
      sum = tables_.sum_type.cast_raw(shift_left(sum, common_fraction - sum_fraction) +
                                          shift_left(exponentials[k], common_fraction - exp_fraction),
                                      common_fraction);
    }
    const std::int64_t inverse = tables_.inverse_raw[tables_.inverse_layout.index(sum, sum_fraction)];
    const int product_fraction = exp_fraction + tables_.inverse_type.fraction();
    out.raw.resize(n_in);
    out.hash.clear();
    for (std::size_t k = 0; k < n_in; ++k) {
      out.raw[k] =
          cast_value(info_.types.result, Int128(exponentials[k]) * inverse, product_fraction, profile);
    }
  }

 private:
  // hls4ml's stable softmax: d = x - max in the input's width with AP_RND/AP_SAT, the exp table read
  // at d's top bits, the exponentials summed pairwise in the table type (hls4ml's adder tree), the
  // inverse table read at the sum's top bits, each result the exact product cast once.
  void forward_hls4ml(const LayerValues& in, LayerValues& out, LayerProfile* profile) const {
    using namespace fixed_arithmetic;
    const std::size_t n_in = in.raw.size(), size = tables_.exp_layout.size;
    fixed::FixedType difference_type = input_type_;
    difference_type.quantization = fixed::Quantization::RND;
    difference_type.overflow = fixed::Overflow::SAT;
    difference_type.saturation_bits = 0;
    const std::int64_t largest = *std::max_element(in.raw.begin(), in.raw.end());
    std::vector<std::int64_t> exponentials(n_in);
    for (std::size_t k = 0; k < n_in; ++k) {
      const std::int64_t difference =
          difference_type.cast_raw(Int128(in.raw[k]) - largest, input_type_.fraction());
      exponentials[k] = tables_.exp_raw[fixed::hls4ml_top_bits_index(difference_type, difference, size)];
    }
    const std::int64_t sum = tree_sum(exponentials.data(), n_in);
    const std::int64_t inverse =
        tables_.inverse_raw[fixed::hls4ml_top_bits_index(tables_.sum_type, sum, tables_.inverse_layout.size)];
    const int product_fraction = tables_.exp_type.fraction() + tables_.inverse_type.fraction();
    out.raw.resize(n_in);
    out.hash.clear();
    for (std::size_t k = 0; k < n_in; ++k) {
      out.raw[k] =
          cast_value(info_.types.result, Int128(exponentials[k]) * inverse, product_fraction, profile);
    }
  }

  // hls4ml's reduce: the left part is the largest power of two below n; each sum cast to the type.
  std::int64_t tree_sum(const std::int64_t* values, std::size_t n) const {
    if (n == 1) return values[0];
    std::size_t left = 1;
    while (2 * left < n) left *= 2;
    const std::int64_t a = tree_sum(values, left), b = tree_sum(values + left, n - left);
    return tables_.sum_type.cast_raw(fixed::Int128(a) + b, tables_.sum_type.fraction());
  }

  SoftmaxTables tables_;
};

// ReLU on dense values or sparse slots: relu(0) = 0, so slots and sparsity are kept.
class ReLU final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedReLU>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const std::size_t stride = in.nonzero_stride;
    out.reset(in.events, in.event_size);
    out.geometry = in.geometry;  // sparse ReLU keeps the coordinates
    const float* x = in.values.data();
    float* y = out.values.data();
    for (std::size_t i = 0; i < in.values.size(); ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    // relu(0) = 0, so a flattened sparse batch stays sparse in the same places.
    if (stride > 0) {
      out.nonzero_stride = stride;
      out.index = in.index;
    }
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch&, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    grad_in->resize(in.values.size());
    const float* x = in.values.data();
    const float* g = grad_out.data();
    float* gx = grad_in->data();
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
  }
};

class Sigmoid final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedSigmoid>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    out.reset(in.events, in.event_size);
    out.geometry = in.geometry;
    const float* x = in.values.data();
    float* y = out.values.data();
    for (std::size_t i = 0; i < in.values.size(); ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch&, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    grad_in->resize(in.values.size());
    const float* x = in.values.data();
    const float* g = grad_out.data();
    float* gx = grad_in->data();
    for (std::size_t i = 0; i < in.values.size(); ++i) {
      const float s = 1.0f / (1.0f + std::exp(-x[i]));
      gx[i] = g[i] * s * (1.0f - s);
    }
  }
};

class Softmax final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedSoftmax>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    out.reset(in.events, in.event_size);
    out.geometry = in.geometry;
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* xe = in.event(e);
      float* ye = out.event(e);
      const float top = *std::max_element(xe, xe + in.event_size);
      float sum = 0.0f;
      for (std::size_t i = 0; i < in.event_size; ++i) sum += (ye[i] = std::exp(xe[i] - top));
      for (std::size_t i = 0; i < in.event_size; ++i) ye[i] /= sum;
    }
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients&) const override {
    if (!grad_in) return;
    grad_in->resize(in.values.size());
    const float* y = out.values.data();
    const float* g = grad_out.data();
    float* gx = grad_in->data();
    for (std::size_t e = 0; e < in.events; ++e) {
      const float* ye = y + e * in.event_size;
      const float* ge = g + e * in.event_size;
      float dot = 0.0f;
      for (std::size_t i = 0; i < in.event_size; ++i) dot += ge[i] * ye[i];
      for (std::size_t i = 0; i < in.event_size; ++i) gx[e * in.event_size + i] = ye[i] * (ge[i] - dot);
    }
  }
};

}  // namespace

SigmoidTable make_sigmoid_table(const spec::ResolvedLayer& layer) {
  SigmoidTable table;
  table.table_type = layer.types.table;
  table.layout = fixed::TableLayout{kTableSize, kSigmoidRangeLog2, true};
  if (layer.profile == spec::ArithmeticProfile::Hls4ml) {
    table.raw = fixed::hls4ml_sigmoid_table(table.table_type, kTableSize);
    return table;
  }
  table.raw = fixed::sigmoid_table(table.table_type, table.layout);
  return table;
}

SoftmaxTables make_softmax_tables(const spec::ResolvedLayer& layer, const fixed::FixedType& input_type) {
  SoftmaxTables tables;
  if (layer.profile == spec::ArithmeticProfile::Hls4ml) {
    // hls4ml: both tables and the sum in the layer's table type, both indexed by top bits (the
    // layouts only carry the size); the exp table is addressed in the softmax input type.
    tables.exp_type = tables.inverse_type = tables.sum_type = layer.types.table;
    tables.exp_layout = tables.inverse_layout = fixed::TableLayout{kTableSize, 0, false};
    tables.exp_raw = fixed::hls4ml_softmax_exp_table(tables.exp_type, input_type, kTableSize);
    tables.inverse_raw =
        fixed::hls4ml_softmax_inverse_table(tables.inverse_type, tables.exp_type, kTableSize);
    return tables;
  }
  // The kernel defaults (nnet::softmax_config) where the model has no field: the inverse table in
  // ap_fixed<18,8> over [0, 64), widened when n_in >= 64.
  tables.exp_type = layer.types.table;
  tables.inverse_type = fixed::FixedType::parse(kInverseTableType);
  const int n_in = layer.input.channels;
  // The exact sum of n_in exp-table values (the pooling accumulator rule of reference 11.3).
  tables.sum_type = spec::exact_pool_accumulator(tables.exp_type, n_in);
  tables.sum_type.integer_type = false;
  tables.exp_layout = fixed::TableLayout{kTableSize, kExpRangeLog2, false};
  tables.inverse_layout =
      fixed::TableLayout{kTableSize, std::max(kInverseRangeLog2, range_above(n_in)), false};
  tables.exp_raw = fixed::softmax_exp_table(tables.exp_type, tables.exp_layout);
  tables.inverse_raw = fixed::softmax_inverse_table(tables.inverse_type, tables.inverse_layout);
  return tables;
}

std::unique_ptr<Layer> make_relu(const spec::ResolvedLayer& resolved) {
  return std::make_unique<ReLU>(resolved);
}

std::unique_ptr<Layer> make_sigmoid(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Sigmoid>(resolved);
}

std::unique_ptr<Layer> make_softmax(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Softmax>(resolved);
}

}  // namespace sparsepixels::layers
