// Activations as Verilog (docs/rtl.md; semantics.md sections 4, 7, 8): ReLU and SparseReLU element-wise,
// Sigmoid through its table, Softmax through its exp and inverse tables (the host's tables, verbatim).
#include <fmt/format.h>

#include <vector>

#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {
namespace {

// A constant table `name`: entry k at [k*W +: W] of a localparam, eight entries a line, the last first.
std::string table_function(const std::string& name, const std::string& comment,
                           const std::vector<std::int64_t>& entries, const FixedType& type) {
  std::string text =
      fmt::format("\n  // {}: {} entries of {}, entry k at [k*{} +: {}].\n  localparam [{}:0] {} = {{\n",
                  comment, entries.size(), type.to_string(), type.width, type.width,
                  entries.size() * static_cast<std::size_t>(type.width) - 1, name);
  for (std::size_t k = entries.size(); k-- > 0;) {
    const bool line_start = (k + 1) % 8 == 0 || k + 1 == entries.size();
    if (line_start) text += "      ";
    text += literal(type.width, entries[k], false);
    if (k != 0) text += ",";
    if (k % 8 == 0) {
      text += fmt::format("  // {}..{}\n", k, std::min(k + 7, entries.size() - 1));
    } else {
      text += " ";
    }
  }
  text += "  };\n";
  return text;
}

}  // namespace

