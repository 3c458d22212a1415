#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/http_flags.hpp"
#include "cli/run_display.hpp"
#include "cli/exit_codes.hpp"
#include "net/http.hpp"
#include "base/stable_hash.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"

namespace hyperpipe::cli {

namespace {

struct UpdateArgs {
  std::string file, action, key, table, request_id;
};

// `hyperpipe publish CHANGES.hyper --action ...`: a change set made elsewhere applied to a
// published data source, once per request id.
int send_change_set(const UpdateArgs& args, const publish::PublishTarget& target, const publish::Credentials& credentials,
                    EngineFlags& engine_flags, std::chrono::steady_clock::time_point started) {
  auto kind = publish::parse_data_action(args.action);
  if (!kind) {
    return report(kind.error());
  }
  auto info = inspect_file(engine_flags, args.file);
  if (!info) {
    return report(info.error());
  }
  std::vector<std::string> key;
  for (std::size_t at = 0; !args.key.empty() && at <= args.key.size();) {
    const auto comma = std::min(args.key.find(',', at), args.key.size());
    key.push_back(args.key.substr(at, comma - at));
    at = comma + 1;
  }
  std::optional<TableName> only;
  if (!args.table.empty()) {
    auto parsed = TableName::parse(args.table);
    if (!parsed) {
      return report(parsed.error());
    }
    only = *parsed;
  }
  std::vector<publish::DataAction> actions;
  for (const auto& table : info->tables) {
    const TableName& name = table.definition.name;
    if (only && !(name == *only)) {
      continue;
    }
    for (const auto& column : key) {
      if (!table.definition.find_column(column)) {
        return report(make_error(ErrorKind::invalid_argument,
                                 fmt::format("key column \"{}\" is not in {} of {}", column, name.quoted(), args.file)));
      }
    }
    actions.push_back({*kind, name.schema, name.table, name.schema, name.table, key});
  }
  if (actions.empty()) {
    return report(make_error(ErrorKind::not_found, fmt::format("{} has no table {}", args.file, only ? only->quoted() : "")));
  }
  if (auto checked = publish::check_actions(actions); !checked) {
    return report(checked.error());
  }
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(args.file, ec);
  if (size > target.update_payload_limit) {
    return report(make_error(ErrorKind::invalid_argument,
                             fmt::format("{} is {} MB, above the server's payload limit of {} MB", args.file, size >> 20U,
                                         target.update_payload_limit >> 20U),
                             "split the change set into smaller files, or raise --payload-limit-mb if the server allows it"));
  }
  std::string request_id = args.request_id;
  if (request_id.empty()) {
    // The same change to the same target is the same request: sent twice, applied once.
    base::StableHash hash;
    hash.field(target.server).field(target.site).field(target.project).field(target.name).field(publish::actions_json(actions));
    std::ifstream in(args.file, std::ios::binary);
    std::string buffer(1U << 20U, '\0');
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
      hash.add(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    request_id = fmt::format("hyperpipe-{:016x}", hash.value());
  }
  auto transport = net::make_curl_transport(target.http());
  auto sent = publish::send_changes(*transport, credentials, target, {}, {{args.file, actions, request_id}}, {});
  if (!sent) {
    return report(sent.error());
  }
  if (!sent->fallback.empty()) {
    return report(make_error(ErrorKind::remote, sent->fallback,
                             "publish the data source from a .hyper file first (--mode createnew or overwrite)"));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("{} {} applied to data source \"{}\" ({}) in {:.2f} s, request {}\n", args.action,
             args.file, target.name, sent->datasource_id, seconds, request_id);
  return static_cast<int>(k_exit_ok);
}

} // namespace

Runner add_publish_command(CLI::App& app) {
  struct Args {
    std::string file, server, site, project, name, mode = "createnew", description, credentials_file;
    std::vector<std::string> tags;
    std::optional<bool> certified;
    std::optional<std::string> certification_note;
    int session_wait = 3600;
    std::string action, key, table, request_id;
    std::uint64_t payload_limit_mb = 100;
    int job_timeout = 6 * 3600;
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
  command->add_option("--name,--datasource", args->name, "data source name (default: the file name without .hyper)");
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
  command->add_option("--action", args->action,
                      "update the data of a published data source with FILE as a change set instead of publishing it: "
                      "insert, update, upsert, delete or replace (Update Data in Hyper Data Source)")
      ->check(CLI::IsMember({"insert", "update", "upsert", "delete", "replace"}));
  command->add_option("--key", args->key, "with --action update, upsert or delete: the key columns rows are matched on, COL[,COL]");
  command->add_option("--table", args->table,
                      "with --action: the one table of FILE to apply, to the same-named table of the data source (default: every table)");
  command->add_option("--request-id", args->request_id,
                      "with --action: the RequestID (default: derived from FILE's bytes and the target, so the same "
                      "command sent again is applied once)");
  command->add_option("--payload-limit-mb", args->payload_limit_mb, "with --action: the server's payload limit (default 100)")
      ->check(CLI::Range(1, 10'000));
  command->add_option("--job-timeout", args->job_timeout, "seconds to wait for a server job (default 21600)")
      ->check(CLI::Range(1, 7 * 86'400));
  auto http_flags = add_http_flags(*command);
  command->add_option("--chunk-size-mb", args->chunk_size_mb, "upload chunk size, 1-64 MB; larger files are chunked (default 64)")
      ->check(CLI::Range(1, 64));
  auto engine_flags = add_engine_flags(*command);
  auto display_flags = add_display_flags(*command);
  command->footer("Credentials come from HYPERPIPE_TABLEAU_TOKEN_NAME/_SECRET (a personal access token),\n"
                  "HYPERPIPE_TABLEAU_CLIENT_ID/_SECRET_ID/_SECRET_VALUE/_USERNAME (a connected app: hyperpipe signs\n"
                  "a fresh token for every sign-in), HYPERPIPE_TABLEAU_USERNAME/_PASSWORD or HYPERPIPE_TABLEAU_JWT\n"
                  "(environment or --credentials-file); never from the command line.");
  return [args, engine_flags, http_flags, display_flags] {
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
    target.job_timeout = std::chrono::seconds(args->job_timeout);
    target.update_payload_limit = args->payload_limit_mb << 20U;
    target.chunk_bytes = args->chunk_size_mb << 20U;
    const net::HttpOptions http = http_flags->options();
    target.ca_bundle = http.ca_bundle;
    target.allow_http = http.allow_http;
    target.connect_timeout = http.connect_timeout;
    target.idle_timeout = http.idle_timeout;
    if (auto normalized = target.normalize(); !normalized) {
      return report(normalized.error());
    }
    if (!args->action.empty()) {
      return send_change_set({args->file, args->action, args->key, args->table, args->request_id}, target, *credentials,
                             *engine_flags, started);
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
    auto display = make_run_display(display_flags->options(::isatty(STDERR_FILENO) == 1), stderr);
    const std::string step = fmt::format("upload {}", std::filesystem::path(args->file).filename().string());
    const auto since_start = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    display->on_event({pipeline::RunEvent::Kind::started, step, 0, 0, 0, fmt::format("as \"{}\" to {}", target.name, target.server)});
    auto result = publish::publish_file(*transport, *credentials, target, args->file,
                                        [&](std::uint64_t sent, std::uint64_t total) {
                                          display->on_event({pipeline::RunEvent::Kind::progress, step, 0, sent,
                                                             since_start(), {}, total});
                                        });
    if (!result) {
      display.reset(); // its lines are done before the error is printed (once, by report)
      return report(result.error());
    }
    display->on_event({pipeline::RunEvent::Kind::finished, step, 0, 0, since_start(),
                       fmt::format("data source {}", result->datasource_id)});
    display.reset();
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
