#pragma once
// Publishing a .hyper file as a data source through the Tableau REST API: version discovery,
// sign-in, project paths, single-request or chunked upload, publish modes, jobs, and errors
// turned into messages that say what to do. HTTP and waiting go through interfaces, so the
// retry and backoff logic is tested without a network or a clock.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.hpp"
#include "base/file_lock.hpp"
#include "net/retry.hpp"
#include "publish/credentials.hpp"
#include "publish/tableau_xml.hpp"
#include "publish/update_actions.hpp"

namespace hyperpipe::publish {

/// Waits between attempts (net/retry.hpp); tests substitute one that records instead of sleeping.
using net::real_sleeper;
using net::Sleeper;

/// sync: a pipeline keeps the data source in step by sending what changed (Update Data in Hyper
/// Data Source), or the whole file with overwrite when it cannot (pipeline/run/sync_publish.hpp).
enum class PublishMode { createnew, overwrite, append, replace, sync };
Result<PublishMode> parse_publish_mode(std::string_view text);
/// "createnew", "overwrite", "append", "replace" or "sync" (what parse_publish_mode reads).
std::string_view publish_mode_name(PublishMode mode);

/// A project path's levels: '/' separates them; a backslash makes the next character part of the
/// name (`Sales\/Ops` is one project named "Sales/Ops"). Empty: the Default project.
std::vector<std::string> split_project_path(std::string_view path);

/// Whether a name can go into a REST `filter=name:eq:` value as it is. Tableau's filter syntax
/// cannot carry ',' or '&' (even encoded), ':' and brackets are its own syntax, and a server may
/// trim spaces: such names are found by listing every page and matching exactly here.
bool filterable_name(std::string_view name);

struct PublishOptions {
  std::string site;          ///< content URL; empty for the Default site
  std::string project_path;  ///< "Parent/Child"; empty for "Default"
  std::string name;
  std::string description;
  PublishMode mode = PublishMode::createnew;
  bool as_job = false;
  /// Files up to this size go in one request; larger ones in chunks of this size (max 64 MB).
  std::uint64_t chunk_bytes = 64ULL << 20U;
  /// Upload progress: bytes of the file sent so far, and its size (after each chunk).
  std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress;
  /// How long a server job (an asynchronous publish, an update of data) may take.
  std::chrono::seconds job_timeout = std::chrono::hours(6);
};

/// Where and how to publish, whoever asks: `hyperpipe publish` fills it from flags, a pipeline
/// output from its `publish:` keys; both check it with normalize() and publish it through
/// publish_file(). The one publish-options type.
struct PublishTarget {
  std::string server;
  std::string site;        ///< content URL; empty for the Default site
  std::string project;     ///< "Parent/Child"; empty for "Default" (split_project_path)
  std::string name;
  std::string description;
  /// Applied after every publish (an overwrite must not wipe them): tags added, certification
  /// and its note set when given.
  std::vector<std::string> tags;
  std::optional<bool> certified;
  std::optional<std::string> certification_note;
  /// A failed run puts a data-quality warning on the published data source; the next success
  /// takes it off.
  bool warn_on_failure = true;
  /// One session per personal access token (publish/session_lock.hpp): where the per-user
  /// locks live, who we are in the holder line, and how long to wait for a turn.
  std::filesystem::path session_lock_dir;
  std::string holder = "hyperpipe";
  std::chrono::seconds session_wait{3600};
  PublishMode mode = PublishMode::overwrite;
  bool as_job = false;
  std::uint64_t chunk_bytes = 64ULL << 20U;
  std::chrono::seconds job_timeout = std::chrono::hours(6);
  std::optional<std::filesystem::path> credentials_file; ///< unset: the environment
  std::optional<std::filesystem::path> ca_bundle;
  bool allow_http = false;
  std::chrono::seconds connect_timeout{30}; ///< net::HttpOptions's bounds, per request
  std::chrono::seconds idle_timeout{60};
  /// Update Data in Hyper Data Source: payloads above this go in several requests.
  std::uint64_t update_payload_limit = 100ULL << 20U;

