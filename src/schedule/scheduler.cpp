#include "schedule/scheduler.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hyperpipe::schedule {
namespace {

// Enough to notice "many" without walking years of minutes after a long downtime.
constexpr int k_max_counted_fires = 100'000;

std::string when(Instant at, const date::time_zone& zone) { return format_instant(at, zone); }

std::string duration_text(std::chrono::seconds seconds) {
  const auto s = seconds.count();
  if (s % 3600 == 0 && s >= 3600) {
    return fmt::format("{} h", s / 3600);
  }
  if (s % 60 == 0 && s >= 60) {
    return fmt::format("{} min", s / 60);
  }
  return fmt::format("{} s", s);
}

std::optional<Instant> next_after(const JobSpec& spec, Instant after) {
  auto next = spec.cron.next(after, *spec.zone);
  return next ? std::optional<Instant>(*next) : std::nullopt;
}

struct Missed {
  int count = 0;
  Instant latest;
};

// The fire times after `after` up to and including `now`.
Missed missed_between(const JobSpec& spec, Instant after, Instant now) {
  Missed missed;
  for (auto fire = next_after(spec, after); fire && *fire <= now && missed.count < k_max_counted_fires;
       fire = next_after(spec, *fire)) {
    ++missed.count;
    missed.latest = *fire;
  }
  return missed;
}

} // namespace

std::string_view reason_name(Reason reason) {
  switch (reason) {
  case Reason::schedule: return "schedule";
  case Reason::catch_up: return "catch-up";
  case Reason::queued: return "queued";
  case Reason::retry: return "retry";
  }
  return "schedule";
}

Scheduler::Scheduler(std::vector<JobSpec> jobs, Instant now) {
  for (auto& spec : jobs) {
    Job job;
    // A fire time at the very second of the start is due now, not missed.
    job.next_fire = next_after(spec, now - std::chrono::seconds(1));
    job.last_fire = spec.last_fire;
    job.spec = std::move(spec);
    if (job.spec.last_fire) {
      const Missed missed = missed_between(job.spec, *job.spec.last_fire, now - std::chrono::seconds(1));
      if (missed.count > 0) {
        const std::string what = fmt::format("{}{} fire time{} since {} (the latest {})", missed.count,
                                             missed.count >= k_max_counted_fires ? "+" : "", missed.count == 1 ? "" : "s",
                                             when(*job.spec.last_fire, *job.spec.zone), when(missed.latest, *job.spec.zone));
        if (job.spec.catch_up == CatchUp::once) {
          job.start_now = missed.latest;
          decide(now, job.spec.name, "missed", fmt::format("{} while the scheduler was not running; catching up once (catch_up: once)", what));
        } else {
          job.last_fire = missed.latest;
          decide(now, job.spec.name, "missed",
                 fmt::format("{} while the scheduler was not running; not caught up (catch_up: none)", what));
        }
      }
    }
    m_jobs.push_back(std::move(job));
  }
}

Scheduler::Job* Scheduler::find(const std::string& name) {
  for (auto& job : m_jobs) {
    if (job.spec.name == name) {
      return &job;
    }
  }
  return nullptr;
}

const Scheduler::Job* Scheduler::find(const std::string& name) const {
  return const_cast<Scheduler*>(this)->find(name);
}

void Scheduler::decide(Instant at, const std::string& job, std::string what, std::string detail) {
  m_decisions.push_back(Decision{at, job, std::move(what), std::move(detail)});
}

std::vector<Decision> Scheduler::take_decisions() { return std::exchange(m_decisions, {}); }

Action Scheduler::start(Job& job, Reason reason, int attempt, Instant fire_time, Instant now) {
  job.run = Run{now, fire_time, reason, attempt, std::nullopt, false};
  const std::string fire = when(fire_time, *job.spec.zone);
  switch (reason) {
  case Reason::schedule: decide(now, job.spec.name, "fired", fmt::format("run for {}", fire)); break;
  case Reason::catch_up: decide(now, job.spec.name, "caught up", fmt::format("run for the missed {}", fire)); break;
  case Reason::queued: decide(now, job.spec.name, "fired", fmt::format("queued run for {}, now that the previous run ended", fire)); break;
  case Reason::retry:
    decide(now, job.spec.name, "retried", fmt::format("attempt {} of {} for {}", attempt, job.spec.retries + 1, fire));
    break;
  }
  return Action{Action::Kind::start, job.spec.name, reason, attempt, fire_time};
}

