// Verilator simulation of a Verilog design (docs/rtl.md, "Simulation"): a generated C++ testbench feeds
// input buses back to back with ap_start held high and records the outputs and the timing; the host
// compares every output bit for bit with inference::FixedModel.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/process.h"
#include "verilog_text.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;

std::string verilog::read_text(const fs::path& path) {
  std::ifstream file(path);
  if (!file) throw Error(fmt::format("{}: cannot read", path.string()));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string verilog::tail(const std::string& text, std::size_t lines) {
  if (text.empty()) return text;
  std::size_t position = text.size();
  for (std::size_t count = 0; count <= lines && position > 0; ++count) {
    position = text.rfind('\n', position - 1);
    if (position == std::string::npos) return text;
  }
  return text.substr(position + 1);
}

namespace {

using verilog::read_text;
using verilog::tail;

// Code setting (or reading) a Verilator port of `width` bits from (into) the vector `words`.
std::string set_port(const std::string& port, std::size_t width, const std::string& words) {
  if (width > 64) {
    return fmt::format("for (std::size_t i = 0; i < {}; ++i) top->{}[i] = {}[i];", (width + 31) / 32, port,
                       words);
  }
  if (width > 32)
    return fmt::format("top->{} = (static_cast<std::uint64_t>({}[1]) << 32) | {}[0];", port, words, words);
  return fmt::format("top->{} = {}[0];", port, words);
}

std::string get_port(const std::string& port, std::size_t width, const std::string& words) {
  if (width > 64) {
    return fmt::format("for (std::size_t i = 0; i < {}; ++i) {}[i] = top->{}[i];", (width + 31) / 32, words,
                       port);
  }
  if (width > 32) {
    return fmt::format(
        "{}[0] = static_cast<std::uint32_t>(top->{}); {}[1] = static_cast<std::uint32_t>(top->{} >> 32);",
        words, port, words, port);
  }
  return fmt::format("{}[0] = static_cast<std::uint32_t>(top->{});", words, port);
}

std::string hex_words(const std::vector<std::uint32_t>& words) {
  std::string text;
  for (std::size_t k = 0; k < words.size(); ++k) text += fmt::format("{}{:08x}", k == 0 ? "" : " ", words[k]);
  return text;
}

}  // namespace

std::string emit_verilator_testbench(const std::string& name, const BusLayout& input, const BusLayout& output,
                                     const std::vector<std::size_t>& stage_widths) {
  // With stages: argv[3] names an event whose every stage output is written as "stage K words".
  std::string stage_include, stage_dump;
  if (!stage_widths.empty()) {
    stage_include = fmt::format("#include \"V{}___024root.h\"\n", name);
    stage_dump = "    if (trace >= 0) {\n";
    for (std::size_t k = 0; k < stage_widths.size(); ++k) {
      const std::string port = fmt::format("rootp->{}__DOT__data_{}", name, k + 1);
      stage_dump += fmt::format(
          "      if (top->rootp->{0}__DOT__valid_{1}) {{\n"
          "        if (seen[{2}]++ == trace) {{\n"
          "          std::vector<std::uint32_t> stage({3});\n"
          "          {4}\n"
          "          std::fprintf(out, \"stage {1}\");\n"
          "          for (std::uint32_t word : stage) std::fprintf(out, \" %08x\", word);\n"
          "          std::fprintf(out, \"\\n\");\n"
          "        }}\n"
          "      }}\n",
          name, k + 1, k, (stage_widths[k] + 31) / 32, get_port(port, stage_widths[k], "stage"));
    }
    stage_dump += "    }\n";
  }
  const std::size_t in_words = (input.width() + 31) / 32, out_words = (output.width() + 31) / 32;
  return fmt::format(
      R"(// Verilator testbench of '{0}' (written by sparsepixels, docs/rtl.md): argv[1] holds one input bus a
// line (hex 32-bit words, least significant first); the events go in back to back with ap_start held
// high; every output bus, then the latency and II in cycles, go to argv[2].
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "V{0}.h"
{5}#include "verilated.h"

int main(int argc, char** argv) {{
  if (argc != 3 && argc != 4) {{
    std::fprintf(stderr, "usage: %s INPUTS OUTPUTS [TRACE_EVENT]\n", argv[0]);
    return 2;
  }}
  std::vector<std::vector<std::uint32_t>> events;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {{
    std::istringstream fields(line);
    std::vector<std::uint32_t> words;
    std::string word;
    while (fields >> word) words.push_back(static_cast<std::uint32_t>(std::stoul(word, nullptr, 16)));
    if (words.size() != {1}) {{
      std::fprintf(stderr, "%s: an input line holds %zu words, expected {1}\n", argv[1], words.size());
      return 2;
    }}
    events.push_back(words);
  }}
  std::FILE* out = std::fopen(argv[2], "w");
  if (out == nullptr) {{
    std::fprintf(stderr, "%s: cannot write\n", argv[2]);
    return 2;
  }}
  VerilatedContext context;
  V{0}* top = new V{0}{{&context}};
  auto edge = [&] {{
    top->ap_clk = 1;
    top->eval();
    top->ap_clk = 0;
    top->eval();
  }};
  top->ap_clk = 0;
  top->ap_start = 0;
  top->ap_rst = 1;
  top->eval();
  edge();
  edge();
  top->ap_rst = 0;
  std::vector<long> starts, outputs;
  std::vector<std::uint32_t> words({2});
  const long trace = argc == 4 ? std::stol(argv[3]) : -1;
  std::vector<long> seen({7}, 0);
  (void)seen;
  std::size_t next = 0;
  const long limit = 1000000L + 100L * static_cast<long>(events.size());
  for (long cycle = 0; outputs.size() < events.size() && cycle < limit; ++cycle) {{
    // Inputs for this edge, then what the edge samples.
    if (next < events.size()) {{
      {3}
      top->ap_start = 1;
    }} else {{
      top->ap_start = 0;
    }}
    top->eval();
{6}    if (top->y_ap_vld) {{
      {4}
      for (std::size_t i = 0; i < words.size(); ++i) std::fprintf(out, "%s%08x", i == 0 ? "y " : " ", words[i]);
      std::fprintf(out, "\n");
      outputs.push_back(cycle);
    }}
    if (top->ap_start && top->ap_ready) {{
      starts.push_back(cycle);
      ++next;
    }}
    edge();
  }}
  if (!starts.empty() && !outputs.empty()) std::fprintf(out, "latency %ld\n", outputs[0] - starts[0]);
  if (starts.size() > 1) std::fprintf(out, "interval %ld\n", starts[1] - starts[0]);
  std::fclose(out);
  top->final();
  delete top;
  if (outputs.size() != events.size()) {{
    std::fprintf(stderr, "%zu of %zu outputs within %ld cycles\n", outputs.size(), events.size(), limit);
    return 1;
  }}
  return 0;
}}
)",
      name, in_words, out_words, set_port("x", input.width(), "events[next]"),
      get_port("y", output.width(), "words"), stage_include, stage_dump, stage_widths.size());
}

