#pragma once
// Small private helpers over the HDF5 C++ API: exceptions become sparsepixels::Error naming the file.

#include <H5Cpp.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sparsepixels/error.h"

namespace sparsepixels::data::hdf5 {

/// Silences HDF5's own printing of its error stack (we report errors as exceptions).
void silence_library_errors();

/// Runs `action`; an H5::Exception becomes an Error "FILE: WHAT: detail".
template <class Action>
auto guarded(const std::string& path, const std::string& what, Action&& action) {
  try {
    return std::forward<Action>(action)();
  } catch (const H5::Exception& e) {
    throw Error(path + ": " + what + ": " + e.getDetailMsg());
  }
}

/// File access properties with a chunk cache large enough for chunks of 256 events.
H5::FileAccPropList file_access();

/// Opens an existing file read-only, with a clear error for a missing, truncated or non-HDF5 file.
H5::H5File open_read_only(const std::string& path);

/// Opens dataset `name` ("/group/dataset" or "group/dataset") or throws "FILE: missing dataset NAME".
H5::DataSet open_dataset(const H5::H5File& file, const std::string& path, const std::string& name);

/// The dimensions of a dataset.
std::vector<hsize_t> dimensions(const H5::DataSet& dataset);

/// Reads rows [first, first+count) along dimension 0 of a dataset as `memory_type`, into `out`
/// (resized to count x the product of the other dimensions).
template <class T>
void read_rows(const H5::DataSet& dataset, const H5::PredType& memory_type, std::size_t first,
               std::size_t count, std::vector<T>& out) {
  H5::DataSpace file_space = dataset.getSpace();
  const int rank = file_space.getSimpleExtentNdims();
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  file_space.getSimpleExtentDims(dims.data());
  std::size_t row_size = 1;
  for (int d = 1; d < rank; ++d) row_size *= dims[static_cast<std::size_t>(d)];
  out.resize(count * row_size);
  if (count == 0) return;
  std::vector<hsize_t> start(dims.size(), 0), extent = dims;
  start[0] = first;
  extent[0] = count;
  file_space.selectHyperslab(H5S_SELECT_SET, extent.data(), start.data());
  H5::DataSpace memory_space(rank, extent.data());
  dataset.read(out.data(), memory_type, memory_space, file_space);
}

/// Reads a whole dataset as `memory_type`.
template <class T>
std::vector<T> read_all(const H5::DataSet& dataset, const H5::PredType& memory_type) {
  std::vector<T> out;
  const auto dims = dimensions(dataset);
  if (dims.empty()) {  // a scalar
    out.resize(1);
    dataset.read(out.data(), memory_type);
    return out;
  }
  read_rows(dataset, memory_type, 0, dims[0], out);
  return out;
}

}  // namespace sparsepixels::data::hdf5
