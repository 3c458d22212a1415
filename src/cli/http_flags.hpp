#pragma once
// The HTTP flags every command that talks to a server shares (publish, load URL): TLS trust,
// plain HTTP for a test server, and the bounds on every request.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "net/http.hpp"

namespace hyperpipe::cli {

struct HttpFlags {
  std::string ca_bundle;
  bool allow_http = false;
  long long connect_timeout = 30;
  long long idle_timeout = 60;
  net::HttpOptions options() const;
};

/// Adds --ca-bundle, --allow-http, --connect-timeout and --idle-timeout; `what` starts each help
/// text (e.g. "URL: ").
std::shared_ptr<HttpFlags> add_http_flags(CLI::App& command, const std::string& what = {});

} // namespace hyperpipe::cli
