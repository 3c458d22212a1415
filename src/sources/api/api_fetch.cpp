#include "sources/api/api_fetch.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <charconv>

namespace hyperpipe::sources {
namespace dom = simdjson::dom;
namespace {

// Secrets appear as written (headers, bodies) and percent-encoded (query strings).
std::string redact(std::string text, const ApiFetchOptions& options) {
  for (const auto& secret : options.secrets) {
    if (secret.empty()) {
      continue;
    }
    for (const std::string& form : {secret, net::url_encode(secret)}) {
      for (auto at = text.find(form); at != std::string::npos; at = text.find(form, at + 10)) {
        text.replace(at, form.size(), "[redacted]");
      }
    }
  }
  return text;
}

// The start of a body, printable, for messages ("<html><head><title>502 Bad Gateway...").
std::string excerpt(std::string_view body) {
  std::string out;
  for (const char c : body.substr(0, 200)) {
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  if (body.size() > 200) {
    out += "...";
  }
  return out;
}

bool retryable_status(long status) { return status == 429 || status == 500 || status == 502 || status == 503 || status == 504; }

// Dotted path ("data.items") to a JSON pointer ("/data/items").
std::string pointer_of(std::string_view dotted) {
  std::string pointer;
  std::size_t start = 0;
  while (start <= dotted.size() && !dotted.empty()) {
    const auto dot = dotted.find('.', start);
    std::string part(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    std::string escaped;
    for (char c : part) {
      escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    }
    pointer += '/' + escaped;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return pointer;
}

std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

// A next-page reference as an absolute URL: relative ones resolve against the API's origin (or
// its path); the API key goes along when the original request sent it in the query.
std::string resolve_next(const ApiFetchOptions& options, std::string next) {
  if (next.empty()) {
    return next;
  }
  if (next.starts_with("/")) {
    next = origin_of(options.url) + next;
  } else if (next.find("://") == std::string::npos) {
    next = options.url.substr(0, options.url.rfind('/') + 1) + next;
  }
  if (options.auth.kind == ApiAuth::Kind::api_key_query &&
      next.find(net::url_encode(options.auth.name) + "=") == std::string::npos) {
    next = build_url(next, {{options.auth.name, options.auth.secret}});
  }
  return next;
}

// Credentials go with every page request, so a next page on another host is refused.
Status check_same_host(const ApiFetchOptions& options, const std::string& next_url) {
  if (origin_of(next_url) == origin_of(options.url)) {
    return {};
  }
  return make_error(ErrorKind::remote,
                    redact(fmt::format("{}: the next page is on another host ({}); its credentials would go there too",
                                       options.url, origin_of(next_url)), options),
                    "follow pages on the API's own host only");
}

class Fetcher {
public:
  Fetcher(const ApiFetchOptions& options, const ApiEnvironment& environment) : m_options(options), m_env(environment) {}

  Result<net::HttpResponse> send(const std::string& url, ApiFetchResult& result) {
    net::HttpRequest request;
    request.method = m_options.method;
    request.url = url;
    request.headers = m_options.headers;
    request.headers.emplace_back("Accept", "application/json");
    if (m_options.auth.kind == ApiAuth::Kind::bearer) {
      request.headers.emplace_back("Authorization", "Bearer " + m_options.auth.secret);
    } else if (m_options.auth.kind == ApiAuth::Kind::api_key_header) {
      request.headers.emplace_back(m_options.auth.name, m_options.auth.secret);
    } else if (m_options.auth.kind == ApiAuth::Kind::basic) {
      request.basic_auth = {m_options.auth.username, m_options.auth.secret};
    }
    if (!m_options.body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body.push_back({m_options.body, {}, 0, 0});
    }
    std::string last;
    for (int attempt = 1;; ++attempt) {
      pace();
      auto response = m_env.transport->send(request);
      std::chrono::milliseconds wait = backoff(attempt);
      if (response && response->status >= 200 && response->status < 300) {
        return response;
      }
      if (response && !retryable_status(response->status)) {
        return make_error(ErrorKind::remote,
                          redact(fmt::format("{} {}: HTTP {}: {}", request.method, url, response->status,
                                             excerpt(response->body)), m_options),
                          response->status == 401 || response->status == 403
                              ? "check the API key or token (and its quota)"
                              : "check the URL and parameters");
      }
      if (response) {
        last = fmt::format("HTTP {}: {}", response->status, excerpt(response->body));
        const auto retry_after = response->headers.find("retry-after");
        if (retry_after != response->headers.end()) {
          long long seconds = 0;
          const auto& value = retry_after->second;
          if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec == std::errc() && seconds >= 0) {
            wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), std::chrono::minutes(10));
          }
        }
      } else {
        last = response.error().message;
      }
      if (attempt >= m_options.max_attempts) {
        return make_error(ErrorKind::remote,
                          redact(fmt::format("{} {}: gave up after {} attempt{}; last answer: {}", request.method, url,
                                             attempt, attempt == 1 ? "" : "s", last),
                                 m_options),
                          "the API keeps failing or limiting requests: try later, or lower requests_per_second");
      }
      ++result.retries;
      m_env.sleep(wait);
    }
  }

private:
  std::chrono::milliseconds backoff(int attempt) const {
    const double exponential = static_cast<double>(m_options.base_backoff.count()) * std::pow(2.0, attempt - 1);
    const double capped = std::min(exponential, static_cast<double>(m_options.max_backoff.count()));
    const double jittered = capped * (0.5 + 0.5 * (m_env.jitter ? m_env.jitter() : 0.5));
    return std::chrono::milliseconds(static_cast<long long>(jittered));
  }

  void pace() {
    if (m_options.requests_per_second <= 0) {
      return;
    }
    const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / m_options.requests_per_second));
    const auto now = std::chrono::steady_clock::now();
    if (m_started && now < m_last + interval) {
      m_env.sleep(std::chrono::duration_cast<std::chrono::milliseconds>(m_last + interval - now));
    }
    m_started = true;
    m_last = std::chrono::steady_clock::now();
  }

