// The dataset file: round trip, chunked reading, and a clear Error for every kind of bad file.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "expect_error.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data {
namespace {

using testing::TemporaryFolder;

// A split of `events` events of shape 2x3x2 whose values encode (split, event, index): easy to check.
Split make_split(std::size_t events, float base, std::int32_t first_label) {
  Split split;
  split.height = 2;
  split.width = 3;
  split.channels = 2;
  for (std::size_t e = 0; e < events; ++e) {
    for (std::size_t i = 0; i < 12; ++i) split.x.push_back(base + static_cast<float>(e * 100 + i));
    split.y.push_back((first_label + static_cast<std::int32_t>(e)) % 3);
  }
  return split;
}

DatasetInfo make_info() {
  DatasetInfo info;
  info.source = "unit test";
  info.transform = "none";
  info.threshold = 0.25;
  info.class_names = {"a", "b", "c"};
  info.height = 2;
  info.width = 3;
  info.channels = 2;
  return info;
}

void write_example(const std::string& path) {
  write_dataset(path, make_info(), make_split(5, 0, 0), make_split(2, 1000, 1), make_split(3, 2000, 2));
}

// Expects `action` to throw an Error whose message contains every one of `parts`.
using testing::expect_error;

TEST(Dataset, RoundTripKeepsAttributesShapesAndValues) {
  TemporaryFolder folder;
  const std::string path = folder.file("d.h5");
  write_example(path);
  const DatasetInfo info = read_dataset_info(path);
  EXPECT_EQ(info.source, "unit test");
  EXPECT_EQ(info.transform, "none");
  EXPECT_EQ(info.threshold, 0.25);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(info.height, 2u);
  EXPECT_EQ(info.width, 3u);
  EXPECT_EQ(info.channels, 2u);
  EXPECT_EQ(info.split_sizes.at("train"), 5u);
  EXPECT_EQ(info.split_sizes.at("val"), 2u);
  EXPECT_EQ(info.split_sizes.at("test"), 3u);

  const Split val = read_split(path, "val");
  ASSERT_EQ(val.size(), 2u);
  EXPECT_EQ(val.event_size(), 12u);
  EXPECT_EQ(val.x[0], 1000.0f);
  EXPECT_EQ(val.x[12 + 11], 1111.0f);  // event 1, index 11
  EXPECT_EQ(val.y, (std::vector<std::int32_t>{1, 2}));

  const Split part = read_split(path, "train", 2, 2);
  ASSERT_EQ(part.size(), 2u);
  EXPECT_EQ(part.event(0)[0], 200.0f);
  EXPECT_EQ(part.event(1)[5], 305.0f);
  EXPECT_EQ(part.y, (std::vector<std::int32_t>{2, 0}));
  EXPECT_EQ(read_split(path, "train", 3).size(), 2u);               // count 0 = to the end
  EXPECT_EQ(folder.entries(), (std::vector<std::string>{"d.h5"}));  // no temporary left behind
}

TEST(Dataset, FileIsChunkedByEventsAndCompressed) {
  TemporaryFolder folder;
  const std::string path = folder.file("d.h5");
  write_example(path);
  H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::DataSet x = file.openDataSet("/train/x");
  const H5::DSetCreatPropList properties = x.getCreatePlist();
  EXPECT_EQ(properties.getLayout(), H5D_CHUNKED);
  hsize_t chunk[4] = {};
  ASSERT_EQ(properties.getChunk(4, chunk), 4);
  EXPECT_EQ(chunk[1], 2u);
  EXPECT_EQ(chunk[2], 3u);
  EXPECT_EQ(chunk[3], 2u);
  EXPECT_GE(properties.getNfilters(), 1);
  EXPECT_EQ(x.getFloatType().getSize(), 4u);
}

TEST(Dataset, SplitReaderStreamsInChunks) {
  TemporaryFolder folder;
  const std::string path = folder.file("d.h5");
  write_example(path);
  SplitReader reader(path, "train", 2);
  EXPECT_EQ(reader.size(), 5u);
  Split chunk;
  std::vector<std::size_t> sizes;
  std::vector<float> firsts;
  while (reader.next(chunk)) {
    sizes.push_back(chunk.size());
    firsts.push_back(chunk.x[0]);
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(firsts, (std::vector<float>{0, 200, 400}));
  EXPECT_FALSE(reader.next(chunk));
}

TEST(Dataset, MissingNonHdf5AndTruncatedFilesNameTheFile) {
  TemporaryFolder folder;
  expect_error([&] { read_dataset_info(folder.file("absent.h5")); }, {"absent.h5", "no such file"});
  const std::string text = folder.file("text.h5");
  std::ofstream(text) << "not hdf5 at all";
  expect_error([&] { read_split(text, "test"); }, {"text.h5", "HDF5"});
  const std::string truncated = folder.file("truncated.h5");
  write_example(truncated);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 2);
  expect_error([&] { read_split(truncated, "test"); }, {"truncated.h5"});
}

TEST(Dataset, SchemaErrorsNameTheField) {
  TemporaryFolder folder;
  const auto variant = [&](const std::string& name, auto&& damage) {
    const std::string path = folder.file(name);
    write_example(path);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      damage(file);
    }
    return path;
  };
  const std::string no_val = variant("no_val.h5", [](H5::H5File& file) { file.unlink("/val"); });
  expect_error([&] { read_dataset_info(no_val); }, {"no_val.h5", "missing group /val"});

