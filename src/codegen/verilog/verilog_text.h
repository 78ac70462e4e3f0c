// Pieces every Verilog layer emitter uses: sized literals, the fixed-point cast as a Verilog function
// (quantization then overflow, exactly fixed::FixedType::cast_raw), the module frame and the bus layouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/layers/fixed_layer.h"

namespace sparsepixels::codegen::verilog {

using fixed::FixedType;
using fixed::Int128;

/// A value on a wire: `width` bits holding raw * 2^-fraction, two's complement when is_signed.
struct Operand {
  int width = 1;
  int fraction = 0;
  bool is_signed = true;
};

inline Operand operand_of(const FixedType& type) {
  return {type.width, type.fraction(), type.is_signed};
}

/// Bits to count 0..value (at least 1).
int bits_for(std::size_t value);

/// A sized literal of the low `width` bits of `value`: "8'sh80", "5'd20" (unsigned decimal when not signed).
std::string literal(int width, Int128 value, bool is_signed);

/// The smallest and largest raw value of an operand.
Int128 min_of(const Operand& operand);
Int128 max_of(const Operand& operand);

/// A Verilog function `name` converting an operand to `to` (AP quantization mode, then overflow mode), with
/// a comment line. Throws sparsepixels::Error (naming `what`) for modes the backend does not support
/// (saturation bits N > 0, ap_int/ap_uint targets).
std::string cast_function(const std::string& name, const Operand& from, const FixedType& to,
                          const std::string& what);

/// "signed"/"unsigned" and the type, for comments: "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>".
std::string describe(const FixedType& type);

/// The module's opening (ports, a comment block) and `wire [OUT-1:0] result;`; the body assigns result.
std::string module_begin(const std::string& name, const std::string& comment, const BusLayout& input,
                         const BusLayout& output);
/// The output register and endmodule.
std::string module_end();

/// The input and output bus of a layer.
BusLayout input_bus(const layers::FixedLayer& layer, int hash_width);
BusLayout output_bus(const layers::FixedLayer& layer, int hash_width);

/// An expression sign- (or zero-) extending the identifier `name` of `from` bits to `to` bits (to >= from),
/// signed.
std::string extend(const std::string& name, int from, bool is_signed, int to);

/// Throws the backend's refusal for `layer`: "<layer name> (<kind>): the Verilog backend does not support
/// <what>".
[[noreturn]] void refuse(const layers::FixedLayer& layer, const std::string& what);

/// A whole text file; throws sparsepixels::Error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& path);
/// The last `lines` lines of a log, for error messages.
std::string tail(const std::string& text, std::size_t lines = 20);

/// The top module and the layer modules convert --backend verilog recorded in DIR/sparsepixels_config.yml;
/// throws sparsepixels::Error naming the file and field when it is missing or not a Verilog design.
struct DesignRecord {
  std::string name;
  std::vector<std::string> modules;
};
DesignRecord read_design_record(const std::filesystem::path& dir);

// The layer families (one file each in this folder).
std::string emit_input_reduce(const layers::FixedLayer& layer, const std::string& name, int hash_width);
std::string emit_sparse_conv(const layers::FixedLayer& layer, const std::string& name, int hash_width);
std::string emit_relu(const layers::FixedLayer& layer, const std::string& name, int hash_width);
std::string emit_sparse_pool(const layers::FixedLayer& layer, const std::string& name, int hash_width);
std::string emit_sparse_flatten(const layers::FixedLayer& layer, const std::string& name, int hash_width);
std::string emit_dense(const layers::FixedLayer& layer, const std::string& name);
std::string emit_sigmoid(const layers::FixedLayer& layer, const std::string& name);
std::string emit_softmax(const layers::FixedLayer& layer, const std::string& name);

}  // namespace sparsepixels::codegen::verilog
