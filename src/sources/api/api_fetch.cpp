#include "sources/api/api_fetch.hpp"

#include "sources/api/api_client.hpp"
#include "sources/api/schema_drift.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <optional>
#include <thread>

namespace hyperpipe::sources {
namespace dom = simdjson::dom;

namespace {

// The API key, when it travels in the query: next-page links must carry it too.
std::optional<std::pair<std::string, std::string>> query_key(const ApiFetchOptions& options) {
  if (options.auth.kind != ApiAuth::Kind::api_key_query) {
    return std::nullopt;
  }
  return std::pair{options.auth.name, options.auth.secret};
}

} // namespace

std::optional<ApiPagination::Kind> parse_pagination_kind(std::string_view text) {
  using Kind = ApiPagination::Kind;
  static constexpr std::pair<std::string_view, Kind> k_kinds[] = {{"none", Kind::none},   {"token", Kind::token},
                                                                  {"page", Kind::page},   {"offset", Kind::offset},
                                                                  {"next_url", Kind::next_url}, {"link", Kind::link}};
  for (const auto& [name, kind] : k_kinds) {
    if (name == text) {
      return kind;
    }
  }
  return std::nullopt;
}

namespace {

// Sends the requests at once (one thread each; the caller bounds how many) and returns the
// answers in request order.
std::vector<Result<net::HttpResponse>> send_all(ApiClient& client, const std::string& method,
                                                const std::vector<std::string>& urls, const std::string& body) {
  std::vector<std::optional<Result<net::HttpResponse>>> answers(urls.size());
  if (urls.size() == 1) {
    answers[0] = client.send(method, urls[0], body);
  } else {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < urls.size(); ++i) {
      threads.emplace_back([&, i] { answers[i] = client.send(method, urls[i], body); });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  std::vector<Result<net::HttpResponse>> out;
  for (auto& answer : answers) {
    out.push_back(std::move(*answer));
  }
  return out;
}

// Requests in flight, one future each, read in order. A wave dropped with answers unread (an
// error, or the last page came first) cancels them, so nobody waits on pages no longer needed.
struct Wave {
  std::vector<std::string> urls;
  std::vector<std::future<Result<net::HttpResponse>>> answers;
  ApiClient* client = nullptr;

  Wave() = default;
  Wave(Wave&&) = default;
  Wave& operator=(Wave&&) = default;
  Wave(const Wave&) = delete;
  Wave& operator=(const Wave&) = delete;
  ~Wave() {
    const bool unread = std::any_of(answers.begin(), answers.end(), [](const auto& answer) { return answer.valid(); });
    if (client != nullptr && unread) {
      client->cancel(); // before the futures' destructors wait for their threads
    }
  }
};

class PageReader {
public:
  PageReader(const ApiFetchOptions& options, ApiClient& client, ApiFetchResult& result,
             const std::function<Status(std::string_view record)>& record)
      : m_options(options), m_client(client), m_result(result), m_record(record),
        m_id_pointer(options.fan_out ? pointer_of(options.fan_out->id_path) : std::string()) {}

  // Parses one answer; returns its records array (valid until the next parse).
  Result<dom::array> records(const std::string& method, const std::string& url, const net::HttpResponse& response,
                             const std::string& records_path, std::uint64_t page) {
    m_result.bytes += response.body.size();
    if (m_parser.parse(response.body).get(m_page) != simdjson::SUCCESS) {
      return not_json(method, url, response);
    }
    dom::element found = m_page;
    if (!records_path.empty() && m_page.at_pointer(pointer_of(records_path)).get(found) != simdjson::SUCCESS) {
      return make_error(ErrorKind::value, m_client.redact(fmt::format("{}: page {} has no \"{}\"", url, page, records_path)),
                        "set records_path to where the records are in each page");
    }
    dom::array array;
    if (found.get_array().get(array) != simdjson::SUCCESS) {
      return make_error(ErrorKind::value,
                        m_client.redact(fmt::format("{}: page {}: \"{}\" is not an array of records", url, page,
                                                    records_path.empty() ? "the answer" : records_path)));
    }
    return array;
  }

  // Reads one page: hands its records on (or keeps their ids) and returns how many it had.
  // Without drift checks or ids to collect, records are passed on as their own text, found
  // by simdjson's on-demand parser (no tree, no re-serialisation); the JSON source parses
  // each one fully when it stages them.
  Result<std::size_t> read_page(const std::string& method, const std::string& url, const net::HttpResponse& response,
                                const std::string& records_path, std::uint64_t page, bool collect_ids) {
    if (m_options.on_drift != SchemaDrift::widen || collect_ids) {
      m_fast = false;
      HP_ASSIGN_OR_RETURN(dom::array records, this->records(method, url, response, records_path, page));
      HP_TRY(take(records, page, collect_ids, url));
      return records.size();
    }
    m_fast = true;
    m_result.bytes += response.body.size();
    m_padded = simdjson::padded_string(response.body);
    const auto not_json = [&] { return this->not_json(method, url, response); };
    // The on-demand parser validates lazily: a page that does not start as an object or an
    // array (an HTML error page, plain text) is refused here, before it is walked.
    const auto start = response.body.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || (response.body[start] != '{' && response.body[start] != '[') ||
        m_ondemand.iterate(m_padded).get(m_document) != simdjson::SUCCESS) {
      return not_json();
    }
    simdjson::ondemand::array array;
    simdjson::error_code error = simdjson::SUCCESS;
    if (records_path.empty()) {
      error = m_document.get_array().get(array);
    } else {
      simdjson::ondemand::value found;
      error = m_document.at_pointer(pointer_of(records_path)).get(found);
      if (error == simdjson::NO_SUCH_FIELD || error == simdjson::INVALID_JSON_POINTER) {
        return make_error(ErrorKind::value, m_client.redact(fmt::format("{}: page {} has no \"{}\"", url, page, records_path)),
                          "set records_path to where the records are in each page");
      }
      if (!error) {
        error = found.get_array().get(array);
      }
    }
    if (error == simdjson::TAPE_ERROR || error == simdjson::UTF8_ERROR || error == simdjson::UNCLOSED_STRING ||
        error == simdjson::EMPTY) {
      return not_json();
    }
    if (error) {
      return make_error(ErrorKind::value,
                        m_client.redact(fmt::format("{}: page {}: \"{}\" is not an array of records", url, page,
                                                    records_path.empty() ? "the answer" : records_path)));
    }
    std::size_t count = 0;
    for (auto element : array) {
      simdjson::ondemand::value item;
      std::string_view raw;
      if (element.get(item) != simdjson::SUCCESS || raw_text(item, raw) != simdjson::SUCCESS) {
        return not_json();
      }
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
        raw.remove_suffix(1); // the separator before the next record
      }
      m_line.assign(raw);
      // Whitespace inside a record may include line breaks; strings cannot (JSON escapes them).
      std::replace_if(m_line.begin(), m_line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
      HP_TRY(m_record(m_line));
      ++m_result.records;
      ++count;
    }
    return count;
  }

  // A value of the current page as text ("nextPageToken", "links.next"); numbers are given as
  // written. Empty when missing or null.
  std::optional<std::string> page_value(const std::string& dotted_path) {
    const std::string pointer = pointer_of(dotted_path);
    if (!m_fast) {
      dom::element value;
      if (m_page.at_pointer(pointer).get(value) != simdjson::SUCCESS || value.is_null()) {
        return std::nullopt;
      }
      return value.is_string() ? std::string(value.get_string().value()) : simdjson::minify(value);
    }
    m_document.rewind();
    simdjson::ondemand::value value;
    if (m_document.at_pointer(pointer).get(value) != simdjson::SUCCESS || value.is_null()) {
      return std::nullopt;
    }
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) {
      return std::string(text);
    }
    std::string_view token = value.raw_json_token(); // includes the whitespace after it
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r')) {
      token.remove_suffix(1);
    }
    return std::string(token);
  }

