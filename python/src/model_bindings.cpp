// Model: what the train, predict, eval, summary and estimate commands do, on numpy arrays.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arrays.h"
#include "bindings.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/eval/evaluation.h"
#include "sparsepixels/import/keras_import.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"
#include "sparsepixels/util/finite.h"

namespace sparsepixels::python {
namespace {

// A model with what the command line would know from its file name: the label used in messages
// and metrics (the file path, or "<dict>"), and whether its weights are trained (a model file or
// fit) rather than a config's zero placeholders.
class PyModel {
 public:
  PyModel(model::Model model, std::string label, bool trained)
      : model_(std::move(model)), label_(std::move(label)), trained_(trained) {}

  static PyModel from_config_file(const std::string& path) {
    return PyModel(model::Model(model::load_config(path), path), path, false);
  }
  static PyModel from_config_text(const std::string& text, const std::string& origin) {
    return PyModel(model::Model(model::parse_config(text, origin), origin), origin, false);
  }
  static PyModel load(const std::string& path) { return PyModel(model::load_model(path), path, true); }

  // As `import`: a Keras model as a model (docs/import.md); the notes the command prints come back too.
  static std::pair<PyModel, std::vector<std::string>> import_keras(
      const std::string& path, const sparsepixels::import::ImportOptions& options) {
    std::optional<sparsepixels::import::ImportResult> result;
    {
      const py::gil_scoped_release release;
      result.emplace(sparsepixels::import::import_model(path, options));
    }
    return {PyModel(std::move(result->model), path, true), std::move(result->notes)};
  }

  void save(const std::string& path) const {
    const py::gil_scoped_release release;
    model::save_model(model_, path);
  }

  // Dense events, or the dense events hit lists describe (evaluate and fit; predict reads hits itself).
  Events events(const py::handle& x, const std::string& what, bool check_finite = true) const {
    const spec::Shape shape = model_.input_shape();
    if (is_hit_lists(x)) {
      const auto height = static_cast<std::size_t>(shape.height),
                 width = static_cast<std::size_t>(shape.width),
                 channels = static_cast<std::size_t>(shape.channels);
      return dense_events(hits_from(x, height, width, channels, what), height, width, channels);
    }
    return events_from(x, static_cast<std::size_t>(shape.height), static_cast<std::size_t>(shape.width),
                       static_cast<std::size_t>(shape.channels), what, check_finite);
  }

  // As `predict`: the float forward (float32 out), the QAT forward (float32) or fixed (float64, exact).
  py::array predict(const py::handle& x, bool fixed, bool quantized, int threads) const {
    if (fixed && quantized) throw py::value_error("predict: fixed and quantized exclude each other");
    if (threads < 0) throw py::value_error("predict: threads must be >= 0 (0: all)");
    if (is_hit_lists(x)) return predict_hits(x, fixed, quantized, threads);
    const Events in = events(x, "x", /*check_finite=*/fixed);
    const std::size_t outputs = model_.output_size();
    if (fixed) {
      std::vector<double> values;
      {
        const py::gil_scoped_release release;
        const inference::FixedModel fixed_model(model_);
        values = fixed_model.predict(in.data, in.events, {.threads = threads}).values;
      }
      return matrix(std::move(values), in.events, outputs);
    }
    std::vector<float> values;
    std::size_t bad_event = in.events;
    {
      const py::gil_scoped_release release;
      if (in.events > 0) bad_event = model_.predict_finite(in.data, in.events, values, quantized, threads);
    }
    if (bad_event < in.events) {
      const std::size_t event_size = model_.input_shape().size();
      const float* event = in.data + bad_event * event_size;
      throw py::value_error(fmt::format("x: event {} holds {} (every value must be finite)", bad_event,
                                        event[util::first_non_finite(event, event_size)]));
    }
    return matrix(std::move(values), in.events, outputs);
  }

