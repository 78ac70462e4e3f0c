// The Verilog design of a model (docs/rtl.md): one module per layer, the top with the Vitis IP's ports, and
// the folder convert --backend verilog writes.
#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "sparsepixels/codegen/project.h"
#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "verilog_text.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;

namespace {

// Verilog-2005 and SystemVerilog (IEEE 1800) reserved words: a top module may not be named so.
bool verilog_keyword(const std::string& name) {
  static const std::set<std::string> words = {"accept_on",
                                              "alias",
                                              "always",
                                              "always_comb",
                                              "always_ff",
                                              "always_latch",
                                              "and",
                                              "assert",
                                              "assign",
                                              "assume",
                                              "automatic",
                                              "before",
                                              "begin",
                                              "bind",
                                              "bins",
                                              "binsof",
                                              "bit",
                                              "break",
                                              "buf",
                                              "bufif0",
                                              "bufif1",
                                              "byte",
                                              "case",
                                              "casex",
                                              "casez",
                                              "cell",
                                              "chandle",
                                              "checker",
                                              "class",
                                              "clocking",
                                              "cmos",
                                              "config",
                                              "const",
                                              "constraint",
                                              "context",
                                              "continue",
                                              "cover",
                                              "covergroup",
                                              "coverpoint",
                                              "cross",
                                              "deassign",
                                              "default",
                                              "defparam",
                                              "design",
                                              "disable",
                                              "dist",
                                              "do",
                                              "edge",
                                              "else",
                                              "end",
                                              "endcase",
                                              "endchecker",
                                              "endclass",
                                              "endclocking",
                                              "endconfig",
                                              "endfunction",
                                              "endgenerate",
                                              "endgroup",
                                              "endinterface",
                                              "endmodule",
                                              "endpackage",
                                              "endprimitive",
                                              "endprogram",
                                              "endproperty",
                                              "endspecify",
                                              "endsequence",
                                              "endtable",
                                              "endtask",
                                              "enum",
                                              "event",
                                              "eventually",
                                              "expect",
                                              "export",
                                              "extends",
                                              "extern",
                                              "final",
                                              "first_match",
                                              "for",
                                              "force",
                                              "foreach",
                                              "forever",
                                              "fork",
                                              "forkjoin",
                                              "function",
                                              "generate",
                                              "genvar",
                                              "global",
                                              "highz0",
                                              "highz1",
                                              "if",
                                              "iff",
                                              "ifnone",
                                              "ignore_bins",
                                              "illegal_bins",
                                              "implements",
                                              "implies",
                                              "import",
                                              "incdir",
                                              "include",
                                              "initial",
                                              "inout",
                                              "input",
                                              "inside",
                                              "instance",
                                              "int",
                                              "integer",
                                              "interconnect",
                                              "interface",
                                              "intersect",
                                              "join",
                                              "join_any",
                                              "join_none",
                                              "large",
                                              "let",
                                              "liblist",
                                              "library",
                                              "local",
                                              "localparam",
                                              "logic",
                                              "longint",
                                              "macromodule",
                                              "matches",
                                              "medium",
                                              "modport",
                                              "module",
                                              "nand",
                                              "negedge",
                                              "nettype",
                                              "new",
                                              "nexttime",
                                              "nmos",
                                              "nor",
                                              "noshowcancelled",
                                              "not",
                                              "notif0",
                                              "notif1",
                                              "null",
                                              "or",
                                              "output",
                                              "package",
                                              "packed",
                                              "parameter",
                                              "pmos",
                                              "posedge",
                                              "primitive",
                                              "priority",
                                              "program",
                                              "property",
                                              "protected",
                                              "pull0",
                                              "pull1",
                                              "pulldown",
                                              "pullup",
                                              "pulsestyle_ondetect",
                                              "pulsestyle_onevent",
                                              "pure",
                                              "rand",
                                              "randc",
                                              "randcase",
                                              "randsequence",
                                              "rcmos",
                                              "real",
                                              "realtime",
                                              "ref",
                                              "reg",
                                              "reject_on",
                                              "release",
                                              "repeat",
                                              "restrict",
                                              "return",
                                              "rnmos",
                                              "rpmos",
                                              "rtran",
                                              "rtranif0",
                                              "rtranif1",
                                              "s_always",
                                              "s_eventually",
                                              "s_nexttime",
                                              "s_until",
                                              "s_until_with",
                                              "scalared",
                                              "sequence",
                                              "shortint",
                                              "shortreal",
                                              "showcancelled",
                                              "signed",
                                              "small",
                                              "soft",
                                              "solve",
                                              "specify",
                                              "specparam",
                                              "static",
                                              "string",
                                              "strong",
                                              "strong0",
                                              "strong1",
                                              "struct",
                                              "super",
                                              "supply0",
                                              "supply1",
                                              "sync_accept_on",
                                              "sync_reject_on",
                                              "table",
                                              "tagged",
                                              "task",
                                              "this",
                                              "throughout",
                                              "time",
                                              "timeprecision",
                                              "timeunit",
                                              "tran",
                                              "tranif0",
                                              "tranif1",
                                              "tri",
                                              "tri0",
                                              "tri1",
                                              "triand",
                                              "trior",
                                              "trireg",
                                              "type",
                                              "typedef",
                                              "union",
                                              "unique",
                                              "unique0",
                                              "unsigned",
                                              "until",
                                              "until_with",
                                              "untyped",
                                              "use",
                                              "uwire",
                                              "var",
                                              "vectored",
                                              "virtual",
                                              "void",
                                              "wait",
                                              "wait_order",
                                              "wand",
                                              "weak",
                                              "weak0",
                                              "weak1",
                                              "while",
                                              "wildcard",
                                              "wire",
                                              "with",
                                              "within",
                                              "wor",
                                              "xnor",
                                              "xor"};
  return words.count(name) != 0;
}

}  // namespace