void Scheduler::fire(Job& job, Instant fire_time, Instant now, std::vector<Action>& actions) {
  job.last_fire = fire_time;
  const std::string fire = when(fire_time, *job.spec.zone);
  if (job.run) {
    const std::string going = fmt::format("the run for {} is still going", when(job.run->fire_time, *job.spec.zone));
    if (job.spec.overlap == Overlap::skip) {
      decide(now, job.spec.name, "skipped", fmt::format("{}: {} (overlap: skip)", fire, going));
    } else if (job.queued) {
      decide(now, job.spec.name, "skipped", fmt::format("{}: {} and a run is already queued behind it (overlap: queue)", fire, going));
    } else {
      job.queued = fire_time;
      decide(now, job.spec.name, "queued", fmt::format("{}: {}; runs when it ends (overlap: queue)", fire, going));
    }
    return;
  }
  if (job.retry) {
    decide(now, job.spec.name, "retry dropped", fmt::format("the run for {} replaces attempt {}", fire, job.retry->attempt));
    job.retry.reset();
  }
  actions.push_back(start(job, Reason::schedule, 1, fire_time, now));
}

std::vector<Action> Scheduler::advance(Instant now) {
  std::vector<Action> actions;
  for (auto& job : m_jobs) {
    if (job.run) {
      Run& run = *job.run;
      const bool aborting = m_stopping == StopMode::abort;
      if (!run.terminated && aborting) {
        run.terminated = now;
        decide(now, job.spec.name, "stopping run", "the scheduler is stopping (abort): asking the run to stop");
        actions.push_back(Action{Action::Kind::terminate, job.spec.name, run.reason, run.attempt, run.fire_time});
      } else if (!run.terminated && job.spec.max_run_time && now >= run.started + *job.spec.max_run_time) {
        run.terminated = now;
        decide(now, job.spec.name, "timed out",
               fmt::format("running for {}, past max_run_time {}: asking the run to stop",
                           duration_text(std::chrono::duration_cast<std::chrono::seconds>(now - run.started)),
                           duration_text(*job.spec.max_run_time)));
        actions.push_back(Action{Action::Kind::terminate, job.spec.name, run.reason, run.attempt, run.fire_time});
      } else if (run.terminated && !run.killed && now >= *run.terminated + k_kill_grace) {
        run.killed = true;
        decide(now, job.spec.name, "killed", fmt::format("still running {} after being asked to stop", duration_text(k_kill_grace)));
        actions.push_back(Action{Action::Kind::kill, job.spec.name, run.reason, run.attempt, run.fire_time});
      }
    }
    if (m_stopping) {
      continue;
    }
    if (job.start_now) {
      const Instant fire_time = *job.start_now;
      job.start_now.reset();
      job.last_fire = fire_time;
      actions.push_back(start(job, Reason::catch_up, 1, fire_time, now));
    }
    // The queued run goes first: a fire due at the same moment queues behind it.
    if (!job.run && job.queued) {
      if (job.retry) {
        decide(now, job.spec.name, "retry dropped",
               fmt::format("the queued run for {} replaces attempt {}", when(*job.queued, *job.spec.zone), job.retry->attempt));
        job.retry.reset();
      }
      const Instant fire_time = *job.queued;
      job.queued.reset();
      actions.push_back(start(job, Reason::queued, 1, fire_time, now));
    }
    if (job.next_fire && *job.next_fire <= now) {
      // Normally one fire time is due; more when the process slept through several (suspend).
      const Missed passed = missed_between(job.spec, *job.next_fire - std::chrono::seconds(1), now);
      if (passed.count > 1) {
        decide(now, job.spec.name, "missed",
               fmt::format("{} fire times passed while the scheduler was not awake (suspended?); firing once for the latest",
                           passed.count - 1));
      }
      job.next_fire = next_after(job.spec, passed.latest);
      fire(job, passed.latest, now, actions);
    }
    if (!job.run && job.retry && job.retry->at <= now) {
      const Retry retry = *job.retry;
      job.retry.reset();
      actions.push_back(start(job, Reason::retry, retry.attempt, retry.fire_time, now));
    }
  }
  return actions;
}