std::string emit_relu(const layers::FixedLayer& layer, const std::string& name, int hash_width) {
  const spec::ResolvedLayer& info = layer.info();
  const FixedType& in_type = layer.input_type();
  const BusLayout in_bus = input_bus(layer, hash_width), out_bus = output_bus(layer, hash_width);
  const int in_width = in_type.width, out_width = info.types.result.width;
  std::string text =
      fmt::format("// Layer '{}' ({}): x > 0 ? cast(x) : 0 on {} values; input {}, result {}.\n",
                  info.spec.name, spec::kind_info(info.spec.kind).name, in_bus.values, in_type.to_string(),
                  info.types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("cast_value", operand_of(in_type), info.types.result, "input type to result type");
  const std::string value = fmt::format("in_data[k*{} +: {}]", in_width, in_width);
  const std::string positive = in_type.is_signed
                                   ? fmt::format("$signed({}) > {}", value, literal(in_width, 0, true))
                                   : fmt::format("{} != {}", value, literal(in_width, 0, false));
  text += fmt::format(
      "\n"
      "  genvar k;\n"
      "  generate\n"
      "    for (k = 0; k < {}; k = k + 1) begin : g_value\n"
      "      assign result[k*{} +: {}] = ({}) ? cast_value({}) : {}'d0;\n"
      "    end\n"
      "  endgenerate\n",
      in_bus.values, out_width, out_width, positive, value, out_width);
  if (in_bus.sparse) {
    text += fmt::format("\n  assign result[{} +: {}] = in_data[{} +: {}];  // hash unchanged\n",
                        out_bus.hash_offset(), 2 * in_bus.slots * in_bus.hash_width, in_bus.hash_offset(),
                        2 * in_bus.slots * in_bus.hash_width);
  }
  text += module_end();
  return text;
}

std::string emit_sigmoid(const layers::FixedLayer& layer, const std::string& name) {
  const spec::ResolvedLayer& info = layer.info();
  const FixedType& in_type = layer.input_type();
  const layers::SigmoidTable table = layers::make_sigmoid_table(info);
  const BusLayout in_bus = input_bus(layer, 1), out_bus = output_bus(layer, 1);
  const FixedType index_type = table.layout.index_type();
  const int index_width = index_type.width, in_width = in_type.width, out_width = info.types.result.width;
  std::string text = fmt::format(
      "// Layer '{}' (Sigmoid): table lookup on {} values; input {}, table {}, result {}.\n", info.spec.name,
      in_bus.values, in_type.to_string(), table.table_type.to_string(), info.types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("bin_of", operand_of(in_type), index_type, "input to table bin (signed)");
  text += cast_function("cast_entry", operand_of(table.table_type), info.types.result,
                        "table entry to result type");
  text += table_function("SIGMOID_TABLE", "sigmoid at the bin centres over [-2^E, 2^E)", table.raw,
                         table.table_type);
  text += fmt::format(
      "\n"
      "  genvar k;\n"
      "  generate\n"
      "    for (k = 0; k < {}; k = k + 1) begin : g_value\n"
      "      wire [{}:0] bin = bin_of(in_data[k*{} +: {}]);\n"
      "      // The signed bin plus size/2: its top bit inverted.\n"
      "      wire [{}:0] entry = {{~bin[{}], bin[{}:0]}};\n"
      "      assign result[k*{} +: {}] = cast_entry(SIGMOID_TABLE[entry*{} +: {}]);\n"
      "    end\n"
      "  endgenerate\n",
      in_bus.values, index_width - 1, in_width, in_width, index_width - 1, index_width - 1, index_width - 2,
      out_width, out_width, table.table_type.width, table.table_type.width);
  text += module_end();
  return text;
}

std::string emit_softmax(const layers::FixedLayer& layer, const std::string& name) {
  const spec::ResolvedLayer& info = layer.info();
  const FixedType& in_type = layer.input_type();
  const layers::SoftmaxTables tables = layers::make_softmax_tables(info, in_type);
  const BusLayout in_bus = input_bus(layer, 1), out_bus = output_bus(layer, 1);
  const int n = static_cast<int>(in_bus.values);
  const int in_width = in_type.width, out_width = info.types.result.width;
  const int x_width = in_width + (in_type.is_signed ? 0 : 1);
  const int difference_width = x_width + 1;
  const FixedType exp_index = tables.exp_layout.index_type(),
                  inverse_index = tables.inverse_layout.index_type();
  const int e_width = tables.exp_type.width + (tables.exp_type.is_signed ? 0 : 1);
  const int v_width = tables.inverse_type.width + (tables.inverse_type.is_signed ? 0 : 1);
  const int exp_fraction = tables.exp_type.fraction();
  const int sum_shift =
      tables.sum_type.fraction() > exp_fraction ? tables.sum_type.fraction() - exp_fraction : 0;
  if (tables.sum_type.fraction() < exp_fraction) {
    refuse(layer, fmt::format("a softmax sum type ({}) with fewer fraction bits than its exp table ({})",
                              tables.sum_type.to_string(), tables.exp_type.to_string()));
  }
  const int sum_width = e_width + bits_for(static_cast<std::size_t>(n)) + sum_shift;
  const int product_width = e_width + v_width;
  std::string text = fmt::format(
      "// Layer '{}' (Softmax): {} values; input {}; e_k = exp_table[bin(max - x_k)] ({}), s = sum e_k\n"
      "// (exact, as {}), v = inverse_table[bin(s)] ({}), result cast(e_k * v) to {}.\n",
      info.spec.name, n, in_type.to_string(), tables.exp_type.to_string(), tables.sum_type.to_string(),
      tables.inverse_type.to_string(), info.types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("exp_bin", {difference_width, in_type.fraction(), true}, exp_index,
                        "max - x to exp table bin");
  text += cast_function("sum_of", {sum_width, exp_fraction + sum_shift, true}, tables.sum_type,
                        "exact sum to sum type");
  text +=
      cast_function("inverse_bin", operand_of(tables.sum_type), inverse_index, "sum to inverse table bin");
  text += cast_function("cast_product", {product_width, exp_fraction + tables.inverse_type.fraction(), true},
                        info.types.result, "e_k * v to result type");
  text += table_function("EXP_TABLE", "exp(-d) at the bin centres over [0, 2^E)", tables.exp_raw,
                         tables.exp_type);
  text += table_function("INVERSE_TABLE", "1/s at the bin centres over [0, 2^E)", tables.inverse_raw,
                         tables.inverse_type);
  const std::string value = fmt::format("in_data[k*{} +: {}]", in_width, in_width);
  const std::string extended =
      in_type.is_signed ? fmt::format("$signed({})", value) : fmt::format("$signed({{1'b0, {}}})", value);
  text += fmt::format(
      "\n"
      "  // The largest input.\n"
      "  reg signed [{}:0] largest;\n"
      "  always @* begin : maximum\n"
      "    integer k;\n"
      "    largest = {};\n"
      "    for (k = 1; k < {}; k = k + 1)\n"
      "      if ({} > largest) largest = {};\n"
      "  end\n\n",
      x_width - 1,
      in_type.is_signed ? "$signed(in_data[0 +: " + std::to_string(in_width) + "])"
                        : "$signed({1'b0, in_data[0 +: " + std::to_string(in_width) + "]})",
      n, extended, extended);
  const std::string value_g = fmt::format("in_data[g*{} +: {}]", in_width, in_width);
  text += fmt::format(
      "  // Exponentials of the differences, exact and non-negative.\n"
      "  wire [{}:0] exponentials;\n"
      "  genvar g;\n"
      "  generate\n"
      "    for (g = 0; g < {}; g = g + 1) begin : g_exp\n"
      "      wire signed [{}:0] difference = {} - {};\n"
      "      wire [{}:0] bin = exp_bin(difference);\n"
      "      assign exponentials[g*{} +: {}] = EXP_TABLE[bin*{} +: {}];\n"
      "    end\n"
      "  endgenerate\n\n",
      n * tables.exp_type.width - 1, n, difference_width - 1,
      extend("largest", x_width, true, difference_width),
      in_type.is_signed ? fmt::format("$signed({{in_data[g*{} + {}], {}}})", in_width, in_width - 1, value_g)
                        : fmt::format("$signed({{2'b0, {}}})", value_g),
      exp_index.width - 1, tables.exp_type.width, tables.exp_type.width, tables.exp_type.width,
      tables.exp_type.width);
  const int ew = tables.exp_type.width;
  const std::string e_k = fmt::format("exponentials[k*{} +: {}]", ew, ew);
  const std::string e_ext = tables.exp_type.is_signed
                                ? fmt::format("{{{{{}{{exponentials[k*{} + {}]}}}}, {}}}",
                                              sum_width - sum_shift - ew, ew, ew - 1, e_k)
                                : fmt::format("{{{}'d0, {}}}", sum_width - sum_shift - ew, e_k);
  text += fmt::format(
      "  // Their exact sum and its inverse.\n"
      "  reg signed [{}:0] sum;\n"
      "  always @* begin : accumulate\n"
      "    integer k;\n"
      "    sum = {};\n"
      "    for (k = 0; k < {}; k = k + 1) sum = sum + $signed({});\n"
      "  end\n"
      "  wire [{}:0] inverse_index = inverse_bin(sum_of(sum));\n"
      "  wire [{}:0] inverse = INVERSE_TABLE[inverse_index*{} +: {}];\n\n",
      sum_width - 1, literal(sum_width, 0, true), n,
      sum_shift == 0 ? e_ext : fmt::format("{{{}, {}'d0}}", e_ext, sum_shift), inverse_index.width - 1,
      tables.inverse_type.width - 1, tables.inverse_type.width, tables.inverse_type.width);
  const std::string e_g = fmt::format("exponentials[g*{} +: {}]", ew, ew);
  const std::string e_signed =
      tables.exp_type.is_signed ? fmt::format("$signed({})", e_g) : fmt::format("$signed({{1'b0, {}}})", e_g);
  const std::string v_signed =
      tables.inverse_type.is_signed ? "$signed(inverse)" : "$signed({1'b0, inverse})";
  text += fmt::format(
      "  generate\n"
      "    for (g = 0; g < {}; g = g + 1) begin : g_out\n"
      "      wire signed [{}:0] product = {} * {};\n"
      "      assign result[g*{} +: {}] = cast_product(product);\n"
      "    end\n"
      "  endgenerate\n",
      n, product_width - 1, e_signed, v_signed, out_width, out_width);
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog
