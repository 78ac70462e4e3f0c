#include "arrays.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/tensor/batch.h"
#include "sparsepixels/util/finite.h"

namespace sparsepixels::python {
namespace {

std::string shape_text(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t axis = 0; axis < array.ndim(); ++axis) {
    if (axis != 0) text += ", ";
    text += std::to_string(array.shape(axis));
  }
  return text + (array.ndim() == 1 ? ",)" : ")");
}

std::string dtype_text(const py::array& array) {
  return py::str(array.dtype()).cast<std::string>();
}

// Moves `values` into a capsule that owns them, so numpy reads the vector's memory in place.
template <typename T>
py::array_t<T> owning_matrix(std::vector<T>&& values, std::size_t rows, std::size_t columns) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free_when_done(owned, [](void* pointer) { delete static_cast<std::vector<T>*>(pointer); });
  return py::array_t<T>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)}, owned->data(),
                        free_when_done);
}

}  // namespace

Events events_from(const py::handle& x, std::size_t height, std::size_t width, std::size_t channels,
                   const std::string& what, bool check_finite) {
  if (x.is_none()) throw py::type_error(what + ": expected a numpy array of events, got None");
  const py::array array = py::array::ensure(x);
  if (!array) throw py::type_error(fmt::format("{}: cannot be read as a numpy array", what));
  const char kind = array.dtype().kind();
  if (kind != 'f') {
    throw py::type_error(fmt::format(
        "{}: dtype {} is not a real floating type; events must be float32 (or another float dtype, "
        "converted with one copy), e.g. x.astype(numpy.float32)",
        what, dtype_text(array)));
  }
  const std::string expected = fmt::format("(events, {}, {}, {})", height, width, channels);
  if (array.ndim() != 4) {
    throw py::value_error(fmt::format("{}: expected 4 dimensions {} (channel-last), got shape {}", what,
                                      expected, shape_text(array)));
  }
  if (static_cast<std::size_t>(array.shape(1)) != height ||
      static_cast<std::size_t>(array.shape(2)) != width ||
      static_cast<std::size_t>(array.shape(3)) != channels) {
    throw py::value_error(
        fmt::format("{}: the model takes events of shape {}, got {}", what, expected, shape_text(array)));
  }
  Events result;
  // float32 C-contiguous: the same buffer (no copy); anything else: one conversion by numpy.
  result.array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!result.array) throw py::type_error(fmt::format("{}: cannot be converted to float32", what));
  result.data = result.array.data();
  result.events = static_cast<std::size_t>(array.shape(0));
  const std::size_t count = result.events * height * width * channels;
  if (!check_finite) return result;
  const std::size_t bad = util::first_non_finite(result.data, count);
  if (bad < count) {
    throw py::value_error(fmt::format("{}: event {} holds {} (every value must be finite)", what,
                                      bad / (height * width * channels), result.data[bad]));
  }
  return result;
}

bool is_hit_lists(const py::handle& x) {
  // A tuple only: a list of three events stays a batch of dense events, as numpy reads it.
  return py::isinstance<py::tuple>(x) && py::len(x) == 3;
}

