#include "sparsepixels/data/hdf5_check.h"

#include <H5Cpp.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "hdf5_access.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/process.h"

namespace sparsepixels::data {

namespace {

// An HDF5 identifier closed by its own close function when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// What is wrong with one attribute's value, or "" once it has been read in full.
std::string read_attribute(hid_t object, hsize_t index, const std::string& where) {
  const Handle attribute(
      H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attribute.valid()) return fmt::format("{}: attribute {} cannot be opened", where, index);
  const Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const Handle space(H5Aget_space(attribute.get()), H5Sclose);
  if (!type.valid() || !space.valid())
    return fmt::format("{}: attribute {} has no type or shape", where, index);
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  const Handle memory_type(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
  if (points < 0 || !memory_type.valid())
    return fmt::format("{}: attribute {} has an unreadable type", where, index);
  const std::size_t size = H5Tget_size(memory_type.get());
  if (size == 0 || static_cast<std::size_t>(points) > limits::kMaxHdf5AttributeBytes / size)
    return fmt::format("{}: attribute {} holds more than {} bytes", where, index,
                       limits::kMaxHdf5AttributeBytes);
  std::vector<unsigned char> value(static_cast<std::size_t>(points) * size);
  if (value.empty()) return {};
  if (H5Aread(attribute.get(), memory_type.get(), value.data()) < 0)
    return fmt::format("{}: attribute {} cannot be read", where, index);
  // Variable-length strings and sequences were allocated by the library.
  const bool variable =
      H5Tdetect_class(memory_type.get(), H5T_VLEN) > 0 ||
      (H5Tget_class(memory_type.get()) == H5T_STRING && H5Tis_variable_str(memory_type.get()) > 0);
  if (variable) H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, value.data());
  return {};
}

// What is wrong with a dataset's shape against its storage, or "".
std::string check_dataset(hid_t dataset, const std::string& where) {
  const Handle type(H5Dget_type(dataset), H5Tclose);
  const Handle space(H5Dget_space(dataset), H5Sclose);
  const Handle creation(H5Dget_create_plist(dataset), H5Pclose);
  if (!type.valid() || !space.valid() || !creation.valid())
    return where + ": unreadable type, shape or layout";
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > H5S_MAX_RANK) return where + ": unreadable shape";
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    return where + ": unreadable shape";
  const int filters = H5Pget_nfilters(creation.get());
  for (int f = 0; f < filters; ++f) {
    unsigned flags = 0, config = 0;
    std::size_t elements = 0;
    char name[64];
    if (H5Pget_filter2(creation.get(), static_cast<unsigned>(f), &flags, &elements, nullptr, sizeof name,
                       name, &config) < 0)
      return fmt::format("{}: filter {} is unreadable", where, f);
  }
  switch (H5Pget_layout(creation.get())) {
    case H5D_CHUNKED: {
      std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
      if (H5Pget_chunk(creation.get(), rank, chunk.data()) != rank) return where + ": unreadable chunk shape";
      // One chunk's bytes, then the chunks the declared shape needs, in overflow-safe arithmetic.
      std::size_t chunk_bytes = H5Tget_size(type.get());
      for (const hsize_t side : chunk) {
        if (side != 0 && chunk_bytes > limits::kMaxHdf5ChunkBytes / side)
          return fmt::format("{}: chunks of more than {} bytes", where, limits::kMaxHdf5ChunkBytes);
        chunk_bytes *= side;
      }
      hsize_t needed = 1;
      for (int d = 0; d < rank; ++d) {
        const std::size_t i = static_cast<std::size_t>(d);
        if (chunk[i] == 0) return where + ": a chunk dimension is 0";
        const hsize_t along = dims[i] / chunk[i] + (dims[i] % chunk[i] != 0 ? 1 : 0);
        if (along != 0 && needed > UINT64_MAX / along)
          return where + ": the declared shape needs too many chunks";
        needed *= along;
      }
      hsize_t stored = 0;
      if (H5Dget_num_chunks(dataset, space.get(), &stored) < 0)
        return where + ": the chunk index is unreadable";
      if (stored < needed) {
        std::string shape;
        for (const hsize_t d : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
        return fmt::format(
            "{}: declares {} values in {} chunks but stores {} (the rest would be fill values)", where, shape,
            needed, stored);
      }
      return {};
    }
    case H5D_CONTIGUOUS: {
      const hssize_t points = H5Sget_simple_extent_npoints(space.get());
      const std::size_t size = H5Tget_size(type.get());
      if (points < 0 || size == 0) return where + ": unreadable shape or type";
      const hsize_t stored = H5Dget_storage_size(dataset);
      if (points > 0 && static_cast<hsize_t>(points) > stored / size)
        return fmt::format("{}: declares {} values but stores {} bytes", where, points, stored);
      return {};
    }
    case H5D_COMPACT:
      return {};  // the values are in the object header, read above
    case H5D_VIRTUAL:
    case H5D_LAYOUT_ERROR:
    case H5D_NLAYOUTS:
      return where + ": a dataset layout this reader does not take (virtual or unknown)";
  }
  return where + ": a dataset layout this reader does not take (virtual or unknown)";
}

struct LinkNames {
  std::vector<std::string> hard;
  std::size_t total = 0;
};

herr_t collect_link(hid_t, const char* name, const H5L_info_t* info, void* data) {
  auto* names = static_cast<LinkNames*>(data);
  if (++names->total > limits::kMaxHdf5Objects) return 1;  // stop: too many
  if (info->type == H5L_TYPE_HARD) names->hard.emplace_back(name);
  return 0;
}

// Walks every object reachable through hard links, without recursion (the nesting is the file's):
// "" when all of it reads, else what is wrong.
std::string walk(hid_t file) {
  std::vector<std::string> pending{"/"};
  std::set<std::pair<unsigned long, haddr_t>> seen;
  std::size_t visited = 0;
  while (!pending.empty()) {
    const std::string path = std::move(pending.back());
    pending.pop_back();
    H5O_info_t info;
    if (H5Oget_info_by_name2(file, path.c_str(), &info, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS, H5P_DEFAULT) < 0)
      return path + ": the object header is unreadable";
    if (!seen.emplace(info.fileno, info.addr).second) continue;
    if (++visited > limits::kMaxHdf5Objects)
      return fmt::format("more than {} groups and datasets", limits::kMaxHdf5Objects);
    const Handle object(H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) return path + ": cannot be opened";
    if (info.num_attrs > limits::kMaxHdf5Objects) return path + ": too many attributes";
    for (hsize_t a = 0; a < info.num_attrs; ++a) {
      std::string problem = read_attribute(object.get(), a, path);
      if (!problem.empty()) return problem;
    }
    if (info.type == H5O_TYPE_DATASET) {
      std::string problem = check_dataset(object.get(), path);
      if (!problem.empty()) return problem;
    } else if (info.type == H5O_TYPE_GROUP) {
      LinkNames names;
      hsize_t index = 0;
      const herr_t walked =
          H5Literate(object.get(), H5_INDEX_NAME, H5_ITER_NATIVE, &index, collect_link, &names);
      if (walked < 0) return path + ": the group's links are unreadable";
      if (names.total > limits::kMaxHdf5Objects) return path + ": too many links";
      const std::string prefix = path == "/" ? "/" : path + "/";
      for (std::string& name : names.hard) pending.push_back(prefix + name);
    }
  }
  return {};
}

// Calls `action` while this thread holds libhdf5's global lock (the library is built thread-safe:
// every API call holds it, and it is held during the call's callbacks), so that no other thread is
// inside libhdf5 when `action` forks: a child forked while another thread held that lock would wait
// for it forever. The lock is taken by iterating a property list's properties, whose callback runs
// `action` once.
void with_hdf5_lock(const std::function<void()>& action) {
  struct Call {
    const std::function<void()>* action;
    bool done = false;
  } call{&action};
  const Handle properties(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (properties.valid()) {
    H5Piterate(
        properties.get(), nullptr,
        [](hid_t, const char*, void* data) -> herr_t {
          auto* pending = static_cast<Call*>(data);
          (*pending->action)();
          pending->done = true;
          return 1;  // stop after the first property
        },
        &call);
  }
  if (!call.done) action();  // no property to iterate: fork without the lock
}

// Opens the file with `open` and walks it, in a child process; throws Error naming `origin`.
template <class Open>
void check_in_child(const std::string& origin, std::chrono::milliseconds limit, Open&& open) {
  const util::IsolatedOutcome outcome = util::run_isolated(
      [&]() -> std::string {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        const Handle file(open(), H5Fclose);
        if (!file.valid()) return "cannot open as HDF5 (truncated or corrupt?)";
        return walk(file.get());
      },
      limit, with_hdf5_lock);
  switch (outcome.status) {
    case util::IsolatedOutcome::Status::Passed:
      return;
    case util::IsolatedOutcome::Status::Rejected:
      throw Error(fmt::format("{}: {}", origin, outcome.message));
    case util::IsolatedOutcome::Status::Crashed:
      throw Error(fmt::format("{}: corrupt HDF5 metadata: the HDF5 library crashed while reading them{}",
                              origin,
                              outcome.signal != 0 ? fmt::format(" (signal {})", outcome.signal) : ""));
    case util::IsolatedOutcome::Status::TimedOut:
      throw Error(
          fmt::format("{}: corrupt HDF5 metadata: the HDF5 library did not finish reading them within {} s",
                      origin, std::chrono::duration_cast<std::chrono::seconds>(limit).count()));
    case util::IsolatedOutcome::Status::NotRun:
      throw Error(fmt::format("{}: cannot check the HDF5 file: {}", origin, outcome.message));
  }
}

}  // namespace

std::chrono::milliseconds hdf5_check_limit() {
  const char* text = std::getenv("SPARSEPIXELS_HDF5_CHECK_SECONDS");
  if (text == nullptr || *text == '\0') return std::chrono::seconds(limits::kHdf5CheckSeconds);
  char* end = nullptr;
  errno = 0;
  const long seconds = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || seconds < 1 || seconds > 3600)
    throw Error(fmt::format(
        "SPARSEPIXELS_HDF5_CHECK_SECONDS: '{}' is not a whole number of seconds from 1 to 3600", text));
  return std::chrono::seconds(seconds);
}

void check_hdf5_file(const std::string& path, std::chrono::milliseconds limit) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0) throw Error(path + ": no such file");
  if (S_ISDIR(status.st_mode)) throw Error(path + ": is a directory, not an HDF5 file");
  hdf5::silence_library_errors();
  check_in_child(path, limit, [&] {
    if (H5Fis_hdf5(path.c_str()) <= 0) return hid_t{-1};
    return H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  });
}

void check_hdf5_image(const std::string& bytes, const std::string& origin, std::chrono::milliseconds limit) {
  hdf5::silence_library_errors();
  check_in_child(origin, limit, [&] {
    const Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!access.valid() || H5Pset_fapl_core(access.get(), 1 << 16, 0) < 0 ||
        H5Pset_file_image(access.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
      return hid_t{-1};
    return H5Fopen("image.h5", H5F_ACC_RDONLY, access.get());
  });
}

}  // namespace sparsepixels::data