  // Hands a page's records on (or keeps their ids for the fan-out); checks the shape.
  Status take(dom::array records, std::uint64_t page, bool fan_out_ids, const std::string& url) {
    for (dom::element item : records) {
      if (m_options.on_drift != SchemaDrift::widen && !fan_out_ids) {
        m_drift.observe(page, item);
        if (!m_drift.changes().empty() && m_options.on_drift == SchemaDrift::fail) {
          return make_error(ErrorKind::value,
                            m_client.redact(fmt::format("{}: the records changed shape: {}", url, m_drift.changes().front())),
                            "set on_drift: widen to take every value (a column widens or is added; nothing is dropped)");
        }
      }
      if (fan_out_ids) {
        HP_TRY(keep_id(item, url));
      } else {
        HP_TRY(m_record(simdjson::minify(item)));
        ++m_result.records;
      }
    }
    return {};
  }

  std::vector<std::string>& ids() { return m_ids; }
  const std::vector<std::string>& drift() const { return m_drift.changes(); }

private:
  Error not_json(const std::string& method, const std::string& url, const net::HttpResponse& response) const {
    const auto type = response.headers.find("content-type");
    return make_error(ErrorKind::value,
                      m_client.redact(fmt::format("{} {}: the answer is not JSON ({}): {}", method, url,
                                                  type == response.headers.end() ? "no content type" : type->second,
                                                  excerpt(response.body))),
                      "is the URL right? an error page or a login page came back instead of data");
  }

