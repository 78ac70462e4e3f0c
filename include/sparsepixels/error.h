#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sparsepixels {

/// The library's exception: its message names the file, field, option or value that is wrong.
/// The CLI prints it as one line on stderr and exits with code 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// `text` as an error line shows a value from a file: at most 60 characters (then "..."), and control
/// characters or bytes beyond ASCII (newlines, terminal escapes) as '?'.
inline std::string shown(std::string_view text) {
  constexpr std::size_t kShown = 60;
  std::string out;
  for (const char c : text.substr(0, kShown)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 32 && byte < 127 ? c : '?';
  }
  return text.size() > kShown ? out + "..." : out;
}

/// Bad command-line usage (unknown option value, missing argument): the CLI exits with code 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

}  // namespace sparsepixels
