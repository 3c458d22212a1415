#include "pipeline/load_files.hpp"

#include <fmt/format.h>

#include <memory>

namespace hyperpipe::pipeline {
namespace {

constexpr std::size_t k_batch_rows = 65'536;

struct TableGroup {
  TableDefinition definition;
  std::vector<bool> inferred;
  std::vector<std::size_t> sources; ///< indexes into the opened sources
};

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
    const auto override_type = options.column_types.find(column);
    group.inferred.push_back(override_type == options.column_types.end());
    group.definition.add(column, override_type != options.column_types.end() ? override_type->second : merged[i].type());
  }
  return group;
}

Status check_overrides_exist(const std::vector<TableGroup>& groups, const LoadFilesOptions& options) {
  for (const auto& [column, type] : options.column_types) {
    bool found = false;
    for (const auto& group : groups) {
      found = found || group.definition.find_column(column).has_value();
    }
    if (!found) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("--schema names column \"{}\", which no input file has", column));
    }
  }
  return {};
}

enum class Attempt { done, widen };

Result<Attempt> load_once(HyperEngine& engine, const LoadFilesOptions& options, std::size_t sample_rows,
                          LoadSummary& summary) {
  sources::CsvOptions csv = options.csv;
  csv.sample_rows = sample_rows;
  std::vector<std::unique_ptr<sources::CsvSource>> opened;
  for (const auto& input : options.inputs) {
    HP_ASSIGN_OR_RETURN(auto source, sources::CsvSource::open(input, csv));
    opened.push_back(std::move(source));
  }
  std::vector<TableGroup> groups;
  if (options.table_per_file) {
    for (std::size_t i = 0; i < opened.size(); ++i) {
      const TableName name{options.table.schema, options.inputs[i].stem().string()};
      for (const auto& existing : groups) {
        if (existing.definition.name == name) {
          return make_error(ErrorKind::invalid_argument,
                            fmt::format("two inputs would both become table {}", name.quoted()));
        }
      }
      HP_ASSIGN_OR_RETURN(auto group, plan_table(name, opened, {i}, options));
      groups.push_back(std::move(group));
    }
  } else {
    std::vector<std::size_t> all(opened.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      all[i] = i;
    }
    HP_ASSIGN_OR_RETURN(auto group, plan_table(options.table, opened, all, options));
    groups.push_back(std::move(group));
  }
  HP_TRY(check_overrides_exist(groups, options));

  ExtractOptions extract_options{options.append ? CreateMode::create_if_missing : CreateMode::replace,
                                 options.file_version};
  HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine, options.output, extract_options));
  std::unique_ptr<sources::RejectSink> rejects =
      options.reject_file ? sources::reject_to_file(*options.reject_file) : sources::fail_on_error();
  summary = {};
  for (const auto& group : groups) {
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
