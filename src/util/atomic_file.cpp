#include "sparsepixels/util/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

void remove_abandoned_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const std::string prefix = target.filename().string() + ".tmp-";
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || entry.is_symlink(error)) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (pid <= 0 || end == nullptr || *end != '-') continue;
    errno = 0;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    fs::remove_all(entry.path(), error);
  }
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temporary_(temporary_name_for(path_)) {
  remove_abandoned_temporaries(path_);
}

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
