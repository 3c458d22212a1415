// The daemon's loop on a simulated clock: runs take simulated time, fail or hang as scripted,
// and stop requests arrive when told. Checks the fire times against the cron schedule itself and
// every policy: overlap, catch-up, max run time, retries, locks and stopping.
#include <gtest/gtest.h>

#include <date/tz.h>

#include <functional>
#include <map>
#include <set>

#include "schedule/daemon.hpp"

namespace hyperpipe::schedule {
namespace {

using namespace std::chrono_literals;

struct Script {
  std::chrono::seconds duration{60};
  RunOutcome::Kind outcome = RunOutcome::Kind::succeeded;
  bool honours_terminate = true; ///< ends 5 s after SIGTERM; false: only SIGKILL ends it
};

class SimulatedHost : public DaemonHost {
public:
  explicit SimulatedHost(Instant start, Instant end) : m_now(start), m_end(end) {}

  std::map<std::string, std::function<Script(int run_number)>> scripts;
  std::vector<std::pair<Instant, StopMode>> stop_requests; ///< in time order
  std::set<std::string> refuse_start;                      ///< start() fails for these jobs

  std::vector<Decision> decisions;
  std::vector<std::pair<Instant, Action>> starts;
  std::vector<std::pair<Instant, Action>> signals;
  std::map<std::string, Instant> remembered;
  int overlapping_starts = 0;

  Instant now() override { return m_now; }

  Status start(const Action& action) override {
    if (refuse_start.contains(action.job)) {
      return make_error(ErrorKind::io, "cannot start hyperpipe: No such file or directory");
    }
    if (m_running.contains(action.job)) {
      ++overlapping_starts;
    }
    const Script script = scripts.at(action.job)(m_run_numbers[action.job]++);
    m_running[action.job] = Running{m_now + script.duration, script,
                                    RunOutcome{script.outcome, script.outcome == RunOutcome::Kind::succeeded ? "exit 0" : "exit 9"}};
    starts.emplace_back(m_now, action);
    return {};
  }

  void signal(const Action& action) override {
    signals.emplace_back(m_now, action);
    auto& run = m_running.at(action.job);
    if (action.kind == Action::Kind::kill) {
      run.ends = m_now;
      run.outcome = {RunOutcome::Kind::failed, "killed by signal 9 (Killed)"};
    } else if (run.script.honours_terminate) {
      run.ends = std::min(run.ends, m_now + 5s);
      run.outcome = {RunOutcome::Kind::failed, "killed by signal 15 (Terminated)"};
    }
  }

  void log(const Decision& decision) override { decisions.push_back(decision); }
  void remember(const std::string& job, Instant last_fire) override { remembered[job] = last_fire; }

  std::vector<HostEvent> wait(std::optional<Instant> deadline) override {
    Instant next = deadline.value_or(Instant::max());
    for (const auto& [job, run] : m_running) {
      next = std::min(next, run.ends);
    }
    if (!stop_requests.empty()) {
      next = std::min(next, stop_requests.front().first);
    }
    std::vector<HostEvent> events;
    if (next >= m_end && !m_end_stopped) { // the simulation is over: stop (finish)
      m_end_stopped = true;
      m_now = std::max(m_now, m_end);
      events.push_back(HostEvent{HostEvent::Kind::stop_requested, "", {}, StopMode::finish});
      return events;
    }
    EXPECT_NE(next, Instant::max()) << "the loop waits forever with nothing to wait for";
    m_now = std::max(m_now, next);
    for (auto it = m_running.begin(); it != m_running.end();) {
      if (it->second.ends <= m_now) {
        events.push_back(HostEvent{HostEvent::Kind::run_ended, it->first, it->second.outcome, StopMode::finish});
        it = m_running.erase(it);
      } else {
        ++it;
      }
    }
    while (!stop_requests.empty() && stop_requests.front().first <= m_now) {
      events.push_back(HostEvent{HostEvent::Kind::stop_requested, "", {}, stop_requests.front().second});
      stop_requests.erase(stop_requests.begin());
    }
    return events;
  }

