// op_harness.h: one harness for every layer kind, in the style of ggml's test-backend-ops: each
// operation is a small struct (compile-time case parameters, a random case maker, the host
// layers::FixedLayer and the nnet kernel run side by side), every output value and hash compared bit for
// bit with an explicit tolerance of zero, sentinels written around every kernel buffer and checked
// untouched afterwards. The kernels are templates on a config struct, so each operation is instantiated
// over a fixed grid of parameters (type_sets.h, the *_ops_test.cpp lists); the host layer is built at
// run time from the same parameters through spec::resolve and layers::make_fixed_layer.
//
// Seeds: SPARSEPIXELS_OPS_SEED=<n> replays a run (every case's generator derives from it, the kind and
// the case index), SPARSEPIXELS_OPS_SEED=random draws one; SPARSEPIXELS_OPS_CASES=<n> sets the cases
// per kind (default 5,000).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_common.h"
#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/layers/fixed_layer.h"
#include "sparsepixels/spec/model_spec.h"

namespace ops {

using sparsepixels::fixed::FixedType;
using sparsepixels::layers::FixedLayer;
using sparsepixels::layers::LayerProfile;
using sparsepixels::layers::LayerValues;
namespace spec = sparsepixels::spec;

/// Differences allowed between a host raw value and a kernel raw value: none.
constexpr std::int64_t kTolerance = 0;

// ---------------------------------------------------------------------------------------------------
// Seeds and random numbers

/// The run's seed: SPARSEPIXELS_OPS_SEED (a number, or "random"), else a fixed default.
inline std::uint64_t run_seed() {
  static const std::uint64_t seed = [] {
    const char* text = std::getenv("SPARSEPIXELS_OPS_SEED");
    std::uint64_t value = 20261207;
    if (text != nullptr && std::string(text) == "random") {
      value = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) %
              1000000007u;
    } else if (text != nullptr && *text != '\0') {
      value = std::strtoull(text, nullptr, 10);
    }
    std::printf("[ops] seed %llu (replay: SPARSEPIXELS_OPS_SEED=%llu)\n",
                static_cast<unsigned long long>(value), static_cast<unsigned long long>(value));
    return value;
  }();
  return seed;
}

/// Cases per kind: SPARSEPIXELS_OPS_CASES, else 5,000.
inline std::size_t cases_per_kind() {
  const char* text = std::getenv("SPARSEPIXELS_OPS_CASES");
  return text != nullptr && *text != '\0' ? static_cast<std::size_t>(std::strtoull(text, nullptr, 10)) : 5000;
}

/// splitmix64: decorrelates the per-case seeds.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The generator of one case: a function of the run seed, the kind's name and the case index only.
inline std::uint64_t case_seed(std::uint64_t seed, const std::string& kind, std::size_t index) {
  std::uint64_t h = mix(seed);
  for (char c : kind) h = mix(h ^ static_cast<unsigned char>(c));
  return mix(h ^ index);
}

struct Random {
  std::mt19937_64 engine;
  explicit Random(std::uint64_t seed) : engine(seed) {}
  /// Uniform integer in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(engine);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(engine) < p; }
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine); }
};

// ---------------------------------------------------------------------------------------------------
// ap types seen from the host

