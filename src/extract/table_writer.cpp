#include <fmt/format.h>

#include "base/quoting.hpp"
#include "extract/extract_state.hpp"
#include "hyper/copy/hyperbinary_encoder.hpp"
#include "hyper/loader/copy_stream.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe {
namespace {

// Large enough that per-message overhead vanishes, small enough that k_max_in_flight buffers
// plus the one being filled stay far below the memory budget.
constexpr std::size_t k_flush_bytes = 8U << 20U;

bool has_geography(const TableDefinition& table) {
  for (const auto& column : table.columns) {
    if (column.type.kind() == TypeKind::geography) {
      return true;
    }
  }
  return false;
}

} // namespace

struct TableWriter::State {
  std::shared_ptr<ExtractWriter::State> extract;
  TableDefinition table;
  std::string staging; ///< temporary table for geography (WKT text), empty when not needed
  std::unique_ptr<hyper::CopyStream> stream;
  std::string buffer;
  std::uint64_t rows = 0;
  bool finished = false;

  void release() {
    if (stream) {
      stream->abort("hyperpipe abandoned the load");
      stream.reset();
    }
    if (!staging.empty() && extract->connection) {
      auto ignored = extract->connection->execute("DROP TABLE IF EXISTS " + base::quote_identifier(staging));
      (void)ignored;
    }
    extract->table_writer_active = false;
  }
  ~State() {
    if (!finished) {
      release();
    }
  }
};

Result<TableWriter> ExtractWriter::write_to(const TableName& name) {
  HP_TRY(m_state->check_usable());
  const auto found = m_state->tables.find(name.quoted());
  if (found == m_state->tables.end()) {
    return make_error(ErrorKind::not_found, fmt::format("table {} is not in the extract", name.quoted()),
                      "add_table() or ensure_table() it first");
  }
  // hyperd announces a COPY with a message of 2 bytes per column, and libpq drops the connection
  // on any such message over 30,000 bytes: past this many columns a COPY cannot even start.
  constexpr std::size_t k_max_copy_columns = (30'000 - 7) / 2;
  if (found->second.columns.size() > k_max_copy_columns) {
    return make_error(ErrorKind::unsupported,
                      fmt::format("table {} has {} columns; hyperpipe can load at most {} columns into one table "
                                  "(the PostgreSQL protocol library, libpq, refuses a COPY of more)",
                                  name.quoted(), found->second.columns.size(), k_max_copy_columns),
                      "split the columns over several tables, or load fewer columns");
  }
  auto state = std::make_unique<TableWriter::State>();
  state->extract = m_state;
  state->table = found->second;
  hyper::Connection& connection = *m_state->connection;
  std::string target = sql::qualified(m_state->alias, state->table.name);
  if (has_geography(state->table)) {
    // hyperd accepts geography only through a cast from WKT text: stage, then INSERT ... SELECT.
    state->staging = fmt::format("hp_staging_{}", m_state->next_staging++);
    HP_TRY(connection.execute(sql::create_staging_table(state->staging, state->table)));
    target = base::quote_identifier(state->staging);
  }
  m_state->table_writer_active = true;
  auto stream = hyper::CopyStream::begin(connection, sql::copy_from_stdin(target, state->table));
  if (!stream) {
    state->release();
    state->finished = true;
    return std::move(stream).error();
  }
  state->stream = std::move(stream).value();
  state->buffer.append(copy::k_hyperbinary_header);
  return TableWriter(std::move(state));
}

TableWriter::TableWriter(std::unique_ptr<State> state) : m_state(std::move(state)) {}
TableWriter::TableWriter(TableWriter&&) noexcept = default;
TableWriter& TableWriter::operator=(TableWriter&&) noexcept = default;
TableWriter::~TableWriter() = default;

std::uint64_t TableWriter::rows_written() const { return m_state->rows; }

Status TableWriter::write(const ColumnBatch& batch) {
  State& state = *m_state;
  if (state.finished) {
    return make_error(ErrorKind::invalid_argument, "this TableWriter is already finished");
  }
  if (batch.column_count() != state.table.columns.size()) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("table {} has {} columns, the batch {}", state.table.name.quoted(),
                                  state.table.columns.size(), batch.column_count()));
  }
  for (std::size_t i = 0; i < batch.column_count(); ++i) {
    const ColumnDefinition& expected = state.table.columns[i];
    const ColumnDefinition& given = batch.column(i).definition();
    // The byte layout depends on type and nullability: a mismatch would silently misalign rows.
    if (given.type != expected.type || given.nullability != expected.nullability) {
      return make_error(ErrorKind::schema_mismatch,
                        fmt::format("table {}, column {} (\"{}\"): the table has {}{}, the batch {}{}",
                                    state.table.name.quoted(), i + 1, expected.name, expected.type.sql(),
                                    expected.nullable() ? "" : " NOT NULL", given.type.sql(),
                                    given.nullable() ? "" : " NOT NULL"));
    }
  }
  HP_TRY(copy::encode_rows(batch, state.buffer));
  state.rows += batch.row_count();
  if (state.buffer.size() >= k_flush_bytes) {
    HP_TRY(state.stream->send(std::move(state.buffer)));
    state.buffer = state.stream->take_buffer();
  }
  return {};
}

Result<std::uint64_t> TableWriter::finish() {
  State& state = *m_state;
  if (state.finished) {
    return make_error(ErrorKind::invalid_argument, "this TableWriter is already finished");
  }
  state.finished = true;
  auto fail = [&](Error error) -> Result<std::uint64_t> {
    state.release();
    return error;
  };
  if (!state.buffer.empty()) {
    if (auto sent = state.stream->send(std::move(state.buffer)); !sent) {
      return fail(std::move(sent).error());
    }
  }
  auto copied = state.stream->finish();
  state.stream.reset();
  if (!copied) {
    return fail(std::move(copied).error());
  }
  if (*copied != state.rows) {
    // The rows are in the table already: make sure this extract can never be committed.
    state.release();
    state.extract->abandon();
    return make_error(ErrorKind::internal, fmt::format("hyperd stored {} rows of {} sent to {}", *copied, state.rows,
                                                       state.table.name.quoted()));
  }
  if (!state.staging.empty()) {
    auto inserted = state.extract->connection->execute(
        sql::insert_from_staging(state.extract->alias, state.table, state.staging));
    if (!inserted) {
      return fail(std::move(inserted).error());
    }
  }
  state.release();
  return state.rows;
}

} // namespace hyperpipe
