// LHC jet images to sparse 56x56 events (reference section 7.2).
#include "sparsepixels/data/jets.h"

#include <algorithm>
#include <cmath>

#include "hdf5_access.h"
#include "sparsepixels/error.h"

namespace sparsepixels::data::jets {
namespace {

constexpr std::size_t kCropFirst = 22, kClasses = 5;
constexpr double kScale = 1200, kZeroAtOrBelow = 0.003, kCentre = 27.5, kInflate = 2;

// Half to even: nearbyint under the default rounding mode (every target here is a tie).
std::size_t inflate(std::size_t y) {
  const double moved = std::nearbyint((static_cast<double>(y) - kCentre) * kInflate + kCentre);
  return static_cast<std::size_t>(std::clamp(moved, 0.0, static_cast<double>(kSparseSide - 1)));
}

}  // namespace

std::vector<float> sparse_image(const float* image) {
  std::vector<float> out(kSparseSide * kSparseSide, 0.0f);
  for (std::size_t y = 0; y < kSparseSide; ++y) {
    for (std::size_t x = 0; x < kSparseSide; ++x) {
      const double value = std::min(image[(y + kCropFirst) * kInputSide + x + kCropFirst] / kScale, 1.0);
      if (value <= kZeroAtOrBelow) continue;
      out[inflate(y) * kSparseSide + inflate(x)] = static_cast<float>(value);  // raster order: the last wins
    }
  }
  return out;
}

SplitCounts split_counts(std::size_t events) {
  SplitCounts counts;
  counts.train = events * 3 / 5;
  counts.val = events / 15;
  counts.test = events - counts.train - counts.val;
  return counts;
}

DatasetInfo prepare(const std::string& input_file, const std::string& output_file, const Options& options) {
  if (options.chunk_events == 0) throw Error("jets: chunk_events must be positive");
  const H5::H5File file = hdf5::open_read_only(input_file);
  const H5::DataSet x = hdf5::open_dataset(file, input_file, "/x");
  const H5::DataSet y = hdf5::open_dataset(file, input_file, "/y");
  const auto x_dims = hdf5::guarded(input_file, "/x", [&] { return hdf5::dimensions(x); });
  const auto y_dims = hdf5::guarded(input_file, "/y", [&] { return hdf5::dimensions(y); });
  if (x_dims.size() != 3 || x_dims[1] != kInputSide || x_dims[2] != kInputSide) {
    throw Error(input_file + ": dataset /x must have shape (N, 100, 100)");
  }
  if (y_dims.size() != 2 || y_dims[1] != kClasses || y_dims[0] != x_dims[0]) {
    throw Error(input_file + ": dataset /y must have shape (" + std::to_string(x_dims[0]) +
                ", 5) (one-hot g,q,W,Z,t)");
  }
  const bool numeric = hdf5::guarded(input_file, "/x", [&] {
    const auto x_class = x.getTypeClass(), y_class = y.getTypeClass();
    return (x_class == H5T_FLOAT || x_class == H5T_INTEGER) &&
           (y_class == H5T_FLOAT || y_class == H5T_INTEGER);
  });
  if (!numeric) throw Error(input_file + ": datasets /x and /y must hold numbers");
  const std::size_t events = std::min<std::size_t>(x_dims[0], options.max_events);
  if (events == 0) throw Error(input_file + ": dataset /x holds no jet");
  const SplitCounts counts = split_counts(events);

  DatasetInfo info;
  info.source = "LHC jet images (x: N,100,100; y: N,5 one-hot) from " + input_file + ", first " +
                std::to_string(events) + " jets";
  info.transform =
      "reference 7.2: crop rows/cols 22..77 (56x56); /1200, clip at 1; values <= 0.003 -> 0; inflate x2 "
      "about 27.5 "
      "(round half to even, clip to [0,55], last in raster order wins); split in order 3/5, 1/15, rest";
  info.threshold = 0.0;
  info.class_names = {"g", "q", "W", "Z", "t"};
  info.height = info.width = kSparseSide;
  info.channels = 1;
  info.layout = options.layout;

  DatasetWriter writer(output_file, info);
  std::vector<float> images, labels;
  for (std::size_t first = 0; first < events; first += options.chunk_events) {
    const std::size_t count = std::min(options.chunk_events, events - first);
    hdf5::guarded(input_file, "reading /x and /y", [&] {
      hdf5::read_rows(x, H5::PredType::NATIVE_FLOAT, first, count, images);
      hdf5::read_rows(y, H5::PredType::NATIVE_FLOAT, first, count, labels);
    });
    // Each event goes to the split its position selects (train, then val, then test).
    Split parts[3];
    for (Split& part : parts) {
      part.height = part.width = kSparseSide;
      part.channels = 1;
    }
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t event = first + k;
      const float* image = images.data() + k * kInputSide * kInputSide;
      for (std::size_t p = 0; p < kInputSide * kInputSide; ++p) {
        if (!std::isfinite(image[p])) {
          throw Error(input_file + ": dataset /x: jet " + std::to_string(event) +
                      " holds a non-finite value");
        }
      }
      int label = -1;
      for (std::size_t c = 0; c < kClasses; ++c) {
        const float value = labels[k * kClasses + c];
        if (value == 1 && label < 0) {
          label = static_cast<int>(c);
        } else if (value != 0) {
          label = -2;
          break;
        }
      }
      if (label < 0) {
        throw Error(input_file + ": dataset /y: row " + std::to_string(event) + " is not one-hot");
      }
      const std::size_t split = event < counts.train ? 0 : event < counts.train + counts.val ? 1 : 2;
      const std::vector<float> sparse = sparse_image(image);
      parts[split].x.insert(parts[split].x.end(), sparse.begin(), sparse.end());
      parts[split].y.push_back(label);
    }
    for (std::size_t s = 0; s < 3; ++s) writer.append(split_names()[s], parts[s]);
  }
  writer.finish();
  info.split_sizes = {{"train", counts.train}, {"val", counts.val}, {"test", counts.test}};
  return info;
}

}  // namespace sparsepixels::data::jets
