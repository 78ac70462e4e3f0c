#include "sparsepixels/tensor/shard_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::tensor {

ShardPool::ShardPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, limits::kMaxThreads);  // callers check the option; this is the backstop
  try {
    workers_.reserve(static_cast<std::size_t>(threads));
    for (int w = 1; w < threads; ++w) workers_.emplace_back([this, w] { work(w); });
  } catch (const std::exception& e) {
    // The system refused a thread: stop the ones started (no destructor runs for a half-built pool).
    stop_workers();
    throw Error(fmt::format("cannot start {} threads (started {}): {}; use fewer threads", threads,
                            workers_.size() + 1, e.what()));
  }
}

ShardPool::~ShardPool() {
  stop_workers();
}

void ShardPool::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ShardPool::drain(int worker) {
  std::size_t done = 0;
  std::exception_ptr error;
  for (std::size_t i = next_.fetch_add(1); i < tasks_; i = next_.fetch_add(1)) {
    try {
      (*task_.load())(i, worker);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
    ++done;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (error && !error_) error_ = error;
  finished_ += done;
  if (finished_ == tasks_) done_.notify_all();
}

void ShardPool::work(int worker) {
  std::size_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      ++busy_;
    }
    drain(worker);
    std::lock_guard<std::mutex> lock(mutex_);
    if (--busy_ == 0) done_.notify_all();
  }
}

void ShardPool::run(std::size_t tasks, const std::function<void(std::size_t, int)>& task) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1) {
    for (std::size_t i = 0; i < tasks; ++i) task(i, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    tasks_ = tasks;
    finished_ = 0;
    error_ = nullptr;
    next_.store(0);
    ++generation_;
  }
  wake_.notify_all();
  drain(0);
  // Wait until every task is finished and no worker still reads task_/tasks_ of this round.
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return finished_ == tasks_ && busy_ == 0; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace sparsepixels::tensor
