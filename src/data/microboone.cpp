// MicroBooNE WithWire files to neutrino/cosmic windows (reference section 7.3), one small function per step.
#include "sparsepixels/data/microboone.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "hdf5_access.h"
#include "sparsepixels/error.h"

namespace sparsepixels::data::microboone {

std::size_t plane_wire_count(int plane) {
  if (plane == 0 || plane == 1) return 2400;
  if (plane == 2) return 3456;
  throw Error("MicroBooNE: wire plane " + std::to_string(plane) + " does not exist (0, 1 or 2)");
}

std::size_t LabelImage::neutrino_pixels() const {
  return static_cast<std::size_t>(std::count(values.begin(), values.end(), std::int8_t{1}));
}

Image tick_sum_image(const std::vector<float>& waveforms, const std::vector<std::int64_t>& wire_ids,
                     std::size_t plane_wires, const Parameters& parameters) {
  const std::size_t ticks = parameters.ticks, group = parameters.tick_group;
  if (waveforms.size() != wire_ids.size() * ticks) {
    throw Error("tick_sum_image: " + std::to_string(waveforms.size()) + " ADC values for " +
                std::to_string(wire_ids.size()) + " wires of " + std::to_string(ticks) + " ticks");
  }
  Image image(ticks / group, plane_wires);
  std::vector<bool> seen(plane_wires, false);
  for (std::size_t w = 0; w < wire_ids.size(); ++w) {
    const std::int64_t wire = wire_ids[w];
    if (wire < 0 || static_cast<std::size_t>(wire) >= plane_wires) {
      throw Error("wire id " + std::to_string(wire) + " outside [0, " + std::to_string(plane_wires) + ")");
    }
    const auto col = static_cast<std::size_t>(wire);
    if (seen[col]) throw Error("wire id " + std::to_string(wire) + " appears twice in one plane");
    seen[col] = true;
    const float* waveform = waveforms.data() + w * ticks;
    for (std::size_t row = 0; row < image.rows; ++row) {
      double sum = 0;
      for (std::size_t t = 0; t < group; ++t) sum += waveform[row * group + t];
      if (!std::isfinite(sum)) throw Error("wire " + std::to_string(wire) + " has a non-finite ADC value");
      if (sum < parameters.adc_threshold) sum = 0;
      image.at(row, col) = static_cast<float>(std::min<double>(sum, parameters.adc_clip));
    }
  }
  return image;
}

bool hit_is_neutrino(const std::vector<Deposit>& deposits) {
  if (deposits.empty()) return false;
  const Deposit* best = &deposits.front();
  for (const Deposit& deposit : deposits) {
    if (deposit.energy_fraction > best->energy_fraction) best = &deposit;
  }
  return best->g4_id >= 0;
}

LabelImage label_image(const std::vector<Hit>& hits, std::size_t plane_wires, const Parameters& parameters) {
  const std::size_t ticks = parameters.ticks, group = parameters.tick_group;
  LabelImage labels(ticks / group, plane_wires);
  // Marks at full tick resolution, only for wires that have hits.
  std::map<std::size_t, std::vector<std::int8_t>> marks;
  for (const Hit& hit : hits) {
    if (hit.wire < 0 || static_cast<std::size_t>(hit.wire) >= plane_wires) {
      throw Error("hit on wire " + std::to_string(hit.wire) + " outside [0, " + std::to_string(plane_wires) +
                  ")");
    }
    if (!std::isfinite(hit.time) || !std::isfinite(hit.rms) || hit.rms < 0) {
      throw Error("hit on wire " + std::to_string(hit.wire) + " has time " + std::to_string(hit.time) +
                  " and rms " + std::to_string(hit.rms));
    }
    auto& wire_marks = marks[static_cast<std::size_t>(hit.wire)];
    if (wire_marks.empty()) wire_marks.assign(ticks, 0);
    const double low = std::max(std::floor(hit.time - 2 * hit.rms), 0.0);
    const double high = std::min(std::ceil(hit.time + 2 * hit.rms), static_cast<double>(ticks) - 1);
    for (double t = low; t <= high; t += 1) {
      std::int8_t& mark = wire_marks[static_cast<std::size_t>(t)];
      if (!hit.neutrino) {
        mark = -1;
      } else if (mark != -1) {  // cosmic overrides neutrino
        mark = 1;
      }
    }
  }
  for (const auto& [col, wire_marks] : marks) {
    for (std::size_t row = 0; row < labels.rows; ++row) {
      int sum = 0;
      for (std::size_t t = 0; t < group; ++t) sum += wire_marks[row * group + t];
      labels.values[row * labels.cols + col] = static_cast<std::int8_t>((sum > 0) - (sum < 0));
    }
  }
  return labels;
}

IntegralImage::IntegralImage(const LabelImage& labels)
    : rows(labels.rows), cols(labels.cols), sums((labels.rows + 1) * (labels.cols + 1), 0) {
  const std::size_t stride = cols + 1;
  for (std::size_t r = 0; r < rows; ++r) {
    std::uint32_t row_sum = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      row_sum += labels.at(r, c) == 1 ? 1 : 0;
      sums[(r + 1) * stride + c + 1] = sums[r * stride + c + 1] + row_sum;
    }
  }
}

