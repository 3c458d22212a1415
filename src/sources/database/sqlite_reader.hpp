#pragma once
// Reading a SQLite table or query as column batches. SQLite's columns have declared types but
// its values carry their own storage class, so the Hyper type comes from the declared type
// (SQLite's affinity rules, plus the usual names for dates, times and booleans), or, for an
// expression without one, from the values of the first rows. A value that does not fit its
// column (text in an INTEGER column, 3.5 where an integer is declared) is an error naming the
// row, the column and the value: nothing is converted silently.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/database/postgres_reader.hpp"

namespace hyperpipe::sources::database {

struct SqliteSpec {
  std::string source;          ///< the source's name, for messages (empty: the caller adds it)
  std::filesystem::path file;  ///< opened read-only
  std::string table;           ///< a table; or
  std::string query;           ///< a SELECT
  /// Incremental: only rows whose `watermark_column` is above `watermark` (a bound parameter).
  /// Not pushed down for date, time and boolean columns, whose values SQLite may keep as text or
  /// numbers that do not compare with the watermark's text: the pipeline filters those itself.
  std::string watermark_column;
  std::optional<std::string> watermark;
  std::size_t batch_rows = 65'536;
};

/// The Hyper type for a declared SQLite column type; unset for an empty declaration.
std::optional<SqlType> sqlite_declared_type(std::string_view declared);

class SqliteReader {
public:
  static Result<SqliteReader> open(const SqliteSpec& spec);
  SqliteReader(SqliteReader&&) noexcept;
  SqliteReader& operator=(SqliteReader&&) noexcept;
  ~SqliteReader();

  const std::vector<ColumnDefinition>& columns() const { return m_columns; }
  const std::vector<std::string>& notes() const { return m_notes; }
  Result<ReadProgress> read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress);

private:
  struct State;
  explicit SqliteReader(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
  std::vector<ColumnDefinition> m_columns;
  std::vector<std::string> m_notes;
};

} // namespace hyperpipe::sources::database
