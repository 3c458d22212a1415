#include "publish/tableau_client.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <thread>

#include "publish/connected_app_token.hpp"
#include "publish/multipart.hpp"
#include "publish/rest_text.hpp"
#include "publish/tableau_xml.hpp"

namespace hyperpipe::publish {
namespace {

// The newest REST API version this client was written against; newer servers are spoken to in it.
constexpr std::string_view k_max_version = "3.27";
constexpr std::uint64_t k_max_chunk = 64ULL << 20U;
constexpr auto k_max_job_poll = std::chrono::milliseconds(30'000);

// "3.9" < "3.27": compare numerically, part by part.
bool version_less(std::string_view a, std::string_view b) {
  const auto parts = [](std::string_view v) {
    int major = 0;
    int minor = 0;
    const auto dot = v.find('.');
    std::from_chars(v.data(), v.data() + std::min(dot, v.size()), major);
    if (dot != std::string_view::npos) {
      std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
    }
    return std::pair{major, minor};
  };
  return parts(a) < parts(b);
}

std::string hint_for(const std::string& code) {
  if (code == "403007") return "a data source with this name already exists in the project: use --mode overwrite (or append)";
  if (code == "400011")
    return "the server could not publish this file; multi-table extracts need Tableau Server 2021.4 or later, "
           "and older servers need exactly one table (\"Extract\".\"Extract\" before 2020.1)";
  if (code == "401001")
    return "check the credentials and --site (the site must exist, and a personal access token belongs to one site; "
           "a token that expired or was revoked is refused the same way)";
  if (code == "401002")
    return "the session ended: the token expired, or the same personal access token signed in elsewhere "
           "(a token allows one session at a time)";
  if (code == "400016") return "append needs a single-table extract whose tables match the published data source";
  if (code.starts_with("404")) return "check the project path and data source name";
  if (code == "429000" || code == "429") return "the server is throttling requests; try again later";
  return {};
}

std::string safe_file_name(std::string name) {
  for (char& c : name) {
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') {
      c = '_';
    }
  }
  return name + ".hyper";
}

const char* mode_flag(PublishMode mode) {
  switch (mode) {
  case PublishMode::createnew: return "";
  case PublishMode::overwrite: return "&overwrite=true";
  case PublishMode::append: return "&append=true";
  case PublishMode::replace: return "&replace=true";
  case PublishMode::sync: return "&overwrite=true"; // a whole-file sync publish is an overwrite
  }
  return "";
}

} // namespace

std::vector<std::string> split_project_path(std::string_view path) {
  std::vector<std::string> levels;
  if (path.empty()) {
    return levels;
  }
  std::string level;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size()) {
      level += path[++i];
    } else if (path[i] == '/') {
      levels.push_back(std::move(level));
      level.clear();
    } else {
      level += path[i];
    }
  }
  levels.push_back(std::move(level));
  return levels;
}

bool filterable_name(std::string_view name) {
  if (name.empty() || std::isspace(static_cast<unsigned char>(name.front())) != 0 ||
      std::isspace(static_cast<unsigned char>(name.back())) != 0) {
    return false;
  }
  for (const char c : name) {
    if (c == ',' || c == '&' || c == ':' || c == '[' || c == ']' || static_cast<unsigned char>(c) < 0x20) {
      return false;
    }
  }
  return true;
}

std::string_view publish_mode_name(PublishMode mode) {
  switch (mode) {
  case PublishMode::createnew: return "createnew";
  case PublishMode::overwrite: return "overwrite";
  case PublishMode::append: return "append";
  case PublishMode::replace: return "replace";
  case PublishMode::sync: return "sync";
  }
  return "createnew";
}

Result<PublishMode> parse_publish_mode(std::string_view text) {
  for (const auto mode : {PublishMode::createnew, PublishMode::overwrite, PublishMode::append, PublishMode::replace,
                          PublishMode::sync}) {
    if (text == publish_mode_name(mode)) {
      return mode;
    }
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("unknown publish mode \"{}\"", text),
                    "use createnew, overwrite, append, replace or sync");
}