std::uint32_t IntegralImage::count(std::size_t row, std::size_t col, std::size_t height,
                                   std::size_t width) const {
  const std::size_t stride = cols + 1;
  const std::size_t bottom = row + height, right = col + width;
  return sums[bottom * stride + right] - sums[row * stride + right] - sums[bottom * stride + col] +
         sums[row * stride + col];
}

bool windows_overlap(const Window& a, const Window& b, std::size_t height, std::size_t width) {
  return a.row < b.row + height && b.row < a.row + height && a.col < b.col + width && b.col < a.col + width;
}

namespace {

void check_window_fits(const IntegralImage& integral, std::size_t height, std::size_t width) {
  if (height > integral.rows || width > integral.cols || height == 0 || width == 0) {
    throw Error("window " + std::to_string(height) + "x" + std::to_string(width) + " does not fit a " +
                std::to_string(integral.rows) + "x" + std::to_string(integral.cols) + " plane image");
  }
}

}  // namespace

Window signal_window(const IntegralImage& integral, std::size_t height, std::size_t width) {
  check_window_fits(integral, height, width);
  Window best;
  std::uint32_t best_count = 0;
  bool first = true;
  for (std::size_t row = 0; row + height <= integral.rows; ++row) {
    for (std::size_t col = 0; col + width <= integral.cols; ++col) {
      const std::uint32_t count = integral.count(row, col, height, width);
      if (first || count > best_count) {
        best = {row, col};
        best_count = count;
        first = false;
      }
    }
  }
  return best;
}

std::vector<Window> background_windows(const IntegralImage& integral, const Window& signal,
                                       const Parameters& parameters, Random& random) {
  const std::size_t height = parameters.window_rows, width = parameters.window_cols;
  check_window_fits(integral, height, width);
  const std::size_t row_positions = integral.rows - height + 1, col_positions = integral.cols - width + 1;
  std::vector<Window> chosen;
  const auto is_free = [&](const Window& candidate) {
    if (windows_overlap(candidate, signal, height, width)) return false;
    return std::none_of(chosen.begin(), chosen.end(), [&](const Window& other) {
      return windows_overlap(candidate, other, height, width);
    });
  };
  for (std::size_t wanted = 0; wanted < parameters.background_per_event; ++wanted) {
    bool found = false;
    for (std::size_t attempt = 0; attempt < parameters.background_tries && !found; ++attempt) {
      const Window candidate{random.below(row_positions),
                             random.below(col_positions)};  // braces: left to right
      if (is_free(candidate) && integral.count(candidate.row, candidate.col, height, width) == 0) {
        chosen.push_back(candidate);
        found = true;
      }
    }
    if (found) continue;
    // Fallback: the free position of the half-window grid with the fewest neutrino pixels.
    const std::size_t row_step = std::max<std::size_t>(height / 2, 1),
                      col_step = std::max<std::size_t>(width / 2, 1);
    std::uint32_t fewest = std::numeric_limits<std::uint32_t>::max();
    Window best;
    for (std::size_t row = 0; row + height <= integral.rows; row += row_step) {
      for (std::size_t col = 0; col + width <= integral.cols; col += col_step) {
        const Window candidate{row, col};
        if (!is_free(candidate)) continue;
        const std::uint32_t count = integral.count(row, col, height, width);
        if (count < fewest) {
          fewest = count;
          best = candidate;
          found = true;
        }
      }
    }
    if (!found) break;
    chosen.push_back(best);
  }
  return chosen;
}

