#pragma once

#include <cstddef>
#include <string>

namespace sparsepixels::codegen {

/// What `csim` runs on (docs/codegen.md).
struct CsimOptions {
  std::string data;              ///< dataset file (HDF5)
  std::string split = "test";    ///< split to read
  std::size_t events = 1000;     ///< first N events of the split; 0: all
  std::string ap_types;          ///< folder with ap_int.h/ap_fixed.h; empty: the project's firmware/ap_types
  std::string compiler = "g++";  ///< the C++ compiler (run with -std=c++14)
};

/// The outcome of one C simulation.
struct CsimReport {
  std::size_t events = 0, outputs = 0;  ///< events run, output values per event
  std::size_t mismatches = 0;           ///< output values whose bits differ from the host fixed inference
  std::size_t first_event = 0, first_output = 0;  ///< the first mismatch (when mismatches > 0)
  std::string details;  ///< the first mismatch with every layer's outputs from both sides
};

/// Writes tb_data/ for the first events of the split (inputs as float32 with 9 significant digits,
/// expected outputs from the library's fixed inference as exact decimals), compiles the project's
/// top function and testbench with the compiler, runs it and compares every output bit for bit with
/// inference::FixedModel. On a mismatch, reruns the first mismatching event with per-layer tracing.
/// Throws sparsepixels::Error if the project is incomplete, the data do not fit the model, or the
/// compilation or the testbench fails for another reason than a mismatch.
CsimReport run_csim(const std::string& project_dir, const CsimOptions& options);

}  // namespace sparsepixels::codegen