TableauClient::TableauClient(net::HttpTransport& transport, Credentials credentials, std::string server, Sleeper& sleeper)
    : m_transport(transport), m_credentials(std::move(credentials)), m_server(std::move(server)), m_sleeper(sleeper) {
  while (!m_server.empty() && m_server.back() == '/') {
    m_server.pop_back();
  }
}

std::chrono::milliseconds TableauClient::delay(int attempt, const net::HttpResponse* answer) const {
  return net::retry_delay(m_policy, attempt, answer, net::random_jitter());
}

Result<net::HttpResponse> TableauClient::send_once(const Call& call) {
  net::HttpRequest request;
  request.method = call.method;
  request.url = fmt::format("{}/api/{}{}", m_server, m_version, call.path);
  if (!m_token.empty()) {
    request.headers.emplace_back("X-Tableau-Auth", m_token);
  }
  if (!call.content_type.empty()) {
    request.headers.emplace_back("Content-Type", call.content_type);
  }
  for (const auto& header : call.headers) {
    request.headers.push_back(header);
  }
  request.body = call.body;
  request.idle_timeout = call.idle_timeout;
  auto response = m_transport.send(request);
  m_last_maybe_processed = net::maybe_processed(response);
  if (!response) {
    Error error = std::move(response).error();
    error.message = scrub(error.message);
    m_last_transport_failure = error.kind == ErrorKind::connection;
    m_last_unsent = error.unsent;
    m_last_status = 0;
    return error;
  }
  m_last_transport_failure = false;
  m_last_status = response->status;
  return response;
}

std::string TableauClient::scrub(std::string text) const {
  text = redact(std::move(text), m_credentials);
  if (!m_presented_token.empty()) {
    text = redact(std::move(text), Credentials{Credentials::Kind::jwt, "", m_presented_token});
  }
  return text;
}

Result<net::HttpResponse> TableauClient::call(const Call& original) {
  std::optional<Call> renewed;
  for (int attempt = 1;; ++attempt) {
    if (original.fresh_body) {
      HP_ASSIGN_OR_RETURN(auto body, original.fresh_body());
      renewed = original;
      renewed->body = {{std::move(body), {}, 0, 0}};
    }
    const Call& call = renewed ? *renewed : original;
    auto response = send_once(call);
    if (response && response->status >= 200 && response->status < 300) {
      return response;
    }
    // The one retry policy (net/retry.hpp): what is worth repeating follows the risk.
    if (attempt < m_policy.max_attempts && net::worth_retrying(response, call.idempotent)) {
      m_sleeper.sleep(delay(attempt, response ? &*response : nullptr));
      continue;
    }
    if (!response) {
      Error error = std::move(response).error();
      error.kind = ErrorKind::remote; // a publishing failure, whatever the network said
      return error;
    }
    Error error = decode_error(*response, call);
    if (error.remote_code == "401002" && !m_resigned_in && call.path != "/auth/signin") {
      // An expired session: sign in again, once, and repeat the call (it was refused, not run).
      m_resigned_in = true;
      m_token.clear();
      if (auto signed_in = sign_in(m_site); !signed_in) {
        m_last_maybe_processed = false; // the call itself was refused, not run
        return std::move(signed_in).error();
      }
      continue;
    }
    return error;
  }
}