RtlRun simulate_verilog(const std::string& build_dir, const std::string& top_name,
                        const std::vector<std::string>& verilog_files, const BusLayout& input,
                        const BusLayout& output, const std::vector<std::vector<std::uint32_t>>& inputs,
                        const std::string& verilator, const std::vector<std::size_t>& stage_widths) {
  const fs::path build = fs::absolute(build_dir);
  fs::create_directories(build);
  const fs::path testbench = build / (top_name + "_tb.cpp");
  util::write_file_atomically(testbench.string(),
                              emit_verilator_testbench(top_name, input, output, stage_widths));
  const fs::path objects = build / "obj";
  const fs::path executable = objects / (top_name + "_tb");
  const fs::path inputs_file = build / "inputs.hex", outputs_file = build / "outputs.hex";
  for (const fs::path& stale : {executable, outputs_file}) {
    std::error_code error;
    fs::remove(stale, error);
  }
  std::string lines;
  for (const auto& words : inputs) lines += hex_words(words) + "\n";
  util::write_file_atomically(inputs_file.string(), lines);

  // The generated model is large and runs briefly: compiling it without optimization is faster overall.
  std::vector<std::string> command = {verilator,      "--cc",
                                      "--exe",        "--build",
                                      "-j",           "2",
                                      "-MAKEFLAGS",   "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
                                      "--top-module", top_name,
                                      "-Mdir",        objects.string(),
                                      "-o",           executable.filename().string()};
  for (const auto& file : verilog_files) command.push_back(fs::absolute(file).string());
  command.push_back(testbench.string());
  const fs::path build_log = build / "verilator.log";
  const int built = util::run_program(command, build_log.string(), build.string());
  if (built == -1 && !fs::exists(build_log)) {
    throw Error(fmt::format("rtlsim: cannot run '{}' (is Verilator installed? apt-get install verilator)",
                            verilator));
  }
  if (built != 0) {
    const std::string log = fs::exists(build_log) ? read_text(build_log) : std::string();
    if (built == -1 || log.find("No such file") != std::string::npos || log.empty()) {
      throw Error(fmt::format(
          "rtlsim: cannot run '{}' (is Verilator installed? apt-get install verilator); log {}:\n{}",
          verilator, build_log.string(), tail(log)));
    }
    throw Error(fmt::format("rtlsim: building {} with Verilator failed (log {}):\n{}", top_name,
                            build_log.string(), tail(log)));
  }
  const fs::path run_log = build / "run.log";
  const int ran = util::run_program({executable.string(), inputs_file.string(), outputs_file.string()},
                                    run_log.string(), build.string());
  if (ran != 0) {
    throw Error(fmt::format("rtlsim: the testbench failed with code {} (log {}):\n{}", ran, run_log.string(),
                            fs::exists(run_log) ? tail(read_text(run_log)) : std::string()));
  }
  RtlRun run;
  run.executable = executable.string();
  run.inputs_file = inputs_file.string();
  std::istringstream text(read_text(outputs_file));
  for (std::string line; std::getline(text, line);) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "y") {
      std::vector<std::uint32_t> words;
      std::string word;
      while (fields >> word) words.push_back(static_cast<std::uint32_t>(std::stoul(word, nullptr, 16)));
      run.outputs.push_back(words);
    } else if (key == "latency") {
      fields >> run.latency;
    } else if (key == "interval") {
      fields >> run.interval;
    }
  }
  if (run.outputs.size() != inputs.size()) {
    throw Error(fmt::format("rtlsim: {} outputs for {} inputs ({})", run.outputs.size(), inputs.size(),
                            outputs_file.string()));
  }
  return run;
}

