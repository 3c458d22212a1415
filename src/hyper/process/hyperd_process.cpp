#include "hyper/process/hyperd_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <cstring>
#include <mutex>
#include <thread>

#include "base/child_process.hpp"
#include "base/unique_fd.hpp"


namespace hyperpipe::hyper {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t k_output_tail_bytes = 16 * 1024;
constexpr auto k_term_grace = std::chrono::milliseconds(2'000);

std::string errno_text() { return std::strerror(errno); }

Error process_error(std::string message, std::string hint = {}) {
  return make_error(ErrorKind::process, std::move(message), std::move(hint));
}

// A listening socket on 127.0.0.1 with an ephemeral port, for hyperd's callback.
Result<std::pair<base::UniqueFd, int>> listen_on_loopback() {
  base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return process_error("cannot create the callback socket: " + errno_text());
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd.get(), 1) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return process_error("cannot listen for hyperd's callback: " + errno_text());
  }
  return std::pair{std::move(fd), static_cast<int>(ntohs(address.sin_port))};
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::string describe_exit(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return fmt::format("was killed by signal {}", WTERMSIG(status));
  }
  return "stopped";
}

// Milliseconds until `deadline` as a poll() timeout: never negative, never past INT_MAX.
int poll_timeout(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, std::numeric_limits<int>::max()));
}

// Reads exactly `size` bytes, waiting at most until `deadline`.
Status read_exactly(int fd, char* out, std::size_t size, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < size) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, poll_timeout(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return process_error("hyperd did not send its endpoint on the callback connection in time");
    }
    const ssize_t got = ::read(fd, out + done, size - done);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return process_error("hyperd closed the callback connection before sending its endpoint");
    }
    done += static_cast<std::size_t>(got);
  }
  return {};
}

} // namespace

struct HyperdProcess::State {
  pid_t pid = -1;
  base::UniqueFd pidfd;
  base::UniqueFd callback;
  std::string host;
  int port = 0;
  std::chrono::microseconds startup_time{0};
  std::chrono::milliseconds shutdown_timeout{5'000};
  bool reaped = false;
  bool exit_unknown = false;

  // hyperd's stdout and stderr go to a pipe drained by this thread, so hyperd never blocks on a
  // full pipe and we keep the tail to show when something goes wrong.
  std::thread drainer;
  mutable std::mutex output_mutex;
  std::string output;

  void drain(base::UniqueFd pipe) {
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::read(pipe.get(), buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got <= 0) {
        return;
      }
      std::lock_guard lock(output_mutex);
      output.append(buffer, static_cast<std::size_t>(got));
      if (output.size() > 2 * k_output_tail_bytes) {
        output.erase(0, output.size() - k_output_tail_bytes);
      }
    }
  }

  std::string tail() const {
    std::lock_guard lock(output_mutex);
    std::string text = output.size() > k_output_tail_bytes ? output.substr(output.size() - k_output_tail_bytes) : output;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    return text;
  }

  // Waits for the child to exit until `deadline`; true if it did (and is reaped). Without a
  // pidfd (old kernels, strict seccomp profiles) it polls waitpid instead.
  bool wait_for_exit(Clock::time_point deadline, int& status) {
    for (;;) {
      if (!pidfd) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno == ECHILD)) {
          reaped = true;
          exit_unknown = done < 0;
          return true;
        }
        if (Clock::now() >= deadline) {
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      pollfd entry{pidfd.get(), POLLIN, 0};
      const int ready = ::poll(&entry, 1, poll_timeout(deadline));
      if (ready < 0 && errno == EINTR) {
        continue;
      }
      if (ready > 0) {
        pid_t done = -1;
        while ((done = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
        }
        // ECHILD: someone else reaped it (SIGCHLD ignored by the embedding program).
        exit_unknown = done < 0;
        reaped = true;
        return true;
      }
      if (Clock::now() >= deadline) {
        return false;
      }
    }
  }

