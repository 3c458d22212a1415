#pragma once
// Telling people how a run ended: a JSON POST to a webhook (Slack, Teams, or any service that
// takes JSON; the "text" field is what chat tools display) and/or a command run with the report
// path. Secrets are redacted from everything sent; a notification that cannot be delivered is
// a warning, never a failed run.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http.hpp"
#include "net/retry.hpp"

namespace hyperpipe::notify {

struct Notice {
  std::string pipeline;
  std::string status;  ///< "succeeded" or "failed"
  std::string trigger; ///< "manual" or "schedule"
  std::string started; ///< ISO 8601 UTC
  std::string finished;
  double seconds = 0;
  std::string failed_step;
  std::string error;
  std::string hint;
  std::vector<std::pair<std::string, std::uint64_t>> outputs; ///< name, rows after the run
  std::string report; ///< the JSON report's path
  std::string host;   ///< the machine the run ran on
};

struct Targets {
  bool on_success = false;            ///< failures always notify
  std::optional<std::string> webhook; ///< URL (https unless allow_http)
  /// A program and its arguments; the report's path is appended.
  std::vector<std::string> command;
  /// Or one command line for /bin/sh -c, with the report's path as $1.
  std::string shell_command;
  std::chrono::seconds timeout{30};   ///< per webhook attempt, and for the command
  /// Before the second attempt (with jitter, net/retry.hpp); doubled before the third.
  std::chrono::milliseconds retry_pause{1000};
};

/// Whether `notice` is worth sending to `targets`.
bool wanted(const Targets& targets, const Notice& notice);

/// The webhook's body, every string field redacted.
std::string notice_json(const Notice& notice, const std::vector<std::string>& secrets);

/// "https://hooks.example.com/…": a webhook URL as logs may show it (the path is often a secret).
std::string display_url(const std::string& url);

/// Sends `notice` where `targets` say; returns a line per problem (already redacted). The
/// webhook is tried three times by the one HTTP retry policy (net/retry.hpp: unreachable, 429,
/// 5xx; a notice sent twice is harmless, so every failure of that kind is repeated).
std::vector<std::string> send(const Notice& notice, const Targets& targets, const std::vector<std::string>& secrets,
                              net::HttpTransport& http, net::Sleeper& sleeper = net::real_sleeper());

} // namespace hyperpipe::notify
