#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sparsepixels/model/model.h"

namespace sparsepixels::codegen {

/// What `convert` needs besides the model (docs/codegen.md).
struct ProjectOptions {
  std::string name;               ///< top function and file stem; empty: from the model's name
  std::string part;               ///< FPGA part; empty: the model's HLS setting
  double clock_ns = 0;            ///< clock period; 0: the model's HLS setting
  double clock_uncertainty = -1;  ///< fraction of the period; < 0: the model's HLS setting
  std::string hls_dir;            ///< folder holding nnet_utils/ and ap_types/; empty: found
  bool overwrite = false;         ///< replace an existing output folder
};

/// What `convert` wrote and noticed.
struct ProjectSummary {
  std::string name;                   ///< the top function's name
  std::string model_hash;             ///< FNV-1a 64 of the model file's bytes, 16 hex digits
  std::vector<std::string> warnings;  ///< e.g. loops unrolled past about 4,096 operations
};

/// Writes a complete Vitis HLS project (hls4ml layout, docs/codegen.md) for the model stored in
/// `model_path` into `out_dir`: the project is written to a temporary folder next to it, then
/// renamed. Throws sparsepixels::Error for an unsupported model, a hostile or clashing layer name,
/// an invalid option or an existing `out_dir` (unless options.overwrite).
ProjectSummary write_project(const std::string& model_path, const std::string& out_dir,
                             const ProjectOptions& options = {});

/// The output folder rules of every convert backend: `out_dir` must not be the current folder, one above
/// it or one holding an input; an existing one is replaced only with `overwrite` and only when it holds
/// sparsepixels_config.yml (a folder convert wrote). `fill` writes the new folder's files into a temporary
/// folder beside it, which then takes its place. Throws sparsepixels::Error (UsageError for a bad --out).
void write_project_folder(const std::string& out_dir, bool overwrite, const std::vector<std::string>& inputs,
                          const std::function<void(const std::filesystem::path&)>& fill);

/// The C identifier a layer name becomes: lower case, every character outside [a-z0-9_] replaced by
/// '_', runs of '_' collapsed, leading/trailing '_' dropped, "layer_" prepended when it would start
/// with a digit, cut to 48 characters; "layer<index>" when nothing is left.
std::string layer_identifier(const std::string& name, std::size_t index);

/// Why `name` cannot be a project name although it is a valid identifier: it is a generated file's stem
/// (firmware/defines.h), an identifier or include guard of the generated code (input_t, main, fopen), ends
/// in "_t" (types: size_t) or starts with "ap_", "nnet_" or "hls_" (the HLS types and kernels); compared
/// case-insensitively where files and include guards are concerned. Empty when it can.
std::string name_collision(const std::string& name);

/// Throws sparsepixels::UsageError naming `what` unless `name` is a valid C/C++ identifier of at most 64
/// characters that is not a keyword, does not start with '_' and has no name_collision.
void check_identifier(const std::string& name, const std::string& what);

/// Where `convert` looks for the folder holding the kernel headers (nnet_utils/) and our ap types
/// (ap_types/), in order: `environment_value` (the value of SPARSEPIXELS_HLS_DIR) alone when it is not
/// empty, because a folder the user names must not be silently replaced; otherwise
/// `<folder of executable_path>/../share/sparsepixels/hls` (an installed binary; skipped when
/// `executable_path` is empty), then `source_hls_dir` (the hls/ folder of the source tree the library
/// was built from; skipped when empty).
std::vector<std::string> hls_dir_candidates(const std::string& environment_value,
                                            const std::string& executable_path,
                                            const std::string& source_hls_dir);

/// The first of `candidates` holding nnet_utils/nnet_common.h and ap_types/ap_fixed.h; otherwise throws
/// sparsepixels::Error naming every folder tried and how to point convert to the headers.
std::string locate_hls_dir(const std::vector<std::string>& candidates);

/// locate_hls_dir(hls_dir_candidates(...)) for this process: $SPARSEPIXELS_HLS_DIR, the running
/// executable (/proc/self/exe) and the source tree's hls/ folder.
std::string default_hls_dir();

/// FNV-1a 64 of a file's bytes as 16 lower-case hex digits (the model hash of the config record).
std::string file_hash(const std::string& path);

}  // namespace sparsepixels::codegen
