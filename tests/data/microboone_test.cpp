// MicroBooNE: every step of reference 7.3 on hand-computed answers, then whole WithWire files.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "expect_error.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/microboone.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data::microboone {
namespace {

using testing::TemporaryFolder;

using testing::expect_error;

LabelImage labels_from(const std::vector<std::string>& rows) {
  LabelImage labels(rows.size(), rows.front().size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      labels.values[r * labels.cols + c] = rows[r][c] == '+' ? 1 : rows[r][c] == '-' ? -1 : 0;
    }
  }
  return labels;
}

// Brute-force count of +1 pixels in a window (independent of the integral image).
std::uint32_t brute_count(const LabelImage& labels, std::size_t row, std::size_t col, std::size_t h,
                          std::size_t w) {
  std::uint32_t count = 0;
  for (std::size_t r = row; r < row + h; ++r) {
    for (std::size_t c = col; c < col + w; ++c) count += labels.at(r, c) == 1 ? 1 : 0;
  }
  return count;
}

TEST(MicroBooNE, PlaneWireCounts) {
  EXPECT_EQ(plane_wire_count(0), 2400u);
  EXPECT_EQ(plane_wire_count(1), 2400u);
  EXPECT_EQ(plane_wire_count(2), 3456u);
  EXPECT_THROW(plane_wire_count(3), Error);
}

TEST(MicroBooNE, TickSumsThresholdClipAndSortWires) {
  Parameters parameters;
  parameters.ticks = 13;  // two groups of 6, the 13th tick is dropped
  const std::vector<float> waveforms{
      1, 1, 1, 1, 1, 1, 20, 20, 20, 20, 20, 20, 500,  // wire 3: sums 6 -> 0, 120 -> 100
      2, 2, 2, 2, 2, 0, 1,  2,  3,  4,  0,  0,  500,  // wire 1: sums 10 (kept), 10
  };
  const Image image = tick_sum_image(waveforms, {3, 1}, 4, parameters);
  ASSERT_EQ(image.rows, 2u);
  ASSERT_EQ(image.cols, 4u);
  EXPECT_EQ(image.values, (std::vector<float>{0, 10, 0, 0, 0, 10, 0, 100}));
  expect_error([&] { tick_sum_image(waveforms, {3, 3}, 4, parameters); }, {"wire id 3", "twice"});
  expect_error([&] { tick_sum_image(waveforms, {3, 4}, 4, parameters); }, {"wire id 4", "outside [0, 4)"});
}

TEST(MicroBooNE, HitLabelFromTheDepositWithTheLargestShare) {
  EXPECT_FALSE(hit_is_neutrino({}));
  EXPECT_FALSE(hit_is_neutrino({{0.3, 5}, {0.7, -1}}));
  EXPECT_TRUE(hit_is_neutrino({{0.6, 2}, {0.4, -1}}));
  EXPECT_TRUE(hit_is_neutrino({{0.5, 0}, {0.5, -1}}));  // a tie keeps the first
}

TEST(MicroBooNE, LabelImageMarksTicksCosmicOverridesAndDownsamplesBySign) {
  Parameters parameters;
  parameters.ticks = 18;  // 3 rows of 6 ticks
  const std::vector<Hit> hits{
      {0, 4.0, 1.0, true},    // wire 0, ticks [2, 6] +1
      {0, 6.5, 0.2, false},   // wire 0, ticks [6, 7] -1 (tick 6 overrides the +1)
      {1, 10.0, 1.0, true},   // wire 1, ticks [8, 12] +1
      {1, 12.0, 0.0, false},  // wire 1, tick 12 -1
      {2, 17.0, 2.0, true},   // wire 2, ticks [13, 21] clipped to [13, 17]
      {2, 15.0, 0.5,
       false},  // wire 2, ticks [14, 16] -1: row 2 holds +1 +1 -1 -1 -1 and tick 12 = 0 -> sum -1
  };
  const LabelImage labels = label_image(hits, 3, parameters);
  ASSERT_EQ(labels.rows, 3u);
  ASSERT_EQ(labels.cols, 3u);
  // Row 0 (ticks 0-5): wire 0 has four +1. Row 1 (6-11): wire 0 has -1,-1 -> -1; wire 1 four +1.
  // Row 2 (12-17): wire 1 has one -1; wire 2: ticks 13, 17 +1 and 14, 15, 16 -1 -> -1.
  EXPECT_EQ(labels.values, (std::vector<std::int8_t>{1, 0, 0, -1, 1, 0, 0, -1, -1}));
  EXPECT_EQ(labels.neutrino_pixels(), 2u);
  expect_error([&] { label_image({{5, 1.0, 1.0, true}}, 3, parameters); }, {"wire 5"});
  expect_error([&] { label_image({{0, 1.0, -1.0, true}}, 3, parameters); }, {"rms"});
}

