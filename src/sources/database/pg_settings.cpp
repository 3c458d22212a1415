#include "sources/database/pg_settings.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace hyperpipe::sources::database {

bool is_local_host(std::string_view hosts) {
  if (hosts.empty()) {
    return true; // a Unix socket
  }
  std::size_t start = 0;
  while (start <= hosts.size()) {
    const auto end = std::min(hosts.find(',', start), hosts.size());
    const auto host = hosts.substr(start, end - start);
    if (!host.empty() && host[0] != '/' && host != "localhost" && host != "127.0.0.1" && host != "::1") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

// Why a connection failed, and what to do about it, from libpq's message.
std::string connect_hint(std::string_view message) {
  if (message.find("password authentication failed") != std::string_view::npos ||
      message.find("no password supplied") != std::string_view::npos) {
    return "check the user and password: PGPASSWORD in the environment, or a ~/.pgpass (PGPASSFILE) entry";
  }
  if (message.find("does not support SSL") != std::string_view::npos) {
    return "the server does not offer TLS, which hyperpipe requires for a server on another machine: enable TLS on the "
           "server, or add sslmode=disable to the connection if you accept unencrypted traffic";
  }
  if (message.find("certificate") != std::string_view::npos || message.find("SSL") != std::string_view::npos) {
    return "the server's TLS certificate could not be verified: give its CA with sslrootcert=FILE (or PGSSLROOTCERT); "
           "sslmode=require encrypts without verifying (not recommended)";
  }
  if (message.find("does not exist") != std::string_view::npos) {
    return "check the database and user names";
  }
  return "check the host and port, and that the server is running and reachable from here";
}

ConnectionSettings connection_settings(const std::string& connection, const char* environment_sslmode,
                                       const char* environment_host) {
  ConnectionSettings settings;
  std::string host = environment_host != nullptr ? environment_host : "";
  settings.sslmode_chosen = environment_sslmode != nullptr && *environment_sslmode != '\0';
  bool has_application = false, has_timeout = false;
  if (!connection.empty()) {
    settings.parameters.emplace_back("dbname", connection); // expanded: a URI or key=value string
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(connection.c_str(), &error);
    PQfreemem(error); // libpq's message may quote the password: never shown
    settings.malformed = options == nullptr;
    for (PQconninfoOption* option = options; option != nullptr && option->keyword != nullptr; ++option) {
      if (option->val == nullptr) {
        continue;
      }
      const std::string_view keyword = option->keyword;
      if (keyword == "host" || keyword == "hostaddr") {
        host = option->val;
      } else if (keyword == "password" && *option->val != '\0') {
        settings.password = option->val;
      }
      settings.sslmode_chosen |= keyword == "sslmode";
      has_application |= keyword == "application_name";
      has_timeout |= keyword == "connect_timeout";
    }
    PQconninfoFree(options);
  }
  if (!has_application) {
    settings.parameters.emplace_back("application_name", "hyperpipe");
  }
  if (!has_timeout && std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    settings.parameters.emplace_back("connect_timeout", "15");
  }
  if (!settings.sslmode_chosen && !is_local_host(host)) {
    settings.parameters.emplace_back("sslmode", "verify-full");
    settings.sslmode_chosen = true;
  }
  return settings;
}

} // namespace hyperpipe::sources::database