verilog::DesignRecord verilog::read_design_record(const fs::path& dir) {
  const fs::path record = dir / "sparsepixels_config.yml";
  if (!fs::is_regular_file(record)) {
    throw Error(
        fmt::format("{}: not a design folder (no sparsepixels_config.yml; write one with convert --backend "
                    "verilog)",
                    dir.string()));
  }
  verilog::DesignRecord design;
  bool verilog = false;
  std::istringstream lines(read_text(record));
  for (std::string line; std::getline(lines, line);) {
    if (line == "backend: verilog") verilog = true;
    const std::string name_key = "project_name: \"", module_key = "module: \"";
    if (line.rfind(name_key, 0) == 0 && line.size() > name_key.size() + 1 && line.back() == '"') {
      design.name = line.substr(name_key.size(), line.size() - name_key.size() - 1);
    }
    const std::size_t at = line.find(module_key);
    if (at != std::string::npos) {
      const std::size_t end = line.find('"', at + module_key.size());
      if (end != std::string::npos)
        design.modules.push_back(line.substr(at + module_key.size(), end - at - module_key.size()));
    }
  }
  if (!verilog) {
    throw Error(
        fmt::format("{}: field 'backend': not a Verilog design (rtlsim needs convert --backend verilog; csim "
                    "runs an HLS project)",
                    record.string()));
  }
  auto plain = [](const std::string& text) {
    return !text.empty() && text.size() <= 128 && std::isalpha(static_cast<unsigned char>(text[0])) != 0 &&
           std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return c < 128 && (std::isalnum(c) != 0 || c == '_'); });
  };
  if (!plain(design.name))
    throw Error(fmt::format("{}: field 'project_name': missing or not an identifier", record.string()));
  for (const auto& module : design.modules) {
    if (!plain(module))
      throw Error(fmt::format("{}: field 'module': '{}' is not an identifier", record.string(), module));
  }
  if (design.modules.empty())
    throw Error(fmt::format("{}: field 'layers': no modules listed", record.string()));
  return design;
}

