// `examples_make_data OUT_DIR [TRAIN VAL TEST]`: writes OUT_DIR/{mnist,jets,neutrino}.h5, the small dataset
// files scripts/check-examples.sh trains, converts and C-simulates the example configs on (example_data.h).
// Sparse MNIST comes from the real IDX files when found ($SPARSEPIXELS_DATA_DIR/mnist, data/mnist next to
// this program or in one of its three parent folders, ./data/mnist), otherwise it is generated.
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "example_data.h"
#include "sparsepixels/data/mnist.h"

namespace {

std::size_t parse_count(const char* text, const char* what) {
  std::size_t used = 0;
  const unsigned long long value = std::stoull(text, &used);
  if (used != std::string(text).size() || value == 0) {
    throw std::invalid_argument(std::string(what) + " '" + text + "': expected a positive whole number");
  }
  return static_cast<std::size_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 5) {
    std::cerr << "usage: examples_make_data OUT_DIR [TRAIN VAL TEST]   (default 1000 200 1000 events)\n";
    return 2;
  }
  try {
    example_data::Sizes sizes;
    if (argc == 5) {
      sizes.train = parse_count(argv[2], "TRAIN");
      sizes.val = parse_count(argv[3], "VAL");
      sizes.test = parse_count(argv[4], "TEST");
    }
    const std::filesystem::path folder = argv[1];
    std::filesystem::create_directories(folder);
    const auto mnist_folders = sparsepixels::data::mnist::default_mnist_folders(
        std::filesystem::read_symlink("/proc/self/exe").string());
    for (const auto& dataset : example_data::dataset_names()) {
      const auto written = example_data::write_dataset_file(dataset, (folder / (dataset + ".h5")).string(),
                                                            sizes, mnist_folders);
      std::cout << "wrote " << written.path << " (" << sizes.train << "/" << sizes.val << "/" << sizes.test
                << " events): " << written.source << "\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "examples_make_data: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
