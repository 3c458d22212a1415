#pragma once
// `hyperpipe load`: files → one table (their union) or one table per file → a .hyper extract.
// The one place that ties sources, the extract writer and reject handling together for a
// one-off load.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/engine.hpp"
#include "hyperpipe/extract.hpp"
#include "sources/csv/csv_source.hpp"
#include "sources/json/json_source.hpp"
#include "sources/xlsx/xlsx_source.hpp"

namespace hyperpipe::pipeline {

/// How to read the inputs; automatic: Parquet by content, else by extension (.json/.ndjson/
/// .jsonl, .xlsx/.xlsm, anything else is delimited text).
enum class InputFormat { automatic, text, json, xlsx, parquet };

struct LoadFilesOptions {
  std::vector<std::filesystem::path> inputs;
  InputFormat format = InputFormat::automatic;
  std::filesystem::path output;
  TableName table;              ///< the union's table (default "Extract"."Extract")
  bool table_per_file = false;  ///< else every file goes into `table`
  bool append = false;          ///< append to the output's existing tables instead of replacing the file
  std::optional<int> file_version;
  std::map<std::string, SqlType> column_types; ///< --schema overrides, by column name
  sources::CsvOptions csv;
  sources::JsonOptions json;
  sources::XlsxOptions xlsx;
  std::optional<std::filesystem::path> reject_file; ///< unset: the first bad row stops the load
  /// Called after each batch with the rows loaded so far (all inputs); Parquet reports at the end.
  std::function<void(std::uint64_t rows)> on_rows;
  /// For one NDJSON input whose records were already seen (an API's, as they arrived): its
  /// discovery pass, so the file is read once instead of twice.
  std::shared_ptr<sources::JsonInference> json_inference;
};

struct FileLoadSummary {
  std::filesystem::path file;
  TableName table;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::vector<std::string> notes;
};

struct LoadSummary {
  std::vector<FileLoadSummary> files;
  std::vector<TableDefinition> tables;
  bool widened_after_sample = false; ///< the sample's types were too narrow; the whole file was scanned
};

Result<LoadSummary> load_files(HyperEngine& engine, const LoadFilesOptions& options);

} // namespace hyperpipe::pipeline
