// Shared pieces of the Verilog emitters (verilog_text.h) and the per-layer dispatch.
#include "verilog_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/spec/layer_kinds.h"

namespace sparsepixels::codegen {
namespace verilog {

int bits_for(std::size_t value) {
  int bits = 1;
  while (bits < 63 && (std::size_t{1} << bits) <= value) ++bits;
  return bits;
}

std::string literal(int width, Int128 value, bool is_signed) {
  using UInt = fixed::UInt128;
  UInt bits = static_cast<UInt>(value);
  if (width < 128) bits &= (UInt{1} << width) - 1;
  if (!is_signed) {
    // Unsigned decimal for readability when it fits 64 bits.
    if ((bits >> 64) == 0) return fmt::format("{}'d{}", width, static_cast<std::uint64_t>(bits));
  } else if (width < 64) {
    // Signed decimal: the value the low `width` bits hold in two's complement ("-8'sd8" for 0xf8).
    const std::int64_t low = static_cast<std::int64_t>(static_cast<std::uint64_t>(bits));
    const std::int64_t held =
        low >= (std::int64_t{1} << (width - 1)) ? low - (std::int64_t{1} << width) : low;
    if (held < 0) return fmt::format("-{}'sd{}", width, -held);
    return fmt::format("{}'sd{}", width, held);
  }
  std::string hex;
  do {
    hex.insert(hex.begin(), "0123456789abcdef"[static_cast<int>(bits & 15)]);
    bits >>= 4;
  } while (bits != 0);
  return fmt::format("{}'{}h{}", width, is_signed ? "s" : "", hex);
}

Int128 min_of(const Operand& operand) {
  return operand.is_signed ? -(Int128{1} << (operand.width - 1)) : 0;
}

Int128 max_of(const Operand& operand) {
  return (Int128{1} << (operand.width - (operand.is_signed ? 1 : 0))) - 1;
}

std::string describe(const FixedType& type) {
  return type.to_string();
}

namespace {

Int128 floor_shift(Int128 value, int shift) {
  const Int128 step = Int128{1} << shift;
  Int128 quotient = value / step;
  if (value % step != 0 && value < 0) --quotient;
  return quotient;
}

}  // namespace

std::string extend(const std::string& name, int from, bool is_signed, int to) {
  if (to == from) return is_signed ? fmt::format("$signed({})", name) : fmt::format("$signed({})", name);
  const std::string fill = is_signed ? fmt::format("{{{}{{{}[{}]}}}}", to - from, name, from - 1)
                                     : fmt::format("{}'d0", to - from);
  return fmt::format("$signed({{{}, {}}})", fill, name);
}

std::string cast_function(const std::string& name, const Operand& from, const FixedType& to,
                          const std::string& what) {
  if (to.saturation_bits != 0) {
    throw Error(fmt::format("{}: the Verilog backend does not support saturation bits (N = {}) in {}", what,
                            to.saturation_bits, to.to_string()));
  }
  if (to.integer_type) {
    throw Error(fmt::format("{}: the Verilog backend does not support ap_int/ap_uint result types ({})", what,
                            to.to_string()));
  }
  const int width = to.width;
  const int drop = from.fraction - to.fraction();  // fraction bits dropped (negative: bits appended)
  if (drop < -64 || drop > 128) {
    throw Error(fmt::format("{}: a cast shifting by {} bits is outside what the Verilog backend supports",
                            what, drop));
  }
  const int x_width = from.width + (from.is_signed ? 0 : 1);
  Int128 low = min_of(from), high = max_of(from);
  std::string declarations, body;
  declarations += fmt::format("    reg signed [{}:0] extended;\n", x_width - 1);
  body +=
      from.is_signed ? "      extended = $signed(value);\n" : "      extended = $signed({1'b0, value});\n";
  int q_width = 0;
  if (drop <= 0) {
    q_width = x_width - drop;
    declarations += fmt::format("    reg signed [{}:0] q;\n", q_width - 1);
    body += drop == 0
                ? "      q = extended;\n"
                : fmt::format("      q = $signed({{extended, {}'d0}});  // to the target's lsb\n", -drop);
    low *= Int128{1} << -drop;
    high *= Int128{1} << -drop;
  } else {
    const int e_width = std::max(x_width, drop + 1);
    declarations += fmt::format("    reg signed [{}:0] e;\n", e_width - 1);
    body += e_width == x_width ? "      e = extended;\n"
                               : fmt::format("      e = {};\n", extend("extended", x_width, true, e_width));
    // The rounding increment from the dropped bits e[drop-1:0] (half: e[drop-1]), the sign e[msb] and
    // the parity of the kept part e[drop].
    const std::string half = fmt::format("e[{}]", drop - 1);
    const std::string below = drop >= 2 ? fmt::format("(|e[{}:0])", drop - 2) : "";
    const std::string negative = fmt::format("e[{}]", e_width - 1);
    std::string up;
    switch (to.quantization) {
      case fixed::Quantization::TRN:
        break;
      case fixed::Quantization::TRN_ZERO:
        up = fmt::format("{} && (|e[{}:0])", negative, drop - 1);
        break;
      case fixed::Quantization::RND:
        up = half;
        break;
      case fixed::Quantization::RND_ZERO:
        up = below.empty() ? fmt::format("{} && {}", half, negative)
                           : fmt::format("{} && ({} || {})", half, below, negative);
        break;
      case fixed::Quantization::RND_MIN_INF:
        if (!below.empty()) up = fmt::format("{} && {}", half, below);
        break;
      case fixed::Quantization::RND_INF:
        up = below.empty() ? fmt::format("{} && !{}", half, negative)
                           : fmt::format("{} && ({} || !{})", half, below, negative);
        break;
      case fixed::Quantization::RND_CONV:
        up = below.empty() ? fmt::format("{} && e[{}]", half, drop)
                           : fmt::format("{} && ({} || e[{}])", half, below, drop);
        break;
    }
    const int kept = e_width - drop;
    low = floor_shift(low, drop);
    high = floor_shift(high, drop);
    if (up.empty()) {
      q_width = kept;
      declarations += fmt::format("    reg signed [{}:0] q;\n", q_width - 1);
      body += fmt::format("      q = $signed(e[{}:{}]);  // {}\n", e_width - 1, drop,
                          fixed::to_string(to.quantization));
    } else {
      q_width = kept + 1;
      high += 1;
      declarations += fmt::format("    reg signed [{}:0] q;\n", q_width - 1);
      body += fmt::format("      q = $signed({{e[{}], e[{}:{}]}}) + $signed({{{}'d0, {}}});  // {}\n",
                          e_width - 1, e_width - 1, drop, q_width - 1, up, fixed::to_string(to.quantization));
    }
  }
  // Overflow: q (exact, q_width bits, in [low, high]) to the target's range.
  const Operand target{width, to.fraction(), to.is_signed};
  const Int128 target_low = min_of(target), target_high = max_of(target);
  const int o_width = std::max(q_width, width);
  std::string wrapped = "q";
  if (o_width > q_width) {
    declarations += fmt::format("    reg signed [{}:0] wide;\n", o_width - 1);
    body += fmt::format("      wide = {};\n", extend("q", q_width, true, o_width));
    wrapped = "wide";
  }
  const std::string kept_bits = o_width == width ? wrapped : fmt::format("{}[{}:0]", wrapped, width - 1);
  const std::string lit_high = literal(width, target_high, to.is_signed);
  std::string result = fmt::format("{} = {}", name, kept_bits);
  const bool over_high = high > target_high;
  bool over_low = low < target_low;
  const auto q_lit = [&](Int128 value) { return literal(q_width, value, true); };
  std::string checks;
  switch (to.overflow) {
    case fixed::Overflow::WRAP:
      break;
    case fixed::Overflow::SAT:
      if (over_high)
        checks += fmt::format("      if (q > {}) {} = {};\n      else ", q_lit(target_high), name, lit_high);
      if (over_low)
        checks += fmt::format("{}if (q < {}) {} = {};\n      else ", over_high ? "" : "      ",
                              q_lit(target_low), name, literal(width, target_low, to.is_signed));
      break;
    case fixed::Overflow::SAT_ZERO:
      if (over_high || over_low) {
        std::string condition;
        if (over_high) condition += fmt::format("q > {}", q_lit(target_high));
        if (over_low) condition += fmt::format("{}q < {}", over_high ? " || " : "", q_lit(target_low));
        checks += fmt::format("      if ({}) {} = {}'d0;\n      else ", condition, name, width);
      }
      break;
    case fixed::Overflow::SAT_SYM: {
      // Signed: never the most negative value; unsigned: negative values give 0.
      const Int128 symmetric_low = to.is_signed ? (width == 1 ? target_low : -target_high) : 0;
      over_low = low < symmetric_low;
      if (over_high)
        checks += fmt::format("      if (q > {}) {} = {};\n      else ", q_lit(target_high), name, lit_high);
      if (over_low)
        checks += fmt::format("{}if (q < {}) {} = {};\n      else ", over_high ? "" : "      ",
                              q_lit(symmetric_low), name, literal(width, symmetric_low, to.is_signed));
      break;
    }
  }
  if (checks.empty()) checks = "      ";
  body += checks + result + ";\n";
  std::string text;
  text += fmt::format("  // {}: {} bits at fraction {} ({}) to {}, {} then {}.\n", what, from.width,
                      from.fraction, from.is_signed ? "signed" : "unsigned", to.to_string(),
                      fixed::to_string(to.quantization), fixed::to_string(to.overflow));
  text += "  /* verilator lint_off UNUSEDSIGNAL */  // a cast drops the bits it quantizes away or wraps\n";
  text += fmt::format("  function [{}:0] {};\n    input [{}:0] value;\n", width - 1, name, from.width - 1);
  text += declarations;
  text += "    begin\n" + body + "    end\n  endfunction\n";
  text += "  /* verilator lint_on UNUSEDSIGNAL */\n";
  return text;
}

std::string module_begin(const std::string& name, const std::string& comment, const BusLayout& input,
                         const BusLayout& output) {
  std::string text = comment;
  text += fmt::format(
      "module {} (\n"
      "    input  wire          clk,\n"
      "    input  wire          rst,\n"
      "    input  wire          in_valid,\n"
      "    input  wire [{}:0] in_data,\n"
      "    output reg           out_valid,\n"
      "    output reg  [{}:0] out_data\n"
      ");\n",
      name, input.width() - 1, output.width() - 1);
  text +=
      fmt::format("  wire [{}:0] result;  // this layer's output, registered below\n\n", output.width() - 1);
  return text;
}

std::string module_end() {
  return "\n"
         "  always @(posedge clk) begin\n"
         "    if (rst) out_valid <= 1'b0;\n"
         "    else out_valid <= in_valid;\n"
         "    if (in_valid) out_data <= result;\n"
         "  end\n"
         "endmodule\n";
}

namespace {

BusLayout sparse_bus(std::size_t slots, int channels, const FixedType& type, int hash_width) {
  BusLayout bus;
  bus.sparse = true;
  bus.slots = slots;
  bus.values = slots * static_cast<std::size_t>(channels);
  bus.value_width = type.width;
  bus.value_signed = type.is_signed;
  bus.hash_width = hash_width;
  return bus;
}

BusLayout dense_bus(std::size_t values, const FixedType& type) {
  BusLayout bus;
  bus.values = values;
  bus.value_width = type.width;
  bus.value_signed = type.is_signed;
  return bus;
}

}  // namespace

BusLayout input_bus(const layers::FixedLayer& layer, int hash_width) {
  const spec::Shape& shape = layer.info().input;
  if (shape.sparse)
    return sparse_bus(static_cast<std::size_t>(shape.slots), shape.channels, layer.input_type(), hash_width);
  return dense_bus(shape.size(), layer.input_type());
}

BusLayout output_bus(const layers::FixedLayer& layer, int hash_width) {
  const spec::Shape& shape = layer.info().output;
  if (shape.sparse) {
    return sparse_bus(static_cast<std::size_t>(shape.slots), shape.channels, layer.info().types.result,
                      hash_width);
  }
  return dense_bus(shape.size(), layer.info().types.result);
}

void refuse(const layers::FixedLayer& layer, const std::string& what) {
  throw Error(fmt::format("layer '{}' ({}): the Verilog backend does not support {}", layer.info().spec.name,
                          spec::kind_info(layer.info().spec.kind).name, what));
}

}  // namespace verilog

int hash_bits(int height, int width) {
  return verilog::bits_for(static_cast<std::size_t>(std::max(height, width)));
}

std::vector<std::uint32_t> pack_bus(const BusLayout& layout, const layers::LayerValues& values) {
  std::vector<std::uint32_t> words((layout.width() + 31) / 32, 0);
  auto put = [&words](std::size_t at, int width, std::int64_t value) {
    for (int bit = 0; bit < width; ++bit) {
      if (((static_cast<std::uint64_t>(value) >> bit) & 1) != 0) {
        const std::size_t position = at + static_cast<std::size_t>(bit);
        words[position / 32] |= std::uint32_t{1} << (position % 32);
      }
    }
  };
  if (values.raw.size() != layout.values) {
    throw Error(fmt::format("bus: {} values given, the layout holds {}", values.raw.size(), layout.values));
  }
  for (std::size_t k = 0; k < layout.values; ++k)
    put(k * layout.value_width, layout.value_width, values.raw[k]);
  if (layout.sparse) {
    if (values.hash.size() != 2 * layout.slots) {
      throw Error(fmt::format("bus: {} hash values given, the layout holds {}", values.hash.size(),
                              2 * layout.slots));
    }
    for (std::size_t k = 0; k < 2 * layout.slots; ++k) {
      put(layout.hash_offset() + k * layout.hash_width, layout.hash_width, values.hash[k]);
    }
  }
  return words;
}

layers::LayerValues unpack_bus(const BusLayout& layout, const std::vector<std::uint32_t>& words) {
  if (words.size() * 32 < layout.width()) {
    throw Error(
        fmt::format("bus: {} words hold fewer than the layout's {} bits", words.size(), layout.width()));
  }
  auto get = [&words](std::size_t at, int width, bool is_signed) {
    std::uint64_t value = 0;
    for (int bit = 0; bit < width; ++bit) {
      const std::size_t position = at + static_cast<std::size_t>(bit);
      if (((words[position / 32] >> (position % 32)) & 1) != 0) value |= std::uint64_t{1} << bit;
    }
    if (is_signed && width < 64 && ((value >> (width - 1)) & 1) != 0)
      value |= ~((std::uint64_t{1} << width) - 1);
    return static_cast<std::int64_t>(value);
  };
  layers::LayerValues values;
  values.raw.resize(layout.values);
  for (std::size_t k = 0; k < layout.values; ++k) {
    values.raw[k] = get(k * layout.value_width, layout.value_width, layout.value_signed);
  }
  if (layout.sparse) {
    values.hash.resize(2 * layout.slots);
    for (std::size_t k = 0; k < 2 * layout.slots; ++k) {
      values.hash[k] =
          static_cast<int>(get(layout.hash_offset() + k * layout.hash_width, layout.hash_width, false));
    }
  }
  return values;
}

VerilogModule emit_verilog_layer(const layers::FixedLayer& layer, const std::string& module_name,
                                 int hash_width) {
  using namespace verilog;
  const spec::ResolvedLayer& info = layer.info();
  if (info.profile != spec::ArithmeticProfile::Exact) refuse(layer, "the hls4ml arithmetic profile");
  if (info.folded) refuse(layer, "folded batch normalization");
  VerilogModule module;
  module.name = module_name;
  module.input = input_bus(layer, hash_width);
  module.output = output_bus(layer, hash_width);
  switch (info.spec.kind) {
    case spec::LayerKind::InputReduce:
      module.text = emit_input_reduce(layer, module_name, hash_width);
      break;
    case spec::LayerKind::SparseConv2D:
      module.text = emit_sparse_conv(layer, module_name, hash_width);
      break;
    case spec::LayerKind::SparseReLU:
    case spec::LayerKind::ReLU:
      module.text = emit_relu(layer, module_name, hash_width);
      break;
    case spec::LayerKind::SparseAvgPool2D:
      module.text = emit_sparse_pool(layer, module_name, hash_width);
      break;
    case spec::LayerKind::SparseMaxPool2D:
      refuse(layer, "max pooling yet (average pooling only)");
    case spec::LayerKind::SparseFlatten:
      module.text = emit_sparse_flatten(layer, module_name, hash_width);
      break;
    case spec::LayerKind::Dense:
      module.text = emit_dense(layer, module_name);
      break;
    case spec::LayerKind::Sigmoid:
      module.text = emit_sigmoid(layer, module_name);
      break;
    case spec::LayerKind::Softmax:
      module.text = emit_softmax(layer, module_name);
      break;
    case spec::LayerKind::SparseBatchNormalization:
      refuse(layer, "sparse batch normalization yet");
    case spec::LayerKind::Conv2D:
    case spec::LayerKind::AvgPool2D:
    case spec::LayerKind::MaxPool2D:
    case spec::LayerKind::Flatten:
      refuse(layer, "standard (dense, io_stream) layers; it writes sparse models only");
  }
  return module;
}

}  // namespace sparsepixels::codegen
