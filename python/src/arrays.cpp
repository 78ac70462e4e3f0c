#include "arrays.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

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
