// The dataset file: HDF5 groups train/val/test with x (float32 N,H,W,C) or hit lists (offsets, coords,
// values), and y (int32 N); root attributes.
#include "sparsepixels/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "hdf5_access.h"
#include "sparsepixels/error.h"
#include "sparsepixels/tensor/batch.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::data {
namespace {

constexpr hsize_t kChunkEvents = 256;
constexpr int kGzipLevel = 4;
// Sparse layout: offsets in chunks of 4,096 events, hits in chunks of about 256 kB of values.
constexpr hsize_t kOffsetChunk = 4096;
constexpr std::size_t kHitChunkValues = 65536;
// Coordinates are stored as uint16 while both sides are at most this, as uint32 above.
constexpr std::size_t kMaxUint16Side = 65535;

const H5::StrType& string_type() {
  static const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  return type;
}

// --- root attributes ---

H5::Attribute open_attribute(const H5::Group& root, const std::string& path, const std::string& name) {
  if (!hdf5::guarded(path, "checking attribute " + name, [&] { return root.attrExists(name); })) {
    throw Error(path + ": missing root attribute '" + name + "'");
  }
  return hdf5::guarded(path, "opening attribute " + name, [&] { return root.openAttribute(name); });
}

std::size_t attribute_element_count(const H5::Attribute& attribute) {
  H5::DataSpace space = attribute.getSpace();
  return static_cast<std::size_t>(space.getSimpleExtentNpoints());
}

std::string read_string_attribute(const H5::Group& root, const std::string& path, const std::string& name) {
  H5::Attribute attribute = open_attribute(root, path, name);
  return hdf5::guarded(path, "reading attribute " + name, [&] {
    if (attribute.getTypeClass() != H5T_STRING || attribute_element_count(attribute) != 1) {
      throw Error(path + ": root attribute '" + name + "' must be one string");
    }
    const H5::StrType file_type = attribute.getStrType();
    if (file_type.isVariableStr()) {
      // Read as a C string: the C++ API's std::string read crashes on a null string (a corrupt file).
      char* text = nullptr;
      attribute.read(string_type(), static_cast<void*>(&text));
      std::string value = text == nullptr ? "" : text;
      H5free_memory(text);
      return value;
    }
    std::string value(file_type.getSize(), '\0');
    attribute.read(file_type, value.data());
    value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
    return value;
  });
}

double read_number_attribute(const H5::Group& root, const std::string& path, const std::string& name) {
  H5::Attribute attribute = open_attribute(root, path, name);
  return hdf5::guarded(path, "reading attribute " + name, [&] {
    const H5T_class_t type_class = attribute.getTypeClass();
    if ((type_class != H5T_FLOAT && type_class != H5T_INTEGER) || attribute_element_count(attribute) != 1) {
      throw Error(path + ": root attribute '" + name + "' must be one number");
    }
    double value = 0;
    attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
    return value;
  });
}

std::size_t read_size_attribute(const H5::Group& root, const std::string& path, const std::string& name) {
  const double value = read_number_attribute(root, path, name);
  if (!(value >= 1) || value != std::floor(value) || value > 1e9) {
    throw Error(path + ": root attribute '" + name + "' must be a positive integer, got " +
                std::to_string(value));
  }
  return static_cast<std::size_t>(value);
}

std::vector<std::string> read_string_list_attribute(const H5::Group& root, const std::string& path,
                                                    const std::string& name) {
  H5::Attribute attribute = open_attribute(root, path, name);
  return hdf5::guarded(path, "reading attribute " + name, [&] {
    if (attribute.getTypeClass() != H5T_STRING || !attribute.getStrType().isVariableStr()) {
      throw Error(path + ": root attribute '" + name + "' must be a list of variable-length strings");
    }
    const std::size_t count = attribute_element_count(attribute);
    std::vector<char*> raw(count, nullptr);
    if (count > 0) attribute.read(string_type(), raw.data());
    std::vector<std::string> values;
    for (char* text : raw) {
      values.emplace_back(text == nullptr ? "" : text);
      H5free_memory(text);
    }
    return values;
  });
}

void write_string_attribute(H5::Group& root, const std::string& name, const std::string& value) {
  H5::Attribute attribute = root.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR));
  attribute.write(string_type(), value);
}

template <class T>
void write_scalar_attribute(H5::Group& root, const std::string& name, const H5::PredType& file_type,
                            const H5::PredType& memory_type, T value) {
  H5::Attribute attribute = root.createAttribute(name, file_type, H5::DataSpace(H5S_SCALAR));
  attribute.write(memory_type, &value);
}

void write_string_list_attribute(H5::Group& root, const std::string& name,
                                 const std::vector<std::string>& values) {
  const hsize_t count = values.size();
  H5::DataSpace space(1, &count);
  H5::Attribute attribute = root.createAttribute(name, string_type(), space);
  std::vector<const char*> raw;
  for (const std::string& value : values) raw.push_back(value.c_str());
  if (!raw.empty()) attribute.write(string_type(), raw.data());
}

// --- split validation ---

struct SplitDatasets {
  H5::DataSet x, y;                     // x: dense layout only
  H5::DataSet offsets, coords, values;  // sparse layout only
  std::size_t size = 0;
  std::uint64_t hits = 0;  // sparse: the number of stored hits
};