TEST(MicroBooNE, IntegralImageCountsAndSignalWindow) {
  const LabelImage labels = labels_from({
      "+.....",
      "..++..",
      "..+-+.",
      ".....+",
      "+.+.++",
  });
  const IntegralImage integral(labels);
  for (std::size_t h = 1; h <= 5; ++h) {
    for (std::size_t w = 1; w <= 6; ++w) {
      for (std::size_t r = 0; r + h <= 5; ++r) {
        for (std::size_t c = 0; c + w <= 6; ++c)
          ASSERT_EQ(integral.count(r, c, h, w), brute_count(labels, r, c, h, w));
      }
    }
  }
  // 2x3 windows: the most +1 pixels is 4 at (1, 2) (rows 1-2, cols 2-4: + + . / + - + -> 4) .
  EXPECT_EQ(signal_window(integral, 2, 3), (Window{1, 2}));
  // 1x2 windows: several hold 2; the first in raster order is (1, 2).
  EXPECT_EQ(signal_window(integral, 1, 2), (Window{1, 2}));
  expect_error([&] { signal_window(integral, 6, 2); }, {"does not fit"});
}

TEST(MicroBooNE, WindowsOverlap) {
  EXPECT_TRUE(windows_overlap({0, 0}, {1, 1}, 2, 2));
  EXPECT_FALSE(windows_overlap({0, 0}, {2, 0}, 2, 2));
  EXPECT_FALSE(windows_overlap({0, 0}, {0, 2}, 2, 2));
  EXPECT_TRUE(windows_overlap({3, 5}, {4, 2}, 2, 4));
}

TEST(MicroBooNE, RandomBackgroundWindowsAreEmptyAndDisjoint) {
  // Neutrino pixels only in the top-left 6x6 corner of a 20x30 image.
  LabelImage labels(20, 30);
  for (std::size_t r = 0; r < 6; ++r) {
    for (std::size_t c = 0; c < 6; ++c) labels.values[r * 30 + c] = 1;
  }
  const IntegralImage integral(labels);
  Parameters parameters;
  parameters.window_rows = 4;
  parameters.window_cols = 5;
  const Window signal = signal_window(integral, 4, 5);
  EXPECT_EQ(signal, (Window{0, 0}));
  Random random(123);
  const std::vector<Window> windows = background_windows(integral, signal, parameters, random);
  ASSERT_EQ(windows.size(), 5u);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    EXPECT_EQ(brute_count(labels, windows[i].row, windows[i].col, 4, 5), 0u);
    EXPECT_FALSE(windows_overlap(windows[i], signal, 4, 5));
    for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(windows_overlap(windows[i], windows[j], 4, 5));
    EXPECT_LE(windows[i].row + 4, 20u);
    EXPECT_LE(windows[i].col + 5, 30u);
  }
  Random same(123);
  EXPECT_EQ(background_windows(integral, signal, parameters, same), windows);  // the seed decides
}