std::string emit_verilog_top(const std::string& name, const std::vector<VerilogModule>& layers) {
  if (layers.empty()) throw Error("verilog: a design needs at least one layer");
  for (std::size_t k = 1; k < layers.size(); ++k) {
    if (layers[k].input.width() != layers[k - 1].output.width()) {
      throw Error(fmt::format("verilog: module {} reads {} bits but {} writes {}", layers[k].name,
                              layers[k].input.width(), layers[k - 1].name, layers[k - 1].output.width()));
    }
  }
  const std::size_t x_width = layers.front().input.width(), y_width = layers.back().output.width();
  std::string text = fmt::format(
      "// Top of the design '{}' (docs/rtl.md): {} layers, one registered stage each, a new event every "
      "cycle.\n"
      "// ap_start samples x; y is valid (y_ap_vld, ap_done) {} cycles later.\n"
      "module {} (\n"
      "    input  wire          ap_clk,\n"
      "    input  wire          ap_rst,    // synchronous, active high\n"
      "    input  wire          ap_start,\n"
      "    output wire          ap_done,\n"
      "    output wire          ap_idle,\n"
      "    output wire          ap_ready,\n"
      "    input  wire [{}:0] x,\n"
      "    output wire [{}:0] y,\n"
      "    output wire          y_ap_vld\n"
      ");\n",
      name, layers.size(), layers.size(), name, x_width - 1, y_width - 1);
  std::string previous_valid = "ap_start", previous_data = "x", busy;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const VerilogModule& layer = layers[k];
    const std::string valid = fmt::format("valid_{}", k + 1), data = fmt::format("data_{}", k + 1);
    text += fmt::format(
        "\n"
        "  // Stage {}: {}\n"
        "  wire          {} /* verilator public_flat_rd */;  // read by rtlsim's stage trace\n"
        "  wire [{}:0] {} /* verilator public_flat_rd */;\n"
        "  {} u_stage_{} (\n"
        "      .clk      (ap_clk),\n"
        "      .rst      (ap_rst),\n"
        "      .in_valid ({}),\n"
        "      .in_data  ({}),\n"
        "      .out_valid({}),\n"
        "      .out_data ({})\n"
        "  );\n",
        k + 1, layer.name, valid, layer.output.width() - 1, data, layer.name, k + 1, previous_valid,
        previous_data, valid, data);
    busy += (busy.empty() ? "" : " || ") + valid;
    previous_valid = valid;
    previous_data = data;
  }
  text += fmt::format(
      "\n"
      "  assign y = {};\n"
      "  assign y_ap_vld = {};\n"
      "  assign ap_done = {};\n"
      "  assign ap_ready = ap_start;  // an event is accepted every cycle\n"
      "  assign ap_idle = !(ap_start || {});\n"
      "endmodule\n",
      previous_data, previous_valid, previous_valid, busy);
  return text;
}

