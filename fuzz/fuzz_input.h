// What every fuzz target shares: the input as text or as a file, and the one clean way to fail.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace sparsepixels::fuzz {

/// The fuzzer's bytes as a string (any bytes, NUL included).
inline std::string text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// The fuzzer's bytes written to this process's own scratch file (readers that take a path), named
/// with `extension` because some readers dispatch on it. The same path is reused for every input.
inline std::string as_file(const std::uint8_t* data, std::size_t size, const std::string& extension) {
  static const std::filesystem::path folder = std::filesystem::temp_directory_path();
  const std::filesystem::path path = folder / ("sparsepixels-fuzz-" + std::to_string(::getpid()) + extension);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path.string();
}

}  // namespace sparsepixels::fuzz

// A target catches sparsepixels::Error only: that is the clean rejection of bad input (the command
// line prints it as `error: <path>: ...`). Any other exception escapes and libFuzzer reports it, as
// it reports crashes, hangs, sanitizer findings and allocations above -malloc_limit_mb.
