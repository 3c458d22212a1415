#include "pipeline/load_sources.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "hyperpipe/extract.hpp"
#include "sources/parquet/parquet_source.hpp"

namespace hyperpipe::pipeline {
namespace {

// One table to write: its columns after merging and overrides, and which types are provisional.
struct PlannedTable {
  TableDefinition definition;
  std::vector<bool> provisional;
  bool child = false;
  std::vector<std::vector<std::string>> notes; ///< per source
};

std::vector<std::string> names_of(const TableDefinition& table) {
  std::vector<std::string> names;
  for (const auto& column : table.columns) {
    names.push_back(column.name);
  }
  return names;
}

// Every source of a job offers the same tables; they are merged into one plan per table: the same
// column names in the same order, types widened to hold every source's values (or, for sources
// that declare them, equal), --schema overrides applied.
Result<std::vector<PlannedTable>> plan_job(const TableJob& job, const LoadTarget& target) {
  const sources::RowSource& first = *job.sources.front();
  std::vector<sources::SourceTable> merged = first.tables(job.table);
  std::vector<PlannedTable> planned(merged.size());
  for (std::size_t t = 0; t < merged.size(); ++t) {
    planned[t].notes.push_back(merged[t].notes);
  }
  for (std::size_t s = 1; s < job.sources.size(); ++s) {
    const sources::RowSource& other = *job.sources[s];
    const auto tables = other.tables(job.table);
    for (std::size_t t = 0; t < merged.size(); ++t) {
      auto& into = merged[t];
      const bool same_names = t < tables.size() && names_of(tables[t].definition) == names_of(into.definition);
      if (tables.size() != merged.size() || !same_names) {
        return make_error(ErrorKind::schema_mismatch,
                          fmt::format("{} has columns ({}) but {} has ({})", other.name(),
                                      fmt::join(t < tables.size() ? names_of(tables[t].definition) : std::vector<std::string>{}, ", "),
                                      first.name(), fmt::join(names_of(into.definition), ", ")),
                          "files loaded into one table need the same header; use --table-per-file to keep them apart");
      }
      for (std::size_t c = 0; c < into.definition.columns.size(); ++c) {
        auto& column = into.definition.columns[c];
        if (!into.inferences.empty() && !tables[t].inferences.empty()) {
          into.inferences[c].merge(tables[t].inferences[c]);
          column.type = into.inferences[c].type();
        } else if (column.type != tables[t].definition.columns[c].type) {
          return make_error(ErrorKind::schema_mismatch,
                            fmt::format("{}: column \"{}\" is {} but in {} it is {}", other.name(), column.name,
                                        tables[t].definition.columns[c].type.sql(), first.name(), column.type.sql()));
        }
      }
      planned[t].notes.push_back(tables[t].notes);
    }
  }
  for (std::size_t t = 0; t < merged.size(); ++t) {
    planned[t].definition = std::move(merged[t].definition);
    planned[t].child = merged[t].child;
    for (auto& column : planned[t].definition.columns) {
      const auto override_type = target.column_types.find(column.name);
      planned[t].provisional.push_back(override_type == target.column_types.end());
      if (override_type != target.column_types.end()) {
        column.type = override_type->second;
      }
    }
  }
  return planned;
}

Status check_overrides_exist(const std::vector<TableDefinition>& tables, const LoadTarget& target) {
  for (const auto& [column, type] : target.column_types) {
    const bool found = std::any_of(tables.begin(), tables.end(),
                                   [&](const TableDefinition& table) { return table.find_column(column).has_value(); });
    if (!found) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("--schema names column \"{}\", which no input file has", column));
    }
  }
  return {};
}

// Parquet goes straight from the files into the table inside hyperd.
Result<std::uint64_t> load_parquet(ExtractWriter& writer, const TableJob& job, const LoadTarget& target,
                                   LoadSummary& summary) {
  const auto& files = job.parquet;
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
  HP_ASSIGN_OR_RETURN(auto columns, sources::parquet_columns(*schema, type_names, target.column_types, name));
  TableDefinition table{job.table, columns, {}, {}};
  HP_TRY(target.append ? writer.ensure_table(table) : writer.add_table(table));
  HP_ASSIGN_OR_RETURN(std::uint64_t rows, writer.execute(sources::parquet_insert_sql(job.table, columns, files)));
  // hyperd reads the files as one set: the rows are accounted to the set, on its first file.
  for (std::size_t i = 0; i < files.size(); ++i) {
    summary.files.push_back({files[i], job.table, i == 0 ? rows : 0, i == 0 ? rows : 0, 0,
                             {i == 0 ? "Parquet, read by hyperd" : "Parquet, counted with the first file"}});
  }
  summary.tables.push_back(table);
  return rows;
}

