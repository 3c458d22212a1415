// OAuth2 client credentials, requests in flight, fan-out, schema drift and the development
// cache, with a transport that answers by URL (requests may arrive from several threads).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "sources/api/api_client.hpp"
#include "sources/api/api_fetch.hpp"
#include "sources/api/schema_drift.hpp"
#include "support/fake_http.hpp"

namespace hyperpipe::sources {
namespace {

using std::chrono::milliseconds;

using RoutingTransport = testing::FakeHttp;

std::string header(const net::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::string param(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  if (at == std::string::npos) {
    return {};
  }
  const auto end = url.find('&', at);
  return url.substr(at + name.size() + 1, end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
}

struct Harness {
  RoutingTransport transport;
  std::vector<milliseconds> waits;
  std::int64_t clock = 1'000'000;
  std::vector<std::string> records;
  std::mutex mutex;

  ApiEnvironment environment() {
    return ApiEnvironment{&transport,
                          [this](milliseconds wait) {
                            std::lock_guard lock(mutex);
                            waits.push_back(wait);
                          },
                          [] { return 0.5; }, [this] { return clock; }};
  }

  Result<ApiFetchResult> fetch(const ApiFetchOptions& options) {
    return fetch_api_records(options, environment(), [this](std::string_view record) -> Status {
      records.emplace_back(record);
      return {};
    });
  }
};

net::HttpResponse json(std::string body) { return net::HttpResponse{200, {}, std::move(body)}; }

ApiFetchOptions oauth_options() {
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.auth.kind = ApiAuth::Kind::oauth2_client_credentials;
  options.auth.token_url = "https://auth.example.com/token";
  options.auth.username = "client-1";
  options.auth.secret = "client-secret-xyz";
  options.auth.scope = "read items";
  return options;
}

TEST(ApiFeatures, OAuth2FetchesATokenOnceAndSendsIt) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    if (request.url == "https://auth.example.com/token") {
      return json(R"({"access_token":"tok-1","token_type":"Bearer","expires_in":3600})");
    }
    return json(R"([{"id":1}])");
  };
  auto options = oauth_options();
  ASSERT_TRUE(harness.fetch(options).ok());
  ASSERT_TRUE(harness.fetch(options).ok()); // a new client: a new token
  const auto& token_request = harness.transport.seen.at(0);
  EXPECT_EQ(token_request.method, "POST");
  ASSERT_TRUE(token_request.basic_auth.has_value());
  EXPECT_EQ(token_request.basic_auth->first, "client-1");
  EXPECT_EQ(token_request.basic_auth->second, "client-secret-xyz");
  EXPECT_EQ(token_request.body.at(0).bytes, "grant_type=client_credentials&scope=read%20items");
  EXPECT_EQ(header(token_request, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(header(harness.transport.seen.at(1), "Authorization"), "Bearer tok-1");
}

TEST(ApiFeatures, OAuth2RenewsAnExpiredTokenAndRetriesA401Once) {
  Harness harness;
  int tokens = 0;
  int pages = 0;
  harness.transport.route = [&](const net::HttpRequest& request) {
    if (request.url.starts_with("https://auth.example.com/token")) {
      ++tokens;
      return json(fmt::format(R"({{"access_token":"tok-{}","expires_in":120}})", tokens));
    }
    ++pages;
    if (header(request, "Authorization") == "Bearer tok-1" && pages == 2) {
      harness.clock += 100; // nothing to do with the clock: the server revoked it early
      return net::HttpResponse{401, {}, R"({"error":"invalid_token"})"};
    }
    const std::string page = param(request.url, "page");
    harness.clock += 50;
    return json(page == "3" ? "[]" : R"([{"id":1}])");
  };
  auto options = oauth_options();
  options.pagination.kind = ApiPagination::Kind::page;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(result->records, 2U);
  EXPECT_GE(tokens, 2); // renewed after the 401 (and again when close to expiry)
  EXPECT_EQ(header(harness.transport.seen.back(), "Authorization"), fmt::format("Bearer tok-{}", tokens));
}

TEST(ApiFeatures, OAuth2TokenRefusalIsExplainedWithoutTheSecret) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest&) {
    return net::HttpResponse{401, {}, R"({"error":"invalid_client"})"};
  };
  const auto result = harness.fetch(oauth_options());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("POST https://auth.example.com/token: HTTP 401"), std::string::npos);
  EXPECT_EQ(result.error().hint, "check client_id and client_secret (and the scope)");
  EXPECT_EQ(result.error().message.find("client-secret-xyz"), std::string::npos);
}

TEST(ApiFeatures, NumberedPagesAreRequestedAheadAndReadInOrder) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    const int page = std::stoi(param(request.url, "page"));
    if (page > 7) {
      return json("[]");
    }
    return json(fmt::format(R"([{{"page":{},"n":1}},{{"page":{},"n":2}}])", page, page));
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.pagination.kind = ApiPagination::Kind::page;
  options.concurrency = 4;
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  ASSERT_EQ(harness.records.size(), 14U);
  for (std::size_t i = 0; i < harness.records.size(); ++i) {
    EXPECT_EQ(harness.records[i], fmt::format(R"({{"page":{},"n":{}}})", i / 2 + 1, i % 2 + 1));
  }
  EXPECT_EQ(result->pages, 8U); // 7 full pages and the empty one that ends it
  // Waves of 4, the next asked for while one is read: at most one wave beyond the end is wasted.
  EXPECT_GE(harness.transport.seen.size(), 8U);
  EXPECT_LE(harness.transport.seen.size(), 12U);
}

