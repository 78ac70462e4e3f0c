#include "sparsepixels/util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <string_view>

extern char** environ;

namespace sparsepixels::util {

int run_program(const std::vector<std::string>& arguments, const std::string& log_path,
                const std::string& working_directory) {
  if (arguments.empty()) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The log is opened before the change of folder, so a relative log path means the caller's folder.
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!working_directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

// The child's side: run the work, send its message, exit without the caller's exit handlers.
[[noreturn]] void run_child(const std::function<std::string()>& work, int out) {
  // A fault kills the child plainly: the caller's handlers (a sanitizer's, a fuzzer's, Python's) would
  // report it, or write files, as if the caller had crashed.
  for (const int fatal : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) ::signal(fatal, SIG_DFL);
  const int null = open("/dev/null", O_WRONLY);
  if (null >= 0) dup2(null, STDERR_FILENO);
  std::string message;
  int code = 0;
  try {
    message = work();
    code = message.empty() ? 0 : 3;
  } catch (const std::exception& e) {
    message = e.what();
    code = 3;
  } catch (...) {
    message = "unknown exception";
    code = 3;
  }
  std::string_view rest = message;
  while (!rest.empty()) {
    const ssize_t written = write(out, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  _exit(code);
}

}  // namespace

IsolatedOutcome run_isolated(const std::function<std::string()>& work, std::chrono::milliseconds limit,
                             const std::function<void(const std::function<void()>&)>& fork_within) {
  IsolatedOutcome outcome;
  int pipe_ends[2];
  if (pipe2(pipe_ends, O_CLOEXEC) != 0) {
    outcome.message = "cannot make a pipe";
    return outcome;
  }
  pid_t child = -1;
  const std::function<void()> start = [&] {
    child = fork();
    if (child == 0) {
      close(pipe_ends[0]);
      run_child(work, pipe_ends[1]);
    }
  };
  if (fork_within) {
    fork_within(start);
  } else {
    start();
  }
  if (child < 0) {
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    outcome.message = "cannot start a child process";
    return outcome;
  }
  close(pipe_ends[1]);

  // Read the message until the child closes its end (it exits) or the time is up.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  char buffer[4096];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd waiting{pipe_ends[0], POLLIN, 0};
    const int ready = poll(&waiting, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t got = read(pipe_ends[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of file: the child is gone
    if (outcome.message.size() < 65536) outcome.message.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_ends[0]);
  if (timed_out) kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) break;
  }
  if (timed_out) {
    outcome.status = IsolatedOutcome::Status::TimedOut;
  } else if (WIFSIGNALED(status)) {
    outcome.status = IsolatedOutcome::Status::Crashed;
    outcome.signal = WTERMSIG(status);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && outcome.message.empty()) {
    outcome.status = IsolatedOutcome::Status::Passed;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && !outcome.message.empty()) {
    outcome.status = IsolatedOutcome::Status::Rejected;
  } else {
    outcome.status = IsolatedOutcome::Status::Crashed;  // e.g. a sanitizer's exit after a fault
  }
  return outcome;
}

}  // namespace sparsepixels::util