void check_split_name(const std::string& path, const std::string& split) {
  const auto& names = split_names();
  if (std::find(names.begin(), names.end(), split) == names.end()) {
    throw Error(path + ": unknown split '" + split + "' (expected train, val or test)");
  }
}

SplitDatasets open_dense_split(const H5::H5File& file, const std::string& path, const std::string& split,
                               const DatasetInfo& info) {
  SplitDatasets result;
  const auto exists = [&](const std::string& name) {
    return hdf5::guarded(path, "checking " + name, [&] {
      return H5Lexists(file.getId(), ("/" + split).c_str(), H5P_DEFAULT) > 0 &&
             H5Lexists(file.getId(), name.c_str(), H5P_DEFAULT) > 0;
    });
  };
  // A file of hit lists written without the `layout` attribute (e.g. by hand with h5py): say what is missing.
  if (!exists("/" + split + "/x") && exists("/" + split + "/offsets")) {
    throw Error(path + ": missing dataset /" + split + "/x, but /" + split +
                "/offsets exists: a file of hit lists needs the root attribute layout = 'sparse'");
  }
  result.x = hdf5::open_dataset(file, path, "/" + split + "/x");
  result.y = hdf5::open_dataset(file, path, "/" + split + "/y");
  const std::string x_name = "/" + split + "/x", y_name = "/" + split + "/y";
  hdf5::guarded(path, "checking " + x_name, [&] {
    if (result.x.getTypeClass() != H5T_FLOAT || result.x.getFloatType().getSize() != 4) {
      throw Error(path + ": dataset " + x_name + " must be float32");
    }
    if (result.y.getTypeClass() != H5T_INTEGER || result.y.getIntType().getSize() != 4 ||
        result.y.getIntType().getSign() != H5T_SGN_2) {
      throw Error(path + ": dataset " + y_name + " must be int32");
    }
  });
  const auto x_dims =
      hdf5::guarded(path, "reading shape of " + x_name, [&] { return hdf5::dimensions(result.x); });
  const auto y_dims =
      hdf5::guarded(path, "reading shape of " + y_name, [&] { return hdf5::dimensions(result.y); });
  if (x_dims.size() != 4) {
    throw Error(path + ": dataset " + x_name + " must have rank 4 (N,H,W,C), has rank " +
                std::to_string(x_dims.size()));
  }
  if (y_dims.size() != 1) {
    throw Error(path + ": dataset " + y_name + " must have rank 1 (N), has rank " +
                std::to_string(y_dims.size()));
  }
  if (x_dims[1] != info.height || x_dims[2] != info.width || x_dims[3] != info.channels) {
    throw Error(path + ": dataset " + x_name + " has shape (" + std::to_string(x_dims[0]) + "," +
                std::to_string(x_dims[1]) + "," + std::to_string(x_dims[2]) + "," +
                std::to_string(x_dims[3]) + ") but the root attributes say H=" + std::to_string(info.height) +
                " W=" + std::to_string(info.width) + " C=" + std::to_string(info.channels));
  }
  if (x_dims[0] != y_dims[0]) {
    throw Error(path + ": split " + split + " has " + std::to_string(x_dims[0]) + " events in x but " +
                std::to_string(y_dims[0]) + " labels in y");
  }
  result.size = x_dims[0];
  return result;
}

bool is_integer(const H5::DataSet& dataset, std::size_t size, H5T_sign_t sign) {
  return dataset.getTypeClass() == H5T_INTEGER && dataset.getIntType().getSize() == size &&
         dataset.getIntType().getSign() == sign;
}

