#include "schedule/process_host.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/child_process.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop

namespace hyperpipe::schedule {
namespace fs = std::filesystem;
namespace {

// Waking at least this often keeps fire times right when the wall clock is changed or the
// machine resumes from suspend (poll's timeout runs on a clock that stops while suspended).
constexpr std::chrono::seconds k_max_sleep{30};

std::string file_stamp(Instant at) {
  return date::format("%Y%m%dT%H%M%SZ", at);
}

} // namespace

Result<std::unique_ptr<ProcessHost>> ProcessHost::create(std::vector<ProcessJob> jobs, ProcessHooks hooks, StopMode stop_mode) {
  // An ignored SIGCHLD is inherited across exec; it would make the kernel reap our runs before
  // we can read how they ended.
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGCHLD);
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    return make_error(ErrorKind::io, "cannot block signals for the scheduler");
  }
  base::UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) {
    return make_error(ErrorKind::io, fmt::format("cannot read signals (signalfd): {}", std::strerror(errno)));
  }
  return std::unique_ptr<ProcessHost>(new ProcessHost(std::move(jobs), std::move(hooks), stop_mode, std::move(fd)));
}

ProcessHost::~ProcessHost() {
  // Runs still going (the daemon only returns once they ended; this is for errors): stopped,
  // never orphaned to keep running unwatched.
  for (auto& [name, child] : m_children) {
    ::kill(-child.pid, SIGTERM);
    base::wait_child(child.pid, std::chrono::seconds(30));
  }
}

Instant ProcessHost::now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

const ProcessJob* ProcessHost::find(const std::string& name) const {
  const auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [&name](const ProcessJob& job) { return job.name == name; });
  return it == m_jobs.end() ? nullptr : &*it;
}

Status ProcessHost::start(const Action& action) {
  const ProcessJob* job = find(action.job);
  if (job == nullptr) {
    return make_error(ErrorKind::invalid_argument, fmt::format("no job {}", action.job));
  }
  if (m_hooks.may_start) {
    HP_TRY(m_hooks.may_start(action.job));
  }
  const Instant started = now();
  auto child = launch(*job, action, started);
  if (!child) {
    // Not another run's lock: the program or its log cannot be started or written. Every fire
    // would fail the same way, so whoever watches must hear of it, not just the log.
    if (m_hooks.could_not_start) {
      m_hooks.could_not_start(action.job, child.error().message, started);
    }
    return child.error();
  }
  m_children[action.job] = *child;
  prune_logs(*job);
  return {};
}

Result<ProcessHost::Child> ProcessHost::launch(const ProcessJob& job, const Action& action, Instant started) const {
  std::error_code ec;
  fs::create_directories(job.log_dir, ec);
  const fs::path log = job.log_dir / fmt::format("{}-{}.log", file_stamp(started), reason_name(action.reason));
  base::UniqueFd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!out) {
    return make_error(ErrorKind::io, fmt::format("cannot write the run's log {}: {}", log.string(), std::strerror(errno)));
  }
  base::SpawnOptions options;
  options.argv = job.argv;
  options.output_fd = out.get();
  options.environment = {{"HYPERPIPE_FIRE_TIME", date::format("%FT%TZ", action.fire_time)},
                         {"HYPERPIPE_ATTEMPT", std::to_string(action.attempt)}};
  HP_ASSIGN_OR_RETURN(const pid_t pid, base::spawn_child(options));
  return Child{pid, started, log};
}

void ProcessHost::signal(const Action& action) {
  const auto it = m_children.find(action.job);
  if (it != m_children.end()) {
    ::kill(-it->second.pid, action.kind == Action::Kind::kill ? SIGKILL : SIGTERM);
  }
}

void ProcessHost::reap(std::vector<HostEvent>& events) {
  for (auto it = m_children.begin(); it != m_children.end();) {
    int status = 0;
    const pid_t reaped = ::waitpid(it->second.pid, &status, WNOHANG);
    if (reaped == 0 || (reaped < 0 && errno == EINTR)) {
      ++it;
      continue;
    }
    if (reaped < 0) {
      status = 0xFF00; // reaped by someone else: how it ended is unknown, so not a success (exit 255)
    }
    EndedRun ended{it->first, m_hooks.classify(it->first, status), status, it->second.started, now(), it->second.log};
    if (m_hooks.ended) {
      m_hooks.ended(ended);
    }
    events.push_back(HostEvent{HostEvent::Kind::run_ended, it->first, ended.outcome, StopMode::finish});
    it = m_children.erase(it);
  }
}

std::vector<HostEvent> ProcessHost::wait(std::optional<Instant> deadline) {
  std::vector<HostEvent> events;
  auto timeout = std::chrono::milliseconds(k_max_sleep);
  if (deadline) {
    const auto until = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::system_clock::now());
    timeout = std::clamp(until, std::chrono::milliseconds(0), timeout);
  }
  pollfd fd{m_signals.get(), POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready > 0) {
    signalfd_siginfo info{};
    while (::read(m_signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
        events.push_back(HostEvent{HostEvent::Kind::stop_requested, "", {}, ++m_stop_requests == 1 ? m_stop_mode : StopMode::abort});
      }
    }
  }
  reap(events); // SIGCHLDs coalesce: every child is checked each time
  return events;
}

void ProcessHost::prune_logs(const ProcessJob& job) const {
  std::vector<fs::path> logs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(job.log_dir, ec)) {
    if (entry.path().extension() == ".log") {
      logs.push_back(entry.path());
    }
  }
  if (logs.size() <= job.keep_logs) {
    return;
  }
  std::sort(logs.begin(), logs.end()); // names start with the UTC start time
  for (std::size_t i = 0; i + job.keep_logs < logs.size(); ++i) {
    fs::remove(logs[i], ec);
  }
}

} // namespace hyperpipe::schedule
