// keras_archive_builder.h: .keras archives built by the tests (config.json, metadata.json and
// model.weights.h5 in a zip written with libzip), in the Keras 3 or the Keras 2.13-2.15 layout, so the
// importer is tested on architectures and faults no published file has.
#pragma once

#include <H5Cpp.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace import_test {

using json = nlohmann::json;

/// One variable of a layer: its path below the layer group ("vars/0", "conv/vars/1") and values.
struct TestVariable {
  std::string path;
  std::vector<hsize_t> shape;
  std::vector<float> values;
};

/// A layer: its config.json entry and its variables.
struct TestLayer {
  json entry;
  std::vector<TestVariable> variables;
  std::string group;  // the weight group's name (Keras 3: the layer name; Keras 2: the auto name)
};

/// A QKeras quantizer object as Keras 2.14 serializes it.
inline json quantized_bits(int bits, int integer) {
  return {{"class_name", "quantized_bits"},
          {"config",
           {{"bits", bits}, {"integer", integer}, {"symmetric", 0}, {"alpha", 1}, {"keep_negative", true}}}};
}

/// A Keras 3 style inbound node reading `from` (the first output).
inline json inbound_keras3(const std::string& from) {
  return json::array({{{"args", json::array({{{"class_name", "__keras_tensor__"},
                                              {"config", {{"keras_history", json::array({from, 0, 0})}}}}})},
                       {"kwargs", json::object()}}});
}
/// A Keras 2 style inbound node reading `from`.
inline json inbound_keras2(const std::string& from) {
  return json::array({json::array({json::array({from, 0, 0, json::object()})})});
}

/// Builds the archive's bytes.
class ArchiveBuilder {
 public:
  bool keras2 = false;  // the Keras 2.13-2.15 layout (_layer_checkpoint_dependencies)
  std::string model_class = "Functional";
  std::vector<TestLayer> layers;
  std::string config_override;  // replaces config.json's text when set
  bool omit_weights = false;    // no model.weights.h5 member

  void add(const std::string& class_name, const std::string& name, json config,
           std::vector<TestVariable> variables = {}, const std::string& group = "") {
    config["name"] = name;
    json entry = {{"class_name", class_name}, {"config", config}, {"name", name}};
    if (class_name != "InputLayer" && model_class != "Sequential" && !layers.empty()) {
      const std::string from = layers.back().entry["name"];
      entry["inbound_nodes"] = keras2 ? inbound_keras2(from) : inbound_keras3(from);
    }
    layers.push_back({entry, std::move(variables), group.empty() ? name : group});
  }

  std::string config_text() const {
    if (!config_override.empty()) return config_override;
    json list = json::array();
    for (const auto& l : layers) list.push_back(l.entry);
    json config = {{"name", "test_model"}, {"layers", list}};
    if (model_class != "Sequential")
      config["output_layers"] = json::array({json::array({layers.back().entry["name"], 0, 0})});
    return json{{"class_name", model_class}, {"config", config}}.dump();
  }

  std::string weights_bytes() const {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("sparsepixels-archive-" + std::to_string(getpid()) + ".weights.h5"))
                                 .string();
    {
      H5::H5File file(path, H5F_ACC_TRUNC);
      const std::string root = keras2 ? "_layer_checkpoint_dependencies" : "layers";
      file.createGroup(root);
      for (const auto& l : layers) {
        make_groups(file, root + "/" + l.group + "/vars");
        for (const auto& v : l.variables) {
          const std::string full = root + "/" + l.group + "/" + v.path;
          make_groups(file, full.substr(0, full.rfind('/')));
          H5::DataSpace space(static_cast<int>(v.shape.size()), v.shape.data());
          H5::DataSet set = file.createDataSet(full, H5::PredType::IEEE_F32LE, space);
          if (!v.values.empty()) set.write(v.values.data(), H5::PredType::NATIVE_FLOAT);
        }
      }
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::filesystem::remove(path);
    return bytes.str();
  }

  /// The archive as bytes (stored members, so a test may edit config.json inside it).
  std::string bytes() const {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("sparsepixels-archive-" + std::to_string(getpid()) + ".keras"))
                                 .string();
    std::filesystem::remove(path);
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
    if (archive == nullptr) throw std::runtime_error("zip_open failed");
    const std::string config = config_text();
    const std::string metadata = keras2 ? R"({"keras_version": "2.14.0"})" : R"({"keras_version": "3.3.3"})";
    const std::string weights = omit_weights ? std::string() : weights_bytes();
    auto add_member = [&](const char* name, const std::string& text) {
      zip_source_t* source = zip_source_buffer(archive, text.data(), text.size(), 0);
      const zip_int64_t index = zip_file_add(archive, name, source, ZIP_FL_OVERWRITE);
      if (index < 0) throw std::runtime_error("zip_file_add failed");
      zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    };
    add_member("config.json", config);
    add_member("metadata.json", metadata);
    if (!omit_weights) add_member("model.weights.h5", weights);
    if (zip_close(archive) != 0) throw std::runtime_error("zip_close failed");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::filesystem::remove(path);
    return bytes.str();
  }

 private:
  static void make_groups(H5::H5File& file, const std::string& path) {
    std::string prefix;
    std::size_t start = 0;
    while (start < path.size()) {
      const std::size_t slash = path.find('/', start);
      prefix = path.substr(0, slash);
      if (H5Lexists(file.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) file.createGroup(prefix);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
};

}  // namespace import_test