namespace {

// A connected app's sign-in failure carries Tableau's own code in parentheses at the end of the
// detail ("Error signing in to Tableau Server (16)", "Troubleshoot Connected Apps - Direct Trust").
std::string connected_app_hint(const std::string& detail) {
  const auto open = detail.rfind('(');
  const std::string code = open == std::string::npos ? "" : detail.substr(open + 1, detail.find(')', open) - open - 1);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (code == "5") return "the token's user (HYPERPIPE_TABLEAU_USERNAME) is not a user of this site; user names are case-sensitive";
  if (code == "126") return "no connected app has this client id (HYPERPIPE_TABLEAU_CLIENT_ID), or it is disabled";
  if (code == "127") return "the connected app has no secret with this id (HYPERPIPE_TABLEAU_SECRET_ID); it may have been deleted";
  if (code == "67") return "connected apps are not enabled on this site: ask a site administrator";
  return fmt::format("the connected app refused the token: check that this machine's clock is right (it reads {:%Y-%m-%d %H:%M:%S} "
                     "UTC; the token is valid for {} minutes from then), that HYPERPIPE_TABLEAU_SECRET_VALUE belongs to "
                     "HYPERPIPE_TABLEAU_SECRET_ID, that the user and the site exist, and that the app is enabled",
                     now, k_connected_app_token_lifetime.count());
}

// What to ask an administrator for when the server refuses a call for want of a permission.
std::string forbidden_hint(const std::string& method, const std::string& path) {
  if (path.find("/dataQualityWarnings") != std::string::npos)
    return "data-quality warnings need the Write capability on the data source (and Data Management on the site): ask the "
           "project's owner or a site administrator";
  if (path.find("/tags") != std::string::npos)
    return "ask the project's owner or a site administrator for the Add Tags capability on the data source";
  if (method == "PUT" && path.find("/datasources/") != std::string::npos)
    return "certifying a data source needs a Project Leader or site administrator; ask one to grant it, or remove "
           "certified: from the publish block";
  if (path.find("/datasources") != std::string::npos || path.find("/fileUploads") != std::string::npos)
    return "ask the project's owner or a site administrator for the Publish capability (View + Publish, and Overwrite for "
           "overwrite, append and replace) on the project";
  return "the signed-in user lacks a permission this needs: ask a site administrator";
}

} // namespace

Error TableauClient::decode_error(const net::HttpResponse& response, const Call& call) const {
  const auto parsed = parse_error(response.body);
  Error error;
  error.kind = response.status == 401 ? ErrorKind::invalid_argument : ErrorKind::remote;
  const std::string where = fmt::format("{} {}", call.method, call.path.substr(0, call.path.find('?')));
  if (parsed) {
    error.remote_code = parsed->code;
    error.message = scrub(fmt::format("Tableau error {} on {}: {}: {}", parsed->code, where, parsed->summary, parsed->detail));
    error.hint = hint_for(parsed->code);
    const std::string path = call.path.substr(0, call.path.find('?'));
    if (call.path == "/auth/signin" && m_credentials.kind == Credentials::Kind::connected_app) {
      error.hint = connected_app_hint(parsed->detail);
    } else if (response.status == 403 && parsed->code != "403007") {
      error.hint = forbidden_hint(call.method, path);
    }
  } else {
    error.message = fmt::format("HTTP {} on {} (not a Tableau error body)", response.status, where);
    error.hint = response.status >= 500 ? "the server or a proxy failed; try again later" : "check the server address";
  }
  return error;
}

Status TableauClient::discover_version() {
  const std::string saved = m_version;
  m_version = "2.4"; // serverinfo exists since 2.4
  auto response = call({"GET", "/serverinfo", "", {}, true});
  m_version = saved;
  if (!response) {
    return std::move(response).error();
  }
  HP_ASSIGN_OR_RETURN(auto document, parse_response(response->body));
  const XmlElement* version = find_element(document, "restApiVersion");
  if (version == nullptr || version->text.empty()) {
    return make_error(ErrorKind::remote, "serverinfo did not say which REST API version the server speaks");
  }
  m_version = version_less(version->text, k_max_version) ? version->text : std::string(k_max_version);
  return {};
}

Result<std::string> TableauClient::connected_app_sign_in(const std::string& site) {
  HP_ASSIGN_OR_RETURN(m_presented_token, sign_connected_app_token(m_credentials, {std::chrono::system_clock::now(),
                                                                                 random_token_id(), publishing_scopes()}));
  return sign_in_request(Credentials{Credentials::Kind::jwt, "", m_presented_token}, site);
}

Status TableauClient::sign_in(const std::string& site) {
  m_site = site;
  Call request{"POST", "/auth/signin", "application/xml", {{sign_in_request(m_credentials, site), {}, 0, 0}}, true};
  if (m_credentials.kind == Credentials::Kind::connected_app) {
    // A fresh token for every attempt (a retry, a re-sign-in after an expired session): Tableau
    // takes each token (its jti) once.
    request.body.clear();
    request.fresh_body = [this, site] { return connected_app_sign_in(site); };
  }
  // Safe to repeat: a sign-in that was applied but whose answer was lost only leaves a session
  // that expires by itself.
  auto response = call(request);
  if (!response) {
    Error error = std::move(response).error();
    error.message = fmt::format("signing in as {} to site \"{}\" failed: {}", m_credentials.describe(), site, error.message);
    return error;
  }
  HP_ASSIGN_OR_RETURN(auto document, parse_response(response->body));
  const XmlElement* credentials = find_element(document, "credentials");
  const XmlElement* site_element = credentials != nullptr ? credentials->child("site") : nullptr;
  if (site_element == nullptr || credentials->attribute("token").empty()) {
    return make_error(ErrorKind::remote, "the sign-in answer has no token");
  }
  m_token = credentials->attribute("token");
  m_site_id = site_element->attribute("id");
  return {};
}

