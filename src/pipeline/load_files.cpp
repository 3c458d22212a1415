#include "pipeline/load_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "sources/csv/csv_source.hpp"
#include "sources/json/json_source.hpp"
#include "sources/parquet/parquet_source.hpp"
#include "sources/xlsx/xlsx_source.hpp"

namespace hyperpipe::pipeline {
namespace {

using Format = InputFormat;

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

// Each input of a job opened as its format's row source (CSV types inferred from `sample_rows`).
Result<TableJob> open_job(const Job& job, const LoadFilesOptions& options, std::size_t sample_rows) {
  TableJob opened{job.table, {}, {}};
  sources::CsvOptions csv = options.csv;
  csv.sample_rows = sample_rows;
  for (std::size_t index : job.inputs) {
    const auto& input = options.inputs[index];
    switch (job.format) {
    case Format::parquet: opened.parquet.push_back(input); break;
    case Format::json: {
      HP_ASSIGN_OR_RETURN(auto source, options.json_inference ? options.json_inference->finish(input)
                                                              : sources::JsonSource::open(input, options.json));
      opened.sources.push_back(std::move(source));
      break;
    }
    case Format::xlsx: {
      HP_ASSIGN_OR_RETURN(auto source, sources::XlsxSource::open(input, options.xlsx));
      opened.sources.push_back(std::move(source));
      break;
    }
    default: {
      HP_ASSIGN_OR_RETURN(auto source, sources::CsvSource::open(input, csv));
      opened.sources.push_back(std::move(source));
    }
    }
  }
  return opened;
}

Result<LoadOutcome> load_once(HyperEngine& engine, const LoadFilesOptions& options, std::size_t sample_rows,
                              LoadSummary& summary) {
  HP_ASSIGN_OR_RETURN(auto jobs, plan_jobs(options));
  std::vector<TableJob> opened;
  for (const auto& job : jobs) {
    HP_ASSIGN_OR_RETURN(auto table_job, open_job(job, options, sample_rows));
    opened.push_back(std::move(table_job));
  }
  LoadTarget target{options.output, options.append, options.file_version, options.column_types, sample_rows != 0, {}};
  target.file_version_is_minimum = options.file_version_is_minimum;
  target.server_copy = options.server_copy;
  target.on_progress = options.on_progress;
  std::unique_ptr<sources::RejectSink> rejects =
      options.reject_file ? sources::reject_to_file(*options.reject_file) : sources::fail_on_error();
  return load_sources(engine, target, opened, *rejects, summary);
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
  HP_ASSIGN_OR_RETURN(LoadOutcome attempt, load_once(engine, options, options.csv.sample_rows, summary));
  if (attempt == LoadOutcome::widen) {
    // The sample was not representative: infer from every row, then load again from scratch.
    HP_ASSIGN_OR_RETURN(LoadOutcome again, load_once(engine, options, 0, summary));
    (void)again;
    summary.widened_after_sample = true;
  }
  return summary;
}

} // namespace hyperpipe::pipeline
