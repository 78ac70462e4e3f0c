// LHC jet images: the reference transform on hand-computed pixels, the split, and bad input files.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "expect_error.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/jets.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data::jets {
namespace {

using testing::TemporaryFolder;

using testing::expect_error;

// Writes x (N,100,100) float32 and y (N,5) float32 as the public jet files hold them.
void write_jets(const std::string& path, const std::vector<float>& x, const std::vector<float>& y,
                std::size_t n) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  const hsize_t x_dims[3] = {n, 100, 100}, y_dims[2] = {n, 5};
  file.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(3, x_dims))
      .write(x.data(), H5::PredType::NATIVE_FLOAT);
  file.createDataSet("y", H5::PredType::IEEE_F32LE, H5::DataSpace(2, y_dims))
      .write(y.data(), H5::PredType::NATIVE_FLOAT);
}

float& pixel(std::vector<float>& x, std::size_t jet, std::size_t row, std::size_t col) {
  return x[jet * 10000 + row * 100 + col];
}

TEST(Jets, TransformOfHandPlacedPixels) {
  std::vector<float> image(100 * 100, 0.0f);
  image[0] = 5000;                          // outside the crop: ignored
  image[(22 + 14) * 100 + 22 + 15] = 600;   // 0.5 at cropped (14, 15): 0.5 and 2.5 round to even -> (0, 2)
  image[(22 + 27) * 100 + 22 + 28] = 2400;  // clipped to 1 at (27, 28): 26.5 -> 26, 28.5 -> 28
  image[(22 + 30) * 100 + 22 + 30] = 3.0f;  // 0.0025 <= 0.003: zero
  image[(22 + 30) * 100 + 22 + 31] = 4.8f;  // 0.004: kept at (32, 34)
  image[(22 + 42) * 100 + 22 + 20] = 120;   // rows 42 and 43 both land on row 55 (56.5 -> 56 and 58.5 -> 58,
  image[(22 + 43) * 100 + 22 + 20] = 240;   // clipped): the later in raster order, 0.2, wins
  const std::vector<float> out = sparse_image(image.data());
  ASSERT_EQ(out.size(), 56u * 56u);
  std::vector<float> expected(56 * 56, 0.0f);
  expected[0 * 56 + 2] = 0.5f;
  expected[26 * 56 + 28] = 1.0f;
  expected[32 * 56 + 34] = static_cast<float>(4.8f / 1200.0);
  expected[55 * 56 + 12] = 0.2f;
  for (std::size_t p = 0; p < out.size(); ++p) EXPECT_FLOAT_EQ(out[p], expected[p]) << "pixel " << p;
}

TEST(Jets, SplitCountsFollowTheReference) {
  const SplitCounts full = split_counts(300000);
  EXPECT_EQ(full.train, 180000u);
  EXPECT_EQ(full.val, 20000u);
  EXPECT_EQ(full.test, 100000u);
  const SplitCounts small = split_counts(16);
  EXPECT_EQ(small.train, 9u);
  EXPECT_EQ(small.val, 1u);
  EXPECT_EQ(small.test, 6u);
}

TEST(Jets, PrepareWritesTheSplitsInOrderWithLabelsFromOneHot) {
  TemporaryFolder folder;
  const std::size_t n = 16;
  std::vector<float> x(n * 10000, 0.0f), y(n * 5, 0.0f);
  for (std::size_t j = 0; j < n; ++j) {
    pixel(x, j, 22 + 14 + j % 20, 22 + 27) = 1200;  // value 1 at cropped row 14 + j%20 -> row 2(j%20), col 26
    y[j * 5 + (j * 3) % 5] = 1;
  }
  const std::string input = folder.file("jets.h5"), output = folder.file("out.h5");
  write_jets(input, x, y, n);
  Options options;
  options.chunk_events = 5;  // several chunks, one of them straddling the train/val boundary
  prepare(input, output, options);
  const DatasetInfo info = read_dataset_info(output);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"g", "q", "W", "Z", "t"}));
  EXPECT_EQ(info.height, 56u);
  std::size_t jet = 0;
  for (const std::string& name : split_names()) {
    const Split split = read_split(output, name);
    EXPECT_EQ(split.size(), name == "train" ? 9u : name == "val" ? 1u : 6u);
    for (std::size_t e = 0; e < split.size(); ++e, ++jet) {
      EXPECT_EQ(split.y[e], static_cast<std::int32_t>((jet * 3) % 5));
      const std::size_t expected_pixel = 2 * (jet % 20) * 56 + 26;
      for (std::size_t p = 0; p < 56 * 56; ++p) {
        ASSERT_EQ(split.event(e)[p], p == expected_pixel ? 1.0f : 0.0f)
            << name << " event " << e << " pixel " << p;
      }
    }
  }
  EXPECT_EQ(jet, n);
}

TEST(Jets, BadInputIsAClearError) {
  TemporaryFolder folder;
  const std::string output = folder.file("out.h5");
  std::vector<float> x(2 * 10000, 0.0f), y{1, 0, 0, 0, 0, 0, 1, 1, 0, 0};
  write_jets(folder.file("two_hot.h5"), x, y, 2);
  expect_error([&] { prepare(folder.file("two_hot.h5"), output); }, {"two_hot.h5", "/y", "row 1", "one-hot"});
  y = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  pixel(x, 1, 50, 50) = std::numeric_limits<float>::quiet_NaN();
  write_jets(folder.file("nan.h5"), x, y, 2);
  expect_error([&] { prepare(folder.file("nan.h5"), output); }, {"nan.h5", "/x", "jet 1", "non-finite"});
  {
    H5::H5File file(folder.file("shape.h5"), H5F_ACC_TRUNC);
    const hsize_t dims[3] = {1, 50, 50};
    const std::vector<float> zeros(50 * 50, 0.0f);
    file.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(3, dims))
        .write(zeros.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_error([&] { prepare(folder.file("shape.h5"), output); }, {"shape.h5", "missing dataset /y"});
  expect_error([&] { prepare(folder.file("absent.h5"), output); }, {"absent.h5", "no such file"});
  EXPECT_FALSE(std::filesystem::exists(output));
  for (const std::string& entry : folder.entries())
    EXPECT_EQ(entry.find("out.h5"), std::string::npos) << entry;
}

}  // namespace
}  // namespace sparsepixels::data::jets