Result<std::string> TableauClient::site_role() {
  HP_ASSIGN_OR_RETURN(auto response, call({"GET", "/sessions/current", "", {}, true}));
  HP_ASSIGN_OR_RETURN(auto document, parse_response(response.body));
  const XmlElement* user = find_element(document, "user");
  if (user == nullptr || user->attribute("siteRole").empty()) {
    return make_error(ErrorKind::remote, "the current session's answer names no site role");
  }
  return user->attribute("siteRole");
}

Status TableauClient::sign_out() {
  if (m_token.empty()) {
    return {};
  }
  auto response = call({"POST", "/auth/signout", "", {}, false});
  m_token.clear();
  return response ? Status() : Status(std::move(response).error());
}

Status TableauClient::list_pages(const std::string& path, const std::string& filter,
                                const std::function<bool(const XmlElement& page)>& on_page) {
  constexpr long long k_page_size = 1000;
  for (long long page = 1;; ++page) {
    const std::string query = fmt::format("?pageSize={}&pageNumber={}{}", k_page_size, page,
                                          filter.empty() ? "" : "&filter=" + filter);
    HP_ASSIGN_OR_RETURN(auto response, call({"GET", site_path() + path + query, "", {}, true}));
    HP_ASSIGN_OR_RETURN(auto document, parse_response(response.body));
    if (on_page(document)) {
      return {};
    }
    const XmlElement* pagination = find_element(document, "pagination");
    long long total = 0;
    if (pagination != nullptr) {
      const std::string total_text = pagination->attribute("totalAvailable");
      std::from_chars(total_text.data(), total_text.data() + total_text.size(), total);
    }
    if (page * k_page_size >= total) {
      return {};
    }
  }
}

Result<std::string> TableauClient::resolve_project(const std::string& path) {
  std::vector<std::string> levels = split_project_path(path);
  if (levels.empty()) {
    levels.emplace_back("Default");
  }
  std::string parent;
  std::string walked;
  for (const std::string& name : levels) {
    walked += (walked.empty() ? "" : "/") + name;
    // Matched exactly here, whatever the filter let through (and with no filter at all for
    // names it cannot carry): same-named projects under other parents are passed over.
    std::string found;
    HP_TRY(list_pages("/projects", filterable_name(name) ? "name:eq:" + url_encode(name) : std::string(),
                      [&](const XmlElement& page) {
                        for (const XmlElement* project : find_elements(page, "project")) {
                          if (project->attribute("name") == name && project->attribute("parentProjectId") == parent) {
                            found = project->attribute("id");
                          }
                        }
                        return !found.empty();
                      }));
    if (found.empty()) {
      return make_error(ErrorKind::not_found, fmt::format("project \"{}\" not found on site \"{}\"", walked, m_site),
                        "check --project (levels are separated by '/', a '/' inside a name is written \\/, names are "
                        "case-sensitive)");
    }
    parent = found;
  }
  return parent;
}

bool TableauClient::speaks(std::string_view version) const { return !version_less(m_version, version); }