  std::vector<Action> starts_of(const std::string& job) const {
    std::vector<Action> out;
    for (const auto& [at, action] : starts) {
      if (action.job == job) {
        out.push_back(action);
      }
    }
    return out;
  }
  std::vector<Instant> start_times_of(const std::string& job) const {
    std::vector<Instant> out;
    for (const auto& [at, action] : starts) {
      if (action.job == job) {
        out.push_back(at);
      }
    }
    return out;
  }
  int count(const std::string& job, const std::string& what) const {
    return static_cast<int>(std::count_if(decisions.begin(), decisions.end(),
                                          [&](const Decision& d) { return d.job == job && d.what == what; }));
  }
  bool running_now() const { return !m_running.empty(); }
  bool has(const std::string& job, const std::string& what, const std::string& text) const {
    return std::any_of(decisions.begin(), decisions.end(), [&](const Decision& d) {
      return d.job == job && d.what == what && d.detail.find(text) != std::string::npos;
    });
  }
  /// The detail of the last decision `what` about `job`.
  std::string detail_of(const std::string& job, const std::string& what) const {
    for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
      if (it->job == job && it->what == what) {
        return it->detail;
      }
    }
    return "(no such decision)";
  }

private:
  struct Running {
    Instant ends;
    Script script;
    RunOutcome outcome;
  };
  Instant m_now;
  Instant m_end;
  bool m_end_stopped = false;
  std::map<std::string, Running> m_running;
  std::map<std::string, int> m_run_numbers;
};

Instant at(const std::string& text, const std::string& zone = "UTC") { return parse_instant(text, *find_zone(zone).value()).value(); }

JobSpec job(const std::string& name, const std::string& cron, const std::string& zone = "UTC") {
  JobSpec spec;
  spec.name = name;
  spec.cron = CronSchedule::parse(cron).value();
  spec.zone = find_zone(zone).value();
  return spec;
}

std::function<Script(int)> always(Script script) {
  return [script](int) { return script; };
}

void simulate(std::vector<JobSpec> jobs, SimulatedHost& host) {
  Scheduler scheduler(std::move(jobs), host.now());
  run_daemon(scheduler, host);
}

std::vector<Instant> cron_times(const JobSpec& spec, Instant from, Instant to) {
  std::vector<Instant> out;
  for (auto fire = spec.cron.next(from, *spec.zone); fire && *fire <= to; fire = spec.cron.next(*fire, *spec.zone)) {
    out.push_back(*fire);
  }
  return out;
}

TEST(Daemon, FiresEveryPipelineOnItsScheduleForDays) {
  const Instant start = at("2026-10-23T00:00:00Z"), end = at("2026-10-27T00:00:00Z"); // across Brussels' fall-back
  std::vector<JobSpec> jobs = {job("sales", "*/5 * * * *"), job("stock", "0 * * * *", "Europe/Brussels"),
                               job("weekdays", "*/15 9-17 * * mon-fri", "America/New_York"),
                               job("nightly", "30 2 * * *", "Europe/Brussels")};
  SimulatedHost host(start, end);
  host.scripts["sales"] = always({90s});
  host.scripts["stock"] = always({10min});
  host.scripts["weekdays"] = always({2min});
  host.scripts["nightly"] = always({45min});
  // A fire at the very start instant is due, not missed: the expected times start 1 s before.
  const auto expected = [&](int i) { return cron_times(jobs[static_cast<std::size_t>(i)], start - 1s, end - 1s); };
  simulate(jobs, host);

  int total = 0;
  for (int i = 0; i < 4; ++i) {
    const auto& name = jobs[static_cast<std::size_t>(i)].name;
    EXPECT_EQ(host.start_times_of(name), expected(i)) << name;
    EXPECT_EQ(host.count(name, "fired"), static_cast<int>(expected(i).size())) << name;
    EXPECT_EQ(host.count(name, "succeeded"), static_cast<int>(expected(i).size())) << name;
    for (const auto& action : host.starts_of(name)) {
      EXPECT_EQ(action.reason, Reason::schedule);
    }
    total += static_cast<int>(expected(i).size());
  }
  EXPECT_GE(total, 100);
  EXPECT_EQ(host.starts_of("sales").size(), 4u * 24u * 12u); // every 5 min, from the start instant
  EXPECT_EQ(host.starts_of("stock").size(), 4u * 24u - 1u); // the repeated 02:00 at fall-back fires once
  EXPECT_EQ(host.starts_of("nightly").size(), 4u);          // 02:30 twice on 25 October: once
  EXPECT_EQ(host.starts_of("weekdays").size(), 2u * 9u * 4u); // Friday 23 and Monday 26, 9:00-17:45
  EXPECT_EQ(host.overlapping_starts, 0);
  EXPECT_EQ(host.remembered.at("sales"), at("2026-10-26T23:55:00Z"));
  EXPECT_FALSE(host.running_now());
}

TEST(Daemon, OverlapSkipDropsFiresWhileARunIsGoing) {
  SimulatedHost host(at("2026-01-01T00:00:30Z"), at("2026-01-01T00:30:00Z"));
  host.scripts["slow"] = always({150s});
  simulate({job("slow", "* * * * *")}, host);
  // Fires at :01 (runs until 03:30), skips :02 and :03, fires at :04 ...
  const auto times = host.start_times_of("slow");
  ASSERT_GE(times.size(), 5u);
  for (std::size_t i = 0; i < times.size(); ++i) {
    EXPECT_EQ(times[i], at("2026-01-01T00:01:00Z") + std::chrono::minutes(3 * i));
  }
  EXPECT_EQ(host.count("slow", "skipped"), 2 * static_cast<int>(times.size()) - 1); // the last run ends after 00:30
  EXPECT_EQ(host.overlapping_starts, 0);
}

TEST(Daemon, OverlapQueueRunsOnceAfterTheCurrentRun) {
  SimulatedHost host(at("2026-01-01T00:00:30Z"), at("2026-01-01T00:10:00Z"));
  host.scripts["slow"] = always({150s});
  JobSpec spec = job("slow", "* * * * *");
  spec.overlap = Overlap::queue;
  simulate({spec}, host);
  const auto starts = host.starts_of("slow");
  const auto times = host.start_times_of("slow");
  ASSERT_GE(starts.size(), 3u);
  EXPECT_EQ(times[0], at("2026-01-01T00:01:00Z"));
  EXPECT_EQ(starts[0].reason, Reason::schedule);
  // 00:02 is queued, 00:03 skipped (one is queued already); the queued run starts at 03:30.
  EXPECT_EQ(times[1], at("2026-01-01T00:03:30Z"));
  EXPECT_EQ(starts[1].reason, Reason::queued);
  EXPECT_EQ(starts[1].fire_time, at("2026-01-01T00:02:00Z"));
  EXPECT_EQ(times[2], at("2026-01-01T00:06:00Z"));
  EXPECT_EQ(starts[2].fire_time, at("2026-01-01T00:04:00Z"));
  EXPECT_GE(host.count("slow", "queued"), 3);
  EXPECT_GE(host.count("slow", "skipped"), 2);
  EXPECT_EQ(host.overlapping_starts, 0);
}

TEST(Daemon, CatchUpOnceRunsTheLatestMissedFireAtStartUp) {
  JobSpec spec = job("daily", "0 6 * * *", "Europe/Brussels");
  spec.catch_up = CatchUp::once;
  spec.last_fire = at("2026-11-21T06:00", "Europe/Brussels"); // down since the 21st
  SimulatedHost host(at("2026-11-24T12:00", "Europe/Brussels"), at("2026-11-26T00:00", "Europe/Brussels"));
  host.scripts["daily"] = always({5min});
  simulate({spec}, host);
  const auto starts = host.starts_of("daily");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0].reason, Reason::catch_up);
  EXPECT_EQ(starts[0].fire_time, at("2026-11-24T06:00", "Europe/Brussels"));
  EXPECT_EQ(host.start_times_of("daily")[0], at("2026-11-24T12:00", "Europe/Brussels"));
  EXPECT_EQ(starts[1].reason, Reason::schedule);
  EXPECT_EQ(starts[1].fire_time, at("2026-11-25T06:00", "Europe/Brussels"));
  ASSERT_EQ(host.count("daily", "missed"), 1);
  EXPECT_NE(host.decisions[0].detail.find("3 fire times since 2026-11-21T06:00:00+01:00"), std::string::npos)
      << host.decisions[0].detail;
  EXPECT_EQ(host.count("daily", "caught up"), 1);
}

