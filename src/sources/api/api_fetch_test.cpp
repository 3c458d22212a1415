// Unit tests of fetch_api_records() with a scripted transport that records every request and a
// sleep that records every wait: no network, no clock.
#include <gtest/gtest.h>

#include <deque>

#include "sources/api/api_fetch.hpp"
#include "support/fake_http.hpp"

namespace hyperpipe::sources {
namespace {

using std::chrono::milliseconds;

using ScriptedTransport = testing::FakeHttp;

struct Harness {
  ScriptedTransport transport;
  std::vector<milliseconds> waits;
  double jitter = 0.5;
  std::vector<std::string> records;
  std::vector<ApiFetchResult> progress;

  ApiEnvironment environment() {
    return ApiEnvironment{&transport, [this](milliseconds wait) { waits.push_back(wait); }, [this] { return jitter; }, {}};
  }

  Result<ApiFetchResult> fetch(const ApiFetchOptions& options) {
    return fetch_api_records(
        options, environment(),
        [this](std::string_view record) -> Status {
          records.emplace_back(record);
          return {};
        },
        [this](const ApiFetchResult& result) { progress.push_back(result); });
  }
};

ApiFetchOptions options_for(std::string url) {
  ApiFetchOptions options;
  options.url = std::move(url);
  return options;
}

std::optional<std::string> header(const net::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Pages and records

TEST(ApiFetch, OnePageWithoutPagination) {
  Harness harness;
  const std::string body = R"([{"id":1},{"id":2}])";
  harness.transport.add(200, body);
  auto options = options_for("https://api.example.com/items");
  options.params = {{"status", "open"}};
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.records, (Strings{R"({"id":1})", R"({"id":2})"}));
  EXPECT_EQ(result->pages, 1U);
  EXPECT_EQ(result->records, 2U);
  EXPECT_EQ(result->bytes, body.size());
  EXPECT_EQ(result->retries, 0U);
  ASSERT_EQ(harness.transport.seen.size(), 1U);
  const auto& request = harness.transport.seen[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url, "https://api.example.com/items?status=open");
  EXPECT_EQ(header(request, "Accept"), std::optional<std::string>("application/json"));
  EXPECT_FALSE(header(request, "Authorization").has_value());
  EXPECT_FALSE(request.basic_auth.has_value());
  EXPECT_TRUE(request.body.empty());
  EXPECT_TRUE(harness.waits.empty());
  ASSERT_EQ(harness.progress.size(), 1U);
  EXPECT_EQ(harness.progress[0].records, 2U);
}

// Records go on as their own text, one line each: line breaks between tokens become spaces
// (strings cannot hold raw line breaks), so the text stays one NDJSON line.
TEST(ApiFetch, RecordsArePassedAsTheirTextOnOneLine) {
  Harness harness;
  harness.transport.add(200, "[ { \"a\" : 1 ,\n \"b\" : [ 1, 2 ] , \"c\": {\"d\": \"x\\ny\"}, \"e\": null } ,\r\n 7, \"s\" ]");
  const auto result = harness.fetch(options_for("https://api.example.com/items"));
  ASSERT_TRUE(result.ok()) << result.error().describe();
  ASSERT_EQ(harness.records.size(), 3U);
  EXPECT_EQ(harness.records[0], "{ \"a\" : 1 ,  \"b\" : [ 1, 2 ] , \"c\": {\"d\": \"x\\ny\"}, \"e\": null }");
  EXPECT_EQ(harness.records[1], "7");
  EXPECT_EQ(harness.records[2], "\"s\"");
  for (const auto& record : harness.records) {
    EXPECT_EQ(record.find_first_of("\r\n"), std::string::npos);
  }
}

// With drift checks the records are parsed into a tree, and handed on minified.
TEST(ApiFetch, RecordsAreMinifiedWhenCheckedForDrift) {
  Harness harness;
  harness.transport.add(200, "[ { \"a\" : 1 ,\n \"b\" : [ 1, 2 ] , \"c\": {\"d\": \"x y\"}, \"e\": null } ,\n 7, \"s\" ]");
  auto options = options_for("https://api.example.com/items");
  options.on_drift = SchemaDrift::warn;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.records, (Strings{R"({"a":1,"b":[1,2],"c":{"d":"x y"},"e":null})", "7", R"("s")"}));
}

TEST(ApiFetch, NestedRecordsPath) {
  Harness harness;
  harness.transport.add(200, R"({"meta":{"count":2},"data":{"items":[{"id":1},{"id":2}]}})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "data.items";
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.records, (Strings{R"({"id":1})", R"({"id":2})"}));
}

TEST(ApiFetch, TokenPagination) {
  Harness harness;
  harness.transport.add(200, R"({"items":[{"id":1}],"nextPageToken":"t2"})");
  harness.transport.add(200, R"({"items":[{"id":2},{"id":3}],"nextPageToken":"t/3 x"})");
  harness.transport.add(200, R"({"items":[{"id":4}]})");
  auto options = options_for("https://api.example.com/items");
  options.params = {{"q", "data"}};
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(), (Strings{"https://api.example.com/items?q=data",
                                               "https://api.example.com/items?q=data&pageToken=t2",
                                               "https://api.example.com/items?q=data&pageToken=t%2F3%20x"}));
  EXPECT_EQ(harness.records.size(), 4U);
  EXPECT_EQ(result->pages, 3U);
  EXPECT_EQ(result->records, 4U);
  ASSERT_EQ(harness.progress.size(), 3U);
  EXPECT_EQ(harness.progress[1].pages, 2U);
  EXPECT_EQ(harness.progress[1].records, 3U);
}

