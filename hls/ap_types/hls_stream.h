// hls_stream.h: a minimal hls::stream for C simulation outside Vitis HLS.
//
// Implements the vendor's interface (read, write, empty, full, size, operator<< and >>, a name
// constructor) over a std::deque. Only for simulation: Vitis HLS uses its own header, and this is
// the one file under hls/ allowed to use std containers. Reading an empty stream is a simulation
// error (the hardware would stall forever), so it aborts with a message like the vendor's model.
#ifndef HLS_STREAM_SIM_H_
#define HLS_STREAM_SIM_H_

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

namespace hls {

/// A first-in first-out channel between two functions, as Vitis HLS's hls::stream<T>.
template <typename T>
class stream {
 public:
  stream() : name_("hls::stream") {}
  /// A named stream; the name appears in the message when an empty stream is read.
  explicit stream(const char* name) : name_(name) {}

  // A stream is a channel, not a value: copying one would duplicate its contents.
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  /// Removes and returns the oldest element; reading an empty stream aborts the simulation.
  T read() {
    if (fifo_.empty()) {
      std::fprintf(stderr, "hls::stream '%s': read while empty\n", name_.c_str());
      std::abort();
    }
    T value = fifo_.front();
    fifo_.pop_front();
    return value;
  }
  /// Reads into `value` (the vendor's blocking read with an output argument).
  void read(T& value) { value = read(); }
  /// Non-blocking read: returns false and leaves `value` alone when the stream is empty.
  bool read_nb(T& value) {
    if (fifo_.empty()) return false;
    value = read();
    return true;
  }
  /// Appends an element.
  void write(const T& value) { fifo_.push_back(value); }
  /// Non-blocking write: the simulation model is unbounded, so it always succeeds.
  bool write_nb(const T& value) {
    write(value);
    return true;
  }
  bool empty() const { return fifo_.empty(); }
  /// The simulation model never fills up.
  bool full() const { return false; }
  std::size_t size() const { return fifo_.size(); }
  const char* name() const { return name_.c_str(); }

  void operator>>(T& value) { read(value); }
  void operator<<(const T& value) { write(value); }

 private:
  std::string name_;
  std::deque<T> fifo_;
};

}  // namespace hls

#endif  // HLS_STREAM_SIM_H_
