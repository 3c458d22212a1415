#pragma once
// The one retry policy for HTTP: publishing, web API sources and notifications all decide with
// it whether an attempt is worth repeating and how long to wait first. Pure decisions; the wait
// goes through a Sleeper, so tests run without a clock.
//
// What is repeated follows the risk (docs/guarantees.md):
//   - 429, and 503 with Retry-After: always — the server says it did not process the request;
//   - 500, 502, 503, 504 and a lost connection: only requests that are safe to repeat
//     (idempotent), because the server may have carried the request out;
//   - a request none of which left this machine (no connection was made): always;
//   - TLS and certificate failures and every other status: never — waiting does not fix them.

#include <chrono>
#include <functional>

#include "hyperpipe/error.hpp"
#include "net/http.hpp"

namespace hyperpipe::net {

struct RetryPolicy {
  int max_attempts = 5; ///< in all, the first included
  std::chrono::milliseconds base_delay{500}; ///< before the second attempt; doubled for each next one
  std::chrono::milliseconds max_delay{30'000};
  /// A Retry-After beyond this is cut to it: a server's word, within reason.
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(10)};
};

/// Whether `outcome` (an answer, or a transport failure) is worth another attempt of a request
/// that is (or is not) `idempotent`. A 2xx is never "worth retrying".
bool worth_retrying(const Result<HttpResponse>& outcome, bool idempotent);

/// Whether a failed request may have been carried out by the server: an answer lost after it was
/// sent, or a 500/502/504 (or a 503 without Retry-After). A refusal (4xx, 501, 429, 503 with
/// Retry-After) or a request never sent was not.
bool maybe_processed(const Result<HttpResponse>& outcome);

/// The wait before the attempt after attempt `attempt` (1-based): the answer's Retry-After in
/// seconds (capped), else base_delay doubled per attempt, capped at max_delay, times a jitter
/// factor from 0.5 to 1 (`jitter` uniform in [0, 1)), so many clients do not retry in step.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt, const HttpResponse* answer, double jitter);

/// Waits; the real one sleeps, tests record.
class Sleeper {
public:
  virtual ~Sleeper() = default;
  virtual void sleep(std::chrono::milliseconds duration) = 0;
};
Sleeper& real_sleeper();

/// Uniform in [0, 1), for retry_delay.
double random_jitter();

/// Sends `request` until it succeeds (2xx), fails for good, or the attempts run out; returns the
/// last outcome (an answer with its status, or the transport's error). `on_retry(attempt, wait)`
/// hears each repeat before its wait.
Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request, bool idempotent,
                                       const RetryPolicy& policy, Sleeper& sleeper,
                                       const std::function<void(int attempt, std::chrono::milliseconds wait)>& on_retry = {});

} // namespace hyperpipe::net
