#pragma once
// Starting and waiting for child processes (the scheduler's runs, notification commands): one
// place for posix_spawn's file actions, a clean signal state and process groups.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::base {

struct SpawnOptions {
  std::vector<std::string> argv; ///< argv[0]: a path, or a name looked up in PATH
  /// Set in the child's environment, on top of ours.
  std::vector<std::pair<std::string, std::string>> environment;
  int output_fd = -1; ///< the child's stdout and stderr; -1: ours
  /// Its own process group, so a signal reaches it and the children that stay in its group, and
  /// a Ctrl-C at our terminal reaches only us: we decide what the child is told. (hyperd runs in
  /// a group of its own and exits when its parent's callback connection closes.)
  bool own_process_group = true;
};

/// Starts the child with stdin from /dev/null and every signal at its default, unblocked (an
/// ignored SIGTERM in the parent must not make the child deaf to it).
Result<pid_t> spawn_child(const SpawnOptions& options);

/// "exit 0", "exit 9", "killed by signal 15 (Terminated)".
std::string describe_wait_status(int status);

/// Waits for the child; past `timeout` its process group is killed (SIGKILL) and reaped.
/// Returns the wait status.
int wait_child(pid_t pid, std::chrono::milliseconds timeout);

} // namespace hyperpipe::base
