#pragma once
// The parts of the extension module `_sparsepixels`, one function per concern.

#include <pybind11/pybind11.h>

namespace sparsepixels::python {

namespace py = pybind11;

/// The Model class: config and model files, predict, evaluate, fit, summary, estimate.
void bind_model(pybind11::module_& module);
/// Dataset files, the synthetic generator and MNIST preparation.
void bind_data(pybind11::module_& module);
/// convert (project writer) and csim.
void bind_codegen(pybind11::module_& module);

}  // namespace sparsepixels::python