namespace {

// Reruns the testbench writing every stage's output for `event` and names the first layer whose module
// differs from its fixed layer (the later ones then see different inputs).
std::string trace_mismatch(const RtlRun& run, std::size_t event, const std::vector<VerilogModule>& modules,
                           const model::Model& model, const inference::FixedModel& fixed,
                           const std::vector<float>& image) {
  const fs::path trace_file = fs::path(run.inputs_file).parent_path() / "trace.hex";
  const fs::path log = fs::path(run.inputs_file).parent_path() / "trace.log";
  const int status = util::run_program(
      {run.executable, run.inputs_file, trace_file.string(), std::to_string(event)}, log.string());
  if (status != 0 || !fs::is_regular_file(trace_file))
    return "(the stage trace failed; log " + log.string() + ")\n";
  std::vector<std::vector<std::uint32_t>> stages(modules.size());
  std::istringstream lines(read_text(trace_file));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string key;
    std::size_t stage = 0;
    if (!(fields >> key >> stage) || key != "stage" || stage < 1 || stage > modules.size()) continue;
    std::string word;
    while (fields >> word)
      stages[stage - 1].push_back(static_cast<std::uint32_t>(std::stoul(word, nullptr, 16)));
  }
  std::vector<layers::LayerValues> reference;
  fixed.run(image.data(), reference);
  for (std::size_t k = 0; k < modules.size(); ++k) {
    if (stages[k].empty()) return fmt::format("(stage {} was not traced)\n", k + 1);
    const layers::LayerValues got = unpack_bus(modules[k].output, stages[k]);
    const std::string& layer = model.resolved()[k].spec.name;
    for (std::size_t i = 0; i < got.raw.size(); ++i) {
      if (got.raw[i] != reference[k].raw[i]) {
        return fmt::format(
            "traced to layer '{}' (stage {}): value {} is {} in the RTL, {} in the fixed inference\n", layer,
            k + 1, i, got.raw[i], reference[k].raw[i]);
      }
    }
    for (std::size_t i = 0; i < got.hash.size(); ++i) {
      if (got.hash[i] != reference[k].hash[i]) {
        return fmt::format(
            "traced to layer '{}' (stage {}): hash entry {} is {} in the RTL, {} in the fixed inference\n",
            layer, k + 1, i, got.hash[i], reference[k].hash[i]);
      }
    }
  }
  return "(every stage matches the fixed inference for this event)\n";
}

}  // namespace