TEST(MicroBooNE, BackgroundFallsBackToTheHalfWindowGrid) {
  // Every pixel is neutrino: no empty window exists, so the grid of stride 1 (half of 2) is used; all grid
  // windows hold 4, so the first free ones in raster order are taken until none is left.
  LabelImage labels(4, 4);
  std::fill(labels.values.begin(), labels.values.end(), std::int8_t{1});
  labels.values[3 * 4 + 3] = 0;  // the window at (2, 2) holds 3: the fewest, taken first
  const IntegralImage integral(labels);
  Parameters parameters;
  parameters.window_rows = parameters.window_cols = 2;
  parameters.background_tries = 10;
  Random random(1);
  const std::vector<Window> windows = background_windows(integral, Window{0, 0}, parameters, random);
  EXPECT_EQ(windows, (std::vector<Window>{{2, 2}, {0, 2}, {2, 0}}));
}

TEST(MicroBooNE, PoolingThresholdCropAndNormalization) {
  Image image(4, 6);
  for (std::size_t i = 0; i < image.values.size(); ++i) image.values[i] = static_cast<float>(i);
  const Image pooled = sum_pool(image, 2, 3);
  // Cells: rows 0-1 x cols 0-2: 0+1+2+6+7+8 = 24; cols 3-5: 3+4+5+9+10+11 = 42; rows 2-3: 96 and 114.
  EXPECT_EQ(pooled.rows, 2u);
  EXPECT_EQ(pooled.cols, 2u);
  EXPECT_EQ(pooled.values, (std::vector<float>{24, 42, 96, 114}));
  Image thresholded = pooled;
  zero_below(thresholded, 42);
  EXPECT_EQ(thresholded.values, (std::vector<float>{0, 42, 96, 114}));
  const Image cropped = crop_and_normalize(thresholded, 1, 4);
  EXPECT_EQ(cropped.values, (std::vector<float>{0}));
  const Image kept = crop_and_normalize(pooled, 2, 4);
  EXPECT_EQ(kept.values, (std::vector<float>{6, 10.5, 24, 28.5}));
  const Image window = crop_window(image, Window{1, 2}, 2, 3);
  EXPECT_EQ(window.values, (std::vector<float>{8, 9, 10, 14, 15, 16}));
  expect_error([&] { crop_window(image, Window{3, 0}, 2, 3); }, {"leaves"});
}

TEST(MicroBooNE, WindowToEventUsesTheReferenceNumbers) {
  Image window(256, 512);
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < 8; ++c) {
      window.at(r, c) = 100;              // cell (0, 0): 3200 -> 1
      window.at(r, 8 + c) = 21;           // cell (0, 1): 672 < 700 -> 0
      window.at(4 + r, c) = 22;           // cell (1, 0): 704 -> 0.22
      window.at(252 + r, 504 + c) = 100;  // cell (63, 63): cropped away
    }
  }
  const Image event = window_to_event(window, Parameters{});
  ASSERT_EQ(event.rows, 63u);
  ASSERT_EQ(event.cols, 63u);
  EXPECT_EQ(event.at(0, 0), 1.0f);
  EXPECT_EQ(event.at(0, 1), 0.0f);
  EXPECT_FLOAT_EQ(event.at(1, 0), 704.0f / 3200.0f);
  float total = 0;
  for (float v : event.values) total += v;
  EXPECT_FLOAT_EQ(total, 1.0f + 704.0f / 3200.0f);
}

TEST(MicroBooNE, BalanceKeepsTheSmallerClassAndAsManyOfTheLarger) {
  const std::vector<std::int32_t> labels{1, 1, 1, 0, 0, 1, 0, 1, 1, 1};
  const auto order = balance_and_shuffle(labels, 42);
  ASSERT_EQ(order.size(), 6u);
  EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), 6u);  // no duplicates
  std::size_t zeros = 0;
  for (std::size_t index : order) zeros += labels.at(index) == 0 ? 1 : 0;
  EXPECT_EQ(zeros, 3u);
  EXPECT_EQ(balance_and_shuffle(labels, 42), order);
  std::vector<std::int32_t> many(200);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = i % 3 == 0 ? 0 : 1;
  const auto shuffled = balance_and_shuffle(many, 42);
  EXPECT_FALSE(std::is_sorted(shuffled.begin(), shuffled.end()));
  EXPECT_NE(balance_and_shuffle(many, 43), shuffled);
  expect_error([&] { balance_and_shuffle({0, 2}, 42); }, {"label 2"});
}