TEST(ApiFetch, TokenPaginationWithANestedTokenStopsOnAnEmptyToken) {
  Harness harness;
  harness.transport.add(200, R"({"data":[{"id":1}],"meta":{"next":"abc"}})");
  harness.transport.add(200, R"({"data":[{"id":2}],"meta":{"next":""}})");
  auto options = options_for("https://api.example.com/items?fixed=1");
  options.records_path = "data";
  options.pagination.kind = ApiPagination::Kind::token;
  options.pagination.token_path = "meta.next";
  options.pagination.token_param = "cursor";
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(),
            (Strings{"https://api.example.com/items?fixed=1", "https://api.example.com/items?fixed=1&cursor=abc"}));
  EXPECT_EQ(result->records, 2U);
}

TEST(ApiFetch, PagePaginationStopsOnAShortPage) {
  Harness harness;
  harness.transport.add(200, R"([{"id":1},{"id":2}])");
  harness.transport.add(200, R"([{"id":3},{"id":4}])");
  harness.transport.add(200, R"([{"id":5}])");
  auto options = options_for("https://api.example.com/items");
  options.pagination.kind = ApiPagination::Kind::page;
  options.pagination.size_param = "per_page";
  options.pagination.page_size = 2;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(), (Strings{"https://api.example.com/items?page=1&per_page=2",
                                               "https://api.example.com/items?page=2&per_page=2",
                                               "https://api.example.com/items?page=3&per_page=2"}));
  EXPECT_EQ(result->records, 5U);
}

TEST(ApiFetch, PagePaginationWithoutASizeStopsOnAnEmptyPage) {
  Harness harness;
  harness.transport.add(200, R"({"rows":[{"id":1}]})");
  harness.transport.add(200, R"({"rows":[{"id":2}]})");
  harness.transport.add(200, R"({"rows":[]})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "rows";
  options.pagination.kind = ApiPagination::Kind::page;
  options.pagination.page_param = "p";
  options.pagination.first = 0;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(), (Strings{"https://api.example.com/items?p=0", "https://api.example.com/items?p=1",
                                               "https://api.example.com/items?p=2"}));
  EXPECT_EQ(result->pages, 3U);
  EXPECT_EQ(result->records, 2U);
}

TEST(ApiFetch, OffsetPagination) {
  Harness harness;
  harness.transport.add(200, R"([{"id":1},{"id":2},{"id":3}])");
  harness.transport.add(200, R"([{"id":4},{"id":5},{"id":6}])");
  harness.transport.add(200, R"([])");
  auto options = options_for("https://api.example.com/items");
  options.pagination.kind = ApiPagination::Kind::offset;
  options.pagination.page_param = "offset";
  options.pagination.size_param = "limit";
  options.pagination.page_size = 3;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(), (Strings{"https://api.example.com/items?offset=0&limit=3",
                                               "https://api.example.com/items?offset=3&limit=3",
                                               "https://api.example.com/items?offset=6&limit=3"}));
  EXPECT_EQ(result->records, 6U);
}

