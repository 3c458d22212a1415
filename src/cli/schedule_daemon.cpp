// `hyperpipe schedule PIPELINE.yaml...`: the scheduler daemon. Each run is a child process
// (`hyperpipe run --trigger schedule`), so a run that crashes, leaks or hangs cannot take the
// daemon down, and stopping one is a signal to its process group. The rules of when to run are
// the Scheduler's (src/schedule/scheduler.hpp); this file connects them to pipelines: locks, the
// remembered fire times, the decision log, and the history and notifications for runs that could
// not record themselves.

#include "cli/schedule_daemon.hpp"

#include <sys/wait.h>

#include <fmt/format.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/tz.h>
#pragma GCC diagnostic pop

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "base/child_process.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pipeline_file.hpp"
#include "pipeline/run/run_records.hpp"
#include "net/http.hpp"
#include "pipeline/run/runner.hpp"
#include "pipeline/state/run_state.hpp"
#include "schedule/process_host.hpp"

namespace hyperpipe::cli {
namespace fs = std::filesystem;
namespace {

std::string utc_text(schedule::Instant at) { return date::format("%FT%TZ", at); }

fs::path remembered_file(const pipeline::PipelineSpec& spec) { return spec.state_dir / (spec.name + ".schedule.json"); }

std::optional<schedule::Instant> read_last_fire(const pipeline::PipelineSpec& spec) {
  std::ifstream in(remembered_file(spec));
  if (!in) {
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.contains("last_fire") || !json["last_fire"].is_string()) {
    return std::nullopt;
  }
  auto parsed = schedule::parse_instant(json["last_fire"].get<std::string>(), *date::locate_zone("UTC"));
  return parsed ? std::optional<schedule::Instant>(*parsed) : std::nullopt;
}

void write_last_fire(const pipeline::PipelineSpec& spec, schedule::Instant last_fire) {
  const nlohmann::json remembered = {{"last_fire", utc_text(last_fire)}};
  if (auto written = pipeline::write_file_atomically(remembered_file(spec), remembered.dump() + "\n"); !written) {
    fmt::print(stderr, "hyperpipe: warning: cannot remember the last fire time: {}\n", written.error().describe());
  }
}

schedule::RunOutcome classify(int status) {
  using Kind = schedule::RunOutcome::Kind;
  const std::string detail = base::describe_wait_status(status);
  if (WIFEXITED(status)) {
    switch (WEXITSTATUS(status)) {
    case k_exit_ok: return {Kind::succeeded, detail};
    case k_exit_busy: return {Kind::locked, detail};
    case k_exit_config: return {Kind::failed_for_good, detail + " (the pipeline file is invalid)"};
    case k_exit_outcome_unknown:
      return {Kind::failed_for_good, detail + " (a publish may have been applied: check the data source before running again)"};
    default: return {Kind::failed, detail};
    }
  }
  return {Kind::failed, detail};
}

/// One pipeline under the daemon: its spec and the lock that keeps a second daemon off it.
struct Scheduled {
  pipeline::PipelineSpec spec;
  pipeline::RunLock lock;
};

class DecisionLog {
public:
  DecisionLog(bool json, std::vector<std::string> secrets) : m_json(json), m_secrets(std::move(secrets)) {}

