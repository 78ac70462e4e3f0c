#pragma once
// The Verilog backend (docs/rtl.md): one module per layer, a top with the Vitis IP's ports, and the
// Verilator simulation that compares it bit for bit with the host fixed inference.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsepixels/layers/fixed_layer.h"

namespace sparsepixels::codegen {

/// How the values of one layer's input or output sit on a bus (docs/rtl.md, "Bit order"): value k at
/// bits [k*value_width +: value_width] (its raw mantissa, two's complement when signed), then for a
/// sparse tensor the 1-based hash, row of slot i at [hash_offset() + 2*i*hash_width +: hash_width]
/// and its column right above it.
struct BusLayout {
  bool sparse = false;
  std::size_t values = 0;  ///< feat[N*C] (sparse) or H*W*C values (dense)
  int value_width = 0;
  bool value_signed = true;
  std::size_t slots = 0;  ///< sparse only
  int hash_width = 0;     ///< sparse only: bits of one row or column
  std::size_t hash_offset() const { return values * static_cast<std::size_t>(value_width); }
  std::size_t width() const {
    return hash_offset() + (sparse ? 2 * slots * static_cast<std::size_t>(hash_width) : 0);
  }
};

/// The bus words of `values` (32 bits each, least significant first).
std::vector<std::uint32_t> pack_bus(const BusLayout& layout, const layers::LayerValues& values);
/// The values a bus holds (raw mantissas sign-extended when the layout is signed).
layers::LayerValues unpack_bus(const BusLayout& layout, const std::vector<std::uint32_t>& words);

/// The hash width of a model whose input grid is height x width: ceil(log2(max(height, width) + 1)),
/// as the kernels' hash_t (docs/semantics.md, section 1).
int hash_bits(int height, int width);

/// One layer as a Verilog module: clk, rst (synchronous, active high), in_valid, in_data, out_valid,
/// out_data; the output registered; II of one cycle (docs/rtl.md).
struct VerilogModule {
  std::string name;  ///< module name and file stem
  std::string text;  ///< the file's contents
  BusLayout input, output;
};

/// The module of one fixed layer (its parameters are the layer's raw weights). `hash_width`: the bits of
/// a hash coordinate for every sparse layer of the model. Throws sparsepixels::Error naming the layer and
/// what the Verilog backend does not support (topk selection, max pooling, the hls4ml profile, ...).
VerilogModule emit_verilog_layer(const layers::FixedLayer& layer, const std::string& module_name,
                                 int hash_width);

/// A top module `name` chaining `layers` (their buses must match) behind the Vitis IP's ports: ap_clk,
/// ap_rst, ap_start, ap_done, ap_idle, ap_ready, x (the input bus of the first layer), y and y_ap_vld.
std::string emit_verilog_top(const std::string& name, const std::vector<VerilogModule>& layers);

/// The C++ testbench Verilator compiles with a top of emit_verilog_top (docs/rtl.md, "Simulation"):
/// reads input buses (one event a line, hex words least significant first) from argv[1], holds ap_start
/// high while it feeds them back to back, writes every output bus and the measured latency and II to
/// argv[2].
/// `stage_widths` (a top of emit_verilog_top): the testbench can also write every stage's output for one
/// event (argv[3]), read through Verilator's public_flat_rd signals data_1, data_2, ...
std::string emit_verilator_testbench(const std::string& name, const BusLayout& input, const BusLayout& output,
                                     const std::vector<std::size_t>& stage_widths = {});

/// What `convert --backend verilog` needs besides the model.
struct VerilogOptions {
  std::string name;        ///< top module name; empty: from the model's name
  bool overwrite = false;  ///< replace an existing output folder (same rules as convert)
};

/// What it wrote.
struct VerilogSummary {
  std::string name;        ///< the top module
  std::string model_hash;  ///< FNV-1a 64 of the model file
  std::vector<std::string> files;
};

/// Writes the Verilog design of the model stored in `model_path` into `out_dir` (rtl/<module>.v per layer
/// and the top, model.json, sparsepixels_config.yml), through a temporary folder like write_project.
/// Throws sparsepixels::Error for a model or layer the backend cannot write (naming it).
VerilogSummary write_verilog(const std::string& model_path, const std::string& out_dir,
                             const VerilogOptions& options = {});

/// Settings of one Verilator simulation.
struct RtlsimOptions {
  std::string data;            ///< dataset file (HDF5)
  std::string split = "test";  ///< split to read
  std::size_t events = 1000;   ///< first N events of the split (at least 1)
  std::string verilator = "verilator";
};

/// What one simulation measured.
struct RtlsimReport {
  std::size_t events = 0, outputs = 0;
  std::size_t mismatches = 0;  ///< output values whose bits differ from the host fixed inference
  long latency = -1;           ///< cycles from the edge sampling ap_start to the first edge with y valid
  long interval = -1;          ///< cycles between accepted starts with ap_start held high (-1: one event)
  std::string details;         ///< the first mismatch, when there is one
};

/// Builds the design in `dir` (written by write_verilog) with Verilator and its testbench, feeds the first
/// events of the split, and compares every output with inference::FixedModel. Throws sparsepixels::Error
/// when verilator is missing, the build fails or the data do not fit the model.
RtlsimReport run_rtlsim(const std::string& dir, const RtlsimOptions& options);

/// Builds `top` (with the module files) and the testbench in `build_dir` with Verilator, runs it on
/// `inputs` (one packed input bus per event) and returns the output buses in order, with the timing.
/// The building block of run_rtlsim and of the per-layer tests.
struct RtlRun {
  std::vector<std::vector<std::uint32_t>> outputs;
  long latency = -1, interval = -1;
  std::string executable, inputs_file;  ///< the built testbench and its input file (for a stage trace)
};
RtlRun simulate_verilog(const std::string& build_dir, const std::string& top_name,
                        const std::vector<std::string>& verilog_files, const BusLayout& input,
                        const BusLayout& output, const std::vector<std::vector<std::uint32_t>>& inputs,
                        const std::string& verilator = "verilator",
                        const std::vector<std::size_t>& stage_widths = {});

}  // namespace sparsepixels::codegen
