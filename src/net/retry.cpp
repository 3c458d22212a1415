#include "net/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

namespace hyperpipe::net {
namespace {

bool server_error(long status) { return status == 500 || status == 502 || status == 503 || status == 504; }

std::optional<std::chrono::seconds> retry_after(const HttpResponse& answer) {
  const auto found = answer.headers.find("retry-after");
  if (found == answer.headers.end()) {
    return std::nullopt;
  }
  long long seconds = 0;
  const auto& value = found->second;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt; // an HTTP date is not honoured: the backoff applies
  }
  return std::chrono::seconds(seconds);
}

class RealSleeper final : public Sleeper {
public:
  void sleep(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

} // namespace

bool worth_retrying(const Result<HttpResponse>& outcome, bool idempotent) {
  if (!outcome) {
    const Error& error = outcome.error();
    // kind remote: TLS or certificate trouble, which waiting does not fix.
    return error.kind == ErrorKind::connection && (idempotent || error.unsent);
  }
  const long status = outcome->status;
  if (status == 429 || (status == 503 && retry_after(*outcome))) {
    return true;
  }
  return idempotent && server_error(status);
}

bool maybe_processed(const Result<HttpResponse>& outcome) {
  if (!outcome) {
    return outcome.error().kind == ErrorKind::connection && !outcome.error().unsent;
  }
  const long status = outcome->status;
  return status == 500 || status == 502 || status == 504 || (status == 503 && !retry_after(*outcome));
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt, const HttpResponse* answer, double jitter) {
  if (answer != nullptr) {
    if (const auto asked = retry_after(*answer)) {
      return std::min<std::chrono::milliseconds>(*asked, policy.max_retry_after);
    }
  }
  const double exponential = static_cast<double>(policy.base_delay.count()) * std::pow(2.0, std::min(attempt, 30) - 1);
  const double capped = std::min(exponential, static_cast<double>(policy.max_delay.count()));
  return std::chrono::milliseconds(static_cast<long long>(capped * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0))));
}

Sleeper& real_sleeper() {
  static RealSleeper sleeper;
  return sleeper;
}

double random_jitter() {
  static std::mutex mutex;
  static std::mt19937_64 generator{std::random_device{}()};
  std::lock_guard lock(mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request, bool idempotent,
                                       const RetryPolicy& policy, Sleeper& sleeper,
                                       const std::function<void(int attempt, std::chrono::milliseconds wait)>& on_retry) {
  for (int attempt = 1;; ++attempt) {
    auto outcome = transport.send(request);
    const bool succeeded = outcome && outcome->status >= 200 && outcome->status < 300;
    if (succeeded || attempt >= policy.max_attempts || !worth_retrying(outcome, idempotent)) {
      return outcome;
    }
    const auto wait = retry_delay(policy, attempt, outcome ? &*outcome : nullptr, random_jitter());
    if (on_retry) {
      on_retry(attempt, wait);
    }
    sleeper.sleep(wait);
  }
}

} // namespace hyperpipe::net
