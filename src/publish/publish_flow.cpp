// The one publish flow and the one publish-options type (publish/tableau_client.hpp), shared by
// `hyperpipe publish` and pipeline outputs.
#include "publish/tableau_client.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include "publish/session_lock.hpp"

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
  options.job_timeout = job_timeout;
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

namespace {

// Data-quality warnings arrived with the metadata methods; tableauserverclient calls them from
// REST API 3.5 on. Older servers: skipped with a note, never a failed publish.
constexpr std::string_view k_quality_warnings_version = "3.5";
// Update Data in Hyper Data Source: REST API 3.12 (Tableau 2021.2) in Tableau's own samples
// (tableauserverclient allows it from 3.13).
constexpr std::string_view k_update_data_version = "3.12";

Error as_publish_failure(Error error) {
  if (error.kind != ErrorKind::outcome_unknown) {
    error.kind = ErrorKind::remote;
  }
  return error;
}

std::string in_words(const Error& error) {
  return error.hint.empty() ? error.message : fmt::format("{} ({})", error.message, error.hint);
}

std::string project_name(const PublishTarget& target) { return target.project.empty() ? "Default" : target.project; }

// Removes hyperpipe's own warnings (never anyone else's); how many went.
Result<int> remove_own_warnings(TableauClient& client, const std::string& datasource_id) {
  HP_ASSIGN_OR_RETURN(auto warnings, client.quality_warnings(datasource_id));
  int removed = 0;
  for (const auto& warning : warnings) {
    if (warning.message.starts_with(k_warning_marker)) {
      HP_TRY(client.delete_quality_warning(warning.id));
      ++removed;
    }
  }
  return removed;
}

// What a publish target asks for besides the file, applied after every publish so an overwrite
// never wipes it; failures become notes, the data source stays published.
void apply_after_publish(TableauClient& client, const PublishTarget& target, PublishResult& result) {
  const std::string& id = result.datasource_id;
  DatasourceUpdate update;
  if (!target.description.empty()) {
    update.description = target.description;
  }
  update.certified = target.certified;
  update.certification_note = target.certification_note;
  if (!update.empty()) {
    if (auto updated = client.update_datasource(id, update); !updated) {
      result.notes.push_back("description and certification not applied: " + in_words(updated.error()));
    } else if (target.certified) {
      result.notes.push_back(*target.certified ? "certified" : "certification removed");
    }
  }
  if (!target.tags.empty()) {
    if (auto tagged = client.add_tags(id, target.tags); !tagged) {
      result.notes.push_back("tags not applied: " + in_words(tagged.error()));
    } else {
      result.notes.push_back(fmt::format("tagged {}", fmt::join(target.tags, ", ")));
    }
  }
  // Whatever warn_on_failure says now: a warning an earlier failure put there must not outlive
  // this success. A site without data-quality warnings (no Data Management: refused, or not
  // found) can hold none of ours, so that is no news.
  if (client.speaks(k_quality_warnings_version)) {
    auto removed = remove_own_warnings(client, id);
    const auto unavailable = [](const Error& error) {
      return error.remote_code.starts_with("403") || error.remote_code.starts_with("404");
    };
    if (!removed && !unavailable(removed.error())) {
      result.notes.push_back("hyperpipe's stale-data warning could not be checked or removed: " + in_words(removed.error()));
    } else if (removed && *removed > 0) {
      result.notes.push_back("stale-data warning removed");
    }
  }
}

std::filesystem::path lock_dir_of(const PublishTarget& target) {
  if (!target.session_lock_dir.empty()) {
    return target.session_lock_dir;
  }
  return default_session_lock_dir([](const std::string& key) -> std::optional<std::string> {
    const char* value = std::getenv(key.c_str());
    return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
  });
}

} // namespace

Result<TableauSession> TableauSession::open(net::HttpTransport& transport, const Credentials& credentials,
                                            const PublishTarget& target, Sleeper& sleeper) {
  TableauSession session;
  auto lock = hold_session(lock_dir_of(target), target.server, credentials, target.holder, target.session_wait, sleeper);
  if (!lock) {
    return as_publish_failure(std::move(lock).error());
  }
  session.m_lock = std::move(*lock);
  session.m_client = std::make_unique<TableauClient>(transport, credentials, target.server, sleeper);
  if (auto discovered = session.m_client->discover_version(); !discovered) {
    return as_publish_failure(std::move(discovered).error());
  }
  if (auto signed_in = session.m_client->sign_in(target.site); !signed_in) {
    return as_publish_failure(std::move(signed_in).error());
  }
  session.m_open = true;
  return session;
}

Status TableauSession::close() {
  Status signed_out;
  if (m_client && m_open) {
    m_open = false;
    signed_out = m_client->sign_out();
  }
  m_lock.reset(); // the next process may sign in with this token now
  return signed_out;
}

TableauSession::~TableauSession() { (void)close(); }

Result<PublishResult> publish_file(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                   const std::filesystem::path& file,
                                   std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress, Sleeper& sleeper) {
  PublishOptions options = target.options();
  options.on_progress = std::move(on_progress);
  HP_ASSIGN_OR_RETURN(auto session, TableauSession::open(transport, credentials, target, sleeper));
  auto published = session.client().publish(file, options);
  if (published) {
    apply_after_publish(session.client(), target, *published);
    // What a sync publish expects next time (an extra read; never fails the publish).
    if (auto info = session.client().get_datasource(published->datasource_id)) {
      published->updated_at = info->updated_at;
    }
  }
  auto signed_out = session.close();
  if (!published) {
    return as_publish_failure(std::move(published).error());
  }
  if (!signed_out) {
    published->sign_out_problem = signed_out.error().message;
  }
  return published;
}

