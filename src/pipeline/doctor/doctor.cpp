#include "pipeline/doctor/doctor.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <system_error>

#include "base/quoting.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"
#include "publish/credentials.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"
#include "schedule/cron.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

// A check's outcome from a Result: its verdict, or the error (redacted, bounded) and its hint.
DoctorCheck outcome(std::string name, const Result<std::string>& result, const std::vector<std::string>& secrets) {
  if (result) {
    return {std::move(name), true, net::redact(*result, secrets), {}};
  }
  const Error& error = result.error();
  return {std::move(name), false, base::bounded(net::redact(error.message, secrets)),
          base::bounded(net::redact(error.hint.empty() ? "see the message" : error.hint, secrets))};
}

// The tableauhyperapi release a hyperd came with, from the wheel's dist-info beside it.
std::string hyperd_release(const fs::path& hyperd) {
  for (fs::path dir = hyperd.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (dir.filename() == "tableauhyperapi") {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("tableauhyperapi-") && name.ends_with(".dist-info")) {
          return name.substr(16, name.size() - 16 - 10);
        }
      }
    }
  }
  return "";
}

Result<std::string> check_hyperd(const EngineOptions& options) {
  HP_ASSIGN_OR_RETURN(auto engine, HyperEngine::start(options));
  const std::string release = hyperd_release(engine.hyperd_path());
  const auto started = std::chrono::duration_cast<std::chrono::milliseconds>(engine.startup_time()).count();
  HP_TRY(engine.shutdown());
  return fmt::format("{}{}, starts in {} ms, memory limit {}", engine.hyperd_path().string(),
                     release.empty() ? "" : fmt::format(" (tableauhyperapi {})", release), started,
                     engine.memory_limit());
}

Result<std::string> check_state_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path probe = dir / ".doctor-probe";
  std::ofstream(probe) << "probe";
  const bool written = fs::file_size(probe, ec) == 5 && !ec;
  fs::remove(probe, ec);
  if (!written) {
    return make_error(ErrorKind::io, fmt::format("{}: cannot write there", dir.string()),
                      "create it, or give the user who runs hyperpipe write access (state_dir: in the pipeline file)");
  }
  return fmt::format("{} is writable", dir.string());
}

// Sign-in and the names a publish needs, without publishing: the server over its scheme, its
// REST version, the credentials, the site and the project.
Result<std::string> check_tableau(const PublishSpec& target, const publish::Credentials& credentials,
                                  const DoctorOptions& options) {
  auto transport = options.make_transport ? options.make_transport(target.http()) : net::make_curl_transport(target.http());
  publish::PublishTarget session_target = target;
  session_target.holder = "hyperpipe doctor";
  session_target.session_wait = std::chrono::seconds(0); // a busy token is a verdict, not a wait
  session_target.session_lock_dir = publish::default_session_lock_dir(options.environment);
  // Through the session lock: a doctor's sign-in must not end a running pipeline's session.
  HP_ASSIGN_OR_RETURN(auto session, publish::TableauSession::open(*transport, credentials, session_target));
  publish::TableauClient& client = session.client();
  auto project = client.resolve_project(target.project);
  auto role = project ? client.site_role() : Result<std::string>(project.error());
  const Status signed_out = session.close();
  HP_TRY(project);
  HP_TRY(role);
  (void)signed_out;
  // Site roles that may publish data sources (Tableau's "Site roles and capabilities").
  // With the names servers before 2018.1 used (Publisher, SiteAdministrator, ViewerWithPublish).
  static const std::set<std::string> k_publishers{"Creator", "ExplorerCanPublish", "SiteAdministratorCreator",
                                                  "SiteAdministratorExplorer", "ServerAdministrator", "Publisher",
                                                  "SiteAdministrator", "ViewerWithPublish"};
  if (!k_publishers.contains(*role)) {
    return make_error(ErrorKind::remote,
                      fmt::format("{} signs in to site \"{}\" as a {}, a site role that cannot publish", credentials.describe(),
                                  target.site.empty() ? "Default" : target.site, *role),
                      "ask a site administrator for the Creator or Explorer (can publish) site role");
  }
  return fmt::format("{} answers over {} (REST API {}); signed in as {} ({}) to site \"{}\"; project \"{}\" found "
                     "(its own permissions are checked by the server at publish time)",
                     target.server, target.server.starts_with("https://") ? "TLS, certificate verified" : "plain http (this machine)",
                     client.api_version(), credentials.describe(), *role, target.site.empty() ? "Default" : target.site,
                     target.project.empty() ? "Default" : target.project);
}

