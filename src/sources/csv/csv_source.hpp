#pragma once
// A CSV/TXT file as a table source: dialect sniffed, column names cleaned up, types inferred
// from a sample, then rows converted into typed batches with every bad row reported by file and
// line (or set aside in a reject file).

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "io/input_stream.hpp"
#include "sources/csv/csv_reader.hpp"
#include "sources/rejects.hpp"
#include "sources/row_source.hpp"
#include "sources/text/regional.hpp"
#include "sources/text/text_values.hpp"
#include "sources/text/type_inference.hpp"

namespace hyperpipe::sources {

struct CsvOptions {
  std::optional<char> delimiter; ///< unset: sniffed
  std::optional<char> quote;
  std::optional<char> escape;
  std::optional<bool> header; ///< unset: detected
  io::TextEncoding encoding = io::TextEncoding::automatic;
  /// Unquoted fields equal to one of these are NULL. An unquoted empty field always is; a quoted
  /// empty field ("") is an empty string in a text column.
  std::vector<std::string> null_tokens;
  TextValueOptions values;
  /// Rows read to infer types; 0 reads the whole file first.
  std::size_t sample_rows = 10'000;
  /// Decimal mark, thousands separator, day-first dates: what is set wins over detection.
  RegionalSettings regional;
};

class CsvSource final : public RowSource {
public:
  static Result<std::unique_ptr<CsvSource>> open(const std::filesystem::path& path, const CsvOptions& options);

  const std::string& name() const override { return m_name; }

  /// One table, named `root`, its columns typed by the inference (from the sample, or every row),
  /// with the notes: the dialect, renamed columns (blank names become column_N, repeats get _2),
  /// the conventions detected.
  std::vector<SourceTable> tables(const TableName& root) const override;
  Result<TableRead> read(std::size_t index, const TableDefinition& definition, const std::vector<bool>& provisional,
                         const BatchSink& sink, RejectSink& rejects) override;
  /// The file's bytes read for the rows so far (the sample's reading not counted).
  std::uint64_t bytes_read() const override { return m_file_bytes.load(std::memory_order_relaxed); }
  /// A plain file (UTF-8, not compressed, no NULL words, no regional numbers or extra date
  /// layouts, quotes escaped by doubling, every column of a type copy_supports): hyperd may copy
  /// it, checked by CopyCheck (csv_server_copy.cpp).
  std::optional<ServerCopy> server_copy(std::size_t index, const TableDefinition& definition) const override;

private:
  CsvSource() = default;
  /// Converts up to `max_rows` rows into `batch`; 0 at the end. `widening` is set when a row
  /// needs a wider provisional type; the batch then holds the rows before it.
  Result<std::size_t> read_batch(ColumnBatch& batch, std::size_t max_rows, RejectSink& rejects,
                                 std::optional<NeedsWidening>& widening);
  bool is_null(std::string_view field, bool quoted) const;
  /// Types the sample's columns with m_column_values, and feeds `detect` and m_dates if given.
  Status sample(CsvReader& reader, std::size_t width, std::vector<TypeInference>& inferences, std::size_t& sampled,
                NumberFormatDetector* detect);
  /// The options each column is read with, from what the sample showed; true if any is regional.
  bool decide_conventions(const NumberFormatDetector& numbers);
  /// Widens `inferences` by the values in the file's last bytes (tail_sample.hpp), when they lie
  /// past `head_end` (the bytes the first sample read) and can be split into records.
  Status sample_tail(const std::filesystem::path& path, io::TextEncoding encoding, std::uint64_t head_end,
                     std::size_t width, std::vector<TypeInference>& inferences);
  /// Reads past Excel's "sep=" line, when the file starts with one.
  Status skip_separator_line(CsvReader& reader);

  std::string m_name;
  std::filesystem::path m_path; ///< absolute: hyperd's working folder is not ours
  CsvOptions m_options;
  CsvDialect m_dialect;
  std::unique_ptr<CsvReader> m_reader;
  std::vector<std::string> m_names;
  std::vector<TypeInference> m_inferences;
  std::vector<std::string> m_notes;
  std::vector<bool> m_inferred;
  CsvRecord m_record;
  bool m_separator_line = false;
  std::vector<TextValueOptions> m_column_values; ///< per column: the file's numbers, its dates
  std::vector<DateLayoutDetector> m_dates;       ///< per column, for the notes once names are known
  std::uint64_t m_rows_read = 0;
  std::atomic<std::uint64_t> m_file_bytes{0};
  std::uint64_t m_rows_rejected = 0;
};

} // namespace hyperpipe::sources