TEST(ApiFeatures, FanOutBatchesIdsAndKeepsTheirOrder) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    if (request.url.starts_with("https://api.example.com/search")) {
      const std::string token = param(request.url, "pageToken");
      if (token.empty()) {
        return json(R"({"items":[{"id":{"videoId":"a"}},{"id":{"videoId":"b"}},{"id":{"videoId":"c"}}],"next":"t2"})");
      }
      return json(R"({"items":[{"id":{"videoId":"d"}},{"id":{"videoId":"e"}}]})");
    }
    const std::string ids = param(request.url, "id");
    std::string items;
    std::stringstream split(ids);
    for (std::string id; std::getline(split, id, '%');) {
      id = id.starts_with("2C") ? id.substr(2) : id; // "a%2Cb": the comma is percent-encoded
      items += (items.empty() ? "" : ",") + fmt::format(R"({{"id":"{}","views":{}}})", id, id[0] - 'a');
    }
    return json(fmt::format(R"({{"items":[{}]}})", items));
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/search";
  options.records_path = "items";
  options.pagination.kind = ApiPagination::Kind::token;
  options.pagination.token_path = "next";
  options.auth.kind = ApiAuth::Kind::api_key_query;
  options.auth.name = "key";
  options.auth.secret = "k3y";
  options.concurrency = 2;
  options.fan_out = ApiFanOut{"https://api.example.com/videos", {{"part", "statistics"}}, "id.videoId", "id", 2, ",", "items"};
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.records, (std::vector<std::string>{R"({"id":"a","views":0})", R"({"id":"b","views":1})",
                                                       R"({"id":"c","views":2})", R"({"id":"d","views":3})",
                                                       R"({"id":"e","views":4})"}));
  EXPECT_EQ(result->fan_out_requests, 3U); // a,b  c,d  e
  EXPECT_EQ(harness.transport.count("https://api.example.com/videos?part=statistics&id=a%2Cb&key=k3y"), 1U);
}

TEST(ApiFeatures, FanOutNeedsAnIdInEveryRecord) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest&) { return json(R"([{"id":{"videoId":"a"}},{"id":{}}])"); };
  ApiFetchOptions options;
  options.url = "https://api.example.com/search";
  options.fan_out = ApiFanOut{"https://api.example.com/videos", {}, "id.videoId", "id", 50, ",", "items"};
  const auto result = harness.fetch(options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("a record has no \"id.videoId\" to fetch details for: {\"id\":{}}"),
            std::string::npos);
}

ApiFetchOptions drifting(SchemaDrift mode) {
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.pagination.kind = ApiPagination::Kind::page;
  options.on_drift = mode;
  return options;
}

