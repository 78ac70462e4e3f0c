// The project writer of `sparsepixels convert` (docs/codegen.md): one Vitis HLS project in hls4ml's
// layout whose top function wires the kernels of hls/nnet_utils exactly as tests/inference proves them
// equal to the host fixed inference, with every parameter and table written as an exact literal. This file
// checks the options and writes the project atomically; project_writer.cpp plans and fills the templates.
#include "sparsepixels/codegen/project.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

#include "project_writer.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/util/atomic_file.h"
#include "templates.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;

namespace {

const std::set<std::string>& keywords() {
  static const std::set<std::string> words{
      "alignas",   "alignof",  "and",      "and_eq",    "asm",          "auto",          "bitand",
      "bitor",     "bool",     "break",    "case",      "catch",        "char",          "char16_t",
      "char32_t",  "class",    "compl",    "const",     "constexpr",    "const_cast",    "continue",
      "decltype",  "default",  "delete",   "do",        "double",       "dynamic_cast",  "else",
      "enum",      "explicit", "export",   "extern",    "false",        "float",         "for",
      "friend",    "goto",     "if",       "inline",    "int",          "long",          "mutable",
      "namespace", "new",      "noexcept", "not",       "not_eq",       "nullptr",       "operator",
      "or",        "or_eq",    "private",  "protected", "public",       "register",      "reinterpret_cast",
      "return",    "short",    "signed",   "sizeof",    "static",       "static_assert", "static_cast",
      "struct",    "switch",   "template", "this",      "thread_local", "throw",         "true",
      "try",       "typedef",  "typeid",   "typename",  "union",        "unsigned",      "using",
      "virtual",   "void",     "volatile", "wchar_t",   "while",        "xor",           "xor_eq",
      "main",      "nnet",     "std",      "hls"};
  return words;
}

// The identifiers a template's code uses (comments and {{placeholders}} left out).
std::set<std::string> code_identifiers(std::string_view text) {
  std::set<std::string> identifiers;
  bool comment = false;
  for (std::size_t k = 0; k < text.size();) {
    const char c = text[k];
    if (c == '\n') comment = false;
    if (comment) {
      ++k;
    } else if (text.substr(k, 2) == "//") {
      comment = true;
    } else if (text.substr(k, 2) == "{{") {
      const std::size_t end = text.find("}}", k);
      k = end == std::string_view::npos ? text.size() : end + 2;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      std::size_t end = k;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_'))
        ++end;
      identifiers.emplace(text.substr(k, end - k));
      k = end;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      while (k < text.size() && std::isalnum(static_cast<unsigned char>(text[k])) != 0) ++k;  // 0x1f, 10u
    } else {
      ++k;
    }
  }
  return identifiers;
}

// The folder `out_dir` names, absolute and without a trailing '/' or '.': "out/" and "out/." are "out".
fs::path output_folder(const std::string& out_dir) {
  fs::path target = fs::absolute(out_dir).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  return target;
}

// True if `inner` is `outer` or lies inside it (both made canonical as far as they exist).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto canonical = [](const fs::path& path) {
    std::error_code error;
    const fs::path result = fs::weakly_canonical(fs::absolute(path), error);
    return error ? fs::absolute(path).lexically_normal() : result;
  };
  const fs::path a = canonical(inner), b = canonical(outer);
  const auto [end, ignored] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
  return end == b.end();
}

// What --force may replace: only a previous project (it holds sparsepixels_config.yml), never the current
// folder or one above it, never a folder holding an input.
void check_output_folder(const std::string& out_dir, const fs::path& target, bool overwrite,
                         const std::vector<std::string>& inputs) {
  if (target == target.root_path() || is_within(fs::current_path(), target)) {
    throw UsageError(fmt::format(
        "--out {}: is the current folder or one above it; name a new folder for the project", out_dir));
  }
  for (const std::string& input : inputs) {
    if (is_within(input, target)) {
      throw UsageError(fmt::format("--out {}: holds the input {}; name another folder", out_dir, input));
    }
  }
  std::error_code error;
  const fs::file_status status = fs::symlink_status(target, error);
  if (!fs::exists(status)) return;
  if (!overwrite) throw Error(fmt::format("{}: already exists (remove it or pass --force)", out_dir));
  if (!fs::is_directory(status) || !fs::is_regular_file(target / "sparsepixels_config.yml", error)) {
    throw Error(
        fmt::format("{}: not a sparsepixels project (no sparsepixels_config.yml); --force replaces "
                    "only a project that convert wrote",
                    out_dir));
  }
}