TEST(ApiFetch, NextUrlRelativeAndAbsolute) {
  Harness harness;
  harness.transport.add(200, R"({"results":[{"id":1}],"next":"/v1/items?cursor=abc"})");
  harness.transport.add(200, R"({"results":[{"id":2}],"next":"https://api.example.com:8443/v1/items?cursor=def"})");
  harness.transport.add(200, R"({"results":[{"id":3}],"next":null})");
  auto options = options_for("https://api.example.com:8443/v1/items");
  options.params = {{"limit", "1"}};
  options.records_path = "results";
  options.pagination.kind = ApiPagination::Kind::next_url;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  // The next page's URL is used as given: the API put the parameters it wants into it.
  EXPECT_EQ(harness.transport.urls(),
            (Strings{"https://api.example.com:8443/v1/items?limit=1", "https://api.example.com:8443/v1/items?cursor=abc",
                     "https://api.example.com:8443/v1/items?cursor=def"}));
  EXPECT_EQ(result->records, 3U);
}

// Credentials go with every page request: a next page on another host is refused, not followed.
TEST(ApiFetch, NextUrlOnAnotherHostIsRefused) {
  Harness harness;
  harness.transport.add(200, R"({"results":[{"id":1}],"next":"https://elsewhere.example.net/v1/items?cursor=abc"})");
  auto options = options_for("https://api.example.com/v1/items");
  options.records_path = "results";
  options.pagination.kind = ApiPagination::Kind::next_url;
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("another host (https://elsewhere.example.net)"), std::string::npos);
  EXPECT_EQ(harness.transport.urls().size(), 1U);
}

TEST(ApiFetch, NextUrlAtANestedPathStopsWhenMissing) {
  Harness harness;
  harness.transport.add(200, R"({"data":[{"id":1}],"links":{"next":"https://api.example.com/items?page=2"}})");
  harness.transport.add(200, R"({"data":[{"id":2}],"links":{}})");
  auto options = options_for("https://api.example.com/items");
  options.records_path = "data";
  options.pagination.kind = ApiPagination::Kind::next_url;
  options.pagination.next_url_path = "links.next";
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(),
            (Strings{"https://api.example.com/items", "https://api.example.com/items?page=2"}));
}

TEST(ApiFetch, LinkHeaderPagination) {
  Harness harness;
  harness.transport.add(200, R"([{"id":1}])",
                        {{"link", "<https://api.example.com/items?page=2>; rel=\"next\", "
                                  "<https://api.example.com/items?page=3>; rel=\"last\""}});
  harness.transport.add(200, R"([{"id":2}])",
                        {{"link", "<https://api.example.com/items?page=1>; rel=\"prev\", "
                                  "<https://api.example.com/items?page=3>; rel=\"next\""}});
  harness.transport.add(200, R"([{"id":3}])",
                        {{"link", "<https://api.example.com/items?page=2>; rel=\"prev\""}});
  auto options = options_for("https://api.example.com/items");
  options.params = {{"per_page", "1"}};
  options.pagination.kind = ApiPagination::Kind::link;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.urls(),
            (Strings{"https://api.example.com/items?per_page=1", "https://api.example.com/items?page=2",
                     "https://api.example.com/items?page=3"}));
  EXPECT_EQ(result->records, 3U);
}

TEST(ApiFetch, LinkHeaderMissingStops) {
  Harness harness;
  harness.transport.add(200, R"([{"id":1}])");
  auto options = options_for("https://api.example.com/items");
  options.pagination.kind = ApiPagination::Kind::link;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.transport.seen.size(), 1U);
}

// RFC 8288 Link targets may be relative references: they resolve against the API's URL.
TEST(ApiFetch, RelativeLinkHeaderTargetIsResolved) {
  Harness harness;
  harness.transport.add(200, R"([{"id":1}])", {{"link", "</v1/items?page=2>; rel=\"next\""}});
  harness.transport.add(200, R"([{"id":2}])");
  auto options = options_for("https://api.example.com/v1/items");
  options.pagination.kind = ApiPagination::Kind::link;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  ASSERT_EQ(harness.transport.seen.size(), 2U);
  EXPECT_EQ(harness.transport.seen[1].url, "https://api.example.com/v1/items?page=2");
}