HitArrays hits_from(const py::handle& x, std::size_t height, std::size_t width, std::size_t channels,
                    const std::string& what) {
  const py::sequence items = py::reinterpret_borrow<py::sequence>(x);
  auto integer_array = [&](const py::handle& item, const char* name) {
    const py::array array = py::array::ensure(item);
    if (!array || (array.dtype().kind() != 'i' && array.dtype().kind() != 'u'))
      throw py::type_error(fmt::format("{}: {} must be an integer array", what, name));
    return array;
  };
  HitArrays hits;
  const py::array offsets = integer_array(items[0], "offsets");
  if (offsets.ndim() != 1 || offsets.shape(0) < 1)
    throw py::value_error(
        fmt::format("{}: offsets must have shape (events + 1,), got {}", what, shape_text(offsets)));
  hits.offsets = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(offsets);
  hits.events = static_cast<std::size_t>(offsets.shape(0)) - 1;
  const py::array coords = integer_array(items[1], "coords");
  if (coords.ndim() != 2 || coords.shape(1) != 2)
    throw py::value_error(
        fmt::format("{}: coords must have shape (hits, 2), got {}", what, shape_text(coords)));
  const std::size_t count = static_cast<std::size_t>(coords.shape(0));
  const auto wide = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(coords);
  hits.coords.resize(2 * count);
  for (std::size_t k = 0; k < 2 * count; ++k) {
    const std::int64_t v = wide.data()[k];
    if (v < 0 || v > 0xffffffffLL)
      throw py::value_error(fmt::format("{}: coords[{}] = {} is out of range", what, k / 2, v));
    hits.coords[k] = static_cast<std::uint32_t>(v);
  }
  const py::array values = py::array::ensure(items[2]);
  if (!values || values.dtype().kind() != 'f')
    throw py::type_error(
        fmt::format("{}: values must be a real floating array (float32 is used as is)", what));
  if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(0)) != count ||
      static_cast<std::size_t>(values.shape(1)) != channels)
    throw py::value_error(fmt::format("{}: values must have shape ({}, {}) (hits, channels), got {}", what,
                                      count, channels, shape_text(values)));
  hits.values = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(values);
  const std::size_t bad = util::first_non_finite(hits.values.data(), count * channels);
  if (bad < count * channels)
    throw py::value_error(fmt::format("{}: values of hit {} hold {} (every value must be finite)", what,
                                      bad / channels, hits.values.data()[bad]));
  try {
    const data::HitSource source{what, "<numpy>", 0};
    data::validate_hit_offsets(source, hits.offsets.data(), hits.events, count, height * width, true);
    data::validate_hit_coordinates(source, hits.offsets.data(), hits.events, hits.coords.data(), height,
                                   width);
  } catch (const Error& e) {
    throw py::value_error(e.what());
  }
  return hits;
}

Events dense_events(const HitArrays& hits, std::size_t height, std::size_t width, std::size_t channels) {
  Events result;
  result.array = py::array_t<float, py::array::c_style | py::array::forcecast>(
      {static_cast<py::ssize_t>(hits.events), static_cast<py::ssize_t>(height),
       static_cast<py::ssize_t>(width), static_cast<py::ssize_t>(channels)});
  float* dense = result.array.mutable_data();
  const tensor::HitEvents view{hits.offsets.data(), hits.coords.data(), hits.values.data(), hits.events};
  tensor::scatter_hits(view, width, channels, height * width * channels, dense);
  result.data = dense;
  result.events = hits.events;
  return result;
}

std::vector<std::int32_t> labels_from(const py::handle& y, std::size_t events, std::size_t classes,
                                      const std::string& what) {
  if (y.is_none()) throw py::type_error(what + ": expected a numpy array of labels, got None");
  const py::array array = py::array::ensure(y);
  if (!array) throw py::type_error(fmt::format("{}: cannot be read as a numpy array", what));
  const char kind = array.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error(fmt::format("{}: dtype {} is not an integer type; labels are class indices", what,
                                     dtype_text(array)));
  }
  if (array.ndim() != 1 || static_cast<std::size_t>(array.shape(0)) != events) {
    throw py::value_error(fmt::format("{}: expected shape ({},) (one label per event), got {}", what, events,
                                      shape_text(array)));
  }
  const auto wide = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
  std::vector<std::int32_t> labels(events);
  for (std::size_t e = 0; e < events; ++e) {
    const std::int64_t label = wide.data()[e];
    if (label < 0 || static_cast<std::size_t>(label) >= classes) {
      throw py::value_error(fmt::format("{}: label {} of event {} is not a class index (0 to {})", what,
                                        label, e, classes - 1));
    }
    labels[e] = static_cast<std::int32_t>(label);
  }
  return labels;
}

py::array_t<float> matrix(std::vector<float>&& values, std::size_t rows, std::size_t columns) {
  return owning_matrix(std::move(values), rows, columns);
}

py::array_t<double> matrix(std::vector<double>&& values, std::size_t rows, std::size_t columns) {
  return owning_matrix(std::move(values), rows, columns);
}

}  // namespace sparsepixels::python
