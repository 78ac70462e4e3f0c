#pragma once
// The files a Keras model comes in: the .keras zip archive (libzip) and the HDF5 weight files inside
// it or beside it (legacy .h5). Private to src/import.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace sparsepixels::import {

/// The members of a .keras archive that the importer reads.
struct KerasArchive {
  std::string config_json;
  std::string metadata_json;  // empty if the archive has none
  std::string weights_h5;     // the bytes of model.weights.h5
};

/// Reads a .keras archive from a file or from memory; `origin` names it in errors. Member sizes are
/// checked against the limits before anything is allocated.
KerasArchive read_keras_archive(const std::string& path);
KerasArchive read_keras_archive(const void* data, std::size_t size, const std::string& origin);

/// One stored variable: its shape and its values as float32 (row-major, as numpy stores them).
struct Variable {
  std::string path;  // where it is in the weight file, for error messages
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

/// The variables of an archive's model.weights.h5, per layer group, each group's variables in their
/// order (`vars/0`, `vars/1`, ...; nested layers' variables in the order of their path). Keras 2.13-2.15
/// archives keep layers under `_layer_checkpoint_dependencies/<auto name>`, Keras 3 under
/// `layers/<name>`; `layout` says which was found.
struct ArchiveVariables {
  std::string layout;  // "_layer_checkpoint_dependencies" or "layers"
  std::map<std::string, std::vector<Variable>> layers;
};
ArchiveVariables read_archive_variables(const std::string& h5_bytes, const std::string& origin);

/// The weights of a legacy Keras 2 .h5 weight file, per layer name, by weight name ("kernel:0",
/// "bias:0", "gamma:0", ...; the last component of each `weight_names` entry).
using LegacyWeights = std::map<std::string, std::map<std::string, Variable>>;
LegacyWeights read_legacy_weights(const std::string& path);

}  // namespace sparsepixels::import
