// Sparse MNIST: IDX reading, the reference transform on hand-computed images, the split, and the real files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "expect_error.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data::mnist {
namespace {

using testing::TemporaryFolder;

// Where the 9 pooled rows (padded rows 19..27) land after the x3.5 inflation, computed by hand:
// (y - 23.5) * 3.5 + 23.5 = 7.75, 11.25, 14.75, 18.25, 21.75, 25.25, 28.75, 32.25, 35.75.
constexpr std::size_t kInflated[9] = {8, 11, 15, 18, 22, 25, 29, 32, 36};

std::vector<std::uint8_t> big_endian(std::uint32_t value) {
  return {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
          static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

std::vector<std::uint8_t> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                    const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> bytes = big_endian(magic);
  for (std::uint32_t d : dims) {
    const auto encoded = big_endian(d);
    bytes.insert(bytes.end(), encoded.begin(), encoded.end());
  }
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

void write_plain(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// A 28x28 image with `lit` of the 9 pixels of pooled cell (i, j) at 255.
void light_cell(std::vector<std::uint8_t>& image, std::size_t i, std::size_t j, int lit) {
  for (int k = 0; k < lit; ++k) image[(3 * i + static_cast<std::size_t>(k / 3)) * 28 + 3 * j + k % 3] = 255;
}

using testing::expect_error;

TEST(SparseMnist, TransformOfAHandMadeImage) {
  std::vector<std::uint8_t> image(28 * 28, 0);
  light_cell(image, 0, 0, 6);  // pooled 6/9: the maximum, becomes 1
  light_cell(image, 8, 4, 3);  // 3/9 / (6/9) = 0.5: kept
  light_cell(image, 4, 7, 2);  // 2/9 / (6/9) = 0.333: below 0.4, dropped
  image[27 * 28 + 27] = 255;   // row and column 27 are outside the 'valid' 3x3 pooling: ignored
  const std::vector<float> out = sparse_image(image.data());
  ASSERT_EQ(out.size(), 48u * 48u);
  std::vector<float> expected(48 * 48, 0.0f);
  expected[kInflated[0] * 48 + kInflated[0]] = 1.0f;
  expected[kInflated[8] * 48 + kInflated[4]] = 0.5f;
  for (std::size_t p = 0; p < out.size(); ++p) EXPECT_FLOAT_EQ(out[p], expected[p]) << "pixel " << p;
}

TEST(SparseMnist, GreyPixelsAreAveragedAndNormalizedByTheMaximum) {
  std::vector<std::uint8_t> image(28 * 28, 0);
  light_cell(image, 2, 2, 9);  // the maximum: 1
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c < 3; ++c) image[(18 + r) * 28 + 3 + c] = 128;  // cell (6, 1): 128/255 = 0.502
  }
  image[0 * 28 + 24] = 200;  // cell (0, 8) holds one pixel of 200: 200/255/9 = 0.087, dropped
  const std::vector<float> out = sparse_image(image.data());
  EXPECT_FLOAT_EQ(out[kInflated[2] * 48 + kInflated[2]], 1.0f);
  EXPECT_FLOAT_EQ(out[kInflated[6] * 48 + kInflated[1]], 128.0f / 255.0f);
  EXPECT_EQ(std::count_if(out.begin(), out.end(), [](float v) { return v != 0; }), 2);
}

TEST(SparseMnist, BlankImageStaysBlank) {
  const std::vector<std::uint8_t> image(28 * 28, 0);
  const std::vector<float> out = sparse_image(image.data());
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return v == 0; }));
}

