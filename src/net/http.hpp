#pragma once
// HTTP as the publisher needs it, behind a narrow interface so the Tableau client can be tested
// with a fake transport. Bodies are lists of segments (bytes, or a range of a file read while
// sending), so a 64 MB chunk is streamed from disk instead of copied into memory.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::net {

struct BodySegment {
  std::string bytes;                 ///< used when `file` is empty
  std::filesystem::path file;        ///< else this range of the file
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t size() const { return file.empty() ? bytes.size() : length; }
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<BodySegment> body;
  /// HTTP basic authentication (user, password), encoded by the transport.
  std::optional<std::pair<std::string, std::string>> basic_auth;
  /// Instead of HttpOptions::idle_timeout: a request the server may work on silently for long
  /// (Tableau processing a published extract before it answers).
  std::optional<std::chrono::seconds> idle_timeout;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers; ///< names in lower case
  std::string body;
};

struct HttpOptions {
  /// CA certificates (PEM) to verify servers with, instead of the system's; verification stays on.
  std::optional<std::filesystem::path> ca_bundle;
  /// Plain http:// too (test servers on this machine). Off: only https:// is ever spoken.
  bool allow_http = false;
  /// Bounds on every request; each timeout's message names it, and the key that sets it.
  std::chrono::seconds connect_timeout{30};    ///< to establish the connection (TCP and TLS)
  std::chrono::seconds idle_timeout{60};       ///< no byte sent or received for this long
  std::chrono::seconds transfer_timeout{3600}; ///< a whole request, including a 64 MB chunk
};

class HttpTransport {
public:
  virtual ~HttpTransport() = default;
  /// Sends the request. A failure to connect, a dropped connection or a timeout is an Error of
  /// kind connection (worth retrying); an untrusted certificate is kind remote (not worth it);
  /// any HTTP status, even 500, is a response.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// The one URL policy for every request hyperpipe sends (publishing, API sources, notifications):
/// https always; plain http only when allowed (a test server on this machine). Callers word the
/// refusal for what would travel unencrypted; the transport enforces the same rule again.
enum class UrlCheck {
  https,        ///< fine
  allowed_http, ///< plain http, allowed explicitly
  refused_http, ///< plain http, not allowed
  not_http,     ///< no http(s) URL at all
};
UrlCheck check_url(std::string_view url, bool allow_http);
/// An http:// or https:// URL (whatever the policy says of it).
inline bool is_http_url(std::string_view text) { return text.starts_with("https://") || text.starts_with("http://"); }

/// Percent-encodes a query-string value or path segment (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

/// Replaces each secret in `text`, as written and percent-encoded (as it travels in a query
/// string), with "[redacted]". Secrets shorter than 3 characters are left alone: they would
/// mangle ordinary text.
std::string redact(std::string text, const std::vector<std::string>& secrets);

/// libcurl with TLS verification always on; proxies come from the standard environment
/// variables (https_proxy, no_proxy, ...), as curl reads them.
std::unique_ptr<HttpTransport> make_curl_transport(const HttpOptions& options);

} // namespace hyperpipe::net