Image crop_window(const Image& image, const Window& window, std::size_t height, std::size_t width) {
  if (window.row + height > image.rows || window.col + width > image.cols) {
    throw Error("window at (" + std::to_string(window.row) + "," + std::to_string(window.col) + ") of " +
                std::to_string(height) + "x" + std::to_string(width) + " leaves the " +
                std::to_string(image.rows) + "x" + std::to_string(image.cols) + " image");
  }
  Image out(height, width);
  for (std::size_t r = 0; r < height; ++r) {
    std::copy_n(
        image.values.begin() + static_cast<std::ptrdiff_t>((window.row + r) * image.cols + window.col), width,
        out.values.begin() + static_cast<std::ptrdiff_t>(r * width));
  }
  return out;
}

Image sum_pool(const Image& image, std::size_t pool_rows, std::size_t pool_cols) {
  if (pool_rows == 0 || pool_cols == 0) throw Error("sum_pool: pool size must be positive");
  Image out(image.rows / pool_rows, image.cols / pool_cols);
  for (std::size_t r = 0; r < out.rows * pool_rows; ++r) {
    for (std::size_t c = 0; c < out.cols * pool_cols; ++c)
      out.at(r / pool_rows, c / pool_cols) += image.at(r, c);
  }
  return out;
}

void zero_below(Image& image, float threshold) {
  for (float& value : image.values) {
    if (value < threshold) value = 0;
  }
}

Image crop_and_normalize(const Image& image, std::size_t crop, float normalization) {
  if (crop > image.rows || crop > image.cols) {
    throw Error("crop to " + std::to_string(crop) + " of a " + std::to_string(image.rows) + "x" +
                std::to_string(image.cols) + " image");
  }
  Image out(crop, crop);
  for (std::size_t r = 0; r < crop; ++r) {
    for (std::size_t c = 0; c < crop; ++c) out.at(r, c) = image.at(r, c) / normalization;
  }
  return out;
}

Image window_to_event(const Image& window, const Parameters& parameters) {
  Image pooled = sum_pool(window, parameters.pool_rows, parameters.pool_cols);
  zero_below(pooled, parameters.pooled_threshold);
  return crop_and_normalize(pooled, parameters.crop, parameters.normalization);
}

std::vector<std::size_t> balance_and_shuffle(const std::vector<std::int32_t>& labels, std::uint64_t seed) {
  std::vector<std::size_t> by_class[2];
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      throw Error("balance_and_shuffle: label " + std::to_string(labels[i]) + " of event " +
                  std::to_string(i) + " is not 0 or 1");
    }
    by_class[labels[i]].push_back(i);
  }
  Random random(seed);
  std::vector<std::size_t>& larger = by_class[0].size() > by_class[1].size() ? by_class[0] : by_class[1];
  const std::size_t keep = std::min(by_class[0].size(), by_class[1].size());
  shuffle(larger.begin(), larger.end(), random);
  larger.resize(keep);
  std::sort(larger.begin(), larger.end());  // the subset, back in file order before the common shuffle
  std::vector<std::size_t> order = by_class[0];
  order.insert(order.end(), by_class[1].begin(), by_class[1].end());
  std::sort(order.begin(), order.end());
  shuffle(order.begin(), order.end(), random);
  return order;
}

SplitCounts split_counts(std::size_t events, double train_fraction, double val_fraction) {
  if (!(train_fraction >= 0 && val_fraction >= 0 && train_fraction + val_fraction <= 1)) {
    throw Error("split fractions train " + std::to_string(train_fraction) + " and val " +
                std::to_string(val_fraction) + " must be non-negative and sum to at most 1");
  }
  // The small epsilon keeps exact products (30 x 0.7 = 21) from flooring to one less in binary floating
  // point.
  const auto floor_of = [&](double fraction) {
    return static_cast<std::size_t>(std::floor(static_cast<double>(events) * fraction + 1e-6));
  };
  SplitCounts counts;
  counts.train = std::min(floor_of(train_fraction), events);
  counts.val = std::min(floor_of(val_fraction), events - counts.train);
  counts.test = events - counts.train - counts.val;
  return counts;
}

// --- reading WithWire files ---