Result<std::string> TableauClient::upload_in_chunks(const std::filesystem::path& file, std::uint64_t size,
                                                    const PublishOptions& options, int& chunks) {
  const std::uint64_t chunk = options.chunk_bytes;
  HP_ASSIGN_OR_RETURN(auto started, call({"POST", site_path() + "/fileUploads", "", {}, false}));
  HP_ASSIGN_OR_RETURN(auto document, parse_response(started.body));
  const XmlElement* upload = find_element(document, "fileUpload");
  if (upload == nullptr || upload->attribute("uploadSessionId").empty()) {
    return make_error(ErrorKind::remote, "the server did not open an upload session");
  }
  const std::string session = upload->attribute("uploadSessionId");
  chunks = 0;
  for (std::uint64_t offset = 0; offset < size; offset += chunk) {
    const auto body = make_multipart(random_boundary(), "", "tableau_file", "file", file, offset, std::min(chunk, size - offset));
    // Appending is not idempotent (a repeated chunk would be appended twice): never re-sent.
    HP_TRY(call({"PUT", site_path() + "/fileUploads/" + url_encode(session), body.content_type, body.segments, false}));
    ++chunks;
    if (options.on_progress) {
      options.on_progress(std::min(offset + chunk, size), size);
    }
  }
  return session;
}

Result<std::string> TableauClient::wait_for_job(const std::string& job_id, std::chrono::seconds timeout) {
  // Bounded by the sleeps (what a test's sleeper counts) and by the clock (slow polls count too).
  std::chrono::milliseconds waited{0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int poll = 0;; ++poll) {
    HP_ASSIGN_OR_RETURN(auto response, call({"GET", site_path() + "/jobs/" + url_encode(job_id), "", {}, true}));
    HP_ASSIGN_OR_RETURN(auto document, parse_response(response.body));
    const XmlElement* job = find_element(document, "job");
    const std::string type = job != nullptr ? job->attribute("type") : std::string();
    if (job != nullptr && !job->attribute("completedAt").empty()) {
      const std::string finish = job->attribute("finishCode");
      if (finish == "0") {
        const XmlElement* datasource = find_element(*job, "datasource");
        return datasource != nullptr ? datasource->attribute("id") : std::string();
      }
      std::string notes;
      for (const XmlElement* note : find_elements(document, "notes")) {
        notes += (notes.empty() ? "" : "; ") + note->text;
      }
      Error failed = make_error(ErrorKind::remote, fmt::format("job {} ({}) {}{}", job_id, type.empty() ? "server job" : type,
                                                               finish == "2" ? "was cancelled" : "failed",
                                                               notes.empty() ? "" : ": " + notes));
      failed.remote_code = std::string(k_job_failed); // it ended without applying anything
      return failed;
    }
    // Poll gently: 0.5 s growing by 1.4 up to 30 s (reached at the 13th poll), as Tableau's
    // own client does; give up after `timeout` of waiting.
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(static_cast<long long>(500 * std::pow(1.4, std::min(poll, 13)))), k_max_job_poll);
    if (waited >= timeout || std::chrono::steady_clock::now() >= deadline) {
      return make_error(ErrorKind::remote, fmt::format("job {} ({}) did not finish within {} s", job_id,
                                                       type.empty() ? "server job" : type, timeout.count()),
                        "the server may still finish it: check the job in Tableau before sending it again");
    }
    const auto step = std::min<std::chrono::milliseconds>(wait, timeout - waited);
    waited += step;
    m_sleeper.sleep(step);
  }
}

