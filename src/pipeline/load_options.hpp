#pragma once
// How to load files: the one options type `hyperpipe load` and the pipeline's file and web API
// sources fill, through setters that check each setting once for both.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/table.hpp"
#include "sources/csv/csv_source.hpp"
#include "sources/json/json_source.hpp"
#include "sources/xlsx/xlsx_source.hpp"

namespace hyperpipe::pipeline {

/// The largest --max-value-mb / max_value_mb.
inline constexpr std::int64_t k_max_value_mb_limit = 4096;

enum class CsvCharacter { delimiter, quote, escape };

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
  /// `file_version` is the least the file gets: a newer one when a column type needs it (a
  /// pipeline's staged sources), instead of an error (`hyperpipe load --file-version`).
  bool file_version_is_minimum = false;
  /// Plain CSV files copied by hyperd itself, checked (LoadTarget::server_copy).
  bool server_copy = true;
  std::map<std::string, SqlType> column_types; ///< --schema overrides, by column name
  sources::CsvOptions csv;
  sources::JsonOptions json;
  sources::XlsxOptions xlsx;
  std::optional<std::filesystem::path> reject_file; ///< unset: the first bad row stops the load
  /// Called after each batch with the rows loaded so far and the input files' bytes read so far
  /// (all inputs; bytes of CSV files only); Parquet reports at the end.
  std::function<void(std::uint64_t rows, std::uint64_t bytes)> on_progress;
  /// For one NDJSON input whose records were already seen (an API's, as they arrived): its
  /// discovery pass, so the file is read once instead of twice.
  std::shared_ptr<sources::JsonInference> json_inference;

  // Both front ends (`hyperpipe load` flags, pipeline source keys) set options through these, so
  // a setting is checked, and applied to every format it concerns, in one place. `setting` is
  // how the caller spells it, for the error ("--delimiter", "delimiter").
  /// One character, or "tab" / "\t".
  Status set_character(CsvCharacter which, std::string_view setting, std::string_view text);
  /// Unset: detected (CSV); Excel's first row names its columns unless told otherwise.
  void set_header(std::optional<bool> header);
  /// auto, utf-8, utf-16le, utf-16be, latin1 (CSV and JSON).
  Status set_encoding(std::string_view text);
  /// The largest record, cell or string read, in MiB (1 to k_max_value_mb_limit), for every format.
  Status set_max_value_mb(std::int64_t megabytes);
  /// Extra date and timestamp layouts, for every format.
  void set_value_formats(std::vector<std::string> date_formats, std::vector<std::string> timestamp_formats);
  /// A type that overrides inference for the named column ("numeric(10,2)").
  Status set_column_type(const std::string& column, std::string_view type);
  /// "fail", or "reject=FILE" to set bad rows aside in FILE.
  Status set_on_error(std::string_view text);
  /// The decimal mark, "." or "," (else detected from the sample).
  Status set_decimal(std::string_view text);
  /// The thousands separator: one of , . ' or "space", "nbsp", "narrow-nbsp"; "none" for none.
  Status set_thousands(std::string_view text);
  /// Dates that could be either (03/04/2026) are day-first, or month-first.
  void set_day_first(bool day_first);
};

} // namespace hyperpipe::pipeline
