// The notifier against a fake HTTP transport: the payload, redaction, when it is sent, and how
// an unreachable or refusing webhook is retried and reported.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <deque>

#include "notify/notifier.hpp"
#include "support/fake_http.hpp"

namespace hyperpipe::notify {
namespace {

using testing::FakeHttp;

net::HttpResponse status(long code) {
  net::HttpResponse response;
  response.status = code;
  return response;
}

Notice failed_notice() {
  Notice notice;
  notice.pipeline = "sales";
  notice.status = "failed";
  notice.trigger = "schedule";
  notice.started = "2026-11-25T06:00:00.000Z";
  notice.finished = "2026-11-25T06:00:09.500Z";
  notice.seconds = 9.5;
  notice.failed_step = "source orders";
  notice.error = "GET https://api.example.com/orders?key=s3cret-key: HTTP 401";
  notice.hint = "check the key";
  notice.outputs = {{"sales", 120}};
  notice.report = "/srv/state/sales.last-run.json";
  return notice;
}

std::string body_of(const net::HttpRequest& request) { return request.body.at(0).bytes; }

TEST(Notifier, PostsTheRunAsJsonWithSecretsRedacted) {
  FakeHttp http;
  http.answers.push_back(status(200));
  Targets targets;
  targets.webhook = "https://hooks.example.com/services/T0/B0/tok";
  EXPECT_TRUE(send(failed_notice(), targets, {"s3cret-key"}, http).empty());
  ASSERT_EQ(http.seen.size(), 1u);
  EXPECT_EQ(http.seen[0].method, "POST");
  EXPECT_EQ(http.seen[0].url, "https://hooks.example.com/services/T0/B0/tok");
  EXPECT_NE(std::find(http.seen[0].headers.begin(), http.seen[0].headers.end(),
                      std::pair<std::string, std::string>{"Content-Type", "application/json"}),
            http.seen[0].headers.end());
  const std::string raw = body_of(http.seen[0]);
  EXPECT_EQ(raw.find("s3cret-key"), std::string::npos) << raw;
  const auto body = nlohmann::json::parse(raw);
  EXPECT_EQ(body["status"], "failed");
  EXPECT_EQ(body["trigger"], "schedule");
  EXPECT_EQ(body["failed_step"], "source orders");
  EXPECT_EQ(body["error"], "GET https://api.example.com/orders?key=[redacted]: HTTP 401");
  EXPECT_EQ(body["outputs"][0]["rows"], 120);
  EXPECT_EQ(body["report"], "/srv/state/sales.last-run.json");
  EXPECT_EQ(body["text"], "hyperpipe: pipeline sales FAILED (schedule run) at source orders: "
                          "GET https://api.example.com/orders?key=[redacted]: HTTP 401");
}

TEST(Notifier, SuccessIsSentOnlyWhenAskedFor) {
  Notice notice = failed_notice();
  notice.status = "succeeded";
  Targets targets;
  targets.webhook = "https://hooks.example.com/x";
  EXPECT_FALSE(wanted(targets, notice));
  EXPECT_TRUE(wanted(targets, failed_notice()));
  targets.on_success = true;
  EXPECT_TRUE(wanted(targets, notice));
  FakeHttp http;
  http.answers.push_back(status(204));
  EXPECT_TRUE(send(notice, targets, {}, http).empty());
  EXPECT_EQ(nlohmann::json::parse(body_of(http.seen[0]))["text"],
            "hyperpipe: pipeline sales succeeded in 9.5 s (schedule run): 1 output, 120 rows");
  EXPECT_FALSE(wanted(Targets{}, failed_notice())); // nowhere to send it
}

TEST(Notifier, RetriesUnreachableAndBusyWebhooksButNotRefusals) {
  Targets targets;
  targets.webhook = "https://hooks.example.com/services/secret-path";
  targets.retry_pause = std::chrono::milliseconds(1000);
  FakeHttp busy;
  busy.answers.push_back(status(503));
  busy.answers.push_back(make_error(ErrorKind::connection, "connection refused"));
  busy.answers.push_back(status(200));
  testing::RecordingSleeper sleeper;
  EXPECT_TRUE(send(failed_notice(), targets, {}, busy, sleeper).empty());
  EXPECT_EQ(busy.seen.size(), 3u);
  // The pause, then twice the pause, each jittered down by up to half (net/retry.hpp).
  ASSERT_EQ(sleeper.slept.size(), 2u);
  EXPECT_GE(sleeper.slept[0].count(), 500);
  EXPECT_LE(sleeper.slept[0].count(), 1000);
  EXPECT_GE(sleeper.slept[1].count(), 1000);
  EXPECT_LE(sleeper.slept[1].count(), 2000);

  FakeHttp refused;
  refused.answers.push_back(status(404));
  const auto problems = send(failed_notice(), targets, {}, refused, sleeper);
  EXPECT_EQ(refused.seen.size(), 1u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "the webhook https://hooks.example.com/… was not notified: HTTP 404");

  FakeHttp down;
  for (int i = 0; i < 3; ++i) {
    down.answers.push_back(make_error(ErrorKind::connection, "cannot reach https://hooks.example.com/services/secret-path"));
  }
  const auto unreachable = send(failed_notice(), targets, {}, down);
  ASSERT_EQ(unreachable.size(), 1u);
  EXPECT_EQ(unreachable[0].find("secret-path"), std::string::npos) << unreachable[0];
}

TEST(Notifier, DisplayUrlHidesPathsAndPasswords) {
  EXPECT_EQ(display_url("https://hooks.slack.com/services/T/B/X"), "https://hooks.slack.com/…");
  EXPECT_EQ(display_url("https://user:pw@example.com:8443/hook?token=1"), "https://example.com:8443/…");
  EXPECT_EQ(display_url("https://example.com"), "https://example.com");
  EXPECT_EQ(display_url("not a url"), "(webhook)");
}

} // namespace
} // namespace hyperpipe::notify
