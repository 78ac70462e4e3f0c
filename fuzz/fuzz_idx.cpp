// Fuzz target: an IDX file (MNIST's format, plain or gzip-compressed), read as images and as labels
// (what `data mnist` reads).
#include "fuzz_input.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  const std::string path = fuzz::as_file(data, size, ".idx");
  try {
    (void)data::mnist::read_idx_images(path);
  } catch (const Error&) {
  }
  try {
    (void)data::mnist::read_idx_labels(path);
  } catch (const Error&) {
  }
  return 0;
}