// Rows and bytes so far, across every source, for the progress display.
class Progress {
public:
  explicit Progress(const LoadTarget& target) : m_target(target) {}
  void add_rows(std::uint64_t rows, std::uint64_t bytes_now) {
    m_rows += rows;
    report(bytes_now);
  }
  /// Rows counted by a read that was then abandoned (and will be read again).
  void take_back(std::uint64_t rows) { m_rows -= rows; }
  void source_done(std::uint64_t bytes) { m_bytes_done += bytes; }
  void report(std::uint64_t bytes_now) const {
    if (m_target.on_progress) {
      m_target.on_progress(m_rows, m_bytes_done + bytes_now);
    }
  }

private:
  const LoadTarget& m_target;
  std::uint64_t m_rows = 0;
  std::uint64_t m_bytes_done = 0;
};

// One source's rows of one table into its writer, accounted.
Result<LoadOutcome> pump(sources::RowSource& source, std::size_t index, const PlannedTable& table, TableWriter& writer,
                         const LoadTarget& target, sources::RejectSink& rejects, Progress& progress,
                         FileLoadSummary& file) {
  std::uint64_t loaded = 0;
  HP_ASSIGN_OR_RETURN(const sources::TableRead read,
                      source.read(index, table.definition, table.provisional,
                                  [&](const ColumnBatch& batch) -> Status {
                                    HP_TRY(writer.write(batch));
                                    loaded += batch.row_count();
                                    progress.add_rows(table.child ? 0 : batch.row_count(), source.bytes_read());
                                    return {};
                                  },
                                  rejects));
  if (read.widening) {
    if (!target.sampled) {
      const auto& widening = *read.widening;
      return make_error(ErrorKind::internal,
                        fmt::format("{}:{}: \"{}\" does not fit column \"{}\" although the whole file was scanned",
                                    source.name(), widening.line, widening.value,
                                    table.definition.columns.at(widening.column).name));
    }
    return LoadOutcome::widen; // the writer is abandoned: nothing of this attempt is kept
  }
  if (read.rows_read != loaded + read.rows_rejected) {
    return make_error(ErrorKind::internal, fmt::format("{}: table {}: {} rows read but {} loaded and {} rejected",
                                                       source.name(), table.definition.name.quoted(), read.rows_read,
                                                       loaded, read.rows_rejected));
  }
  file.rows_read = read.rows_read;
  file.rows_loaded = loaded;
  file.rows_rejected = read.rows_rejected;
  file.notes.insert(file.notes.end(), read.notes.begin(), read.notes.end());
  file.bytes = source.bytes_read();
  progress.source_done(file.bytes);
  return LoadOutcome::done;
}

enum class ServerCopyOutcome { copied, not_copied, widen };

// hyperd reads the file itself when its source proves, record by record while hyperd copies,
// that hyperd reads every value as the source would (sources/csv/copy_check.hpp). On any doubt
// the copy is rolled back: the source then reads the file as always, or, for a value beyond a
// type the sample gave, the load starts over with wider types (as the source's read would).
Result<ServerCopyOutcome> copy_on_server(ExtractWriter& writer, sources::RowSource& source, std::size_t index,
                                         const PlannedTable& table, const LoadTarget& target, Progress& progress,
                                         FileLoadSummary& file) {
  const auto copy = source.server_copy(index, table.definition);
  if (!copy) {
    return ServerCopyOutcome::not_copied;
  }
  std::uint64_t counted = 0;
  std::uint64_t bytes = 0;
  std::optional<sources::NeedsWidening> widening;
  const auto check = [&](const std::atomic<bool>& copy_failed) {
    sources::FileScan scan = copy->scan(copy_failed, [&](std::uint64_t rows, std::uint64_t bytes_now) {
      progress.add_rows(rows - counted, bytes_now);
      counted = rows;
      bytes = bytes_now;
    });
    widening = std::move(scan.widening);
    return ExtractWriter::FileCheck{scan.rows, std::move(scan.doubt)};
  };
  HP_ASSIGN_OR_RETURN(const auto copied, writer.copy_file_checked(table.definition.name, copy->file, copy->with_options, check));
  if (!copied.rows) {
    progress.take_back(counted);
    if (widening && target.sampled && widening->column < table.provisional.size() && table.provisional[widening->column]) {
      return ServerCopyOutcome::widen;
    }
    file.notes.push_back(fmt::format("read by hyperpipe after hyperd's own COPY was tried: {}", copied.why_not));
    return ServerCopyOutcome::not_copied;
  }
  file.rows_read = *copied.rows;
  file.rows_loaded = *copied.rows;
  file.bytes = bytes;
  file.notes.emplace_back("copied by hyperd itself, every record checked to read as hyperpipe reads it");
  progress.add_rows(*copied.rows - counted, bytes);
  progress.source_done(bytes);
  return ServerCopyOutcome::copied;
}

} // namespace

