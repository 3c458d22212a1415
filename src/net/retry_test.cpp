// The one HTTP retry policy: which outcomes are repeated for which requests, how long to wait.
#include "net/retry.hpp"

#include <gtest/gtest.h>

#include "support/fake_http.hpp"

namespace hyperpipe::net {
namespace {

using std::chrono::milliseconds;

Result<HttpResponse> answer(long status, std::map<std::string, std::string> headers = {}) {
  return HttpResponse{status, std::move(headers), {}};
}

Result<HttpResponse> failure(ErrorKind kind, bool unsent = false) {
  Error error = make_error(kind, "transport failure");
  error.unsent = unsent;
  return error;
}

TEST(RetryPolicy, WhatIsRepeatedFollowsTheRisk) {
  struct Case {
    Result<HttpResponse> outcome;
    bool idempotent_retried;
    bool other_retried;
    const char* what;
  };
  const std::vector<Case> cases = {
      {answer(200), false, false, "a success"},
      {answer(429), true, true, "429: not processed"},
      {answer(503, {{"retry-after", "3"}}), true, true, "503 with Retry-After: not processed"},
      {answer(503), true, false, "503 alone: maybe processed"},
      {answer(500), true, false, "500"},
      {answer(502), true, false, "502"},
      {answer(504), true, false, "504"},
      {answer(501), false, false, "501: will not change"},
      {answer(404), false, false, "404"},
      {answer(401), false, false, "401"},
      {failure(ErrorKind::connection), true, false, "a lost connection: maybe processed"},
      {failure(ErrorKind::connection, true), true, true, "never sent"},
      {failure(ErrorKind::remote), false, false, "TLS or certificate: waiting does not help"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(worth_retrying(c.outcome, true), c.idempotent_retried) << c.what;
    EXPECT_EQ(worth_retrying(c.outcome, false), c.other_retried) << c.what;
  }
}

TEST(RetryPolicy, DelaysDoubleAreCappedJitteredAndHonourRetryAfter) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(1000);
  policy.max_delay = milliseconds(3000);
  EXPECT_EQ(retry_delay(policy, 1, nullptr, 0.999999), milliseconds(999));
  EXPECT_EQ(retry_delay(policy, 1, nullptr, 0.0), milliseconds(500));
  EXPECT_EQ(retry_delay(policy, 2, nullptr, 0.0), milliseconds(1000));
  EXPECT_EQ(retry_delay(policy, 3, nullptr, 0.5), milliseconds(2250)); // 3000 capped, three quarters
  EXPECT_EQ(retry_delay(policy, 60, nullptr, 0.5), milliseconds(2250)); // no overflow far out
  const HttpResponse asked{503, {{"retry-after", "7"}}, {}};
  EXPECT_EQ(retry_delay(policy, 1, &asked, 0.0), milliseconds(7000));
  const HttpResponse too_long{429, {{"retry-after", "86400"}}, {}};
  EXPECT_EQ(retry_delay(policy, 1, &too_long, 0.0), milliseconds(600'000));
  const HttpResponse date{429, {{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}}, {}};
  EXPECT_EQ(retry_delay(policy, 1, &date, 0.0), milliseconds(500)) << "an HTTP date falls back to the backoff";
}

TEST(RetryPolicy, SendWithRetriesStopsAtSuccessAtARefusalOrAtTheBudget) {
  testing::RecordingSleeper sleeper;
  RetryPolicy policy;
  policy.max_attempts = 3;
  HttpRequest request;
  request.url = "https://x/y";

  testing::FakeHttp flaky;
  flaky.add(503);
  flaky.fail(make_error(ErrorKind::connection, "reset"));
  flaky.add(200, "ok");
  const auto ok = send_with_retries(flaky, request, true, policy, sleeper);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->body, "ok");
  EXPECT_EQ(flaky.seen.size(), 3U);
  EXPECT_EQ(sleeper.slept.size(), 2U);

  testing::FakeHttp refusing;
  refusing.add(400);
  EXPECT_EQ(send_with_retries(refusing, request, true, policy, sleeper)->status, 400);
  EXPECT_EQ(refusing.seen.size(), 1U);

  testing::FakeHttp busy;
  for (int i = 0; i < 3; ++i) {
    busy.add(500);
  }
  EXPECT_EQ(send_with_retries(busy, request, true, policy, sleeper)->status, 500);
  EXPECT_EQ(busy.seen.size(), 3U);

  testing::FakeHttp unsafe;
  unsafe.add(500);
  EXPECT_EQ(send_with_retries(unsafe, request, false, policy, sleeper)->status, 500);
  EXPECT_EQ(unsafe.seen.size(), 1U) << "a request that may have been carried out is not repeated";
}

} // namespace
} // namespace hyperpipe::net
