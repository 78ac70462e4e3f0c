// Neighbour tables and the shard pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

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

}  // namespace
}  // namespace sparsepixels::tensor