  // predict on hit lists (offsets, coords, values): the input reduction reads the hits themselves; the
  // fixed path takes the dense events they describe.
  py::array predict_hits(const py::handle& x, bool fixed, bool quantized, int threads) const {
    const spec::Shape shape = model_.input_shape();
    const HitArrays hits =
        hits_from(x, static_cast<std::size_t>(shape.height), static_cast<std::size_t>(shape.width),
                  static_cast<std::size_t>(shape.channels), "x");
    const std::size_t outputs = model_.output_size();
    const tensor::HitEvents view{hits.offsets.data(), hits.coords.data(), hits.values.data(), hits.events};
    if (fixed) {
      const Events dense =
          dense_events(hits, static_cast<std::size_t>(shape.height), static_cast<std::size_t>(shape.width),
                       static_cast<std::size_t>(shape.channels));
      std::vector<double> values;
      {
        const py::gil_scoped_release release;
        const inference::FixedModel fixed_model(model_);
        values = fixed_model.predict(dense.data, hits.events, {.threads = threads}).values;
      }
      return matrix(std::move(values), hits.events, outputs);
    }
    std::vector<float> values;
    {
      const py::gil_scoped_release release;
      if (hits.events > 0) model_.predict_hits(view, values, quantized, threads);
    }
    return matrix(std::move(values), hits.events, outputs);
  }

  // The Python overhead benchmark's baseline (bench/python_overhead.py): `repeats` calls of the C++
  // Model::predict on the array's buffer as is (x must be C-contiguous float32), timed in C++.
  std::vector<double> predict_seconds_cpp(const py::array_t<float, py::array::c_style>& x, int repeats,
                                          bool quantized, int threads) const {
    const spec::Shape shape = model_.input_shape();
    const std::size_t event_size = shape.size();
    if (x.ndim() != 4 || event_size == 0 || static_cast<std::size_t>(x.size()) % event_size != 0)
      throw py::value_error("predict_seconds_cpp: x must be N x H x W x C of the model's input");
    const std::size_t events = static_cast<std::size_t>(x.size()) / event_size;
    std::vector<double> seconds;
    std::vector<float> values;
    const py::gil_scoped_release release;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      model_.predict(x.data(), events, values, quantized, threads);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return seconds;
  }

  // As `eval`: the metrics JSON text (metrics.json), and the files when `out` is a folder.
  std::string evaluate(const py::handle& x, const py::handle& y, const std::vector<std::string>& class_names,
                       bool fixed, bool quantized, int threads, const std::string& split,
                       const std::string& data_label, const std::string& out) const {
    if (threads < 0) throw py::value_error("evaluate: threads must be >= 0 (0: all)");
    const Events in = events(x, "x");
    const std::vector<std::int32_t> labels = labels_from(y, in.events, class_names.size(), "y");
    const py::gil_scoped_release release;
    eval::EvaluationOptions options;
    options.split = split;
    options.fixed = fixed;
    options.quantized = quantized;
    options.threads = threads;
    const eval::Evaluation evaluation = eval::evaluate_events(model_, label_, in.data, labels.data(),
                                                              in.events, class_names, data_label, options);
    eval::EvaluationFiles files;
    if (!out.empty()) files = eval::write_evaluation(evaluation, out);
    return eval::metrics_json(evaluation, files);
  }

