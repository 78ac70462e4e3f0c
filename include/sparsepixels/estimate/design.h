#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/estimate/weight_digits.h"
#include "sparsepixels/spec/layer_kinds.h"

namespace sparsepixels::estimate {

/// How the network is built in hardware: the sparse SparsePixels pipeline (input reduction to N
/// slots, fully unrolled layers) or the standard hls4ml io_stream baseline (one pixel per cycle).
enum class Architecture { Sparse, StandardStream };

/// How input reduction chooses its N pixels (reference section 3.1 and issue 3).
enum class SelectionPolicy { Raster, TopK };

/// The stage families the estimator knows (each model layer kind names its stage in spec's table).
using spec::StageKind;

/// Average or max pooling.
enum class PoolKind { Average, Max };

/// One layer of a described design: its sizes and the bit widths of its data path.
/// Input sizes are not stored: they follow from the design's input and the layers before.
struct StageSpec {
  StageKind kind = StageKind::Activation;
  std::string name;
  int kernel_size = 0;  ///< Conv: K (odd), square kernel
  int filters = 0;      ///< Conv: F
  int pool_height = 0;  ///< Pool: p_h
  int pool_width = 0;   ///< Pool: p_w
  PoolKind pool_kind = PoolKind::Average;
  int units = 0;        ///< Dense: n_out
  int weight_bits = 0;  ///< Conv, Dense: width of weights and biases
  /// Conv, Dense: fraction bits of the weight type (its resolution is 2^-fraction); absent:
  /// weight_bits - 1, i.e. ap_fixed<weight_bits, 1> (the finest resolution for weights in [-1, 1)).
  std::optional<int> weight_fraction_bits;
  /// Conv (streaming), Dense: digit statistics of the constant weights when they are known (a trained
  /// model); absent: the expectation for Glorot-uniform weights of the layer in its weight type.
  std::optional<WeightDigits> weight_digits;
  int result_bits = 0;       ///< width of the layer's output; 0 = the width of its input
  int accumulator_bits = 0;  ///< Conv, Dense, Pool: 0 = the exact accumulator of section 11.3
  int table_bits = 18;       ///< Softmax, Sigmoid: width of the lookup-table entries
  int table_size = 1024;     ///< Softmax, Sigmoid: entries per lookup table
};

/// A design to estimate: input, architecture, layers, bit widths, clock and part.
/// This is the plain description an `estimate` command maps a model or config onto.
struct DesignSpec {
  std::string name;
  Architecture architecture = Architecture::Sparse;
  int height = 0;
  int width = 0;
  int channels = 1;
  int n_active = 0;  ///< N, the number of active-pixel slots (sparse only)
  SelectionPolicy selection = SelectionPolicy::Raster;
  int input_bits = 8;  ///< width of the input type
  std::vector<StageSpec> layers;
  double clock_ns = 5.0;
  double clock_uncertainty = 0.27;  ///< fraction of the period (reference: 27% sparse, 12.5% standard)
  std::string part = "xcu250-figd2104-2L-e";
};

/// Builders for the layer list (the widths are those of the layer's weights and result).
StageSpec conv_layer(std::string name, int kernel_size, int filters, int weight_bits, int result_bits);
StageSpec relu_layer(std::string name, int result_bits = 0);
StageSpec pool_layer(std::string name, int pool_size, PoolKind kind = PoolKind::Average, int result_bits = 0);
StageSpec flatten_layer(std::string name);
StageSpec dense_layer(std::string name, int units, int weight_bits, int result_bits);
StageSpec softmax_layer(std::string name, int result_bits = 16);
StageSpec sigmoid_layer(std::string name, int result_bits = 16);

/// The shape and widths seen by one layer after propagation through the design.
struct LayerShape {
  int height = 0, width = 0, channels = 0;  ///< spatial input shape (before flatten)
  int inputs = 0;                           ///< flat input count (after flatten): dense n_in
  int outputs = 0;                          ///< flat output count of flatten/dense/softmax/sigmoid
  bool flat = false;                        ///< true once the data is a flat vector
  int input_bits = 0;
  int result_bits = 0;
  int accumulator_bits = 0;  ///< the accumulator used (given or exact)
};

/// Checks the design (sizes positive, odd kernels, layer order) and returns the shape each layer
/// sees. Throws sparsepixels::Error naming the design, the layer and the field.
std::vector<LayerShape> propagate_shapes(const DesignSpec& design);

/// Bits of an exact accumulator (section 11.3) for fan_in products of a and b bit operands plus a
/// bias: a + b + ceil(log2(fan_in + 1)).
int exact_accumulator_bits(int a_bits, int b_bits, int fan_in);

/// Bits of a slot coordinate: ceil(log2(max(H, W) + 1)) (reference section 2).
int coordinate_bits(int height, int width);

/// The digit statistics the estimator uses for a constant-weight layer with fan_in inputs and
/// fan_out outputs per weight (dense: n_in, n_out; conv: K*K*C, K*K*F): layer.weight_digits when
/// given, else glorot_weight_digits in the layer's weight type.
WeightDigits constant_weight_digits(const StageSpec& layer, int fan_in, int fan_out);

}  // namespace sparsepixels::estimate
