#pragma once
// A CSV/TXT file as a table source: dialect sniffed, column names cleaned up, types inferred
// from a sample, then rows converted into typed batches with every bad row reported by file and
// line (or set aside in a reject file).

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
};

/// Why reading stopped early: a value outside the type inferred from the sample. The loader
/// then infers from the whole file and starts over (the sample was wrong, not the data).
struct NeedsWidening {
  std::size_t column;
  std::string value;
  std::uint64_t line;
};

class CsvSource {
public:
  static Result<std::unique_ptr<CsvSource>> open(const std::filesystem::path& path, const CsvOptions& options);

  const std::string& name() const { return m_name; }
  const CsvDialect& dialect() const { return m_dialect; }
  /// Column names after cleaning (blank names become column_N, duplicates get _2, _3...).
  const std::vector<std::string>& column_names() const { return m_names; }
  const std::vector<TypeInference>& inferences() const { return m_inferences; }
  /// Notes for the user: renamed columns, the detected dialect.
  const std::vector<std::string>& notes() const { return m_notes; }

  /// Fixes the columns rows are converted to (from the merged inference and any overrides).
  /// `inferred[i]` says whether column i's type came from inference (and may need widening).
  void set_columns(std::vector<ColumnDefinition> columns, std::vector<bool> inferred);
  const std::vector<ColumnDefinition>& columns() const { return m_columns; }

  /// Converts up to `max_rows` rows into `batch` (whose columns are columns()). Returns the rows
  /// added; 0 at the end. Bad rows go to `rejects`. `widening` is set when a row needs a wider
  /// inferred type; the batch then holds the rows before it.
  Result<std::size_t> read_batch(ColumnBatch& batch, std::size_t max_rows, RejectSink& rejects,
                                 std::optional<NeedsWidening>& widening);

  std::uint64_t rows_read() const { return m_rows_read; }
  std::uint64_t rows_rejected() const { return m_rows_rejected; }

private:
  CsvSource() = default;
  bool is_null(std::string_view field, bool quoted) const;

  std::string m_name;
  CsvOptions m_options;
  CsvDialect m_dialect;
  std::unique_ptr<CsvReader> m_reader;
  std::vector<std::string> m_names;
  std::vector<TypeInference> m_inferences;
  std::vector<std::string> m_notes;
  std::vector<ColumnDefinition> m_columns;
  std::vector<bool> m_inferred;
  CsvRecord m_record;
  std::uint64_t m_rows_read = 0;
  std::uint64_t m_rows_rejected = 0;
};

} // namespace hyperpipe::sources
