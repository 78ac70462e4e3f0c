// Dense: y = x W + b with W stored [n_in][n_out] (Keras layout).
#include <Eigen/Core>
#include <algorithm>

#include "fixed_arithmetic.h"
#include "layer_kinds.h"

namespace sparsepixels::layers {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

class FixedDense final : public FixedLayer {
 public:
  using FixedLayer::FixedLayer;

  void forward(const LayerValues& in, LayerValues& out, LayerProfile* profile) const override {
    using namespace fixed_arithmetic;
    const spec::LayerTypes& types = info_.types;
    const int n_in = info_.input.channels, n_out = info_.spec.units;
    const int product_fraction = types.weight.fraction() + input_type_.fraction();
    const int sum_fraction = std::max(product_fraction, types.bias.fraction());
    out.raw.resize(static_cast<std::size_t>(n_out));
    out.hash.clear();
    for (int output = 0; output < n_out; ++output) {
      Int128 sum = 0;
      for (int input = 0; input < n_in; ++input) {
        const std::int64_t value = in.raw[input];
        if (value != 0) sum += Int128(weights_[static_cast<std::size_t>(input) * n_out + output]) * value;
      }
      sum = shift_left(sum, sum_fraction - product_fraction) +
            shift_left(biases_[output], sum_fraction - types.bias.fraction());
      const std::int64_t accumulated = types.accum.cast_raw(sum, sum_fraction);  // exact: no change
      out.raw[output] = cast_typed(types.result, types.accum, accumulated, profile);
    }
  }
};

class Dense final : public Layer {
 public:
  using Layer::Layer;

  std::unique_ptr<FixedLayer> make_fixed(const fixed::FixedType& input_type) const override {
    return std::make_unique<FixedDense>(info_, input_type, weights, bias);
  }

  void forward(const tensor::Batch& in, tensor::Batch& out) const override {
    const int inputs = info_.input.channels, units = info_.spec.units;
    const auto events = static_cast<Eigen::Index>(in.events);
    out.reset(in.events, static_cast<std::size_t>(units));
    out.geometry.reset();
    if (double_sums_) {
      forward_exact(in, out);
      return;
    }
    const float* weights = forward_weights_.data();
    if (in.nonzero_stride > 0) {
      // Input from SparseFlatten: only the listed positions can be non-zero.
      for (std::size_t e = 0; e < in.events; ++e) sparse_input_sums(in, e, out.event(e));
    } else {
      Map y(out.values.data(), events, units);
      y.noalias() = ConstMap(in.values.data(), events, inputs) * ConstMap(weights, inputs, units);
      y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(forward_bias_.data(), units);
    }
    quantize_result(out);
  }

  void backward(const tensor::Batch& in, const tensor::Batch& out, const std::vector<float>& grad_out,
                std::vector<float>* grad_in, ParameterGradients& gradients) const override {
    const int inputs = info_.input.channels, units = info_.spec.units;
    const auto events = static_cast<Eigen::Index>(in.events);
    const float* weights = forward_weights_.data();
    ConstMap g(grad_out.data(), events, units);
    Eigen::Map<Eigen::RowVectorXf>(gradients.bias.data(), units) += g.colwise().sum();
    if (in.nonzero_stride > 0) {
      if (grad_in) grad_in->assign(in.values.size(), 0.0f);
      for (std::size_t e = 0; e < in.events; ++e) {
        const float* x = in.event(e);
        const float* ge = grad_out.data() + e * out.event_size;
        const std::int32_t* where = in.index.data() + e * in.nonzero_stride;
        for (std::size_t k = 0; k < in.nonzero_stride; ++k) {
          if (where[k] < 0) continue;
          const std::size_t row = static_cast<std::size_t>(where[k]);
          const float value = x[row];
          float* gw = gradients.weights.data() + row * units;
          const float* w = weights + row * units;
          float into_input = 0.0f;
          for (int u = 0; u < units; ++u) {
            gw[u] += value * ge[u];
            into_input += w[u] * ge[u];
          }
          if (grad_in) (*grad_in)[e * in.event_size + row] = into_input;
        }
      }
      return;
    }
    ConstMap x(in.values.data(), events, inputs);
    Map(gradients.weights.data(), inputs, units).noalias() += x.transpose() * g;
    if (grad_in) {
      grad_in->resize(in.values.size());
      Map(grad_in->data(), events, inputs).noalias() = g * ConstMap(weights, inputs, units).transpose();
    }
  }

 private:
  // y = bias + the sum over the listed non-zero inputs of one event of a flattened sparse batch.
  template <typename Sum>
  void sparse_input_sums(const tensor::Batch& in, std::size_t e, Sum* y) const {
    const int units = info_.spec.units;
    const float* weights = forward_weights_.data();
    std::copy(forward_bias_.begin(), forward_bias_.end(), y);
    const float* x = in.event(e);
    const std::int32_t* where = in.index.data() + e * in.nonzero_stride;
    for (std::size_t k = 0; k < in.nonzero_stride; ++k) {
      if (where[k] < 0) continue;
      const Sum value = x[where[k]];
      if (value == Sum(0)) continue;
      const float* w = weights + static_cast<std::size_t>(where[k]) * units;
      for (int u = 0; u < units; ++u) y[u] += value * Sum(w[u]);
    }
  }

  // QAT with an accumulator wider than float32's 24 bits: exact sums in double (any summation order
  // is exact since every partial sum fits the accumulator), each quantized once to the result type.
  void forward_exact(const tensor::Batch& in, tensor::Batch& out) const {
    const int inputs = info_.input.channels, units = info_.spec.units;
    const auto events = static_cast<Eigen::Index>(in.events);
    out.negative.resize(out.values.size());
    thread_local std::vector<double> sums;
    sums.resize(out.values.size());
    if (in.nonzero_stride > 0) {
      for (std::size_t e = 0; e < in.events; ++e) sparse_input_sums(in, e, sums.data() + e * out.event_size);
    } else {
      using DoubleMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
      const DoubleMatrix x = ConstMap(in.values.data(), events, inputs).cast<double>();
      const DoubleMatrix w = ConstMap(forward_weights_.data(), inputs, units).cast<double>();
      Eigen::Map<DoubleMatrix> y(sums.data(), events, units);
      y.noalias() = x * w;
      y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(forward_bias_.data(), units).cast<double>();
    }
    quantize_exact(sums.data(), sums.size(), out, 0);
  }
};

}  // namespace

std::unique_ptr<Layer> make_dense(const spec::ResolvedLayer& resolved) {
  return std::make_unique<Dense>(resolved);
}

}  // namespace sparsepixels::layers
