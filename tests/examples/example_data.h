#pragma once
// Small dataset files for checking the example configs end to end (train, convert, csim): sparse MNIST
// from the real IDX files when they are present (otherwise stroke images through the same transform),
// jet-shaped 56x56 events (a few prongs of deposits through the reference jet transform, 5 classes) and
// the built-in LArTPC-like generator's 63x63 events. Used by examples_csim_test and examples_make_data.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace example_data {

/// Events per split of every file.
struct Sizes {
  std::size_t train = 1000, val = 200, test = 1000;
};

/// What was written: the file and where its events came from.
struct Written {
  std::string path;
  std::string source;
};

/// The datasets of the example configs, in the order of the examples/ folders.
const std::vector<std::string>& dataset_names();

/// Writes `dataset` ("mnist", "jets" or "neutrino") as an HDF5 dataset file at `path`. For "mnist",
/// `mnist_folders` are searched in order for the four IDX files; when none holds them, the events are
/// generated. `seed` drives every generated event.
Written write_dataset_file(const std::string& dataset, const std::string& path, const Sizes& sizes,
                           const std::vector<std::string>& mnist_folders, std::uint64_t seed = 1);

}  // namespace example_data
