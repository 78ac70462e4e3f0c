#pragma once
// Untrusted HDF5 files: libhdf5 1.10.8 itself can crash or hang on corrupt metadata, so every file a
// command reads is first opened and walked in a child process with a time limit (util::run_isolated).
// The walk reads what the readers will touch and more: every group, every dataset's type, shape,
// layout and filters, every attribute's value, and each chunked dataset's number of stored chunks
// (a dataset declaring more rows than its chunks hold is refused: it would read fill values for as
// long as it declares). docs/limits.md lists the limits.

#include <chrono>
#include <string>

#include "sparsepixels/limits.h"

namespace sparsepixels::data {

/// The time a check may take: limits::kHdf5CheckSeconds, or the environment variable
/// SPARSEPIXELS_HDF5_CHECK_SECONDS (a whole number from 1 to 3600; anything else is an Error naming it).
std::chrono::milliseconds hdf5_check_limit();

/// Checks the file at `path` (each time: a file can change between two reads); throws
/// sparsepixels::Error "PATH: ..." when the file is not HDF5, its metadata are refused, or libhdf5
/// crashed or hung on it.
void check_hdf5_file(const std::string& path, std::chrono::milliseconds limit = hdf5_check_limit());

/// The same check for an HDF5 file image in memory (a `.keras` archive's weights); `origin` names it in
/// the error.
void check_hdf5_image(const std::string& bytes, const std::string& origin,
                      std::chrono::milliseconds limit = hdf5_check_limit());

}  // namespace sparsepixels::data
