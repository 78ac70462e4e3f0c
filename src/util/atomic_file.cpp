#include "sparsepixels/util/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>
#include <utility>

#include "sparsepixels/error.h"

namespace sparsepixels::util {

namespace {

void remove_quietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

// Flushes a written file's data to disk; throws naming `target` on failure.
void sync_file(const std::string& temporary, const std::string& target) {
  const int descriptor = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    throw Error(
        fmt::format("{}: cannot write: opening {} failed: {}", target, temporary, std::strerror(errno)));
  }
  const int status = ::fsync(descriptor);
  const int saved = errno;
  ::close(descriptor);
  if (status != 0)
    throw Error(fmt::format("{}: cannot write: fsync failed: {}", target, std::strerror(saved)));
}

}  // namespace

std::string temporary_name_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  // Random per process: a pid reused (another machine on a shared folder, a container) gives another name.
  static const std::uint32_t random = std::random_device{}();
  return fmt::format("{}.tmp-{}-{:08x}-{}", path, ::getpid(), random, counter++);
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temporary_(temporary_name_for(path_)) {}

AtomicFile::~AtomicFile() {
  if (!committed_) remove_quietly(temporary_);
}

void AtomicFile::commit() {
  try {
    sync_file(temporary_, path_);
    std::error_code error;
    std::filesystem::rename(temporary_, path_, error);
    if (error)
      throw Error(
          fmt::format("{}: cannot write: renaming {} failed: {}", path_, temporary_, error.message()));
  } catch (...) {
    remove_quietly(temporary_);
    throw;
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFile file(path);
  std::FILE* stream = std::fopen(file.temporary().c_str(), "wb");
  if (stream == nullptr) throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  const bool written = std::fwrite(content.data(), 1, content.size(), stream) == content.size();
  const int saved = errno;
  const bool closed = std::fclose(stream) == 0;
  if (!written || !closed) {
    throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(written ? errno : saved)));
  }
  file.commit();
}

}  // namespace sparsepixels::util