Result<LoadOutcome> load_sources(HyperEngine& engine, const LoadTarget& target, std::vector<TableJob>& jobs,
                                 sources::RejectSink& rejects, LoadSummary& summary) {
  // Schema first: every table is known before anything is written.
  std::vector<std::vector<PlannedTable>> planned(jobs.size());
  std::vector<TableDefinition> known;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!jobs[j].sources.empty()) {
      HP_ASSIGN_OR_RETURN(planned[j], plan_job(jobs[j], target));
      for (const auto& table : planned[j]) {
        known.push_back(table.definition);
      }
    }
  }
  // Parquet's columns are known only to hyperd: then the check waits until they are loaded.
  if (std::none_of(jobs.begin(), jobs.end(), [](const TableJob& job) { return !job.parquet.empty(); })) {
    HP_TRY(check_overrides_exist(known, target));
  }

  std::optional<int> version = target.file_version;
  if (target.file_version_is_minimum && version) {
    for (const auto& table : known) {
      for (const auto& column : table.columns) {
        version = std::max(*version, column.type.minimum_file_version());
      }
    }
    if (std::any_of(jobs.begin(), jobs.end(), [](const TableJob& job) { return !job.parquet.empty(); })) {
      version = std::max(*version, 3); // DECIMAL(20,2) and the like are known only once hyperd reads them
    }
  }
  const ExtractOptions options{target.append ? CreateMode::create_if_missing : CreateMode::replace, version};
  HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine, target.output, options));
  summary = {};
  summary.file_version = writer.file_version();
  Progress progress(target);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!jobs[j].parquet.empty()) {
      HP_ASSIGN_OR_RETURN(const std::uint64_t rows, load_parquet(writer, jobs[j], target, summary));
      progress.add_rows(rows, 0);
      continue;
    }
    for (std::size_t t = 0; t < planned[j].size(); ++t) {
      const PlannedTable& table = planned[j][t];
      HP_TRY(target.append ? writer.ensure_table(table.definition) : writer.add_table(table.definition));
      std::optional<TableWriter> table_writer; // opened for the first source hyperd does not copy
      for (std::size_t s = 0; s < jobs[j].sources.size(); ++s) {
        sources::RowSource& source = *jobs[j].sources[s];
        FileLoadSummary file{source.name(), table.definition.name, 0, 0, 0, table.notes[s], 0};
        if (!table_writer && target.server_copy) {
          HP_ASSIGN_OR_RETURN(const auto copied, copy_on_server(writer, source, t, table, target, progress, file));
          if (copied == ServerCopyOutcome::widen) {
            return LoadOutcome::widen;
          }
          if (copied == ServerCopyOutcome::copied) {
            summary.files.push_back(std::move(file));
            continue;
          }
        }
        if (!table_writer) {
          HP_ASSIGN_OR_RETURN(auto opened, writer.write_to(table.definition.name));
          table_writer.emplace(std::move(opened));
        }
        HP_ASSIGN_OR_RETURN(const LoadOutcome outcome, pump(source, t, table, *table_writer, target, rejects, progress, file));
        if (outcome == LoadOutcome::widen) {
          return outcome;
        }
        summary.files.push_back(std::move(file));
      }
      if (table_writer) {
        HP_TRY(table_writer->finish());
      }
      summary.tables.push_back(table.definition);
    }
  }
  HP_TRY(check_overrides_exist(summary.tables, target));
  HP_TRY(writer.commit());
  return LoadOutcome::done;
}

} // namespace hyperpipe::pipeline