VerilogSummary write_verilog(const std::string& model_path, const std::string& out_dir,
                             const VerilogOptions& options) {
  const model::Model model = model::load_model(model_path);
  model::require_fixed_point(model, model_path, "the Verilog backend");
  const auto& resolved = model.resolved();
  if (resolved.empty() || resolved.front().spec.kind != spec::LayerKind::InputReduce) {
    throw Error(
        fmt::format("{}: the Verilog backend writes sparse models (starting with InputReduce); this is a "
                    "standard (dense) model",
                    model_path));
  }
  VerilogSummary summary;
  if (options.name.empty()) {
    summary.name = layer_identifier(model.spec().name, 0);
    if (verilog_keyword(summary.name)) summary.name += "_design";
    const std::string collision = name_collision(summary.name);
    if (!collision.empty()) {
      throw Error(
          fmt::format("{}: field 'name': the design name '{}' it gives {}; pass --name or rename the model",
                      model_path, summary.name, collision));
    }
  } else {
    check_identifier(options.name, "--name");
    if (verilog_keyword(options.name)) {
      throw UsageError(fmt::format("--name {}: a Verilog keyword cannot name the top module", options.name));
    }
    summary.name = options.name;
  }
  summary.model_hash = file_hash(model_path);
  const spec::Shape input = model.input_shape();
  const int hash_width = hash_bits(input.height, input.width);
  std::vector<VerilogModule> modules;
  fixed::FixedType type = model.spec().input_type;
  std::string records;
  for (std::size_t k = 0; k < model.size(); ++k) {
    const auto fixed_layer = model.layer(k).make_fixed(type);
    const std::string id = layer_identifier(resolved[k].spec.name, k);
    modules.push_back(emit_verilog_layer(*fixed_layer, summary.name + "_" + id, hash_width));
    records += fmt::format("  - {{identifier: \"{}\", kind: \"{}\", module: \"{}\", result: \"{}\"}}\n", id,
                           spec::kind_info(resolved[k].spec.kind).name, modules.back().name,
                           resolved[k].types.result.to_string());
    type = resolved[k].types.result;
  }
  for (std::size_t a = 0; a < modules.size(); ++a) {
    for (std::size_t b = a + 1; b < modules.size(); ++b) {
      if (modules[a].name == modules[b].name) {
        throw Error(
            fmt::format("{}: two layers give the module name '{}'; rename one", model_path, modules[a].name));
      }
    }
  }
  const std::string top = emit_verilog_top(summary.name, modules);
  for (const auto& module : modules) summary.files.push_back("rtl/" + module.name + ".v");
  summary.files.push_back("rtl/" + summary.name + ".v");
  const std::string config = fmt::format(
      "# Written by sparsepixels convert --backend verilog (docs/rtl.md).\n"
      "backend: verilog\n"
      "project_name: \"{}\"\n"
      "model_hash: \"fnv1a64:{}\"\n"
      "hash_width: {}\n"
      "input_bits: {}\n"
      "output_bits: {}\n"
      "latency_cycles: {}\n"
      "layers:\n{}",
      summary.name, summary.model_hash, hash_width, modules.front().input.width(),
      modules.back().output.width(), modules.size(), records);
  write_project_folder(out_dir, options.overwrite, {model_path}, [&](const fs::path& root) {
    fs::create_directories(root / "rtl");
    for (const auto& module : modules)
      util::write_file_atomically((root / "rtl" / (module.name + ".v")).string(), module.text);
    util::write_file_atomically((root / "rtl" / (summary.name + ".v")).string(), top);
    fs::copy_file(model_path, root / "model.json");
    util::write_file_atomically((root / "sparsepixels_config.yml").string(), config);
  });
  return summary;
}

}  // namespace sparsepixels::codegen