template <class T>
struct ApTraits;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_fixed_base<W, I, S, Q, O, N>> {
  static const int width = W, integer = I, saturation_bits = N;
  static const bool is_signed = S;
  static const ap_q_mode quantization = Q;
  static const ap_o_mode overflow = O;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_fixed<W, I, Q, O, N>> : ApTraits<ap_fixed_base<W, I, true, Q, O, N>> {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ApTraits<ap_ufixed<W, I, Q, O, N>> : ApTraits<ap_fixed_base<W, I, false, Q, O, N>> {};

/// The run-time description of a compile-time ap_fixed/ap_ufixed type.
template <class T>
FixedType describe() {
  using Traits = ApTraits<T>;
  using sparsepixels::fixed::Overflow;
  using sparsepixels::fixed::Quantization;
  FixedType type;
  type.width = Traits::width;
  type.integer = Traits::integer;
  type.is_signed = Traits::is_signed;
  type.saturation_bits = Traits::saturation_bits;
  switch (Traits::quantization) {
    case AP_RND:
      type.quantization = Quantization::RND;
      break;
    case AP_RND_ZERO:
      type.quantization = Quantization::RND_ZERO;
      break;
    case AP_RND_MIN_INF:
      type.quantization = Quantization::RND_MIN_INF;
      break;
    case AP_RND_INF:
      type.quantization = Quantization::RND_INF;
      break;
    case AP_RND_CONV:
      type.quantization = Quantization::RND_CONV;
      break;
    case AP_TRN:
      type.quantization = Quantization::TRN;
      break;
    case AP_TRN_ZERO:
      type.quantization = Quantization::TRN_ZERO;
      break;
  }
  switch (Traits::overflow) {
    case AP_SAT:
      type.overflow = Overflow::SAT;
      break;
    case AP_SAT_ZERO:
      type.overflow = Overflow::SAT_ZERO;
      break;
    case AP_SAT_SYM:
      type.overflow = Overflow::SAT_SYM;
      break;
    default:
      type.overflow = Overflow::WRAP;
      break;
  }
  return type;
}

/// The raw mantissa of an ap_fixed value (its storage integer, exact for every width up to 64).
template <class T>
std::int64_t raw_of(const T& value) {
  return static_cast<std::int64_t>(value.V);
}

/// The ap_fixed value with raw mantissa `raw`.
template <class T>
T from_raw(std::int64_t raw) {
  return T::bitsToFixed(static_cast<ap_ulong>(raw));
}

/// Hash type of a grid whose coordinates reach `largest`: ap_uint<ceil(log2(largest + 1))>.
template <unsigned largest>
using hash_type = ap_uint<nnet::ceil_log2<largest + 1>::value>;

/// The exact accumulator of reference section 11.3 written from the document, independently of
/// fixed::exact_accumulator: sum of fan_in products weight*input plus a bias.
inline FixedType independent_accumulator(const FixedType& weight, const FixedType& input,
                                         const FixedType& bias, int fan_in) {
  auto ceil_log2 = [](int n) {
    int bits = 0;
    while ((1 << bits) < n) ++bits;
    return bits;
  };
  FixedType type;
  type.is_signed = weight.is_signed || input.is_signed || bias.is_signed;
  const bool product_signed = weight.is_signed || input.is_signed;
  const int product_integer = weight.integer + input.integer + ((type.is_signed && !product_signed) ? 1 : 0);
  const int bias_integer = bias.integer + ((type.is_signed && !bias.is_signed) ? 1 : 0);
  const int fraction = std::max(weight.fraction() + input.fraction(), bias.fraction());
  type.integer = std::max(product_integer, bias_integer) + ceil_log2(fan_in + 1);
  type.width = type.integer + fraction;
  return type;
}

/// The exact sum of `terms` values of `input` (pooling, reference 11.5), written from the document.
inline FixedType independent_sum(const FixedType& input, int terms) {
  int bits = 0;
  while ((1 << bits) < terms) ++bits;
  FixedType type;
  type.is_signed = input.is_signed;
  type.integer = input.integer + bits;
  type.width = type.integer + input.fraction();
  return type;
}

/// QKeras quantized_bits as documented (round half to even to the type's step, then saturate),
/// written independently of layers::parameter_raw.
inline std::int64_t qkeras_raw(double value, const FixedType& type) {
  const double scaled = std::nearbyint(std::ldexp(value, type.fraction()));
  return static_cast<std::int64_t>(
      std::clamp(scaled, static_cast<double>(type.min_raw()), static_cast<double>(type.max_raw())));
}

// ---------------------------------------------------------------------------------------------------
// Guarded kernel buffers

/// A kernel buffer of n elements with kGuard sentinel elements on each side. The whole buffer starts
/// as the sentinel, so an output the kernel never writes shows as a mismatch and a write out of
/// bounds shows as a changed guard.
template <class T>
class Guarded {
 public:
  static const std::size_t kGuard = 8;
  Guarded(std::size_t n, const T& sentinel) : cells_(n + 2 * kGuard, sentinel), sentinel_(sentinel), n_(n) {}
  T* data() { return cells_.data() + kGuard; }
  T& operator[](std::size_t i) { return cells_[kGuard + i]; }
  const T& operator[](std::size_t i) const { return cells_[kGuard + i]; }
  std::size_t size() const { return n_; }
  /// True when no guard element changed.
  bool guards_intact() const {
    for (std::size_t k = 0; k < kGuard; ++k) {
      if (!(cells_[k] == sentinel_) || !(cells_[kGuard + n_ + k] == sentinel_)) return false;
    }
    return true;
  }

 private:
  std::vector<T> cells_;
  T sentinel_;
  std::size_t n_;
};

/// The sentinel of a kernel output buffer: a raw bit pattern no ordinary case produces often.
template <class T>
T feature_sentinel() {
  return T::bitsToFixed(static_cast<ap_ulong>(0x5A5A5A5A5A5A5A5BULL));
}
/// The sentinel of a hash output buffer: 0, never a valid 1-based coordinate.
template <class hash_T>
hash_T hash_sentinel() {
  return hash_T(0);
}

/// A kernel input buffer holding `raw`; its guards hold another sentinel than the outputs' so that
/// an input guard copied into an output guard shows.
template <class T>
Guarded<T> guarded_features(const std::vector<std::int64_t>& raw) {
  Guarded<T> buffer(raw.size(), T::bitsToFixed(static_cast<ap_ulong>(0x3C3C3C3C3C3C3C3DULL)));
  for (std::size_t k = 0; k < raw.size(); ++k) buffer[k] = from_raw<T>(raw[k]);
  return buffer;
}
template <class hash_T>
Guarded<hash_T> guarded_hash(const std::vector<int>& hash) {
  Guarded<hash_T> buffer(hash.size(), hash_T(~0ULL));
  for (std::size_t k = 0; k < hash.size(); ++k) buffer[k] = hash_T(static_cast<unsigned>(hash[k]));
  return buffer;
}
template <class T>
std::vector<std::int64_t> raws_of(const Guarded<T>& buffer) {
  std::vector<std::int64_t> raw(buffer.size());
  for (std::size_t k = 0; k < buffer.size(); ++k) raw[k] = raw_of(buffer[k]);
  return raw;
}
template <class hash_T>
std::vector<int> ints_of(const Guarded<hash_T>& buffer) {
  std::vector<int> values(buffer.size());
  for (std::size_t k = 0; k < buffer.size(); ++k) values[k] = static_cast<int>(buffer[k].to_uint());
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Tallies and comparison

/// What one kind's run saw.
struct Tally {
  std::string kind;
  std::size_t cases = 0, values = 0, nonzero = 0, hashes = 0;
  std::size_t mismatches = 0, guard_failures = 0, other_failures = 0;
  std::size_t zero_active = 0, all_active = 0, duplicates = 0, out_of_range = 0, bias_skipped = 0;
  std::string first_failure;
  std::string context;  // the current case, for messages

  void fail(std::size_t& counter, const std::string& what) {
    ++counter;
    if (first_failure.empty()) first_failure = context + ": " + what;
  }
  /// A condition of the case (types, parameters); counts a failure when false.
  void check(bool condition, const std::string& what) {
    if (!condition) fail(other_failures, what);
  }
  void check_guards(bool intact, const std::string& buffer) {
    if (!intact) fail(guard_failures, "sentinel overwritten around " + buffer);
  }
};

/// Compares a host output with a kernel output value by value (|difference| <= kTolerance) and hash
/// by hash (exactly).
inline void compare(const LayerValues& host, const LayerValues& kernel, Tally& tally) {
  if (host.raw.size() != kernel.raw.size() || host.hash.size() != kernel.hash.size()) {
    tally.fail(tally.mismatches, "host and kernel outputs have different sizes");
    return;
  }
  for (std::size_t k = 0; k < host.raw.size(); ++k) {
    const std::int64_t difference =
        host.raw[k] > kernel.raw[k] ? host.raw[k] - kernel.raw[k] : kernel.raw[k] - host.raw[k];
    if (difference > kTolerance) {
      tally.fail(tally.mismatches, "value " + std::to_string(k) + ": host raw " +
                                       std::to_string(host.raw[k]) + ", kernel raw " +
                                       std::to_string(kernel.raw[k]));
    }
    if (host.raw[k] != 0) ++tally.nonzero;
  }
  for (std::size_t k = 0; k < host.hash.size(); ++k) {
    if (host.hash[k] != kernel.hash[k]) {
      tally.fail(tally.mismatches, "hash " + std::to_string(k) + ": host " + std::to_string(host.hash[k]) +
                                       ", kernel " + std::to_string(kernel.hash[k]));
    }
  }
  tally.values += host.raw.size();
  tally.hashes += host.hash.size();
}

/// The host layer `index` of `model` with its input type, from float parameters.
inline std::unique_ptr<FixedLayer> host_layer(const std::vector<spec::ResolvedLayer>& layers,
                                              std::size_t index, const FixedType& model_input,
                                              const std::vector<float>& weights,
                                              const std::vector<float>& bias) {
  const FixedType& input = index == 0 ? model_input : layers[index - 1].types.result;
  return sparsepixels::layers::make_fixed_layer(layers[index], input, weights, bias);
}

/// Runs `host` on `in` and returns its output; counts its out-of-range casts.
inline LayerValues run_host(const FixedLayer& host, const LayerValues& in, Tally& tally) {
  LayerValues out;
  LayerProfile profile;
  host.forward(in, out, &profile);
  tally.out_of_range += profile.out_of_range;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Random data

/// A raw value of `type`: the full range, a few steps around zero, or zero.
inline std::int64_t random_raw(Random& random, const FixedType& type, int scale) {
  switch (scale) {
    case 0:  // full range
      return random.between(type.min_raw(), type.max_raw());
    case 1: {  // a few steps
      const std::int64_t low = std::max<std::int64_t>(type.min_raw(), -6);
      return random.between(low, std::min<std::int64_t>(type.max_raw(), 6));
    }
    default: {  // the middle of the range (about 1/16 of it)
      const std::int64_t high = std::max<std::int64_t>(1, type.max_raw() / 16);
      const std::int64_t low = type.is_signed ? -high : 0;
      return random.between(low, high);
    }
  }
}

/// A parameter drawn exactly representable as a float and on the grid of `type` (|raw| < 2^24), or,
/// when `off_grid`, any float in the type's range (converted by QKeras rounding on both sides).
inline float random_parameter(Random& random, const FixedType& type, bool off_grid, int scale) {
  if (off_grid) {
    const double limit = std::min(type.max_value(), 4.0);
    return static_cast<float>((random.unit() * 2.2 - 1.1) * limit);
  }
  std::int64_t raw = random_raw(random, type, scale);
  raw = std::clamp<std::int64_t>(raw, -(std::int64_t{1} << 23) + 1, (std::int64_t{1} << 23) - 1);
  if (random.chance(0.15)) raw = 0;
  return static_cast<float>(std::ldexp(static_cast<double>(raw), -type.fraction()));
}

/// Kernel-side parameters: each float converted like a generated project (QKeras rounding, exact
/// literals), checked against the host's converted raw values.
template <class T>
std::vector<T> kernel_parameters(const std::vector<float>& values, const FixedType& type,
                                 const std::vector<std::int64_t>& host_raw, Tally& tally) {
  std::vector<T> result;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::int64_t raw = qkeras_raw(static_cast<double>(values[k]), type);
    result.push_back(from_raw<T>(raw));
    tally.check(k < host_raw.size() && host_raw[k] == raw,
                "parameter " + std::to_string(k) + " converts differently");
  }
  return result;
}

/// Random sparse slots: `active` active slots at distinct coordinates in a window of the grid
/// [1, rows] x [1, cols] (some channels zero), the others inactive (all zero) with the empty hash
/// (1, 1), a copy of an active slot's coordinates (a merged duplicate) or any coordinates.
struct SparseSlots {
  LayerValues values;
  int active = 0;
};
inline SparseSlots random_slots(Random& random, int slots, int channels, int rows, int cols,
                                const FixedType& type, int active) {
  SparseSlots result;
  result.active = active;
  result.values.raw.assign(static_cast<std::size_t>(slots * channels), 0);
  result.values.hash.assign(static_cast<std::size_t>(2 * slots), 1);
  // A window just large enough (or larger) makes neighbours within the kernel and shared pool cells.
  int window_rows = rows, window_cols = cols;
  if (random.chance(0.6)) {
    const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(std::max(active, 1)))));
    window_rows = std::min(rows, side + static_cast<int>(random.between(0, 3)));
    window_cols = std::min(cols, std::max(side, (active + window_rows - 1) / window_rows) +
                                     static_cast<int>(random.between(0, 3)));
    if (window_rows * window_cols < active) window_rows = rows, window_cols = cols;
  }
  const int top = static_cast<int>(random.between(0, rows - window_rows));
  const int left = static_cast<int>(random.between(0, cols - window_cols));
  std::vector<int> cells(static_cast<std::size_t>(window_rows * window_cols));
  for (std::size_t k = 0; k < cells.size(); ++k) cells[k] = static_cast<int>(k);
  std::shuffle(cells.begin(), cells.end(), random.engine);
  std::vector<int> order(static_cast<std::size_t>(slots));
  for (int k = 0; k < slots; ++k) order[static_cast<std::size_t>(k)] = k;
  if (random.chance(0.7)) std::shuffle(order.begin(), order.end(), random.engine);  // else the first slots
  const int scale = static_cast<int>(random.between(0, 2));
  const double zero_channel = random.chance(0.5) ? 0.3 : 0.0;
  for (int k = 0; k < active; ++k) {
    const int slot = order[static_cast<std::size_t>(k)];
    const int cell = cells[static_cast<std::size_t>(k)];
    result.values.hash[static_cast<std::size_t>(2 * slot)] = top + cell / window_cols + 1;
    result.values.hash[static_cast<std::size_t>(2 * slot + 1)] = left + cell % window_cols + 1;
    bool any = false;
    for (int c = 0; c < channels; ++c) {
      std::int64_t raw = random.chance(zero_channel) ? 0 : random_raw(random, type, scale);
      if (c == channels - 1 && !any && raw == 0) raw = random.chance(0.5) ? 1 : (type.is_signed ? -1 : 2);
      any = any || raw != 0;
      result.values.raw[static_cast<std::size_t>(slot * channels + c)] = raw;
    }
  }
  for (int k = active; k < slots; ++k) {
    const int slot = order[static_cast<std::size_t>(k)];
    const int what = static_cast<int>(random.between(0, 2));
    int row = 1, col = 1;
    if (what == 1 && active > 0) {
      const int twin = order[static_cast<std::size_t>(random.between(0, active - 1))];
      row = result.values.hash[static_cast<std::size_t>(2 * twin)];
      col = result.values.hash[static_cast<std::size_t>(2 * twin + 1)];
    } else if (what == 2) {
      row = static_cast<int>(random.between(1, rows));
      col = static_cast<int>(random.between(1, cols));
    }
    result.values.hash[static_cast<std::size_t>(2 * slot)] = row;
    result.values.hash[static_cast<std::size_t>(2 * slot + 1)] = col;
  }
  return result;
}