// Puts the complete folder `fresh` in place of `target`: an atomic exchange where the file system has one
// (the old project is removed only once the new one is in place), otherwise two renames.
void replace_folder(const fs::path& fresh, const fs::path& target, const std::string& out_dir) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(target, error))) {
    fs::rename(fresh, target);
    return;
  }
  if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(fresh);  // now the old project
    return;
  }
  const fs::path old = util::temporary_name_for(target.string());
  fs::rename(target, old);
  try {
    fs::rename(fresh, target);
  } catch (const fs::filesystem_error& e) {
    fs::rename(old, target, error);  // put the old project back
    throw Error(fmt::format("{}: cannot replace the project: {}", out_dir, e.what()));
  }
  fs::remove_all(old);
}

}  // namespace

std::string layer_identifier(const std::string& name, std::size_t index) {
  std::string text;
  for (unsigned char c : name) {
    const char lower = static_cast<char>(std::tolower(c));
    const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
    if (keep) {
      text += lower;
    } else if (!text.empty() && text.back() != '_') {
      text += '_';
    }
  }
  while (!text.empty() && text.back() == '_') text.pop_back();
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front()))) text = "layer_" + text;
  if (text.size() > 48) text.resize(48);
  while (!text.empty() && text.back() == '_') text.pop_back();
  if (text.empty()) text = fmt::format("layer{}", index);
  return text;
}

std::string name_collision(const std::string& name) {
  std::string lower = name, upper = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (lower.size() >= 2 && lower.compare(lower.size() - 2, 2, "_t") == 0) {
    return "ends in '_t', which the generated code and the C library use for types (input_t, size_t)";
  }
  for (const char* prefix : {"ap_", "nnet_", "hls_"}) {
    if (lower.rfind(prefix, 0) == 0) {
      return fmt::format("starts with '{}', which belongs to the HLS types and kernels", prefix);
    }
  }
  for (const TemplateFile& file : embedded_templates()) {
    const fs::path path(file.path);
    // Files named after the project are the only ones the name may take.
    if (path.parent_path() == "firmware" && path.stem() != "myproject" && path.stem().string() == lower) {
      return fmt::format("is the name of the generated file firmware/{}", path.filename().string());
    }
    if (path.extension() != ".h" && path.extension() != ".cpp") continue;
    const std::set<std::string> used = code_identifiers(file.text);
    if (used.count(name) != 0) return fmt::format("is an identifier of the generated {}", file.path);
    if (used.count(upper + "_H_") != 0) {
      return fmt::format("gives the include guard {}_H_ of the generated {}", upper, file.path);
    }
  }
  return "";
}

void check_identifier(const std::string& name, const std::string& what) {
  bool valid = !name.empty() && name.size() <= 64 && (std::isalpha(static_cast<unsigned char>(name[0])) != 0);
  for (unsigned char c : name) valid = valid && (std::isalnum(c) != 0 || c == '_') && c < 128;
  if (!valid || keywords().count(name) != 0) {
    throw UsageError(
        fmt::format("{} '{}' is not a valid C identifier (a letter, then letters, digits or '_', at "
                    "most 64 characters, not a keyword)",
                    what, valid ? name : shown(name)));
  }
  const std::string collision = name_collision(name);
  if (!collision.empty()) {
    throw UsageError(fmt::format("{} '{}' {}; choose another name", what, name, collision));
  }
}

std::vector<std::string> hls_dir_candidates(const std::string& environment_value,
                                            const std::string& executable_path,
                                            const std::string& source_hls_dir) {
  if (!environment_value.empty()) return {environment_value};
  std::vector<std::string> candidates;
  if (!executable_path.empty()) {
    // An installed binary: <prefix>/bin/sparsepixels with the headers in <prefix>/share/sparsepixels/hls.
    candidates.push_back((fs::path(executable_path).parent_path() / ".." / "share" / "sparsepixels" / "hls")
                             .lexically_normal());
  }
  if (!source_hls_dir.empty()) candidates.push_back(source_hls_dir);
  return candidates;
}

std::string locate_hls_dir(const std::vector<std::string>& candidates) {
  for (const auto& folder : candidates) {
    std::error_code error;
    if (fs::is_regular_file(fs::path(folder) / "nnet_utils" / "nnet_common.h", error) &&
        fs::is_regular_file(fs::path(folder) / "ap_types" / "ap_fixed.h", error)) {
      return folder;
    }
  }
  std::string tried;
  for (const auto& folder : candidates) tried += "\n  " + folder;
  throw Error(fmt::format(
      "kernel headers not found: no folder holds nnet_utils/nnet_common.h and ap_types/ap_fixed.h; tried:{}\n"
      "set SPARSEPIXELS_HLS_DIR to the hls/ folder of the sparsepixels sources (or install with "
      "`cmake --install`, which puts it in <prefix>/share/sparsepixels/hls)",
      tried.empty() ? std::string(" (nothing)") : tried));
}

