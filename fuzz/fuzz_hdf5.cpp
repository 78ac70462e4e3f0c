// Fuzz target: a dataset file (HDF5, dense or sparse layout) as the commands read it: the metadata
// check in a child process that every reader runs first (data::check_hdf5_file), then the dataset's
// description and every split in chunks (one as hit lists, the others as dense events).
#include <cstdlib>

#include "fuzz_input.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A hang inside libhdf5 is cut in the child well before libFuzzer's -timeout=10.
  setenv("SPARSEPIXELS_HDF5_CHECK_SECONDS", "3", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  const std::string path = fuzz::as_file(data, size, ".h5");
  try {
    const data::DatasetInfo info = data::read_dataset_info(path);
    // Each reader checks the file again in a child process (about 50 ms under ASan), so each split is
    // read once: the first as hit lists, the others as dense events.
    bool as_hits = true;
    for (const auto& [split, events] : info.split_sizes) {
      data::SplitReader reader(path, split, 64);
      data::Split dense;
      data::HitSplit hits;
      while (as_hits ? reader.next(hits) : reader.next(dense)) {
      }
      as_hits = false;
    }
  } catch (const Error&) {
  }
  return 0;
}