Result<SyncOutcome> send_changes(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                                 const SyncExpectation& expected, const std::vector<ChangeBatch>& batches,
                                 const BatchDone& on_batch_done, Sleeper& sleeper) {
  HP_ASSIGN_OR_RETURN(auto session, TableauSession::open(transport, credentials, target, sleeper));
  TableauClient& client = session.client();
  SyncOutcome outcome;
  const auto finish = [&](Status status) -> Result<SyncOutcome> {
    (void)session.close();
    if (!status) {
      return as_publish_failure(std::move(status).error());
    }
    return outcome;
  };
  if (!client.speaks(k_update_data_version)) {
    outcome.fallback = fmt::format("{} speaks REST API {}; updating data in place needs {} (Tableau 2021.2)", target.server,
                                   client.api_version(), k_update_data_version);
    return finish({});
  }
  auto project_id = client.resolve_project(target.project);
  if (!project_id) {
    return finish(std::move(project_id).error());
  }
  auto found = client.find_datasource(*project_id, target.name);
  if (!found) {
    return finish(std::move(found).error());
  }
  if (!*found) {
    outcome.fallback = fmt::format("there is no data source \"{}\" in project \"{}\"", target.name, project_name(target));
    return finish({});
  }
  const DatasourceInfo& datasource = **found;
  if (!expected.datasource_id.empty() && datasource.id != expected.datasource_id) {
    outcome.fallback = fmt::format("data source \"{}\" was replaced on the server (its id is now {})", target.name, datasource.id);
    return finish({});
  }
  if (!expected.updated_at.empty() && datasource.updated_at != expected.updated_at) {
    outcome.fallback = fmt::format("data source \"{}\" changed on the server since hyperpipe last published it (updated {}, "
                                   "expected {})", target.name, datasource.updated_at, expected.updated_at);
    return finish({});
  }
  outcome.datasource_id = datasource.id;
  PublishOptions options = target.options();
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const ChangeBatch& batch = batches[i];
    if (auto checked = check_actions(batch.actions); !checked) {
      return finish(std::move(checked));
    }
    auto sent = client.update_data(datasource.id, batch.payload, actions_json(batch.actions), batch.request_id, options);
    if (!sent) {
      Error error = std::move(sent).error();
      error.message = fmt::format("batch {} of {} (request {}) to \"{}\": {}", i + 1, batches.size(), batch.request_id,
                                  target.name, error.message);
      return finish(std::move(error));
    }
    std::error_code ec;
    outcome.bytes_sent += batch.payload ? std::filesystem::file_size(*batch.payload, ec) : 0;
    ++outcome.batches_sent;
    if (on_batch_done) {
      auto now = client.get_datasource(datasource.id);
      if (!now) {
        return finish(std::move(now).error());
      }
      if (auto kept = on_batch_done(i, now->updated_at); !kept) {
        return finish(std::move(kept));
      }
    }
  }
  // The data is current again: hyperpipe's stale-data warning of an earlier failure goes.
  if (client.speaks(k_quality_warnings_version)) {
    if (auto removed = remove_own_warnings(client, datasource.id); removed && *removed > 0) {
      outcome.notes.push_back("stale-data warning removed");
    }
  }
  auto after = client.get_datasource(datasource.id);
  if (!after) {
    return finish(std::move(after).error());
  }
  outcome.updated_at = after->updated_at;
  outcome.webpage_url = after->webpage_url;
  return finish({});
}

bool refused_update(const Error& error) {
  const std::string& code = error.remote_code;
  if (code == k_job_failed) {
    return true;
  }
  return code.size() == 6 && code.starts_with("4") && !code.starts_with("401") && !code.starts_with("408") &&
         !code.starts_with("429");
}

Result<std::string> mark_stale(net::HttpTransport& transport, const Credentials& credentials, const PublishTarget& target,
                               const std::string& message, Sleeper& sleeper) {
  HP_ASSIGN_OR_RETURN(auto session, TableauSession::open(transport, credentials, target, sleeper));
  TableauClient& client = session.client();
  const auto described = [&](Result<std::string> outcome) -> Result<std::string> {
    (void)session.close();
    if (!outcome) {
      return as_publish_failure(std::move(outcome).error());
    }
    return outcome;
  };
  auto project_id = client.resolve_project(target.project);
  if (!project_id) {
    return described(std::move(project_id).error());
  }
  auto datasource = client.find_datasource(*project_id, target.name);
  if (!datasource) {
    return described(std::move(datasource).error());
  }
  if (!*datasource) {
    return described(fmt::format("no data source \"{}\" in project \"{}\" yet: nothing to warn about", target.name,
                                 project_name(target)));
  }
  if (!client.speaks(k_quality_warnings_version)) {
    return described(fmt::format("{} speaks REST API {}, older than the {} data-quality warnings need: no warning put on "
                                 "\"{}\"", target.server, client.api_version(), k_quality_warnings_version, target.name));
  }
  const std::string& id = (*datasource)->id;
  if (auto removed = remove_own_warnings(client, id); !removed) {
    return described(std::move(removed).error());
  }
  if (auto added = client.add_quality_warning(id, "STALE", std::string(k_warning_marker) + message); !added) {
    return described(std::move(added).error());
  }
  return described(fmt::format("data source \"{}\" in project \"{}\" marked stale", target.name, project_name(target)));
}

} // namespace hyperpipe::publish
