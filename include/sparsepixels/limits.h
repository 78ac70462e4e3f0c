#pragma once
// The limits every input is checked against before anything is allocated or computed: configs, model
// files, command-line options, vendor reports. docs/limits.md lists each one, where it is checked and
// the exit code. Counts multiply in 64-bit arithmetic against these bounds, so no check can overflow.

#include <cstddef>
#include <cstdint>

namespace sparsepixels::limits {

/// Height and width of an input image.
inline constexpr int kMaxImageSide = 4096;
/// Channels of an input image; filters of a convolution.
inline constexpr int kMaxChannels = 4096;
/// Convolution kernel side: the HLS kernels (hls/nnet_utils) take at most 15.
inline constexpr int kMaxKernel = 15;
/// Pixel budget N (n_active) of an InputReduce.
inline constexpr int kMaxActive = 65536;
/// Units of a Dense layer.
inline constexpr int kMaxUnits = 65536;
/// Values of one event between two layers (height x width x channels, or slots x channels).
inline constexpr std::int64_t kMaxValuesPerEvent = std::int64_t{1} << 24;
/// Weights of one layer (and so its fan-in).
inline constexpr std::int64_t kMaxParametersPerLayer = std::int64_t{1} << 26;
/// Layers of one model.
inline constexpr std::size_t kMaxLayers = 10000;
/// Events per training batch.
inline constexpr int kMaxBatchSize = 65536;
/// Worker threads of any command (--threads, training.threads).
inline constexpr int kMaxThreads = 1024;
/// Nesting of a model file (JSON) and of a vendor report (XML); real files nest fewer than 10 levels.
inline constexpr int kMaxNestingDepth = 256;
/// Clock period in ns (configs, model files, --clock-ns).
inline constexpr double kMaxClockNs = 1000;
/// Seconds the child process that checks an untrusted HDF5 file's metadata may take.
inline constexpr int kHdf5CheckSeconds = 30;
/// Objects (groups and datasets) such a check visits before it calls a file unreasonable.
inline constexpr std::size_t kMaxHdf5Objects = 100000;
/// Bytes of one chunk of an HDF5 dataset (a reader holds whole chunks in memory).
inline constexpr std::size_t kMaxHdf5ChunkBytes = std::size_t{1} << 30;
/// Bytes of one HDF5 attribute's value.
inline constexpr std::size_t kMaxHdf5AttributeBytes = std::size_t{1} << 26;

}  // namespace sparsepixels::limits
