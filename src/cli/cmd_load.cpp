#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/http_flags.hpp"
#include "cli/run_display.hpp"
#include "cli/exit_codes.hpp"
#include "net/http.hpp"
#include "pipeline/file_inputs.hpp"
#include "pipeline/sources/api_spool.hpp"
#include "pipeline/load_files.hpp"

namespace hyperpipe::cli {
namespace {

// `hyperpipe load URL`: the same fetching as an api source of a pipeline, from flags.
template <typename Args> Result<sources::ApiFetchOptions> api_fetch_options(const Args& args, const HttpFlags& http) {
  sources::ApiFetchOptions fetch;
  fetch.url = args.inputs[0];
  fetch.records_path = args.records_path;
  fetch.pagination.max_pages = args.max_pages;
  fetch.concurrency = args.concurrency;
  fetch.pagination.kind = sources::parse_pagination_kind(args.paginate).value(); // CLI11 checked the name
  if (fetch.pagination.kind == sources::ApiPagination::Kind::offset) {
    fetch.pagination.page_param = "offset";
  }
  const auto secret_from = [](const std::string& variable) -> Result<std::string> {
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr || *value == '\0') {
      return make_error(ErrorKind::invalid_argument, fmt::format("environment variable {} is not set", variable));
    }
    return std::string(value);
  };
  if (!args.bearer_env.empty()) {
    fetch.auth.kind = sources::ApiAuth::Kind::bearer;
    HP_ASSIGN_OR_RETURN(fetch.auth.secret, secret_from(args.bearer_env));
  } else if (!args.api_key_env.empty()) {
    if (args.api_key_param.empty() == args.api_key_header.empty()) {
      return make_error(ErrorKind::invalid_argument, "--api-key-env needs one of --api-key-param or --api-key-header");
    }
    fetch.auth.kind = args.api_key_param.empty() ? sources::ApiAuth::Kind::api_key_header : sources::ApiAuth::Kind::api_key_query;
    fetch.auth.name = args.api_key_param.empty() ? args.api_key_header : args.api_key_param;
    HP_ASSIGN_OR_RETURN(fetch.auth.secret, secret_from(args.api_key_env));
  }
  if (net::check_url(fetch.url, http.allow_http) == net::UrlCheck::refused_http) {
    return make_error(ErrorKind::invalid_argument, fmt::format("refusing plain http:// for {}", fetch.url),
                      "use https://, or --allow-http for a server on this machine");
  }
  return fetch;
}

} // namespace

