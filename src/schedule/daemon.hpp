#pragma once
// The scheduler daemon's loop: ask the Scheduler what is due, have the host do it, wait for the
// next thing to happen, repeat until a stop request has been carried out. Every side effect
// (clock, child processes, signals, logs, the remembered fire times) is the host's, so tests
// run months of schedules on a simulated clock in milliseconds.

#include <optional>
#include <string>
#include <vector>

#include "schedule/scheduler.hpp"

namespace hyperpipe::schedule {

struct HostEvent {
  enum class Kind { run_ended, stop_requested };
  Kind kind = Kind::run_ended;
  std::string job;    ///< run_ended
  RunOutcome outcome; ///< run_ended
  StopMode stop = StopMode::finish;
};

class DaemonHost {
public:
  virtual ~DaemonHost() = default;
  virtual Instant now() = 0;
  /// Starts a run; an error (the pipeline is locked, the program cannot start) skips it.
  virtual Status start(const Action& action) = 0;
  /// Asks a run to stop (Action::Kind::terminate) or ends it (kill).
  virtual void signal(const Action& action) = 0;
  virtual void log(const Decision& decision) = 0;
  /// The newest fire time handled for a job, kept across restarts (catch-up reads it).
  virtual void remember(const std::string& job, Instant last_fire) = 0;
  /// Blocks until `deadline` (none: indefinitely) or until something happens; returns what
  /// happened (nothing, at the deadline).
  virtual std::vector<HostEvent> wait(std::optional<Instant> deadline) = 0;
};

/// Runs until a stop request has been carried out (every run finished or stopped).
void run_daemon(Scheduler& scheduler, DaemonHost& host);

} // namespace hyperpipe::schedule
