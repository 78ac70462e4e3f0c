// Dataset files (docs/datasets.md), the synthetic generator and MNIST preparation, as numpy arrays.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "arrays.h"
#include "bindings.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/error.h"

namespace sparsepixels::python {
namespace {

// (x as N x H x W x C float32, y as N int32), both owning the split's memory without a copy.
py::tuple arrays_of(data::Split&& split) {
  const auto events = static_cast<py::ssize_t>(split.size());
  auto* x = new std::vector<float>(std::move(split.x));
  auto* y = new std::vector<std::int32_t>(std::move(split.y));
  const py::capsule free_x(x, [](void* pointer) { delete static_cast<std::vector<float>*>(pointer); });
  const py::capsule free_y(y, [](void* pointer) { delete static_cast<std::vector<std::int32_t>*>(pointer); });
  py::array_t<float> x_array(
      {events, static_cast<py::ssize_t>(split.height), static_cast<py::ssize_t>(split.width),
       static_cast<py::ssize_t>(split.channels)},
      x->data(), free_x);
  py::array_t<std::int32_t> y_array({events}, y->data(), free_y);
  return py::make_tuple(x_array, y_array);
}

py::dict info_dict(const data::DatasetInfo& info) {
  py::dict d;
  d["source"] = info.source;
  d["transform"] = info.transform;
  d["threshold"] = info.threshold;
  d["class_names"] = info.class_names;
  d["shape"] = py::make_tuple(info.height, info.width, info.channels);
  d["split_sizes"] = info.split_sizes;
  return d;
}

// One split of `splits` (a dict name -> (x, y)) as a data::Split of the dataset's shape; empty when absent.
data::Split split_of(const py::dict& splits, const std::string& name, std::size_t height, std::size_t width,
                     std::size_t channels, std::size_t classes) {
  data::Split split;
  split.height = height;
  split.width = width;
  split.channels = channels;
  if (!splits.contains(name)) return split;
  const py::object pair = splits[py::str(name)];
  if (!py::isinstance<py::tuple>(pair) && !py::isinstance<py::list>(pair))
    throw py::type_error(fmt::format("splits['{}']: expected a pair (x, y)", name));
  const py::sequence items = pair;
  if (items.size() != 2) throw py::type_error(fmt::format("splits['{}']: expected a pair (x, y)", name));
  const Events x = events_from(items[0], height, width, channels, fmt::format("splits['{}'] x", name));
  split.y = labels_from(items[1], x.events, classes, fmt::format("splits['{}'] y", name));
  split.x.assign(x.data, x.data + x.events * split.event_size());
  return split;
}

}  // namespace

void bind_data(py::module_& module) {
  module.def(
      "data_synthetic",
      [](std::size_t events, std::uint64_t seed, double cosmic_overlay_probability) {
        if (!(cosmic_overlay_probability >= 0 && cosmic_overlay_probability <= 1))
          throw py::value_error("synthetic: cosmic_overlay_probability must be in [0, 1]");
        data::SyntheticOptions options;
        options.cosmic_overlay_probability = cosmic_overlay_probability;
        data::Split split;
        {
          const py::gil_scoped_release release;
          split = data::generate_synthetic(events, seed, options);
        }
        return arrays_of(std::move(split));
      },
      py::arg("events"), py::arg("seed"), py::arg("cosmic_overlay_probability") = 0.3);

  module.def(
      "data_read",
      [](const std::string& path, const std::string& split, std::size_t first, std::size_t count) {
        data::Split events;
        {
          const py::gil_scoped_release release;
          events = data::read_split(path, split, first, count);
        }
        return arrays_of(std::move(events));
      },
      py::arg("path"), py::arg("split"), py::arg("first") = 0, py::arg("count") = 0);

  module.def(
      "data_info", [](const std::string& path) { return info_dict(data::read_dataset_info(path)); },
      py::arg("path"));

  module.def(
      "data_write",
      [](const std::string& path, const py::dict& splits, const std::vector<std::string>& class_names,
         const std::string& source, const std::string& transform, double threshold) {
        for (const auto& [key, value] : splits) {
          const std::string name = py::str(key);
          const auto& names = data::split_names();
          if (std::find(names.begin(), names.end(), name) == names.end())
            throw py::value_error(
                fmt::format("write: unknown split '{}' (the splits are train, val, test)", name));
        }
        if (class_names.size() < 2) throw py::value_error("write: class_names needs at least two classes");
        // The event shape: from the first split given.
        std::size_t height = 0, width = 0, channels = 0;
        for (const std::string& name : data::split_names()) {
          if (!splits.contains(name)) continue;
          const py::sequence pair = splits[py::str(name)];
          const py::array x = py::array::ensure(pair[0]);
          if (!x || x.ndim() != 4)
            throw py::value_error(
                fmt::format("splits['{}'] x: expected 4 dimensions (events, H, W, C)", name));
          height = static_cast<std::size_t>(x.shape(1));
          width = static_cast<std::size_t>(x.shape(2));
          channels = static_cast<std::size_t>(x.shape(3));
          break;
        }
        if (height == 0) throw py::value_error("write: no split given (expected train, val and/or test)");
        const data::Split train = split_of(splits, "train", height, width, channels, class_names.size());
        const data::Split val = split_of(splits, "val", height, width, channels, class_names.size());
        const data::Split test = split_of(splits, "test", height, width, channels, class_names.size());
        data::DatasetInfo info;
        info.source = source;
        info.transform = transform;
        info.threshold = threshold;
        info.class_names = class_names;
        info.height = height;
        info.width = width;
        info.channels = channels;
        const py::gil_scoped_release release;
        data::write_dataset(path, info, train, val, test);
      },
      py::arg("path"), py::arg("splits"), py::arg("class_names"), py::arg("source") = "python",
      py::arg("transform") = "none", py::arg("threshold") = 0.0);

  module.def(
      "data_prepare_mnist",
      [](const std::string& idx_folder, const std::string& out, bool fashion, std::size_t validation_events) {
        data::mnist::Options options;
        options.collection = fashion ? data::mnist::Collection::fashion : data::mnist::Collection::digits;
        options.validation_events = validation_events;
        const py::gil_scoped_release release;
        data::mnist::prepare(
            data::mnist::locate_idx_folder({idx_folder}, fashion ? "Fashion-MNIST" : "MNIST"), out, options);
      },
      py::arg("idx_folder"), py::arg("out"), py::arg("fashion") = false,
      py::arg("validation_events") = 10000);

  module.def(
      "data_locate_mnist",
      []() {
        // The command line's folders, with the source tree standing in for the executable's location.
        std::vector<std::string> candidates;
        if (const char* dir = std::getenv("SPARSEPIXELS_DATA_DIR"); dir != nullptr && *dir != '\0')
          candidates.push_back(std::string(dir) + "/mnist");
        candidates.push_back(std::string(SPARSEPIXELS_SOURCE_DIR) + "/data/mnist");
        candidates.push_back("data/mnist");
        return data::mnist::locate_idx_folder(candidates, "MNIST");
      },
      "The first folder holding the MNIST IDX files: $SPARSEPIXELS_DATA_DIR/mnist, the source tree's "
      "data/mnist, ./data/mnist");
  module.attr("FASHION_MNIST_FOLDER") = data::mnist::kFashionMnistFolder;
}

}  // namespace sparsepixels::python
