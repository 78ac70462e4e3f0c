#pragma once
// numpy arrays in and out of the library: validation with clear Python exceptions, no copy when the
// layout allows.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sparsepixels::python {

namespace py = pybind11;

/// Dense events as the library reads them: float32, C-contiguous, N x H x W x C. `array` keeps the
/// memory alive: the caller's own array when it already had that layout, else the one converted copy.
struct Events {
  py::array_t<float, py::array::c_style | py::array::forcecast> array;
  const float* data = nullptr;
  std::size_t events = 0;
};

/// Events as hit lists (offsets, coords, values), checked and held as the library reads them.
struct HitArrays {
  py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> offsets;
  std::vector<std::uint32_t> coords;
  py::array_t<float, py::array::c_style | py::array::forcecast> values;
  std::size_t events = 0;
};

/// True if `x` is a tuple of three items: hit lists (offsets, coords, values).
bool is_hit_lists(const py::handle& x);

/// Checks hit lists against the event shape, as the dataset readers check a file's (docs/datasets.md):
/// offsets int (events + 1,) from 0, never decreasing, at most height x width hits an event, ending at
/// the number of hits; coords int (hits, 2) rows and columns in range and strictly in raster order
/// within an event; values real (hits, channels), finite. TypeError / ValueError otherwise.
HitArrays hits_from(const py::handle& x, std::size_t height, std::size_t width, std::size_t channels,
                    const std::string& what);

/// The dense events (N x H x W x C, float32, zero where there is no hit) that checked hit lists describe.
Events dense_events(const HitArrays& hits, std::size_t height, std::size_t width, std::size_t channels);

/// Checks `x` against the event shape (height, width, channels) and returns float32 C-contiguous
/// events: float32 C-contiguous arrays are used as they are; other real floating dtypes (float16,
/// float64, longdouble) and non-contiguous arrays are converted with one copy. Raises TypeError for
/// integer, boolean, complex or object dtypes and ValueError for a wrong rank or shape, NaN or inf.
/// `what` names the argument in messages (e.g. "x"). `check_finite` false leaves the NaN/inf test to
/// the caller (predict does it inside Model::predict_finite, shard by shard while the values are in cache).
Events events_from(const py::handle& x, std::size_t height, std::size_t width, std::size_t channels,
                   const std::string& what, bool check_finite = true);

/// Labels as int32: any integer dtype, 1-D, `events` long, each in [0, classes). Raises TypeError or
/// ValueError otherwise.
std::vector<std::int32_t> labels_from(const py::handle& y, std::size_t events, std::size_t classes,
                                      const std::string& what);

/// A new float32 array of shape (rows, columns) holding `values` (moved, not copied).
py::array_t<float> matrix(std::vector<float>&& values, std::size_t rows, std::size_t columns);
/// A new float64 array of shape (rows, columns) holding `values` (moved, not copied).
py::array_t<double> matrix(std::vector<double>&& values, std::size_t rows, std::size_t columns);

}  // namespace sparsepixels::python