std::string default_hls_dir() {
  const char* environment = std::getenv("SPARSEPIXELS_HLS_DIR");
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  // The source tree's hls/ folder as an absolute path (set by src/CMakeLists.txt; __FILE__ may be relative,
  // e.g. under ccache's base_dir, and would then only work from the build folder).
  const fs::path source_hls = SPARSEPIXELS_SOURCE_HLS_DIR;
  return locate_hls_dir(hls_dir_candidates(environment == nullptr ? std::string() : std::string(environment),
                                           error ? std::string() : executable.string(), source_hls.string()));
}

std::string file_hash(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(fmt::format("{}: cannot read", path));
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::array<char, 65536> buffer{};
  while (file) {
    file.read(buffer.data(), buffer.size());
    for (std::streamsize k = 0; k < file.gcount(); ++k) {
      hash ^= static_cast<unsigned char>(buffer[static_cast<std::size_t>(k)]);
      hash *= 0x100000001b3ULL;
    }
  }
  return fmt::format("{:016x}", hash);
}

void write_project_folder(const std::string& out_dir, bool overwrite, const std::vector<std::string>& inputs,
                          const std::function<void(const std::filesystem::path&)>& fill) {
  const fs::path target = output_folder(out_dir);
  check_output_folder(out_dir, target, overwrite, inputs);
  // The new project is complete in a unique temporary folder beside the target before the old one goes.
  util::remove_abandoned_temporaries(target.string());
  const fs::path temporary = util::temporary_name_for(target.string());
  try {
    fs::create_directories(temporary);  // with any missing parent folders
    fill(temporary);
    replace_folder(temporary, target, out_dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    throw;
  }
}

ProjectSummary write_project(const std::string& model_path, const std::string& out_dir,
                             const ProjectOptions& options) {
  const model::Model model = model::load_model(model_path);
  model::require_fixed_point(model, model_path, "code generation");
  const auto& hls = model.spec().hls;
  ProjectSummary summary;
  // A bad value of an option is bad usage (exit 2); a bad value in the model file is the file's error.
  auto reject = [&](bool from_option, const std::string& option, const std::string& field,
                    const std::string& problem) {
    if (from_option) throw UsageError(fmt::format("{} {}", option, problem));
    throw Error(fmt::format("{}: field '{}': {}", model_path, field, problem));
  };
  if (options.name.empty()) {
    summary.name = layer_identifier(model.spec().name, 0);
    if (keywords().count(summary.name) != 0) summary.name += "_model";
    const std::string collision = name_collision(summary.name);
    if (!collision.empty()) {
      reject(false, "", "name",
             fmt::format("the project name '{}' it gives {}; pass --name or rename the model", summary.name,
                         collision));
    }
  } else {
    check_identifier(options.name, "--name");
    summary.name = options.name;
  }
  const std::string part = options.part.empty() ? hls.part : options.part;
  const bool part_valid =
      !part.empty() && part.size() <= 64 && std::all_of(part.begin(), part.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
      });
  if (!part_valid) {
    reject(!options.part.empty(), "--part", "hls.part",
           fmt::format("'{}': expected letters, digits, '-', '_' or '.'", shown(part)));
  }
  const double clock_ns = options.clock_ns > 0 ? options.clock_ns : hls.clock_ns;
  if (!(clock_ns > 0) || !std::isfinite(clock_ns) || clock_ns > limits::kMaxClockNs) {
    reject(options.clock_ns > 0, "--clock-ns", "hls.clock_ns",
           fmt::format("{}: expected a period in (0, {}] ns", clock_ns, limits::kMaxClockNs));
  }
  const double uncertainty =
      options.clock_uncertainty >= 0 ? options.clock_uncertainty : hls.clock_uncertainty;
  if (!(uncertainty >= 0 && uncertainty < 1)) {
    reject(options.clock_uncertainty >= 0, "clock uncertainty", "hls.clock_uncertainty",
           fmt::format("{}: expected a fraction in [0, 1)", uncertainty));
  }
  summary.model_hash = file_hash(model_path);
  const inference::FixedModel fixed(model);
  ProjectWriter writer(model, fixed, {summary.name, part, clock_ns, uncertainty, summary.model_hash});
  summary.warnings = writer.warnings();

  const std::string hls_dir = options.hls_dir.empty() ? default_hls_dir() : options.hls_dir;
  write_project_folder(out_dir, options.overwrite, {model_path, hls_dir},
                       [&](const fs::path& root) { writer.write(root, model_path, hls_dir); });
  return summary;
}

}  // namespace sparsepixels::codegen
