#include "publish/session_lock.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdint>

#include <fmt/format.h>

#include "base/stable_hash.hpp"
#include "base/utc_now.hpp"

namespace hyperpipe::publish {
namespace {

std::string readable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' ? c : '_';
  }
  return out;
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
  // One server however it is written: scheme and host are case-insensitive, a trailing '/' is
  // nothing (the client strips it too).
  std::string address = server;
  while (!address.empty() && address.back() == '/') {
    address.pop_back();
  }
  const auto scheme_end = address.find("://");
  const auto host_end = address.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  for (std::size_t i = 0; i < std::min(host_end, address.size()); ++i) {
    address[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(address[i])));
  }
  const std::string host = address.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return dir / fmt::format("pat-{}-{}-{:016x}.lock", readable(host, 60), readable(credentials.name, 40),
                           base::stable_hash(address + '\n' + credentials.name));
}

namespace {

// The lock folder must be this user's own real folder: in a shared place (the temporary
// directory's fallback) another user could otherwise plant a symlink where a lock file goes.
Status check_private_folder(const std::filesystem::path& dir, bool created) {
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid()) {
    return make_error(ErrorKind::io,
                      fmt::format("the session lock folder {} is not a folder of this user's own (a symlink, a file, "
                                  "or another user's)", dir.string()),
                      "set HYPERPIPE_SESSION_LOCK_DIR to a folder this user owns");
  }
  if (created && ::chmod(dir.c_str(), 0700) != 0) {
    return make_error(ErrorKind::io, fmt::format("cannot make {} private: {}", dir.string(), std::strerror(errno)));
  }
  return {};
}

} // namespace

Result<std::optional<base::FileLock>> hold_session(const std::filesystem::path& dir, const std::string& server,
                                                   const Credentials& credentials, const std::string& holder,
                                                   std::chrono::seconds timeout, net::Sleeper& sleeper) {
  if (credentials.kind != Credentials::Kind::token) {
    return std::optional<base::FileLock>();
  }
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot create the session lock folder {}: {}", dir.string(), ec.message()),
                      "set HYPERPIPE_SESSION_LOCK_DIR to a folder the user running hyperpipe can write");
  }
  // Who publishes with which token is nobody else's business: a folder made here is 0700.
  HP_TRY(check_private_folder(dir, created));
  const auto file = session_lock_file(dir, server, credentials);
  auto lock = base::FileLock::acquire_within(file, fmt::format("pid {} ({}, since {})", ::getpid(), holder, base::utc_now()),
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