void serve_drift(Harness& harness) {
  harness.transport.route = [](const net::HttpRequest& request) {
    const std::string page = param(request.url, "page");
    if (page == "1") {
      return json(R"([{"id":1,"views":10,"snippet":{"title":"a"}},{"id":2,"views":null}])");
    }
    if (page == "2") {
      return json(R"([{"id":3,"views":"12k","snippet":{"title":"c","tags":"x"}}])");
    }
    return json("[]");
  };
}

TEST(ApiFeatures, DriftFailsWithThePageAndField) {
  Harness harness;
  serve_drift(harness);
  const auto result = harness.fetch(drifting(SchemaDrift::fail));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "https://api.example.com/items?page=2: the records changed shape: page 2: field \"views\" was integer, now string");
  EXPECT_EQ(harness.records.size(), 2U); // page 1's records were handed on before the change
}

TEST(ApiFeatures, DriftWarnListsEveryChangeAndKeepsEveryRecord) {
  Harness harness;
  serve_drift(harness);
  const auto result = harness.fetch(drifting(SchemaDrift::warn));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->drift, (std::vector<std::string>{"page 2: field \"views\" was integer, now string",
                                                     "page 2: new field \"snippet.tags\" (string)"}));
  EXPECT_EQ(harness.records.size(), 3U);
  const auto widened = harness.fetch(drifting(SchemaDrift::widen));
  ASSERT_TRUE(widened.ok());
  EXPECT_TRUE(widened->drift.empty());
}

TEST(ApiFeatures, CacheAnswersRepeatsWithoutTheApiAndStoresNoSecret) {
  testing::TempDir dir;
  Harness harness;
  harness.transport.route = [](const net::HttpRequest&) { return json(R"([{"id":1}])"); };
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.auth.kind = ApiAuth::Kind::api_key_query;
  options.auth.name = "key";
  options.auth.secret = "very-secret-key";
  options.cache_dir = dir.path() / "cache";
  options.cache_ttl = std::chrono::seconds(60);
  ASSERT_TRUE(harness.fetch(options).ok());
  const auto again = harness.fetch(options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cache_hits, 1U);
  EXPECT_EQ(harness.transport.seen.size(), 1U);
  EXPECT_EQ(harness.records, (std::vector<std::string>{R"({"id":1})", R"({"id":1})"}));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "cache")) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("very-secret-key"), std::string::npos);
  }
  options.auth.secret = "another-key"; // another key: not served from the first key's answers
  ASSERT_TRUE(harness.fetch(options).ok());
  EXPECT_EQ(harness.transport.seen.size(), 2U);
  harness.clock += 61; // expired
  options.auth.secret = "very-secret-key";
  ASSERT_TRUE(harness.fetch(options).ok());
  EXPECT_EQ(harness.transport.seen.size(), 3U);
}

TEST(ApiFeatures, RequestsPerSecondSpacesRequests) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    return json(param(request.url, "page") == "4" ? "[]" : R"([{"id":1}])");
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.pagination.kind = ApiPagination::Kind::page;
  options.requests_per_second = 2; // slots 500 ms apart; the fake sleep returns at once, so the
                                   // waits asked for grow by 500 ms each
  ASSERT_TRUE(harness.fetch(options).ok());
  ASSERT_EQ(harness.waits.size(), 3U);
  for (std::size_t i = 0; i < harness.waits.size(); ++i) {
    EXPECT_GT(harness.waits[i].count(), 500 * static_cast<long>(i + 1) - 100);
    EXPECT_LE(harness.waits[i].count(), 500 * static_cast<long>(i + 1));
  }
}

} // namespace
} // namespace hyperpipe::sources

