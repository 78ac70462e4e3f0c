// Fuzz target: a YAML model config, parsed, resolved, made into a model and summarized (what
// `summary CONFIG`, `train` and `convert` do first).
#include "fuzz_input.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  try {
    const model::Model model(model::parse_config(fuzz::text(data, size), "fuzz.yml"), "fuzz.yml");
    (void)model::summary(model);
  } catch (const Error&) {
  }
  return 0;
}
