#pragma once
// Sparse MNIST and sparse Fashion-MNIST from the original IDX files (reference section 7.1).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"

namespace sparsepixels::data::mnist {

/// The images of an IDX3 file (magic 0x00000803): count x rows x cols unsigned bytes, row-major.
struct IdxImages {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;
};

/// The most bytes an IDX file may hold once decompressed (a small .gz can expand without bound).
inline constexpr std::size_t kMaxIdxBytes = std::size_t{1} << 30;

/// Reads a whole file, gunzipping it when it is gzip-compressed (a plain file is read as is); throws
/// sparsepixels::Error naming the file when it holds more than `max_bytes` once decompressed.
std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path, std::size_t max_bytes = kMaxIdxBytes);

/// Reads an IDX3 unsigned-byte image file (plain or .gz); validates the magic number and the size.
IdxImages read_idx_images(const std::string& path);

/// Reads an IDX1 unsigned-byte label file (magic 0x00000801, plain or .gz); validates magic and size.
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

/// Side of a sparse MNIST event.
inline constexpr std::size_t kSparseSide = 48;

/// The reference transform of one 28x28 image to a 48x48 sparse image (row-major, values in [0, 1]):
/// /255; 3x3 average pool stride 3 'valid' (9x9); zero-pad to 48x48 (19 before, 20 after); divide by the
/// image maximum; move each non-zero pixel (y, x) to round((y - 23.5) * 3.5 + 23.5) (same for x), clipped to
/// [0, 47]; values < 0.4 become 0. An all-zero image stays all zero.
std::vector<float> sparse_image(const std::uint8_t* pixels28x28);

/// Which IDX collection: the class names differ, the transform is the same.
enum class Collection { digits, fashion };

/// Options of the preparation.
struct Options {
  Collection collection = Collection::digits;
  /// The first this many training images become the validation split (the reference: 10,000).
  std::size_t validation_events = 10000;
  /// The layout of the file written.
  DatasetLayout layout = DatasetLayout::dense;
};

/// The four file names the preparation looks for in an IDX folder (each may also end in .gz).
const std::array<std::string, 4>& idx_file_names();

/// The path of `name` in `folder` (plain or with .gz), or nothing when neither exists.
std::optional<std::string> find_idx_file(const std::string& folder, const std::string& name);

/// True when `folder` holds all four IDX files.
bool has_idx_files(const std::string& folder);

/// The folders searched for the MNIST IDX files when none is given, in order: $SPARSEPIXELS_DATA_DIR/mnist,
/// data/mnist in the folder of `executable_path` and in each of its three parents, ./data/mnist.
std::vector<std::string> default_mnist_folders(const std::string& executable_path);

/// The first folder of `candidates` holding the four IDX files; otherwise an Error naming every folder tried.
std::string locate_idx_folder(const std::vector<std::string>& candidates, const std::string& what);

/// Where the Debian package dataset-fashion-mnist installs its gzip IDX files.
inline const char* const kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

/// Reads the IDX files of `idx_folder`, applies the transform and the reference split (validation = the first
/// validation_events training images, train = the rest, test = the test file), writes `output_file`.
DatasetInfo prepare(const std::string& idx_folder, const std::string& output_file,
                    const Options& options = {});

}  // namespace sparsepixels::data::mnist
