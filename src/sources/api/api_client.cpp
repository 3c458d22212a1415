#include "sources/api/api_client.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>
#include <cmath>

namespace hyperpipe::sources {
namespace {

} // namespace

std::string excerpt(std::string_view body) {
  std::string_view start = body.substr(0, 200);
  // Never end inside a UTF-8 character: the message must stay valid text (JSON logs, reports).
  std::size_t lead = start.size();
  while (lead > 0 && (static_cast<unsigned char>(start[lead - 1]) & 0xC0U) == 0x80U) {
    --lead;
  }
  if (lead > 0 && start.size() < body.size()) {
    const auto first = static_cast<unsigned char>(start[lead - 1]);
    const std::size_t length = first >= 0xF0U ? 4 : first >= 0xE0U ? 3 : first >= 0xC0U ? 2 : 1;
    if (lead - 1 + length > start.size()) {
      start = start.substr(0, lead - 1);
    }
  }
  std::string out;
  for (const char c : start) {
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  if (body.size() > 200) {
    out += "...";
  }
  return out;
}

ApiClient::ApiClient(const ApiFetchOptions& options, const ApiEnvironment& environment)
    : m_options(options), m_env(environment), m_secrets(options.secrets) {
  if (!options.auth.secret.empty()) {
    m_secrets.push_back(options.auth.secret);
  }
  if (options.cache_dir) {
    m_cache.emplace(*options.cache_dir, options.cache_ttl);
  }
}

std::int64_t ApiClient::now() const {
  if (m_env.now) {
    return m_env.now();
  }
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string ApiClient::redact(std::string text) const {
  {
    std::lock_guard lock(m_mutex);
    text = net::redact(std::move(text), m_secrets);
  }
  return mask_secret_parameters(std::move(text));
}

std::string mask_secret_parameters(std::string text) {
  // "?key=abc&q=x" -> "?key=[redacted]&q=x": a key in the URL itself, or under a variable whose
  // name does not say it is secret, is still hidden.
  static constexpr std::string_view k_secret_words[] = {"key", "token", "secret", "password", "passwd",
                                                        "signature", "sig", "auth", "credential"};
  std::size_t at = 0;
  while ((at = text.find_first_of("?&", at)) != std::string::npos) {
    const auto equals = text.find('=', at + 1);
    const auto end_of_name = text.find_first_of("?&# \"'", at + 1);
    if (equals == std::string::npos || (end_of_name != std::string::npos && end_of_name < equals)) {
      ++at;
      continue;
    }
    std::string name = text.substr(at + 1, equals - at - 1);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // A value ends where a URL in a message ends (values we send are percent-encoded, so a
    // ':' or ',' here is the message's own).
    const auto value_end = std::min(text.find_first_of("&# \"'\n:,;)", equals + 1), text.size());
    const bool secret = std::any_of(std::begin(k_secret_words), std::end(k_secret_words),
                                    [&](std::string_view word) { return name.find(word) != std::string::npos; });
    if (secret && value_end > equals + 1 && text.compare(equals + 1, value_end - equals - 1, "[redacted]") != 0) {
      text.replace(equals + 1, value_end - equals - 1, "[redacted]");
    }
    at = equals + 1;
  }
  return text;
}

Result<net::HttpResponse> ApiClient::send(const std::string& method, const std::string& url, const std::string& body) {
  if (!m_cache) {
    return send_uncached(method, url, body);
  }
  // The key holds the credentials too (hashed, never stored): answers for one key never serve another.
  const std::string key = fmt::format("{} {}\n{}\n{}:{}:{}", method, url, body, static_cast<int>(m_options.auth.kind),
                                      m_options.auth.username, m_options.auth.secret);
  if (auto cached = m_cache->lookup(key, now())) {
    ++m_cache_hits;
    return *cached;
  }
  HP_ASSIGN_OR_RETURN(auto response, send_uncached(method, url, body));
  m_cache->store(key, response, now());
  return response;
}

Result<std::string> ApiClient::access_token(bool renew, const std::string& failed) {
  std::lock_guard lock(m_mutex);
  if (renew && !m_token.empty() && m_token != failed) {
    return m_token; // another request renewed it meanwhile
  }
  if (!renew && !m_token.empty() && now() < m_token_expires - 60) {
    return m_token;
  }
  const ApiAuth& auth = m_options.auth;
  net::HttpRequest request;
  request.method = "POST";
  request.url = auth.token_url;
  request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  request.basic_auth = {auth.username, auth.secret}; // RFC 6749 section 2.3.1
  std::string form = "grant_type=client_credentials";
  if (!auth.scope.empty()) {
    form += "&scope=" + net::url_encode(auth.scope);
  }
  request.body.push_back({form, {}, 0, 0});
  std::string last;
  for (int attempt = 1;; ++attempt) {
    auto response = m_env.transport->send(request);
    if (response && response->status == 200) {
      simdjson::dom::parser parser;
      simdjson::dom::element answer;
      std::string_view token;
      if (parser.parse(response->body).get(answer) != simdjson::SUCCESS ||
          answer["access_token"].get(token) != simdjson::SUCCESS || token.empty()) {
        // Only the field names: the answer may hold a token under another name.
        std::vector<std::string> fields;
        simdjson::dom::object object;
        if (answer.get_object().get(object) == simdjson::SUCCESS) {
          for (const auto field : object) {
            fields.emplace_back(field.key);
          }
        }
        return make_error(ErrorKind::remote,
                          fmt::format("POST {}: the answer has no access_token (its fields: {})", auth.token_url,
                                      fields.empty() ? "none, or not JSON" : fmt::format("{}", fmt::join(fields, ", "))),
                          "is token_url the OAuth2 token endpoint?");
      }
      std::int64_t lifetime = 3600;
      auto expires = answer["expires_in"];
      if (expires.get(lifetime) != simdjson::SUCCESS) {
        double fractional = 0;
        lifetime = expires.get(fractional) == simdjson::SUCCESS ? static_cast<std::int64_t>(fractional) : 3600;
      }
      m_token = std::string(token);
      m_token_expires = now() + lifetime;
      m_secrets.push_back(m_token);
      return m_token;
    }
    // Asking for a token again is safe: a lost answer only leaves an unused token behind.
    if (!net::worth_retrying(response, true)) {
      if (!response) {
        return response.error();
      }
      return make_error(ErrorKind::remote,
                        fmt::format("POST {}: HTTP {}: {}", auth.token_url, response->status, excerpt(response->body)),
                        "check client_id and client_secret (and the scope)");
    }
    last = response ? fmt::format("HTTP {}", response->status) : response.error().message;
    if (attempt >= m_options.retry.max_attempts) {
      return make_error(ErrorKind::remote, fmt::format("POST {}: gave up after {} attempts; last answer: {}",
                                                       auth.token_url, attempt, last));
    }
    m_env.sleep(delay(attempt, response));
  }
}

Result<net::HttpResponse> ApiClient::send_uncached(const std::string& method, const std::string& url, const std::string& body) {
  net::HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = m_options.headers;
  request.headers.emplace_back("Accept", "application/json");
  const ApiAuth& auth = m_options.auth;
  if (auth.kind == ApiAuth::Kind::bearer) {
    request.headers.emplace_back("Authorization", "Bearer " + auth.secret);
  } else if (auth.kind == ApiAuth::Kind::api_key_header) {
    request.headers.emplace_back(auth.name, auth.secret);
  } else if (auth.kind == ApiAuth::Kind::basic) {
    request.basic_auth = {auth.username, auth.secret};
  }
  std::size_t token_header = 0;
  if (auth.kind == ApiAuth::Kind::oauth2_client_credentials) {
    HP_ASSIGN_OR_RETURN(std::string token, access_token(false, {}));
    token_header = request.headers.size();
    request.headers.emplace_back("Authorization", "Bearer " + token);
  }
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body.push_back({body, {}, 0, 0});
  }
  std::string last;
  bool renewed = false;
  for (int attempt = 1;; ++attempt) {
    if (m_cancelled) {
      return make_error(ErrorKind::internal, "request no longer needed");
    }
    pace();
    auto response = m_env.transport->send(request);
    ++m_requests;
    if (response && response->status >= 200 && response->status < 300) {
      return response;
    }
    if (response && response->status == 401 && auth.kind == ApiAuth::Kind::oauth2_client_credentials && !renewed) {
      // The token expired early or was revoked: one new token, then the request again.
      HP_ASSIGN_OR_RETURN(std::string token, access_token(true, request.headers[token_header].second.substr(7)));
      request.headers[token_header].second = "Bearer " + token;
      renewed = true;
      --attempt;
      continue;
    }
    // An API source only reads: every request is safe to repeat (net/retry.hpp decides which
    // failures are worth it: never a TLS or certificate failure, nor a 4xx but 429).
    if (!net::worth_retrying(response, true)) {
      if (!response) {
        Error error = response.error();
        error.message = redact(error.message);
        return error;
      }
      return make_error(ErrorKind::remote,
                        redact(fmt::format("{} {}: HTTP {}: {}", method, url, response->status, excerpt(response->body))),
                        response->status == 401 || response->status == 403
                            ? "check the API key or token (and its quota)"
                            : "check the URL and parameters");
    }
    const std::chrono::milliseconds wait = delay(attempt, response);
    last = response ? fmt::format("HTTP {}: {}", response->status, excerpt(response->body)) : response.error().message;
    if (attempt >= m_options.retry.max_attempts) {
      return make_error(ErrorKind::remote,
                        redact(fmt::format("{} {}: gave up after {} attempt{}; last answer: {}", method, url, attempt,
                                           attempt == 1 ? "" : "s", last)),
                        "the API keeps failing or limiting requests: try later, or lower requests_per_second");
    }
    ++m_retries;
    this->wait(wait);
  }
}

// With requests in flight side by side, waits in short steps so a request that is no longer
// needed does not sit out a long Retry-After; alone, one request waits in one go.
void ApiClient::wait(std::chrono::milliseconds duration) {
  if (m_options.concurrency <= 1) {
    m_env.sleep(duration);
    return;
  }
  constexpr std::chrono::milliseconds k_step{200};
  while (duration.count() > 0 && !m_cancelled) {
    const auto step = std::min(duration, k_step);
    m_env.sleep(step);
    duration -= step;
  }
}

std::chrono::milliseconds ApiClient::delay(int attempt, const Result<net::HttpResponse>& outcome) const {
  return net::retry_delay(m_options.retry, attempt, outcome ? &*outcome : nullptr, m_env.jitter ? m_env.jitter() : 0.5);
}

void ApiClient::pace() {
  if (m_options.requests_per_second <= 0) {
    return;
  }
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / m_options.requests_per_second));
  std::chrono::milliseconds wait{0};
  {
    // Each request takes the next free slot; concurrent requests queue behind one another.
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    const auto slot = m_paced ? std::max(now, m_last_request + interval) : now;
    m_paced = true;
    m_last_request = slot;
    wait = std::chrono::duration_cast<std::chrono::milliseconds>(slot - now);
  }
  if (wait.count() > 0) {
    m_env.sleep(wait);
  }
}

} // namespace hyperpipe::sources
