#pragma once

#include <stdexcept>
#include <string>

namespace sparsepixels {

/// The library's exception: its message names the file, field, option or value that is wrong.
/// The CLI prints it as one line on stderr and exits with code 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Bad command-line usage (unknown option value, missing argument): the CLI exits with code 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

}  // namespace sparsepixels
