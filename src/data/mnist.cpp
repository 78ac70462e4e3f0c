// IDX files (plain or gzip) to sparse MNIST / Fashion-MNIST dataset files (reference section 7.1).
#include "sparsepixels/data/mnist.h"

#include <fmt/format.h>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sparsepixels/error.h"

namespace sparsepixels::data::mnist {
namespace {

constexpr std::size_t kSide = 28, kPool = 3, kPooledSide = 9, kPadBefore = 19;
constexpr double kCentre = 23.5, kInflate = 3.5, kThreshold = 0.4;

std::uint32_t big_endian_u32(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

// Checks the header of an unsigned-byte IDX file with `rank` dimensions and returns them.
std::vector<std::size_t> idx_dimensions(const std::vector<std::uint8_t>& bytes, const std::string& path,
                                        std::size_t rank) {
  const std::uint32_t expected_magic = 0x00000800u | static_cast<std::uint32_t>(rank);
  if (bytes.size() < 4 + 4 * rank) {
    throw Error(path + ": too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  }
  const std::uint32_t magic = big_endian_u32(bytes, 0);
  if (magic != expected_magic) {
    char text[64];
    std::snprintf(text, sizeof text, "magic number 0x%08x, expected 0x%08x", magic, expected_magic);
    throw Error(path + ": not an unsigned-byte IDX file of rank " + std::to_string(rank) + ": " + text);
  }
  std::vector<std::size_t> dims;
  std::size_t expected_size = 4 + 4 * rank, elements = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    dims.push_back(big_endian_u32(bytes, 4 + 4 * d));
    elements *= dims.back();
  }
  expected_size += elements;
  if (bytes.size() != expected_size) {
    throw Error(path + ": size " + std::to_string(bytes.size()) + " bytes does not match its header (" +
                std::to_string(expected_size) + " bytes expected; truncated?)");
  }
  return dims;
}

std::string class_names_error(const std::string& path, std::uint8_t label, std::size_t index) {
  return path + ": label " + std::to_string(label) + " of image " + std::to_string(index) + " is not in 0..9";
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path, std::size_t max_bytes) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw Error(path + ": no such file");
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(path + ": cannot open");
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> buffer(1 << 16);
  for (;;) {
    const int read = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (read < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      throw Error(path + ": cannot decompress: " + message);
    }
    if (read == 0) break;
    if (bytes.size() + static_cast<std::size_t>(read) > max_bytes) {
      gzclose(file);
      throw Error(
          fmt::format("{}: holds more than {} bytes once decompressed (the limit of an IDX file; "
                      "MNIST's largest is 47 MB)",
                      path, max_bytes));
    }
    bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + read);
  }
  // gzclose reports a gzip stream that ended early (a truncated .gz file).
  const int closed = gzclose(file);
  if (closed != Z_OK)
    throw Error(path + ": truncated or corrupt gzip data (zlib code " + std::to_string(closed) + ")");
  return bytes;
}

IdxImages read_idx_images(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_maybe_gzipped(path);
  const auto dims = idx_dimensions(bytes, path, 3);
  IdxImages images;
  images.count = dims[0];
  images.rows = dims[1];
  images.cols = dims[2];
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_maybe_gzipped(path);
  idx_dimensions(bytes, path, 1);
  return {bytes.begin() + 8, bytes.end()};
}

std::vector<float> sparse_image(const std::uint8_t* pixels) {
  double pooled[kPooledSide][kPooledSide] = {};
  double maximum = 0;
  for (std::size_t i = 0; i < kPooledSide; ++i) {
    for (std::size_t j = 0; j < kPooledSide; ++j) {
      double sum = 0;
      for (std::size_t r = 0; r < kPool; ++r) {
        for (std::size_t c = 0; c < kPool; ++c)
          sum += pixels[(i * kPool + r) * kSide + j * kPool + c] / 255.0;
      }
      pooled[i][j] = sum / (kPool * kPool);
      maximum = std::max(maximum, pooled[i][j]);
    }
  }
  std::vector<float> out(kSparseSide * kSparseSide, 0.0f);
  if (maximum == 0) return out;
  // (y - 23.5) * 3.5 + 23.5 for whole y ends in .25 or .75: the rounding never meets a tie.
  const auto inflate = [](std::size_t y) {
    const double moved = std::round((static_cast<double>(y) - kCentre) * kInflate + kCentre);
    return static_cast<std::size_t>(std::clamp(moved, 0.0, static_cast<double>(kSparseSide - 1)));
  };
  for (std::size_t i = 0; i < kPooledSide; ++i) {
    for (std::size_t j = 0; j < kPooledSide; ++j) {
      const double value = pooled[i][j] / maximum;
      if (value == 0 || value < kThreshold) continue;
      out[inflate(kPadBefore + i) * kSparseSide + inflate(kPadBefore + j)] = static_cast<float>(value);
    }
  }
  return out;
}

const std::array<std::string, 4>& idx_file_names() {
  static const std::array<std::string, 4> names{"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  return names;
}

std::optional<std::string> find_idx_file(const std::string& folder, const std::string& name) {
  std::error_code error;
  for (const std::string& candidate : {folder + "/" + name, folder + "/" + name + ".gz"}) {
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
  }
  return std::nullopt;
}

bool has_idx_files(const std::string& folder) {
  return std::all_of(idx_file_names().begin(), idx_file_names().end(),
                     [&](const std::string& name) { return find_idx_file(folder, name).has_value(); });
}

std::vector<std::string> default_mnist_folders(const std::string& executable_path) {
  std::vector<std::string> folders;
  if (const char* root = std::getenv("SPARSEPIXELS_DATA_DIR"); root != nullptr && *root != '\0') {
    folders.push_back(std::string(root) + "/mnist");
  }
  if (!executable_path.empty()) {
    // The build folder usually sits in the repository (<repo>/build/sparsepixels), so walk up a few levels.
    std::filesystem::path folder = std::filesystem::path(executable_path).parent_path();
    for (int level = 0; level < 4 && !folder.empty(); ++level) {
      folders.push_back((folder / "data" / "mnist").string());
      if (folder == folder.parent_path()) break;
      folder = folder.parent_path();
    }
  }
  folders.push_back("./data/mnist");
  return folders;
}

std::string locate_idx_folder(const std::vector<std::string>& candidates, const std::string& what) {
  for (const std::string& folder : candidates) {
    if (has_idx_files(folder)) return folder;
  }
  std::string tried;
  for (const std::string& folder : candidates) tried += (tried.empty() ? "" : ", ") + folder;
  throw Error("cannot find the " + what + " IDX files (train/t10k images and labels, plain or .gz); tried: " +
              tried + " (run scripts/fetch-mnist.sh, set SPARSEPIXELS_DATA_DIR, or pass --idx-dir)");
}

DatasetInfo prepare(const std::string& idx_folder, const std::string& output_file, const Options& options) {
  const auto path_of = [&](const std::string& name) {
    const auto found = find_idx_file(idx_folder, name);
    if (!found) throw Error(idx_folder + ": missing IDX file " + name + " (or " + name + ".gz)");
    return *found;
  };
  const std::string train_images_path = path_of(idx_file_names()[0]),
                    train_labels_path = path_of(idx_file_names()[1]);
  const std::string test_images_path = path_of(idx_file_names()[2]),
                    test_labels_path = path_of(idx_file_names()[3]);
  const IdxImages train_images = read_idx_images(train_images_path);
  const std::vector<std::uint8_t> train_labels = read_idx_labels(train_labels_path);
  const IdxImages test_images = read_idx_images(test_images_path);
  const std::vector<std::uint8_t> test_labels = read_idx_labels(test_labels_path);
  for (const auto* images : {&train_images, &test_images}) {
    const std::string& path = images == &train_images ? train_images_path : test_images_path;
    if (images->rows != kSide || images->cols != kSide) {
      throw Error(path + ": images are " + std::to_string(images->rows) + "x" + std::to_string(images->cols) +
                  ", the transform needs 28x28");
    }
  }
  if (train_labels.size() != train_images.count) {
    throw Error(train_labels_path + ": " + std::to_string(train_labels.size()) + " labels for " +
                std::to_string(train_images.count) + " images in " + train_images_path);
  }
  if (test_labels.size() != test_images.count) {
    throw Error(test_labels_path + ": " + std::to_string(test_labels.size()) + " labels for " +
                std::to_string(test_images.count) + " images in " + test_images_path);
  }
  if (train_images.count <= options.validation_events) {
    throw Error(train_images_path + ": " + std::to_string(train_images.count) +
                " images, need more than the " + std::to_string(options.validation_events) +
                " taken for validation");
  }
  for (std::size_t i = 0; i < train_labels.size(); ++i) {
    if (train_labels[i] > 9) throw Error(class_names_error(train_labels_path, train_labels[i], i));
  }
  for (std::size_t i = 0; i < test_labels.size(); ++i) {
    if (test_labels[i] > 9) throw Error(class_names_error(test_labels_path, test_labels[i], i));
  }

  DatasetInfo info;
  const bool fashion = options.collection == Collection::fashion;
  info.source = std::string(fashion ? "Fashion-MNIST" : "MNIST") + " IDX files in " + idx_folder;
  info.transform =
      "reference 7.1: /255; 3x3 average pool stride 3 (9x9); zero-pad to 48x48 (19 before, 20 after); divide "
      "by "
      "the image maximum; inflate x3.5 about 23.5 (round, clip to [0,47]); values < 0.4 -> 0; val = first " +
      std::to_string(options.validation_events) + " training images, train = the rest, test = the test file";
  info.threshold = kThreshold;
  if (fashion) {
    info.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  } else {
    info.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  }
  info.height = info.width = kSparseSide;
  info.channels = 1;
  info.layout = options.layout;

  DatasetWriter writer(output_file, info);
  // Transforms [first, last) of one IDX pair and appends it, 1,000 events at a time (bounded memory).
  const auto append_range = [&](const std::string& split, const IdxImages& images,
                                const std::vector<std::uint8_t>& labels, std::size_t first,
                                std::size_t last) {
    constexpr std::size_t kBlock = 1000;
    for (std::size_t begin = first; begin < last; begin += kBlock) {
      const std::size_t end = std::min(begin + kBlock, last);
      Split part;
      part.height = part.width = kSparseSide;
      part.channels = 1;
      part.x.reserve((end - begin) * part.event_size());
      for (std::size_t i = begin; i < end; ++i) {
        const std::vector<float> event = sparse_image(images.pixels.data() + i * kSide * kSide);
        part.x.insert(part.x.end(), event.begin(), event.end());
        part.y.push_back(labels[i]);
      }
      writer.append(split, part);
    }
    info.split_sizes[split] = last - first;
  };
  append_range("train", train_images, train_labels, options.validation_events, train_images.count);
  append_range("val", train_images, train_labels, 0, options.validation_events);
  append_range("test", test_images, test_labels, 0, test_images.count);
  writer.finish();
  return info;
}

}  // namespace sparsepixels::data::mnist
