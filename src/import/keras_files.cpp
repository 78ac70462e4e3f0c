#include "keras_files.h"

#include <H5Cpp.h>
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <memory>
#include <tuple>

#include "sparsepixels/data/hdf5_check.h"
#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::import {
namespace {

// The largest config.json read (real ones are tens of kB) and the largest weight file (the limits
// allow at most kMaxLayers layers of kMaxParametersPerLayer; real ones are kB to MB).
constexpr std::uint64_t kMaxConfigBytes = std::uint64_t{64} << 20;
constexpr std::uint64_t kMaxWeightBytes = std::uint64_t{1} << 30;
// Objects visited in one weight file: real ones hold a few hundred.
constexpr std::size_t kMaxObjects = 1'000'000;

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

// Reads member `name` whole; "" with present=false when the archive has no such member.
std::string read_member(zip_t* archive, const std::string& origin, const char* name, std::uint64_t max_bytes,
                        bool required) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(archive, name, 0, &stat) != 0) {
    if (!required) return {};
    throw Error(fmt::format("{}: not a Keras archive: it has no member '{}'", origin, name));
  }
  if ((stat.valid & ZIP_STAT_SIZE) == 0)
    throw Error(fmt::format("{}: member '{}' has no size", origin, name));
  if (stat.size > max_bytes) {
    throw Error(fmt::format("{}: member '{}' is {} bytes, more than the limit of {}", origin, name, stat.size,
                            max_bytes));
  }
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen(archive, name, 0), zip_fclose);
  if (!file) throw Error(fmt::format("{}: cannot open member '{}': {}", origin, name, zip_strerror(archive)));
  std::string bytes(static_cast<std::size_t>(stat.size), '\0');
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const zip_int64_t got = zip_fread(file.get(), bytes.data() + filled, bytes.size() - filled);
    if (got < 0) {
      throw Error(fmt::format("{}: member '{}' cannot be read (truncated or corrupt archive): {}", origin,
                              name, zip_file_strerror(file.get())));
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  if (filled != bytes.size()) {
    throw Error(fmt::format("{}: member '{}' ends after {} of {} bytes (truncated archive)", origin, name,
                            filled, bytes.size()));
  }
  // libzip checks the CRC when the end is read; one more read reports a mismatch.
  char extra = 0;
  if (zip_fread(file.get(), &extra, 1) < 0) {
    throw Error(fmt::format("{}: member '{}' is corrupt: {}", origin, name, zip_file_strerror(file.get())));
  }
  return bytes;
}

KerasArchive read_members(zip_t* archive, const std::string& origin) {
  KerasArchive out;
  out.config_json = read_member(archive, origin, "config.json", kMaxConfigBytes, true);
  out.metadata_json = read_member(archive, origin, "metadata.json", kMaxConfigBytes, false);
  out.weights_h5 = read_member(archive, origin, "model.weights.h5", kMaxWeightBytes, true);
  return out;
}

std::string zip_error_text(zip_error_t& error) {
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

template <class Action>
auto hdf5_guarded(const std::string& origin, const std::string& what, Action&& action) {
  try {
    return std::forward<Action>(action)();
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("{}: {}: {}", origin, what, e.getDetailMsg()));
  }
}

// Reads a numeric dataset as float32 after checking its size.
Variable read_variable(const H5::DataSet& dataset, const std::string& path, const std::string& origin) {
  Variable variable;
  variable.path = path;
  return hdf5_guarded(origin, "reading " + path, [&] {
    const H5T_class_t type_class = dataset.getTypeClass();
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
      throw Error(fmt::format("{}: {}: not a numeric dataset", origin, path));
    const H5::DataSpace space = dataset.getSpace();
    if (!space.isSimple()) throw Error(fmt::format("{}: {}: not a simple dataset", origin, path));
    const int rank = space.getSimpleExtentNdims();
    if (rank < 0 || rank > 8)
      throw Error(fmt::format("{}: {}: rank {} is not a weight's", origin, path, rank));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    space.getSimpleExtentDims(dims.data());
    std::uint64_t count = 1;
    for (const hsize_t d : dims) {
      if (d > static_cast<std::uint64_t>(limits::kMaxParametersPerLayer) ||
          count * d > static_cast<std::uint64_t>(limits::kMaxParametersPerLayer)) {
        throw Error(fmt::format("{}: {}: more than {} values (the limit of one layer)", origin, path,
                                limits::kMaxParametersPerLayer));
      }
      count *= d;
      variable.shape.push_back(static_cast<std::size_t>(d));
    }
    variable.values.resize(static_cast<std::size_t>(count));
    if (count > 0) dataset.read(variable.values.data(), H5::PredType::NATIVE_FLOAT);
    return variable;
  });
}

