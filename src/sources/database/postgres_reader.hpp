#pragma once
// Reading a PostgreSQL table or query as column batches: COPY (...) TO STDOUT in binary format
// through libpq, decoded by PgBinaryDecoder. A large table can be read in ranges of an integer
// key column over several connections that share one snapshot (as pg_dump does), so the ranges
// add up to one consistent table.
//
// Connection settings are a libpq URI or key=value string, or empty for the standard PG*
// environment variables; the password comes from the environment (PGPASSWORD) or a .pgpass
// file, as libpq reads them. TLS: when neither the connection string nor PGSSLMODE says
// otherwise, a server that is not on this machine is spoken to with sslmode=verify-full.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "sources/database/pg_settings.hpp"
#include "sources/database/pg_types.hpp"
#include "sources/row_source.hpp"

namespace hyperpipe::sources::database {

struct PostgresSpec {
  std::string source;     ///< the source's name, for messages (empty: the caller adds it)
  std::string connection; ///< URI or key=value; empty: PG* environment variables
  std::string table;      ///< "schema.table" or "table"; or
  std::string query;      ///< a SELECT
  /// Incremental: only rows whose `watermark_column` is above `watermark`, a condition that
  /// runs in PostgreSQL (the identifier quoted, the value escaped by libpq).
  std::string watermark_column;
  std::optional<std::string> watermark;
  /// Read in `parts` ranges of this integer column, each over its own connection.
  std::string partition_column;
  int parts = 1;
  std::size_t batch_rows = 65'536;
};

/// "source orders: " to begin a message with, or nothing when the caller names the source itself.
inline std::string named(const std::string& source) { return source.empty() ? std::string() : source + ": "; }

struct ReadProgress {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0; ///< COPY bytes received
};


class PostgresReader {
public:
  /// Connects and describes the result (its columns and their Hyper types); nothing is read yet.
  static Result<PostgresReader> open(const PostgresSpec& spec);
  PostgresReader(PostgresReader&&) noexcept;
  PostgresReader& operator=(PostgresReader&&) noexcept;
  ~PostgresReader();

  const std::vector<ColumnDefinition>& columns() const { return m_columns; }
  /// Lossy or unusual type mappings, one line each.
  const std::vector<std::string>& notes() const { return m_notes; }
  /// The statement(s) the read will send, for --dry-run and errors.
  std::string copy_statement(const std::string& range = {}) const;

  /// Streams every row to `sink` (batches of several ranges in no particular order); `progress`
  /// is called after each batch.
  Result<ReadProgress> read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress);

private:
  struct State;
  explicit PostgresReader(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
  std::vector<ColumnDefinition> m_columns;
  std::vector<std::string> m_notes;
};

} // namespace hyperpipe::sources::database
