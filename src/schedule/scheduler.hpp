#pragma once
// The scheduler's decisions, as a pure state machine: given the time, the jobs and what became
// of their runs, it says what to start, what to stop and why. It never reads a clock, starts a
// process or sleeps; the daemon (src/daemon/) does, and tests drive it on a simulated clock.
//
// The rules, per job (documented in docs/pipeline.md, "The scheduler daemon"):
//   - overlap: a fire while the previous run is still going is skipped, or queued (at most one
//     queued run; a later fire while one waits is skipped);
//   - catch-up after downtime: fire times missed while the scheduler was not running are
//     ignored (none), or run once at start-up (once). Several fire times that pass while the
//     scheduler sleeps (a suspended laptop) fire once;
//   - max run time: a run going past it is asked to stop (the daemon sends SIGTERM), and killed
//     after a grace period if it has not;
//   - retries: a failed run (not one whose pipeline file is invalid, nor one that found the
//     pipeline locked by another run) is run again after a backoff that doubles each attempt,
//     up to a cap; a fire or a queued run that comes first replaces the pending retry;
//   - stopping: no new runs; current runs finish (finish) or are asked to stop (abort); a
//     second stop request while finishing aborts.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "schedule/cron.hpp"

namespace hyperpipe::schedule {

enum class Overlap { skip, queue };
enum class CatchUp { none, once };
enum class StopMode { finish, abort };

struct JobSpec {
  std::string name;
  CronSchedule cron;
  const date::time_zone* zone = nullptr;
  Overlap overlap = Overlap::skip;
  CatchUp catch_up = CatchUp::none;
  std::optional<std::chrono::seconds> max_run_time;
  int retries = 0;                              ///< extra attempts after a failed run
  std::chrono::seconds retry_backoff{60};       ///< before the first retry; doubles after
  std::chrono::seconds retry_backoff_max{3600};
  /// The last fire time the scheduler handled (run or skipped), as it remembered it across a
  /// restart; none: the job is new, and nothing was missed.
  std::optional<Instant> last_fire;
};

enum class Reason { schedule, catch_up, queued, retry };
std::string_view reason_name(Reason reason);

/// One logged decision: "fired", "skipped", "queued", "missed", "caught up", "retry scheduled",
/// "retry dropped", "gave up", "not retried", "timed out", "killed", "succeeded", "failed",
/// "stopping", "aborting".
struct Decision {
  Instant at;
  std::string job;
  std::string what;
  std::string detail;
};

struct Action {
  enum class Kind { start, terminate, kill };
  Kind kind = Kind::start;
  std::string job;
  Reason reason = Reason::schedule; ///< start: why
  int attempt = 1;                  ///< start: 1, then 2, 3 ... for retries
  Instant fire_time;                ///< start: the fire time the run is for
};

/// How a run ended, as the daemon saw it.
struct RunOutcome {
  enum class Kind {
    succeeded,
    failed,         ///< worth retrying (a source, the server, hyperd ...)
    failed_for_good, ///< retrying cannot help (the pipeline file is invalid)
    locked,         ///< another process was running the pipeline
  };
  Kind kind = Kind::succeeded;
  std::string detail; ///< "exit 9", "killed by signal 15"
};

class Scheduler {
public:
  static constexpr std::chrono::seconds k_kill_grace{30};

  /// Starts the clock at `now`: decides catch-up for jobs that remember a last fire time.
  Scheduler(std::vector<JobSpec> jobs, Instant now);

  /// Everything due at `now`: fires, retries, queued runs, timeouts and kills.
  std::vector<Action> advance(Instant now);
  /// The run of `job` ended; follow with advance() for what starts next.
  void finished(const std::string& job, const RunOutcome& outcome, Instant now);
  /// The daemon could not start the run it was told to (the message says why); not retried.
  void start_failed(const std::string& job, const std::string& message, Instant now);
  /// A stop request (SIGTERM): the first in `mode`, any later one aborts.
  void stop(StopMode mode, Instant now);

  /// When advance() next has something to do; none: only a finished run can change anything.
  std::optional<Instant> next_wakeup() const;
  /// Stopping, and no run is left.
  bool done() const;
  std::vector<std::string> job_names() const;
  /// The newest fire time handled per job, to remember across restarts.
  std::optional<Instant> last_fire(const std::string& job) const;

  /// Decisions since the last call, oldest first.
  std::vector<Decision> take_decisions();

private:
  struct Run {
    Instant started;
    Instant fire_time;
    Reason reason = Reason::schedule;
    int attempt = 1;
    std::optional<Instant> terminated; ///< when it was asked to stop
    bool killed = false;
  };
  struct Retry {
    Instant at;
    Instant fire_time;
    int attempt = 2;
  };
  struct Job {
    JobSpec spec;
    std::optional<Instant> next_fire; ///< none: the schedule never fires again
    std::optional<Run> run;
    std::optional<Instant> queued; ///< fire time of the queued run
    std::optional<Retry> retry;
    std::optional<Instant> start_now; ///< catch-up at start-up: fire time to run for
    std::optional<Instant> last_fire;
  };

  Job* find(const std::string& name);
  const Job* find(const std::string& name) const;
  void decide(Instant at, const std::string& job, std::string what, std::string detail); ///< job "": the scheduler
  void fire(Job& job, Instant fire_time, Instant now, std::vector<Action>& actions);
  Action start(Job& job, Reason reason, int attempt, Instant fire_time, Instant now);

  std::vector<Job> m_jobs;
  std::vector<Decision> m_decisions;
  std::optional<StopMode> m_stopping;
  bool m_abort_sent = false;
};

} // namespace hyperpipe::schedule
