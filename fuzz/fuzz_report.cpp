// Fuzz target: vendor reports, as `report` reads them: a C-synthesis XML report and a Vivado
// utilization text report.
#include "fuzz_input.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/vendor_reports.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  const std::string input = fuzz::text(data, size);
  try {
    (void)estimate::parse_hls_synthesis_report(input, "fuzz_csynth.xml");
  } catch (const Error&) {
  }
  try {
    (void)estimate::parse_vivado_utilization_report(input, "fuzz_utilization.rpt");
  } catch (const Error&) {
  }
  return 0;
}