TEST(Idx, ReadsPlainAndGzipFilesAndValidatesThem) {
  TemporaryFolder folder;
  const std::vector<std::uint8_t> pixels{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  write_plain(folder.file("images"), idx_bytes(0x803, {2, 2, 3}, pixels));
  write_gzip(folder.file("images.gz"), idx_bytes(0x803, {2, 2, 3}, pixels));
  for (const char* name : {"images", "images.gz"}) {
    const IdxImages images = read_idx_images(folder.file(name));
    EXPECT_EQ(images.count, 2u);
    EXPECT_EQ(images.rows, 2u);
    EXPECT_EQ(images.cols, 3u);
    EXPECT_EQ(images.pixels, pixels);
  }
  write_plain(folder.file("labels"), idx_bytes(0x801, {3}, {7, 0, 9}));
  EXPECT_EQ(read_idx_labels(folder.file("labels")), (std::vector<std::uint8_t>{7, 0, 9}));

  expect_error([&] { read_idx_labels(folder.file("images")); }, {"images", "magic number 0x00000803"});
  write_plain(folder.file("short"), idx_bytes(0x803, {2, 2, 3}, {1, 2, 3}));
  expect_error([&] { read_idx_images(folder.file("short")); }, {"short", "truncated"});
  // A gzip file cut in half.
  const auto size = std::filesystem::file_size(folder.file("images.gz"));
  std::filesystem::copy_file(folder.file("images.gz"), folder.file("cut.gz"));
  std::filesystem::resize_file(folder.file("cut.gz"), size - 8);
  expect_error([&] { read_idx_images(folder.file("cut.gz")); }, {"cut.gz"});
  expect_error([&] { read_idx_images(folder.file("absent")); }, {"absent", "no such file"});
}

// A gzip file that expands past the limit is refused as it is read (a small .gz can expand to
// gigabytes): a gzip of 300,000 zero bytes (about 300 bytes on disk) against a 200,000-byte limit.
TEST(Idx, DecompressionStopsAtTheLimit) {
  TemporaryFolder folder;
  write_gzip(folder.file("bomb.gz"), std::vector<std::uint8_t>(300000, 0));
  EXPECT_LT(std::filesystem::file_size(folder.file("bomb.gz")), 2000u);
  expect_error([&] { read_maybe_gzipped(folder.file("bomb.gz"), 200000); },
               {"bomb.gz", "more than 200000 bytes"});
  EXPECT_EQ(read_maybe_gzipped(folder.file("bomb.gz"), 300000).size(), 300000u);
  EXPECT_EQ(kMaxIdxBytes, std::size_t{1} << 30);  // docs/limits.md
}

// A small IDX folder: image k lights pooled cell (k % 9, 2k % 9) fully, label k % 10.
void write_small_idx_folder(const TemporaryFolder& folder, std::size_t train, std::size_t test, bool gzip) {
  const auto images = [](std::size_t count) {
    std::vector<std::uint8_t> pixels(count * 28 * 28, 0);
    for (std::size_t k = 0; k < count; ++k) {
      std::vector<std::uint8_t> image(28 * 28, 0);
      light_cell(image, k % 9, 2 * k % 9, 9);
      std::copy(image.begin(), image.end(), pixels.begin() + static_cast<std::ptrdiff_t>(k * 28 * 28));
    }
    return pixels;
  };
  const auto labels = [](std::size_t count) {
    std::vector<std::uint8_t> values(count);
    for (std::size_t k = 0; k < count; ++k) values[k] = static_cast<std::uint8_t>(k % 10);
    return values;
  };
  const auto write = [&](const std::string& name, const std::vector<std::uint8_t>& bytes) {
    if (gzip) {
      write_gzip(folder.file(name + ".gz"), bytes);
    } else {
      write_plain(folder.file(name), bytes);
    }
  };
  const auto n = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
  write("train-images-idx3-ubyte", idx_bytes(0x803, {n(train), 28, 28}, images(train)));
  write("train-labels-idx1-ubyte", idx_bytes(0x801, {n(train)}, labels(train)));
  write("t10k-images-idx3-ubyte", idx_bytes(0x803, {n(test), 28, 28}, images(test)));
  write("t10k-labels-idx1-ubyte", idx_bytes(0x801, {n(test)}, labels(test)));
}

TEST(SparseMnist, PrepareSplitsLikeTheReference) {
  TemporaryFolder folder;
  write_small_idx_folder(folder, 15, 4, true);
  Options options;
  options.validation_events = 5;
  options.collection = Collection::fashion;
  const std::string out = folder.file("fashion.h5");
  prepare(folder.path().string(), out, options);
  const DatasetInfo info = read_dataset_info(out);
  EXPECT_EQ(info.split_sizes.at("train"), 10u);
  EXPECT_EQ(info.split_sizes.at("val"), 5u);
  EXPECT_EQ(info.split_sizes.at("test"), 4u);
  EXPECT_EQ(info.height, 48u);
  EXPECT_EQ(info.threshold, 0.4);
  EXPECT_EQ(info.class_names.at(9), "Ankle boot");
  // Validation = training images 0..4, train = training images 5..14, test = test images 0..3.
  const std::pair<std::string, std::size_t> splits[] = {{"val", 0}, {"train", 5}, {"test", 0}};
  for (const auto& [name, first_image] : splits) {
    const Split split = read_split(out, name);
    for (std::size_t e = 0; e < split.size(); ++e) {
      const std::size_t k = first_image + e;
      EXPECT_EQ(split.y[e], static_cast<std::int32_t>(k % 10));
      std::vector<float> expected(48 * 48, 0.0f);
      expected[kInflated[k % 9] * 48 + kInflated[2 * k % 9]] = 1.0f;
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(), split.event(e))) << name << " event " << e;
    }
  }
}