TEST(MicroBooNE, SplitCountsFloorTrainAndVal) {
  const SplitCounts paper = split_counts(161388, 0.7, 0.1);
  EXPECT_EQ(paper.train, 112971u);
  EXPECT_EQ(paper.val, 16138u);
  EXPECT_EQ(paper.test, 32279u);
  const SplitCounts thirty = split_counts(30, 0.7, 0.1);
  EXPECT_EQ(thirty.train, 21u);
  EXPECT_EQ(thirty.val, 3u);
  EXPECT_EQ(thirty.test, 6u);
  const SplitCounts four = split_counts(4, 0.7, 0.1);
  EXPECT_EQ(four.train, 2u);
  EXPECT_EQ(four.val, 0u);
  EXPECT_EQ(four.test, 2u);
}

// --- whole WithWire files ---

// One event's rows of the tables the pipeline reads.
struct WireRow {
  int plane, wire;
  std::vector<float> adc;
};
struct HitRow {
  int id, plane, wire;
  float time, rms;
};
struct EdepRow {
  int hit_id, g4_id;
  float fraction;
};
struct EventRows {
  std::vector<WireRow> wires;
  std::vector<HitRow> hits;
  std::vector<EdepRow> edeps;
};

template <class T>
void write_table_column(H5::Group& group, const std::string& name, const H5::PredType& file_type,
                        const H5::PredType& memory_type, const std::vector<T>& values, hsize_t columns) {
  const hsize_t dims[2] = {values.size() / columns, columns};
  group.createDataSet(name, file_type, H5::DataSpace(2, dims)).write(values.data(), memory_type);
}

// Writes the tables in the WithWire layout: per table event_id (N,3), event_id.seq_cnt (events,2), columns.
void write_withwire(const std::string& path, const std::vector<EventRows>& events) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  const auto index_columns = [&](H5::Group& group, const std::vector<std::size_t>& rows_per_event) {
    std::vector<std::int32_t> ids, seq;
    std::size_t first = 0;
    for (std::size_t e = 0; e < rows_per_event.size(); ++e) {
      for (std::size_t k = 0; k < rows_per_event[e]; ++k)
        ids.insert(ids.end(), {7001, 3, static_cast<int>(100 + e)});
      seq.insert(seq.end(), {static_cast<int>(first), static_cast<int>(rows_per_event[e])});
      first += rows_per_event[e];
    }
    write_table_column(group, "event_id", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, ids, 3);
    write_table_column(group, "event_id.seq_cnt", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, seq,
                       2);
  };
  H5::Group event_table = file.createGroup("event_table");
  index_columns(event_table, std::vector<std::size_t>(events.size(), 1));
  std::vector<float> vertex_time(events.size(), 0.0f);
  write_table_column(event_table, "nu_vtx_wire_time", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT,
                     vertex_time, 1);

  H5::Group wire_table = file.createGroup("wire_table");
  H5::Group hit_table = file.createGroup("hit_table");
  H5::Group edep_table = file.createGroup("edep_table");
  std::vector<std::size_t> wire_counts, hit_counts, edep_counts;
  std::vector<float> adc, time, rms, fraction;
  std::vector<std::int32_t> wire_plane, wire_id, hit_id, hit_plane, hit_wire, edep_hit, edep_g4;
  for (const EventRows& event : events) {
    wire_counts.push_back(event.wires.size());
    hit_counts.push_back(event.hits.size());
    edep_counts.push_back(event.edeps.size());
    for (const WireRow& row : event.wires) {
      wire_plane.push_back(row.plane);
      wire_id.push_back(row.wire);
      adc.insert(adc.end(), row.adc.begin(), row.adc.end());
    }
    for (const HitRow& row : event.hits) {
      hit_id.push_back(row.id);
      hit_plane.push_back(row.plane);
      hit_wire.push_back(row.wire);
      time.push_back(row.time);
      rms.push_back(row.rms);
    }
    for (const EdepRow& row : event.edeps) {
      edep_hit.push_back(row.hit_id);
      edep_g4.push_back(row.g4_id);
      fraction.push_back(row.fraction);
    }
  }
  index_columns(wire_table, wire_counts);
  index_columns(hit_table, hit_counts);
  index_columns(edep_table, edep_counts);
  const auto& i32 = H5::PredType::STD_I32LE;
  const auto& f32 = H5::PredType::IEEE_F32LE;
  const auto& int_memory = H5::PredType::NATIVE_INT32;
  const auto& float_memory = H5::PredType::NATIVE_FLOAT;
  write_table_column(wire_table, "adc", f32, float_memory, adc, 6400);
  write_table_column(wire_table, "local_plane", i32, int_memory, wire_plane, 1);
  write_table_column(wire_table, "local_wire", i32, int_memory, wire_id, 1);
  write_table_column(hit_table, "hit_id", i32, int_memory, hit_id, 1);
  write_table_column(hit_table, "local_plane", i32, int_memory, hit_plane, 1);
  write_table_column(hit_table, "local_wire", i32, int_memory, hit_wire, 1);
  write_table_column(hit_table, "local_time", f32, float_memory, time, 1);
  write_table_column(hit_table, "rms", f32, float_memory, rms, 1);
  write_table_column(edep_table, "hit_id", i32, int_memory, edep_hit, 1);
  write_table_column(edep_table, "g4_id", i32, int_memory, edep_g4, 1);
  write_table_column(edep_table, "energy_fraction", f32, float_memory, fraction, 1);
}

