#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sparsepixels::tensor {

/// A fixed set of worker threads that run numbered tasks (shards of a batch). Which thread runs a
/// task never matters: callers keep one result per task and combine them in task order, so results
/// do not depend on the thread count.
class ShardPool {
 public:
  /// `threads` 0 means all hardware threads; the calling thread is one of them. At most
  /// limits::kMaxThreads; throws sparsepixels::Error (having stopped any started thread) when the system
  /// cannot start them.
  explicit ShardPool(int threads);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs task(i, worker) for i in [0, tasks) and returns when all are done. `worker` in
  /// [0, threads()) identifies the thread (for per-thread scratch). The first exception a task
  /// throws is rethrown here once all tasks have stopped.
  void run(std::size_t tasks, const std::function<void(std::size_t task, int worker)>& task);

 private:
  void work(int worker);
  void stop_workers();
  void drain(int worker);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<const std::function<void(std::size_t, int)>*> task_{nullptr};
  std::atomic<std::size_t> tasks_{0};
  std::atomic<std::size_t> next_{0};
  std::size_t finished_ = 0;
  std::atomic<std::size_t> generation_{0};
  int busy_ = 0;
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;  // the first exception a task threw, rethrown by run()
};

}  // namespace sparsepixels::tensor
