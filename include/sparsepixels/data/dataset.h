#pragma once
// The one dataset file format of the project (HDF5; see docs/datasets.md) and the built-in generator.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sparsepixels::data {

/// One split in memory: x is float32, event-major, N x H x W x C (channel-last); y int32 labels.
struct Split {
  std::size_t height = 0, width = 0, channels = 0;
  std::vector<float> x;
  std::vector<std::int32_t> y;
  std::size_t size() const { return y.size(); }
  std::size_t event_size() const { return height * width * channels; }
  const float* event(std::size_t i) const { return x.data() + i * event_size(); }
};

/// The root attributes of a dataset file and the number of events of each split.
struct DatasetInfo {
  std::string source, transform;
  double threshold = 0;
  std::vector<std::string> class_names;
  std::size_t height = 0, width = 0, channels = 0;
  std::map<std::string, std::size_t> split_sizes;
};

/// The version written to the root attribute `format_version`; readers reject any other.
inline constexpr int kDatasetFormatVersion = 1;

/// The split names every dataset file holds, in file order.
inline const std::vector<std::string>& split_names() {
  static const std::vector<std::string> names{"train", "val", "test"};
  return names;
}

/// The shape of one event: height x width x channels.
struct EventShape {
  std::size_t height = 0, width = 0, channels = 0;
  friend bool operator==(const EventShape&, const EventShape&) = default;
};

/// An event shape from a model's (positive) int sizes.
inline EventShape event_shape(int height, int width, int channels) {
  return {static_cast<std::size_t>(height), static_cast<std::size_t>(width),
          static_cast<std::size_t>(channels)};
}

/// Throws Error("<data_path>: events are HxWxC but the model <model_path> takes hxwxc") unless the
/// dataset's events have the shape the model takes. Every command reading data for a model calls it
/// before reading any event.
void require_event_shape(const std::string& data_path, const EventShape& data, const std::string& model_path,
                         const EventShape& model);

/// Reads and validates the root attributes and the shapes of every split (not the pixel values).
DatasetInfo read_dataset_info(const std::string& path);

/// Reads events [first, first+count) of a split ("train", "val", "test"); count 0 = to the end.
/// Validates the schema, that every value is finite and every label is a valid class index.
Split read_split(const std::string& path, const std::string& split, std::size_t first = 0,
                 std::size_t count = 0);

/// Streams a split in chunks of `chunk_events` with bounded memory.
class SplitReader {
 public:
  SplitReader(const std::string& path, const std::string& split, std::size_t chunk_events);
  ~SplitReader();
  SplitReader(const SplitReader&) = delete;
  SplitReader& operator=(const SplitReader&) = delete;
  /// Fills `chunk` with the next events (at most chunk_events); false when the split is exhausted.
  bool next(Split& chunk);
  /// The number of events in the split.
  std::size_t size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Writes a dataset file split by split and chunk by chunk (bounded memory) to a temporary name in the
/// destination folder; finish() renames it to `path`. Destroyed unfinished, it removes the temporary.
class DatasetWriter {
 public:
  /// `info.split_sizes` is ignored: sizes follow from what is appended.
  DatasetWriter(const std::string& path, const DatasetInfo& info);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;
  /// Appends events to a split; validates shape, finiteness and label range.
  void append(const std::string& split, const Split& events);
  /// Closes the file and renames it to its final name.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Writes a whole dataset file at once (through DatasetWriter).
void write_dataset(const std::string& path, const DatasetInfo& info, const Split& train, const Split& val,
                   const Split& test);

/// Parameters of the built-in generator (defaults: the MicroBooNE-like geometry of reference 7.3).
struct SyntheticOptions {
  /// Probability that a neutrino-like event also carries one cosmic track (the real data is an overlay).
  double cosmic_overlay_probability = 0.3;
};

/// The built-in LArTPC-like generator: 63x63x1 events, labels 1 = neutrino-like, 0 = cosmic background.
Split generate_synthetic(std::size_t events, std::uint64_t seed);

/// The generator with explicit options.
Split generate_synthetic(std::size_t events, std::uint64_t seed, const SyntheticOptions& options);

}  // namespace sparsepixels::data