  static simdjson::error_code raw_text(simdjson::ondemand::value& item, std::string_view& raw) {
    simdjson::ondemand::json_type type;
    if (auto error = item.type().get(type)) {
      return error;
    }
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object object;
      if (auto error = item.get_object().get(object)) {
        return error;
      }
      return object.raw_json().get(raw);
    }
    if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array inner;
      if (auto error = item.get_array().get(inner)) {
        return error;
      }
      return inner.raw_json().get(raw);
    }
    raw = item.raw_json_token();
    return simdjson::SUCCESS;
  }

  Status keep_id(dom::element item, const std::string& url) {
    dom::element id;
    if (item.at_pointer(m_id_pointer).get(id) != simdjson::SUCCESS || id.is_null()) {
      return make_error(ErrorKind::value,
                        m_client.redact(fmt::format("{}: a record has no \"{}\" to fetch details for: {}", url,
                                                    m_options.fan_out->id_path, excerpt(simdjson::minify(item)))),
                        "check fan_out.id_path");
    }
    m_ids.push_back(id.is_string() ? std::string(id.get_string().value()) : simdjson::minify(id));
    return {};
  }

  const ApiFetchOptions& m_options;
  ApiClient& m_client;
  ApiFetchResult& m_result;
  const std::function<Status(std::string_view record)>& m_record;
  std::string m_id_pointer;
  dom::parser m_parser;
  dom::element m_page;
  bool m_fast = false;
  simdjson::ondemand::parser m_ondemand;
  simdjson::padded_string m_padded;
  simdjson::ondemand::document m_document;
  std::string m_line;
  DriftTracker m_drift;
  std::vector<std::string> m_ids;
};

std::string first_level_url(const ApiFetchOptions& options, const std::string& token, long long page_number, long long offset) {
  const ApiPagination& paging = options.pagination;
  auto params = options.params;
  if (options.auth.kind == ApiAuth::Kind::api_key_query) {
    params.emplace_back(options.auth.name, options.auth.secret);
  }
  if (paging.kind == ApiPagination::Kind::token && !token.empty()) {
    params.emplace_back(paging.token_param, token);
  }
  if (paging.kind == ApiPagination::Kind::page || paging.kind == ApiPagination::Kind::offset) {
    params.emplace_back(paging.page_param, std::to_string(paging.kind == ApiPagination::Kind::page ? page_number : offset));
    if (!paging.size_param.empty()) {
      params.emplace_back(paging.size_param, std::to_string(paging.page_size));
    }
  }
  return build_url(options.url, params);
}