Runner add_load_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> inputs;
    std::string out;
    std::string table = "Extract.Extract";
    std::string mode = "replace";
    std::string schema;
    bool table_per_file = false;
    std::string delimiter, quote, escape, encoding = "auto", on_error = "fail";
    bool header = false, no_header = false, day_first = false, month_first = false;
    std::string decimal, thousands;
    std::vector<std::string> nulls, date_formats, timestamp_formats;
    std::size_t sample_rows = 10'000;
    bool no_server_copy = false;
    std::size_t max_value_mb = sources::k_default_max_value_bytes >> 20U;
    std::string records_path;
    std::string sheet;
    bool all_sheets = false;
    int json_depth = 10;
    int file_version = 2;
    // Web API inputs (a URL instead of files).
    std::string paginate = "none", bearer_env, api_key_env, api_key_param, api_key_header;
    int max_pages = 10'000;
    int concurrency = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("load", "Load CSV/TXT, JSON/NDJSON, Excel .xlsx and Parquet files into a .hyper extract");
  command->add_option("files", args->inputs, "input files or glob patterns, or one http(s) URL of a JSON API")->required();
  command->add_option("--out", args->out, "the .hyper file to write")->required();
  command->add_option("--table", args->table, "SCHEMA.TABLE for the union of the files (default: Extract.Extract)");
  command->add_option("--mode", args->mode, "replace (default) or append")->check(CLI::IsMember({"replace", "append"}));
  command->add_option("--schema", args->schema, "column types that override inference: \"col=TYPE,col2=numeric(10,2)\"");
  command->add_flag("--table-per-file", args->table_per_file, "one table per file, named after the file");
  command->add_option("--delimiter", args->delimiter, "field delimiter (default: sniffed among , ; tab |)");
  command->add_option("--quote", args->quote, "quote character (default: \")");
  command->add_option("--escape", args->escape, "escape character inside quotes (default: doubled quote)");
  command->add_flag("--header", args->header, "the first row is a header (default: detected)");
  command->add_flag("--no-header", args->no_header, "the first row is data");
  command->add_option("--encoding", args->encoding, "auto (UTF-8, UTF-16 by BOM, or Windows-1252 when not UTF-8), utf-8, utf-16le, utf-16be, latin1, windows-1252");
  command->add_option("--decimal", args->decimal, "the decimal mark, . or , (default: detected from the sample)");
  command->add_option("--thousands", args->thousands,
                      "the thousands separator: , . ' space nbsp narrow-nbsp or none (default: detected)");
  command->add_flag("--day-first", args->day_first, "dates such as 03/04/2026 are day-first (default: decided by the values)");
  command->add_flag("--month-first", args->month_first, "dates such as 03/04/2026 are month-first");
  command->add_option("--null", args->nulls, "a field value meaning NULL (repeatable; an empty field always is)");
  command->add_option("--date-format", args->date_formats, "an extra date layout such as %d/%m/%Y (repeatable)");
  command->add_option("--timestamp-format", args->timestamp_formats, "an extra timestamp layout (repeatable)");
  command->add_option("--sample-rows", args->sample_rows, "rows read to infer types; 0 = all (default: 10000)");
  command->add_flag("--no-server-copy", args->no_server_copy,
                    "read every CSV file in hyperpipe; by default hyperd copies a plain file itself while hyperpipe "
                    "checks every record reads alike");
  command->add_option("--max-value-mb", args->max_value_mb,
                      "the largest CSV record, Excel cell or string read, in MiB; larger fails at once (default: 64)")
      ->check(CLI::Range(std::int64_t{1}, pipeline::k_max_value_mb_limit));
  command->add_option("--records-path", args->records_path, "JSON: dotted path of the records array in the document (e.g. items)");
  command->add_option("--json-depth", args->json_depth, "JSON: nested objects deeper than this stay JSON text (default: 10)")
      ->check(CLI::Range(0, 1000));
  command->add_option("--sheet", args->sheet, "Excel: a sheet name or 1-based index (default: the first sheet)");
  command->add_flag("--all-sheets", args->all_sheets, "Excel: every sheet into its own table, named after the sheet");
  command->add_option("--on-error", args->on_error, "fail (default) or reject=FILE to set bad rows aside");
  command->add_option("--file-version", args->file_version, "file format version 0-4 (default: 2)")->check(CLI::Range(0, 4));
  command->add_option("--paginate", args->paginate, "URL: none (default), token, page, offset, next_url or link")
      ->check(CLI::IsMember({"none", "token", "page", "offset", "next_url", "link"}));
  command->add_option("--max-pages", args->max_pages, "URL: stop after this many pages (default: 10000)")->check(CLI::Range(1, 10'000'000));
  command->add_option("--concurrency", args->concurrency, "URL: requests in flight for page/offset paging (default: 1)")
      ->check(CLI::Range(1, 64));
  command->add_option("--bearer-env", args->bearer_env, "URL: send the token in this environment variable as a bearer token");
  command->add_option("--api-key-env", args->api_key_env, "URL: the API key is in this environment variable");
  command->add_option("--api-key-param", args->api_key_param, "URL: send the key as this query parameter");
  command->add_option("--api-key-header", args->api_key_header, "URL: send the key in this header");
  auto http_flags = add_http_flags(*command, "URL: ");
  auto engine_flags = add_engine_flags(*command);
  auto display_flags = add_display_flags(*command);
  command->footer("Examples:\n  hyperpipe load 'exports/*.csv' --out sales.hyper --schema \"zip=text\" --on-error reject=bad_rows.csv\n"
                  "  hyperpipe load 'https://www.googleapis.com/youtube/v3/search?part=snippet&q=hyper&maxResults=50' \\\n"
                  "      --records-path items --paginate token --api-key-env YT_KEY --api-key-param key --out videos.hyper");

  return [args, engine_flags, http_flags, display_flags] {
    const auto started = std::chrono::steady_clock::now();
    pipeline::LoadFilesOptions options;
    auto inputs = args->inputs.size() == 1 && net::is_http_url(args->inputs[0])
                      ? Result<std::vector<std::filesystem::path>>(std::vector<std::filesystem::path>{})
                      : pipeline::expand_inputs(args->inputs);
    if (!inputs) {
      return report(inputs.error());
    }
    options.inputs = std::move(*inputs);
    options.output = args->out;
    auto table = TableName::parse(args->table);
    if (!table) {
      return report(table.error());
    }
    options.table = *table;
    options.table_per_file = args->table_per_file;
    options.append = args->mode == "append";
    options.file_version = args->file_version;
    auto types = pipeline::parse_column_types(args->schema);
    if (!types) {
      return report(types.error());
    }
    options.column_types = std::move(*types);
    for (auto [flag, value, which] : {std::tuple{"--delimiter", &args->delimiter, pipeline::CsvCharacter::delimiter},
                                      std::tuple{"--quote", &args->quote, pipeline::CsvCharacter::quote},
                                      std::tuple{"--escape", &args->escape, pipeline::CsvCharacter::escape}}) {
      if (!value->empty()) {
        if (auto set = options.set_character(which, flag, *value); !set) {
          return report(set.error());
        }
      }
    }
    if (args->header && args->no_header) {
      return report(make_error(ErrorKind::invalid_argument, "--header and --no-header contradict each other"));
    }
    options.set_header(args->header || args->no_header ? std::optional<bool>(args->header) : std::nullopt);
    options.set_value_formats(args->date_formats, args->timestamp_formats);
    for (const Status& set : {options.set_encoding(args->encoding),
                              options.set_max_value_mb(static_cast<std::int64_t>(args->max_value_mb)),
                              options.set_on_error(args->on_error)}) {
      if (!set) {
        return report(set.error());
      }
    }
    if (args->day_first && args->month_first) {
      return report(make_error(ErrorKind::invalid_argument, "--day-first and --month-first contradict each other"));
    }
    if (args->day_first || args->month_first) {
      options.set_day_first(args->day_first);
    }
    for (auto [value, set] : {std::pair{&args->decimal, &pipeline::LoadFilesOptions::set_decimal},
                              std::pair{&args->thousands, &pipeline::LoadFilesOptions::set_thousands}}) {
      if (!value->empty()) {
        if (auto done = (options.*set)(*value); !done) {
          return report(done.error());
        }
      }
    }
    options.csv.null_tokens = args->nulls;
    options.csv.sample_rows = args->sample_rows;
    options.server_copy = !args->no_server_copy;
    options.json.records_path = args->records_path;
    options.json.max_depth = args->json_depth;
    options.xlsx.sheet = args->sheet;
    options.xlsx.all_sheets = args->all_sheets;

    auto display = make_run_display(display_flags->options(::isatty(STDERR_FILENO) == 1), stderr);
    const auto since = [](std::chrono::steady_clock::time_point from) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    };
    const auto failed = [&](const Error& error) {
      display.reset(); // its lines are done before the error is printed (once, by report)
      return report(error);
    };

    // A URL: its records are fetched into a spool file beside the output, then loaded as JSON.
    std::optional<std::filesystem::path> spool;
    struct SpoolCleanup {
      std::optional<std::filesystem::path>& path;
      ~SpoolCleanup() {
        if (path) {
          std::error_code ec;
          std::filesystem::remove(*path, ec);
        }
      }
    } spool_cleanup{spool};
    const auto is_url = [](const std::string& text) { return net::is_http_url(text); };
    if (std::any_of(args->inputs.begin(), args->inputs.end(), is_url)) {
      if (args->inputs.size() != 1) {
        return report(make_error(ErrorKind::invalid_argument, "a URL is loaded on its own, without other inputs"));
      }
      auto fetch = api_fetch_options(*args, *http_flags);
      if (!fetch) {
        return report(fetch.error());
      }
      const net::HttpOptions http = http_flags->options();
      const auto target = std::filesystem::absolute(options.output);
      spool = target.parent_path() / fmt::format(".{}.records.{}.ndjson", target.filename().string(), ::getpid());
      // The discovery pass runs on the records as they arrive: the spool is read once.
      options.json.records_path.clear(); // the spool holds the records themselves
      auto inference = std::make_shared<sources::JsonInference>(options.json);
      const std::string fetch_step = "fetch " + args->inputs[0].substr(0, args->inputs[0].find('?')); // never a key
      const auto fetch_started = std::chrono::steady_clock::now();
      display->on_event({pipeline::RunEvent::Kind::started, fetch_step});
      auto fetched = pipeline::fetch_to_spool(
          *fetch, http, *spool,
          [&](const sources::ApiFetchResult& progress) {
            display->on_event({pipeline::RunEvent::Kind::progress, fetch_step, progress.records, progress.bytes,
                               since(fetch_started)});
          },
          inference.get());
      if (!fetched) {
        return failed(fetched.error());
      }
      display->on_event({pipeline::RunEvent::Kind::finished, fetch_step, fetched->records, fetched->bytes,
                         since(fetch_started), fmt::format("{} records", fetched->records)});
      for (const auto& note : fetched->notes) {
        fmt::print("{}: {}\n", args->inputs[0].substr(0, args->inputs[0].find('?')), note);
      }
      options.inputs = {*spool};
      options.format = pipeline::InputFormat::json;
      options.json_inference = inference;
    }
    // Progress against the inputs' size: CSV sources count the bytes they read.
    const std::uint64_t total_bytes = pipeline::total_size(options.inputs);
    const std::string load_step = fmt::format("load {}", options.output.filename().string());
    const auto load_started = std::chrono::steady_clock::now();
    display->on_event({pipeline::RunEvent::Kind::started, load_step, 0, 0, 0,
                       options.inputs.size() == 1 ? options.inputs[0].string()
                                                  : fmt::format("{} files", options.inputs.size())});
    options.on_progress = [&](std::uint64_t rows, std::uint64_t bytes) {
      display->on_event({pipeline::RunEvent::Kind::progress, load_step, rows, bytes, since(load_started), {},
                         bytes > 0 ? total_bytes : 0});
    };
    auto engine = start_engine(*engine_flags);
    if (!engine) {
      return failed(engine.error());
    }
    auto summary = pipeline::load_files(*engine, options);
    if (!summary) {
      return failed(summary.error());
    }
    if (spool) {
      for (auto& file : summary->files) {
        file.file = args->inputs[0].substr(0, args->inputs[0].find('?')); // never the query: it may hold a key
      }
    }
    std::uint64_t read = 0, loaded = 0, rejected = 0;
    for (const auto& file : summary->files) {
      read += file.rows_read;
      loaded += file.rows_loaded;
      rejected += file.rows_rejected;
    }
    display->on_event({pipeline::RunEvent::Kind::finished, load_step, loaded, 0, since(load_started),
                       fmt::format("{} read, {} loaded, {} rejected", read, loaded, rejected)});
    display.reset(); // the live lines are gone before the summary is printed
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::set<std::filesystem::path> distinct_files;
    for (const auto& file : summary->files) {
      distinct_files.insert(file.file);
      fmt::print("{} -> {}: {} read, {} loaded, {} rejected ({})\n", file.file.string(), file.table.quoted(),
                 file.rows_read, file.rows_loaded, file.rows_rejected, fmt::join(file.notes, "; "));
    }
    for (const auto& loaded_table : summary->tables) {
      std::vector<std::string> columns;
      for (const auto& column : loaded_table.columns) {
        columns.push_back(fmt::format("{} {}", column.name, column.type.sql()));
      }
      fmt::print("table {}: {}\n", loaded_table.name.quoted(), fmt::join(columns, ", "));
    }
    if (summary->widened_after_sample) {
      fmt::print("note: values beyond the first {} rows needed wider types; types were inferred from every row\n",
                 options.csv.sample_rows);
    }
    fmt::print("total: {} file{}, {} read, {} loaded, {} rejected in {:.2f} s ({:.0f} rows/s) -> {}\n",
               distinct_files.size(), distinct_files.size() == 1 ? "" : "s", read, loaded, rejected, seconds,
               static_cast<double>(read) / std::max(seconds, 1e-9), options.output.string());
    if (rejected > 0 && options.reject_file) {
      fmt::print("rejected rows and their reasons: {}\n", options.reject_file->string());
    }
    auto stopped = engine->shutdown();
    return stopped ? k_exit_ok : report(stopped.error());
  };
}

} // namespace hyperpipe::cli
