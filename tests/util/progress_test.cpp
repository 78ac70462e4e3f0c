// The progress line: its text (bar, counts, rate, ETA), redraw throttling, erasing, and silence when
// disabled, checked against hand-written expected lines with an injected clock and a string stream.
#include "sparsepixels/util/progress.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sparsepixels::util::format_duration;
using sparsepixels::util::Progress;
using sparsepixels::util::ProgressOptions;
using sparsepixels::util::ProgressTicker;
using Clock = std::chrono::steady_clock;

// A clock the test moves by hand.
struct FakeClock {
  Clock::time_point now{};
  void advance(std::chrono::milliseconds step) { now += step; }
};

ProgressOptions options_for(std::ostream* screen, const std::shared_ptr<FakeClock>& clock,
                            const std::string& unit = "events") {
  ProgressOptions options;
  options.stream = screen;
  options.now = [clock] { return clock->now; };
  options.unit = unit;
  options.bar_width = 8;
  return options;
}

TEST(ProgressFormat, DurationsAreMinutesSecondsOrHours) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(-3), "0:00");
  EXPECT_EQ(format_duration(59.9), "0:59");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3661), "1:01:01");
}

TEST(Progress, FirstDrawShowsTheEmptyBar) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("train", 4, options_for(&screen, clock, "epochs"));
  EXPECT_EQ(screen.str(), "\rtrain  [--------]  0/4  0%");
}

TEST(Progress, ElapsedTimeShowsBeforeTheFirstStep) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("train", 4, options_for(&screen, clock, "epochs"));
  screen.str("");
  clock->advance(83500ms);
  progress.refresh();
  EXPECT_EQ(screen.str(), "\rtrain  [--------]  0/4  0%  1:23 elapsed");
}

TEST(Progress, UpdateShowsRateEtaAndNote) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("train", 4, options_for(&screen, clock, "epochs"));
  screen.str("");
  clock->advance(2000ms);
  progress.update(1, "loss 0.5");
  // 1 of 4 in 2 s: 0.5 epochs/s, 3 left take 6 s; 1/4 of 8 characters is 2.
  EXPECT_EQ(screen.str(), "\rtrain  [##------]  1/4  25%  0.50 epochs/s  ETA 0:06  loss 0.5");
}

TEST(Progress, RedrawsAtMostOncePerInterval) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("events", 1000, options_for(&screen, clock));
  screen.str("");
  clock->advance(50ms);
  progress.update(10);
  EXPECT_EQ(screen.str(), "") << "redrawn 50 ms after the first draw";
  clock->advance(50ms);
  progress.update(20);
  // 20 events in 0.1 s = 200/s; 980 left = 4.9 s.
  EXPECT_EQ(screen.str(), "\revents  [--------]  20/1000  2%  200 events/s  ETA 0:04");
  screen.str("");
  clock->advance(99ms);
  progress.refresh();
  EXPECT_EQ(screen.str(), "");
}

TEST(Progress, CompletionDrawsAtOnceAndFinishEndsTheLine) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("csim", 2, options_for(&screen, clock, "projects"));
  screen.str("");
  clock->advance(10ms);
  progress.advance(1);
  EXPECT_EQ(screen.str(), "");
  clock->advance(70000ms);
  progress.advance(1, "0 mismatches");
  // 2 in 70.01 s = 0.0286/s, shown with two decimals.
  EXPECT_EQ(screen.str(), "\rcsim  [########]  2/2  100%  0.03 projects/s  done in 1:10  0 mismatches");
  screen.str("");
  progress.finish();
  EXPECT_EQ(screen.str(), "\rcsim  [########]  2/2  100%  0.03 projects/s  done in 1:10  0 mismatches\n");
  screen.str("");
  progress.update(5, "late");
  progress.finish();
  EXPECT_EQ(screen.str(), "") << "drawn after finish()";
}

