#include "sparsepixels/util/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using sparsepixels::util::IsolatedOutcome;
using sparsepixels::util::run_isolated;
using namespace std::chrono_literals;

TEST(RunIsolated, PassesRejectsWithTheMessageAndSeesTheCallersMemory) {
  const std::string secret = "held by the caller";
  const IsolatedOutcome passed =
      run_isolated([&] { return secret == "held by the caller" ? "" : "lost"; }, 10s);
  EXPECT_EQ(passed.status, IsolatedOutcome::Status::Passed) << passed.message;

  const std::string long_message(100000, 'x');  // longer than a pipe's buffer: read while it is written
  const IsolatedOutcome rejected = run_isolated([&] { return "bad: " + long_message; }, 10s);
  EXPECT_EQ(rejected.status, IsolatedOutcome::Status::Rejected);
  EXPECT_EQ(rejected.message.substr(0, 7), "bad: xx");

  const IsolatedOutcome thrown =
      run_isolated([]() -> std::string { throw std::runtime_error("thrown"); }, 10s);
  EXPECT_EQ(thrown.status, IsolatedOutcome::Status::Rejected);
  EXPECT_EQ(thrown.message, "thrown");
}

TEST(RunIsolated, AChildThatDiesOrHangsDoesNotTakeTheCallerWithIt) {
  for (const int signal_number : {SIGSEGV, SIGABRT, SIGBUS}) {
    const IsolatedOutcome crashed = run_isolated(
        [&]() -> std::string {
          ::signal(signal_number, SIG_DFL);
          ::raise(signal_number);
          return "still alive";
        },
        10s);
    EXPECT_EQ(crashed.status, IsolatedOutcome::Status::Crashed);
    EXPECT_EQ(crashed.signal, signal_number);
  }
  const IsolatedOutcome exited = run_isolated([]() -> std::string { ::_exit(1); }, 10s);
  EXPECT_EQ(exited.status, IsolatedOutcome::Status::Crashed);

  const auto start = std::chrono::steady_clock::now();
  const IsolatedOutcome hung = run_isolated(
      []() -> std::string {
        for (;;) std::this_thread::sleep_for(1s);
      },
      300ms);
  EXPECT_EQ(hung.status, IsolatedOutcome::Status::TimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