TEST(Daemon, CatchUpNoneWaitsForTheNextFire) {
  JobSpec spec = job("daily", "0 6 * * *", "Europe/Brussels");
  spec.last_fire = at("2026-11-21T06:00", "Europe/Brussels");
  SimulatedHost host(at("2026-11-24T12:00", "Europe/Brussels"), at("2026-11-26T00:00", "Europe/Brussels"));
  host.scripts["daily"] = always({5min});
  simulate({spec}, host);
  ASSERT_EQ(host.starts_of("daily").size(), 1u);
  EXPECT_EQ(host.start_times_of("daily")[0], at("2026-11-25T06:00", "Europe/Brussels"));
  EXPECT_EQ(host.count("daily", "missed"), 1);
  EXPECT_NE(host.decisions[0].detail.find("not caught up (catch_up: none)"), std::string::npos);
  // A job that was never run before has nothing to catch up.
  JobSpec fresh = job("fresh", "0 6 * * *");
  fresh.catch_up = CatchUp::once;
  SimulatedHost host2(at("2026-11-24T12:00Z"), at("2026-11-24T13:00Z"));
  host2.scripts["fresh"] = always({1min});
  simulate({fresh}, host2);
  EXPECT_TRUE(host2.starts.empty());
}

TEST(Daemon, AFireAtTheVerySecondOfAStartRunsAndIsNotMissed) {
  JobSpec spec = job("daily", "0 6 * * *");
  spec.last_fire = at("2026-11-24T06:00:00Z");
  SimulatedHost host(at("2026-11-25T06:00:00Z"), at("2026-11-25T07:00:00Z"));
  host.scripts["daily"] = always({1min});
  simulate({spec}, host);
  EXPECT_EQ(host.count("daily", "missed"), 0);
  ASSERT_EQ(host.starts_of("daily").size(), 1u);
  EXPECT_EQ(host.starts_of("daily")[0].reason, Reason::schedule);
  EXPECT_EQ(host.start_times_of("daily")[0], at("2026-11-25T06:00:00Z"));
}

