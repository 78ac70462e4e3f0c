#include "sparsepixels/spec/layer_kinds.h"

#include <array>

namespace sparsepixels::spec {

namespace {

using Rule = AccumulatorRule;

// One row per kind, in LayerKind order. Columns: kind, spelling, sparse in, sparse out, parameters,
// accumulator, io_parallel kernel header, io_stream kernel header, estimator stage, parameter files.
// clang-format off
const std::array<LayerKindInfo, 15> kLayerKinds{{
    {LayerKind::InputReduce,              "InputReduce",              false, true,  false, Rule::None,     "nnet_sparse_input_reduce.h", "",                         std::nullopt,          {"_threshold"}},
    {LayerKind::SparseConv2D,             "SparseConv2D",             true,  true,  true,  Rule::Products, "nnet_sparse_conv.h",         "",                         StageKind::Conv,       {"_w", "_b"}},
    {LayerKind::SparseReLU,               "SparseReLU",               true,  true,  false, Rule::None,     "nnet_sparse_activation.h",   "",                         StageKind::Activation, {}},
    {LayerKind::SparseAvgPool2D,          "SparseAvgPool2D",          true,  true,  false, Rule::PoolSum,  "nnet_sparse_pool.h",         "",                         StageKind::Pool,       {}},
    {LayerKind::SparseMaxPool2D,          "SparseMaxPool2D",          true,  true,  false, Rule::None,     "nnet_sparse_pool.h",         "",                         StageKind::Pool,       {}},
    {LayerKind::SparseFlatten,            "SparseFlatten",            true,  false, false, Rule::None,     "nnet_sparse_flatten.h",      "",                         StageKind::Flatten,    {}},
    {LayerKind::Dense,                    "Dense",                    false, false, true,  Rule::Products, "nnet_dense.h",               "",                         StageKind::Dense,      {"_w", "_b"}},
    {LayerKind::ReLU,                     "ReLU",                     false, false, false, Rule::None,     "nnet_activation.h",          "nnet_activation_stream.h", StageKind::Activation, {}},
    {LayerKind::Sigmoid,                  "Sigmoid",                  false, false, false, Rule::None,     "nnet_activation.h",          "",                         StageKind::Sigmoid,    {"_table"}},
    {LayerKind::Softmax,                  "Softmax",                  false, false, false, Rule::None,     "nnet_activation.h",          "",                         StageKind::Softmax,    {"_exp_table", "_inv_table"}},
    {LayerKind::Conv2D,                   "Conv2D",                   false, false, true,  Rule::Products, "",                           "nnet_conv2d_stream.h",     StageKind::Conv,       {"_w", "_b"}},
    {LayerKind::AvgPool2D,                "AvgPool2D",                false, false, false, Rule::PoolSum,  "",                           "nnet_pooling_stream.h",    StageKind::Pool,       {}},
    {LayerKind::MaxPool2D,                "MaxPool2D",                false, false, false, Rule::None,     "",                           "nnet_pooling_stream.h",    StageKind::Pool,       {}},
    {LayerKind::Flatten,                  "Flatten",                  false, false, false, Rule::None,     "",                           "nnet_flatten_stream.h",    StageKind::Flatten,    {}},
    {LayerKind::SparseBatchNormalization, "SparseBatchNormalization", true,  true,  true,  Rule::Products, "nnet_sparse_batchnorm.h",    "",                         StageKind::Activation, {"_s", "_b"}},
}};
// clang-format on

}  // namespace

const LayerKindInfo& kind_info(LayerKind kind) {
  // Rows are in LayerKind order; tests/spec/layer_kinds_test.cpp checks that every row names its own kind.
  return kLayerKinds[static_cast<std::size_t>(kind)];
}

std::span<const LayerKindInfo> layer_kinds() {
  return kLayerKinds;
}

std::string to_string(LayerKind kind) {
  return kind_info(kind).name;
}

std::optional<LayerKind> parse_layer_kind(const std::string& text) {
  for (const LayerKindInfo& row : kLayerKinds) {
    if (text == row.name) return row.kind;
  }
  return std::nullopt;
}

}  // namespace sparsepixels::spec
