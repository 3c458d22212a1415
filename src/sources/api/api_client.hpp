#pragma once
// One API's requests as a source needs them: authentication (including OAuth2 client
// credentials, fetched and refreshed as tokens expire), pacing to a requests-per-second limit,
// retries by the one HTTP retry policy (net/retry.hpp: backoff with jitter, Retry-After honoured,
// never a TLS failure), the development cache, and messages with every secret redacted.
// Safe to use from several threads at once.

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sources/api/api_fetch.hpp"
#include "sources/api/response_cache.hpp"

namespace hyperpipe::sources {

class ApiClient {
public:
  ApiClient(const ApiFetchOptions& options, const ApiEnvironment& environment);

  /// Sends a request (a 2xx answer, or the error after the retry budget).
  Result<net::HttpResponse> send(const std::string& method, const std::string& url, const std::string& body);

  /// The text with every secret (as written and percent-encoded) replaced by "[redacted]".
  std::string redact(std::string text) const;

  /// Requests still being sent give up at their next attempt or wait (pages asked for ahead
  /// that are no longer needed: the fetch failed or ended).
  void cancel() { m_cancelled = true; }
  /// After every cancelled request has returned: new requests are sent again.
  void resume() { m_cancelled = false; }

  std::uint64_t retries() const { return m_retries; }
  std::uint64_t requests() const { return m_requests; }
  std::uint64_t cache_hits() const { return m_cache_hits; }

private:
  /// The current token; `renew`: a new one, unless another request already replaced `failed`.
  Result<std::string> access_token(bool renew, const std::string& failed);
  Result<net::HttpResponse> send_uncached(const std::string& method, const std::string& url, const std::string& body);
  /// The wait after attempt `attempt` got `outcome` (net::retry_delay with this source's policy).
  std::chrono::milliseconds delay(int attempt, const Result<net::HttpResponse>& outcome) const;
  void pace();
  std::int64_t now() const;

  const ApiFetchOptions& m_options;
  const ApiEnvironment& m_env;
  std::optional<ResponseCache> m_cache;

  mutable std::mutex m_mutex; ///< guards the token, pacing and the secret list
  std::vector<std::string> m_secrets;
  std::string m_token;
  std::int64_t m_token_expires = 0;
  bool m_paced = false;
  std::chrono::steady_clock::time_point m_last_request;

  void wait(std::chrono::milliseconds duration);

  std::atomic<bool> m_cancelled{false};
  std::atomic<std::uint64_t> m_retries{0};
  std::atomic<std::uint64_t> m_requests{0};
  std::atomic<std::uint64_t> m_cache_hits{0};
};

/// Values of query parameters whose names say they are secret (key, token, signature, ...)
/// replaced with "[redacted]" wherever a URL appears in `text`.
std::string mask_secret_parameters(std::string text);

/// The start of a body, printable, for messages.
std::string excerpt(std::string_view body);

} // namespace hyperpipe::sources
