#include "sparsepixels/util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace sparsepixels::util {

namespace {

// Seconds between two time points of the steady clock.
double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Three significant digits at most, so the line does not jitter between widths.
std::string format_rate(double rate) {
  if (rate >= 100) return fmt::format("{:.0f}", rate);
  if (rate >= 10) return fmt::format("{:.1f}", rate);
  return fmt::format("{:.2f}", rate);
}

}  // namespace

bool progress_wanted() {
  const char* off = std::getenv("SPARSEPIXELS_NO_PROGRESS");
  if (off != nullptr && *off != '\0' && std::string(off) != "0") return false;
  // Off when stdout is redirected (logs, pipes) and when stderr, where the line is drawn, is.
  return isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
}

ProgressOptions terminal_progress(std::string unit) {
  ProgressOptions options;
  options.stream = progress_wanted() ? &std::cerr : nullptr;
  options.unit = std::move(unit);
  return options;
}

std::string format_duration(double seconds) {
  const long long total = seconds > 0 ? static_cast<long long>(std::floor(seconds)) : 0;
  const long long hours = total / 3600, minutes = (total % 3600) / 60, rest = total % 60;
  if (hours > 0) return fmt::format("{}:{:02d}:{:02d}", hours, minutes, rest);
  return fmt::format("{}:{:02d}", minutes, rest);
}

Progress::Progress(std::string label, std::size_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  start_ = options_.now();
  last_draw_ = start_;
  if (enabled()) {
    std::lock_guard lock(mutex_);
    draw_locked(start_);
  }
}

Progress::~Progress() {
  finish();
}

void Progress::update(std::size_t done, const std::string& note) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  set_locked(done, note);
}

void Progress::advance(std::size_t count, const std::string& note) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);  // one lock for read and write, so concurrent advances all count
  set_locked(done_ + count, note);
}

void Progress::set_locked(std::size_t done, const std::string& note) {
  if (finished_) return;
  done_ = done;
  if (!note.empty()) note_ = note;
  const auto now = options_.now();
  const bool complete = total_ > 0 && done_ >= total_;
  if (!drawn_ || complete || now - last_draw_ >= options_.redraw_interval) draw_locked(now);
}

void Progress::refresh() {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  const auto now = options_.now();
  if (now - last_draw_ >= options_.redraw_interval) draw_locked(now);
}

void Progress::above(std::ostream& out, const std::string& line) {
  std::lock_guard lock(mutex_);
  const bool live = enabled() && !finished_;
  if (live && drawn_) erase_locked();
  out << line << "\n" << std::flush;
  if (live) draw_locked(options_.now());
}

void Progress::finish(const std::string& note) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  if (!note.empty()) note_ = note;
  draw_locked(options_.now());
  *options_.stream << "\n" << std::flush;
  finished_ = true;
}

std::string Progress::render() const {
  std::lock_guard lock(mutex_);
  return render_locked(options_.now());
}

std::string Progress::render_locked(std::chrono::steady_clock::time_point now) const {
  const double elapsed = seconds_between(start_, now);
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  std::string text = label_;
  if (total_ > 0) {
    const std::size_t shown = std::min(done_, total_);
    const std::size_t filled = shown * options_.bar_width / total_;
    text += fmt::format("  [{}{}]  {}/{}  {}%", std::string(filled, '#'),
                        std::string(options_.bar_width - filled, '-'), done_, total_, shown * 100 / total_);
    if (done_ > 0 && elapsed > 0) text += fmt::format("  {} {}/s", format_rate(rate), options_.unit);
    if (done_ >= total_) {
      text += "  done in " + format_duration(elapsed);
    } else if (done_ > 0 && rate > 0) {
      text += "  ETA " + format_duration(static_cast<double>(total_ - done_) / rate);
    } else if (elapsed >= 1) {
      text += "  " + format_duration(elapsed) + " elapsed";  // a sign of life before the first step
    }
  } else {
    static const char kSpinner[] = {'|', '/', '-', '\\'};
    text += fmt::format("  {} {}", kSpinner[draws_ % 4], format_duration(elapsed));
    if (done_ > 0) {
      text += fmt::format("  {} {}", done_, options_.unit);
      if (elapsed > 0) text += fmt::format("  {} {}/s", format_rate(rate), options_.unit);
    }
  }
  if (!note_.empty()) text += "  " + note_;
  return text;
}

void Progress::draw_locked(std::chrono::steady_clock::time_point now) {
  const std::string text = render_locked(now);
  std::string line = "\r" + text;
  // Blank what a longer previous line left on screen.
  if (drawn_ && drawn_width_ > text.size()) line += std::string(drawn_width_ - text.size(), ' ');
  *options_.stream << line << std::flush;
  drawn_ = true;
  drawn_width_ = text.size();  // the padding blanked the rest
  last_draw_ = now;
  ++draws_;
}

void Progress::erase_locked() {
  *options_.stream << "\r" << std::string(drawn_width_, ' ') << "\r" << std::flush;
  drawn_ = false;
  drawn_width_ = 0;
}

ProgressTicker::ProgressTicker(Progress& progress, std::chrono::milliseconds interval) : progress_(progress) {
  if (!progress_.enabled()) return;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stop_; })) progress_.refresh();
  });
}

ProgressTicker::~ProgressTicker() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace sparsepixels::util