// Opens and checks a sparse split's datasets and how their sizes agree, reading only the first and the
// last offset (the events' offsets are checked as they are read).
SplitDatasets open_sparse_split(const H5::H5File& file, const std::string& path, const std::string& split,
                                const DatasetInfo& info) {
  SplitDatasets result;
  const std::string prefix = "/" + split + "/";
  result.offsets = hdf5::open_dataset(file, path, prefix + "offsets");
  result.coords = hdf5::open_dataset(file, path, prefix + "coords");
  result.values = hdf5::open_dataset(file, path, prefix + "values");
  result.y = hdf5::open_dataset(file, path, prefix + "y");
  hdf5::guarded(path, "checking " + prefix, [&] {
    if (!is_integer(result.offsets, 8, H5T_SGN_2))
      throw Error(path + ": dataset " + prefix + "offsets must be int64");
    if (!is_integer(result.coords, 2, H5T_SGN_NONE) && !is_integer(result.coords, 4, H5T_SGN_NONE))
      throw Error(path + ": dataset " + prefix + "coords must be uint16 or uint32");
    if (result.values.getTypeClass() != H5T_FLOAT || result.values.getFloatType().getSize() != 4)
      throw Error(path + ": dataset " + prefix + "values must be float32");
    if (!is_integer(result.y, 4, H5T_SGN_2)) throw Error(path + ": dataset " + prefix + "y must be int32");
  });
  const auto dims = [&](const H5::DataSet& dataset, const std::string& name) {
    return hdf5::guarded(path, "reading shape of " + prefix + name,
                         [&] { return hdf5::dimensions(dataset); });
  };
  const auto offsets_dims = dims(result.offsets, "offsets"), coords_dims = dims(result.coords, "coords"),
             values_dims = dims(result.values, "values"), y_dims = dims(result.y, "y");
  if (offsets_dims.size() != 1 || offsets_dims[0] < 1)
    throw Error(path + ": dataset " + prefix + "offsets must have rank 1 and at least one element (N+1)");
  if (coords_dims.size() != 2 || coords_dims[1] != 2)
    throw Error(path + ": dataset " + prefix + "coords must have shape (hits, 2)");
  if (values_dims.size() != 2 || values_dims[1] != info.channels)
    throw Error(path + ": dataset " + prefix + "values must have shape (hits, " +
                std::to_string(info.channels) + ") for C=" + std::to_string(info.channels));
  if (y_dims.size() != 1)
    throw Error(path + ": dataset " + prefix + "y must have rank 1 (N), has rank " +
                std::to_string(y_dims.size()));
  if (offsets_dims[0] != y_dims[0] + 1) {
    throw Error(path + ": split " + split + " has " + std::to_string(offsets_dims[0]) + " offsets for " +
                std::to_string(y_dims[0]) + " labels in y (offsets must hold events + 1)");
  }
  if (coords_dims[0] != values_dims[0]) {
    throw Error(path + ": split " + split + " has " + std::to_string(coords_dims[0]) +
                " hits in coords but " + std::to_string(values_dims[0]) + " in values");
  }
  result.size = y_dims[0];
  result.hits = coords_dims[0];
  std::vector<std::int64_t> first, last;
  hdf5::guarded(path, "reading " + prefix + "offsets", [&] {
    hdf5::read_rows(result.offsets, H5::PredType::NATIVE_INT64, 0, 1, first);
    hdf5::read_rows(result.offsets, H5::PredType::NATIVE_INT64, result.size, 1, last);
  });
  const std::string where = path + ": split " + split + ": ";
  if (first[0] != 0) throw Error(where + "offsets start at " + std::to_string(first[0]) + ", not 0");
  if (last[0] < 0 || static_cast<std::uint64_t>(last[0]) != result.hits) {
    throw Error(where + "offsets end at " + std::to_string(last[0]) + " but the split stores " +
                std::to_string(result.hits) + " hits");
  }
  return result;
}

SplitDatasets open_split(const H5::H5File& file, const std::string& path, const std::string& split,
                         const DatasetInfo& info) {
  check_split_name(path, split);
  switch (info.layout) {
    case DatasetLayout::dense:
      return open_dense_split(file, path, split, info);
    case DatasetLayout::sparse:
      return open_sparse_split(file, path, split, info);
  }
  throw Error(path + ": unknown layout");
}

DatasetInfo read_info(const H5::H5File& file, const std::string& path) {
  H5::Group root = hdf5::guarded(path, "opening root group", [&] { return file.openGroup("/"); });
  const double version = read_number_attribute(root, path, "format_version");
  if (version != kDatasetFormatVersion) {
    throw Error(path + ": root attribute 'format_version' is " + std::to_string(version) +
                ", this build reads " + std::to_string(kDatasetFormatVersion));
  }
  DatasetInfo info;
  info.source = read_string_attribute(root, path, "source");
  info.transform = read_string_attribute(root, path, "transform");
  info.threshold = read_number_attribute(root, path, "threshold");
  info.class_names = read_string_list_attribute(root, path, "class_names");
  if (info.class_names.empty()) throw Error(path + ": root attribute 'class_names' is empty");
  info.height = read_size_attribute(root, path, "height");
  info.width = read_size_attribute(root, path, "width");
  info.channels = read_size_attribute(root, path, "channels");
  // Files written before the sparse layout have no `layout` attribute: they are dense.
  if (hdf5::guarded(path, "checking attribute layout", [&] { return root.attrExists("layout"); })) {
    info.layout =
        parse_layout(read_string_attribute(root, path, "layout"), path + ": root attribute 'layout'");
  }
  for (const std::string& split : split_names())
    info.split_sizes[split] = open_split(file, path, split, info).size;
  return info;
}

// Checks values read from (or about to be written to) a file.
void check_values(const std::string& path, const std::string& split, const Split& events,
                  std::size_t first_event, std::size_t class_count) {
  const std::size_t event_size = events.event_size();
  for (std::size_t i = 0; i < events.x.size(); ++i) {
    if (!std::isfinite(events.x[i])) {
      const std::size_t event = first_event + i / event_size;
      throw Error(path + ": dataset /" + split + "/x: event " + std::to_string(event) +
                  " holds a non-finite value (" + std::to_string(events.x[i]) + ")");
    }
  }
  for (std::size_t i = 0; i < events.y.size(); ++i) {
    if (events.y[i] < 0 || static_cast<std::size_t>(events.y[i]) >= class_count) {
      throw Error(path + ": dataset /" + split + "/y: label " + std::to_string(events.y[i]) + " of event " +
                  std::to_string(first_event + i) + " is outside [0, " + std::to_string(class_count) + ")");
    }
  }
}