namespace {

// Rows [first, first+count) of one event in one table.
struct RowRange {
  std::size_t first = 0, count = 0;
};

// One table's per-event row ranges, checked against the event list.
std::vector<RowRange> event_rows(const H5::H5File& file, const std::string& path, const std::string& table,
                                 const std::vector<std::int64_t>& event_ids) {
  const std::size_t events = event_ids.size() / 3;
  const H5::DataSet seq_cnt = hdf5::open_dataset(file, path, "/" + table + "/event_id.seq_cnt");
  const H5::DataSet ids = hdf5::open_dataset(file, path, "/" + table + "/event_id");
  const auto seq_dims = hdf5::guarded(path, table, [&] { return hdf5::dimensions(seq_cnt); });
  if (seq_dims.size() != 2 || seq_dims[1] != 2 || seq_dims[0] != events) {
    throw Error(path + ": dataset /" + table + "/event_id.seq_cnt must have shape (" +
                std::to_string(events) + ", 2), one row per event of /event_table");
  }
  const auto id_dims = hdf5::guarded(path, table, [&] { return hdf5::dimensions(ids); });
  if (id_dims.size() != 2 || id_dims[1] != 3) {
    throw Error(path + ": dataset /" + table + "/event_id must have shape (N, 3)");
  }
  const auto ranges = hdf5::guarded(path, "reading /" + table + "/event_id.seq_cnt", [&] {
    return hdf5::read_all<std::int64_t>(seq_cnt, H5::PredType::NATIVE_INT64);
  });
  const auto table_ids = hdf5::guarded(path, "reading /" + table + "/event_id", [&] {
    return hdf5::read_all<std::int64_t>(ids, H5::PredType::NATIVE_INT64);
  });
  const std::size_t table_rows = id_dims[0];
  std::vector<RowRange> result(events);
  for (std::size_t e = 0; e < events; ++e) {
    const std::int64_t first = ranges[2 * e], count = ranges[2 * e + 1];
    if (first < 0 || count < 0 || static_cast<std::size_t>(first + count) > table_rows) {
      throw Error(path + ": dataset /" + table + "/event_id.seq_cnt: event " + std::to_string(e) +
                  " has rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                  ") outside the table's " + std::to_string(table_rows) + " rows");
    }
    result[e] = {static_cast<std::size_t>(first), static_cast<std::size_t>(count)};
    if (count > 0) {
      for (std::size_t k = 0; k < 3; ++k) {
        if (table_ids[3 * result[e].first + k] != event_ids[3 * e + k]) {
          throw Error(path + ": /" + table + "/event_id of event " + std::to_string(e) +
                      " does not match /event_table/event_id (tables must list events in the same order)");
        }
      }
    }
  }
  return result;
}

// A per-row column of a table (shape (N,) or (N,1)), with a check of its length.
template <class T>
std::vector<T> read_column(const H5::H5File& file, const std::string& path, const std::string& name,
                           const H5::PredType& type, std::size_t rows) {
  const H5::DataSet dataset = hdf5::open_dataset(file, path, name);
  const auto dims = hdf5::guarded(path, name, [&] { return hdf5::dimensions(dataset); });
  if (dims.empty() || dims.size() > 2 || dims[0] != rows || (dims.size() == 2 && dims[1] != 1)) {
    throw Error(path + ": dataset " + name + " must have shape (" + std::to_string(rows) + ") or (" +
                std::to_string(rows) + ", 1)");
  }
  auto values = hdf5::guarded(path, "reading " + name, [&] { return hdf5::read_all<T>(dataset, type); });
  if constexpr (std::is_floating_point_v<T>) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) {
        throw Error(path + ": dataset " + name + " row " + std::to_string(i) + " is not finite");
      }
    }
  }
  return values;
}

std::size_t table_rows(const H5::H5File& file, const std::string& path, const std::string& table) {
  const H5::DataSet ids = hdf5::open_dataset(file, path, "/" + table + "/event_id");
  const auto dims = hdf5::guarded(path, table, [&] { return hdf5::dimensions(ids); });
  return dims.empty() ? 0 : dims[0];
}

// Windows (63x63 events) and their labels gathered over all files.
struct Collected {
  std::vector<float> events;
  std::vector<std::int32_t> labels;
};

void append_window(const Image& plane, const Window& window, std::int32_t label, const Parameters& parameters,
                   Collected& out) {
  const Image event =
      window_to_event(crop_window(plane, window, parameters.window_rows, parameters.window_cols), parameters);
  out.events.insert(out.events.end(), event.values.begin(), event.values.end());
  out.labels.push_back(label);
}

