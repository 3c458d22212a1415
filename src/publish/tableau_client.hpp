#pragma once
// Publishing a .hyper file as a data source through the Tableau REST API: version discovery,
// sign-in, project paths, single-request or chunked upload, publish modes, jobs, and errors
// turned into messages that say what to do. HTTP and waiting go through interfaces, so the
// retry and backoff logic is tested without a network or a clock.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "net/http.hpp"
#include "net/retry.hpp"
#include "publish/credentials.hpp"

namespace hyperpipe::publish {

/// Waits between attempts (net/retry.hpp); tests substitute one that records instead of sleeping.
using net::real_sleeper;
using net::Sleeper;

enum class PublishMode { createnew, overwrite, append, replace };
Result<PublishMode> parse_publish_mode(std::string_view text);
/// "createnew", "overwrite", "append" or "replace" (what parse_publish_mode reads).
std::string_view publish_mode_name(PublishMode mode);

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
};

/// Where and how to publish, whoever asks: `hyperpipe publish` fills it from flags, a pipeline
/// output from its `publish:` keys; both check it with normalize() and publish it through
/// publish_file(). The one publish-options type.
struct PublishTarget {
  std::string server;
  std::string site;        ///< content URL; empty for the Default site
  std::string project;     ///< "Parent/Child"; empty for "Default"
  std::string name;
  std::string description;
  PublishMode mode = PublishMode::overwrite;
  bool as_job = false;
  std::uint64_t chunk_bytes = 64ULL << 20U;
  std::optional<std::filesystem::path> credentials_file; ///< unset: the environment
  std::optional<std::filesystem::path> ca_bundle;
  bool allow_http = false;
  std::chrono::seconds connect_timeout{30}; ///< net::HttpOptions's bounds, per request
  std::chrono::seconds idle_timeout{60};

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
  std::string sign_out_problem; ///< the data source is published; only the sign-out afterwards failed
};

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
  };
  Result<net::HttpResponse> call(const Call& call);
  Result<net::HttpResponse> send_once(const Call& call);
  Error decode_error(const net::HttpResponse& response, const Call& call) const;
  /// The wait after attempt `attempt` (1-based) got `answer` (none: a transport failure).
  std::chrono::milliseconds delay(int attempt, const net::HttpResponse* answer) const;
  Result<std::string> upload_in_chunks(const std::filesystem::path& file, std::uint64_t size,
                                       const PublishOptions& options, int& chunks);
  Result<std::string> wait_for_job(const std::string& job_id); ///< the published data source's id
  /// After an accepted commit: the data source (or job) its answer names.
  Result<PublishResult> finish_publish(const std::string& body, const PublishOptions& options, PublishResult result);
  std::string site_path() const { return "/sites/" + m_site_id; }

  net::HttpTransport& m_transport;
  Credentials m_credentials;
  std::string m_server;
  Sleeper& m_sleeper;
  std::string m_version = "3.4";
  std::string m_token;
  std::string m_site_id;
  std::string m_site;
  bool m_resigned_in = false;
  bool m_last_transport_failure = false; ///< the last send never got an HTTP answer (retryable)
  bool m_last_unsent = false;            ///< ... and none of it left this machine (always repeatable)
  bool m_last_maybe_processed = false;   ///< the last failure may have been carried out (net::maybe_processed)
  long m_last_status = 0;                ///< HTTP status of the last answer
  net::RetryPolicy m_policy; ///< the one HTTP retry policy, defaults for Tableau
};

/// The one publish flow, for `hyperpipe publish` and pipeline outputs alike: the server's
/// version, sign in, publish, sign out. Every failure is kind remote (exit 7: "publishing
/// failed"), whatever its cause — a refused sign-in, a missing project — except
/// outcome_unknown, which says a change may have been applied.
Result<PublishResult> publish_file(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                   const std::filesystem::path& file,
                                   std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress = {},
                                   Sleeper& sleeper = real_sleeper());

} // namespace hyperpipe::publish