TEST(Progress, ShorterLineBlanksTheRestOfTheLongerOne) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("p", 10, options_for(&screen, clock));
  clock->advance(1000ms);
  progress.update(1, "a long note here");
  screen.str("");
  // The long note replaced by "x": the characters left over are blanked with spaces.
  const std::string before = progress.render();
  progress.update(10, "x");
  const std::string after = "p  [########]  10/10  100%  10.0 events/s  done in 0:01  x";
  const std::string old_line = "p  [--------]  1/10  10%  1.00 events/s  ETA 0:09  a long note here";
  EXPECT_EQ(before, old_line);
  EXPECT_EQ(screen.str(), "\r" + after + std::string(old_line.size() - after.size(), ' '));
}

TEST(Progress, AboveErasesWritesTheLineAndRedraws) {
  std::ostringstream screen, out;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("train", 4, options_for(&screen, clock, "epochs"));
  const std::string first = "train  [--------]  0/4  0%";
  screen.str("");
  progress.above(out, "epoch 1 loss 0.7");
  EXPECT_EQ(out.str(), "epoch 1 loss 0.7\n");
  // Erased with blanks between two '\r', then drawn again.
  std::string expected(1, '\r');
  expected.append(first.size(), ' ');
  expected.append("\r\r");
  expected.append(first);
  EXPECT_EQ(screen.str(), expected);
}

TEST(Progress, UnknownTotalShowsSpinnerElapsedAndCount) {
  std::ostringstream screen;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("compile", 0, options_for(&screen, clock));
  EXPECT_EQ(screen.str(), "\rcompile  | 0:00");
  screen.str("");
  clock->advance(65000ms);
  progress.refresh();
  EXPECT_EQ(screen.str(), "\rcompile  / 1:05");
  screen.str("");
  clock->advance(1000ms);
  progress.update(132);
  EXPECT_EQ(screen.str(), "\rcompile  - 1:06  132 events  2.00 events/s");
}

TEST(Progress, DisabledWritesNothingButTheLinesAbove) {
  std::ostringstream out;
  auto clock = std::make_shared<FakeClock>();
  Progress progress("train", 4, options_for(nullptr, clock, "epochs"));
  EXPECT_FALSE(progress.enabled());
  clock->advance(1000ms);
  progress.update(1, "note");
  progress.above(out, "epoch 1");
  progress.finish();
  EXPECT_EQ(out.str(), "epoch 1\n");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(Progress, OverrideAndRedirectionTurnTheDisplayOff) {
  const char* saved = std::getenv("SPARSEPIXELS_NO_PROGRESS");
  const std::string saved_value = saved ? saved : "";
  setenv("SPARSEPIXELS_NO_PROGRESS", "1", 1);
  EXPECT_FALSE(sparsepixels::util::progress_wanted());
  EXPECT_EQ(sparsepixels::util::terminal_progress().stream, nullptr);
  setenv("SPARSEPIXELS_NO_PROGRESS", "0", 1);
  EXPECT_EQ(sparsepixels::util::progress_wanted(), isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1);
  if (saved) {
    setenv("SPARSEPIXELS_NO_PROGRESS", saved_value.c_str(), 1);
  } else {
    unsetenv("SPARSEPIXELS_NO_PROGRESS");
  }
}

TEST(Progress, ConcurrentAdvancesAllCount) {
  std::ostringstream screen;
  ProgressOptions options;
  options.stream = &screen;
  options.bar_width = 4;
  Progress progress("jobs", 8000, options);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&progress] {
      for (int k = 0; k < 2000; ++k) progress.advance(1);
    });
  }
  for (std::thread& worker : workers) worker.join();
  // 4 x 2000 advances of one: every one counted, so the bar completed (drawn at once when complete).
  EXPECT_NE(screen.str().find("[####]  8000/8000  100%"), std::string::npos);
  EXPECT_EQ(progress.render().substr(0, 28), "jobs  [####]  8000/8000  100");
}

TEST(ProgressTicker, RefreshesWhileAlive) {
  std::ostringstream screen;
  ProgressOptions options;
  options.stream = &screen;
  options.redraw_interval = 0ms;
  Progress progress("compile", 0, options);
  {
    ProgressTicker ticker(progress, 5ms);
    std::this_thread::sleep_for(200ms);
  }
  const std::string drawn = screen.str();
  // The first draw plus at least two refreshes in 200 ms at a 5 ms period.
  EXPECT_GE(std::count(drawn.begin(), drawn.end(), '\r'), 3) << drawn;
}

}  // namespace