  /// Adds https:// to a server without a scheme; refuses plain http:// unless allowed (the
  /// credentials would travel unencrypted). The error says so in words for flags and keys alike.
  Status normalize();
  PublishOptions options() const;
  net::HttpOptions http() const;
};

struct PublishResult {
  std::string datasource_id;
  std::string webpage_url;  ///< where people open it, when the server says (webpageUrl)
  std::string resource_url; ///< its REST address
  bool chunked = false;
  int chunks = 0;
  int restarted_uploads = 0; ///< upload sessions abandoned after a failed chunk
  std::string job_id;        ///< when published as a job
  std::string updated_at;       ///< the data source's updatedAt once everything after the publish was applied
  std::string sign_out_problem; ///< the data source is published; only the sign-out afterwards failed
  /// What happened after the publish that did not fail it: tags, certification and warnings
  /// applied, or skipped (an older server) or refused (a permission), each in words.
  std::vector<std::string> notes;
};

/// A published data source as a listing names it.
struct DatasourceInfo {
  std::string id;
  std::string name;
  std::string project_id;
  bool certified = false;
  std::string certification_note;
  std::string description;
  std::vector<std::string> tags;
  std::string updated_at; ///< changes with every change of the data source on the server
  std::string webpage_url = {};
};

/// A data-quality warning on a data source.
struct QualityWarning {
  std::string id;
  std::string type;
  std::string message;
  bool active = false;
};

/// Error::remote_code of a server job that ended failed or cancelled (and so applied nothing),
/// as against one whose end is unknown.
inline constexpr std::string_view k_job_failed = "job-failed";

/// The marker that makes a data-quality warning hyperpipe's own: only those are ever removed.
inline constexpr std::string_view k_warning_marker = "hyperpipe: ";

class TableauClient {
public:
  TableauClient(net::HttpTransport& transport, Credentials credentials, std::string server,
                Sleeper& sleeper = real_sleeper());

  /// serverinfo, capped at the newest version this client knows.
  Status discover_version();
  Status sign_in(const std::string& site);
  Status sign_out();
  /// The id of the project at "A/B/C", walking one level at a time.
  Result<std::string> resolve_project(const std::string& path);
  /// The signed-in user's site role ("Creator", "Viewer", ...), from the current session.
  Result<std::string> site_role();
  /// The data source named exactly `name` in the project `project_id`, if there is one: a
  /// filtered listing when the name can be filtered, else every page matched here.
  Result<std::optional<DatasourceInfo>> find_datasource(const std::string& project_id, const std::string& name);
  /// The data source with this id (not_found when there is none).
  Result<DatasourceInfo> get_datasource(const std::string& id);
  Status update_datasource(const std::string& id, const DatasourceUpdate& update);
  /// Update Data in Hyper Data Source: uploads `payload` (when given) through a file upload,
  /// sends `actions_json` with `request_id` as its RequestID — the server applies one id once, so
  /// the request is safe to repeat after a lost answer — and waits for the job. Returns the job id.
  Result<std::string> update_data(const std::string& datasource_id, const std::optional<std::filesystem::path>& payload,
                                  const std::string& actions_json, const std::string& request_id,
                                  const PublishOptions& options);
  Status add_tags(const std::string& id, const std::vector<std::string>& labels);
  Result<std::vector<QualityWarning>> quality_warnings(const std::string& datasource_id);
  Status add_quality_warning(const std::string& datasource_id, const std::string& type, const std::string& message);
  Status delete_quality_warning(const std::string& warning_id);
  /// Whether the server speaks at least REST API `version` (data-quality warnings: 3.5).
  bool speaks(std::string_view version) const;
  Result<PublishResult> publish(const std::filesystem::path& file, const PublishOptions& options);

  const std::string& api_version() const { return m_version; }

private:
  struct Call {
    std::string method;
    std::string path; ///< after /api/{version}
    std::string content_type;
    std::vector<net::BodySegment> body;
    bool idempotent = false; ///< may be sent again after a failure that hid the outcome
    /// Instead of the transport's idle timeout: Tableau may work silently for long before it
    /// answers a publish commit.
    std::optional<std::chrono::seconds> idle_timeout = std::nullopt;
    /// A body made anew for every attempt (a connected app's sign-in: a token is good once).
    std::function<Result<std::string>()> fresh_body = nullptr;
    std::vector<std::pair<std::string, std::string>> headers = {};
  };
  Result<net::HttpResponse> call(const Call& call);
  Result<net::HttpResponse> send_once(const Call& call);
  Error decode_error(const net::HttpResponse& response, const Call& call) const;
  /// The wait after attempt `attempt` (1-based) got `answer` (none: a transport failure).
  std::chrono::milliseconds delay(int attempt, const net::HttpResponse* answer) const;
  Result<std::string> upload_in_chunks(const std::filesystem::path& file, std::uint64_t size,
                                       const PublishOptions& options, int& chunks);
  /// The data source id the finished job names; bounded by `timeout`, with the job id in the message.
  Result<std::string> wait_for_job(const std::string& job_id, std::chrono::seconds timeout);
  /// GETs `path` page by page (1000 a page) until `on_page` says it is done or none is left.
  Status list_pages(const std::string& path, const std::string& filter,
                    const std::function<bool(const XmlElement& page)>& on_page);
  /// After an accepted commit: the data source (or job) its answer names.
  Result<PublishResult> finish_publish(const std::string& body, const PublishOptions& options, PublishResult result);
  std::string site_path() const { return "/sites/" + m_site_id; }
  /// The connected app's token for the next sign-in attempt, signed now, as a sign-in body.
  Result<std::string> connected_app_sign_in(const std::string& site);
  /// `text` without the credential's secret or the last token presented.
  std::string scrub(std::string text) const;

