#pragma once
// The daemon's host on a real machine: the system clock, each run a child process in its own
// process group (its output in a log file per run), and SIGTERM/SIGINT/SIGCHLD read through a
// signalfd so that waiting, signals and finished children are one poll(). What a run is, and
// what to do when one ends, the caller says through hooks: this file knows processes, not
// pipelines.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "schedule/daemon.hpp"

namespace hyperpipe::schedule {

struct ProcessJob {
  std::string name;
  std::vector<std::string> argv;   ///< the command that performs one run
  std::filesystem::path log_dir;   ///< one file per run: its stdout and stderr
  std::size_t keep_logs = 100;     ///< newest run logs kept
};

struct EndedRun {
  std::string job;
  RunOutcome outcome;
  int wait_status = 0;
  Instant started;
  Instant ended;
  std::filesystem::path log;
};

struct ProcessHooks {
  /// How a run's wait status reads (succeeded, worth retrying, ...).
  std::function<RunOutcome(const std::string& job, int wait_status)> classify;
  /// Checked before each start (e.g. that no other process holds the pipeline's run lock).
  std::function<Status(const std::string& job)> may_start;
  std::function<void(const EndedRun& run)> ended;
  /// A run could not be started at all (the program or its log): the message says why.
  std::function<void(const std::string& job, const std::string& message, Instant at)> could_not_start;
  std::function<void(const Decision& decision)> log;
  std::function<void(const std::string& job, Instant last_fire)> remember;
};

class ProcessHost : public DaemonHost {
public:
  /// Blocks SIGTERM, SIGINT and SIGCHLD for this thread and reads them from a signalfd. The
  /// first SIGTERM or SIGINT is a stop in `stop_mode`; any later one aborts.
  static Result<std::unique_ptr<ProcessHost>> create(std::vector<ProcessJob> jobs, ProcessHooks hooks, StopMode stop_mode);
  ~ProcessHost() override;

  Instant now() override;
  Status start(const Action& action) override;
  void signal(const Action& action) override;
  void log(const Decision& decision) override { m_hooks.log(decision); }
  void remember(const std::string& job, Instant last_fire) override { m_hooks.remember(job, last_fire); }
  std::vector<HostEvent> wait(std::optional<Instant> deadline) override;

private:
  struct Child {
    pid_t pid = -1;
    Instant started;
    std::filesystem::path log;
  };
  ProcessHost(std::vector<ProcessJob> jobs, ProcessHooks hooks, StopMode stop_mode, base::UniqueFd signals)
      : m_jobs(std::move(jobs)), m_hooks(std::move(hooks)), m_stop_mode(stop_mode), m_signals(std::move(signals)) {}
  const ProcessJob* find(const std::string& name) const;
  Result<Child> launch(const ProcessJob& job, const Action& action, Instant started) const;
  void reap(std::vector<HostEvent>& events);
  void prune_logs(const ProcessJob& job) const;

  std::vector<ProcessJob> m_jobs;
  ProcessHooks m_hooks;
  StopMode m_stop_mode;
  base::UniqueFd m_signals;
  std::map<std::string, Child> m_children;
  int m_stop_requests = 0;
};

} // namespace hyperpipe::schedule