  Status stop(std::chrono::milliseconds timeout) {
    if (pid <= 0 || reaped) {
      return {};
    }
    callback.reset(); // hyperd treats this like SIGINT: graceful shutdown
    int status = 0;
    bool forced = false;
    if (!wait_for_exit(Clock::now() + timeout, status)) {
      forced = true;
      ::kill(pid, SIGTERM);
      if (!wait_for_exit(Clock::now() + k_term_grace, status)) {
        ::kill(pid, SIGKILL);
        // SIGKILL cannot be refused; the wait is bounded only so a kernel oddity cannot hang us.
        wait_for_exit(Clock::now() + std::chrono::seconds(30), status);
      }
    }
    if (drainer.joinable()) {
      drainer.join();
    }
    if (forced) {
      return process_error(fmt::format("hyperd (pid {}) did not shut down within {} ms and was stopped", pid,
                                       timeout.count()));
    }
    if (exit_unknown) {
      return {}; // reaped elsewhere: its exit status is not ours to know
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return process_error(fmt::format("hyperd (pid {}) {} during shutdown: {}", pid, describe_exit(status), tail()));
    }
    return {};
  }
};

std::vector<std::string> hyperd_arguments(const HyperdOptions& options, int callback_port) {
  std::vector<std::string> args{
      options.binary.string(),
      "run",
      fmt::format("--callback-connection=tab.tcp://127.0.0.1:{}", callback_port),
      "--listen-connection=tab.tcp://127.0.0.1:0",
      fmt::format("--init-user={}", k_hyperd_user),
      "--no-password",
      "--skip-license",
      "--language=en_US",
      // Fixed, strict date parsing: COPY text/CSV must not depend on the machine's locale.
      "--date-style=MDY",
      "--date-style-lenient=false",
      fmt::format("--default-database-version={}", options.default_file_version),
  };
  if (options.log_dir) {
    args.push_back("--log-config=file,json,all,hyperd,0");
    args.push_back("--log-dir=" + options.log_dir->string());
  } else {
    args.emplace_back("--log-config="); // no hyperd.log anywhere
  }
  for (const auto& [name, value] : options.settings) {
    std::string flag = name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    args.push_back(value.empty() ? "--" + flag : "--" + flag + "=" + value);
  }
  return args;
}

Result<std::pair<std::string, int>> parse_callback_descriptor(std::string_view message) {
  while (!message.empty() && (message.back() == '\0' || message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  constexpr std::string_view k_prefix = "tab.tcp://";
  const auto bad = [&] {
    return process_error(fmt::format("unexpected endpoint from hyperd's callback: \"{}\"", message));
  };
  if (!message.starts_with(k_prefix)) {
    return bad();
  }
  message.remove_prefix(k_prefix.size());
  const auto colon = message.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad();
  }
  int port = 0;
  const std::string_view port_text = message.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
    return bad();
  }
  return std::pair{std::string(message.substr(0, colon)), port};
}

