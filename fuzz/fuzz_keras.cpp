// Fuzz target: what `import` parses itself: a Keras config.json and an hls4ml_config.yml (split at the
// first NUL byte; the first byte picks the options), mapped to a model and summarized. The zip and HDF5
// layers under them are libzip's and HDF5's (docs/fuzzing.md).
#include "fuzz_input.h"
#include "sparsepixels/error.h"
#include "sparsepixels/import/keras_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string text = fuzz::text(data + 1, size - 1);
  const std::size_t split = text.find('\0');
  const std::string config = text.substr(0, split);
  const std::string hls4ml = split == std::string::npos ? std::string() : text.substr(split + 1);
  import::ImportOptions options;
  if ((flags & 1) != 0) options.n_active = 1 + (flags >> 3);
  if ((flags & 2) != 0) options.threshold = 0.25;
  options.float_input = (flags & 4) != 0;
  try {
    const auto imported = import::import_keras_config_text(config, hls4ml, "fuzz.keras", options);
    (void)model::summary(imported.model);
  } catch (const Error&) {
  }
  return 0;
}