  // As `train`: returns the history; callback(epoch, logs) -> False stops; Ctrl-C stops and raises
  // KeyboardInterrupt after the best weights are restored.
  py::dict fit(const py::handle& x, const py::handle& y, const py::handle& val_x, const py::handle& val_y,
               std::optional<int> epochs, std::optional<std::uint64_t> seed, std::optional<int> threads,
               const std::string& history_csv, const py::object& callback) {
    if (epochs && *epochs < 0) throw py::value_error("fit: epochs must be >= 0");
    if (threads && *threads < 0) throw py::value_error("fit: threads must be >= 0 (0: all)");
    const std::size_t classes = model_.output_size() == 1 ? 2 : model_.output_size();
    const data::Split train_split = split_from(x, y, classes, "x", "y");
    data::Split val_split;
    if (!val_x.is_none() || !val_y.is_none()) {
      val_split = split_from(val_x, val_y, classes, "validation x", "validation y");
    } else {
      const spec::Shape shape = model_.input_shape();
      val_split.height = static_cast<std::size_t>(shape.height);
      val_split.width = static_cast<std::size_t>(shape.width);
      val_split.channels = static_cast<std::size_t>(shape.channels);
    }

    train::TrainOptions options;
    options.epochs = epochs;
    options.seed = seed;
    options.threads = threads;
    options.history_csv = history_csv;
    bool stop = false;
    std::optional<py::error_already_set> error;
    std::vector<std::string> log;
    options.on_epoch = [&](const train::EpochRecord& record) {
      if (callback.is_none()) return;
      const py::gil_scoped_acquire acquire;
      try {
        const py::object answer = callback(record.epoch, epoch_logs(record));
        // Keras-like: None (no return) continues, a false value (False) stops.
        if (!answer.is_none() && !py::bool_(answer)) stop = true;
      } catch (py::error_already_set& e) {
        error.emplace(std::move(e));
        stop = true;
      }
    };
    options.on_log = [&log](const std::string& message) { log.push_back(message); };
    // Per batch: a pending Ctrl-C (signal handlers run only in the main thread with the GIL).
    options.should_stop = [&]() {
      if (stop) return true;
      const py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        error.emplace();
        stop = true;
      }
      return stop;
    };
    train::TrainResult result;
    {
      const py::gil_scoped_release release;
      result = train::train(model_, train_split, val_split, options);
    }
    trained_ = true;
    if (error) throw *error;

    py::dict history;
    py::list epoch, loss, accuracy, val_loss, val_accuracy, learning_rate, seconds;
    for (const train::EpochRecord& record : result.history) {
      epoch.append(record.epoch);
      loss.append(record.loss);
      accuracy.append(record.accuracy);
      val_loss.append(record.val_loss);
      val_accuracy.append(record.val_accuracy);
      learning_rate.append(record.learning_rate);
      seconds.append(record.seconds);
    }
    history["epoch"] = epoch;
    history["loss"] = loss;
    history["accuracy"] = accuracy;
    history["val_loss"] = val_loss;
    history["val_accuracy"] = val_accuracy;
    history["learning_rate"] = learning_rate;
    history["seconds"] = seconds;
    history["best_epoch"] = result.best_epoch;
    history["stopped_early"] = result.stopped_early;
    history["stopped_by_callback"] = result.stopped_by_request;
    history["redraws"] = result.redraws;
    history["log"] = log;
    return history;
  }

  std::string estimate_json(std::optional<double> clock_ns, std::optional<std::string> part,
                            std::optional<bool> use_weight_sparsity) const {
    estimate::FromModelOptions mapping;
    mapping.use_weight_sparsity = use_weight_sparsity.value_or(trained_);
    estimate::DesignSpec design = estimate::design_from_model(model_, label_, mapping);
    if (clock_ns) {
      if (!(*clock_ns > 0)) throw py::value_error("estimate: clock_ns must be > 0");
      design.clock_ns = *clock_ns;
    }
    if (part) design.part = *part;
    return estimate::to_json(estimate::estimate_design(design)).dump();
  }

  py::dict training_settings() const {
    const spec::TrainingSettings& t = model_.spec().training;
    py::dict d;
    d["loss"] = t.loss;
    d["learning_rate"] = t.learning_rate;
    d["beta1"] = t.beta1;
    d["beta2"] = t.beta2;
    d["epsilon"] = t.epsilon;
    d["batch_size"] = t.batch_size;
    d["max_epochs"] = t.max_epochs;
    d["early_stopping"] = t.early_stopping;
    d["min_delta"] = t.min_delta;
    d["patience"] = t.patience;
    d["restore_best"] = t.restore_best;
    d["reduce_lr_factor"] = t.reduce_lr_factor;
    d["reduce_lr_patience"] = t.reduce_lr_patience;
    d["reduce_lr_min_delta"] = t.reduce_lr_min_delta;
    d["min_learning_rate"] = t.min_learning_rate;
    d["slot_rule"] = spec::to_string(t.slot_rule);
    d["seed"] = t.seed;
    d["quantized"] = t.quantized;
    d["threads"] = t.threads;
    return d;
  }