Result<std::string> check_schedule(const ScheduleSpec& when) {
  HP_ASSIGN_OR_RETURN(const auto cron, schedule::CronSchedule::parse(when.cron));
  HP_ASSIGN_OR_RETURN(const auto* zone, schedule::find_zone(when.timezone));
  std::vector<std::string> fires;
  auto at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (int i = 0; i < 3; ++i) {
    HP_ASSIGN_OR_RETURN(at, cron.next(at, *zone));
    fires.push_back(schedule::format_instant(at, *zone));
  }
  return fmt::format("\"{}\" in {}: next at {}", when.cron, when.timezone, fmt::join(fires, ", "));
}

} // namespace

std::vector<DoctorCheck> run_doctor(const PipelineSpec* pipeline, const DoctorOptions& options) {
  std::vector<std::string> secrets = pipeline != nullptr ? pipeline->secrets : std::vector<std::string>{};
  std::vector<DoctorCheck> checks;
  checks.push_back(outcome("hyperd", check_hyperd(options.engine), secrets));
  if (pipeline == nullptr) {
    return checks;
  }
  checks.push_back(outcome("state folder", check_state_folder(pipeline->state_dir), secrets));

  // A scratch folder of its own for what probes write (an API's first page), removed afterwards;
  // without one, no probe runs (nothing is ever removed that doctor did not create).
  std::error_code ec;
  const fs::path temp = fs::temp_directory_path(ec);
  std::string pattern = ((ec ? fs::path("/tmp") : temp) / "hyperpipe-doctor-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    checks.push_back({"scratch folder", false, fmt::format("cannot create {}: {}", pattern, std::strerror(errno)),
                      "set TMPDIR to a writable folder"});
  } else {
    const fs::path scratch(pattern);
    for (const auto& source : pipeline->sources) {
      checks.push_back(outcome(fmt::format("source {}", source.name), source.source->probe(scratch), secrets));
    }
    fs::remove_all(scratch, ec);
  }

  std::set<std::string> seen;
  for (const auto& output : pipeline->outputs) {
    for (const auto& target : output.publish) {
      const std::string key = fmt::format("{}|{}|{}", target.server, target.site, target.project);
      if (!seen.insert(key).second) {
        continue;
      }
      auto credentials = publish::load_credentials(target.credentials_file, options.environment);
      const std::string where = fmt::format("{}{}{}", target.server, target.site.empty() ? "" : " site " + target.site,
                                            target.project.empty() ? "" : " project " + target.project);
      if (!credentials) {
        checks.push_back(outcome(fmt::format("credentials for {}", where), Result<std::string>(credentials.error()), secrets));
        continue;
      }
      secrets.push_back(credentials->secret);
      checks.push_back({fmt::format("credentials for {}", where), true,
                        fmt::format("{} found ({}; the secret is not shown)", credentials->describe(),
                                    target.credentials_file ? "in " + target.credentials_file->string()
                                                            : std::string("in the environment")),
                        {}});
      checks.push_back(outcome(fmt::format("tableau {}", where), check_tableau(target, *credentials, options), secrets));
    }
  }
  if (pipeline->schedule) {
    checks.push_back(outcome("schedule", check_schedule(*pipeline->schedule), secrets));
  }
  return checks;
}

} // namespace hyperpipe::pipeline
