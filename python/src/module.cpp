// The extension module `_sparsepixels`; the package `sparsepixels` (python/sparsepixels/) wraps it.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "sparsepixels/error.h"
#include "sparsepixels/version.h"

namespace py = pybind11;

PYBIND11_MODULE(_sparsepixels, module) {
  module.doc() = "C++ core of the sparsepixels Python package (use `import sparsepixels`)";
  // sparsepixels::Error (and UsageError) become sparsepixels.Error, a RuntimeError, with the same
  // message the command line prints after "error: ".
  static py::exception<sparsepixels::Error> error(module, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const sparsepixels::Error& e) {
      error(e.what());
    }
  });
  module.attr("__version__") = sparsepixels::version();
  sparsepixels::python::bind_model(module);
  sparsepixels::python::bind_data(module);
  sparsepixels::python::bind_codegen(module);
}
