#pragma once
// The hyperd child process: spawned with a callback connection, supervised, shut down.
//
// hyperd runs unauthenticated as the user who started it, so it is reachable only through Unix
// sockets in a fresh private folder (mode 0700): no TCP port, nothing another local user can
// connect to. The callback is accepted only from hyperd's own pid (SO_PEERCRED).
//
// The callback socket is the dead-man's switch: hyperd connects back to us, reports where it
// listens, and keeps that socket open. When it closes (we shut down, crash, or are SIGKILLed and
// the kernel closes our descriptors) hyperd exits by itself, so no orphan is ever left behind.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::hyper {

struct HyperdOptions {
  std::filesystem::path binary;
  /// File format version for new databases (0-4); 2 opens in every Tableau since 2020.4/2022.1.
  int default_file_version = 2;
  /// Where hyperd writes hyperd.log; without it hyperd writes no log file at all.
  std::optional<std::filesystem::path> log_dir;
  /// hyperd's memory limit (hyper/process/memory_limit.hpp); empty: hyperd's own default.
  std::string memory_limit;
  /// Extra hyperd settings, passed as --name=value (underscores become dashes).
  std::vector<std::pair<std::string, std::string>> settings;
  std::chrono::milliseconds start_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{5'000};
};

/// The role hyperd is started with; connections must log in as it.
inline constexpr const char* k_hyperd_user = "tableau_internal_user";

/// hyperd's sockets, inside the private folder: the callback we listen on, and the listener
/// hyperd creates (".s.PGSQL.<number>", the name libpq looks for).
inline constexpr const char* k_callback_socket_name = "callback";
inline constexpr int k_listen_socket_number = 1;

/// The command line hyperd is started with (pure; exposed for tests).
std::vector<std::string> hyperd_arguments(const HyperdOptions& options, const std::filesystem::path& socket_dir);

/// Where hyperd listens: a Unix socket, reached by libpq as host = the folder, port = the number.
struct HyperdEndpoint {
  std::string socket_dir;
  int port = 0;
};

/// Parses what hyperd sends on the callback connection: one length byte, then a descriptor such
/// as "tab.domain:///tmp/hyperpipe-AbC123/domain/.s.PGSQL.1" and a NUL. Anything but a socket in
/// `socket_dir` is refused.
Result<HyperdEndpoint> parse_callback_descriptor(std::string_view message, const std::filesystem::path& socket_dir);

class HyperdProcess {
public:
  /// Spawns hyperd and waits until it reports its endpoint. If hyperd exits first, the error
  /// carries its exit status and what it printed.
  static Result<HyperdProcess> start(const HyperdOptions& options);

  HyperdProcess(HyperdProcess&&) noexcept;
  HyperdProcess& operator=(HyperdProcess&&) noexcept;
  ~HyperdProcess(); ///< shuts down if still running; never throws

  /// libpq's host and port for hyperd: the private socket folder and the socket's number.
  const std::string& host() const;
  int port() const;
  int pid() const;
  /// From spawn to the callback connection reporting the endpoint.
  std::chrono::microseconds startup_time() const;

  /// Closes the callback connection and waits for hyperd to exit; after `timeout` sends SIGTERM,
  /// then SIGKILL. An error if hyperd exited with a failure status or had to be killed.
  Status shutdown(std::chrono::milliseconds timeout);
  Status shutdown();

private:
  struct State;
  explicit HyperdProcess(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

} // namespace hyperpipe::hyper
