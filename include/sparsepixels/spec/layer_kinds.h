#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>

namespace sparsepixels::spec {

/// Every layer the engine knows. Sparse layers work on slots (reference section 2); the others on
/// dense channel-last tensors. A new kind is one value here and one row in kLayerKinds
/// (layer_kinds.cpp); the compiler (-Werror=switch) then lists every behavioural switch to fill.
enum class LayerKind {
  InputReduce,
  SparseConv2D,
  SparseReLU,
  SparseAvgPool2D,
  SparseMaxPool2D,
  SparseFlatten,
  Dense,
  ReLU,
  Sigmoid,
  Softmax,
  Conv2D,
  AvgPool2D,
  MaxPool2D,
  Flatten,
  SparseBatchNormalization,
};

/// The hardware stage families the estimator costs (docs/estimator.md). Input reduction is built
/// into every sparse design rather than costed as a stage.
enum class StageKind { Conv, Activation, Pool, Flatten, Dense, Softmax, Sigmoid };

/// What a layer's accumulator must hold exactly (reference 11.3).
enum class AccumulatorRule {
  None,      ///< no sum
  Products,  ///< weights x inputs plus a bias: fan-in products, integer bits for fan-in + 1 terms
  PoolSum,   ///< the sum of a pooling cell's inputs (then times the reciprocal, 11.5)
};

/// The properties of one layer kind that other rooms look up instead of switching on the kind.
struct LayerKindInfo {
  LayerKind kind;
  const char* name;                ///< config and model-file spelling ("SparseConv2D")
  bool sparse_input;               ///< reads slots (feat + hash)
  bool sparse_output;              ///< writes slots (feat + hash)
  bool has_parameters;             ///< trainable parameters (weights and biases; batch norm's in its layout)
  AccumulatorRule accumulator;     ///< what its `accum` type holds
  const char* kernel_header;       ///< nnet_utils header of its io_parallel kernel
  const char* stream_header;       ///< nnet_utils header of its io_stream kernel ("" if none)
  std::optional<StageKind> stage;  ///< the estimator's stage family (none: built into the design)
  std::initializer_list<const char*> parameter_files;  ///< weights/ headers, suffixes of the layer id
};

/// The row of `kind` (every kind has one).
const LayerKindInfo& kind_info(LayerKind kind);
/// Every row, in LayerKind order.
std::span<const LayerKindInfo> layer_kinds();

/// The config/model-file spelling of a layer kind ("SparseConv2D").
std::string to_string(LayerKind kind);
/// Parses a layer kind spelling; nullopt if unknown.
std::optional<LayerKind> parse_layer_kind(const std::string& text);

}  // namespace sparsepixels::spec