// True and the index if `name` is a non-negative decimal integer ("0", "12").
bool parse_index(const std::string& name, int& index) {
  if (name.empty() || name.size() > 6) return false;
  const auto result = std::from_chars(name.data(), name.data() + name.size(), index);
  return result.ec == std::errc() && result.ptr == name.data() + name.size();
}

struct Walk {
  const std::string& origin;
  std::size_t objects = 0;

  void count() {
    if (++objects > kMaxObjects)
      throw Error(fmt::format("{}: more than {} objects in the weight file", origin, kMaxObjects));
  }

  // Collects the datasets `vars/<i>` below `group` (path `prefix`) with their sort keys.
  void collect(const H5::Group& group, const std::string& prefix, int depth,
               std::vector<std::tuple<std::string, int, Variable>>& out) {
    if (depth > limits::kMaxNestingDepth)
      throw Error(
          fmt::format("{}: {}: nested deeper than {} groups", origin, prefix, limits::kMaxNestingDepth));
    const hsize_t n = hdf5_guarded(origin, "listing " + prefix, [&] { return group.getNumObjs(); });
    for (hsize_t i = 0; i < n; ++i) {
      count();
      const std::string name =
          hdf5_guarded(origin, "listing " + prefix, [&] { return group.getObjnameByIdx(i); });
      const std::string path = prefix + "/" + name;
      const H5O_type_t type =
          hdf5_guarded(origin, "reading " + path, [&] { return group.childObjType(name); });
      if (type == H5O_TYPE_GROUP) {
        const H5::Group child =
            hdf5_guarded(origin, "opening " + path, [&] { return group.openGroup(name); });
        collect(child, path, depth + 1, out);
      } else if (type == H5O_TYPE_DATASET) {
        int index = 0;
        const std::size_t slash = prefix.rfind('/');
        const std::string parent = slash == std::string::npos ? prefix : prefix.substr(slash + 1);
        if (parent != "vars" || !parse_index(name, index)) continue;  // not a layer variable
        const H5::DataSet dataset =
            hdf5_guarded(origin, "opening " + path, [&] { return group.openDataSet(name); });
        out.emplace_back(prefix, index, read_variable(dataset, path, origin));
      }
    }
  }
};

H5::H5File open_image(const std::string& bytes, const std::string& origin) {
  H5::Exception::dontPrint();
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") != 0)
    throw Error(fmt::format("{}: model.weights.h5 is not an HDF5 file", origin));
  data::check_hdf5_image(bytes, origin + ": model.weights.h5");
  return hdf5_guarded(origin, "model.weights.h5 cannot be opened (truncated or corrupt?)", [&] {
    H5::FileAccPropList access;
    if (H5Pset_fapl_core(access.getId(), 1 << 16, 0) < 0 ||
        H5Pset_file_image(access.getId(), const_cast<char*>(bytes.data()), bytes.size()) < 0) {
      throw Error(fmt::format("{}: cannot hand model.weights.h5 to HDF5", origin));
    }
    return H5::H5File("model.weights.h5", H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, access);
  });
}

}  // namespace

KerasArchive read_keras_archive(const std::string& path) {
  std::error_code code;
  if (!std::filesystem::is_regular_file(path, code)) throw Error(fmt::format("{}: no such file", path));
  int error_code = 0;
  ZipHandle archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error_code));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    throw Error(fmt::format("{}: not a readable zip archive (a .keras file is one): {}", path,
                            zip_error_text(error)));
  }
  return read_members(archive.get(), path);
}

KerasArchive read_keras_archive(const void* data, std::size_t size, const std::string& origin) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data, size, 0, &error);
  if (source == nullptr) throw Error(fmt::format("{}: {}", origin, zip_error_text(error)));
  ZipHandle archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);
    throw Error(fmt::format("{}: not a readable zip archive (a .keras file is one): {}", origin,
                            zip_error_text(error)));
  }
  zip_error_fini(&error);
  return read_members(archive.get(), origin);
}

ArchiveVariables read_archive_variables(const std::string& h5_bytes, const std::string& origin) {
  const H5::H5File file = open_image(h5_bytes, origin);
  ArchiveVariables out;
  for (const char* layout : {"_layer_checkpoint_dependencies", "layers"}) {
    if (hdf5_guarded(origin, "model.weights.h5",
                     [&] { return H5Lexists(file.getId(), layout, H5P_DEFAULT) > 0; })) {
      out.layout = layout;
      break;
    }
  }
  if (out.layout.empty()) {
    throw Error(
        fmt::format("{}: model.weights.h5 has neither '_layer_checkpoint_dependencies' (Keras 2.13-2.15) "
                    "nor 'layers' (Keras 3)",
                    origin));
  }
  Walk walk{origin};
  const H5::Group root =
      hdf5_guarded(origin, "opening " + out.layout, [&] { return file.openGroup(out.layout); });
  const hsize_t n = hdf5_guarded(origin, "listing " + out.layout, [&] { return root.getNumObjs(); });
  for (hsize_t i = 0; i < n; ++i) {
    walk.count();
    const std::string name =
        hdf5_guarded(origin, "listing " + out.layout, [&] { return root.getObjnameByIdx(i); });
    const std::string path = out.layout + "/" + name;
    if (hdf5_guarded(origin, "reading " + path, [&] { return root.childObjType(name); }) != H5O_TYPE_GROUP)
      continue;
    const H5::Group group = hdf5_guarded(origin, "opening " + path, [&] { return root.openGroup(name); });
    std::vector<std::tuple<std::string, int, Variable>> found;
    walk.collect(group, path, 1, found);
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::vector<Variable>& variables = out.layers[name];
    for (auto& entry : found) variables.push_back(std::move(std::get<2>(entry)));
  }
  return out;
}

