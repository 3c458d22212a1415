// Unit tests of fetch_api_records(): retries, errors and limits. The harness (a scripted transport,
// a recording sleep) is in api_fetch_test_harness.hpp.
#include "sources/api/api_fetch_test_harness.hpp"

namespace hyperpipe::sources {
namespace {

using namespace api_test; // NOLINT: the harness, in every test below
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Retries

TEST(ApiFetch, TooManyRequestsHonoursRetryAfter) {
  Harness harness;
  harness.transport.add(429, "slow down", {{"retry-after", "7"}});
  harness.transport.add(200, R"([{"id":1}])");
  const auto result = harness.fetch(options_for("https://api.example.com/items"));
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.waits, (std::vector<milliseconds>{milliseconds(7000)}));
  EXPECT_EQ(result->retries, 1U);
  EXPECT_EQ(result->pages, 1U);
  EXPECT_EQ(harness.transport.seen.size(), 2U);
  EXPECT_EQ(harness.transport.seen[0].url, harness.transport.seen[1].url);
}

TEST(ApiFetch, RetryAfterIsCappedAtTenMinutes) {
  Harness harness;
  harness.transport.add(503, "", {{"retry-after", "86400"}});
  harness.transport.add(200, "[]");
  ASSERT_TRUE(harness.fetch(options_for("https://api.example.com/items")).ok());
  EXPECT_EQ(harness.waits, (std::vector<milliseconds>{milliseconds(600'000)}));
}

TEST(ApiFetch, ServerErrorsAreRetriedWithExponentialBackoff) {
  Harness harness;
  harness.jitter = 0.0; // the low end: half the exponential delay
  harness.transport.add(500, "oops");
  harness.transport.add(502, "bad gateway");
  harness.transport.fail(make_error(ErrorKind::connection, "connection reset"));
  harness.transport.add(504, "timeout", {{"retry-after", "soon"}}); // not a number: backoff
  harness.transport.add(200, R"([{"id":1}])");
  const auto result = harness.fetch(options_for("https://api.example.com/items"));
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.waits, (std::vector<milliseconds>{milliseconds(250), milliseconds(500), milliseconds(1000),
                                                      milliseconds(2000)}));
  EXPECT_EQ(result->retries, 4U);
  EXPECT_EQ(harness.records, (Strings{R"({"id":1})"}));
}

TEST(ApiFetch, BackoffIsJitteredAndCapped) {
  Harness harness;
  harness.jitter = 0.5; // three quarters of the exponential delay
  for (int i = 0; i < 4; ++i) {
    harness.transport.add(503, "");
  }
  harness.transport.add(200, "[]");
  auto options = options_for("https://api.example.com/items");
  options.retry.base_delay = milliseconds(1000);
  options.retry.max_delay = milliseconds(3000);
  ASSERT_TRUE(harness.fetch(options).ok());
  EXPECT_EQ(harness.waits, (std::vector<milliseconds>{milliseconds(750), milliseconds(1500), milliseconds(2250),
                                                      milliseconds(2250)}));
}

TEST(ApiFetch, RetryBudgetExhaustedNamesTheUrlWithTheKeyRedacted) {
  Harness harness;
  for (int i = 0; i < 3; ++i) {
    harness.transport.add(503, "<html>busy\nnow</html>");
  }
  auto options = options_for("https://api.example.com/items");
  options.retry.max_attempts = 3;
  options.auth.kind = ApiAuth::Kind::api_key_query;
  options.auth.name = "key";
  options.auth.secret = "s3cr3tkey";
  options.secrets = {"s3cr3tkey"};
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::remote);
  EXPECT_EQ(result.error().message, "GET https://api.example.com/items?key=[redacted]: gave up after 3 attempts; last "
                                    "answer: HTTP 503: <html>busy now</html>");
  EXPECT_EQ(result.error().hint,
            "the API keeps failing or limiting requests: try later, or lower requests_per_second");
  EXPECT_EQ(harness.transport.seen.size(), 3U);
  EXPECT_EQ(harness.waits.size(), 2U);
  EXPECT_EQ(harness.transport.seen[0].url, "https://api.example.com/items?key=s3cr3tkey");
}

TEST(ApiFetch, RetryBudgetOfOneAttemptAfterAConnectionError) {
  Harness harness;
  harness.transport.fail(make_error(ErrorKind::connection, "could not connect to api.example.com"));
  auto options = options_for("https://api.example.com/items");
  options.retry.max_attempts = 1;
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "GET https://api.example.com/items: gave up after 1 attempt; last answer: could not "
                                    "connect to api.example.com");
  EXPECT_TRUE(harness.waits.empty());
}

// The key travels percent-encoded in URLs: that form is redacted from messages too.
TEST(ApiFetch, PercentEncodedKeyIsRedactedToo) {
  Harness harness;
  harness.transport.add(503, "");
  auto options = options_for("https://api.example.com/items");
  options.retry.max_attempts = 1;
  options.auth.kind = ApiAuth::Kind::api_key_query;
  options.auth.name = "key";
  options.auth.secret = "AbC/dEf+gh=";
  options.secrets = {"AbC/dEf+gh="};
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.find("AbC"), std::string::npos) << result.error().message;
}

TEST(ApiFetch, ForbiddenIsNotRetried) {
  Harness harness;
  harness.transport.add(403, R"({"error":"quota exceeded for tok-123"})");
  auto options = options_for("https://api.example.com/items");
  options.auth.kind = ApiAuth::Kind::bearer;
  options.auth.secret = "tok-123";
  options.secrets = {"tok-123"};
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::remote);
  EXPECT_EQ(result.error().message,
            R"(GET https://api.example.com/items: HTTP 403: {"error":"quota exceeded for [redacted]"})");
  EXPECT_EQ(result.error().hint, "check the API key or token (and its quota)");
  EXPECT_EQ(harness.transport.seen.size(), 1U);
  EXPECT_TRUE(harness.waits.empty());