void process_file(const std::string& path, const Parameters& parameters, Random& window_random,
                  Collected& out) {
  const H5::H5File file = hdf5::open_read_only(path);
  const H5::DataSet event_ids_dataset = hdf5::open_dataset(file, path, "/event_table/event_id");
  const auto event_dims =
      hdf5::guarded(path, "event_table", [&] { return hdf5::dimensions(event_ids_dataset); });
  if (event_dims.size() != 2 || event_dims[1] != 3) {
    throw Error(path + ": dataset /event_table/event_id must have shape (N, 3)");
  }
  const auto event_ids = hdf5::guarded(path, "reading /event_table/event_id", [&] {
    return hdf5::read_all<std::int64_t>(event_ids_dataset, H5::PredType::NATIVE_INT64);
  });
  const std::size_t events = event_dims[0];

  const auto wire_rows = event_rows(file, path, "wire_table", event_ids);
  const auto hit_rows = event_rows(file, path, "hit_table", event_ids);
  const auto edep_rows = event_rows(file, path, "edep_table", event_ids);

  const std::size_t n_wires = table_rows(file, path, "wire_table");
  const auto wire_plane =
      read_column<std::int64_t>(file, path, "/wire_table/local_plane", H5::PredType::NATIVE_INT64, n_wires);
  const auto wire_id =
      read_column<std::int64_t>(file, path, "/wire_table/local_wire", H5::PredType::NATIVE_INT64, n_wires);
  const H5::DataSet adc = hdf5::open_dataset(file, path, "/wire_table/adc");
  const auto adc_dims = hdf5::guarded(path, "/wire_table/adc", [&] { return hdf5::dimensions(adc); });
  if (adc_dims.size() != 2 || adc_dims[0] != n_wires || adc_dims[1] != parameters.ticks) {
    throw Error(path + ": dataset /wire_table/adc must have shape (" + std::to_string(n_wires) + ", " +
                std::to_string(parameters.ticks) + ")");
  }

  const std::size_t n_hits = table_rows(file, path, "hit_table");
  const auto hit_id =
      read_column<std::int64_t>(file, path, "/hit_table/hit_id", H5::PredType::NATIVE_INT64, n_hits);
  const auto hit_plane =
      read_column<std::int64_t>(file, path, "/hit_table/local_plane", H5::PredType::NATIVE_INT64, n_hits);
  const auto hit_wire =
      read_column<std::int64_t>(file, path, "/hit_table/local_wire", H5::PredType::NATIVE_INT64, n_hits);
  const auto hit_time =
      read_column<double>(file, path, "/hit_table/local_time", H5::PredType::NATIVE_DOUBLE, n_hits);
  const auto hit_rms = read_column<double>(file, path, "/hit_table/rms", H5::PredType::NATIVE_DOUBLE, n_hits);

  const std::size_t n_edeps = table_rows(file, path, "edep_table");
  const auto edep_hit =
      read_column<std::int64_t>(file, path, "/edep_table/hit_id", H5::PredType::NATIVE_INT64, n_edeps);
  const auto edep_g4 =
      read_column<std::int64_t>(file, path, "/edep_table/g4_id", H5::PredType::NATIVE_INT64, n_edeps);
  const auto edep_fraction =
      read_column<double>(file, path, "/edep_table/energy_fraction", H5::PredType::NATIVE_DOUBLE, n_edeps);

  for (std::size_t e = 0; e < events; ++e) {
    const std::string where =
        path + ": event " + std::to_string(e) + " (run " + std::to_string(event_ids[3 * e]) + ", subrun " +
        std::to_string(event_ids[3 * e + 1]) + ", event " + std::to_string(event_ids[3 * e + 2]) + ")";
    std::vector<float> waveforms;
    hdf5::guarded(path, "reading /wire_table/adc", [&] {
      hdf5::read_rows(adc, H5::PredType::NATIVE_FLOAT, wire_rows[e].first, wire_rows[e].count, waveforms);
    });
    std::map<std::int64_t, std::vector<Deposit>> deposits;
    for (std::size_t r = edep_rows[e].first; r < edep_rows[e].first + edep_rows[e].count; ++r) {
      deposits[edep_hit[r]].push_back({edep_fraction[r], edep_g4[r]});
    }
    for (int plane = 0; plane < 3; ++plane) {
      const std::size_t plane_wires = plane_wire_count(plane);
      std::vector<float> plane_waveforms;
      std::vector<std::int64_t> plane_wire_ids;
      for (std::size_t k = 0; k < wire_rows[e].count; ++k) {
        const std::size_t row = wire_rows[e].first + k;
        if (wire_plane[row] < 0 || wire_plane[row] > 2) {
          throw Error(where + ": /wire_table/local_plane row " + std::to_string(row) + " is " +
                      std::to_string(wire_plane[row]) + " (expected 0, 1 or 2)");
        }
        if (wire_plane[row] != plane) continue;
        plane_wire_ids.push_back(wire_id[row]);
        plane_waveforms.insert(plane_waveforms.end(),
                               waveforms.begin() + static_cast<std::ptrdiff_t>(k * parameters.ticks),
                               waveforms.begin() + static_cast<std::ptrdiff_t>((k + 1) * parameters.ticks));
      }
      std::vector<Hit> hits;
      for (std::size_t row = hit_rows[e].first; row < hit_rows[e].first + hit_rows[e].count; ++row) {
        if (hit_plane[row] != plane) continue;
        const auto found = deposits.find(hit_id[row]);
        const bool neutrino = found != deposits.end() && hit_is_neutrino(found->second);
        hits.push_back({hit_wire[row], hit_time[row], hit_rms[row], neutrino});
      }
      Image image;
      LabelImage labels;
      try {
        image = tick_sum_image(plane_waveforms, plane_wire_ids, plane_wires, parameters);
        labels = label_image(hits, plane_wires, parameters);
      } catch (const Error& error) {
        throw Error(where + ", plane " + std::to_string(plane) + ": " + error.what());
      }
      if (labels.neutrino_pixels() < parameters.min_neutrino_pixels) continue;
      const IntegralImage integral(labels);
      const Window signal = signal_window(integral, parameters.window_rows, parameters.window_cols);
      append_window(image, signal, 1, parameters, out);
      if (plane != 2) continue;
      for (const Window& background : background_windows(integral, signal, parameters, window_random)) {
        append_window(image, background, 0, parameters, out);
      }
    }
  }
}

}  // namespace

