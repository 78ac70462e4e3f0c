#pragma once

// Factories of the concrete layers, one source file per layer family (private to src/layers).
#include <memory>

#include "sparsepixels/layers/layer.h"

namespace sparsepixels::layers {

std::unique_ptr<Layer> make_input_reduce(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_conv2d(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_pool(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_sparse_flatten(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_dense(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_activation(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_conv2d(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_pool2d(const model::ResolvedLayer& resolved);
std::unique_ptr<Layer> make_flatten(const model::ResolvedLayer& resolved);

}  // namespace sparsepixels::layers
