// The dataset file: HDF5 groups train/val/test with x (float32 N,H,W,C) and y (int32 N), root attributes.
#include "sparsepixels/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "hdf5_access.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::data {
namespace {

constexpr hsize_t kChunkEvents = 256;
constexpr int kGzipLevel = 4;

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
    std::string value;
    attribute.read(attribute.getStrType(), value);
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
  H5::DataSet x, y;
  std::size_t size = 0;
};

void check_split_name(const std::string& path, const std::string& split) {
  const auto& names = split_names();
  if (std::find(names.begin(), names.end(), split) == names.end()) {
    throw Error(path + ": unknown split '" + split + "' (expected train, val or test)");
  }
}

SplitDatasets open_split(const H5::H5File& file, const std::string& path, const std::string& split,
                         const DatasetInfo& info) {
  check_split_name(path, split);
  SplitDatasets result;
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

Split read_events(const SplitDatasets& datasets, const DatasetInfo& info, const std::string& path,
                  const std::string& split, std::size_t first, std::size_t count) {
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
  if (first > datasets.size) {
    throw Error(path + ": split " + split + " has " + std::to_string(datasets.size) +
                " events, cannot start at " + std::to_string(first));
  }
  if (count == 0) count = datasets.size - first;
  if (count > datasets.size - first) {
    throw Error(path + ": split " + split + " has " + std::to_string(datasets.size) +
                " events, cannot read " + std::to_string(count) + " from " + std::to_string(first));
  }
  return read_events(datasets, info, path, split, first, count);
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
      for (const std::string& split : split_names()) {
        H5::Group group = s.file.createGroup("/" + split);
        // x: chunked by events along an unlimited first dimension, so splits grow by appending.
        const hsize_t x_dims[4] = {0, height, width, channels};
        const hsize_t x_max[4] = {H5S_UNLIMITED, height, width, channels};
        const hsize_t x_chunk[4] = {kChunkEvents, height, width, channels};
        H5::DSetCreatPropList x_properties;
        x_properties.setChunk(4, x_chunk);
        x_properties.setDeflate(kGzipLevel);
        SplitDatasets datasets;
        datasets.x =
            group.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(4, x_dims, x_max), x_properties);
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
  hdf5::guarded(s.path, "writing /" + split, [&] {
    const hsize_t old_size = datasets.size, added = events.size();
    const hsize_t new_x[4] = {old_size + added, events.height, events.width, events.channels};
    datasets.x.extend(new_x);
    H5::DataSpace x_space = datasets.x.getSpace();
    const hsize_t x_start[4] = {old_size, 0, 0, 0};
    const hsize_t x_count[4] = {added, events.height, events.width, events.channels};
    x_space.selectHyperslab(H5S_SELECT_SET, x_count, x_start);
    datasets.x.write(events.x.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(4, x_count), x_space);
    const hsize_t new_y[1] = {old_size + added};
    datasets.y.extend(new_y);
    H5::DataSpace y_space = datasets.y.getSpace();
    const hsize_t y_start[1] = {old_size}, y_count[1] = {added};
    y_space.selectHyperslab(H5S_SELECT_SET, y_count, y_start);
    datasets.y.write(events.y.data(), H5::PredType::NATIVE_INT32, H5::DataSpace(1, y_count), y_space);
  });
  datasets.size += events.size();
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

void write_dataset(const std::string& path, const DatasetInfo& info, const Split& train, const Split& val,
                   const Split& test) {
  DatasetWriter writer(path, info);
  writer.append("train", train);
  writer.append("val", val);
  writer.append("test", test);
  writer.finish();
}

}  // namespace sparsepixels::data
