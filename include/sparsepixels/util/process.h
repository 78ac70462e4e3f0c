#pragma once
// Running an external program (gnuplot, g++ for C simulation): one runner for the whole project.

#include <string>
#include <vector>

namespace sparsepixels::util {

/// Runs `arguments` (argv[0] looked up in PATH; no shell, so nothing needs quoting) with stdin from
/// /dev/null and stdout and stderr into `log_path`, in `working_directory` when it is not empty.
/// Returns the exit status, or -1 when the program could not be started or was killed by a signal.
int run_program(const std::vector<std::string>& arguments, const std::string& log_path,
                const std::string& working_directory = {});

}  // namespace sparsepixels::util