TEST(ApiFetch, NextLinkParsing) {
  EXPECT_EQ(next_link("<https://a.example.com/x?page=2>; rel=\"next\""), "https://a.example.com/x?page=2");
  EXPECT_EQ(next_link("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\", <https://a/x?page=9>; "
                      "rel=\"last\""),
            "https://a/x?page=3");
  EXPECT_EQ(next_link("<https://a/x?page=1>; rel=\"first\",<https://a/x?page=2>; rel=\"next\""), "https://a/x?page=2");
  EXPECT_EQ(next_link("<https://a/x?page=2>; rel=next"), "https://a/x?page=2");
  EXPECT_EQ(next_link("<https://a/x?page=2>; title=\"more\"; rel=\"next\""), "https://a/x?page=2");
  EXPECT_EQ(next_link("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=9>; rel=\"last\""), "");
  EXPECT_EQ(next_link(""), "");
  EXPECT_EQ(next_link("garbage"), "");
  EXPECT_EQ(next_link("<https://a/x?page=2"), "");
}

// ---------------------------------------------------------------------------------------------
// Requests: authentication, headers, bodies

TEST(ApiFetch, ApiKeyInTheQuery) {
  Harness harness;
  harness.transport.add(200, "[]");
  auto options = options_for("https://api.example.com/items");
  options.params = {{"q", "x"}};
  options.auth.kind = ApiAuth::Kind::api_key_query;
  options.auth.name = "key";
  options.auth.secret = "k 1&2";
  ASSERT_TRUE(harness.fetch(options).ok());
  ASSERT_EQ(harness.transport.seen.size(), 1U);
  EXPECT_EQ(harness.transport.seen[0].url, "https://api.example.com/items?q=x&key=k%201%262");
  for (const auto& [name, value] : harness.transport.seen[0].headers) {
    EXPECT_EQ(value.find("k 1"), std::string::npos) << name;
  }
}

TEST(ApiFetch, ApiKeyInAHeader) {
  Harness harness;
  harness.transport.add(200, "[]");
  auto options = options_for("https://api.example.com/items");
  options.auth.kind = ApiAuth::Kind::api_key_header;
  options.auth.name = "X-Api-Key";
  options.auth.secret = "k-1";
  ASSERT_TRUE(harness.fetch(options).ok());
  EXPECT_EQ(header(harness.transport.seen[0], "X-Api-Key"), std::optional<std::string>("k-1"));
  EXPECT_EQ(harness.transport.seen[0].url, "https://api.example.com/items");
}

TEST(ApiFetch, BearerToken) {
  Harness harness;
  harness.transport.add(200, "[]");
  auto options = options_for("https://api.example.com/items");
  options.auth.kind = ApiAuth::Kind::bearer;
  options.auth.secret = "tok-123";
  ASSERT_TRUE(harness.fetch(options).ok());
  EXPECT_EQ(header(harness.transport.seen[0], "Authorization"), std::optional<std::string>("Bearer tok-123"));
  EXPECT_EQ(harness.transport.seen[0].url, "https://api.example.com/items");
}

TEST(ApiFetch, BasicAuthIsLeftToTheTransport) {
  Harness harness;
  harness.transport.add(200, "[]");
  auto options = options_for("https://api.example.com/items");
  options.auth.kind = ApiAuth::Kind::basic;
  options.auth.username = "ann";
  options.auth.secret = "pw";
  ASSERT_TRUE(harness.fetch(options).ok());
  const auto& request = harness.transport.seen[0];
  ASSERT_TRUE(request.basic_auth.has_value());
  EXPECT_EQ(*request.basic_auth, (std::pair<std::string, std::string>{"ann", "pw"}));
  EXPECT_FALSE(header(request, "Authorization").has_value());
}

TEST(ApiFetch, HeadersAndAJsonBody) {
  Harness harness;
  harness.transport.add(200, R"({"hits":[{"id":1}]})");
  auto options = options_for("https://api.example.com/search");
  options.method = "POST";
  options.headers = {{"X-Client", "hyperpipe"}};
  options.body = R"({"query":"x"})";
  options.records_path = "hits";
  ASSERT_TRUE(harness.fetch(options).ok());
  const auto& request = harness.transport.seen[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(header(request, "X-Client"), std::optional<std::string>("hyperpipe"));
  EXPECT_EQ(header(request, "Content-Type"), std::optional<std::string>("application/json"));
  ASSERT_EQ(request.body.size(), 1U);
  EXPECT_EQ(request.body[0].bytes, R"({"query":"x"})");
  EXPECT_TRUE(request.body[0].file.empty());
}

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