TEST(Daemon, SeveralFiresPassedWhileAsleepFireOnce) {
  // A host that oversleeps (a suspended laptop): wakes 20 minutes after the first fire.
  class SleepyHost : public SimulatedHost {
  public:
    using SimulatedHost::SimulatedHost;
    std::vector<HostEvent> wait(std::optional<Instant> deadline) override {
      if (!m_slept && deadline) {
        m_slept = true;
        return SimulatedHost::wait(*deadline + 20min);
      }
      return SimulatedHost::wait(deadline);
    }

  private:
    bool m_slept = false;
  };
  SleepyHost host(at("2026-01-01T00:00:30Z"), at("2026-01-01T00:40:00Z"));
  host.scripts["often"] = always({10s});
  simulate({job("often", "*/5 * * * *")}, host);
  const auto starts = host.starts_of("often");
  ASSERT_GE(starts.size(), 2u);
  EXPECT_EQ(starts[0].fire_time, at("2026-01-01T00:25:00Z")); // woke at 00:25: 00:05 .. 00:20 passed
  EXPECT_EQ(host.count("often", "missed"), 1);
  EXPECT_NE(host.decisions[0].detail.find("4 fire times passed"), std::string::npos) << host.decisions[0].detail;
}

TEST(Daemon, MaxRunTimeStopsTheRunThenKillsIt) {
  JobSpec spec = job("hangs", "0 * * * *");
  spec.max_run_time = 30min;
  SimulatedHost host(at("2026-01-01T00:30:00Z"), at("2026-01-01T03:00:00Z"));
  host.scripts["hangs"] = [](int n) { return Script{3h, RunOutcome::Kind::succeeded, n == 0}; };
  simulate({spec}, host);
  ASSERT_EQ(host.signals.size(), 3u);
  // First run honours SIGTERM: asked at 01:30, ends 5 s later.
  EXPECT_EQ(host.signals[0].second.kind, Action::Kind::terminate);
  EXPECT_EQ(host.signals[0].first, at("2026-01-01T01:30:00Z"));
  // Second run ignores it: killed 30 s after.
  EXPECT_EQ(host.signals[1].second.kind, Action::Kind::terminate);
  EXPECT_EQ(host.signals[1].first, at("2026-01-01T02:30:00Z"));
  EXPECT_EQ(host.signals[2].second.kind, Action::Kind::kill);
  EXPECT_EQ(host.signals[2].first, at("2026-01-01T02:30:00Z") + Scheduler::k_kill_grace);
  EXPECT_EQ(host.count("hangs", "timed out"), 2);
  EXPECT_EQ(host.count("hangs", "killed"), 1);
  EXPECT_EQ(host.count("hangs", "failed"), 2);
  EXPECT_NE(host.detail_of("hangs", "failed").find("stopped for max_run_time: killed by signal 9"), std::string::npos)
      << host.detail_of("hangs", "failed");
  EXPECT_FALSE(host.running_now());
}

