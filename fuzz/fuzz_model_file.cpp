// Fuzz target: a model file (JSON), loaded and summarized (what `summary`, `eval`, `predict` and
// `convert` do first).
#include "fuzz_input.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  try {
    const model::Model model = model::load_model(fuzz::as_file(data, size, ".json"));
    (void)model::summary(model);
  } catch (const Error&) {
  }
  return 0;
}
