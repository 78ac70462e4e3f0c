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

/// One split as hit lists: event i holds hits [offsets[i], offsets[i+1]); hit k is at row coords[2k], column
/// coords[2k+1] with channel values values[k*C .. k*C+C). Hits are strictly in raster order within an event,
/// and a pixel is a hit iff one of its channels is not +0.0 (bitwise, so -0.0 is kept and dense -> hits ->
/// dense is exact bit for bit).
struct HitSplit {
  std::size_t height = 0, width = 0, channels = 0;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::uint32_t> coords;
  std::vector<float> values;
  std::vector<std::int32_t> y;
  std::size_t size() const { return y.size(); }
  std::size_t hits() const { return static_cast<std::size_t>(offsets.back()); }
};

/// How a file stores events: `dense` (x: N x H x W x C) or `sparse` (hit lists: offsets, coords, values).
enum class DatasetLayout { dense, sparse };

/// "dense" or "sparse".
std::string layout_name(DatasetLayout layout);

/// The layout named "dense" or "sparse"; throws Error("<where>: ...") for any other text.
DatasetLayout parse_layout(const std::string& text, const std::string& where);

/// The root attributes of a dataset file and the number of events of each split.
struct DatasetInfo {
  std::string source, transform;
  double threshold = 0;
  std::vector<std::string> class_names;
  std::size_t height = 0, width = 0, channels = 0;
  std::map<std::string, std::size_t> split_sizes;
  /// Read from the root attribute `layout` (absent: dense); a writer writes this layout.
  DatasetLayout layout = DatasetLayout::dense;
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
/// Reads either layout: a sparse split's hits are validated before the dense events are allocated.
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
  /// The same as hit lists (offsets rebased to 0), from either layout.
  bool next(HitSplit& chunk);
  /// The number of events in the split.
  std::size_t size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The hits of dense events (raster order; every pixel with a channel that is not +0.0).
HitSplit to_hits(const Split& events);

/// The dense events of hit lists (validates them first, see validate_hit_offsets/validate_hit_coordinates).
Split to_dense(const HitSplit& events);

/// Where hit arrays come from, for the errors of the validation: "<path>: split <split>, event <k>: ...".
struct HitSource {
  std::string path, split;
  std::size_t first_event = 0;  // the file's index of offsets[0]'s event
};

/// Checks `events + 1` offsets of events [first_event, first_event + events) before any hit is read:
/// when first_event is 0 the first offset is 0; offsets never decrease; no event holds more hits than
/// `pixels` (height x width, so hits never need more memory than the dense events); no offset exceeds
/// `stored_hits`; and when `ends_split` the last offset equals `stored_hits`. Throws Error naming the file,
/// the split and the event.
void validate_hit_offsets(const HitSource& source, const std::int64_t* offsets, std::size_t events,
                          std::uint64_t stored_hits, std::uint64_t pixels, bool ends_split);

/// Checks the coordinates of the hits of validated offsets (hit k of the arrays is the file's hit
/// offsets[0] + k): row < height, column < width, and strictly increasing raster index (row * width +
/// column) within each event (so neither unsorted nor duplicate). Throws Error naming the event and hit.
void validate_hit_coordinates(const HitSource& source, const std::int64_t* offsets, std::size_t events,
                              const std::uint32_t* coords, std::size_t height, std::size_t width);

/// Reads events [first, first+count) of a split as hit lists (count 0 = to the end), from either layout
/// (dense events are converted). Offsets are rebased to start at 0. Validates as read_split does.
HitSplit read_hit_split(const std::string& path, const std::string& split, std::size_t first = 0,
                        std::size_t count = 0);

/// Writes a dataset file split by split and chunk by chunk (bounded memory) to a temporary name in the
/// destination folder; finish() renames it to `path`. Destroyed unfinished, it removes the temporary.
class DatasetWriter {
 public:
  /// `info.split_sizes` is ignored: sizes follow from what is appended; `info.layout` picks the layout.
  DatasetWriter(const std::string& path, const DatasetInfo& info);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;
  /// Appends events to a split; validates shape, finiteness and label range.
  void append(const std::string& split, const Split& events);
  /// Appends hit lists to a split (validated as a reader validates them).
  void append(const std::string& split, const HitSplit& events);
  /// Closes the file and renames it to its final name.
  void finish();

 private:
  void append_hits(const std::string& split, const HitSplit& events);
  struct State;
  std::unique_ptr<State> state_;
};

/// Copies the dataset file `input` to `output` in `layout`, split by split in chunks (bounded memory),
/// keeping its attributes; the events read back bit for bit the same. Refuses output == input (any spelling).
DatasetInfo convert_dataset(const std::string& input, const std::string& output, DatasetLayout layout);

/// Writes a whole dataset file at once (through DatasetWriter).
void write_dataset(const std::string& path, const DatasetInfo& info, const Split& train, const Split& val,
                   const Split& test);

/// Parameters of the built-in generator (defaults: the MicroBooNE-like geometry of reference 7.3).
struct SyntheticOptions {
  /// Probability that a neutrino-like event also carries one cosmic track (the real data is an overlay).
  double cosmic_overlay_probability = 0.3;
  /// The event size (docs/datasets.md, "Large images"): at most kMaxSyntheticSide on each side. The default
  /// 63x63 is the MicroBooNE-like window; other sizes render the same physics scaled to fill the image.
  std::size_t height = 63, width = 63;
  /// The mean number of active pixels per event (> 0): the physics is scaled to give it, in a window
  /// placed at random in the image; 0 = the physics fills the image (the default).
  double active = 0;
};

/// The largest side the generator makes (docs/limits.md).
inline constexpr std::size_t kMaxSyntheticSide = 2048;

/// The built-in LArTPC-like generator: 63x63x1 events (by default), labels 1 = neutrino-like, 0 = cosmic
/// background.
Split generate_synthetic(std::size_t events, std::uint64_t seed);

/// The generator with explicit options.
Split generate_synthetic(std::size_t events, std::uint64_t seed, const SyntheticOptions& options);

}  // namespace sparsepixels::data