// Checks hit values and labels read from (or about to be written to) a file.
void check_hit_values(const std::string& path, const std::string& split, const HitSplit& events,
                      std::size_t first_event, std::size_t class_count) {
  const std::size_t channels = std::max<std::size_t>(events.channels, 1);
  for (std::size_t i = 0; i < events.values.size(); ++i) {
    if (!std::isfinite(events.values[i])) {
      const auto hit = static_cast<std::int64_t>(i / channels);
      const auto event = static_cast<std::size_t>(
          std::upper_bound(events.offsets.begin(), events.offsets.end(), hit) - events.offsets.begin() - 1);
      throw Error(path + ": dataset /" + split + "/values: event " + std::to_string(first_event + event) +
                  " holds a non-finite value (" + std::to_string(events.values[i]) + ")");
    }
  }
  Split labels;
  labels.y = events.y;
  check_values(path, split, labels, first_event, class_count);
}

// Checks that the arrays of in-memory hit lists agree in size, then validates offsets and coordinates.
void validate_hits(const HitSource& source, const HitSplit& events) {
  const std::string where = source.path + ": split " + source.split + ": ";
  if (events.height == 0 || events.width == 0 || events.channels == 0)
    throw Error(where + "hit lists with an empty event shape");
  if (events.offsets.size() != events.y.size() + 1) {
    throw Error(where + std::to_string(events.offsets.size()) + " offsets for " +
                std::to_string(events.y.size()) + " labels (offsets must hold events + 1)");
  }
  if (events.offsets.front() != 0)
    throw Error(where + "offsets start at " + std::to_string(events.offsets.front()) + ", not 0");
  const std::uint64_t stored = events.coords.size() / 2;
  if (events.coords.size() % 2 != 0 || events.values.size() != stored * events.channels) {
    throw Error(where + std::to_string(events.coords.size()) + " coordinates and " +
                std::to_string(events.values.size()) + " values do not describe the same hits");
  }
  HitSource rebased = source;
  rebased.first_event = 0;  // offsets[0] is 0 here, whatever the file position
  validate_hit_offsets(rebased, events.offsets.data(), events.size(), stored,
                       static_cast<std::uint64_t>(events.height) * events.width, true);
  validate_hit_coordinates(source, events.offsets.data(), events.size(), events.coords.data(), events.height,
                           events.width);
}

// Places validated hit lists into dense events.
Split scatter(const HitSplit& events) {
  Split dense;
  dense.height = events.height;
  dense.width = events.width;
  dense.channels = events.channels;
  dense.y = events.y;
  dense.x.resize(events.size() * dense.event_size());
  const tensor::HitEvents hits{events.offsets.data(), events.coords.data(), events.values.data(),
                               events.size()};
  tensor::scatter_hits(hits, events.width, events.channels, dense.event_size(), dense.x.data());
  return dense;
}

HitSplit read_sparse_events(const SplitDatasets& datasets, const DatasetInfo& info, const std::string& path,
                            const std::string& split, std::size_t first, std::size_t count) {
  HitSplit events;
  events.height = info.height;
  events.width = info.width;
  events.channels = info.channels;
  const std::string prefix = "/" + split + "/";
  hdf5::guarded(path, "reading " + prefix + "offsets", [&] {
    hdf5::read_rows(datasets.offsets, H5::PredType::NATIVE_INT64, first, count + 1, events.offsets);
  });
  const HitSource source{path, split, first};
  validate_hit_offsets(source, events.offsets.data(), count, datasets.hits,
                       static_cast<std::uint64_t>(info.height) * info.width, first + count == datasets.size);
  const auto first_hit = static_cast<std::size_t>(events.offsets.front());
  const auto hits = static_cast<std::size_t>(events.offsets.back()) - first_hit;
  hdf5::guarded(path, "reading " + prefix + "coords", [&] {
    hdf5::read_rows(datasets.coords, H5::PredType::NATIVE_UINT32, first_hit, hits, events.coords);
  });
  validate_hit_coordinates(source, events.offsets.data(), count, events.coords.data(), info.height,
                           info.width);
  hdf5::guarded(path, "reading " + prefix + "values and y", [&] {
    hdf5::read_rows(datasets.values, H5::PredType::NATIVE_FLOAT, first_hit, hits, events.values);
    hdf5::read_rows(datasets.y, H5::PredType::NATIVE_INT32, first, count, events.y);
  });
  for (std::int64_t& offset : events.offsets) offset -= static_cast<std::int64_t>(first_hit);
  check_hit_values(path, split, events, first, info.class_names.size());
  return events;
}

Split read_events(const SplitDatasets& datasets, const DatasetInfo& info, const std::string& path,
                  const std::string& split, std::size_t first, std::size_t count) {
  if (info.layout == DatasetLayout::sparse)
    return scatter(read_sparse_events(datasets, info, path, split, first, count));
  Split events;
  events.height = info.height;
  events.width = info.width;
  events.channels = info.channels;
  hdf5::guarded(path, "reading /" + split, [&] {
    hdf5::read_rows(datasets.x, H5::PredType::NATIVE_FLOAT, first, count, events.x);
    hdf5::read_rows(datasets.y, H5::PredType::NATIVE_INT32, first, count, events.y);
  });
  check_values(path, split, events, first, info.class_names.size());
  return events;
}