  const std::string no_y = variant("no_y.h5", [](H5::H5File& file) { file.unlink("/test/y"); });
  expect_error([&] { read_split(no_y, "train"); }, {"no_y.h5", "missing dataset /test/y"});

  const std::string no_attribute =
      variant("no_threshold.h5", [](H5::H5File& file) { file.openGroup("/").removeAttr("threshold"); });
  expect_error([&] { read_dataset_info(no_attribute); }, {"no_threshold.h5", "'threshold'"});

  const std::string wide_labels = variant("int64.h5", [](H5::H5File& file) {
    file.unlink("/val/y");
    const hsize_t size = 2;
    const std::int64_t labels[2] = {0, 1};
    file.createDataSet("/val/y", H5::PredType::STD_I64LE, H5::DataSpace(1, &size))
        .write(labels, H5::PredType::NATIVE_INT64);
  });
  expect_error([&] { read_split(wide_labels, "val"); }, {"int64.h5", "/val/y", "int32"});

  const std::string flat_x = variant("rank.h5", [](H5::H5File& file) {
    file.unlink("/val/x");
    const hsize_t dims[2] = {2, 12};
    std::vector<float> zeros(24, 0.0f);
    file.createDataSet("/val/x", H5::PredType::IEEE_F32LE, H5::DataSpace(2, dims))
        .write(zeros.data(), H5::PredType::NATIVE_FLOAT);
  });
  expect_error([&] { read_split(flat_x, "val"); }, {"rank.h5", "/val/x", "rank 4"});

  const std::string bad_shape = variant("shape.h5", [](H5::H5File& file) {
    file.unlink("/val/x");
    const hsize_t dims[4] = {2, 3, 3, 2};
    std::vector<float> zeros(36, 0.0f);
    file.createDataSet("/val/x", H5::PredType::IEEE_F32LE, H5::DataSpace(4, dims))
        .write(zeros.data(), H5::PredType::NATIVE_FLOAT);
  });
  expect_error([&] { read_dataset_info(bad_shape); }, {"shape.h5", "/val/x", "H=2 W=3 C=2"});

  expect_error([&] { read_split(folder.file("no_val.h5"), "validation"); }, {"unknown split 'validation'"});
}

TEST(Dataset, NonFiniteValuesAndBadLabelsAreRejectedOnReadAndWrite) {
  TemporaryFolder folder;
  const std::string path = folder.file("d.h5");
  write_example(path);
  {
    H5::H5File file(path, H5F_ACC_RDWR);
    H5::DataSet x = file.openDataSet("/test/x");
    H5::DataSpace space = x.getSpace();
    const hsize_t start[4] = {1, 0, 1, 1}, count[4] = {1, 1, 1, 1};
    space.selectHyperslab(H5S_SELECT_SET, count, start);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    x.write(&nan, H5::PredType::NATIVE_FLOAT, H5::DataSpace(4, count), space);
    H5::DataSet y = file.openDataSet("/val/y");
    const std::int32_t labels[2] = {0, 7};
    y.write(labels, H5::PredType::NATIVE_INT32);
  }
  expect_error([&] { read_split(path, "test"); }, {"d.h5", "/test/x", "event 1", "non-finite"});
  EXPECT_EQ(read_split(path, "test", 0, 1).size(), 1u);  // the events before are fine
  expect_error([&] { read_split(path, "val"); }, {"d.h5", "/val/y", "label 7", "event 1"});

  Split infinite = make_split(2, 0, 0);
  infinite.x[3] = std::numeric_limits<float>::infinity();
  const std::string out = folder.file("out.h5");
  expect_error([&] { write_dataset(out, make_info(), make_split(1, 0, 0), infinite, make_split(1, 0, 0)); },
               {"out.h5", "/val/x", "non-finite"});
  Split negative = make_split(2, 0, 0);
  negative.y[1] = -1;
  expect_error([&] { write_dataset(out, make_info(), negative, make_split(1, 0, 0), make_split(1, 0, 0)); },
               {"out.h5", "/train/y", "label -1"});
  Split wrong_shape = make_split(1, 0, 0);
  wrong_shape.width = 4;
  expect_error(
      [&] { write_dataset(out, make_info(), wrong_shape, make_split(1, 0, 0), make_split(1, 0, 0)); },
      {"out.h5", "do not match"});
  // Nothing half-written stays behind: only the file written at the start of the test.
  EXPECT_EQ(folder.entries(), (std::vector<std::string>{"d.h5"}));
}

TEST(Dataset, ReadingBeyondTheEndIsAnError) {
  TemporaryFolder folder;
  const std::string path = folder.file("d.h5");
  write_example(path);
  expect_error([&] { read_split(path, "test", 4); }, {"d.h5", "3 events", "cannot start at 4"});
  expect_error([&] { read_split(path, "test", 1, 3); }, {"d.h5", "cannot read 3 from 1"});
  expect_error([&] { write_dataset(folder.file("missing-folder/d.h5"), make_info(), {}, {}, {}); },
               {"missing-folder", "does not exist"});
}

}  // namespace
}  // namespace sparsepixels::data