// A neutrino-like blob on one plane: `wires` adjacent wires from `first_wire`, a pulse of 30 ADC per tick on
// ticks [2970, 3030) (tick sums 180 -> clipped to 100), one neutrino hit per wire at tick 3000 with rms 15
// (ticks [2970, 3030] marked: 10 or 11 rows per wire, so 70 wires give > 500 neutrino pixels).
void add_blob(EventRows& event, int plane, int first_wire, int wires, bool neutrino, int& next_hit) {
  for (int w = first_wire; w < first_wire + wires; ++w) {
    WireRow row{plane, w, std::vector<float>(6400, 0.0f)};
    for (int t = 2970; t < 3030; ++t) row.adc[static_cast<std::size_t>(t)] = 30;
    event.wires.push_back(row);
    event.hits.push_back({next_hit, plane, w, 3000.0f, 15.0f});
    event.edeps.push_back({next_hit, neutrino ? 12 : -1, 0.9f});
    ++next_hit;
  }
}

TEST(MicroBooNE, WholeFilesGiveBalancedSignalAndBackgroundWindows) {
  TemporaryFolder folder;
  std::vector<EventRows> events(3);
  int hit = 0;
  add_blob(events[0], 2, 1000, 70, true, hit);   // plane 2: a signal window and 5 backgrounds
  add_blob(events[0], 2, 3000, 30, false, hit);  // a cosmic blob: its ADC may appear in a background window
  add_blob(events[0], 1, 500, 20, true, hit);    // plane 1: too few neutrino pixels, dropped
  hit = 0;
  add_blob(events[1], 0, 200, 70, true, hit);  // plane 0: a signal window, no background (not plane 2)
  // events[2] is empty: no window at all
  const std::string input = folder.file("withwire.h5"), output = folder.file("out.h5");
  write_withwire(input, events);
  const DatasetInfo written = prepare_microboone({input}, output);
  const DatasetInfo info = read_dataset_info(output);
  EXPECT_EQ(info.height, 63u);
  EXPECT_EQ(info.width, 63u);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"cosmic", "neutrino"}));
  // 2 signal + 5 background windows, balanced to 2 + 2, split floor(2.8) / floor(0.4) / rest.
  EXPECT_EQ(info.split_sizes.at("train"), 2u);
  EXPECT_EQ(info.split_sizes.at("val"), 0u);
  EXPECT_EQ(info.split_sizes.at("test"), 2u);
  EXPECT_EQ(written.split_sizes, info.split_sizes);
  std::vector<long> full_cells;
  for (const char* name : {"train", "test"}) {
    const Split split = read_split(output, name);
    for (std::size_t e = 0; e < split.size(); ++e) {
      const float* event = split.event(e);
      if (split.y[e] != 1) continue;
      // The blob's fully covered 4x8 cells hold 32 x 100 = 3200: exactly 1 after the division.
      EXPECT_EQ(*std::max_element(event, event + split.event_size()), 1.0f);
      full_cells.push_back(std::count(event, event + split.event_size(), 1.0f));
    }
  }
  // Worked by hand: the first window (raster order) holding all 11 x 70 neutrino pixels (rows 495-505) starts
  // at row 250, so the blob's rows 498-501 fill pooled row 62 (rows 495-497 give a 3/4 row, 502-504 are
  // cropped). Plane 2 (wires 1000-1069, window from wire 558): pooled columns 56-62 full (63 is cropped) -> 7
  // cells; plane 0 (wires 200-269, window from wire 0): columns 25-32 full -> 8 cells.
  std::sort(full_cells.begin(), full_cells.end());
  EXPECT_EQ(full_cells, (std::vector<long>{7, 8}));
  const std::size_t signals = full_cells.size();
  EXPECT_EQ(signals, 2u);
}

