#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/exit_codes.hpp"
#include "pipeline/file_inputs.hpp"
#include "pipeline/load_files.hpp"

namespace hyperpipe::cli {

Runner add_load_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> inputs;
    std::string out;
    std::string table = "Extract.Extract";
    std::string mode = "replace";
    std::string schema;
    bool table_per_file = false;
    std::string delimiter, quote, escape, encoding = "auto", on_error = "fail";
    bool header = false, no_header = false;
    std::vector<std::string> nulls, date_formats, timestamp_formats;
    std::size_t sample_rows = 10'000;
    std::string records_path;
    std::string sheet;
    bool all_sheets = false;
    int json_depth = 10;
    int file_version = 2;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("load", "Load CSV/TXT, JSON/NDJSON, Excel .xlsx and Parquet files into a .hyper extract");
  command->add_option("files", args->inputs, "input files or glob patterns")->required();
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
  command->add_option("--encoding", args->encoding, "auto (UTF-8, or UTF-16 by BOM), utf-8, utf-16le, utf-16be, latin1");
  command->add_option("--null", args->nulls, "a field value meaning NULL (repeatable; an empty field always is)");
  command->add_option("--date-format", args->date_formats, "an extra date layout such as %d/%m/%Y (repeatable)");
  command->add_option("--timestamp-format", args->timestamp_formats, "an extra timestamp layout (repeatable)");
  command->add_option("--sample-rows", args->sample_rows, "rows read to infer types; 0 = all (default: 10000)");
  command->add_option("--records-path", args->records_path, "JSON: dotted path of the records array in the document (e.g. items)");
  command->add_option("--json-depth", args->json_depth, "JSON: nested objects deeper than this stay JSON text (default: 10)")
      ->check(CLI::Range(0, 1000));
  command->add_option("--sheet", args->sheet, "Excel: a sheet name or 1-based index (default: the first sheet)");
  command->add_flag("--all-sheets", args->all_sheets, "Excel: every sheet into its own table, named after the sheet");
  command->add_option("--on-error", args->on_error, "fail (default) or reject=FILE to set bad rows aside");
  command->add_option("--file-version", args->file_version, "file format version 0-4 (default: 2)")->check(CLI::Range(0, 4));
  auto engine_flags = add_engine_flags(*command);
  command->footer("Example:\n  hyperpipe load 'exports/*.csv' --out sales.hyper --schema \"zip=text\" --on-error reject=bad_rows.csv");

  return [args, engine_flags] {
    const auto started = std::chrono::steady_clock::now();
    pipeline::LoadFilesOptions options;
    auto inputs = pipeline::expand_inputs(args->inputs);
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
    for (auto [flag, value, target] : {std::tuple{"--delimiter", &args->delimiter, &options.csv.delimiter},
                                       std::tuple{"--quote", &args->quote, &options.csv.quote},
                                       std::tuple{"--escape", &args->escape, &options.csv.escape}}) {
      if (!value->empty()) {
        auto c = pipeline::single_character(flag, *value);
        if (!c) {
          return report(c.error());
        }
        *target = *c;
      }
    }
    if (args->header && args->no_header) {
      return report(make_error(ErrorKind::invalid_argument, "--header and --no-header contradict each other"));
    }
    if (args->header || args->no_header) {
      options.csv.header = args->header;
    }
    auto encoding = io::parse_text_encoding(args->encoding);
    if (!encoding) {
      return report(encoding.error());
    }
    options.csv.encoding = *encoding;
    options.csv.null_tokens = args->nulls;
    options.csv.values.date_formats = args->date_formats;
    options.csv.values.timestamp_formats = args->timestamp_formats;
    options.csv.sample_rows = args->sample_rows;
    options.json.records_path = args->records_path;
    options.json.max_depth = args->json_depth;
    options.json.values = options.csv.values;
    options.json.encoding = options.csv.encoding;
    options.xlsx.sheet = args->sheet;
    options.xlsx.all_sheets = args->all_sheets;
    options.xlsx.header = !args->no_header;
    options.xlsx.values = options.csv.values;
    if (args->on_error.starts_with("reject=") && args->on_error.size() > 7) {
      options.reject_file = args->on_error.substr(7);
    } else if (args->on_error != "fail") {
      return report(make_error(ErrorKind::invalid_argument, fmt::format("--on-error {}: use fail or reject=FILE", args->on_error)));
    }

    auto engine = start_engine(*engine_flags);
    if (!engine) {
      return report(engine.error());
    }
    auto summary = pipeline::load_files(*engine, options);
    if (!summary) {
      return report(summary.error());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::uint64_t read = 0, loaded = 0, rejected = 0;
    std::set<std::filesystem::path> distinct_files;
    for (const auto& file : summary->files) {
      distinct_files.insert(file.file);
      fmt::print("{} -> {}: {} read, {} loaded, {} rejected ({})\n", file.file.string(), file.table.quoted(),
                 file.rows_read, file.rows_loaded, file.rows_rejected, fmt::join(file.notes, "; "));
      read += file.rows_read;
      loaded += file.rows_loaded;
      rejected += file.rows_rejected;
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