// The range [first, first+count) of a split of `size` events, count 0 = to the end; throws when outside.
std::size_t checked_count(const std::string& path, const std::string& split, std::size_t size,
                          std::size_t first, std::size_t count) {
  if (first > size) {
    throw Error(path + ": split " + split + " has " + std::to_string(size) + " events, cannot start at " +
                std::to_string(first));
  }
  if (count == 0) count = size - first;
  if (count > size - first) {
    throw Error(path + ": split " + split + " has " + std::to_string(size) + " events, cannot read " +
                std::to_string(count) + " from " + std::to_string(first));
  }
  return count;
}

// Writes `count` rows of `row_size` values at row `first` of a dataset of rank 1 (row_size 1) or 2, extending
// it.
template <class T>
void append_rows(H5::DataSet& dataset, const H5::PredType& memory_type, hsize_t first, hsize_t count,
                 hsize_t row_size, const T* rows) {
  if (count == 0) return;
  const int rank = dataset.getSpace().getSimpleExtentNdims();
  const hsize_t new_dims[2] = {first + count, row_size}, start[2] = {first, 0}, extent[2] = {count, row_size};
  dataset.extend(new_dims);
  H5::DataSpace file_space = dataset.getSpace();
  file_space.selectHyperslab(H5S_SELECT_SET, extent, start);
  dataset.write(rows, memory_type, H5::DataSpace(rank, extent), file_space);
}

}  // namespace

void require_event_shape(const std::string& data_path, const EventShape& data, const std::string& model_path,
                         const EventShape& model) {
  if (data == model) return;
  auto text = [](const EventShape& shape) {
    return std::to_string(shape.height) + "x" + std::to_string(shape.width) + "x" +
           std::to_string(shape.channels);
  };
  throw Error(data_path + ": events are " + text(data) + " (height x width x channels) but the model " +
              model_path + " takes " + text(model));
}

DatasetInfo read_dataset_info(const std::string& path) {
  const H5::H5File file = hdf5::open_read_only(path);
  return read_info(file, path);
}

Split read_split(const std::string& path, const std::string& split, std::size_t first, std::size_t count) {
  check_split_name(path, split);
  const H5::H5File file = hdf5::open_read_only(path);
  const DatasetInfo info = read_info(file, path);
  const SplitDatasets datasets = open_split(file, path, split, info);
  count = checked_count(path, split, datasets.size, first, count);
  return read_events(datasets, info, path, split, first, count);
}

HitSplit read_hit_split(const std::string& path, const std::string& split, std::size_t first,
                        std::size_t count) {
  check_split_name(path, split);
  const H5::H5File file = hdf5::open_read_only(path);
  const DatasetInfo info = read_info(file, path);
  const SplitDatasets datasets = open_split(file, path, split, info);
  count = checked_count(path, split, datasets.size, first, count);
  if (info.layout == DatasetLayout::sparse)
    return read_sparse_events(datasets, info, path, split, first, count);
  return to_hits(read_events(datasets, info, path, split, first, count));
}

std::string layout_name(DatasetLayout layout) {
  switch (layout) {
    case DatasetLayout::dense:
      return "dense";
    case DatasetLayout::sparse:
      return "sparse";
  }
  return "unknown";
}

DatasetLayout parse_layout(const std::string& text, const std::string& where) {
  if (text == "dense") return DatasetLayout::dense;
  if (text == "sparse") return DatasetLayout::sparse;
  throw Error(where + ": layout must be 'dense' or 'sparse', got '" + text.substr(0, 40) + "'");
}

void validate_hit_offsets(const HitSource& source, const std::int64_t* offsets, std::size_t events,
                          std::uint64_t stored_hits, std::uint64_t pixels, bool ends_split) {
  const auto where = [&](std::size_t event) {
    return source.path + ": split " + source.split + ", event " + std::to_string(source.first_event + event) +
           ": ";
  };
  if (source.first_event == 0 && offsets[0] != 0)
    throw Error(where(0) + "offsets start at " + std::to_string(offsets[0]) + ", not 0");
  if (offsets[0] < 0 || static_cast<std::uint64_t>(offsets[0]) > stored_hits) {
    throw Error(where(0) + "offset " + std::to_string(offsets[0]) + " is outside the " +
                std::to_string(stored_hits) + " stored hits");
  }
  for (std::size_t event = 0; event < events; ++event) {
    const std::int64_t begin = offsets[event], end = offsets[event + 1];
    if (end < begin) {
      throw Error(where(event) + "offsets decrease (from " + std::to_string(begin) + " to " +
                  std::to_string(end) + ")");
    }
    if (static_cast<std::uint64_t>(end) > stored_hits) {
      throw Error(where(event) + "hits end at " + std::to_string(end) + ", beyond the " +
                  std::to_string(stored_hits) + " stored hits");
    }
    if (static_cast<std::uint64_t>(end - begin) > pixels) {
      throw Error(where(event) + "holds " + std::to_string(end - begin) + " hits, more than its " +
                  std::to_string(pixels) + " pixels");
    }
  }
  if (ends_split && static_cast<std::uint64_t>(offsets[events]) != stored_hits) {
    throw Error(source.path + ": split " + source.split + ": offsets end at " +
                std::to_string(offsets[events]) + " but the split stores " + std::to_string(stored_hits) +
                " hits");
  }
}

