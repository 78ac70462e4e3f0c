#pragma once
// A one-line progress display for long work (training epochs, events, csim projects): label, done of
// total, rate, ETA, redrawn in place with '\r' at most a few times a second, and silent when the output
// is not a terminal so that logs and pipes stay clean.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace sparsepixels::util {

/// True when progress displays are wanted: stdout and stderr are both terminals and the environment
/// variable SPARSEPIXELS_NO_PROGRESS is unset, empty or "0".
bool progress_wanted();

/// How a Progress draws; the defaults suit the command line (stderr, the steady clock, 10 redraws/s).
struct ProgressOptions {
  /// Where the line is drawn; nullptr disables the display (every call is then a no-op except above()).
  std::ostream* stream = nullptr;
  /// The clock; tests inject a fake one.
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  /// Minimum time between two redraws caused by update() or refresh().
  std::chrono::milliseconds redraw_interval{100};
  /// What is counted ("events", "epochs"...), shown beside the rate.
  std::string unit = "events";
  /// Characters of the bar between '[' and ']'.
  std::size_t bar_width = 24;
};

/// The options for a command-line progress display: stderr when progress_wanted(), else disabled.
ProgressOptions terminal_progress(std::string unit = "events");

/// One progress line. Thread-safe: update() and refresh() may be called from any thread.
///
///   train sparse-l  [##########--------------]  21/50  42%  1.9 epochs/s  ETA 0:15  loss 0.31
///
/// Before the first step the elapsed time stands in for the rate and ETA. With total 0 (unknown) the bar
/// is replaced by a spinner and the elapsed time. finish() draws the final state and
/// ends the line with a newline; the destructor finishes a line left open.
class Progress {
 public:
  Progress(std::string label, std::size_t total, ProgressOptions options = {});
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// True when something is drawn (a stream was given).
  bool enabled() const { return options_.stream != nullptr; }

  /// Sets the count done so far and, when `note` is not empty, the note shown after the ETA; redraws
  /// if the last redraw is older than the redraw interval or the count reached the total.
  void update(std::size_t done, const std::string& note = {});
  /// Adds `count` to the count done.
  void advance(std::size_t count = 1, const std::string& note = {});
  /// Redraws (elapsed time, spinner) without changing the count, subject to the redraw interval.
  void refresh();
  /// Writes `line` and a newline to `out` above the progress line: the line is erased first and redrawn
  /// after. When disabled, only writes the line.
  void above(std::ostream& out, const std::string& line);
  /// Draws the final state and ends the line; later calls do nothing.
  void finish(const std::string& note = {});

  /// The text of the line as it would be drawn now (without '\r' or padding).
  std::string render() const;

 private:
  void set_locked(std::size_t done, const std::string& note);
  std::string render_locked(std::chrono::steady_clock::time_point now) const;
  void draw_locked(std::chrono::steady_clock::time_point now);
  void erase_locked();

  std::string label_;
  std::size_t total_ = 0;
  ProgressOptions options_;
  mutable std::mutex mutex_;
  std::size_t done_ = 0;
  std::string note_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false, finished_ = false;
  std::size_t drawn_width_ = 0;  ///< characters on screen, to blank a longer previous line
  std::size_t draws_ = 0;        ///< redraws so far (drives the spinner of an unknown total)
};

/// Calls progress.refresh() every `interval` on a background thread while it lives, so that a phase
/// with no countable steps (a compile, a call with no callback) still shows its elapsed time. Starts no
/// thread when the progress display is disabled.
class ProgressTicker {
 public:
  explicit ProgressTicker(Progress& progress,
                          std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~ProgressTicker();
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

 private:
  Progress& progress_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

/// "m:ss" (or "h:mm:ss" from one hour on) for a non-negative number of seconds, rounded down.
std::string format_duration(double seconds);

}  // namespace sparsepixels::util
