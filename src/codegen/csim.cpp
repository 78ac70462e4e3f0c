// The C simulation driver of `sparsepixels csim` (docs/codegen.md): compiles a generated project with
// g++, runs its testbench on dataset events and compares every output bit for bit with the host fixed
// inference, which is the reference the kernels were proven equal to.
#include "sparsepixels/codegen/csim.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/process.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  if (!file) throw Error(fmt::format("{}: cannot read", path.string()));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The last `lines` lines of a log, for error messages.
std::string tail(const std::string& text, std::size_t lines = 20) {
  std::size_t position = text.size();
  for (std::size_t count = 0; count <= lines && position > 0; ++count) {
    position = text.rfind('\n', position - 1);
    if (position == std::string::npos) return text;
  }
  return text.substr(position + 1);
}

// The project name recorded by convert (the top function).
std::string project_name(const fs::path& dir) {
  const fs::path record = dir / "sparsepixels_config.yml";
  std::istringstream lines(read_text(record));
  const std::string key = "project_name: \"";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key, 0) == 0 && line.size() > key.size() + 1 && line.back() == '"') {
      const std::string name = line.substr(key.size(), line.size() - key.size() - 1);
      // The name becomes file names inside the project: a plain identifier keeps them there.
      const bool plain = name.size() <= 64 && std::isalpha(static_cast<unsigned char>(name[0])) != 0 &&
                         std::all_of(name.begin(), name.end(), [](unsigned char c) {
                           return c < 128 && (std::isalnum(c) != 0 || c == '_');
                         });
      if (!plain) {
        throw Error(
            fmt::format("{}: field 'project_name': not a plain identifier (letters, digits, '_'; "
                        "convert writes one)",
                        record.string()));
      }
      return name;
    }
  }
  throw Error(fmt::format("{}: field 'project_name' missing", record.string()));
}

// Parses the testbench's per-layer trace ("LAYER values ..." / "LAYER hash ...").
std::vector<inference::LayerValues> read_trace(const fs::path& path, std::size_t layers) {
  std::vector<inference::LayerValues> trace(layers);
  std::istringstream lines(read_text(path));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::size_t layer = 0;
    std::string kind;
    if (!(fields >> layer >> kind) || layer >= layers) continue;
    long long value = 0;
    while (fields >> value) {
      if (kind == "hash") {
        trace[layer].hash.push_back(static_cast<int>(value));
      } else {
        trace[layer].raw.push_back(value);
      }
    }
  }
  return trace;
}

template <class T>
std::string join(const std::vector<T>& values) {
  return fmt::format("{}", fmt::join(values, " "));
}

}  // namespace

