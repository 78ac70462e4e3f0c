// The sparse layout (hit lists): dense -> sparse -> dense bit for bit on every generator's output, chunked
// reads equal to whole reads, and a clear Error for each kind of malformed hit list, before allocation.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "expect_error.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/jets.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data {
namespace {

using testing::TemporaryFolder;

using testing::expect_error;

// Bit for bit: the same shape, labels and float bit patterns (so -0.0 differs from 0.0).
void expect_same_bits(const Split& a, const Split& b) {
  ASSERT_EQ(a.height, b.height);
  ASSERT_EQ(a.width, b.width);
  ASSERT_EQ(a.channels, b.channels);
  ASSERT_EQ(a.y, b.y);
  ASSERT_EQ(a.x.size(), b.x.size());
  EXPECT_EQ(std::memcmp(a.x.data(), b.x.data(), a.x.size() * sizeof(float)), 0);
}

DatasetInfo info_of(const Split& split, DatasetLayout layout,
                    std::vector<std::string> classes = {"a", "b", "c"}) {
  DatasetInfo info;
  info.source = "sparse events test";
  info.transform = "none";
  info.class_names = std::move(classes);
  info.height = split.height;
  info.width = split.width;
  info.channels = split.channels;
  info.layout = layout;
  return info;
}

// Random sparse events of height x width x channels: a few pixels with some channels zero, some -0.0.
Split random_events(std::size_t events, std::size_t height, std::size_t width, std::size_t channels,
                    unsigned seed) {
  Split split;
  split.height = height;
  split.width = width;
  split.channels = channels;
  split.x.assign(events * split.event_size(), 0.0f);
  std::mt19937 random(seed);
  for (std::size_t e = 0; e < events; ++e) {
    const std::size_t active = e % 5 == 4 ? 0 : 1 + random() % 9;  // some events are empty
    for (std::size_t k = 0; k < active; ++k) {
      const std::size_t pixel = random() % (height * width), channel = random() % channels;
      const float value = k % 4 == 3 ? -0.0f : static_cast<float>(random() % 1000) / 7.0f - 50.0f;
      split.x[e * split.event_size() + pixel * channels + channel] = value;
    }
    split.y.push_back(static_cast<std::int32_t>(e % 3));
  }
  return split;
}

// Writes dense and sparse files of every split of `path` and checks that each reads back as the original.
void expect_round_trip(const TemporaryFolder& folder, const std::string& dense_path) {
  const std::string sparse = folder.file("converted-sparse.h5"), dense = folder.file("converted-dense.h5");
  convert_dataset(dense_path, sparse, DatasetLayout::sparse);
  convert_dataset(sparse, dense, DatasetLayout::dense);
  EXPECT_EQ(read_dataset_info(sparse).layout, DatasetLayout::sparse);
  EXPECT_EQ(read_dataset_info(dense).layout, DatasetLayout::dense);
  const DatasetInfo original = read_dataset_info(dense_path), converted = read_dataset_info(sparse);
  EXPECT_EQ(converted.split_sizes, original.split_sizes);
  EXPECT_EQ(converted.class_names, original.class_names);
  EXPECT_EQ(converted.source, original.source);
  EXPECT_EQ(converted.threshold, original.threshold);
  for (const std::string& split : split_names()) {
    SCOPED_TRACE(split);
    const Split before = read_split(dense_path, split);
    expect_same_bits(before, read_split(sparse, split));
    expect_same_bits(before, read_split(dense, split));
    expect_same_bits(before, to_dense(to_hits(before)));
  }
}

TEST(SparseEvents, HitsAreRasterOrderedAndKeepNegativeZero) {
  Split events;
  events.height = 2;
  events.width = 3;
  events.channels = 2;
  events.x.assign(12, 0.0f);
  events.x[2 * 4 + 1] = 5.0f;   // (1, 1) channel 1
  events.x[2 * 0 + 0] = -0.0f;  // (0, 0) channel 0: a hit (bitwise non-zero)
  events.x[2 * 2 + 0] = 1.5f;   // (0, 2)
  events.y = {2};
  const HitSplit hits = to_hits(events);
  EXPECT_EQ(hits.offsets, (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(hits.coords, (std::vector<std::uint32_t>{0, 0, 0, 2, 1, 1}));
  EXPECT_EQ(hits.values.size(), 6u);
  EXPECT_TRUE(std::signbit(hits.values[0]));
  EXPECT_EQ(hits.values[5], 5.0f);
  expect_same_bits(events, to_dense(hits));
}

TEST(SparseEvents, RandomMultiChannelEventsRoundTripBitForBit) {
  TemporaryFolder folder;
  const Split train = random_events(37, 5, 7, 3, 1), val = random_events(6, 5, 7, 3, 2),
              test = random_events(300, 5, 7, 3, 3);
  const std::string path = folder.file("dense.h5");
  write_dataset(path, info_of(train, DatasetLayout::dense), train, val, test);
  expect_round_trip(folder, path);
  // Written directly in the sparse layout too (DatasetWriter::append of dense events).
  const std::string direct = folder.file("direct.h5");
  write_dataset(direct, info_of(train, DatasetLayout::sparse), train, val, test);
  expect_same_bits(test, read_split(direct, "test"));
}

TEST(SparseEvents, SyntheticRoundTripsAndIsSmaller) {
  TemporaryFolder folder;
  const std::string dense = folder.file("synthetic-dense.h5"), sparse = folder.file("synthetic-sparse.h5");
  synthetic::write_synthetic(dense, 600, 5, {}, DatasetLayout::dense);
  synthetic::write_synthetic(sparse, 600, 5, {}, DatasetLayout::sparse);
  for (const std::string& split : split_names())
    expect_same_bits(read_split(dense, split), read_split(sparse, split));
  expect_round_trip(folder, dense);
  EXPECT_LT(std::filesystem::file_size(sparse), std::filesystem::file_size(dense));
}

TEST(SparseEvents, JetsRoundTrip) {
  TemporaryFolder folder;
  const std::size_t jets = 60;
  std::vector<float> x(jets * 10000, 0.0f), y(jets * 5, 0.0f);
  std::mt19937 random(9);
  for (std::size_t jet = 0; jet < jets; ++jet) {
    for (int k = 0; k < 40; ++k)
      x[jet * 10000 + 2200 + random() % 5600] = static_cast<float>(random() % 2400);
    y[jet * 5 + jet % 5] = 1.0f;
  }
  const std::string input = folder.file("jets-in.h5");
  {
    H5::H5File file(input, H5F_ACC_TRUNC);
    const hsize_t x_dims[3] = {jets, 100, 100}, y_dims[2] = {jets, 5};
    file.createDataSet("x", H5::PredType::IEEE_F32LE, H5::DataSpace(3, x_dims))
        .write(x.data(), H5::PredType::NATIVE_FLOAT);
    file.createDataSet("y", H5::PredType::IEEE_F32LE, H5::DataSpace(2, y_dims))
        .write(y.data(), H5::PredType::NATIVE_FLOAT);
  }
  jets::Options options;
  options.chunk_events = 7;
  const std::string dense = folder.file("jets-dense.h5"), sparse = folder.file("jets-sparse.h5");
  jets::prepare(input, dense, options);
  options.layout = DatasetLayout::sparse;
  jets::prepare(input, sparse, options);
  EXPECT_EQ(read_dataset_info(sparse).layout, DatasetLayout::sparse);
  for (const std::string& split : split_names())
    expect_same_bits(read_split(dense, split), read_split(sparse, split));
  expect_round_trip(folder, dense);
}

TEST(SparseEvents, MnistRoundTripsWhenTheFilesArePresent) {
  const std::string folder_path = std::string(SPARSEPIXELS_SOURCE_DIR) + "/data/mnist";
  if (!mnist::has_idx_files(folder_path)) GTEST_SKIP() << "MNIST IDX files absent from " << folder_path;
  TemporaryFolder folder;
  const std::string dense = folder.file("mnist.h5");
  mnist::prepare(folder_path, dense);
  expect_round_trip(folder, dense);
}

TEST(SparseEvents, ChunkedAndRangeReadsEqualWholeReads) {
  TemporaryFolder folder;
  const Split events = random_events(53, 4, 6, 2, 4);
  const std::string path = folder.file("sparse.h5");
  write_dataset(path, info_of(events, DatasetLayout::sparse), events, events, events);
  for (std::size_t chunk_events : {1u, 7u, 53u, 100u}) {
    SplitReader reader(path, "val", chunk_events);
    EXPECT_EQ(reader.size(), 53u);
    Split chunk, joined = events;
    joined.x.clear();
    joined.y.clear();
    while (reader.next(chunk)) {
      joined.x.insert(joined.x.end(), chunk.x.begin(), chunk.x.end());
      joined.y.insert(joined.y.end(), chunk.y.begin(), chunk.y.end());
    }
    expect_same_bits(events, joined);
    SplitReader hit_reader(path, "val", chunk_events);
    HitSplit hits;
    std::size_t first = 0;
    while (hit_reader.next(hits)) {
      const Split part = read_split(path, "val", first, hits.size());
      expect_same_bits(part, to_dense(hits));
      first += hits.size();
    }
    EXPECT_EQ(first, 53u);
  }
  const HitSplit middle = read_hit_split(path, "test", 10, 20);
  EXPECT_EQ(middle.offsets.front(), 0);
  expect_same_bits(read_split(path, "test", 10, 20), to_dense(middle));
  // The same hits from the dense layout.
  const std::string dense = folder.file("dense.h5");
  convert_dataset(path, dense, DatasetLayout::dense);
  const HitSplit from_dense = read_hit_split(dense, "test", 10, 20);
  EXPECT_EQ(from_dense.offsets, middle.offsets);
  EXPECT_EQ(from_dense.coords, middle.coords);
  EXPECT_EQ(from_dense.values, middle.values);
}

TEST(SparseEvents, WideImagesStoreUint32Coordinates) {
  TemporaryFolder folder;
  Split events;
  events.height = 2;
  events.width = 70000;
  events.channels = 1;
  events.x.assign(2 * events.event_size(), 0.0f);
  events.x[69999] = 1.0f;                                // event 0, row 0, column 69,999
  events.x[events.event_size() + 70000 + 65536] = 2.0f;  // event 1, row 1, column 65,536
  events.y = {0, 1};
  const std::string path = folder.file("wide.h5");
  write_dataset(path, info_of(events, DatasetLayout::sparse), events, events, events);
  {
    H5::H5File file(path, H5F_ACC_RDONLY);
    EXPECT_EQ(file.openDataSet("/test/coords").getIntType().getSize(), 4u);
  }
  expect_same_bits(events, read_split(path, "test"));
  const std::string narrow = folder.file("narrow.h5");
  const Split small = random_events(3, 4, 4, 1, 5);
  write_dataset(narrow, info_of(small, DatasetLayout::sparse), small, small, small);
  H5::H5File file(narrow, H5F_ACC_RDONLY);
  EXPECT_EQ(file.openDataSet("/test/coords").getIntType().getSize(), 2u);
}

// --- malformed files, each written with the HDF5 C++ API ---

// A valid sparse file of 2x3x1 events: test holds 3 events with 2, 0 and 3 hits.
std::string write_valid(const TemporaryFolder& folder, const std::string& name) {
  Split events;
  events.height = 2;
  events.width = 3;
  events.channels = 1;
  events.x = {1, 0, 2, 0, 0, 0,   // event 0: (0,0) (0,2)
              0, 0, 0, 0, 0, 0,   // event 1: none
              0, 3, 0, 4, 0, 5};  // event 2: (0,1) (1,0) (1,2)
  events.y = {0, 1, 2};
  const std::string path = folder.file(name);
  write_dataset(path, info_of(events, DatasetLayout::sparse), events, events, events);
  return path;
}

void overwrite_coords(const std::string& path, const std::vector<std::uint32_t>& coords) {
  H5::H5File file(path, H5F_ACC_RDWR);
  file.openDataSet("/test/coords").write(coords.data(), H5::PredType::NATIVE_UINT32);
}

void overwrite_offsets(const std::string& path, const std::vector<std::int64_t>& offsets) {
  H5::H5File file(path, H5F_ACC_RDWR);
  file.openDataSet("/test/offsets").write(offsets.data(), H5::PredType::NATIVE_INT64);
}

// Writes zeros over the whole of a dataset (one never written stores nothing, and readers refuse a
// dataset that declares more than it stores).
void write_zeros(const H5::DataSet& dataset) {
  const H5::DataSpace space = dataset.getSpace();
  std::vector<double> zeros(static_cast<std::size_t>(space.getSimpleExtentNpoints()), 0.0);
  dataset.write(zeros.data(), H5::PredType::NATIVE_DOUBLE);
}

// Replaces a dataset of the test split with a new one of `type` and `dims` filled with zeros.
void replace_dataset(const std::string& path, const std::string& name, const H5::PredType& type,
                     std::vector<hsize_t> dims) {
  H5::H5File file(path, H5F_ACC_RDWR);
  file.unlink("/test/" + name);
  const H5::DataSet dataset =
      file.createDataSet("/test/" + name, type, H5::DataSpace(static_cast<int>(dims.size()), dims.data()));
  write_zeros(dataset);
}

// Every entry point reports the same error (read_split, a chunked reader, the hit reader).
void expect_read_errors(const std::string& path, const std::vector<std::string>& parts) {
  expect_error([&] { read_split(path, "test"); }, parts);
  expect_error(
      [&] {
        SplitReader reader(path, "test", 1);
        Split chunk;
        while (reader.next(chunk)) {
        }
      },
      parts);
  expect_error([&] { read_hit_split(path, "test"); }, parts);
}

TEST(SparseEvents, TheValidFileReads) {
  TemporaryFolder folder;
  const HitSplit hits = read_hit_split(write_valid(folder, "ok.h5"), "test");
  EXPECT_EQ(hits.offsets, (std::vector<std::int64_t>{0, 2, 2, 5}));
  EXPECT_EQ(hits.coords, (std::vector<std::uint32_t>{0, 0, 0, 2, 0, 1, 1, 0, 1, 2}));
}

TEST(SparseEvents, CoordinatesOutOfRangeAreErrors) {
  TemporaryFolder folder;
  const std::string rows = write_valid(folder, "row.h5");
  overwrite_coords(rows, {0, 0, 0, 2, 0, 1, 2, 0, 1, 2});  // event 2, hit 1: row 2 of 2 rows
  expect_read_errors(rows, {"row.h5", "split test", "event 2", "hit 1", "row 2", "outside the 2x3 image"});
  const std::string columns = write_valid(folder, "column.h5");
  overwrite_coords(columns, {0, 0, 0, 3, 0, 1, 1, 0, 1, 2});  // event 0, hit 1: column 3 of 3
  expect_read_errors(columns, {"column.h5", "split test", "event 0", "hit 1", "column 3", "outside"});
}

TEST(SparseEvents, UnsortedAndDuplicateHitsAreErrors) {
  TemporaryFolder folder;
  const std::string unsorted = write_valid(folder, "unsorted.h5");
  overwrite_coords(unsorted, {0, 0, 0, 2, 1, 0, 0, 1, 1, 2});  // event 2: (1,0) before (0,1)
  expect_read_errors(
      unsorted, {"unsorted.h5", "split test", "event 2", "hit 1", "before the previous hit", "raster order"});
  const std::string duplicate = write_valid(folder, "duplicate.h5");
  overwrite_coords(duplicate, {0, 2, 0, 2, 0, 1, 1, 0, 1, 2});  // event 0: (0,2) twice
  expect_read_errors(duplicate, {"duplicate.h5", "split test", "event 0", "hit 1", "duplicates"});
  // Hits of different events are independent: event 2 may start before event 0 ended.
  const std::string across = write_valid(folder, "across.h5");
  overwrite_coords(across, {1, 1, 1, 2, 0, 0, 1, 0, 1, 2});
  EXPECT_NO_THROW(read_split(across, "test"));
}

TEST(SparseEvents, BadOffsetsAreErrors) {
  TemporaryFolder folder;
  const std::string start = write_valid(folder, "start.h5");
  overwrite_offsets(start, {1, 2, 2, 5});
  expect_error([&] { read_dataset_info(start); }, {"start.h5", "split test", "offsets start at 1, not 0"});
  expect_read_errors(start, {"start.h5", "offsets start at 1"});

  const std::string decreasing = write_valid(folder, "decreasing.h5");
  overwrite_offsets(decreasing, {0, 2, 1, 5});
  expect_read_errors(decreasing,
                     {"decreasing.h5", "split test", "event 1", "offsets decrease (from 2 to 1)"});

  const std::string beyond = write_valid(folder, "beyond.h5");
  overwrite_offsets(beyond, {0, 2, 2, 9});
  expect_error([&] { read_dataset_info(beyond); },
               {"beyond.h5", "split test", "offsets end at 9", "stores 5 hits"});
  const std::string short_end = write_valid(folder, "short.h5");
  overwrite_offsets(short_end, {0, 2, 2, 4});
  expect_error([&] { read_split(short_end, "test"); }, {"short.h5", "offsets end at 4", "stores 5 hits"});

  const std::string middle = write_valid(folder, "middle.h5");
  overwrite_offsets(middle, {0, 7, 7, 5});  // event 0 ends beyond the 5 stored hits
  expect_read_errors(middle, {"middle.h5", "split test", "event 0", "beyond the 5 stored hits"});
}

TEST(SparseEvents, MoreHitsThanPixelsIsAnErrorBeforeAnyCoordinateIsRead) {
  TemporaryFolder folder;
  const std::string path = write_valid(folder, "crowded.h5");
  {
    H5::H5File file(path, H5F_ACC_RDWR);
    for (const char* name : {"coords", "values"}) file.unlink(std::string("/test/") + name);
    const hsize_t coords_dims[2] = {7, 2}, values_dims[2] = {7, 1};
    write_zeros(file.createDataSet("/test/coords", H5::PredType::STD_U16LE, H5::DataSpace(2, coords_dims)));
    write_zeros(file.createDataSet("/test/values", H5::PredType::IEEE_F32LE, H5::DataSpace(2, values_dims)));
  }
  overwrite_offsets(path, {0, 0, 7, 7});  // event 1: 7 hits in a 2x3 image
  expect_read_errors(path, {"crowded.h5", "split test", "event 1", "7 hits, more than its 6 pixels"});
}

TEST(SparseEvents, DatasetSizesThatDisagreeAreErrors) {
  TemporaryFolder folder;
  const std::string values = write_valid(folder, "values.h5");
  replace_dataset(values, "values", H5::PredType::IEEE_F32LE, {4, 1});
  expect_error([&] { read_dataset_info(values); },
               {"values.h5", "split test", "5 hits in coords but 4 in values"});
  const std::string labels = write_valid(folder, "labels.h5");
  replace_dataset(labels, "y", H5::PredType::STD_I32LE, {4});
  expect_error([&] { read_split(labels, "test"); }, {"labels.h5", "split test", "4 offsets for 4 labels"});
  const std::string channels = write_valid(folder, "channels.h5");
  replace_dataset(channels, "values", H5::PredType::IEEE_F32LE, {5, 2});
  expect_error([&] { read_dataset_info(channels); }, {"channels.h5", "/test/values", "(hits, 1)"});
  const std::string coords = write_valid(folder, "coords.h5");
  replace_dataset(coords, "coords", H5::PredType::STD_U16LE, {5, 3});
  expect_error([&] { read_dataset_info(coords); }, {"coords.h5", "/test/coords", "(hits, 2)"});
  const std::string types = write_valid(folder, "types.h5");
  replace_dataset(types, "offsets", H5::PredType::STD_I32LE, {4});
  expect_error([&] { read_dataset_info(types); }, {"types.h5", "/test/offsets", "int64"});
  const std::string signed_coords = write_valid(folder, "signed.h5");
  replace_dataset(signed_coords, "coords", H5::PredType::STD_I32LE, {5, 2});
  expect_error([&] { read_dataset_info(signed_coords); }, {"signed.h5", "/test/coords", "uint16 or uint32"});
  const std::string missing = write_valid(folder, "missing.h5");
  {
    H5::H5File file(missing, H5F_ACC_RDWR);
    file.unlink("/val/offsets");
  }
  expect_error([&] { read_dataset_info(missing); }, {"missing.h5", "missing dataset /val/offsets"});
}

TEST(SparseEvents, NonFiniteValuesAndBadLabelsNameTheEvent) {
  TemporaryFolder folder;
  const std::string path = write_valid(folder, "nan.h5");
  {
    H5::H5File file(path, H5F_ACC_RDWR);
    const std::vector<float> values{1, 2, 3, std::numeric_limits<float>::quiet_NaN(), 5};
    file.openDataSet("/test/values").write(values.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_read_errors(path, {"nan.h5", "/test/values", "event 2", "non-finite"});
}

TEST(SparseEvents, AnUnknownLayoutIsAnError) {
  TemporaryFolder folder;
  const std::string path = write_valid(folder, "layout.h5");
  {
    H5::H5File file(path, H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    root.removeAttr("layout");
    const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    root.createAttribute("layout", type, H5::DataSpace(H5S_SCALAR)).write(type, std::string("coo"));
  }
  expect_error([&] { read_dataset_info(path); }, {"layout.h5", "'layout'", "'dense' or 'sparse'", "coo"});
  // Without the attribute the file is read as dense, and the error says what is missing.
  {
    H5::H5File file(path, H5F_ACC_RDWR);
    file.openGroup("/").removeAttr("layout");
  }
  expect_error([&] { read_dataset_info(path); },
               {"layout.h5", "missing dataset /train/x", "/train/offsets exists", "layout = 'sparse'"});
}

TEST(SparseEvents, InMemoryHitListsAreValidatedToo) {
  HitSplit hits;
  hits.height = 2;
  hits.width = 2;
  hits.channels = 1;
  hits.offsets = {0, 2};
  hits.coords = {1, 1, 0, 0};
  hits.values = {1, 2};
  hits.y = {0};
  expect_error([&] { to_dense(hits); }, {"event 0", "hit 1", "before the previous hit"});
  hits.coords = {0, 0, 1, 1};
  hits.values = {1};
  expect_error([&] { to_dense(hits); }, {"do not describe the same hits"});
  // The writer refuses what a reader would refuse, and leaves no file.
  TemporaryFolder folder;
  hits.values = {1, 2};
  hits.coords = {0, 0, 0, 0};
  DatasetInfo info;
  info.source = info.transform = "t";
  info.class_names = {"a"};
  info.height = info.width = 2;
  info.channels = 1;
  info.layout = DatasetLayout::sparse;
  const std::string path = folder.file("refused.h5");
  expect_error(
      [&] {
        DatasetWriter writer(path, info);
        writer.append("test", hits);
        writer.finish();
      },
      {"refused.h5", "split test", "event 0", "duplicates"});
  EXPECT_TRUE(folder.entries().empty());
  // Hits without an event are refused, not dropped.
  HitSplit stray;
  stray.height = stray.width = 2;
  stray.channels = 1;
  stray.coords = {0, 0};
  stray.values = {1};
  expect_error(
      [&] {
        DatasetWriter writer(path, info);
        writer.append("val", stray);
      },
      {"refused.h5", "split val", "offsets end at 0 but the split stores 1 hits"});
}

TEST(SparseEvents, ValidationFunctionsOnArrays) {
  const HitSource source{"f.h5", "train", 10};
  const std::int64_t offsets[] = {4, 6, 6, 9};
  // A middle range need not start at 0, and need not end at the stored hits.
  EXPECT_NO_THROW(validate_hit_offsets(source, offsets, 3, 20, 4, false));
  expect_error([&] { validate_hit_offsets(source, offsets, 3, 20, 4, true); },
               {"f.h5", "split train", "offsets end at 9 but the split stores 20 hits"});
  expect_error([&] { validate_hit_offsets(source, offsets, 3, 8, 4, false); },
               {"split train, event 12", "beyond the 8 stored hits"});
  expect_error(
      [&] {
        validate_hit_offsets({"f.h5", "train", 0}, offsets, 3, 20, 4, false);
      },
      {"event 0", "offsets start at 4, not 0"});
  const std::int64_t negative[] = {-1, 0};
  expect_error([&] { validate_hit_offsets(source, negative, 1, 20, 4, false); }, {"event 10", "outside"});
  const std::uint32_t coords[] = {0, 0, 0, 1, 0, 0, 1, 0, 1, 1};
  EXPECT_NO_THROW(validate_hit_coordinates(source, offsets, 3, coords, 2, 2));
}

}  // namespace
}  // namespace sparsepixels::data
