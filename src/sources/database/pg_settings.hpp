#pragma once
// What a PostgreSQL connection string asks for, read once and purely: the libpq parameters
// hyperpipe adds (application name, a connect timeout, verified TLS for a server on another
// machine), whether the TLS choice was the user's, and the password to redact.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperpipe::sources::database {

/// A Unix socket, localhost or a loopback address: every host of a comma list.
bool is_local_host(std::string_view hosts);

/// Why a connection failed, and what to do about it, from libpq's message.
std::string connect_hint(std::string_view message);

/// How hyperpipe connects, from one reading of the user's connection string (exposed for tests).
struct ConnectionSettings {
  /// libpq keywords and values: the user's string expanded, application_name, a connect
  /// timeout, and sslmode=verify-full for a remote server when nothing else says otherwise.
  std::vector<std::pair<std::string, std::string>> parameters;
  bool malformed = false;      ///< libpq cannot parse the string (its message is never shown)
  bool sslmode_chosen = false; ///< by the string, PGSSLMODE, or verify-full added here
  std::optional<std::string> password; ///< the one the string carries, to redact everywhere
};
ConnectionSettings connection_settings(const std::string& connection, const char* environment_sslmode,
                                       const char* environment_host);

} // namespace hyperpipe::sources::database
