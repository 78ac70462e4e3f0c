// Small dataset files for the example-config checks (see example_data.h).
#include "example_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/jets.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/data/random.h"
#include "sparsepixels/error.h"

namespace example_data {
namespace {

namespace data = sparsepixels::data;
namespace mnist = sparsepixels::data::mnist;
namespace jets = sparsepixels::data::jets;

data::Split empty_split(std::size_t side) {
  data::Split split;
  split.height = side;
  split.width = side;
  split.channels = 1;
  return split;
}

void append_event(data::Split& split, const std::vector<float>& pixels, int label) {
  split.x.insert(split.x.end(), pixels.begin(), pixels.end());
  split.y.push_back(label);
}

// Events [first, first + count) of `all`.
data::Split slice(const data::Split& all, std::size_t first, std::size_t count) {
  data::Split part = empty_split(all.height);
  part.width = all.width;
  part.channels = all.channels;
  const auto begin = all.x.begin() + static_cast<std::ptrdiff_t>(first * all.event_size());
  part.x.assign(begin, begin + static_cast<std::ptrdiff_t>(count * all.event_size()));
  part.y.assign(all.y.begin() + static_cast<std::ptrdiff_t>(first),
                all.y.begin() + static_cast<std::ptrdiff_t>(first + count));
  return part;
}

// Sparse MNIST from real IDX files: the reference split (validation = the first training images, train =
// those from image 10,000 on, test = the test file), cut to the sizes.
void real_mnist(const std::string& folder, const Sizes& sizes, data::Split& train, data::Split& val,
                data::Split& test) {
  const auto train_images = mnist::read_idx_images(*mnist::find_idx_file(folder, "train-images-idx3-ubyte"));
  const auto train_labels = mnist::read_idx_labels(*mnist::find_idx_file(folder, "train-labels-idx1-ubyte"));
  const auto test_images = mnist::read_idx_images(*mnist::find_idx_file(folder, "t10k-images-idx3-ubyte"));
  const auto test_labels = mnist::read_idx_labels(*mnist::find_idx_file(folder, "t10k-labels-idx1-ubyte"));
  const std::size_t train_first = std::max<std::size_t>(10000, sizes.val);
  if (train_images.count < train_first + sizes.train || test_images.count < sizes.test) {
    throw sparsepixels::Error(fmt::format("{}: too few MNIST images for {} train and {} test events", folder,
                                          sizes.train, sizes.test));
  }
  const std::size_t image_size = train_images.rows * train_images.cols;
  auto add = [&](data::Split& split, const mnist::IdxImages& images, const std::vector<std::uint8_t>& labels,
                 std::size_t first, std::size_t count) {
    for (std::size_t k = first; k < first + count; ++k) {
      append_event(split, mnist::sparse_image(images.pixels.data() + k * image_size), labels[k]);
    }
  };
  add(val, train_images, train_labels, 0, sizes.val);
  add(train, train_images, train_labels, train_first, sizes.train);
  add(test, test_images, test_labels, 0, sizes.test);
}

// A 28x28 "digit": 1 to 4 thick strokes (their number and direction depend on the class), then the
// reference sparse MNIST transform.
std::vector<float> stroke_digit(data::Random& random, int label) {
  std::vector<std::uint8_t> image(28 * 28, 0);
  const int strokes = 1 + label % 4;
  for (int stroke = 0; stroke < strokes; ++stroke) {
    const double angle = (label * 0.3 + stroke * 1.1) + random.uniform(-0.3, 0.3);
    const double length = random.uniform(6, 14);
    const double cy = random.uniform(9, 19), cx = random.uniform(9, 19);
    for (double t = -0.5; t <= 0.5; t += 0.02) {
      const double y = cy + t * length * std::sin(angle), x = cx + t * length * std::cos(angle);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int row = static_cast<int>(std::lround(y)) + dy, col = static_cast<int>(std::lround(x)) + dx;
          if (row < 0 || row >= 28 || col < 0 || col >= 28) continue;
          const auto value = static_cast<std::uint8_t>(dy == 0 && dx == 0 ? 255 : random.between(60, 200));
          image[static_cast<std::size_t>(row * 28 + col)] =
              std::max(image[static_cast<std::size_t>(row * 28 + col)], value);
        }
      }
    }
  }
  return mnist::sparse_image(image.data());
}

