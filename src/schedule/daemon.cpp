#include "schedule/daemon.hpp"

#include <map>

namespace hyperpipe::schedule {
namespace {

void flush_decisions(Scheduler& scheduler, DaemonHost& host) {
  for (const auto& decision : scheduler.take_decisions()) {
    host.log(decision);
  }
}

} // namespace

void run_daemon(Scheduler& scheduler, DaemonHost& host) {
  std::map<std::string, std::optional<Instant>> remembered;
  for (const auto& job : scheduler.job_names()) {
    remembered[job] = std::nullopt;
  }
  flush_decisions(scheduler, host);
  while (true) {
    const Instant now = host.now();
    for (const auto& action : scheduler.advance(now)) {
      if (action.kind != Action::Kind::start) {
        host.signal(action);
      } else if (auto started = host.start(action); !started) {
        scheduler.start_failed(action.job, started.error().message, now);
      }
    }
    flush_decisions(scheduler, host);
    for (auto& [job, last] : remembered) {
      if (auto fire = scheduler.last_fire(job); fire && fire != last) {
        host.remember(job, *fire);
        last = fire;
      }
    }
    if (scheduler.done()) {
      return;
    }
    for (const auto& event : host.wait(scheduler.next_wakeup())) {
      if (event.kind == HostEvent::Kind::stop_requested) {
        scheduler.stop(event.stop, host.now());
      } else {
        scheduler.finished(event.job, event.outcome, host.now());
      }
    }
  }
}

} // namespace hyperpipe::schedule
