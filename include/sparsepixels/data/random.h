#pragma once
// An explicit, portable random generator (xoshiro256** seeded by splitmix64) with our own distributions,
// so that every dataset made from a seed is the same on every standard library and thread count.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

namespace sparsepixels::data {

/// One step of splitmix64: used to expand a seed (and to derive per-event seeds).
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256**: fast, 256 bits of state, good statistical quality.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    std::uint64_t state = seed;
    for (auto& word : state_) word = splitmix64(state);
  }

  /// 64 uniformly random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotate_left(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  /// Uniform integer in [0, bound) without modulo bias (draws below 2^64 mod bound are rejected); bound > 0.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      const std::uint64_t bits = next();
      if (bits >= threshold) return bits % bound;
    }
  }

  /// Uniform integer in [low, high] (inclusive).
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low) + 1));
  }

  /// True with probability p.
  bool chance(double p) { return uniform() < p; }

  /// Standard normal by the Box-Muller transform (one value per call, the pair's twin is dropped).
  double normal() {
    const double u1 = 1.0 - uniform();  // in (0, 1], so the logarithm is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  static std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

/// Shuffles [first, last) in place (Fisher-Yates from the back) with `random`.
template <class Iterator>
void shuffle(Iterator first, Iterator last, Random& random) {
  const auto count = last - first;
  for (auto i = count - 1; i > 0; --i) {
    const auto j = static_cast<decltype(i)>(random.below(static_cast<std::uint64_t>(i) + 1));
    using std::swap;
    swap(first[i], first[j]);
  }
}

}  // namespace sparsepixels::data
