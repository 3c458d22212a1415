#include "pipeline/load_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "sources/json/json_source.hpp"
#include "sources/parquet/parquet_source.hpp"
#include "sources/xlsx/xlsx_source.hpp"

namespace hyperpipe::pipeline {
namespace {

constexpr std::size_t k_batch_rows = 65'536;

struct TableGroup {
  TableDefinition definition;
  std::vector<bool> inferred;
  std::vector<std::size_t> sources; ///< indexes into the opened sources
};

// --schema types replace inferred ones, by column name.
void apply_overrides(std::vector<ColumnDefinition>& columns, const LoadFilesOptions& options) {
  for (auto& column : columns) {
    const auto override_type = options.column_types.find(column.name);
    if (override_type != options.column_types.end()) {
      column.type = override_type->second;
    }
  }
}

// Merges the files of one table: same column names in the same order, types widened to hold
// every file's values, --schema overrides applied.
Result<TableGroup> plan_table(const TableName& name, const std::vector<std::unique_ptr<sources::CsvSource>>& opened,
                              std::vector<std::size_t> members, const LoadFilesOptions& options) {
  const sources::CsvSource& first = *opened[members.front()];
  std::vector<sources::TypeInference> merged = first.inferences();
  for (std::size_t m = 1; m < members.size(); ++m) {
    const sources::CsvSource& other = *opened[members[m]];
    if (other.column_names() != first.column_names()) {
      return make_error(ErrorKind::schema_mismatch,
                        fmt::format("{} has columns ({}) but {} has ({})", other.name(),
                                    fmt::join(other.column_names(), ", "), first.name(),
                                    fmt::join(first.column_names(), ", ")),
                        "files loaded into one table need the same header; use --table-per-file to keep them apart");
    }
    for (std::size_t i = 0; i < merged.size(); ++i) {
      merged[i].merge(other.inferences()[i]);
    }
  }
  TableGroup group;
  group.definition.name = name;
  group.sources = std::move(members);
  for (std::size_t i = 0; i < merged.size(); ++i) {
    const std::string& column = first.column_names()[i];
    group.inferred.push_back(!options.column_types.contains(column));
    group.definition.add(column, merged[i].type());
  }
  apply_overrides(group.definition.columns, options);
  return group;
}

Status check_overrides_exist(const std::vector<TableDefinition>& tables, const LoadFilesOptions& options) {
  for (const auto& [column, type] : options.column_types) {
    bool found = false;
    for (const auto& table : tables) {
      found = found || table.find_column(column).has_value();
    }
    if (!found) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("--schema names column \"{}\", which no input file has", column));
    }
  }
  return {};
}

enum class Attempt { done, widen };

using Format = InputFormat;

// Adds loaded rows to a running total and reports it (progress display).
using RowCounter = std::function<void(std::uint64_t rows)>;

// One output table (with, for JSON, its child tables) and the inputs that go into it.
struct Job {
  TableName table;
  std::vector<std::size_t> inputs;
  Format format = Format::text;
};

Format format_of(const std::filesystem::path& input, Format forced) {
  if (forced != Format::automatic) {
    return forced;
  }
  // By content, or by name: a broken .parquet file should get hyperd's Parquet error, not be
  // read as text.
  if (sources::looks_like_parquet(input) || input.extension() == ".parquet") {
    return Format::parquet;
  }
  std::filesystem::path name = input;
  if (name.extension() == ".gz") {
    name = name.stem();
  }
  const auto extension = name.extension();
  if (extension == ".json" || extension == ".ndjson" || extension == ".jsonl") {
    return Format::json;
  }
  if (input.extension() == ".xlsx" || input.extension() == ".xlsm") {
    return Format::xlsx;
  }
  return Format::text;
}

// Why an input that is not a regular file cannot be loaded, in words that say what it is.
Error not_a_file(const std::filesystem::path& input) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(input, ec);
  const std::string name = input.string();
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return make_error(ErrorKind::io, fmt::format("{}: cannot be read: {}", name, ec.message()),
                      "check the permissions of the file and of the folders above it");
  }
  switch (status.type()) {
  case fs::file_type::not_found:
    return make_error(ErrorKind::not_found, fmt::format("{}: no such file", name));
  case fs::file_type::directory:
    return make_error(ErrorKind::io, fmt::format("{}: is a directory, not a file", name),
                      fmt::format("name the files in it, e.g. \"{}/*.csv\"", name));
  case fs::file_type::fifo:
    return make_error(ErrorKind::io, fmt::format("{}: is a named pipe (FIFO), not a file", name),
                      "hyperpipe reads an input more than once (to infer types): write it to a file first");
  case fs::file_type::character:
  case fs::file_type::block:
    return make_error(ErrorKind::io, fmt::format("{}: is a device, not a file", name), "give a regular file");
  case fs::file_type::socket:
    return make_error(ErrorKind::io, fmt::format("{}: is a socket, not a file", name), "give a regular file");
  default:
    return make_error(ErrorKind::io, fmt::format("{}: cannot be read as a file{}", name, ec ? ": " + ec.message() : ""));
  }
}