  Harness not_found;
  not_found.transport.add(404, "no such thing");
  const auto missing = not_found.fetch(options_for("https://api.example.com/itemz"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "GET https://api.example.com/itemz: HTTP 404: no such thing");
  EXPECT_EQ(missing.error().hint, "check the URL and parameters");
  EXPECT_EQ(not_found.transport.seen.size(), 1U);
}

TEST(ApiFetch, LongErrorBodiesAreCut) {
  Harness harness;
  harness.transport.add(400, std::string(300, 'x'));
  const auto result = harness.fetch(options_for("https://api.example.com/items"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "GET https://api.example.com/items: HTTP 400: " + std::string(200, 'x') + "...");
}

TEST(ApiFetch, RequestsPerSecondPacesRequests) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1}],"nextPageToken":"t2"})");
  harness.transport.add(200, R"({"items":[{"id":2}]})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  options.requests_per_second = 0.1;
  ASSERT_TRUE(harness.fetch(options).ok());
  // The fake sleep returns at once, so the second request waits (almost) the whole 10 s interval.
  ASSERT_EQ(harness.waits.size(), 1U);
  EXPECT_LE(harness.waits[0].count(), 10'000);
  EXPECT_GE(harness.waits[0].count(), 5'000);
}

// ---------------------------------------------------------------------------------------------
// Answers that are not what was expected

TEST(ApiFetch, HtmlPageInsteadOfJson) {
  Harness harness;
  harness.transport.add(200, "<html>\n<head><title>Sign in</title></head></html>", {{"content-type", "text/html"}});
  const auto result = harness.fetch(options_for("https://api.example.com/items"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::value);
  EXPECT_EQ(result.error().message, "GET https://api.example.com/items: the answer is not JSON (text/html): <html> "
                                    "<head><title>Sign in</title></head></html>");
  EXPECT_EQ(result.error().hint, "is the URL right? an error page or a login page came back instead of data");

  Harness untyped;
  untyped.transport.add(200, "not json");
  const auto no_type = untyped.fetch(options_for("https://api.example.com/items"));
  ASSERT_FALSE(no_type.ok());
  EXPECT_NE(no_type.error().message.find("the answer is not JSON (no content type): not json"), std::string::npos)
      << no_type.error().message;
}

TEST(ApiFetch, MissingRecordsPath) {
  Harness harness;
  harness.transport.add(200, R"({"data":{"rows":[]}})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "data.items";
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::value);
  EXPECT_EQ(result.error().message, "https://api.example.com/items: page 1 has no \"data.items\"");
  EXPECT_EQ(result.error().hint, "set records_path to where the records are in each page");
}

TEST(ApiFetch, RecordsThatAreNotAnArray) {
  Harness harness;
  harness.transport.add(200, R"({"data":{"id":1}})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "data";
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "https://api.example.com/items: page 1: \"data\" is not an array of records");

  Harness whole;
  whole.transport.add(200, R"({"items":[]})");
  const auto object = whole.fetch(options_for("https://api.example.com/items"));
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.error().message, "https://api.example.com/items: page 1: \"the answer\" is not an array of records");
}

TEST(ApiFetch, MaxPagesStopsAndSaysSo) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1}],"nextPageToken":"a"})");
  harness.transport.add(200, R"({"items":[{"id":2}],"nextPageToken":"b"})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  options.pagination.max_pages = 2;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_TRUE(result->stopped_at_max_pages);
  EXPECT_EQ(result->records, 2U);
  EXPECT_EQ(harness.transport.seen.size(), 2U);
}

