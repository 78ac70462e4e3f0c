#include "hdf5_access.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "sparsepixels/data/hdf5_check.h"

namespace sparsepixels::data::hdf5 {

void silence_library_errors() {
  static const bool silenced = [] {
    H5::Exception::dontPrint();
    return true;
  }();
  (void)silenced;
}

H5::FileAccPropList file_access() {
  // A chunk cache of 64 MB holds several chunks of 256 events (2-4 MB each), so reading or appending in
  // pieces that do not fall on chunk boundaries does not decompress the same chunk again and again.
  H5::FileAccPropList properties;
  properties.setCache(0, 1009, 64u << 20, 0.75);
  return properties;
}

H5::H5File open_read_only(const std::string& path) {
  silence_library_errors();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw Error(path + ": no such file");
  if (std::filesystem::is_directory(path, error)) throw Error(path + ": is a directory, not an HDF5 file");
  try {
    if (!H5::H5File::isHdf5(path.c_str())) throw Error(path + ": not an HDF5 file (or truncated)");
    check_hdf5_file(path);
    return H5::H5File(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, file_access());
  } catch (const H5::Exception& e) {
    throw Error(path + ": cannot open as HDF5 (truncated or corrupt?): " + e.getDetailMsg());
  }
}

H5::DataSet open_dataset(const H5::H5File& file, const std::string& path, const std::string& name) {
  // Check each link along the path so a missing group is reported as such.
  std::string prefix;
  std::size_t start = name.front() == '/' ? 1 : 0;
  while (start <= name.size()) {
    const std::size_t slash = name.find('/', start);
    const std::string part =
        name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    prefix += "/" + part;
    const bool exists = guarded(path, "checking " + prefix,
                                [&] { return H5Lexists(file.getId(), prefix.c_str(), H5P_DEFAULT) > 0; });
    if (!exists) {
      const bool is_last = slash == std::string::npos;
      throw Error(path + ": missing " + (is_last ? "dataset " : "group ") + prefix);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return guarded(path, "opening dataset " + prefix, [&] { return file.openDataSet(prefix); });
}

std::vector<hsize_t> dimensions(const H5::DataSet& dataset) {
  H5::DataSpace space = dataset.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  if (!dims.empty()) space.getSimpleExtentDims(dims.data());
  return dims;
}

}  // namespace sparsepixels::data::hdf5