  // Overrides of the training settings (fit's keywords); every key must be one of training_settings().
  void set_training(const py::dict& values) {
    spec::TrainingSettings t = model_.spec().training;
    for (const auto& [key_handle, value] : values) {
      const std::string key = py::str(key_handle);
      try {
        if (key == "loss") {
          t.loss = value.cast<std::string>();
        } else if (key == "learning_rate") {
          t.learning_rate = positive(value.cast<double>(), key);
        } else if (key == "beta1") {
          t.beta1 = value.cast<double>();
        } else if (key == "beta2") {
          t.beta2 = value.cast<double>();
        } else if (key == "epsilon") {
          t.epsilon = positive(value.cast<double>(), key);
        } else if (key == "batch_size") {
          t.batch_size = static_cast<int>(positive(value.cast<int>(), key));
        } else if (key == "max_epochs") {
          t.max_epochs = value.cast<int>();
        } else if (key == "early_stopping") {
          t.early_stopping = value.cast<bool>();
        } else if (key == "min_delta") {
          t.min_delta = value.cast<double>();
        } else if (key == "patience") {
          t.patience = value.cast<int>();
        } else if (key == "restore_best") {
          t.restore_best = value.cast<bool>();
        } else if (key == "reduce_lr_factor") {
          t.reduce_lr_factor = value.cast<double>();
        } else if (key == "reduce_lr_patience") {
          t.reduce_lr_patience = value.cast<int>();
        } else if (key == "reduce_lr_min_delta") {
          t.reduce_lr_min_delta = value.cast<double>();
        } else if (key == "min_learning_rate") {
          t.min_learning_rate = value.cast<double>();
        } else if (key == "slot_rule") {
          t.slot_rule = spec::parse_slot_rule(value.cast<std::string>(), "slot_rule");
        } else {
          throw py::type_error(fmt::format(
              "fit: unknown training setting '{}' (the settings: {})", key,
              py::str(py::cast<py::list>(training_settings().attr("keys")())).cast<std::string>()));
        }
      } catch (const py::cast_error&) {
        throw py::type_error(fmt::format("fit: training setting '{}' cannot take {}", key,
                                         py::repr(value).cast<std::string>()));
      }
    }
    if (t.max_epochs < 0 || t.patience < 0 || t.threads < 0)
      throw py::value_error("fit: max_epochs, patience and threads must be >= 0");
    if (!(t.reduce_lr_factor >= 0 && t.reduce_lr_factor < 1) || t.reduce_lr_patience < 1 ||
        !(t.reduce_lr_min_delta >= 0) || !(t.min_learning_rate >= 0))
      throw py::value_error(
          "fit: reduce_lr_factor must be in [0, 1) (0: off), reduce_lr_patience >= 1, reduce_lr_min_delta "
          "and "
          "min_learning_rate >= 0");
    model_.spec().training = t;
  }

  model::Model& model() { return model_; }
  const model::Model& model() const { return model_; }
  const std::string& label() const { return label_; }
  bool trained() const { return trained_; }

 private:
  static double positive(double value, const std::string& key) {
    if (!(value > 0)) throw py::value_error(fmt::format("fit: training setting '{}' must be > 0", key));
    return value;
  }

  static py::dict epoch_logs(const train::EpochRecord& record) {
    py::dict logs;
    logs["loss"] = record.loss;
    logs["accuracy"] = record.accuracy;
    logs["val_loss"] = record.val_loss;
    logs["val_accuracy"] = record.val_accuracy;
    logs["learning_rate"] = record.learning_rate;
    logs["seconds"] = record.seconds;
    return logs;
  }

  // The trainer takes its own copy of the events (data::Split).
  data::Split split_from(const py::handle& x, const py::handle& y, std::size_t classes,
                         const std::string& x_name, const std::string& y_name) const {
    const Events in = events(x, x_name);
    data::Split split;
    const spec::Shape shape = model_.input_shape();
    split.height = static_cast<std::size_t>(shape.height);
    split.width = static_cast<std::size_t>(shape.width);
    split.channels = static_cast<std::size_t>(shape.channels);
    split.y = labels_from(y, in.events, classes, y_name);
    split.x.assign(in.data, in.data + in.events * split.event_size());
    return split;
  }

  model::Model model_;
  std::string label_;
  bool trained_ = false;
};  // namespace

}  // namespace

