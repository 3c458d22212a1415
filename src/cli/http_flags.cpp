#include "cli/http_flags.hpp"

namespace hyperpipe::cli {

net::HttpOptions HttpFlags::options() const {
  net::HttpOptions http;
  http.allow_http = allow_http;
  if (!ca_bundle.empty()) {
    http.ca_bundle = ca_bundle;
  }
  http.connect_timeout = std::chrono::seconds(connect_timeout);
  http.idle_timeout = std::chrono::seconds(idle_timeout);
  return http;
}

std::shared_ptr<HttpFlags> add_http_flags(CLI::App& command, const std::string& what) {
  auto flags = std::make_shared<HttpFlags>();
  command.add_option("--ca-bundle", flags->ca_bundle,
                     what + "CA certificates (PEM) to verify the server with, instead of the system's; verification stays on");
  command.add_flag("--allow-http", flags->allow_http,
                   what + "allow a plain http:// server (a test server on this machine); credentials would travel unencrypted");
  command.add_option("--connect-timeout", flags->connect_timeout, what + "seconds to connect before giving up (default: 30)")
      ->check(CLI::Range(1, 3600));
  command.add_option("--idle-timeout", flags->idle_timeout,
                     what + "seconds without a byte from the server before giving up (default: 60)")
      ->check(CLI::Range(1, 86'400));
  return flags;
}

} // namespace hyperpipe::cli