Result<std::vector<Job>> plan_jobs(const LoadFilesOptions& options) {
  std::vector<Format> formats;
  for (const auto& input : options.inputs) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(input, ec)) {
      return not_a_file(input);
    }
    formats.push_back(format_of(input, options.format));
  }
  std::vector<Job> jobs;
  if (options.table_per_file) {
    for (std::size_t i = 0; i < options.inputs.size(); ++i) {
      const TableName name{options.table.schema, options.inputs[i].stem().string()};
      for (const auto& job : jobs) {
        if (job.table == name) {
          return make_error(ErrorKind::invalid_argument,
                            fmt::format("two inputs would both become table {}", name.quoted()));
        }
      }
      jobs.push_back({name, {i}, formats[i]});
    }
    return jobs;
  }
  Job job{options.table, {}, formats[0]};
  if ((job.format == Format::json || job.format == Format::xlsx) && options.inputs.size() > 1) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("several {} files cannot share one table yet", job.format == Format::json ? "JSON" : "Excel"),
                      "use --table-per-file (one table, and its child tables, per file)");
  }
  for (std::size_t i = 0; i < options.inputs.size(); ++i) {
    if (formats[i] != job.format) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("{} and {} are of different formats and cannot share a table",
                                    options.inputs[0].string(), options.inputs[i].string()),
                        "use --table-per-file");
    }
    job.inputs.push_back(i);
  }
  jobs.push_back(std::move(job));
  return jobs;
}

// Parquet goes straight from the files into the table inside hyperd.
Status load_parquet(ExtractWriter& writer, const Job& job, const LoadFilesOptions& options, LoadSummary& summary) {
  std::vector<std::filesystem::path> files;
  for (std::size_t index : job.inputs) {
    files.push_back(options.inputs[index]);
  }
  const std::string name = files.size() == 1 ? files[0].string() : fmt::format("{} Parquet files", files.size());
  auto schema = writer.query(sources::parquet_schema_query(files));
  if (!schema) {
    Error error = std::move(schema).error();
    error.message = fmt::format("{}: {}", name, error.message);
    return error;
  }
  std::map<std::uint32_t, std::string> type_names;
  for (const auto& column : schema->columns) {
    if (!column.type) {
      auto named = writer.query(fmt::format("SELECT format_type({}, {})", column.type_oid, column.type_modifier));
      if (named && !named->rows.empty() && named->rows[0][0]) {
        type_names[column.type_oid] = *named->rows[0][0];
      }
    }
  }
  HP_ASSIGN_OR_RETURN(auto columns, sources::parquet_columns(*schema, type_names, options.column_types, name));
  TableDefinition table{job.table, columns, {}, {}};
  HP_TRY(options.append ? writer.ensure_table(table) : writer.add_table(table));
  HP_ASSIGN_OR_RETURN(std::uint64_t rows, writer.execute(sources::parquet_insert_sql(job.table, columns, files)));
  // hyperd reads the files as one set: the rows are accounted to the set, on its first file.
  for (std::size_t i = 0; i < files.size(); ++i) {
    summary.files.push_back({files[i], job.table, i == 0 ? rows : 0, i == 0 ? rows : 0, 0,
                             {i == 0 ? "Parquet, read by hyperd" : "Parquet, counted with the first file"}});
  }
  summary.tables.push_back(table);
  return {};
}