void bind_model(py::module_& module) {
  py::class_<PyModel>(module, "Model")
      .def_static("from_config_file", &PyModel::from_config_file, py::arg("path"))
      .def_static("from_config_text", &PyModel::from_config_text, py::arg("text"), py::arg("origin"))
      .def_static("load", &PyModel::load, py::arg("path"))
      .def_static(
          "import_keras",
          [](const std::string& path, std::optional<int> n_active, std::optional<double> threshold,
             const std::string& selection, const std::string& hls4ml_config, const std::string& config,
             bool float_input, const std::string& profile) {
            sparsepixels::import::ImportOptions options;
            options.n_active = n_active;
            options.threshold = threshold;
            if (selection == "topk")
              options.selection = spec::Selection::TopK;
            else if (selection == "raster")
              options.selection = spec::Selection::Raster;
            else if (!selection.empty())
              throw py::value_error("import_keras: selection must be 'raster' or 'topk'");
            options.hls4ml_config = hls4ml_config;
            options.architecture_config = config;
            options.float_input = float_input;
            if (profile == "exact" || profile == "hls4ml")
              options.profile = spec::parse_arithmetic_profile(profile, "profile");
            else if (!profile.empty())
              throw py::value_error("import_keras: profile must be 'exact' or 'hls4ml'");
            return PyModel::import_keras(path, options);
          },
          py::arg("path"), py::arg("n_active") = py::none(), py::arg("threshold") = py::none(),
          py::arg("selection") = "", py::arg("hls4ml_config") = "", py::arg("config") = "",
          py::arg("float_input") = false, py::arg("profile") = "")
      .def("save", &PyModel::save, py::arg("path"))
      .def("predict", &PyModel::predict, py::arg("x"), py::arg("fixed") = false, py::arg("quantized") = false,
           py::arg("threads") = 0)
      .def("predict_seconds_cpp", &PyModel::predict_seconds_cpp, py::arg("x"), py::arg("repeats"),
           py::arg("quantized") = false, py::arg("threads") = 0)
      .def("evaluate", &PyModel::evaluate, py::arg("x"), py::arg("y"), py::arg("class_names"),
           py::arg("fixed") = false, py::arg("quantized") = false, py::arg("threads") = 0,
           py::arg("split") = "test", py::arg("data_label") = "<numpy>", py::arg("out") = "")
      .def("fit", &PyModel::fit, py::arg("x"), py::arg("y"), py::arg("val_x"), py::arg("val_y"),
           py::arg("epochs"), py::arg("seed"), py::arg("threads"), py::arg("history_csv"),
           py::arg("callback"))
      .def("estimate_json", &PyModel::estimate_json, py::arg("clock_ns") = py::none(),
           py::arg("part") = py::none(), py::arg("use_weight_sparsity") = py::none())
      .def("training_settings", &PyModel::training_settings)
      .def("set_training", &PyModel::set_training, py::arg("values"))
      .def("summary", [](const PyModel& self) { return model::summary(self.model()); })
      .def_property_readonly("label", &PyModel::label)
      .def_property_readonly("trained", &PyModel::trained)
      .def_property_readonly("name", [](const PyModel& self) { return self.model().spec().name; })
      .def_property_readonly("input_shape",
                             [](const PyModel& self) {
                               const spec::Shape shape = self.model().input_shape();
                               return py::make_tuple(shape.height, shape.width, shape.channels);
                             })
      .def_property_readonly("output_size", [](const PyModel& self) { return self.model().output_size(); })
      .def_property_readonly("parameter_count",
                             [](const PyModel& self) { return self.model().parameter_count(); })
      .def_property_readonly("n_active",
                             [](const PyModel& self) {
                               for (const spec::ResolvedLayer& layer : self.model().resolved())
                                 if (layer.spec.kind == spec::LayerKind::InputReduce)
                                   return layer.spec.n_active;
                               return 0;
                             })
      .def_property_readonly("layer_names", [](const PyModel& self) {
        std::vector<std::string> names;
        for (const spec::ResolvedLayer& layer : self.model().resolved()) names.push_back(layer.spec.name);
        return names;
      });
}

}  // namespace sparsepixels::python
