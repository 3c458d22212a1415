// Web APIs in pipelines (type: api): pages of JSON records are fetched, spooled as NDJSON in the
// run's scratch folder, then staged like a JSON file (same flattening, child tables and type
// inference across every page). ${state.watermark} in the URL, parameters or body asks the API
// itself for rows past the last run's watermark.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "hyperpipe/extract.hpp"
#include "net/http.hpp"
#include "pipeline/config/interpolate.hpp"
#include "pipeline/load_files.hpp"
#include "pipeline/sources/api_source.hpp"
#include "pipeline/sources/api_spool.hpp"
#include "sources/api/api_fetch.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

class ConfiguredApiSource final : public ConfiguredSource {
public:
  sources::ApiFetchOptions fetch;
  net::HttpOptions http;
  int max_depth = 10;

  std::string describe() const override { return fmt::format("api {} {}", fetch.method, fetch.url); }

  // The options with ${state.watermark} filled in where it is written: percent-encoded in a URL
  // (Hyper's text form has spaces and '+'), escaped in a JSON body, as is in a parameter
  // (build_url encodes those). A parameter that is only the watermark is left out on a first run.
  Result<sources::ApiFetchOptions> resolved(const std::optional<std::string>& watermark, bool& pushed_down) const {
    sources::ApiFetchOptions options = fetch;
    const auto state = [&](const std::string& name) -> std::optional<std::string> {
      if (name == "watermark") {
        return watermark.value_or("");
      }
      return std::nullopt;
    };
    const auto fill = [&](std::string& text, const std::function<std::string(std::string_view)>& encode) -> Status {
      if (mentions_state(text, "watermark")) {
        pushed_down = watermark.has_value();
      }
      HP_ASSIGN_OR_RETURN(text, fill_state_placeholders(text, [&](const std::string& name) -> std::optional<std::string> {
                            auto value = state(name);
                            return value ? std::optional<std::string>(encode(*value)) : std::nullopt;
                          }));
      return {};
    };
    const auto as_is = [](std::string_view text) { return std::string(text); };
    const auto json_escaped = [](std::string_view text) {
      const std::string quoted = nlohmann::json(std::string(text)).dump(); // "..." with escapes
      return quoted.substr(1, quoted.size() - 2);
    };
    HP_TRY(fill(options.url, [](std::string_view text) { return net::url_encode(text); }));
    HP_TRY(fill(options.body, json_escaped));
    std::vector<std::pair<std::string, std::string>> params;
    for (auto [name, value] : options.params) {
      const bool watermark_only = value == "${state.watermark}";
      HP_TRY(fill(value, as_is));
      if (watermark_only && !watermark) {
        continue; // first run: no watermark yet, so no filter (a longer value is sent as written)
      }
      params.emplace_back(name, value);
    }
    options.params = std::move(params);
    return options;
  }

  // One page, fetched as a first run would (no watermark, no development cache), then dropped.
  Result<std::string> probe(const fs::path& work_dir) const override {
    bool pushed_down = false;
    HP_ASSIGN_OR_RETURN(auto options, resolved(std::nullopt, pushed_down));
    options.pagination.max_pages = 1;
    options.concurrency = 1;
    options.cache_dir.reset();
    options.retry.max_attempts = 1; // a check answers now: no backoff, no Retry-After waits
    const fs::path spool = work_dir / "probe.records.ndjson";
    HP_ASSIGN_OR_RETURN(const auto fetched, fetch_to_spool(options, http, spool, {}));
    std::error_code ec;
    fs::remove(spool, ec);
    return fmt::format("answered: {} record{} on the first page", fetched.records, fetched.records == 1 ? "" : "s");
  }

