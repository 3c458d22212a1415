#pragma once
// Reading any ODBC data source (unixODBC and a driver: Snowflake, Redshift, SQL Server,
// Databricks, PostgreSQL, SQLite ...) as column batches. Result columns are mapped from their
// ODBC SQL types to Hyper types; rows are fetched in blocks (column-wise bound arrays, 1,024
// rows a call) and, when a column is unbounded (LONGVARCHAR and the like), row by row with
// SQLGetData so that no value is ever cut short. Text is fetched as UTF-16 (SQL_C_WCHAR) and
// converted to UTF-8, so the result does not depend on the driver's or the locale's code page.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/database/postgres_reader.hpp"

namespace hyperpipe::sources::database {

struct OdbcSpec {
  std::string source;     ///< the source's name, for messages (empty: the caller adds it)
  std::string connection; ///< an ODBC connection string: "DSN=warehouse;UID=me;PWD=..." or "Driver={...};..."
  std::string table;      ///< a table; or
  std::string query;      ///< a query in the database's own SQL
  /// Incremental: the query is read as a derived table (from the first run on, so a query that
  /// cannot be one fails at once), with `WHERE column > ?` bound to `watermark` once there is one.
  std::string watermark_column;
  std::optional<std::string> watermark;
  std::size_t batch_rows = 65'536;
  std::size_t block_rows = 1'024;
};

/// How an ODBC SQL type maps (exposed for tests).
struct OdbcMapping {
  SqlType type;
  bool exact = true; ///< false: loaded with a note (a wider or textual stand-in)
};
OdbcMapping map_odbc_type(int sql_type, std::size_t column_size, int decimal_digits);

class OdbcReader {
public:
  static Result<OdbcReader> open(const OdbcSpec& spec);
  OdbcReader(OdbcReader&&) noexcept;
  OdbcReader& operator=(OdbcReader&&) noexcept;
  ~OdbcReader();

  const std::vector<ColumnDefinition>& columns() const { return m_columns; }
  const std::vector<std::string>& notes() const { return m_notes; }
  Result<ReadProgress> read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress);

private:
  struct State;
  explicit OdbcReader(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
  std::vector<ColumnDefinition> m_columns;
  std::vector<std::string> m_notes;
};

} // namespace hyperpipe::sources::database