// JSON: a first pass discovers the tables and types, then one pass per table writes its rows
// (an extract streams into one table at a time).
Status load_json(ExtractWriter& writer, const Job& job, const LoadFilesOptions& options, sources::RejectSink& rejects,
                 LoadSummary& summary, const RowCounter& count) {
  const auto& input = options.inputs[job.inputs.front()];
  HP_ASSIGN_OR_RETURN(auto source, options.json_inference ? options.json_inference->finish(input)
                                                          : sources::JsonSource::open(input, options.json));
  auto definitions = source->table_definitions(job.table);
  for (auto& definition : definitions) {
    apply_overrides(definition.columns, options);
  }
  for (const auto& definition : definitions) {
    HP_TRY(options.append ? writer.ensure_table(definition) : writer.add_table(definition));
  }
  for (std::size_t t = 0; t < definitions.size(); ++t) {
    HP_ASSIGN_OR_RETURN(auto table_writer, writer.write_to(definitions[t].name));
    HP_ASSIGN_OR_RETURN(std::uint64_t rejected,
                        source->read_table(t, definitions[t],
                                           [&](const ColumnBatch& batch) {
                                             if (t == 0) {
                                               count(batch.row_count());
                                             }
                                             return table_writer.write(batch);
                                           },
                                           rejects));
    HP_ASSIGN_OR_RETURN(std::uint64_t rows, table_writer.finish());
    const std::string note = t == 0 ? "JSON records" : fmt::format("JSON array \"{}\" of each record", source->tables()[t].path);
    const std::uint64_t read = t == 0 ? source->records() : rows + rejected;
    if (read != rows + rejected) {
      return make_error(ErrorKind::internal, fmt::format("{}: {} records read but {} loaded and {} rejected",
                                                         input.string(), read, rows, rejected));
    }
    std::vector<std::string> notes{note};
    if (t == 0) {
      notes.insert(notes.end(), source->notes().begin(), source->notes().end());
    }
    summary.files.push_back({input, definitions[t].name, read, rows, rejected, std::move(notes)});
    summary.tables.push_back(definitions[t]);
  }
  return {};
}

// Excel: each selected sheet is scanned once for its types, then read again into its table.
Status load_xlsx(ExtractWriter& writer, const Job& job, const LoadFilesOptions& options, sources::RejectSink& rejects,
                 LoadSummary& summary, const RowCounter& count) {
  const auto& input = options.inputs[job.inputs.front()];
  HP_ASSIGN_OR_RETURN(auto workbook, sources::XlsxWorkbook::open(input, options.xlsx.values.max_value_bytes));
  HP_ASSIGN_OR_RETURN(auto sheets, sources::select_sheets(*workbook, options.xlsx, input.string()));
  for (const auto& sheet : sheets) {
    HP_ASSIGN_OR_RETURN(auto source, sources::XlsxSheetSource::open(*workbook, sheet, options.xlsx, input.string()));
    TableDefinition table{options.xlsx.all_sheets ? TableName{job.table.schema, sheet.name} : job.table,
                          source->columns(), {}, {}};
    apply_overrides(table.columns, options);
    HP_TRY(options.append ? writer.ensure_table(table) : writer.add_table(table));
    HP_ASSIGN_OR_RETURN(auto table_writer, writer.write_to(table.name));
    HP_ASSIGN_OR_RETURN(std::uint64_t rejected,
                        source->read(table,
                                     [&](const ColumnBatch& batch) {
                                       count(batch.row_count());
                                       return table_writer.write(batch);
                                     },
                                     rejects));
    HP_ASSIGN_OR_RETURN(std::uint64_t rows, table_writer.finish());
    if (rows + rejected != source->rows()) {
      return make_error(ErrorKind::internal, fmt::format("{}: sheet \"{}\": {} rows read but {} loaded and {} rejected",
                                                         input.string(), sheet.name, source->rows(), rows, rejected));
    }
    summary.files.push_back({input, table.name, source->rows(), rows, rejected, source->notes()});
    summary.tables.push_back(table);
  }
  return {};
}