  Result<StageResult> stage(const StageContext& context) const override {
    bool pushed_down = false;
    HP_ASSIGN_OR_RETURN(auto options, resolved(context.watermark, pushed_down));
    const fs::path spool = context.work_dir / (context.table + ".records.ndjson");
    sources::JsonOptions json;
    json.max_depth = max_depth;
    auto inference = std::make_shared<sources::JsonInference>(json);
    auto fetched = fetch_to_spool(
        options, http, spool,
        [&](const sources::ApiFetchResult& progress) {
          if (context.on_progress) {
            context.on_progress(progress.records, progress.bytes, 0);
          }
        },
        inference.get());
    if (!fetched) {
      return std::move(fetched).error();
    }
    if (fetched->stopped_at_max_pages && context.incremental) {
      std::error_code ec;
      fs::remove(spool, ec);
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("{}: more pages remain after max_pages ({}); with incremental loading the watermark "
                                    "would move past rows never fetched",
                                    describe(), options.pagination.max_pages),
                        "raise pagination.max_pages (or ask the API for fewer rows)");
    }
    StageResult result;
    result.bytes = fetched->bytes;
    if (pushed_down) {
      result.notes.push_back(fmt::format("asked the API only for rows past the watermark {}", *context.watermark));
    }
    for (auto& note : fetched->notes) {
      result.notes.push_back(std::move(note));
    }
    if (fetched->records == 0) {
      fs::remove(spool);
      if (context.previous_tables.empty()) {
        return make_error(ErrorKind::value, fmt::format("{} returned no records", describe()),
                          "nothing to stage and no earlier run to take the columns from: check the parameters");
      }
      // Nothing new (typically: nothing past the watermark): an empty table of last run's shape,
      // in a file version that holds its column types (the one asked for is a minimum).
      int version = context.file_version;
      for (const auto& table : context.previous_tables) {
        for (const auto& column : table.columns) {
          version = std::max(version, column.type.minimum_file_version());
        }
      }
      HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(*context.engine, context.staging_file, {CreateMode::replace, version}));
      result.file_version = version;
      for (const auto& table : context.previous_tables) {
        HP_TRY(writer.add_table(table));
        result.tables.push_back(table.name.table);
      }
      HP_TRY(writer.commit());
      result.notes.emplace_back("no records: the tables keep the columns of the last successful run");
      return result;
    }
    LoadFilesOptions load;
    load.inputs = {spool};
    load.format = InputFormat::json;
    load.json = json;
    load.json_inference = inference;
    load.output = context.staging_file;
    load.file_version = context.file_version;
    load.file_version_is_minimum = true; // a column type that needs a newer version raises it
    load.table = TableName{"public", context.table};
    load.reject_file = context.reject_file;
    auto summary = load_files(*context.engine, load);
    fs::remove(spool);
    if (!summary) {
      return std::move(summary).error();
    }
    result.file_version = summary->file_version;
    for (const auto& table : summary->tables) {
      result.tables.push_back(table.name.table);
    }
    for (const auto& file : summary->files) {
      if (file.table == load.table) {
        result.rows_read += file.rows_read;
        result.rows_loaded += file.rows_loaded;
        result.rows_rejected += file.rows_rejected;
      }
    }
    return result;
  }
};

class ApiSourceType final : public SourceType {
public:
  std::string_view name() const override { return "api"; }