void validate_hit_coordinates(const HitSource& source, const std::int64_t* offsets, std::size_t events,
                              const std::uint32_t* coords, std::size_t height, std::size_t width) {
  const std::int64_t base = offsets[0];
  for (std::size_t event = 0; event < events; ++event) {
    std::uint64_t previous = 0;
    for (std::int64_t hit = offsets[event]; hit < offsets[event + 1]; ++hit) {
      const auto k = static_cast<std::size_t>(hit - base);
      const std::uint32_t row = coords[2 * k], column = coords[2 * k + 1];
      const auto where = [&] {
        return source.path + ": split " + source.split + ", event " +
               std::to_string(source.first_event + event) + ", hit " + std::to_string(hit - offsets[event]) +
               " (row " + std::to_string(row) + ", column " + std::to_string(column) + "): ";
      };
      if (row >= height || column >= width) {
        throw Error(where() + "outside the " + std::to_string(height) + "x" + std::to_string(width) +
                    " image");
      }
      const std::uint64_t raster = static_cast<std::uint64_t>(row) * width + column;
      if (hit != offsets[event] && raster <= previous) {
        throw Error(where() +
                    (raster == previous ? "duplicates the previous hit"
                                        : "comes before the previous hit in raster order") +
                    " (hits must be strictly in raster order)");
      }
      previous = raster;
    }
  }
}

HitSplit to_hits(const Split& events) {
  HitSplit hits;
  hits.height = events.height;
  hits.width = events.width;
  hits.channels = events.channels;
  hits.y = events.y;
  hits.offsets.reserve(events.size() + 1);
  const std::size_t pixels = events.height * events.width, channels = events.channels;
  for (std::size_t event = 0; event < events.size(); ++event) {
    const float* image = events.event(event);
    for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
      const float* value = image + pixel * channels;
      // Bitwise, so -0.0 is a hit and the round trip keeps its sign.
      bool stored = false;
      for (std::size_t c = 0; c < channels && !stored; ++c) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, value + c, sizeof bits);
        stored = bits != 0;
      }
      if (!stored) continue;
      hits.coords.push_back(static_cast<std::uint32_t>(pixel / events.width));
      hits.coords.push_back(static_cast<std::uint32_t>(pixel % events.width));
      hits.values.insert(hits.values.end(), value, value + channels);
    }
    hits.offsets.push_back(static_cast<std::int64_t>(hits.coords.size() / 2));
  }
  return hits;
}

Split to_dense(const HitSplit& events) {
  validate_hits({"hit lists", "(memory)", 0}, events);
  return scatter(events);
}

struct SplitReader::State {
  std::string path, split;
  std::size_t chunk_events = 0, position = 0;
  H5::H5File file;
  DatasetInfo info;
  SplitDatasets datasets;
};

SplitReader::SplitReader(const std::string& path, const std::string& split, std::size_t chunk_events)
    : state_(std::make_unique<State>()) {
  if (chunk_events == 0) throw Error(path + ": SplitReader needs a chunk size of at least 1 event");
  check_split_name(path, split);
  state_->path = path;
  state_->split = split;
  state_->chunk_events = chunk_events;
  state_->file = hdf5::open_read_only(path);
  state_->info = read_info(state_->file, path);
  state_->datasets = open_split(state_->file, path, split, state_->info);
}

SplitReader::~SplitReader() = default;

bool SplitReader::next(Split& chunk) {
  State& s = *state_;
  if (s.position >= s.datasets.size) return false;
  const std::size_t count = std::min(s.chunk_events, s.datasets.size - s.position);
  chunk = read_events(s.datasets, s.info, s.path, s.split, s.position, count);
  s.position += count;
  return true;
}

bool SplitReader::next(HitSplit& chunk) {
  State& s = *state_;
  if (s.position >= s.datasets.size) return false;
  const std::size_t count = std::min(s.chunk_events, s.datasets.size - s.position);
  chunk = s.info.layout == DatasetLayout::sparse
              ? read_sparse_events(s.datasets, s.info, s.path, s.split, s.position, count)
              : to_hits(read_events(s.datasets, s.info, s.path, s.split, s.position, count));
  s.position += count;
  return true;
}

std::size_t SplitReader::size() const {
  return state_->datasets.size;
}

// --- writing ---

struct DatasetWriter::State {
  std::string path, temporary;
  std::unique_ptr<util::AtomicFile> output;  // removes the temporary unless finish() committed it
  DatasetInfo info;
  H5::H5File file;
  std::map<std::string, SplitDatasets> splits;
  bool finished = false;
};

