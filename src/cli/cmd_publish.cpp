#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/http_flags.hpp"
#include "cli/exit_codes.hpp"
#include "net/http.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"

namespace hyperpipe::cli {

Runner add_publish_command(CLI::App& app) {
  struct Args {
    std::string file, server, site, project, name, mode = "createnew", description, credentials_file;
    std::vector<std::string> tags;
    std::optional<bool> certified;
    std::optional<std::string> certification_note;
    int session_wait = 3600;
    bool as_job = false;
    std::uint64_t chunk_size_mb = 64;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("publish", "Publish a .hyper file as a data source on Tableau Server / Cloud");
  command->add_option("file", args->file, "the .hyper file")->required();
  command->add_option("--server", args->server, "https://your-server (Tableau Cloud: the pod URL)")->required();
  command->add_option("--site", args->site, "site content URL (default: the Default site)");
  command->add_option("--project", args->project,
                      "project path, levels separated by / (a / inside a name is written \\/; default: Default)");
  command->add_option("--name", args->name, "data source name (default: the file name without .hyper)");
  command->add_option("--mode", args->mode, "createnew (default), overwrite, append or replace")
      ->check(CLI::IsMember({"createnew", "overwrite", "append", "replace"}));
  command->add_flag("--as-job", args->as_job, "publish asynchronously and wait for the job");
  command->add_option("--description", args->description, "data source description");
  command->add_option("--tag", args->tags, "a tag to add to the data source after publishing; repeatable");
  command->add_option("--certified", args->certified, "certify (true) or uncertify (false) the data source after publishing");
  command->add_option("--certification-note", args->certification_note, "the note shown with the certification");
  command->add_option("--session-wait", args->session_wait,
                      "seconds to wait while another hyperpipe uses the same personal access token (default 3600)")
      ->check(CLI::Range(1, 86'400));
  command->add_option("--credentials-file", args->credentials_file,
                      "KEY=VALUE file with HYPERPIPE_TABLEAU_* credentials (default: the environment)");
  auto http_flags = add_http_flags(*command);
  command->add_option("--chunk-size-mb", args->chunk_size_mb, "upload chunk size, 1-64 MB; larger files are chunked (default 64)")
      ->check(CLI::Range(1, 64));
  auto engine_flags = add_engine_flags(*command);
  command->footer("Credentials come from HYPERPIPE_TABLEAU_TOKEN_NAME/_SECRET (a personal access token),\n"
                  "HYPERPIPE_TABLEAU_CLIENT_ID/_SECRET_ID/_SECRET_VALUE/_USERNAME (a connected app: hyperpipe signs\n"
                  "a fresh token for every sign-in), HYPERPIPE_TABLEAU_USERNAME/_PASSWORD or HYPERPIPE_TABLEAU_JWT\n"
                  "(environment or --credentials-file); never from the command line.");
  return [args, engine_flags, http_flags] {
    const auto started = std::chrono::steady_clock::now();
    const auto environment = [](const std::string& key) -> std::optional<std::string> {
      const char* value = std::getenv(key.c_str());
      return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
    };
    auto credentials = publish::load_credentials(
        args->credentials_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(args->credentials_file),
        environment);
    if (!credentials) {
      return report(credentials.error());
    }
    for (const auto& tag : args->tags) {
      if (tag.empty() || tag.find(',') != std::string::npos) {
        return report(make_error(ErrorKind::invalid_argument, fmt::format("--tag \"{}\" cannot be used", tag),
                                 "a tag is a non-empty label without commas (Tableau separates tags with commas)"));
      }
    }
    if (args->certification_note && !args->certified) {
      return report(make_error(ErrorKind::invalid_argument, "--certification-note without --certified",
                               "add --certified true (the note explains the certification)"));
    }
    auto mode = publish::parse_publish_mode(args->mode);
    if (!mode) {
      return report(mode.error());
    }
    // The same target type, and the same checks, as a pipeline's publish: keys.
    publish::PublishTarget target;
    target.server = args->server;
    target.site = args->site;
    target.project = args->project;
    target.name = args->name.empty() ? std::filesystem::path(args->file).stem().string() : args->name;
    target.description = args->description;
    target.mode = *mode;
    target.as_job = args->as_job;
    target.tags = args->tags;
    target.certified = args->certified;
    target.certification_note = args->certification_note;
    target.session_wait = std::chrono::seconds(args->session_wait);
    target.session_lock_dir = publish::default_session_lock_dir(environment);
    target.holder = "hyperpipe publish";
    target.chunk_bytes = args->chunk_size_mb << 20U;
    const net::HttpOptions http = http_flags->options();
    target.ca_bundle = http.ca_bundle;
    target.allow_http = http.allow_http;
    target.connect_timeout = http.connect_timeout;
    target.idle_timeout = http.idle_timeout;
    if (auto normalized = target.normalize(); !normalized) {
      return report(normalized.error());
    }
    // Pre-check before any upload: a real extract, and a single table for append.
    {
      auto info = inspect_file(*engine_flags, args->file);
      if (!info) {
        return report(info.error());
      }
      if (*mode == publish::PublishMode::append && info->tables.size() != 1) {
        return report(make_error(ErrorKind::invalid_argument,
                                 fmt::format("{} has {} tables; Tableau appends only from a single-table extract",
                                             args->file, info->tables.size()),
                                 "publish with --mode overwrite, or append each table's data source separately"));
      }
    }
    auto transport = net::make_curl_transport(target.http());
    auto result = publish::publish_file(*transport, *credentials, target, args->file);
    if (!result) {
      return report(result.error());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print("published {} as data source \"{}\" ({}) in {:.2f} s{}\n", args->file, target.name, result->datasource_id,
               seconds, result->chunked ? fmt::format(", {} chunks", result->chunks) : "");
    fmt::print("{}\n", result->webpage_url.empty() ? result->resource_url : result->webpage_url);
    for (const auto& note : result->notes) {
      fmt::print("{}\n", note);
    }
    if (!result->sign_out_problem.empty()) {
      fmt::print(stderr, "hyperpipe: warning: published, but signing out failed: {}\n", result->sign_out_problem);
    }
    return static_cast<int>(k_exit_ok);
  };
}

} // namespace hyperpipe::cli