Result<Attempt> load_once(HyperEngine& engine, const LoadFilesOptions& options, std::size_t sample_rows,
                          LoadSummary& summary) {
  HP_ASSIGN_OR_RETURN(auto jobs, plan_jobs(options));
  sources::CsvOptions csv = options.csv;
  csv.sample_rows = sample_rows;
  std::vector<std::unique_ptr<sources::CsvSource>> opened(options.inputs.size());
  std::vector<std::optional<TableGroup>> groups(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (jobs[j].format != Format::text) {
      continue;
    }
    for (std::size_t index : jobs[j].inputs) {
      HP_ASSIGN_OR_RETURN(auto source, sources::CsvSource::open(options.inputs[index], csv));
      opened[index] = std::move(source);
    }
    HP_ASSIGN_OR_RETURN(auto group, plan_table(jobs[j].table, opened, jobs[j].inputs, options));
    groups[j] = std::move(group);
  }

  // With CSV only, every column is known now: refuse a --schema typo before loading anything.
  if (std::all_of(jobs.begin(), jobs.end(), [](const Job& job) { return job.format == Format::text; })) {
    std::vector<TableDefinition> planned;
    for (const auto& group : groups) {
      planned.push_back(group->definition);
    }
    HP_TRY(check_overrides_exist(planned, options));
  }

  ExtractOptions extract_options{options.append ? CreateMode::create_if_missing : CreateMode::replace,
                                 options.file_version};
  HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine, options.output, extract_options));
  std::unique_ptr<sources::RejectSink> rejects =
      options.reject_file ? sources::reject_to_file(*options.reject_file) : sources::fail_on_error();
  summary = {};
  std::uint64_t loaded_so_far = 0;
  const RowCounter count = [&](std::uint64_t rows) {
    loaded_so_far += rows;
    if (options.on_rows) {
      options.on_rows(loaded_so_far);
    }
  };
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (jobs[j].format == Format::parquet) {
      HP_TRY(load_parquet(writer, jobs[j], options, summary));
      count(summary.files.empty() ? 0 : summary.files.front().rows_loaded);
      continue;
    }
    if (jobs[j].format == Format::json) {
      HP_TRY(load_json(writer, jobs[j], options, *rejects, summary, count));
      continue;
    }
    if (jobs[j].format == Format::xlsx) {
      HP_TRY(load_xlsx(writer, jobs[j], options, *rejects, summary, count));
      continue;
    }
    const TableGroup& group = *groups[j];
    HP_TRY(options.append ? writer.ensure_table(group.definition) : writer.add_table(group.definition));
    HP_ASSIGN_OR_RETURN(auto table_writer, writer.write_to(group.definition.name));
    ColumnBatch batch(group.definition);
    for (std::size_t index : group.sources) {
      sources::CsvSource& source = *opened[index];
      source.set_columns(group.definition.columns, group.inferred);
      FileLoadSummary file{options.inputs[index], group.definition.name, 0, 0, 0, source.notes()};
      for (;;) {
        batch.clear();
        std::optional<sources::NeedsWidening> widening;
        HP_ASSIGN_OR_RETURN(std::size_t rows, source.read_batch(batch, k_batch_rows, *rejects, widening));
        if (widening) {
          if (sample_rows == 0) {
            return make_error(ErrorKind::internal,
                              fmt::format("{}:{}: \"{}\" does not fit column \"{}\" although the whole file was scanned",
                                          source.name(), widening->line, widening->value,
                                          group.definition.columns[widening->column].name));
          }
          return Attempt::widen; // the writer is abandoned: nothing of this attempt is kept
        }
        if (rows == 0) {
          break;
        }
        HP_TRY(table_writer.write(batch));
        file.rows_loaded += rows;
        count(rows);
      }
      file.rows_read = source.rows_read();
      file.rows_rejected = source.rows_rejected();
      if (file.rows_read != file.rows_loaded + file.rows_rejected) {
        return make_error(ErrorKind::internal,
                          fmt::format("{}: {} rows read but {} loaded and {} rejected", source.name(), file.rows_read,
                                      file.rows_loaded, file.rows_rejected));
      }
      summary.files.push_back(std::move(file));
    }
    HP_TRY(table_writer.finish());
    summary.tables.push_back(group.definition);
  }
  HP_TRY(check_overrides_exist(summary.tables, options));
  HP_TRY(writer.commit());
  return Attempt::done;
}

} // namespace

Result<LoadSummary> load_files(HyperEngine& engine, const LoadFilesOptions& options) {
  if (options.inputs.empty()) {
    return make_error(ErrorKind::invalid_argument, "no input files");
  }
  if (options.reject_file) {
    std::error_code ec;
    std::filesystem::remove(*options.reject_file, ec); // rejects of an earlier run must not mix in
  }
  LoadSummary summary;
  HP_ASSIGN_OR_RETURN(Attempt attempt, load_once(engine, options, options.csv.sample_rows, summary));
  if (attempt == Attempt::widen) {
    // The sample was not representative: infer from every row, then load again from scratch.
    HP_ASSIGN_OR_RETURN(Attempt again, load_once(engine, options, 0, summary));
    (void)again;
    summary.widened_after_sample = true;
  }
  return summary;
}

} // namespace hyperpipe::pipeline