DatasetWriter::DatasetWriter(const std::string& path, const DatasetInfo& info)
    : state_(std::make_unique<State>()) {
  hdf5::silence_library_errors();
  if (info.height == 0 || info.width == 0 || info.channels == 0) {
    throw Error(path + ": cannot write a dataset with an empty event shape");
  }
  if (info.class_names.empty()) throw Error(path + ": cannot write a dataset without class names");
  State& s = *state_;
  s.path = path;
  s.info = info;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
    throw Error(path + ": output folder " + parent.string() + " does not exist");
  }
  s.output = std::make_unique<util::AtomicFile>(path);
  s.temporary = s.output->temporary();
  try {
    hdf5::guarded(path, "creating " + s.temporary, [&] {
      s.file = H5::H5File(s.temporary, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, hdf5::file_access());
      H5::Group root = s.file.openGroup("/");
      write_scalar_attribute(root, "format_version", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT,
                             kDatasetFormatVersion);
      write_string_attribute(root, "source", info.source);
      write_string_attribute(root, "transform", info.transform);
      write_scalar_attribute(root, "threshold", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
                             info.threshold);
      write_string_list_attribute(root, "class_names", info.class_names);
      const std::uint64_t height = info.height, width = info.width, channels = info.channels;
      write_scalar_attribute(root, "height", H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64, height);
      write_scalar_attribute(root, "width", H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64, width);
      write_scalar_attribute(root, "channels", H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64,
                             channels);
      if (info.layout == DatasetLayout::sparse) write_string_attribute(root, "layout", "sparse");
      for (const std::string& split : split_names()) {
        H5::Group group = s.file.createGroup("/" + split);
        SplitDatasets datasets;
        if (info.layout == DatasetLayout::dense) {
          // x: chunked by events along an unlimited first dimension, so splits grow by appending.
          const hsize_t x_dims[4] = {0, height, width, channels};
          const hsize_t x_max[4] = {H5S_UNLIMITED, height, width, channels};
          // At most 256 events and about 4 MB a chunk (HDF5 refuses chunks over 4 GB; one 2048x2048 event
          // is 16 MB): the files of events up to 4,096 values keep their 256-event chunks.
          const hsize_t x_chunk[4] = {
              std::clamp<hsize_t>((hsize_t{1} << 20) / std::max<hsize_t>(height * width * channels, 1), 1,
                                  kChunkEvents),
              height, width, channels};
          H5::DSetCreatPropList x_properties;
          x_properties.setChunk(4, x_chunk);
          x_properties.setDeflate(kGzipLevel);
          datasets.x = group.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(4, x_dims, x_max),
                                           x_properties);
        } else {
          // offsets starts as {0}; coords and values grow by hits; all chunked along an unlimited dimension.
          const hsize_t offsets_dims[1] = {1}, offsets_max[1] = {H5S_UNLIMITED},
                        offsets_chunk[1] = {kOffsetChunk};
          H5::DSetCreatPropList offsets_properties;
          offsets_properties.setChunk(1, offsets_chunk);
          offsets_properties.setDeflate(kGzipLevel);
          datasets.offsets =
              group.createDataSet("offsets", H5::PredType::STD_I64LE,
                                  H5::DataSpace(1, offsets_dims, offsets_max), offsets_properties);
          const std::int64_t zero = 0;
          datasets.offsets.write(&zero, H5::PredType::NATIVE_INT64);
          const hsize_t hit_rows = std::max<hsize_t>(1, kHitChunkValues / channels);
          const hsize_t coords_dims[2] = {0, 2}, coords_max[2] = {H5S_UNLIMITED, 2},
                        coords_chunk[2] = {hit_rows, 2};
          H5::DSetCreatPropList coords_properties;
          coords_properties.setChunk(2, coords_chunk);
          coords_properties.setDeflate(kGzipLevel);
          const bool narrow = info.height <= kMaxUint16Side && info.width <= kMaxUint16Side;
          datasets.coords =
              group.createDataSet("coords", narrow ? H5::PredType::STD_U16LE : H5::PredType::STD_U32LE,
                                  H5::DataSpace(2, coords_dims, coords_max), coords_properties);
          const hsize_t values_dims[2] = {0, channels}, values_max[2] = {H5S_UNLIMITED, channels},
                        values_chunk[2] = {hit_rows, channels};
          H5::DSetCreatPropList values_properties;
          values_properties.setChunk(2, values_chunk);
          values_properties.setDeflate(kGzipLevel);
          datasets.values = group.createDataSet("values", H5::PredType::IEEE_F32LE,
                                                H5::DataSpace(2, values_dims, values_max), values_properties);
        }
        const hsize_t y_dims[1] = {0}, y_max[1] = {H5S_UNLIMITED}, y_chunk[1] = {4096};
        H5::DSetCreatPropList y_properties;
        y_properties.setChunk(1, y_chunk);
        y_properties.setDeflate(kGzipLevel);
        datasets.y =
            group.createDataSet("y", H5::PredType::STD_I32LE, H5::DataSpace(1, y_dims, y_max), y_properties);
        s.splits[split] = datasets;
      }
    });
  } catch (...) {  // the destructor does not run for a failed constructor: close the file here
    try {
      s.splits.clear();
      s.file.close();
    } catch (...) {  // already failing; the original error is the one to report
    }
    throw;  // destroying the state removes the temporary
  }
}

DatasetWriter::~DatasetWriter() {
  if (!state_->finished) {
    try {
      state_->splits.clear();
      state_->file.close();
    } catch (...) {  // cleanup must not throw; destroying the state removes the temporary regardless
    }
  }
}

