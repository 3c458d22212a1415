#pragma once
// The one pump from row sources into an extract, shared by `hyperpipe load` (through load_files)
// and every pipeline source that stages rows (files, web APIs, databases): each source's tables
// and columns first (the union of several files merged, --schema overrides applied, a typo in
// them refused before anything is written), then each table's batches into its table writer, with
// the row accounting checked (read = loaded + rejected) and the file committed atomically.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/engine.hpp"
#include "hyperpipe/table.hpp"
#include "sources/rejects.hpp"
#include "sources/row_source.hpp"

namespace hyperpipe::pipeline {

/// One table of the extract and what fills it (with a JSON file's child tables, or an Excel
/// file's sheets, which its source names from `table`).
struct TableJob {
  TableName table;
  /// Their tables union into the same tables: each must have the same column names. Or:
  std::vector<std::unique_ptr<sources::RowSource>> sources;
  /// Parquet files, which hyperd reads itself as one set.
  std::vector<std::filesystem::path> parquet;
};

/// Where and how the jobs are written.
struct LoadTarget {
  std::filesystem::path output;
  bool append = false; ///< to the output's existing tables, instead of replacing the file
  std::optional<int> file_version;
  std::map<std::string, SqlType> column_types; ///< overrides, by column name
  /// Types were inferred from a sample: a value beyond one stops the load with `widen`.
  bool sampled = false;
  /// After each batch: rows loaded so far (child tables' not counted) and input bytes read.
  std::function<void(std::uint64_t rows, std::uint64_t bytes)> on_progress;
  /// `file_version` is a minimum: raised to what the planned column types need (and to 3 for
  /// Parquet, whose types hyperd alone knows), instead of refusing them.
  bool file_version_is_minimum = false;
  /// Let hyperd copy files itself where their source proves it reads them alike
  /// (RowSource::server_copy); false reads every file in hyperpipe (--no-server-copy).
  bool server_copy = true;
};

struct FileLoadSummary {
  std::filesystem::path file; ///< the source's name: a file, or a database source's name
  TableName table;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::vector<std::string> notes;
  std::uint64_t bytes = 0; ///< input bytes the source read, when it knows
};

struct LoadSummary {
  std::vector<FileLoadSummary> files;
  std::vector<TableDefinition> tables;
  bool widened_after_sample = false; ///< the sample's types were too narrow; the whole file was scanned
  int file_version = 0;              ///< of the file written
};

/// widen: a sampled type was too narrow; nothing was committed, infer from every row and retry.
enum class LoadOutcome { done, widen };

Result<LoadOutcome> load_sources(HyperEngine& engine, const LoadTarget& target, std::vector<TableJob>& jobs,
                                 sources::RejectSink& rejects, LoadSummary& summary);

} // namespace hyperpipe::pipeline