RtlsimReport run_rtlsim(const std::string& dir_name, const RtlsimOptions& options) {
  const fs::path dir = fs::absolute(dir_name);
  if (!fs::is_directory(dir)) throw Error(fmt::format("{}: not a design folder", dir_name));
  const verilog::DesignRecord design = verilog::read_design_record(dir);
  const std::string model_path = (dir / "model.json").string();
  const model::Model model = model::load_model(model_path);
  const inference::FixedModel fixed(model);
  const spec::Shape input = model.input_shape();
  const int hash_width = hash_bits(input.height, input.width);
  // The buses, from the layers as convert emitted them.
  std::vector<VerilogModule> modules;
  fixed::FixedType type = model.spec().input_type;
  for (std::size_t k = 0; k < model.size(); ++k) {
    const auto layer = model.layer(k).make_fixed(type);
    modules.push_back(emit_verilog_layer(*layer, "m", hash_width));
    type = model.resolved()[k].types.result;
  }
  if (modules.size() != design.modules.size()) {
    throw Error(fmt::format("{}: lists {} modules, the model has {} layers",
                            (dir / "sparsepixels_config.yml").string(), design.modules.size(),
                            modules.size()));
  }
  std::vector<std::string> files;
  for (const auto& module : design.modules) files.push_back((dir / "rtl" / (module + ".v")).string());
  files.push_back((dir / "rtl" / (design.name + ".v")).string());
  for (const auto& file : files) {
    if (!fs::is_regular_file(file))
      throw Error(fmt::format("{}: missing (convert --backend verilog writes it)", file));
  }
  if (options.events == 0) throw Error("--events: expected at least 1");

  const data::DatasetInfo info = data::read_dataset_info(options.data);
  data::require_event_shape(options.data, {info.height, info.width, info.channels}, model_path,
                            data::event_shape(input.height, input.width, input.channels));
  constexpr std::size_t kChunkEvents = 1024;
  data::SplitReader reader(options.data, options.split, kChunkEvents);
  if (options.events > reader.size()) {
    throw Error(fmt::format("{}: split {} has {} events, cannot read {}", options.data, options.split,
                            reader.size(), options.events));
  }
  const BusLayout& in_bus = modules.front().input;
  const BusLayout& out_bus = modules.back().output;
  std::vector<std::vector<std::uint32_t>> inputs;
  std::vector<std::vector<std::int64_t>> expected;
  std::vector<std::vector<float>> events_source;  // the float events, for a stage trace
  data::Split chunk;
  std::vector<std::int64_t> raw;
  std::vector<layers::LayerValues> outputs;
  for (std::size_t first = 0; first < options.events && reader.next(chunk); first += chunk.size()) {
    const std::size_t count = std::min(chunk.size(), options.events - first);
    for (std::size_t event = 0; event < count; ++event) {
      fixed.quantize_input(chunk.event(event), raw);
      layers::LayerValues values;
      values.raw = raw;
      inputs.push_back(pack_bus(in_bus, values));
      fixed.run(chunk.event(event), outputs);
      expected.push_back(outputs.back().raw);
      events_source.emplace_back(chunk.event(event), chunk.event(event) + chunk.event_size());
    }
  }
  // Stage outputs are read by Verilator's mangled names, plain only without "__" in the top's name.
  std::vector<std::size_t> stage_widths;
  if (design.name.find("__") == std::string::npos) {
    for (const auto& module : modules) stage_widths.push_back(module.output.width());
  }
  const RtlRun run = simulate_verilog((dir / "rtlsim_build").string(), design.name, files, in_bus, out_bus,
                                      inputs, options.verilator, stage_widths);
  RtlsimReport report;
  bool traced = false;
  report.events = inputs.size();
  report.outputs = out_bus.values;
  report.latency = run.latency;
  report.interval = run.interval;
  for (std::size_t event = 0; event < inputs.size(); ++event) {
    const layers::LayerValues got = unpack_bus(out_bus, run.outputs[event]);
    for (std::size_t k = 0; k < out_bus.values; ++k) {
      if (got.raw[k] == expected[event][k]) continue;
      if (report.mismatches == 0) {
        report.details =
            fmt::format("first mismatch: event {}, output {}: RTL raw {}, fixed inference raw {} ({})\n",
                        event, k, got.raw[k], expected[event][k], fixed.output_type().to_string());
      }
      ++report.mismatches;
    }
    if (report.mismatches != 0 && !traced && !stage_widths.empty()) {
      traced = true;
      report.details += trace_mismatch(run, event, modules, model, fixed, events_source[event]);
    }
  }
  return report;
}

}  // namespace sparsepixels::codegen