void DatasetWriter::append(const std::string& split, const Split& events) {
  State& s = *state_;
  if (s.finished) throw Error(s.path + ": append after finish");
  check_split_name(s.path, split);
  if (events.size() == 0 && events.x.empty()) return;  // an empty split of any shape adds nothing
  if (events.height != s.info.height || events.width != s.info.width || events.channels != s.info.channels) {
    throw Error(s.path + ": split " + split + ": events of shape " + std::to_string(events.height) + "x" +
                std::to_string(events.width) + "x" + std::to_string(events.channels) +
                " do not match the dataset's " + std::to_string(s.info.height) + "x" +
                std::to_string(s.info.width) + "x" + std::to_string(s.info.channels));
  }
  if (events.x.size() != events.size() * events.event_size()) {
    throw Error(s.path + ": split " + split + ": x holds " + std::to_string(events.x.size()) +
                " values for " + std::to_string(events.size()) + " labels of " +
                std::to_string(events.event_size()) + " values each");
  }
  SplitDatasets& datasets = s.splits.at(split);
  check_values(s.path, split, events, datasets.size, s.info.class_names.size());
  if (events.size() == 0) return;
  if (s.info.layout == DatasetLayout::sparse) {
    append_hits(split, to_hits(events));
    return;
  }
  hdf5::guarded(s.path, "writing /" + split, [&] {
    const hsize_t old_size = datasets.size, added = events.size();
    const hsize_t new_x[4] = {old_size + added, events.height, events.width, events.channels};
    datasets.x.extend(new_x);
    H5::DataSpace x_space = datasets.x.getSpace();
    const hsize_t x_start[4] = {old_size, 0, 0, 0};
    const hsize_t x_count[4] = {added, events.height, events.width, events.channels};
    x_space.selectHyperslab(H5S_SELECT_SET, x_count, x_start);
    datasets.x.write(events.x.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(4, x_count), x_space);
    append_rows(datasets.y, H5::PredType::NATIVE_INT32, old_size, added, 1, events.y.data());
  });
  datasets.size += events.size();
}

void DatasetWriter::append(const std::string& split, const HitSplit& events) {
  State& s = *state_;
  if (s.finished) throw Error(s.path + ": append after finish");
  check_split_name(s.path, split);
  if (events.size() == 0 && events.coords.empty() && events.values.empty()) return;  // adds nothing
  if (events.height != s.info.height || events.width != s.info.width || events.channels != s.info.channels) {
    throw Error(s.path + ": split " + split + ": hit lists of shape " + std::to_string(events.height) + "x" +
                std::to_string(events.width) + "x" + std::to_string(events.channels) +
                " do not match the dataset's " + std::to_string(s.info.height) + "x" +
                std::to_string(s.info.width) + "x" + std::to_string(s.info.channels));
  }
  validate_hits({s.path, split, s.splits.at(split).size}, events);
  check_hit_values(s.path, split, events, s.splits.at(split).size, s.info.class_names.size());
  if (s.info.layout == DatasetLayout::dense) {
    append(split, scatter(events));
    return;
  }
  append_hits(split, events);
}

void DatasetWriter::append_hits(const std::string& split, const HitSplit& events) {
  State& s = *state_;
  SplitDatasets& datasets = s.splits.at(split);
  hdf5::guarded(s.path, "writing /" + split, [&] {
    const hsize_t old_size = datasets.size, added = events.size(), old_hits = datasets.hits,
                  added_hits = events.hits();
    std::vector<std::int64_t> offsets(events.offsets.begin() + 1, events.offsets.end());
    for (std::int64_t& offset : offsets) offset += static_cast<std::int64_t>(old_hits);
    append_rows(datasets.offsets, H5::PredType::NATIVE_INT64, old_size + 1, added, 1, offsets.data());
    append_rows(datasets.coords, H5::PredType::NATIVE_UINT32, old_hits, added_hits, 2, events.coords.data());
    append_rows(datasets.values, H5::PredType::NATIVE_FLOAT, old_hits, added_hits, s.info.channels,
                events.values.data());
    append_rows(datasets.y, H5::PredType::NATIVE_INT32, old_size, added, 1, events.y.data());
  });
  datasets.size += events.size();
  datasets.hits += events.hits();
}

void DatasetWriter::finish() {
  State& s = *state_;
  if (s.finished) return;
  hdf5::guarded(s.path, "closing " + s.temporary, [&] {
    s.splits.clear();
    s.file.close();
  });
  s.output->commit();
  s.finished = true;
}

DatasetInfo convert_dataset(const std::string& input, const std::string& output, DatasetLayout layout) {
  std::error_code error;
  if (std::filesystem::exists(output, error) && std::filesystem::equivalent(input, output, error)) {
    throw Error(output + ": is the input " + input);
  }
  DatasetInfo info = read_dataset_info(input);
  info.layout = layout;
  DatasetWriter writer(output, info);
  constexpr std::size_t kConvertChunkEvents = 4096;
  for (const std::string& split : split_names()) {
    SplitReader reader(input, split, kConvertChunkEvents);
    HitSplit chunk;
    while (reader.next(chunk)) writer.append(split, chunk);
  }
  writer.finish();
  return info;
}

void write_dataset(const std::string& path, const DatasetInfo& info, const Split& train, const Split& val,
                   const Split& test) {
  DatasetWriter writer(path, info);
  writer.append("train", train);
  writer.append("val", val);
  writer.append("test", test);
  writer.finish();
}

}  // namespace sparsepixels::data