DatasetInfo prepare_microboone(const std::vector<std::string>& input_files, const std::string& output_file,
                               const Parameters& parameters) {
  if (input_files.empty()) throw Error("data microboone: no input files given");
  Random window_random(parameters.window_seed);
  Collected collected;
  for (const std::string& path : input_files) process_file(path, parameters, window_random, collected);
  const std::size_t event_size = parameters.crop * parameters.crop;
  const std::vector<std::size_t> order = balance_and_shuffle(collected.labels, parameters.balance_seed);
  if (order.empty()) {
    throw Error(output_file + ": no event of the input files passes the selection (a plane image needs " +
                std::to_string(parameters.min_neutrino_pixels) +
                " neutrino pixels, and both classes are needed)");
  }
  const SplitCounts counts = split_counts(order.size(), parameters.train_fraction, parameters.val_fraction);

  DatasetInfo info;
  info.source = "MicroBooNE open samples (WithWire HDF5): " + std::to_string(input_files.size()) + " file(s)";
  info.transform =
      "reference 7.3: 6-tick sums (<10 -> 0, clip 100); hit labels; 256x512 signal window by integral image "
      "(planes 0-2), 5 background windows (plane 2, seed 123); 4x8 sum pool, <700 -> 0; balance and shuffle "
      "(seed 42); crop 63x63; /3200; split 70/10/20";
  info.threshold = 0.0;
  info.class_names = {"cosmic", "neutrino"};
  info.height = parameters.crop;
  info.width = parameters.crop;
  info.channels = 1;
  info.layout = parameters.layout;

  DatasetWriter writer(output_file, info);
  std::size_t position = 0;
  const std::pair<const char*, std::size_t> splits[] = {
      {"train", counts.train}, {"val", counts.val}, {"test", counts.test}};
  for (const auto& [split, size] : splits) {
    Split part;
    part.height = part.width = parameters.crop;
    part.channels = 1;
    part.x.reserve(size * event_size);
    for (std::size_t k = 0; k < size; ++k, ++position) {
      const std::size_t source = order[position];
      part.x.insert(part.x.end(), collected.events.begin() + static_cast<std::ptrdiff_t>(source * event_size),
                    collected.events.begin() + static_cast<std::ptrdiff_t>((source + 1) * event_size));
      part.y.push_back(collected.labels[source]);
    }
    writer.append(split, part);
    info.split_sizes[split] = size;
  }
  writer.finish();
  return info;
}

}  // namespace sparsepixels::data::microboone