/// How many slots of a case are active: none, all, or any number (as many as the grid holds).
inline int random_active_count(Random& random, int slots, int cells, Tally& tally) {
  const int most = std::min(slots, cells);
  const int pick = static_cast<int>(random.between(0, 5));
  int active = pick == 0 ? 0 : pick == 1 ? most : static_cast<int>(random.between(0, most));
  if (active == 0) ++tally.zero_active;
  if (active == slots) ++tally.all_active;
  return active;
}

// ---------------------------------------------------------------------------------------------------
// Operation lists and the per-kind driver

/// A list of operation structs (each with `static std::string name()` and
/// `static void run(Random&, Tally&)`), picked by case index.
template <class... Operations>
struct OperationList {
  static constexpr std::size_t size = sizeof...(Operations);
  static void run(std::size_t index, Random& random, Tally& tally) {
    using Runner = void (*)(Random&, Tally&);
    static const Runner runners[] = {&Operations::run...};
    runners[index % size](random, tally);
  }
  static std::string name(std::size_t index) {
    using Namer = std::string (*)();
    static const Namer namers[] = {&Operations::name...};
    return namers[index % size]();
  }
};

/// Runs cases_per_kind() cases of `kind`, cycling through the operations of List, and expects zero
/// mismatches, intact sentinels and some non-zero output. Returns the tally for kind-specific checks.
template <class List>
Tally run_kind(const std::string& kind) {
  Tally tally;
  tally.kind = kind;
  const std::uint64_t seed = run_seed();
  const std::size_t cases = std::max(cases_per_kind(), List::size);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t index = 0; index < cases; ++index) {
    Random random(case_seed(seed, kind, index));
    tally.context =
        kind + " case " + std::to_string(index) + " [" + List::name(index) + "] seed " + std::to_string(seed);
    List::run(index, random, tally);
    ++tally.cases;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ops] %-15s %6zu cases over %2zu instantiations: %8zu values, %7zu hashes compared (%7zu non-zero); "
      "%zu mismatches, %zu sentinel failures; %.2f s\n"
      "[ops] %-15s coverage: %zu with 0 active slots, %zu with all slots active, %zu with shared pool cells, "
      "%zu out-of-range casts, %zu exactly zero sums\n",
      kind.c_str(), tally.cases, List::size, tally.values, tally.hashes, tally.nonzero, tally.mismatches,
      tally.guard_failures, seconds, "", tally.zero_active, tally.all_active, tally.duplicates,
      tally.out_of_range, tally.bias_skipped);
  if (!tally.first_failure.empty()) std::printf("[ops] first failure: %s\n", tally.first_failure.c_str());
  EXPECT_EQ(tally.mismatches, 0u) << "first: " << tally.first_failure;
  EXPECT_EQ(tally.guard_failures, 0u) << "first: " << tally.first_failure;
  EXPECT_EQ(tally.other_failures, 0u) << "first: " << tally.first_failure;
  EXPECT_GE(tally.cases, cases_per_kind());
  EXPECT_GT(tally.values, 0u);
  EXPECT_GT(tally.nonzero, 0u) << kind << ": every compared value was zero";
  return tally;
}

/// A model spec of one input shape and type, to which the test appends layers.
inline spec::ModelSpec model_of(int height, int width, int channels, const FixedType& input_type) {
  spec::ModelSpec model;
  model.name = "ops";
  model.input_height = height;
  model.input_width = width;
  model.input_channels = channels;
  model.input_type = input_type;
  return model;
}
inline spec::LayerSpec& add_layer(spec::ModelSpec& model, spec::LayerKind kind) {
  model.layers.emplace_back();
  model.layers.back().kind = kind;
  return model.layers.back();
}
/// Prepends InputReduce (the only way into the sparse layers) with `slots` slots.
inline spec::ModelSpec sparse_model_of(int height, int width, int channels, const FixedType& input_type,
                                       int slots) {
  spec::ModelSpec model = model_of(height, width, channels, input_type);
  add_layer(model, spec::LayerKind::InputReduce).n_active = slots;
  return model;
}

inline std::string shape_name(const char* what, std::initializer_list<int> values) {
  std::ostringstream text;
  text << what;
  for (int value : values) text << ' ' << value;
  return text.str();
}

}  // namespace ops
