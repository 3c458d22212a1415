// The one publish flow and the one publish-options type (publish/tableau_client.hpp), shared by
// `hyperpipe publish` and pipeline outputs.
#include "publish/tableau_client.hpp"

#include <fmt/format.h>

namespace hyperpipe::publish {

Status PublishTarget::normalize() {
  if (!server.empty() && server.find("://") == std::string::npos) {
    server = "https://" + server;
  }
  if (net::check_url(server, allow_http) == net::UrlCheck::refused_http) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("refusing to send Tableau credentials over plain HTTP to {}", server),
                      "use an https:// address, or allow_http: true (--allow-http) for a test server on this machine");
  }
  return {};
}

PublishOptions PublishTarget::options() const {
  PublishOptions options;
  options.site = site;
  options.project_path = project;
  options.name = name;
  options.description = description;
  options.mode = mode;
  options.as_job = as_job;
  options.chunk_bytes = chunk_bytes;
  return options;
}

net::HttpOptions PublishTarget::http() const {
  net::HttpOptions http;
  http.allow_http = allow_http;
  http.ca_bundle = ca_bundle;
  http.connect_timeout = connect_timeout;
  http.idle_timeout = idle_timeout;
  return http;
}

Result<PublishResult> publish_file(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                   const std::filesystem::path& file,
                                   std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress, Sleeper& sleeper) {
  PublishOptions options = target.options();
  options.on_progress = std::move(on_progress);
  const std::string& server = target.server;
  const auto as_publish_failure = [](Error error) {
    if (error.kind != ErrorKind::outcome_unknown) {
      error.kind = ErrorKind::remote;
    }
    return error;
  };
  TableauClient client(transport, credentials, server, sleeper);
  if (auto discovered = client.discover_version(); !discovered) {
    return as_publish_failure(std::move(discovered).error());
  }
  if (auto signed_in = client.sign_in(options.site); !signed_in) {
    return as_publish_failure(std::move(signed_in).error());
  }
  auto published = client.publish(file, options);
  auto signed_out = client.sign_out();
  if (!published) {
    return as_publish_failure(std::move(published).error());
  }
  if (!signed_out) {
    published->sign_out_problem = signed_out.error().message;
  }
  return published;
}

} // namespace hyperpipe::publish
