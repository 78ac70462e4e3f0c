#pragma once
// Running an external program (gnuplot, g++ for C simulation): one runner for the whole project; and
// running risky work (a library parsing untrusted bytes) in a child process.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sparsepixels::util {

/// Runs `arguments` (argv[0] looked up in PATH; no shell, so nothing needs quoting) with stdin from
/// /dev/null and stdout and stderr into `log_path`, in `working_directory` when it is not empty.
/// Returns the exit status, or -1 when the program could not be started or was killed by a signal.
int run_program(const std::vector<std::string>& arguments, const std::string& log_path,
                const std::string& working_directory = {});

/// What became of work run in a child process by run_isolated.
struct IsolatedOutcome {
  enum class Status {
    Passed,    ///< the work returned an empty message
    Rejected,  ///< the work returned (or threw) a message: `message`
    Crashed,   ///< the child died of a signal (`signal`) or exited without saying why
    TimedOut,  ///< the child was killed after the time limit
    NotRun,    ///< no child could be made (fork or pipe failed): `message`
  };
  Status status = Status::NotRun;
  std::string message;
  int signal = 0;
};

/// Runs `work` in a forked child process and waits at most `limit` for it: what may crash or hang
/// (a library reading untrusted bytes) cannot take the caller with it. `work` returns an empty string
/// when all is well and a message otherwise (an exception it throws counts as its message). The child
/// keeps the caller's memory (copy on write), writes nothing to the caller's output (its stderr goes
/// to /dev/null) and ends with _exit, so no exit handler of the caller runs twice.
/// Only the calling thread exists in the child: a lock another thread held at the fork stays held
/// there. `fork_within`, when given, is called with the function that forks and must call it once,
/// e.g. while holding a library's lock so that no other thread is inside that library at the fork.
IsolatedOutcome run_isolated(const std::function<std::string()>& work, std::chrono::milliseconds limit,
                             const std::function<void(const std::function<void()>&)>& fork_within = {});

}  // namespace sparsepixels::util