// A 100x100 jet image (raw units; the transform divides by 1200): 1 prong for gluons and quarks (gluons
// wider), 2 for W and Z, 3 for top, each a cluster of deposits around the centre; then the reference jet
// transform to 56x56.
std::vector<float> jet_event(data::Random& random, int label) {
  static constexpr int kProngs[5] = {1, 1, 2, 2, 3};
  const double spread = label == 0 ? 3.0 : 1.8;
  std::vector<float> image(jets::kInputSide * jets::kInputSide, 0.0f);
  for (int prong = 0; prong < kProngs[label]; ++prong) {
    const double radius = prong == 0 ? random.uniform(0, 2) : random.uniform(4, 11);
    const double angle = random.uniform(0, 2 * std::numbers::pi);
    const double cy = 50 + radius * std::sin(angle), cx = 50 + radius * std::cos(angle);
    const auto deposits = random.between(5, 25);
    for (std::int64_t deposit = 0; deposit < deposits; ++deposit) {
      const auto row = static_cast<std::int64_t>(std::lround(cy + spread * random.normal()));
      const auto col = static_cast<std::int64_t>(std::lround(cx + spread * random.normal()));
      if (row < 0 || row >= 100 || col < 0 || col >= 100) continue;
      // Energies from a few GeV to beyond the 1,200 clip, mostly small as in jet images.
      image[static_cast<std::size_t>(row * 100 + col)] +=
          static_cast<float>(std::exp(random.uniform(1.0, 7.5)));
    }
  }
  return jets::sparse_image(image.data());
}

// Fills train, val and test with generated events: each a uniform label in [0, classes), then
// make_event(random, label).
template <typename MakeEvent>
void generate_splits(const Sizes& sizes, std::uint64_t seed, int classes, MakeEvent make_event,
                     data::Split& train, data::Split& val, data::Split& test) {
  data::Random random(seed);
  const std::pair<data::Split*, std::size_t> splits[] = {
      {&train, sizes.train}, {&val, sizes.val}, {&test, sizes.test}};
  for (const auto& [split, count] : splits) {
    for (std::size_t k = 0; k < count; ++k) {
      const int label = static_cast<int>(random.below(static_cast<std::uint64_t>(classes)));
      append_event(*split, make_event(random, label), label);
    }
  }
}

data::DatasetInfo info_for(std::size_t side, double threshold, std::vector<std::string> class_names,
                           std::string source) {
  data::DatasetInfo info;
  info.source = std::move(source);
  info.transform = "small file for the example-config checks (tests/examples/example_data.cpp)";
  info.threshold = threshold;
  info.class_names = std::move(class_names);
  info.height = side;
  info.width = side;
  info.channels = 1;
  return info;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"mnist", "jets", "neutrino"};
  return names;
}

Written write_dataset_file(const std::string& dataset, const std::string& path, const Sizes& sizes,
                           const std::vector<std::string>& mnist_folders, std::uint64_t seed) {
  Written written{path, ""};
  if (dataset == "mnist") {
    data::Split train = empty_split(mnist::kSparseSide), val = train, test = train;
    const auto folder = std::find_if(mnist_folders.begin(), mnist_folders.end(), mnist::has_idx_files);
    if (folder != mnist_folders.end()) {
      real_mnist(*folder, sizes, train, val, test);
      written.source = "sparse MNIST from the IDX files in " + *folder;
    } else {
      generate_splits(sizes, seed, 10, stroke_digit, train, val, test);
      written.source = fmt::format("generated stroke digits (seed {}): no MNIST IDX files found", seed);
    }
    std::vector<std::string> names;
    for (int digit = 0; digit < 10; ++digit) names.push_back(std::to_string(digit));
    data::write_dataset(path, info_for(mnist::kSparseSide, 0.4, names, written.source), train, val, test);
  } else if (dataset == "jets") {
    data::Split train = empty_split(jets::kSparseSide), val = train, test = train;
    generate_splits(sizes, seed, 5, jet_event, train, val, test);
    written.source = fmt::format("generated jet-shaped events, 1-3 prongs (seed {})", seed);
    data::write_dataset(path, info_for(jets::kSparseSide, 0.0, {"g", "q", "W", "Z", "t"}, written.source),
                        train, val, test);
  } else if (dataset == "neutrino") {
    const data::Split all = data::generate_synthetic(sizes.train + sizes.val + sizes.test, seed);
    written.source = fmt::format("the built-in LArTPC-like generator (seed {})", seed);
    data::write_dataset(path, info_for(all.height, 0.0, {"cosmic", "neutrino"}, written.source),
                        slice(all, 0, sizes.train), slice(all, sizes.train, sizes.val),
                        slice(all, sizes.train + sizes.val, sizes.test));
  } else {
    throw sparsepixels::UsageError(
        fmt::format("dataset '{}': expected one of mnist, jets, neutrino", dataset));
  }
  return written;
}

}  // namespace example_data
