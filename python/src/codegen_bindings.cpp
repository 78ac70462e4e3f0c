// convert and csim: the project writer and the C simulation driver.
#include <pybind11/stl.h>

#include <string>

#include "bindings.h"
#include "sparsepixels/codegen/csim.h"
#include "sparsepixels/codegen/project.h"

namespace sparsepixels::python {

void bind_codegen(py::module_& module) {
  module.def(
      "write_project",
      [](const std::string& model_path, const std::string& out_dir, const std::string& name,
         const std::string& part, double clock_ns, bool overwrite) {
        codegen::ProjectOptions options;
        options.name = name;
        options.part = part;
        options.clock_ns = clock_ns;
        options.overwrite = overwrite;
        codegen::ProjectSummary summary;
        {
          const py::gil_scoped_release release;
          summary = codegen::write_project(model_path, out_dir, options);
        }
        py::dict d;
        d["name"] = summary.name;
        d["model_hash"] = summary.model_hash;
        d["warnings"] = summary.warnings;
        return d;
      },
      py::arg("model_path"), py::arg("out_dir"), py::arg("name") = "", py::arg("part") = "",
      py::arg("clock_ns") = 0.0, py::arg("overwrite") = false);

  module.def(
      "run_csim",
      [](const std::string& project_dir, const std::string& data, const std::string& split,
         std::size_t events, const std::string& compiler) {
        codegen::CsimOptions options;
        options.data = data;
        options.split = split;
        options.events = events;
        options.compiler = compiler;
        codegen::CsimReport report;
        {
          const py::gil_scoped_release release;
          report = codegen::run_csim(project_dir, options);
        }
        py::dict d;
        d["events"] = report.events;
        d["output_size"] = report.outputs;
        d["mismatches"] = report.mismatches;
        d["first_event"] = report.first_event;
        d["first_output"] = report.first_output;
        d["details"] = report.details;
        return d;
      },
      py::arg("project_dir"), py::arg("data"), py::arg("split") = "test", py::arg("events") = 0,
      py::arg("compiler") = "g++");
}

}  // namespace sparsepixels::python