  const ApiFetchOptions& m_options;
  const ApiEnvironment& m_env;
  bool m_started = false;
  std::chrono::steady_clock::time_point m_last;
};

} // namespace

std::string build_url(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string url = base;
  char separator = base.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    url += separator;
    url += net::url_encode(name);
    url += '=';
    url += net::url_encode(value);
    separator = '&';
  }
  return url;
}

std::string next_link(std::string_view header) {
  // <https://api.example.com/items?page=2>; rel="next", <...>; rel="last"
  std::size_t at = 0;
  while (at < header.size()) {
    const auto open = header.find('<', at);
    const auto close = header.find('>', open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      break;
    }
    const auto end = header.find(",<", close) == std::string_view::npos ? header.find(", <", close) : header.find(",<", close);
    const std::string_view params = header.substr(close + 1, end == std::string_view::npos ? std::string_view::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
  }
  return {};
}

Result<ApiFetchResult> fetch_api_records(const ApiFetchOptions& options, const ApiEnvironment& environment,
                                         const std::function<Status(std::string_view record)>& record,
                                         const std::function<void(const ApiFetchResult&)>& on_page) {
  ApiFetchResult result;
  Fetcher fetcher(options, environment);
  dom::parser parser;
  const ApiPagination& paging = options.pagination;
  std::string token;
  std::string next_url;
  long long page_number = paging.first;
  long long offset = 0;
  const std::string records_pointer = pointer_of(options.records_path);
  for (;;) {
    if (result.pages >= static_cast<std::uint64_t>(paging.max_pages)) {
      return make_error(ErrorKind::invalid_argument,
                        redact(fmt::format("{}: still more pages after max_pages ({}); stopping would drop records",
                                           options.url, paging.max_pages), options),
                        "raise pagination.max_pages");
    }
    std::string url = next_url;
    if (url.empty()) {
      auto params = options.params;
      if (options.auth.kind == ApiAuth::Kind::api_key_query) {
        params.emplace_back(options.auth.name, options.auth.secret);
      }
      if (paging.kind == ApiPagination::Kind::token && !token.empty()) {
        params.emplace_back(paging.token_param, token);
      }
      if (paging.kind == ApiPagination::Kind::page || paging.kind == ApiPagination::Kind::offset) {
        params.emplace_back(paging.page_param,
                            std::to_string(paging.kind == ApiPagination::Kind::page ? page_number : offset));
        if (!paging.size_param.empty()) {
          params.emplace_back(paging.size_param, std::to_string(paging.page_size));
        }
      }
      url = build_url(options.url, params);
    }
    HP_ASSIGN_OR_RETURN(net::HttpResponse response, fetcher.send(url, result));
    ++result.pages;
    result.bytes += response.body.size();
    dom::element page;
    if (parser.parse(response.body).get(page) != simdjson::SUCCESS) {
      const auto type = response.headers.find("content-type");
      return make_error(ErrorKind::value,
                        redact(fmt::format("{} {}: the answer is not JSON ({}): {}", options.method, url,
                                           type == response.headers.end() ? "no content type" : type->second,
                                           excerpt(response.body)),
                               options),
                        "is the URL right? an error page or a login page came back instead of data");
    }
    dom::element records = page;
    if (!records_pointer.empty() && page.at_pointer(records_pointer).get(records) != simdjson::SUCCESS) {
      return make_error(ErrorKind::value,
                        redact(fmt::format("{}: page {} has no \"{}\"", url, result.pages, options.records_path), options),
                        "set records_path to where the records are in each page");
    }
    dom::array array;
    if (records.get_array().get(array) != simdjson::SUCCESS) {
      return make_error(ErrorKind::value,
                        redact(fmt::format("{}: page {}: \"{}\" is not an array of records", url, result.pages,
                                           options.records_path.empty() ? "the answer" : options.records_path),
                               options));
    }
    std::uint64_t count = 0;
    for (dom::element item : array) {
      HP_TRY(record(simdjson::minify(item)));
      ++count;
    }
    result.records += count;
    if (on_page) {
      on_page(result);
    }
    next_url.clear();
    switch (paging.kind) {
    case ApiPagination::Kind::none: return result;
    case ApiPagination::Kind::token: {
      dom::element value;
      if (page.at_pointer(pointer_of(paging.token_path)).get(value) != simdjson::SUCCESS || value.is_null()) {
        return result;
      }
      // Some APIs send the token (or the next offset) as a number.
      token = value.is_string() ? std::string(value.get_string().value()) : simdjson::minify(value);
      if (token.empty()) {
        return result;
      }
      break;
    }
    case ApiPagination::Kind::page:
    case ApiPagination::Kind::offset:
      if (count == 0 || (!paging.size_param.empty() && static_cast<long long>(count) < paging.page_size)) {
        return result;
      }
      ++page_number;
      offset += static_cast<long long>(count);
      break;
    case ApiPagination::Kind::next_url: {
      std::string_view value;
      if (page.at_pointer(pointer_of(paging.next_url_path)).get_string().get(value) != simdjson::SUCCESS || value.empty()) {
        return result;
      }
      next_url = resolve_next(options, std::string(value));
      if (next_url.empty()) {
        return result;
      }
      HP_TRY(check_same_host(options, next_url));
      break;
    }
    case ApiPagination::Kind::link: {
      const auto link = response.headers.find("link");
      if (link == response.headers.end() || (next_url = resolve_next(options, next_link(link->second))).empty()) {
        return result;
      }
      HP_TRY(check_same_host(options, next_url));
      break;
    }
    }
  }
}

} // namespace hyperpipe::sources