TEST(SparseMnist, BadFoldersAndLabelsAreClearErrors) {
  TemporaryFolder folder;
  expect_error([&] { prepare(folder.path().string(), folder.file("out.h5")); },
               {"missing IDX file train-images"});
  write_small_idx_folder(folder, 12, 2, false);
  Options options;
  options.validation_events = 12;
  expect_error([&] { prepare(folder.path().string(), folder.file("out.h5"), options); },
               {"need more than the 12"});
  write_plain(folder.file("t10k-labels-idx1-ubyte"), idx_bytes(0x801, {2}, {3, 10}));
  options.validation_events = 2;
  expect_error([&] { prepare(folder.path().string(), folder.file("out.h5"), options); },
               {"t10k-labels-idx1-ubyte", "label 10 of image 1"});
  EXPECT_FALSE(std::filesystem::exists(folder.file("out.h5")));
  expect_error(
      [&] {
        locate_idx_folder({folder.file("a"), folder.file("b")}, "MNIST");
      },
      {"MNIST", folder.file("a"), folder.file("b")});
}

TEST(SparseMnist, DefaultFoldersFollowTheEnvironmentAndTheExecutable) {
  ::setenv("SPARSEPIXELS_DATA_DIR", "/some/data", 1);
  const auto folders = default_mnist_folders("/repo/build/sparsepixels");
  ::unsetenv("SPARSEPIXELS_DATA_DIR");
  ASSERT_GE(folders.size(), 4u);
  EXPECT_EQ(folders[0], "/some/data/mnist");
  EXPECT_EQ(folders[1], "/repo/build/data/mnist");
  EXPECT_EQ(folders[2], "/repo/data/mnist");
  EXPECT_EQ(folders.back(), "./data/mnist");
}

TEST(SparseMnist, RealDigitsGiveTheReferenceSizesAndSparsity) {
  const std::string folder = std::string(SPARSEPIXELS_SOURCE_DIR) + "/data/mnist";
  if (!has_idx_files(folder))
    GTEST_SKIP() << "MNIST IDX files absent from " << folder << " (scripts/fetch-mnist.sh)";
  TemporaryFolder out_folder;
  const std::string out = out_folder.file("mnist.h5");
  prepare(folder, out);
  const DatasetInfo info = read_dataset_info(out);
  EXPECT_EQ(info.split_sizes.at("train"), 50000u);
  EXPECT_EQ(info.split_sizes.at("val"), 10000u);
  EXPECT_EQ(info.split_sizes.at("test"), 10000u);
  EXPECT_EQ(info.height, 48u);
  EXPECT_EQ(info.width, 48u);
  EXPECT_EQ(info.channels, 1u);
  const auto train_labels = read_idx_labels(*find_idx_file(folder, "train-labels-idx1-ubyte"));
  const Split val = read_split(out, "val");
  for (std::size_t i = 0; i < val.size(); ++i) ASSERT_EQ(val.y[i], train_labels[i]) << i;
  const Split test = read_split(out, "test");
  double active = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    active += static_cast<double>(
        std::count_if(test.event(i), test.event(i) + 2304, [](float v) { return v > 0; }));
  }
  const double mean = active / static_cast<double>(test.size());
  RecordProperty("mean_active_pixels", std::to_string(mean));
  EXPECT_GE(mean, 12.0);
  EXPECT_LE(mean, 20.0);
}

TEST(SparseMnist, FashionPackageFilesAreReadable) {
  if (!has_idx_files(kFashionMnistFolder)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const IdxImages images = read_idx_images(*find_idx_file(kFashionMnistFolder, "t10k-images-idx3-ubyte"));
  EXPECT_EQ(images.count, 10000u);
  EXPECT_EQ(images.rows, 28u);
  EXPECT_EQ(images.cols, 28u);
}

}  // namespace
}  // namespace sparsepixels::data::mnist