Result<PublishResult> TableauClient::publish(const std::filesystem::path& file, const PublishOptions& options) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) {
    return make_error(ErrorKind::not_found, fmt::format("{}: {}", file.string(), ec.message()));
  }
  std::ifstream in(file, std::ios::binary);
  char magic[5] = {};
  if (!in.read(magic, 5) || std::string_view(magic, 5) != "Hyper") {
    return make_error(ErrorKind::invalid_argument, fmt::format("{}: not a .hyper file", file.string()),
                      "publish extracts written by hyperpipe, Tableau or the Hyper API");
  }
  if (options.chunk_bytes == 0 || options.chunk_bytes > k_max_chunk) {
    return make_error(ErrorKind::invalid_argument, "the chunk size must be between 1 byte and 64 MB");
  }
  HP_ASSIGN_OR_RETURN(std::string project_id, resolve_project(options.project_path));
  if (options.mode == PublishMode::append || options.mode == PublishMode::replace) {
    HP_ASSIGN_OR_RETURN(auto existing, find_datasource(project_id, options.name));
    if (!existing) {
      return make_error(ErrorKind::not_found,
                        fmt::format("there is no data source \"{}\" in project \"{}\" to {} to", options.name,
                                    options.project_path.empty() ? "Default" : options.project_path,
                                    options.mode == PublishMode::append ? "append" : "replace the data of"),
                        "publish it first with --mode createnew");
    }
  }
  PublishResult result;
  const std::string payload = publish_request(options.name, options.description, project_id);
  std::string query = fmt::format("?datasourceType=hyper{}{}", mode_flag(options.mode), options.as_job ? "&asJob=true" : "");
  MultipartBody body;
  if (size <= options.chunk_bytes) {
    body = make_multipart(random_boundary(), payload, "tableau_datasource", safe_file_name(options.name), file, 0, size);
  } else {
    result.chunked = true;
    // A chunk that fails leaves the session in an unknown state (was it appended?): start a
    // fresh session from the first byte instead of re-sending into the old one.
    auto session = upload_in_chunks(file, size, options, result.chunks);
    // Only failures a new attempt can fix: a lost connection, a server error, throttling.
    const auto transient = [&] { return m_last_transport_failure || m_last_status >= 500 || m_last_status == 429; };
    for (int attempt = 1; !session && transient() && attempt < m_policy.max_attempts; ++attempt) {
      m_sleeper.sleep(delay(attempt, nullptr));
      ++result.restarted_uploads;
      session = upload_in_chunks(file, size, options, result.chunks);
    }
    if (!session) {
      return std::move(session).error();
    }
    query += "&uploadSessionId=" + url_encode(*session);
    body = make_multipart(random_boundary(), payload, "", "", {}, 0, 0);
  }
  // An overwrite or replace applied twice gives the same data source: repeated after an unclear
  // failure. An append (or createnew) is not: it may have been applied, and doing it again would
  // double the rows, so that failure says "outcome unknown" instead (its own exit code).
  const bool repeatable = options.mode == PublishMode::overwrite || options.mode == PublishMode::replace ||
                          options.mode == PublishMode::sync;
  const auto outcome_unknown = [&](Error error, std::string_view what) {
    error.kind = ErrorKind::outcome_unknown;
    error.message = fmt::format("the {} of \"{}\" was sent, but {}: it may or may not have been applied ({})",
                                publish_mode_name(options.mode), options.name, what, error.message);
    error.hint = "check the data source on the server (its rows or last update) before publishing it again; hyperpipe "
                 "never repeats an append by itself";
    return error;
  };
  auto committed = call({"POST", site_path() + "/datasources" + query, body.content_type, body.segments, repeatable,
                         k_commit_idle});
  if (!committed) {
    if (!repeatable && m_last_maybe_processed) {
      return outcome_unknown(std::move(committed).error(), "its answer was lost");
    }
    return std::move(committed).error();
  }
  if (options.on_progress && !result.chunked) {
    options.on_progress(size, size);
  }
  // Accepted: from here on a failure (a job that cannot be followed, an answer that cannot be
  // read) leaves an append applied or not, as far as we can tell.
  auto finished = finish_publish(committed->body, options, std::move(result));
  if (!finished && !repeatable) {
    return outcome_unknown(std::move(finished).error(), "what became of it is not known");
  }
  return finished;
}

Result<PublishResult> TableauClient::finish_publish(const std::string& body, const PublishOptions& options,
                                                    PublishResult result) {
  HP_ASSIGN_OR_RETURN(auto document, parse_response(body));
  if (options.as_job) {
    const XmlElement* job = find_element(document, "job");
    if (job == nullptr) {
      return make_error(ErrorKind::remote, "the server accepted the publish job but returned no job");
    }
    result.job_id = job->attribute("id");
    HP_ASSIGN_OR_RETURN(result.datasource_id, wait_for_job(result.job_id, options.job_timeout));
  } else {
    const XmlElement* datasource = find_element(document, "datasource");
    if (datasource == nullptr) {
      return make_error(ErrorKind::remote, "the publish answer names no data source");
    }
    result.datasource_id = datasource->attribute("id");
    result.webpage_url = datasource->attribute("webpageUrl");
  }
  result.resource_url = fmt::format("{}/api/{}/sites/{}/datasources/{}", m_server, m_version, m_site_id, result.datasource_id);
  return result;
}

} // namespace hyperpipe::publish