  void write(schedule::Instant at, const std::string& job, const std::string& what, const std::string& detail) const {
    const std::string who = job.empty() ? "scheduler" : job;
    if (m_json) {
      const nlohmann::json line = {{"time", utc_text(at)}, {"pipeline", who}, {"decision", what},
                                   {"detail", net::redact(detail, m_secrets)}};
      fmt::print("{}\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      fmt::print("{} {}: {}: {}\n", utc_text(at), who, what, net::redact(detail, m_secrets));
    }
    std::fflush(stdout);
  }

private:
  bool m_json;
  std::vector<std::string> m_secrets;
};

// The child could not record this run itself (killed, or its pipeline file no longer loads).
void record_unfinished_run(const pipeline::PipelineSpec& spec, const schedule::EndedRun& ended) {
  const bool invalid = WIFEXITED(ended.wait_status) && WEXITSTATUS(ended.wait_status) == k_exit_config;
  const bool never_started = ended.log.empty();
  pipeline::RunReport report;
  report.pipeline = spec.name;
  report.started = utc_text(ended.started);
  report.finished = utc_text(ended.ended);
  report.seconds = static_cast<double>((ended.ended - ended.started).count());
  report.failed_step = never_started ? "start" : invalid ? "configuration" : "run";
  report.error = never_started ? fmt::format("the scheduled run could not start: {}", ended.outcome.detail)
                 : invalid     ? fmt::format("the pipeline file {} is invalid", spec.file.string())
                               : fmt::format("{} before the run finished; its output is in {}", ended.outcome.detail, ended.log.string());
  report.hint = never_started ? "check that the hyperpipe program the scheduler started from is still installed, and that "
                                "STATE_DIR/logs can be written; every fire will fail until then"
                : invalid     ? fmt::format("hyperpipe validate {}", spec.file.string())
                              : "a run stopped before committing leaves the previous extracts and state as they were";
  for (const auto& warning : pipeline::record_run(spec, report, ended.log, "schedule")) {
    fmt::print(stderr, "hyperpipe: warning: {}\n", warning);
  }
}

} // namespace

int run_schedule_daemon(const std::vector<std::string>& files, const DaemonOptions& options) {
  std::vector<Scheduled> pipelines;
  std::vector<std::string> secrets;
  std::set<std::string> names;
  for (const auto& file : files) {
    auto spec = load_or_report(file);
    if (!spec) {
      return static_cast<int>(k_exit_config);
    }
    if (!spec->schedule) {
      return report(make_error(ErrorKind::invalid_argument, fmt::format("{} has no schedule", file),
                               "add schedule: {cron: \"0 6 * * 1-5\", timezone: Europe/Brussels}"));
    }
    if (!names.insert(spec->name).second) {
      return report(make_error(ErrorKind::invalid_argument, fmt::format("two pipelines are named \"{}\"", spec->name),
                               "give each pipeline its own name: (the logs and the history tell them apart by it)"));
    }
    std::error_code ec;
    fs::create_directories(spec->state_dir, ec);
    auto lock = pipeline::RunLock::acquire(spec->state_dir / (spec->name + ".scheduler.lock"),
                                           fmt::format("pipeline \"{}\" is already scheduled by another hyperpipe schedule", spec->name),
                                           "stop the other scheduler first: one pipeline, one scheduler");
    if (!lock) {
      report(lock.error());
      return static_cast<int>(k_exit_busy);
    }
    secrets.insert(secrets.end(), spec->secrets.begin(), spec->secrets.end());
    pipelines.push_back(Scheduled{std::move(*spec), std::move(*lock)});
  }
  const DecisionLog decisions(options.json_log, secrets);
  const auto find = [&pipelines](const std::string& name) -> const pipeline::PipelineSpec& {
    for (const auto& scheduled : pipelines) {
      if (scheduled.spec.name == name) {
        return scheduled.spec;
      }
    }
    throw std::logic_error("unknown pipeline " + name);
  };

  std::vector<schedule::JobSpec> jobs;
  std::vector<schedule::ProcessJob> processes;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const auto& [spec, lock] : pipelines) {
    const auto& when = *spec.schedule;
    schedule::JobSpec job;
    job.name = spec.name;
    // The pipeline parser checked both: a schedule that got this far parses.
    job.cron = schedule::CronSchedule::parse(when.cron).value();
    job.zone = schedule::find_zone(when.timezone).value();
    job.overlap = when.overlap;
    job.catch_up = when.catch_up;
    job.max_run_time = when.max_run_time;
    job.retries = when.retries;
    job.retry_backoff = when.retry_backoff;
    job.retry_backoff_max = std::max(job.retry_backoff_max, when.retry_backoff);
    job.last_fire = read_last_fire(spec);
    if (!job.last_fire) {
      // The first start: the scheduler is responsible from now on, so fire times missed while
      // it is down before its first run are still caught up.
      write_last_fire(spec, now);
    }
    const auto next = job.cron.next(now, *job.zone);
    decisions.write(now, spec.name, "scheduled",
                    fmt::format("cron \"{}\" in {}; next run {}{}", when.cron, when.timezone,
                                next ? schedule::format_instant(*next, *job.zone) : "never",
                                when.max_run_time ? fmt::format("; max_run_time {} s", when.max_run_time->count()) : ""));
    jobs.push_back(std::move(job));
    processes.push_back(schedule::ProcessJob{spec.name,
                                             {options.program.string(), "run", spec.file.string(), "--progress", "never",
                                              "--log-format", "json", "--trigger", "schedule"},
                                             spec.state_dir / "logs" / spec.name,
                                             100});
  }

  schedule::ProcessHooks hooks;
  hooks.classify = [](const std::string&, int status) { return classify(status); };
  hooks.may_start = [&find](const std::string& job) -> Status {
    const auto& spec = find(job);
    // Only a probe: released at once, taken again by the run itself.
    HP_TRY(pipeline::RunLock::acquire(pipeline::run_lock_file_of(spec),
                                      fmt::format("another process is running pipeline \"{}\"", spec.name), ""));
    return {};
  };
  // Recording and notifying can take a while (a webhook that does not answer): never in the
  // loop that enforces max_run_time and answers SIGTERM.
  struct Aftermath {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Aftermath> aftermath;
  const auto record_in_background = [&find, &aftermath](const schedule::EndedRun& ended) {
    std::erase_if(aftermath, [](Aftermath& finished) {
      if (!*finished.done) {
        return false;
      }
      finished.thread.join(); // months of schedules must not pile up finished threads
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread thread([&spec = find(ended.job), ended, done] {
      record_unfinished_run(spec, ended);
      *done = true;
    });
    aftermath.push_back(Aftermath{std::move(thread), std::move(done)});
  };
  hooks.ended = [&record_in_background](const schedule::EndedRun& ended) {
    const int status = ended.wait_status;
    if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == k_exit_config)) {
      record_in_background(ended);
    }
  };
  hooks.could_not_start = [&record_in_background](const std::string& job, const std::string& message, schedule::Instant at) {
    record_in_background(schedule::EndedRun{job, {schedule::RunOutcome::Kind::failed, message}, 0xFF00, at, at, {}});
  };
  hooks.log = [&decisions](const schedule::Decision& decision) {
    decisions.write(decision.at, decision.job, decision.what, decision.detail);
  };
  hooks.remember = [&find](const std::string& job, schedule::Instant last_fire) { write_last_fire(find(job), last_fire); };
  auto host = schedule::ProcessHost::create(processes, hooks, options.on_stop);
  if (!host) {
    return report(host.error());
  }
  schedule::Scheduler scheduler(std::move(jobs), now);
  schedule::run_daemon(scheduler, **host);
  for (auto& pending : aftermath) {
    pending.thread.join();
  }
  decisions.write((*host)->now(), "", "stopped", "every run has ended");
  return static_cast<int>(k_exit_ok);
}

} // namespace hyperpipe::cli