// The second requests: one per batch of ids, `concurrency` at a time, records in batch order.
Status fan_out(const ApiFetchOptions& options, ApiClient& client, PageReader& reader, ApiFetchResult& result,
               const std::function<void(const ApiFetchResult&)>& on_page) {
  const ApiFanOut& spec = *options.fan_out;
  const std::vector<std::string> ids = std::move(reader.ids());
  const auto batch = static_cast<std::size_t>(std::max(1, spec.batch_size));
  const auto in_flight = static_cast<std::size_t>(std::max(1, options.concurrency));
  std::vector<std::string> urls;
  for (std::size_t first = 0; first < ids.size(); first += batch) {
    std::string joined;
    for (std::size_t i = first; i < std::min(ids.size(), first + batch); ++i) {
      joined += (i == first ? "" : spec.separator) + ids[i];
    }
    auto params = spec.params;
    params.emplace_back(spec.id_param, joined);
    if (options.auth.kind == ApiAuth::Kind::api_key_query) {
      params.emplace_back(options.auth.name, options.auth.secret);
    }
    urls.push_back(build_url(spec.url, params));
  }
  for (std::size_t start = 0; start < urls.size(); start += in_flight) {
    const std::vector<std::string> wave(urls.begin() + static_cast<std::ptrdiff_t>(start),
                                        urls.begin() + static_cast<std::ptrdiff_t>(std::min(urls.size(), start + in_flight)));
    auto answers = send_all(client, "GET", wave, "");
    for (std::size_t i = 0; i < wave.size(); ++i) {
      if (!answers[i]) {
        return std::move(answers[i]).error();
      }
      const std::uint64_t request = start + i + 1;
      HP_TRY(reader.read_page("GET", wave[i], *answers[i], spec.records_path, request, false));
      ++result.fan_out_requests;
    }
    if (on_page) {
      on_page(result);
    }
  }
  return {};
}

} // namespace