CsimReport run_csim(const std::string& project_dir, const CsimOptions& options) {
  const fs::path dir = fs::absolute(project_dir);
  if (!fs::is_directory(dir)) throw Error(fmt::format("{}: not a project folder", project_dir));
  const std::string name = project_name(dir);
  const model::Model model = model::load_model((dir / "model.json").string());
  const inference::FixedModel fixed(model);
  const data::DatasetInfo info = data::read_dataset_info(options.data);
  const spec::Shape input = model.input_shape();
  data::require_event_shape(options.data, {info.height, info.width, info.channels},
                            (dir / "model.json").string(),
                            data::event_shape(input.height, input.width, input.channels));
  // The split is read in chunks (bounded memory, either layout); each event is run on its own.
  constexpr std::size_t kChunkEvents = 1024;
  data::SplitReader reader(options.data, options.split, kChunkEvents);
  if (options.events > reader.size()) {
    throw Error(fmt::format("{}: split {} has {} events, cannot read {} from 0", options.data, options.split,
                            reader.size(), options.events));
  }
  const std::size_t events = options.events == 0 ? reader.size() : options.events;
  if (events == 0) throw Error(fmt::format("{}: split '{}' has no events", options.data, options.split));
  const fixed::FixedType output_type = fixed.output_type();
  if (output_type.width > 53) throw Error("csim: output types wider than 53 bits are not supported");

  CsimReport report;
  report.events = events;
  report.outputs = fixed.output_size();
  inference::FixedOptions fixed_options;
  fixed_options.threads = 0;
  std::vector<std::int64_t> host_raw;
  host_raw.reserve(events * report.outputs);

  // tb_data: float32 inputs with 9 significant digits (they read back exactly), exact expected outputs.
  fs::create_directories(dir / "tb_data");
  std::string inputs, expected;
  data::Split chunk;
  for (std::size_t first = 0; first < events && reader.next(chunk); first += chunk.size()) {
    const std::size_t count = std::min(chunk.size(), events - first);
    const auto host = fixed.predict(chunk.x.data(), count, fixed_options);
    for (std::size_t event = 0; event < count; ++event) {
      const float* x = chunk.event(event);
      for (std::size_t k = 0; k < chunk.event_size(); ++k) {
        if (k != 0) inputs += ' ';
        inputs += fmt::format("{:.9g}", x[k]);
      }
      inputs += '\n';
      for (std::size_t k = 0; k < report.outputs; ++k) {
        if (k != 0) expected += ' ';
        expected += fixed::exact_decimal(host.raw[event * report.outputs + k], output_type.fraction());
        host_raw.push_back(host.raw[event * report.outputs + k]);
      }
      expected += '\n';
    }
  }
  util::write_file_atomically((dir / "tb_data" / "tb_input_features.dat").string(), inputs);
  util::write_file_atomically((dir / "tb_data" / "tb_output_predictions.dat").string(), expected);

  // Compile the top function and the testbench against the project's ap types or the user's.
  const fs::path build = dir / "csim_build";
  fs::create_directories(build);
  const fs::path executable = build / (name + "_csim");
  const std::string ap_types = options.ap_types.empty() ? (dir / "firmware" / "ap_types").string()
                                                        : fs::absolute(options.ap_types).string();
  if (!fs::exists(fs::path(ap_types) / "ap_fixed.h")) {
    throw Error(fmt::format("--ap-types {}: ap_fixed.h not found there", ap_types));
  }
  // Results of an earlier run must never be read as this run's: remove them before compiling.
  const fs::path results = dir / "tb_data" / "csim_results.log";
  for (const fs::path& stale : {results, executable}) {
    std::error_code error;
    fs::remove(stale, error);
    if (error)
      throw Error(
          fmt::format("{}: cannot remove the earlier run's file: {}", stale.string(), error.message()));
  }
  const fs::path compile_log = build / "compile.log";
  const int compiled = util::run_program(
      {options.compiler, "-std=c++14", "-O1", "-DSPARSEPIXELS_TRACE", "-Wno-unknown-pragmas",
       "-I" + (dir / "firmware").string(), "-I" + ap_types, (dir / "firmware" / (name + ".cpp")).string(),
       (dir / (name + "_test.cpp")).string(), "-o", executable.string()},
      compile_log.string(), dir.string());
  if (compiled != 0) {
    throw Error(fmt::format("csim: compiling {} failed (log {}):\n{}", name, compile_log.string(),
                            tail(read_text(compile_log))));
  }

  const fs::path run_log = build / "run.log";
  const int ran = util::run_program({executable.string()}, run_log.string(), dir.string());
  if (ran != 0 && ran != 1) {
    throw Error(fmt::format("csim: the testbench failed with code {} (log {}):\n{}", ran, run_log.string(),
                            tail(read_text(run_log))));
  }

  // Compare every output with the host's raw bits (independently of the testbench's own verdict).
  if (!fs::is_regular_file(results)) {
    throw Error(fmt::format("csim: the testbench wrote no results ({} is missing; log {})", results.string(),
                            run_log.string()));
  }
  std::istringstream lines(read_text(results));
  std::size_t event = 0;
  bool found = false;
  for (std::string line; event < events && std::getline(lines, line); ++event) {
    std::istringstream values(line);
    for (std::size_t k = 0; k < report.outputs; ++k) {
      double value = 0;
      bool same = false;
      if (values >> value) {
        const double scaled = std::ldexp(value, output_type.fraction());
        same = scaled == std::nearbyint(scaled) &&
               static_cast<std::int64_t>(scaled) == host_raw[event * report.outputs + k];
      }
      if (!same) {
        ++report.mismatches;
        if (!found) {
          found = true;
          report.first_event = event;
          report.first_output = k;
        }
      }
    }
  }
  if (event != events) {
    report.mismatches += (events - event) * report.outputs;
    if (!found) {
      found = true;
      report.first_event = event;
      report.first_output = 0;
    }
  }
  if (ran == 1 && report.mismatches == 0) {
    throw Error(fmt::format("csim: the testbench reports mismatches the results log does not show (log {})",
                            run_log.string()));
  }

  if (found) {
    // Rerun the first mismatching event with per-layer tracing; the host side traces the same event.
    const fs::path trace_file = build / "trace.log";
    util::run_program(
        {executable.string(), "--trace", std::to_string(report.first_event), trace_file.string()},
        (build / "trace_run.log").string(), dir.string());
    const auto project = read_trace(trace_file, fixed.layer_count());
    std::vector<inference::LayerValues> reference;
    const data::Split mismatching = data::read_split(options.data, options.split, report.first_event, 1);
    fixed.run(mismatching.event(0), reference);
    std::string details =
        fmt::format("first mismatch: event {}, output {}\n", report.first_event, report.first_output);
    for (std::size_t layer = 0; layer < fixed.layer_count(); ++layer) {
      const auto& info = model.resolved()[layer];
      // Streamed (io_stream) layers and folded batch normalizations (no kernel) are not traced.
      const bool traced = !project[layer].raw.empty();
      const bool same =
          project[layer].raw == reference[layer].raw && project[layer].hash == reference[layer].hash;
      details += fmt::format("layer {} '{}' ({}), raw values of {}: {}\n", layer, info.spec.name,
                             spec::to_string(info.spec.kind), info.types.result.to_string(),
                             info.folded ? "folded into the layer before it"
                             : !traced   ? "not traced (a stream)"
                             : same      ? "equal"
                                         : "DIFFER");
      details +=
          fmt::format("  project: {}\n  library: {}\n", join(project[layer].raw), join(reference[layer].raw));
      if (!reference[layer].hash.empty()) {
        details += fmt::format("  project hash: {}\n  library hash: {}\n", join(project[layer].hash),
                               join(reference[layer].hash));
      }
    }
    report.details = details;
  }
  return report;
}

}  // namespace sparsepixels::codegen
