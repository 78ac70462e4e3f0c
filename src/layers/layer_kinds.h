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

}  // namespace sparsepixels::layers