TEST(Daemon, RetriesWithDoublingBackoffThenSucceeds) {
  JobSpec spec = job("flaky", "0 6 * * *");
  spec.retries = 3;
  spec.retry_backoff = 60s;
  SimulatedHost host(at("2026-01-01T05:00:00Z"), at("2026-01-01T12:00:00Z"));
  host.scripts["flaky"] = [](int n) { return Script{10s, n < 2 ? RunOutcome::Kind::failed : RunOutcome::Kind::succeeded}; };
  simulate({spec}, host);
  const auto starts = host.starts_of("flaky");
  const auto times = host.start_times_of("flaky");
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(times[0], at("2026-01-01T06:00:00Z"));
  EXPECT_EQ(times[1], at("2026-01-01T06:01:10Z")); // ended 06:00:10 + 60 s
  EXPECT_EQ(times[2], at("2026-01-01T06:03:20Z")); // ended 06:01:20 + 120 s
  EXPECT_EQ(starts[1].reason, Reason::retry);
  EXPECT_EQ(starts[2].attempt, 3);
  EXPECT_EQ(starts[2].fire_time, at("2026-01-01T06:00:00Z"));
  EXPECT_EQ(host.count("flaky", "retry scheduled"), 2);
  EXPECT_EQ(host.count("flaky", "retried"), 2);
  EXPECT_EQ(host.count("flaky", "succeeded"), 1);
}

TEST(Daemon, GivesUpAfterTheLastRetryAndNeverRetriesAnInvalidPipeline) {
  JobSpec flaky = job("flaky", "0 6 * * *");
  flaky.retries = 2;
  flaky.retry_backoff = 10min;
  flaky.retry_backoff_max = 15min;
  JobSpec broken = job("broken", "0 6 * * *");
  broken.retries = 5;
  SimulatedHost host(at("2026-01-01T05:00:00Z"), at("2026-01-01T12:00:00Z"));
  host.scripts["flaky"] = always({10s, RunOutcome::Kind::failed});
  host.scripts["broken"] = always({1s, RunOutcome::Kind::failed_for_good});
  simulate({flaky, broken}, host);
  const auto times = host.start_times_of("flaky");
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[2] - times[1], 10s + 15min); // 20 min backoff capped at 15
  EXPECT_EQ(host.count("flaky", "gave up"), 1);
  EXPECT_EQ(host.starts_of("broken").size(), 1u);
  EXPECT_EQ(host.count("broken", "retry scheduled"), 0);
}