TEST(ApiFetch, MaxPagesCanFailInstead) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1}],"nextPageToken":"a"})");
  harness.transport.add(200, R"({"items":[{"id":2}],"nextPageToken":"b"})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  options.pagination.max_pages = 2;
  options.pagination.fail_at_max_pages = true;
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(result.error().message, "https://api.example.com/items: still more pages after max_pages (2)");
  EXPECT_EQ(result.error().hint, "raise pagination.max_pages");
  EXPECT_EQ(harness.transport.seen.size(), 2U);
}

TEST(ApiFetch, ExactlyMaxPagesIsFine) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1}],"nextPageToken":"a"})");
  harness.transport.add(200, R"({"items":[{"id":2}]})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  options.pagination.max_pages = 2;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(result->pages, 2U);
}

TEST(ApiFetch, ARecordErrorStopsFetching) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1},{"id":2}],"nextPageToken":"a"})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  int calls = 0;
  const auto result = fetch_api_records(options, harness.environment(), [&](std::string_view) -> Status {
    ++calls;
    return make_error(ErrorKind::io, "disk full");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "disk full");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(harness.transport.seen.size(), 1U);
}

// ---------------------------------------------------------------------------------------------
// URLs

TEST(ApiFetch, BuildUrlPercentEncodes) {
  EXPECT_EQ(build_url("https://api.example.com/items", {}), "https://api.example.com/items");
  EXPECT_EQ(build_url("https://api.example.com/items", {{"q", "data science"}, {"order", "viewCount"}}),
            "https://api.example.com/items?q=data%20science&order=viewCount");
  EXPECT_EQ(build_url("https://api.example.com/items?fixed=1", {{"a&b", "c=d/e?f#g+h"}}),
            "https://api.example.com/items?fixed=1&a%26b=c%3Dd%2Fe%3Ff%23g%2Bh");
  EXPECT_EQ(build_url("https://x/y", {{"unreserved", "AZaz09-._~"}, {"utf8", "\xc3\xa9"}, {"empty", ""}}),
            "https://x/y?unreserved=AZaz09-._~&utf8=%C3%A9&empty=");
  EXPECT_EQ(build_url("https://x/y", {{"since", "2024-05-01T00:00:00+02:00"}}),
            "https://x/y?since=2024-05-01T00%3A00%3A00%2B02%3A00");
}

} // namespace
} // namespace hyperpipe::sources
