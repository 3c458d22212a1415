// Unit tests of fetch_api_records(): pages, records and authentication. The harness (a scripted transport,
// a recording sleep) is in api_fetch_test_harness.hpp.
#include "sources/api/api_fetch_test_harness.hpp"

namespace hyperpipe::sources {
namespace {

using namespace api_test; // NOLINT: the harness, in every test below
using std::chrono::milliseconds;

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

} // namespace
} // namespace hyperpipe::sources
