#pragma once
// Paged JSON web APIs as a stream of records. Each page's records (found by a dotted path) are
// handed on as raw JSON text, one record at a time, so the same flattening as JSON files turns
// them into tables; the next page is found by a token, a page number, an offset, a next-page
// URL or an RFC 8288 Link header. Transient failures (429 with Retry-After, 5xx, dropped
// connections) are retried with exponential backoff and jitter; messages never show secrets.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hyperpipe/error.hpp"
#include "net/http.hpp"
#include "net/retry.hpp"
#include "sources/api/api_urls.hpp"

namespace hyperpipe::sources {

struct ApiPagination {
  enum class Kind { none, token, page, offset, next_url, link };
  Kind kind = Kind::none;
  std::string token_path = "nextPageToken"; ///< token: where the next token is in a page
  std::string token_param = "pageToken";    ///< token: the query parameter that sends it
  std::string page_param = "page";          ///< page / offset: the query parameter
  std::string size_param;                   ///< page / offset: the page-size parameter, if any
  long long page_size = 100;
  long long first = 1;                      ///< page: the first page's number (offset starts at 0)
  std::string next_url_path = "next";       ///< next_url: where the next page's URL is
  int max_pages = 10'000;
  /// At max_pages with more pages to come: stop there (noted in the result), or fail.
  bool fail_at_max_pages = false;
};

/// "none", "token", "page", "offset", "next_url" or "link"; nullopt for anything else.
std::optional<ApiPagination::Kind> parse_pagination_kind(std::string_view text);

struct ApiAuth {
  enum class Kind { none, bearer, api_key_header, api_key_query, basic, oauth2_client_credentials };
  Kind kind = Kind::none;
  std::string name;   ///< api key: the header or query parameter name
  std::string secret; ///< token, key, password or OAuth2 client secret
  std::string username; ///< basic: the user; OAuth2: the client id
  std::string token_url; ///< OAuth2: where access tokens are issued (RFC 6749 section 4.4)
  std::string scope;     ///< OAuth2: optional
};

/// A second request per batch of records of the first (e.g. details for each id a search
/// found). The source's records are then the second requests' records.
struct ApiFanOut {
  std::string url;
  std::vector<std::pair<std::string, std::string>> params;
  std::string id_path;  ///< dotted path of the id in each first-level record
  std::string id_param; ///< the query parameter the ids go in
  int batch_size = 1;   ///< ids per request (APIs that take "id=a,b,c")
  std::string separator = ",";
  std::string records_path; ///< where the records are in each answer
};

/// What to do when later pages bring fields or types the first page did not have.
enum class SchemaDrift {
  widen, ///< infer types from every record (a column widens, a new column appears); say nothing
  warn,  ///< the same, and list each change in the result
  fail,  ///< stop with an error naming the page, field and types
};

struct ApiFetchOptions {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body; ///< JSON body for POST
  std::string records_path; ///< dotted path of the records array in a page; empty: the page is the array
  ApiPagination pagination;
  ApiAuth auth;
  std::optional<ApiFanOut> fan_out;
  SchemaDrift on_drift = SchemaDrift::widen;
  /// Attempts, backoff and Retry-After's cap (net/retry.hpp); API reads are safe to repeat.
  net::RetryPolicy retry;
  double requests_per_second = 0; ///< 0: no limit
  /// Requests in flight: pages ahead (page and offset pagination) and fan-out batches.
  int concurrency = 1;
  /// Development cache of answers (opt-in): iterate on a pipeline without spending quota.
  std::optional<std::filesystem::path> cache_dir;
  std::chrono::seconds cache_ttl{86'400};
  std::vector<std::string> secrets; ///< redacted from every message
};

struct ApiFetchResult {
  std::uint64_t pages = 0;   ///< first-level pages
  std::uint64_t records = 0; ///< records handed on (the fan-out's, when there is one)
  std::uint64_t bytes = 0;   ///< response bodies
  std::uint64_t retries = 0;
  std::uint64_t requests = 0;   ///< answered by the API
  std::uint64_t cache_hits = 0; ///< answered from the development cache
  std::uint64_t fan_out_requests = 0;
  bool stopped_at_max_pages = false;
  std::vector<std::string> drift; ///< with SchemaDrift::warn: each change, e.g. "page 3: new field \"x\" (string)"
};

/// What fetching needs from the world: HTTP (called from several threads when concurrency > 1),
/// a clock to wait on and read, and randomness for jitter.
struct ApiEnvironment {
  net::HttpTransport* transport = nullptr;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> jitter; ///< uniform in [0, 1)
  /// Seconds since the epoch (token expiry, cache age); unset: the system clock.
  std::function<std::int64_t()> now;
};

/// Fetches every page and calls `record` with each record's JSON text, in order.
Result<ApiFetchResult> fetch_api_records(const ApiFetchOptions& options, const ApiEnvironment& environment,
                                         const std::function<Status(std::string_view record)>& record,
                                         const std::function<void(const ApiFetchResult&)>& on_page = {});

} // namespace hyperpipe::sources