TEST(MicroBooNE, BadFilesNameTheFileAndTheField) {
  TemporaryFolder folder;
  std::vector<EventRows> events(1);
  int hit = 0;
  add_blob(events[0], 2, 10, 3, true, hit);
  const std::string good = folder.file("good.h5");
  write_withwire(good, events);
  const std::string output = folder.file("out.h5");
  // One event without 500 neutrino pixels: nothing to write.
  expect_error([&] { prepare_microboone({good}, output); }, {"out.h5", "no event"});
  expect_error([&] { prepare_microboone({folder.file("absent.h5")}, output); },
               {"absent.h5", "no such file"});
  const auto damaged = [&](const std::string& name, auto&& damage) {
    const std::string path = folder.file(name);
    std::filesystem::copy_file(good, path);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      damage(file);
    }
    return path;
  };
  const std::string no_rms = damaged("no_rms.h5", [](H5::H5File& file) { file.unlink("/hit_table/rms"); });
  expect_error([&] { prepare_microboone({no_rms}, output); }, {"no_rms.h5", "/hit_table/rms"});
  const std::string short_adc = damaged("short_adc.h5", [](H5::H5File& file) {
    file.unlink("/wire_table/adc");
    const hsize_t dims[2] = {3, 100};
    const std::vector<float> zeros(3 * 100, 0.0f);
    file.createDataSet("/wire_table/adc", H5::PredType::IEEE_F32LE, H5::DataSpace(2, dims))
        .write(zeros.data(), H5::PredType::NATIVE_FLOAT);
  });
  expect_error([&] { prepare_microboone({short_adc}, output); }, {"short_adc.h5", "/wire_table/adc", "6400"});
  const std::string bad_range = damaged("bad_range.h5", [](H5::H5File& file) {
    H5::DataSet seq = file.openDataSet("/hit_table/event_id.seq_cnt");
    const std::int32_t values[2] = {0, 99};
    seq.write(values, H5::PredType::NATIVE_INT32);
  });
  expect_error([&] { prepare_microboone({bad_range}, output); },
               {"bad_range.h5", "/hit_table/event_id.seq_cnt"});
  const std::string bad_plane = damaged("bad_plane.h5", [](H5::H5File& file) {
    const std::int32_t planes[3] = {2, 5, 2};
    file.openDataSet("/wire_table/local_plane").write(planes, H5::PredType::NATIVE_INT32);
  });
  expect_error([&] { prepare_microboone({bad_plane}, output); }, {"bad_plane.h5", "local_plane", "5"});
  EXPECT_FALSE(std::filesystem::exists(output));
}

}  // namespace
}  // namespace sparsepixels::data::microboone