TEST(Daemon, TheNextFireReplacesAPendingRetry) {
  JobSpec spec = job("often", "*/10 * * * *");
  spec.retries = 1;
  spec.retry_backoff = 1h;
  SimulatedHost host(at("2026-01-01T00:05:00Z"), at("2026-01-01T00:25:00Z"));
  host.scripts["often"] = always({30s, RunOutcome::Kind::failed});
  simulate({spec}, host);
  for (const auto& action : host.starts_of("often")) {
    EXPECT_EQ(action.reason, Reason::schedule);
  }
  EXPECT_EQ(host.starts_of("often").size(), 2u);
  ASSERT_EQ(host.count("often", "retry dropped"), 2); // by the 00:20 fire, then by stopping
  EXPECT_TRUE(host.has("often", "retry dropped", "the run for 2026-01-01T00:20:00+00:00 replaces attempt 2"));
}

TEST(Daemon, ALockedPipelineOrAFailedStartIsSkippedNotRetried) {
  JobSpec locked = job("locked", "0 * * * *");
  locked.retries = 3;
  JobSpec missing = job("missing", "0 * * * *");
  missing.retries = 3;
  SimulatedHost host(at("2026-01-01T00:30:00Z"), at("2026-01-01T02:30:00Z"));
  host.scripts["locked"] = always({1s, RunOutcome::Kind::locked});
  host.refuse_start.insert("missing");
  simulate({locked, missing}, host);
  EXPECT_EQ(host.starts_of("locked").size(), 2u);
  EXPECT_EQ(host.count("locked", "skipped"), 2);
  EXPECT_EQ(host.count("locked", "retry scheduled"), 0);
  EXPECT_EQ(host.count("missing", "skipped"), 2);
  EXPECT_NE(host.detail_of("missing", "skipped").find("could not start the run: cannot start hyperpipe: No such file"),
            std::string::npos);
}

TEST(Daemon, StopRequestMidRunFinishesTheRunThenExits) {
  SimulatedHost host(at("2026-01-01T00:30:00Z"), at("2026-01-02T00:00:00Z"));
  host.scripts["long"] = always({20min});
  host.stop_requests.push_back({at("2026-01-01T01:10:00Z"), StopMode::finish});
  simulate({job("long", "0 * * * *")}, host);
  EXPECT_EQ(host.starts.size(), 1u);
  EXPECT_TRUE(host.signals.empty());
  EXPECT_EQ(host.count("long", "succeeded"), 1);
  EXPECT_EQ(host.now(), at("2026-01-01T01:20:00Z")); // exited when the run ended, fired nothing more
  EXPECT_EQ(host.count("", "stopping"), 1);
}

TEST(Daemon, StopRequestMidRunAbortsTheRunWhenAskedOrAskedTwice) {
  for (const bool twice : {false, true}) {
    SimulatedHost host(at("2026-01-01T00:30:00Z"), at("2026-01-02T00:00:00Z"));
    host.scripts["long"] = always({20min});
    if (twice) {
      host.stop_requests.push_back({at("2026-01-01T01:10:00Z"), StopMode::finish});
      host.stop_requests.push_back({at("2026-01-01T01:11:00Z"), StopMode::finish});
    } else {
      host.stop_requests.push_back({at("2026-01-01T01:10:00Z"), StopMode::abort});
    }
    JobSpec spec = job("long", "0 * * * *");
    spec.retries = 3;
    simulate({spec}, host);
    ASSERT_EQ(host.signals.size(), 1u) << twice;
    EXPECT_EQ(host.signals[0].second.kind, Action::Kind::terminate);
    EXPECT_EQ(host.signals[0].first, twice ? at("2026-01-01T01:11:00Z") : at("2026-01-01T01:10:00Z"));
    EXPECT_EQ(host.count("long", "failed"), 1);
    EXPECT_EQ(host.count("long", "retry scheduled"), 0); // not while stopping
    EXPECT_EQ(host.count("", "aborting"), twice ? 1 : 0);
    EXPECT_FALSE(host.running_now());
  }
}

} // namespace
} // namespace hyperpipe::schedule
