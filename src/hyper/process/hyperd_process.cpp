#include "hyper/process/hyperd_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
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
#include "hyper/process/private_dir.hpp"


namespace hyperpipe::hyper {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t k_output_tail_bytes = 16 * 1024;
constexpr auto k_term_grace = std::chrono::milliseconds(2'000);

std::string errno_text() { return std::strerror(errno); }

Error process_error(std::string message, std::string hint = {}) {
  return make_error(ErrorKind::process, std::move(message), std::move(hint));
}

// A listening Unix socket at `path` (inside a private folder), for hyperd's callback.
Result<base::UniqueFd> listen_on_unix_socket(const std::filesystem::path& path) {
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return process_error("cannot create the callback socket: " + errno_text());
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    return process_error(fmt::format("the callback socket path {} is too long", text), "set TMPDIR to a shorter folder");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd.get(), 4) != 0) {
    return process_error(fmt::format("cannot listen for hyperd's callback at {}: {}", text, errno_text()));
  }
  return fd;
}

// The process at the other end of a Unix socket connection.
pid_t peer_pid(int fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    return -1;
  }
  return credentials.pid;
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
  // First member, so it is removed last: after hyperd has exited and every socket is closed.
  PrivateDir socket_dir;
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
    socket_dir = PrivateDir{}; // hyperd is gone: its sockets and their folder go too
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

std::vector<std::string> hyperd_arguments(const HyperdOptions& options, const std::filesystem::path& socket_dir) {
  // Both sockets live in a folder only this user can enter: no other local user can reach the
  // engine (which runs unauthenticated, as us) or answer in its place on the callback.
  const std::string dir = socket_dir.string();
  std::vector<std::string> args{
      options.binary.string(),
      "run",
      fmt::format("--callback-connection=tab.domain://{}/domain/{}", dir, k_callback_socket_name),
      fmt::format("--listen-connection=tab.domain://{}/domain/.s.PGSQL.{}", dir, k_listen_socket_number),
      fmt::format("--init-user={}", k_hyperd_user),
      "--no-password",
      "--skip-license",
      "--language=en_US",
      // Fixed, strict date parsing: COPY text/CSV must not depend on the machine's locale.
      "--date-style=MDY",
      "--date-style-lenient=false",
      fmt::format("--default-database-version={}", options.default_file_version),
  };
  // What does not fit the memory limit spills into the private folder too: the spilled rows are
  // the user's data, and the folder goes with hyperd (the system temp folder would keep them).
  args.push_back(fmt::format("--hyper-temp-directory-override={}/{}", dir, k_spill_folder_name));
  if (!options.memory_limit.empty()) {
    args.push_back("--memory-limit=" + options.memory_limit);
  }
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

Result<HyperdEndpoint> parse_callback_descriptor(std::string_view message, const std::filesystem::path& socket_dir) {
  while (!message.empty() && (message.back() == '\0' || message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  const auto bad = [&] {
    return process_error(fmt::format("unexpected endpoint from hyperd's callback: \"{}\"", message),
                         fmt::format("hyperd was asked to listen only in {}", socket_dir.string()));
  };
  // "tab.domain://<dir>/domain/.s.PGSQL.<port>": libpq reaches it as host=<dir>, port=<port>.
  const std::string expected = fmt::format("tab.domain://{}/domain/.s.PGSQL.", socket_dir.string());
  if (!message.starts_with(expected)) {
    return bad();
  }
  const std::string_view port_text = message.substr(expected.size());
  int port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
    return bad();
  }
  return HyperdEndpoint{socket_dir.string(), port};
}

Result<HyperdProcess> HyperdProcess::start(const HyperdOptions& options) {
  if (options.default_file_version < 0 || options.default_file_version > 4) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("file version {} does not exist", options.default_file_version),
                      "use 0, 1, 2, 3 or 4 (2 opens in every Tableau since 2020.4/2022.1)");
  }
  HP_ASSIGN_OR_RETURN(auto socket_dir, PrivateDir::create());
  HP_ASSIGN_OR_RETURN(auto listen_fd, listen_on_unix_socket(socket_dir.path() / k_callback_socket_name));
  if (::mkdir((socket_dir.path() / k_spill_folder_name).c_str(), 0700) != 0) {
    return process_error("cannot create hyperd's spill folder in " + socket_dir.path().string() + ": " + errno_text());
  }

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
  spawn.argv = hyperd_arguments(options, socket_dir.path());
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
  state->socket_dir = std::move(socket_dir);
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
      // Only hyperd itself may answer: the folder is private, and the peer must be our child.
      base::UniqueFd connection(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection) {
        return process_error("cannot accept hyperd's callback connection: " + errno_text());
      }
      if (peer_pid(connection.get()) == pid) {
        s.callback = std::move(connection);
        break;
      }
      continue; // someone else (the same user or root, nobody else can): not hyperd, ignored
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
  unsigned char length = 0;
  HP_TRY(read_exactly(s.callback.get(), reinterpret_cast<char*>(&length), 1, deadline));
  std::string descriptor(length, '\0');
  HP_TRY(read_exactly(s.callback.get(), descriptor.data(), length, deadline));
  HP_ASSIGN_OR_RETURN(auto endpoint, parse_callback_descriptor(descriptor, s.socket_dir.path()));
  s.host = std::move(endpoint.socket_dir);
  s.port = endpoint.port;
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