LegacyWeights read_legacy_weights(const std::string& path) {
  H5::Exception::dontPrint();
  std::error_code code;
  if (!std::filesystem::is_regular_file(path, code)) throw Error(fmt::format("{}: no such file", path));
  const H5::H5File file = hdf5_guarded(path, "cannot open as HDF5 (truncated or corrupt?)", [&] {
    if (!H5::H5File::isHdf5(path.c_str())) throw Error(fmt::format("{}: not an HDF5 file", path));
    data::check_hdf5_file(path);
    return H5::H5File(path, H5F_ACC_RDONLY);
  });
  // Reads a variable-length or fixed-length string array attribute.
  auto read_names = [&](const H5::H5Object& object, const std::string& where) {
    return hdf5_guarded(path, "reading " + where, [&] {
      std::vector<std::string> names;
      const H5::Attribute attribute = object.openAttribute(where.substr(where.rfind('@') + 1));
      const H5::DataType type = attribute.getDataType();
      const H5::DataSpace space = attribute.getSpace();
      const hssize_t count = space.getSimpleExtentNpoints();
      if (count < 0 || count > static_cast<hssize_t>(limits::kMaxLayers))
        throw Error(fmt::format("{}: {}: {} names", path, where, count));
      if (count == 0 || type.getClass() != H5T_STRING) return names;  // Keras writes [] as a float array
      const H5::StrType string_type = attribute.getStrType();
      if (string_type.isVariableStr()) {
        std::vector<char*> raw(static_cast<std::size_t>(count), nullptr);
        attribute.read(string_type, raw.data());
        for (char* text : raw) names.emplace_back(text != nullptr ? text : "");
        H5Dvlen_reclaim(string_type.getId(), space.getId(), H5P_DEFAULT, raw.data());
      } else {
        const std::size_t width = string_type.getSize();
        if (width == 0 || width > 4096)
          throw Error(fmt::format("{}: {}: names of {} bytes", path, where, width));
        std::string buffer(width * static_cast<std::size_t>(count), '\0');
        attribute.read(string_type, buffer.data());
        for (hssize_t k = 0; k < count; ++k) {
          std::string name = buffer.substr(static_cast<std::size_t>(k) * width, width);
          name.erase(std::find(name.begin(), name.end(), '\0'), name.end());
          names.push_back(name);
        }
      }
      return names;
    });
  };
  if (!hdf5_guarded(path, "reading the root", [&] { return file.attrExists("layer_names"); })) {
    throw Error(fmt::format(
        "{}: no attribute 'layer_names': not a Keras weight file (model.save_weights to .h5)", path));
  }
  LegacyWeights out;
  for (const std::string& layer : read_names(file, "/@layer_names")) {
    if (!hdf5_guarded(path, "reading the root",
                      [&] { return H5Lexists(file.getId(), layer.c_str(), H5P_DEFAULT) > 0; }))
      throw Error(fmt::format("{}: layer '{}' is named in layer_names but has no group", path, layer));
    const H5::Group group = hdf5_guarded(path, "opening " + layer, [&] { return file.openGroup(layer); });
    auto& weights = out[layer];
    if (!hdf5_guarded(path, "reading " + layer, [&] { return group.attrExists("weight_names"); })) continue;
    for (const std::string& name : read_names(group, layer + "/@weight_names")) {
      const std::string where = layer + "/" + name;
      if (!hdf5_guarded(path, "reading " + where,
                        [&] { return H5Lexists(group.getId(), name.c_str(), H5P_DEFAULT) > 0; }))
        throw Error(fmt::format("{}: weight '{}' is named in weight_names but missing", path, where));
      const H5::DataSet dataset =
          hdf5_guarded(path, "opening " + where, [&] { return group.openDataSet(name); });
      const std::string short_name = name.substr(name.rfind('/') + 1);
      weights[short_name] = read_variable(dataset, where, path);
    }
  }
  return out;
}

}  // namespace sparsepixels::import