Result<HyperdProcess> HyperdProcess::start(const HyperdOptions& options) {
  if (options.default_file_version < 0 || options.default_file_version > 4) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("file version {} does not exist", options.default_file_version),
                      "use 0, 1, 2, 3 or 4 (2 opens in every Tableau since 2020.4/2022.1)");
  }
  HP_ASSIGN_OR_RETURN(auto listener, listen_on_loopback());
  auto [listen_fd, callback_port] = std::move(listener);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return process_error("cannot create a pipe for hyperd's output: " + errno_text());
  }
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);

  // Its own process group: a Ctrl-C at the terminal reaches us, and we shut hyperd down in order.
  // A clean signal state too (spawn_child's): an embedding program's blocked or ignored signals
  // (SIGTERM in particular) must not make hyperd deaf to our shutdown.
  base::SpawnOptions spawn;
  spawn.argv = hyperd_arguments(options, callback_port);
  spawn.output_fd = write_end.get();
  spawn.own_process_group = true;
  const auto spawned_at = Clock::now();
  auto spawned = base::spawn_child(spawn);
  if (!spawned) {
    return process_error(spawned.error().message, "check that the file is the hyperd binary and is executable");
  }
  const pid_t pid = *spawned;
  write_end.reset();

  auto state = std::make_unique<State>();
  state->pid = pid;
  state->shutdown_timeout = options.shutdown_timeout;
  state->pidfd = base::UniqueFd(pidfd_open(pid));
  state->drainer = std::thread([raw = state.get(), pipe = std::move(read_end)]() mutable { raw->drain(std::move(pipe)); });
  HyperdProcess process(std::move(state));
  State& s = *process.m_state;

  // Wait for either the callback connection or hyperd's exit (e.g. it rejected a flag).
  const auto deadline = spawned_at + options.start_timeout;
  for (;;) {
    if (Clock::now() >= deadline) {
      auto stopped = s.stop(std::chrono::milliseconds(0));
      (void)stopped;
      return process_error(fmt::format("hyperd did not become ready within {} ms: {}",
                                       options.start_timeout.count(), s.tail()));
    }
    // Without a pidfd, wake up every 20 ms to check on the child with waitpid.
    pollfd entries[2] = {{listen_fd.get(), POLLIN, 0}, {s.pidfd.get(), POLLIN, 0}};
    const int ready = ::poll(entries, s.pidfd ? 2 : 1, s.pidfd ? poll_timeout(deadline) : std::min(20, poll_timeout(deadline)));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (entries[0].revents & POLLIN) {
      break;
    }
    int early_status = 0;
    const bool exited = s.pidfd ? (entries[1].revents & POLLIN) != 0
                                : s.wait_for_exit(Clock::now(), early_status);
    if (exited) {
      int status = early_status;
      if (s.pidfd) {
        s.wait_for_exit(Clock::now(), status);
      }
      if (s.drainer.joinable()) {
        s.drainer.join();
      }
      return process_error(fmt::format("hyperd {} before becoming ready: {}", describe_exit(status), s.tail()),
                           "hyperd's own message is above; an unknown option usually means the installed "
                           "hyperd is older or newer than expected");
    }
  }
  s.callback = base::UniqueFd(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!s.callback) {
    return process_error("cannot accept hyperd's callback connection: " + errno_text());
  }
  unsigned char length = 0;
  HP_TRY(read_exactly(s.callback.get(), reinterpret_cast<char*>(&length), 1, deadline));
  std::string descriptor(length, '\0');
  HP_TRY(read_exactly(s.callback.get(), descriptor.data(), length, deadline));
  HP_ASSIGN_OR_RETURN(auto endpoint, parse_callback_descriptor(descriptor));
  s.host = endpoint.first;
  s.port = endpoint.second;
  s.startup_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - spawned_at);
  return process;
}

HyperdProcess::HyperdProcess(std::unique_ptr<State> state) : m_state(std::move(state)) {}
HyperdProcess::HyperdProcess(HyperdProcess&&) noexcept = default;
HyperdProcess& HyperdProcess::operator=(HyperdProcess&& other) noexcept {
  if (this != &other) {
    if (m_state) {
      auto ignored = m_state->stop(m_state->shutdown_timeout);
      (void)ignored;
    }
    m_state = std::move(other.m_state);
  }
  return *this;
}
HyperdProcess::~HyperdProcess() {
  if (m_state) {
    auto ignored = m_state->stop(m_state->shutdown_timeout);
    (void)ignored;
  }
}

const std::string& HyperdProcess::host() const { return m_state->host; }
int HyperdProcess::port() const { return m_state->port; }
int HyperdProcess::pid() const { return m_state->pid; }
std::chrono::microseconds HyperdProcess::startup_time() const { return m_state->startup_time; }
Status HyperdProcess::shutdown(std::chrono::milliseconds timeout) { return m_state->stop(timeout); }
Status HyperdProcess::shutdown() { return m_state->stop(m_state->shutdown_timeout); }

} // namespace hyperpipe::hyper
