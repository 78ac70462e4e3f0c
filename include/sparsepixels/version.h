#pragma once

namespace sparsepixels {

/// The library's version string ("MAJOR.MINOR.PATCH"), recorded in model files and generated projects.
const char* version();

}  // namespace sparsepixels
