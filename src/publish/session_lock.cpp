#include "publish/session_lock.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>

namespace hyperpipe::publish {
namespace {

// FNV-1a: stable across builds and machines, which std::hash does not promise.
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string readable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' ? c : '_';
  }
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

} // namespace

std::filesystem::path default_session_lock_dir(
    const std::function<std::optional<std::string>(const std::string&)>& environment) {
  if (auto dir = environment("HYPERPIPE_SESSION_LOCK_DIR")) {
    return *dir;
  }
  if (auto state = environment("XDG_STATE_HOME")) {
    return std::filesystem::path(*state) / "hyperpipe" / "sessions";
  }
  if (auto home = environment("HOME")) {
    return std::filesystem::path(*home) / ".local" / "state" / "hyperpipe" / "sessions";
  }
  std::error_code ec;
  return std::filesystem::temp_directory_path(ec) / fmt::format("hyperpipe-sessions-{}", ::getuid());
}

std::filesystem::path session_lock_file(const std::filesystem::path& dir, const std::string& server,
                                        const Credentials& credentials) {
  const std::string host = server.substr(server.find("://") == std::string::npos ? 0 : server.find("://") + 3);
  return dir / fmt::format("pat-{}-{}-{:016x}.lock", readable(host, 60), readable(credentials.name, 40),
                           stable_hash(server + '\n' + credentials.name));
}

Result<std::optional<base::FileLock>> hold_session(const std::filesystem::path& dir, const std::string& server,
                                                   const Credentials& credentials, const std::string& holder,
                                                   std::chrono::seconds timeout, net::Sleeper& sleeper) {
  if (credentials.kind != Credentials::Kind::token) {
    return std::optional<base::FileLock>();
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot create the session lock folder {}: {}", dir.string(), ec.message()),
                      "set HYPERPIPE_SESSION_LOCK_DIR to a folder the user running hyperpipe can write");
  }
  ::chmod(dir.c_str(), 0700); // who publishes with which token is nobody else's business
  const auto file = session_lock_file(dir, server, credentials);
  auto lock = base::FileLock::acquire_within(file, fmt::format("pid {} ({}, since {})", ::getpid(), holder, utc_now()),
                                             timeout, [&](std::chrono::milliseconds pause) { sleeper.sleep(pause); });
  if (!lock) {
    Error error = std::move(lock).error();
    if (error.kind == ErrorKind::already_exists) {
      error.kind = ErrorKind::remote;
      error.message = fmt::format("waited {} s for {} on {}, which another hyperpipe is signed in with: {}", timeout.count(),
                                  credentials.describe(), server, error.message.empty() ? "(holder unknown)" : error.message);
      error.hint = "Tableau allows one session per personal access token, so runs that share one take turns; raise "
                   "session_wait (--session-wait), or give the pipelines tokens of their own";
    }
    return error;
  }
  return std::optional<base::FileLock>(std::move(*lock));
}

} // namespace hyperpipe::publish
