// Neighbour tables and the shard pool.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

#include "sparsepixels/tensor/batch.h"
#include "sparsepixels/tensor/shard_pool.h"

namespace sparsepixels::tensor {
namespace {

TEST(NeighbourTable, ListsEveryPairWithinTheKernelOnce) {
  Geometry geometry;
  geometry.reset(2, 4, 8, 8);
  // Event 0: (1,1), (2,2), (4,4), and a duplicate-free empty slot. Event 1: (8,8), (7,6), (1,8), (8,1).
  const std::int16_t rows[] = {1, 2, 4, 1, 8, 7, 1, 8};
  const std::int16_t cols[] = {1, 2, 4, 1, 8, 6, 8, 1};
  const std::uint8_t real[] = {1, 1, 1, 0, 1, 1, 1, 1};
  for (int i = 0; i < 8; ++i) {
    geometry.row[i] = rows[i];
    geometry.col[i] = cols[i];
    geometry.position[i] = real[i];
  }
  const NeighbourTable& table = geometry.neighbours(3);
  // Brute force, written independently: |dr| <= 1 and |dc| <= 1 among real slots.
  for (std::size_t e = 0; e < 2; ++e) {
    std::size_t expected = 0;
    for (int o = 0; o < 4; ++o) {
      for (int i = 0; i < 4; ++i) {
        const int a = static_cast<int>(e) * 4 + o, b = static_cast<int>(e) * 4 + i;
        if (real[a] && real[b] && std::abs(rows[a] - rows[b]) <= 1 && std::abs(cols[a] - cols[b]) <= 1)
          ++expected;
      }
    }
    EXPECT_EQ(table.event_begin[e + 1] - table.event_begin[e], expected) << e;
  }
  // Event 0 pairs in order (output, input): (0,0) (0,1) (1,0) (1,1) (2,2); taps: centre 4, (+1,+1) 8, (-1,-1)
  // 0.
  ASSERT_EQ(table.event_begin[1], 5u);
  const std::uint32_t taps[] = {4, 8, 0, 4, 4};
  for (int p = 0; p < 5; ++p) EXPECT_EQ(table.pairs[p].tap, taps[p]) << p;
  EXPECT_EQ(&geometry.neighbours(3), &table);  // cached
  EXPECT_EQ(geometry.neighbours(5).kernel, 5);
}

TEST(ShardPool, RunsEveryTaskOnceAndRethrows) {
  for (int threads : {1, 2, 3}) {
    ShardPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int round = 0; round < 50; ++round) {
      std::vector<std::atomic<int>> seen(37);
      pool.run(seen.size(), [&](std::size_t task, int worker) {
        EXPECT_LT(worker, threads);
        seen[task]++;
      });
      for (const auto& count : seen) EXPECT_EQ(count.load(), 1);
    }
    EXPECT_THROW(pool.run(5,
                          [](std::size_t task, int) {
                            if (task == 3) throw std::runtime_error("task 3");
                          }),
                 std::runtime_error);
    std::atomic<int> after{0};
    pool.run(4, [&](std::size_t, int) { after++; });  // still usable after an exception
    EXPECT_EQ(after.load(), 4);
  }
}

// In a child process whose address space cannot hold `threads` thread stacks: the pool must throw
// sparsepixels::Error having stopped the threads it started (before: std::terminate or a hang). The
// child exits 0 on the expected error, 3 on none, 4 on another exception; an alarm ends a hang.
int pool_in_small_address_space(int threads) {
  const pid_t child = fork();
  if (child == 0) {
    alarm(30);
    const rlimit limit{std::size_t{512} << 20, std::size_t{512} << 20};  // 512 MB: about 60 default stacks
    setrlimit(RLIMIT_AS, &limit);
    try {
      ShardPool pool(threads);
      pool.run(100, [](std::size_t, int) {});
      _exit(3);
    } catch (const Error& e) {
      _exit(std::string(e.what()).find("cannot start") != std::string::npos ? 0 : 5);
    } catch (...) {
      _exit(4);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ShardPool, ThreadCreationFailureIsACleanError) {
  for (const int threads : {300, 1000}) EXPECT_EQ(pool_in_small_address_space(threads), 0) << threads;
}

TEST(ShardPool, ThreadsAreCappedAtTheLimit) {
  ShardPool pool(limits::kMaxThreads + 5000);
  EXPECT_EQ(pool.threads(), limits::kMaxThreads);
  std::atomic<int> ran{0};
  pool.run(3000, [&](std::size_t, int) { ran++; });
  EXPECT_EQ(ran.load(), 3000);
}

}  // namespace
}  // namespace sparsepixels::tensor
