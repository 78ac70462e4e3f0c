#pragma once
// Writing files so that a reader never sees half of one and a failure never loses the old one: every
// file the project writes goes to a unique temporary name in the destination folder, is flushed to
// disk (fsync), then renamed over the target; on any failure the temporary is removed and the target
// is left as it was.

#include <string>

namespace sparsepixels::util {

/// A temporary name beside `path` (same folder, so the rename is atomic), unique per process and call:
/// "<path>.tmp-<pid>-<random>-<counter>", the random part drawn once per process.
std::string temporary_name_for(const std::string& path);

/// Removes the temporaries (files or folders named as temporary_name_for(path) names them) that a
/// process writing `path` left behind when it was killed: only those whose process is gone
/// (kill(pid, 0) fails with ESRCH). Every AtomicFile and every convert calls it before writing.
void remove_abandoned_temporaries(const std::string& path);

/// Writes `content` to `path` atomically. Throws sparsepixels::Error naming `path` when the folder is
/// missing or not writable, the disk is full, or the rename fails; the temporary is removed then.
void write_file_atomically(const std::string& path, const std::string& content);

/// For writers that produce the file themselves (HDF5, gnuplot, a stream): they write to temporary(),
/// then commit() flushes it to disk and renames it over the target. A file never committed (an
/// exception, an early return) is removed by the destructor.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temporary() const { return temporary_; }
  /// fsync + rename; throws sparsepixels::Error naming the target (and removes the temporary) on failure.
  void commit();

 private:
  std::string path_, temporary_;
  bool committed_ = false;
};

}  // namespace sparsepixels::util