  net::HttpTransport& m_transport;
  Credentials m_credentials;
  std::string m_server;
  Sleeper& m_sleeper;
  std::string m_version = "3.4";
  std::string m_token;
  std::string m_site_id;
  std::string m_site;
  std::string m_presented_token; ///< the last connected-app token sent (redacted like a secret)
  bool m_resigned_in = false;
  bool m_last_transport_failure = false; ///< the last send never got an HTTP answer (retryable)
  bool m_last_unsent = false;            ///< ... and none of it left this machine (always repeatable)
  bool m_last_maybe_processed = false;   ///< the last failure may have been carried out (net::maybe_processed)
  long m_last_status = 0;                ///< HTTP status of the last answer
  net::RetryPolicy m_policy; ///< the one HTTP retry policy, defaults for Tableau
};

/// A signed-in session, whoever needs one (`publish`, pipeline outputs, failure warnings,
/// `doctor`): the session lock of a personal access token (publish/session_lock.hpp), the
/// server's version, the sign-in; close() signs out and lets the next process in. Every failure
/// is kind remote (exit 7).
class TableauSession {
public:
  static Result<TableauSession> open(net::HttpTransport& transport, const Credentials& credentials,
                                     const PublishTarget& target, Sleeper& sleeper = real_sleeper());
  TableauSession(TableauSession&&) noexcept = default;
  TableauSession& operator=(TableauSession&&) = delete; // would drop a live session unsigned-out
  ~TableauSession();
  TableauClient& client() { return *m_client; }
  /// Signs out (once) and releases the lock; a failure only says the sign-out failed.
  Status close();

private:
  TableauSession() = default;
  std::optional<base::FileLock> m_lock;
  std::unique_ptr<TableauClient> m_client;
  bool m_open = false;
};

/// The one publish flow, for `hyperpipe publish` and pipeline outputs alike: a session, the
/// publish, then what the target asks for besides the file (tags, certification, description)
/// and hyperpipe's own stale-data warning taken off; sign out. Every failure is kind remote
/// (exit 7: "publishing failed"), whatever its cause — a refused sign-in, a missing project —
/// except outcome_unknown, which says a change may have been applied. What happens after the
/// publish never fails it: it is told in the result's notes.
Result<PublishResult> publish_file(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                   const std::filesystem::path& file,
                                   std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress = {},
                                   Sleeper& sleeper = real_sleeper());

/// One request of Update Data in Hyper Data Source: its payload (none for actions that need
/// none), its actions, and its RequestID (the same id for every repeat of the same change).
struct ChangeBatch {
  std::optional<std::filesystem::path> payload;
  std::vector<DataAction> actions;
  std::string request_id;
};

/// What the data source on the server must still be for changes computed against hyperpipe's
/// copy of it to apply: the same id and the same updatedAt. Empty fields are not checked.
struct SyncExpectation {
  std::string datasource_id;
  std::string updated_at;
};

struct SyncOutcome {
  /// Why nothing was sent and the file must be published whole instead ("" when sent): the data
  /// source is missing or changed on the server, or the server is too old for updates of data.
  std::string fallback;
  std::string datasource_id;
  std::string updated_at; ///< after the last batch, to expect next time
  std::string webpage_url;
  std::uint64_t bytes_sent = 0;
  int batches_sent = 0;
  std::vector<std::string> notes = {};
};

/// Sends `batches` in order to the data source `target` names (each waited for to its job's
/// end; `on_batch_done(i, updated_at)` is told, with the data source's updatedAt after it,
/// before the next is sent, so a caller can keep what is done across a crash), after checking
/// `expected`. Fails at the first batch that fails, with the job's message.
using BatchDone = std::function<Status(std::size_t done, const std::string& updated_at)>;
Result<SyncOutcome> send_changes(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                 const SyncExpectation& expected, const std::vector<ChangeBatch>& batches,
                                 const BatchDone& on_batch_done, Sleeper& sleeper = real_sleeper());

/// Whether a failed update of data was certainly not applied: its job failed, or the server
/// refused the request (a 4xx other than an expired session, a timeout or throttling).
bool refused_update(const Error& error);

/// After a failed run: puts a data-quality warning of type STALE carrying `message` (prefixed
/// with k_warning_marker) on the data source `target` names, replacing hyperpipe's earlier one.
/// Says in words what it did: nothing when the data source does not exist yet, or the server is
/// too old for warnings.
Result<std::string> mark_stale(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                               const std::string& message, Sleeper& sleeper = real_sleeper());

} // namespace hyperpipe::publish