Result<ApiFetchResult> fetch_api_records(const ApiFetchOptions& options, const ApiEnvironment& environment,
                                         const std::function<Status(std::string_view record)>& record,
                                         const std::function<void(const ApiFetchResult&)>& on_page) {
  ApiFetchResult result;
  ApiClient client(options, environment);
  PageReader reader(options, client, result, record);
  const ApiPagination& paging = options.pagination;
  // Offsets of pages ahead are known only when the page size is: the API is told it (size_param).
  const bool ahead_allowed = paging.kind == ApiPagination::Kind::page ||
                             (paging.kind == ApiPagination::Kind::offset && !paging.size_param.empty());
  const bool collect_ids = options.fan_out.has_value();
  std::string token;
  std::string next_url;
  long long page_number = paging.first;
  long long offset = 0;
  bool more = true;
  std::optional<Wave> next_wave; // asked for ahead (numbered pages with concurrency)
  // However this function ends, pages still in flight are no longer needed; declared after
  // next_wave, so it runs before next_wave waits for them.
  struct CancelOnExit {
    ApiClient& client;
    ~CancelOnExit() { client.cancel(); }
  } cancel_on_exit{client};
  while (more) {
    if (result.pages >= static_cast<std::uint64_t>(paging.max_pages)) {
      if (paging.fail_at_max_pages) {
        return make_error(ErrorKind::invalid_argument,
                          client.redact(fmt::format("{}: still more pages after max_pages ({})", options.url, paging.max_pages)),
                          "raise pagination.max_pages");
      }
      result.stopped_at_max_pages = true;
      break;
    }
    // Numbered pages can be asked for ahead: `concurrency` at once, read in order, stopping at
    // the first short page (the requests beyond it are wasted, never used). The next wave is
    // asked for while this one is read, so the network and the reading overlap.
    const auto wave_size = [&](std::uint64_t pages_done) {
      return ahead_allowed ? std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(1, options.concurrency)),
                                                static_cast<std::uint64_t>(paging.max_pages) - pages_done)
                      : std::uint64_t{1};
    };
    const auto launch = [&](std::uint64_t count, long long first_page, long long first_offset) {
      Wave wave;
      for (std::uint64_t i = 0; i < count; ++i) {
        wave.urls.push_back(next_url.empty() ? first_level_url(options, token, first_page + static_cast<long long>(i),
                                                               first_offset + static_cast<long long>(i) * paging.page_size)
                                             : next_url);
      }
      wave.client = &client;
      for (const auto& url : wave.urls) {
        wave.answers.push_back(std::async(std::launch::async, [&client, &options, url] {
          return client.send(options.method, url, options.body);
        }));
      }
      return wave;
    };
    const std::uint64_t ahead = wave_size(result.pages);
    Wave wave = next_wave ? std::move(*next_wave) : launch(ahead, page_number, offset);
    next_wave.reset();
    if (ahead_allowed && options.concurrency > 1 && result.pages + ahead < static_cast<std::uint64_t>(paging.max_pages)) {
      next_wave = launch(wave_size(result.pages + ahead), page_number + static_cast<long long>(ahead),
                         offset + static_cast<long long>(ahead) * paging.page_size);
    }
    const std::vector<std::string>& urls = wave.urls;
    for (std::size_t i = 0; i < urls.size() && more; ++i) {
      auto answer = wave.answers[i].get();
      if (!answer) {
        return std::move(answer).error();
      }
      const net::HttpResponse& response = *answer;
      ++result.pages;
      HP_ASSIGN_OR_RETURN(const std::size_t count,
                          reader.read_page(options.method, urls[i], response, options.records_path, result.pages, collect_ids));
      next_url.clear();
      switch (paging.kind) {
      case ApiPagination::Kind::none: more = false; break;
      case ApiPagination::Kind::token: {
        // Some APIs send the token (or the next offset) as a number.
        token = reader.page_value(paging.token_path).value_or("");
        more = !token.empty();
        break;
      }
      case ApiPagination::Kind::page:
      case ApiPagination::Kind::offset:
        if (count == 0 || (!paging.size_param.empty() && static_cast<long long>(count) < paging.page_size)) {
          more = false;
          break;
        }
        ++page_number;
        offset += static_cast<long long>(count);
        break;
      case ApiPagination::Kind::next_url: {
        next_url = resolve_next(options.url, reader.page_value(paging.next_url_path).value_or(""), query_key(options));
        more = !next_url.empty();
        if (more) {
          HP_TRY(check_same_host(options.url, next_url));
        }
        break;
      }
      case ApiPagination::Kind::link: {
        const auto link = response.headers.find("link");
        next_url = link == response.headers.end() ? std::string() : resolve_next(options.url, next_link(link->second), query_key(options));
        more = !next_url.empty();
        if (more) {
          HP_TRY(check_same_host(options.url, next_url));
        }
        break;
      }
      }
      if (on_page) {
        on_page(result);
      }
    }
  }
  if (collect_ids) {
    next_wave.reset(); // pages asked for beyond the last one are done (or gave up) ...
    client.resume();   // ... so the fan-out's requests start afresh
    HP_TRY(fan_out(options, client, reader, result, on_page));
  }
  result.retries = client.retries();
  result.requests = client.requests();
  result.cache_hits = client.cache_hits();
  if (options.on_drift == SchemaDrift::warn) {
    result.drift = reader.drift();
  }
  return result;
}

} // namespace hyperpipe::sources
