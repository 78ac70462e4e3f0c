#pragma once

// Factories of the concrete layers, one source file per layer family (private to src/layers).
#include <memory>

#include "sparsepixels/layers/layer.h"

namespace sparsepixels::layers {

std::unique_ptr<Layer> make_input_reduce(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_conv2d(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_pool(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_flatten(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_dense(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_relu(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sigmoid(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_softmax(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_conv2d(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_pool2d(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_flatten(const spec::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_batchnorm(const spec::ResolvedLayer& resolved);

/// Folds the batch normalization `batchnorm` into `weights` and `bias` of the layer before it (output
/// channel fastest, as HWIO convolution weights are): w * scale and beta + (b - mean) * scale per
/// channel, scale = gamma / sqrt(variance + epsilon), each computed in double and rounded once to float.
/// The mean and variance are those of the active slots of `unfolded` (one batch of the layer's outputs
/// before the fold) or, when null, the moving ones.
void fold_batchnorm(const Layer& batchnorm, const std::vector<float>* unfolded, std::vector<float>& weights,
                    std::vector<float>& bias);

}  // namespace sparsepixels::layers