void Scheduler::finished(const std::string& name, const RunOutcome& outcome, Instant now) {
  Job* job = find(name);
  if (job == nullptr || !job->run) {
    return;
  }
  const Run run = *job->run;
  job->run.reset();
  const auto took = duration_text(std::chrono::duration_cast<std::chrono::seconds>(now - run.started));
  switch (outcome.kind) {
  case RunOutcome::Kind::succeeded:
    decide(now, job->spec.name, "succeeded", fmt::format("in {}{}", took, run.attempt > 1 ? fmt::format(" (attempt {})", run.attempt) : ""));
    return;
  case RunOutcome::Kind::locked:
    decide(now, job->spec.name, "skipped", fmt::format("another process is running this pipeline ({})", outcome.detail));
    return;
  case RunOutcome::Kind::failed_for_good:
    decide(now, job->spec.name, "failed", fmt::format("{} after {}; not retried", outcome.detail, took));
    return;
  case RunOutcome::Kind::failed: break;
  }
  const bool timed_out = run.terminated && !m_stopping;
  decide(now, job->spec.name, "failed",
         fmt::format("{}{} after {}", timed_out ? "stopped for max_run_time: " : "", outcome.detail, took));
  if (m_stopping) {
    return;
  }
  if (run.attempt <= job->spec.retries) {
    auto backoff = job->spec.retry_backoff;
    for (int i = 1; i < run.attempt && backoff < job->spec.retry_backoff_max; ++i) {
      backoff *= 2;
    }
    backoff = std::min(backoff, job->spec.retry_backoff_max);
    job->retry = Retry{now + backoff, run.fire_time, run.attempt + 1};
    decide(now, job->spec.name, "retry scheduled",
           fmt::format("attempt {} of {} at {} (backoff {})", run.attempt + 1, job->spec.retries + 1,
                       when(now + backoff, *job->spec.zone), duration_text(backoff)));
  } else if (job->spec.retries > 0) {
    decide(now, job->spec.name, "gave up", fmt::format("failed {} attempts for {}", run.attempt, when(run.fire_time, *job->spec.zone)));
  }
}

void Scheduler::start_failed(const std::string& name, const std::string& message, Instant now) {
  if (Job* job = find(name); job != nullptr && job->run) {
    job->run.reset();
    decide(now, job->spec.name, "skipped", fmt::format("could not start the run: {}", message));
  }
}

void Scheduler::stop(StopMode mode, Instant now) {
  const auto running = std::count_if(m_jobs.begin(), m_jobs.end(), [](const Job& job) { return job.run.has_value(); });
  if (m_stopping) {
    if (*m_stopping == StopMode::finish) {
      m_stopping = StopMode::abort;
      decide(now, "", "aborting", fmt::format("second stop request: asking {} running run(s) to stop", running));
    }
    return;
  }
  m_stopping = mode;
  decide(now, "", "stopping",
         mode == StopMode::finish ? fmt::format("no new runs; waiting for {} running run(s) to finish", running)
                                  : fmt::format("no new runs; asking {} running run(s) to stop", running));
  for (auto& job : m_jobs) {
    if (job.queued) {
      decide(now, job.spec.name, "queued run dropped", "the scheduler is stopping");
      job.queued.reset();
    }
    if (job.retry) {
      decide(now, job.spec.name, "retry dropped", "the scheduler is stopping");
      job.retry.reset();
    }
    job.start_now.reset();
  }
}

std::optional<Instant> Scheduler::next_wakeup() const {
  std::optional<Instant> earliest;
  const auto consider = [&earliest](std::optional<Instant> at) {
    if (at && (!earliest || *at < *earliest)) {
      earliest = at;
    }
  };
  for (const auto& job : m_jobs) {
    if (job.run) {
      if (!job.run->terminated && job.spec.max_run_time) {
        consider(job.run->started + *job.spec.max_run_time);
      } else if (job.run->terminated && !job.run->killed) {
        consider(*job.run->terminated + k_kill_grace);
      }
    }
    if (m_stopping) {
      continue;
    }
    consider(job.next_fire);
    consider(job.start_now);
    if (job.retry) {
      consider(job.retry->at);
    }
  }
  return earliest;
}

bool Scheduler::done() const {
  return m_stopping && std::none_of(m_jobs.begin(), m_jobs.end(), [](const Job& job) { return job.run.has_value(); });
}

std::vector<std::string> Scheduler::job_names() const {
  std::vector<std::string> names;
  for (const auto& job : m_jobs) {
    names.push_back(job.spec.name);
  }
  return names;
}

std::optional<Instant> Scheduler::last_fire(const std::string& job) const {
  const Job* found = find(job);
  return found != nullptr ? found->last_fire : std::nullopt;
}

} // namespace hyperpipe::schedule