namespace hyperpipe::sources {
namespace {

TEST(ApiFeatures, SecretLookingQueryParametersAreMaskedInMessages) {
  EXPECT_EQ(mask_secret_parameters("GET https://x.example/v?q=data&api_key=abc123&sig=zz: HTTP 500"),
            "GET https://x.example/v?q=data&api_key=[redacted]&sig=[redacted]: HTTP 500");
  EXPECT_EQ(mask_secret_parameters("GET https://x.example/v?key=[redacted]: gave up"), "GET https://x.example/v?key=[redacted]: gave up");
  EXPECT_EQ(mask_secret_parameters("no url here & no = secrets"), "no url here & no = secrets");
}

TEST(ApiFeatures, ExcerptsNeverEndInsideAUtf8Character) {
  std::string body(199, 'a');
  body += "\xC3\xA9 and more"; // é straddles the 200-byte cut
  const std::string cut = excerpt(body);
  EXPECT_EQ(cut, std::string(199, 'a') + "...");
}

} // namespace
} // namespace hyperpipe::sources

namespace hyperpipe::sources {
namespace {

TEST(ApiFeatures, QueryOnlyAndRelativeNextLinksResolveAgainstThePath) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    if (request.url == "https://api.example.com/v1/items?a=1%2F2") {
      return net::HttpResponse{200, {{"link", "<?page=2>; rel=\"next\""}}, R"([{"id":1}])"};
    }
    if (request.url == "https://api.example.com/v1/items?page=2") {
      return net::HttpResponse{200, {{"link", "<items?page=3>; rel=\"next\""}}, R"([{"id":2}])"};
    }
    return json(R"([{"id":3}])");
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/v1/items";
  options.params = {{"a", "1/2"}};
  options.pagination.kind = ApiPagination::Kind::link;
  ASSERT_TRUE(harness.fetch(options).ok());
  ASSERT_EQ(harness.transport.seen.size(), 3U);
  EXPECT_EQ(harness.transport.seen[2].url, "https://api.example.com/v1/items?page=3");
}

} // namespace
} // namespace hyperpipe::sources

namespace hyperpipe::sources {
namespace {

// Page 1 is refused for good while pages 2-4, asked for ahead, are told to come back in ten
// minutes: the error is reported at once, and the pages no longer needed give up waiting.
TEST(ApiFeatures, AFailureCancelsThePagesAskedForAhead) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    if (param(request.url, "page") == "1") {
      return net::HttpResponse{403, {}, R"({"error":"forbidden"})"};
    }
    return net::HttpResponse{429, {{"retry-after", "600"}}, "{}"};
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.pagination.kind = ApiPagination::Kind::page;
  options.concurrency = 4;
  // Time runs 1000 times faster: a 600 s Retry-After takes 0.6 s, in 0.2 ms steps.
  auto environment = harness.environment();
  environment.sleep = [&](milliseconds wait) {
    std::this_thread::sleep_for(std::chrono::microseconds(wait.count()));
    std::lock_guard lock(harness.mutex);
    harness.waits.push_back(wait);
  };
  const auto started = std::chrono::steady_clock::now();
  const auto result = fetch_api_records(options, environment, [](std::string_view) -> Status { return {}; });
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("HTTP 403"), std::string::npos);
  // Without cancelling, the pages ahead would sit out 4 retries of 0.6 s each.
  EXPECT_LT(took, std::chrono::milliseconds(500));
  EXPECT_LE(harness.transport.count("https://api.example.com/items"), 8U);
}

} // namespace
} // namespace hyperpipe::sources

namespace hyperpipe::sources {
namespace {

// The last page arrives while pages beyond it are still asked for: the fan-out that follows
// is not caught by their cancellation.
TEST(ApiFeatures, FanOutAfterPagesAskedForAheadStillRuns) {
  Harness harness;
  harness.transport.route = [](const net::HttpRequest& request) {
    if (request.url.starts_with("https://api.example.com/details")) {
      return json(fmt::format(R"([{{"id":"{}"}}])", param(request.url, "id")));
    }
    const std::string page = param(request.url, "page");
    return json(page == "1" ? R"([{"id":"a"},{"id":"b"}])" : "[]");
  };
  ApiFetchOptions options;
  options.url = "https://api.example.com/items";
  options.pagination.kind = ApiPagination::Kind::page;
  options.concurrency = 4;
  options.fan_out = ApiFanOut{"https://api.example.com/details", {}, "id", "id", 1, ",", ""};
  const auto result = harness.fetch(options);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(harness.records, (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b"})"}));
}

} // namespace
} // namespace hyperpipe::sources