  std::shared_ptr<const ConfiguredSource> configure(ConfigReader& reader, const fs::path& base_dir) const override {
    auto source = std::make_shared<ConfiguredApiSource>();
    auto& fetch = source->fetch;
    // base_url + paths: `url` (and fan_out.url) may be paths under the API's root.
    const std::string base_url = reader.text("base_url").value_or("");
    const auto under_base = [&](std::string url) {
      if (!base_url.empty() && url.starts_with("/")) {
        std::string root = base_url;
        while (!root.empty() && root.back() == '/') {
          root.pop_back();
        }
        return root + url;
      }
      return url;
    };
    if (!base_url.empty() && !net::is_http_url(base_url)) {
      reader.error("base_url", fmt::format("\"{}\" is not an http(s) URL", base_url));
    }
    fetch.url = under_base(reader.text("url", true).value_or(""));
    fetch.method = reader.text("method").value_or("GET");
    if (fetch.method != "GET" && fetch.method != "POST") {
      reader.error("method", fmt::format("\"{}\" is not GET or POST", fetch.method));
    }
    fetch.params = reader.text_map("params");
    fetch.headers = reader.text_map("headers", true); // a value from a variable is a secret here
    register_credentials(reader, fetch.params, fetch.headers);
    register_credentials(reader, query_of(fetch.url), {}); // a key written into the URL itself
    fetch.body = reader.text("body").value_or("");
    fetch.records_path = reader.text("records_path").value_or("");
    source->http.allow_http = reader.flag("allow_http").value_or(false);
    if (auto bundle = reader.text("ca_bundle")) {
      const fs::path path(*bundle);
      source->http.ca_bundle = path.is_absolute() ? path : base_dir / path;
    }
    if (auto seconds = reader.integer("timeout_seconds", 1, 86'400)) {
      source->http.transfer_timeout = std::chrono::seconds(*seconds);
    }
    source->http.connect_timeout =
        reader.duration("connect_timeout", std::chrono::seconds(1), std::chrono::seconds(3600)).value_or(source->http.connect_timeout);
    source->http.idle_timeout =
        reader.duration("idle_timeout", std::chrono::seconds(1), std::chrono::seconds(86'400)).value_or(source->http.idle_timeout);
    fetch.retry.max_attempts = static_cast<int>(reader.integer("max_attempts", 1, 100).value_or(fetch.retry.max_attempts));
    fetch.requests_per_second = reader.number("requests_per_second", 0, 100'000).value_or(0);
    fetch.concurrency = static_cast<int>(reader.integer("concurrency", 1, 64).value_or(1));
    if (auto drift = reader.text("on_drift")) {
      if (*drift == "widen") {
        fetch.on_drift = sources::SchemaDrift::widen;
      } else if (*drift == "warn") {
        fetch.on_drift = sources::SchemaDrift::warn;
      } else if (*drift == "fail") {
        fetch.on_drift = sources::SchemaDrift::fail;
      } else {
        reader.error("on_drift", fmt::format("\"{}\" is not widen, warn or fail", *drift),
                     "widen takes every value (columns widen or are added), warn also lists the changes, fail stops");
      }
    }
    if (auto cache = reader.child("cache")) {
      const fs::path dir(cache->text("dir").value_or(".hyperpipe-cache"));
      fetch.cache_dir = dir.is_absolute() ? dir : base_dir / dir;
      fetch.cache_ttl = std::chrono::seconds(cache->integer("ttl_seconds", 1, 31'536'000).value_or(86'400));
      cache->finish();
    }
    if (auto fan = reader.child("fan_out")) {
      sources::ApiFanOut spec;
      spec.url = under_base(fan->text("url", true).value_or(""));
      register_credentials(*fan, query_of(spec.url), {});
      spec.params = fan->text_map("params");
      register_credentials(*fan, spec.params, {});
      spec.id_path = fan->text("id_path", true).value_or("");
      spec.id_param = fan->text("id_param", true).value_or("");
      spec.batch_size = static_cast<int>(fan->integer("batch_size", 1, 10'000).value_or(1));
      spec.separator = fan->text("separator").value_or(",");
      spec.records_path = fan->text("records_path").value_or("");
      const auto checked = net::check_url(spec.url, source->http.allow_http);
      if (!spec.url.empty() && (checked == net::UrlCheck::refused_http || checked == net::UrlCheck::not_http)) {
        fan->error("url", fmt::format("\"{}\" is not an https URL", spec.url),
                   "use https://, or allow_http: true for a server on this machine");
      }
      fan->finish();
      fetch.fan_out = std::move(spec);
    }
    source->max_depth = static_cast<int>(reader.integer("max_depth", 0, 1000).value_or(10));
    const auto url_checked = net::check_url(fetch.url, source->http.allow_http);
    if (url_checked == net::UrlCheck::refused_http) {
      reader.error("url", "plain http:// sends the request (and any key) unencrypted",
                   "use https://, or allow_http: true for a server on this machine");
    } else if (fetch.url.starts_with("/")) {
      reader.error("url", fmt::format("\"{}\" is a path, but there is no base_url", fetch.url),
                   "add base_url, or give the whole URL");
    } else if (reader.has("url") && url_checked == net::UrlCheck::not_http) {
      reader.error("url", fmt::format("\"{}\" is not an http(s) URL", fetch.url));
    }
    if (auto paging = reader.child("pagination")) {
      read_pagination(*paging, fetch.pagination);
      paging->finish();
    }
    if (auto auth = reader.child("auth")) {
      read_auth(*auth, fetch.auth);
      auth->finish();
    }
    if (net::check_url(fetch.auth.token_url, source->http.allow_http) == net::UrlCheck::refused_http) {
      reader.error("auth", "the OAuth2 token_url is plain http://: the client secret would travel unencrypted",
                   "use https://, or allow_http: true for a server on this machine");
    }
    if (!fetch.auth.secret.empty()) {
      fetch.secrets.push_back(fetch.auth.secret);
      reader.add_secret(fetch.auth.secret);
    }
    return source;
  }

private:
  // The name=value pairs of a URL's query string, as written.
  static std::vector<std::pair<std::string, std::string>> query_of(const std::string& url) {
    std::vector<std::pair<std::string, std::string>> pairs;
    const auto question = url.find('?');
    if (question == std::string::npos) {
      return pairs;
    }
    const std::string_view query = std::string_view(url).substr(question + 1, url.find('#') - question - 1);
    std::size_t start = 0;
    while (start < query.size()) {
      const auto end = std::min(query.find('&', start), query.size());
      const auto pair = query.substr(start, end - start);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos) {
        pairs.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
      }
      start = end + 1;
    }
    return pairs;
  }

  // Secrets by use: a header value built from a variable, the whole value of a header that
  // carries credentials (Authorization, Cookie, X-Api-Key, ...), and a query parameter whose name
  // says it is a key or token — whatever the variables behind them are called.
  static void register_credentials(ConfigReader& reader, const std::vector<std::pair<std::string, std::string>>& params,
                                   const std::vector<std::pair<std::string, std::string>>& headers) {
    const auto sensitive_name = [](std::string_view name) {
      std::string lower(name);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" || looks_secret(name) ||
             lower == "sig" || lower.find("signature") != std::string::npos; // "design" or "assignee" are no keys
    };
    for (const auto& [name, value] : headers) {
      if (sensitive_name(name)) {
        reader.add_secret(value);
        if (const auto space = value.find(' '); space != std::string::npos) {
          reader.add_secret(value.substr(space + 1)); // "Bearer <token>": the token alone too
        }
      }
    }
    for (const auto& [name, value] : params) {
      if (sensitive_name(name)) {
        reader.add_secret(value);
      }
    }
  }

  static void read_pagination(ConfigReader& reader, sources::ApiPagination& paging) {
    using Kind = sources::ApiPagination::Kind;
    const std::string kind = reader.text("type", true).value_or("none");
    if (const auto found = sources::parse_pagination_kind(kind); !found) {
      reader.error("type", fmt::format("\"{}\" is not a pagination type", kind), "use none, token, page, offset, next_url or link");
    } else {
      paging.kind = *found;
      if (paging.kind == Kind::offset) {
        paging.page_param = "offset";
      }
    }
    paging.token_path = reader.text("token_path").value_or(paging.token_path);
    paging.token_param = reader.text("token_param").value_or(paging.token_param);
    paging.page_param = reader.text("param").value_or(paging.page_param);
    paging.size_param = reader.text("size_param").value_or("");
    paging.page_size = reader.integer("size", 1, 1'000'000).value_or(paging.page_size);
    paging.first = reader.integer("first", 0, 1'000'000).value_or(paging.first);
    paging.next_url_path = reader.text("next_url_path").value_or(paging.next_url_path);
    paging.max_pages = static_cast<int>(reader.integer("max_pages", 1, 10'000'000).value_or(paging.max_pages));
    if (auto at_max = reader.text("at_max_pages")) {
      if (*at_max == "fail") {
        paging.fail_at_max_pages = true;
      } else if (*at_max != "stop") {
        reader.error("at_max_pages", fmt::format("\"{}\" is not stop or fail", *at_max),
                     "stop keeps the pages read (and says so in the report); fail stops the run");
      }
    }
  }

  static void read_auth(ConfigReader& reader, sources::ApiAuth& auth) {
    using Kind = sources::ApiAuth::Kind;
    const std::string kind = reader.text("type", true).value_or("");
    if (kind == "bearer") {
      auth.kind = Kind::bearer;
      auth.secret = reader.text("token", true).value_or("");
    } else if (kind == "api_key") {
      const std::string in = reader.text("in").value_or("query");
      if (in != "query" && in != "header") {
        reader.error("in", fmt::format("\"{}\" is not query or header", in));
      }
      auth.kind = in == "header" ? Kind::api_key_header : Kind::api_key_query;
      auth.name = reader.text("name", true).value_or("");
      auth.secret = reader.text("value", true).value_or("");
    } else if (kind == "basic") {
      auth.kind = Kind::basic;
      auth.username = reader.text("username", true).value_or("");
      auth.secret = reader.text("password", true).value_or("");
    } else if (kind == "oauth2") {
      auth.kind = Kind::oauth2_client_credentials;
      auth.token_url = reader.text("token_url", true).value_or("");
      auth.username = reader.text("client_id", true).value_or("");
      auth.secret = reader.text("client_secret", true).value_or("");
      auth.scope = reader.text("scope").value_or("");
      if (!auth.token_url.empty() && !net::is_http_url(auth.token_url)) {
        reader.error("token_url", fmt::format("\"{}\" is not an http(s) URL", auth.token_url));
      }
    } else if (!kind.empty()) {
      reader.error("type", fmt::format("\"{}\" is not an auth type", kind), "use bearer, api_key, basic or oauth2");
    }
    // A secret written into the file is a secret leaked into version control.
    const char* secret_key = kind == "bearer" ? "token" : kind == "api_key" ? "value" : kind == "basic" ? "password"
                             : kind == "oauth2" ? "client_secret" : "";
    for (const char* key : {secret_key}) {
      if (*key != '\0' && reader.has(key)) {
        const YAML::Node raw = reader.raw(key);
        if (raw.IsScalar() && raw.Scalar().find("${") == std::string::npos) {
          reader.error(key, "secrets belong in the environment, not in the pipeline file",
                       fmt::format("write {}: ${{SOME_VARIABLE}} and export it", key));
        }
      }
    }
  }
};

} // namespace

const SourceType& api_source_type() {
  static const ApiSourceType type;
  return type;
}

} // namespace hyperpipe::pipeline
