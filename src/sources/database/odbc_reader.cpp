#include "sources/database/odbc_reader.hpp"

#include <iconv.h>
#include <sql.h>
#include <sqlext.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "sources/database/query_text.hpp"
#include "sources/text/text_values.hpp"

namespace hyperpipe::sources::database {
namespace {

// Columns up to this many characters (or bytes) are fetched in blocks; wider or unbounded ones
// row by row, in pieces, so that no value is cut short.
constexpr std::size_t k_max_bound_size = 4'000;
constexpr std::size_t k_piece_bytes = 64 * 1024;

struct Handle {
  SQLSMALLINT type = 0;
  SQLHANDLE handle = SQL_NULL_HANDLE;
  Handle() = default;
  Handle(SQLSMALLINT t, SQLHANDLE h) : type(t), handle(h) {}
  Handle(Handle&& other) noexcept : type(other.type), handle(std::exchange(other.handle, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    std::swap(type, other.type);
    std::swap(handle, other.handle);
    return *this;
  }
  ~Handle() {
    if (handle != SQL_NULL_HANDLE) {
      if (type == SQL_HANDLE_DBC) {
        SQLDisconnect(handle);
      }
      SQLFreeHandle(type, handle);
    }
  }
};

std::string diagnostics(SQLSMALLINT type, SQLHANDLE handle, std::string* first_state = nullptr) {
  std::string out;
  for (SQLSMALLINT record = 1;; ++record) {
    SQLCHAR state[6] = {};
    SQLCHAR text[1024] = {};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, handle, record, state, &native, text, sizeof text, &length))) {
      break;
    }
    if (first_state != nullptr && first_state->empty()) {
      *first_state = reinterpret_cast<char*>(state);
    }
    out += fmt::format("{}[{}] {}", out.empty() ? "" : "; ", reinterpret_cast<char*>(state), reinterpret_cast<char*>(text));
  }
  return out.empty() ? "no diagnostics from the driver" : out;
}

enum class Fetch { bit, int64, float64, decimal_text, wtext, binary, date, time, timestamp };

struct Binding {
  Fetch fetch = Fetch::wtext;
  SQLSMALLINT c_type = SQL_C_WCHAR;
  SQLLEN width = 0; ///< bytes per row in the bound buffer
  bool bounded = true;
  std::vector<char> buffer;
  std::vector<SQLLEN> indicators;
};

Binding binding_of(Fetch fetch, SQLSMALLINT c_type, SQLLEN width) {
  Binding binding;
  binding.fetch = fetch;
  binding.c_type = c_type;
  binding.width = width;
  return binding;
}

/// UTF-16LE (SQLWCHAR on unixODBC) to UTF-8 with glibc's iconv.
class Utf16ToUtf8 {
public:
  Utf16ToUtf8() : m_cd(iconv_open("UTF-8", "UTF-16LE")) {}
  ~Utf16ToUtf8() {
    if (m_cd != reinterpret_cast<iconv_t>(-1)) {
      iconv_close(m_cd);
    }
  }
  Utf16ToUtf8(const Utf16ToUtf8&) = delete;
  Utf16ToUtf8& operator=(const Utf16ToUtf8&) = delete;

  std::optional<std::string_view> convert(const char* data, std::size_t bytes) {
    m_out.resize(bytes * 2 + 4);
    char* in = const_cast<char*>(data);
    std::size_t in_left = bytes;
    char* out = m_out.data();
    std::size_t out_left = m_out.size();
    iconv(m_cd, nullptr, nullptr, nullptr, nullptr);
    if (iconv(m_cd, &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1)) {
      return std::nullopt;
    }
    return std::string_view(m_out.data(), m_out.size() - out_left);
  }

private:
  iconv_t m_cd;
  std::string m_out;
};

} // namespace

OdbcMapping map_odbc_type(int sql_type, std::size_t column_size, int decimal_digits) {
  switch (sql_type) {
  case SQL_BIT: return {SqlType::boolean()};
  case SQL_TINYINT:
  case SQL_SMALLINT: return {SqlType::small_int()};
  case SQL_INTEGER: return {SqlType::integer()};
  case SQL_BIGINT: return {SqlType::big_int()};
  case SQL_REAL:
  case SQL_FLOAT:
  case SQL_DOUBLE: return {SqlType::double_precision()};
  case SQL_DECIMAL:
  case SQL_NUMERIC:
    if (column_size >= 1 && column_size <= 38 && decimal_digits >= 0 && static_cast<std::size_t>(decimal_digits) <= column_size) {
      return {SqlType::numeric(static_cast<int>(column_size), decimal_digits)};
    }
    return {SqlType::double_precision(), false};
  case SQL_CHAR:
  case SQL_VARCHAR:
  case SQL_LONGVARCHAR:
  case SQL_WCHAR:
  case SQL_WVARCHAR:
  case SQL_WLONGVARCHAR:
  case SQL_GUID: return {SqlType::text()};
  case SQL_BINARY:
  case SQL_VARBINARY:
  case SQL_LONGVARBINARY: return {SqlType::bytes()};
  case SQL_TYPE_DATE: return {SqlType::date()};
  case SQL_TYPE_TIME: return {SqlType::time()};
  case SQL_TYPE_TIMESTAMP: return {SqlType::timestamp()};
  default: return {SqlType::text(), false};
  }
}

struct OdbcReader::State {
  OdbcSpec spec;
  Handle environment;
  Handle connection;
  Handle statement;
  std::vector<Binding> bindings;
  bool block = true; ///< every column bound: fetch block_rows at a time
  std::string parameter; ///< the watermark, bound to the statement's one parameter
  SQLLEN parameter_length = 0;

  Error error(std::string what, SQLSMALLINT type, SQLHANDLE handle, ErrorKind kind = ErrorKind::sql) const {
    std::string state;
    const std::string text = diagnostics(type, handle, &state);
    std::string hint = "check the query: it runs as written, in the database's own SQL";
    if (state == "28000") {
      hint = "check the user and password (UID/PWD, from the environment: PWD=${DB_PASSWORD})";
    } else if (state == "IM002" || state == "01000") {
      hint = "the data source or driver is not known to unixODBC: odbcinst -q -d lists drivers, odbcinst -q -s data sources";
    } else if (state.starts_with("08")) {
      hint = "check the host and port in the connection string, and that the server is reachable from here";
    }
    return make_error(kind, fmt::format("{}{}: {}", named(spec.source), what, text), hint);
  }
};

OdbcReader::OdbcReader(std::unique_ptr<State> state) : m_state(std::move(state)) {}
OdbcReader::OdbcReader(OdbcReader&&) noexcept = default;
OdbcReader& OdbcReader::operator=(OdbcReader&&) noexcept = default;
OdbcReader::~OdbcReader() = default;

Result<OdbcReader> OdbcReader::open(const OdbcSpec& spec) {
  auto state = std::make_unique<State>();
  state->spec = spec;
  SQLHANDLE handle = SQL_NULL_HANDLE;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &handle))) {
    return make_error(ErrorKind::internal, fmt::format("{}cannot start ODBC (unixODBC)", named(spec.source)));
  }
  state->environment = Handle(SQL_HANDLE_ENV, handle);
  SQLSetEnvAttr(handle, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, state->environment.handle, &handle))) {
    return state->error("cannot allocate a connection", SQL_HANDLE_ENV, state->environment.handle, ErrorKind::internal);
  }
  state->connection = Handle(SQL_HANDLE_DBC, handle);
  SQLSetConnectAttr(handle, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(15), 0);
  SQLSetConnectAttr(handle, SQL_ATTR_ACCESS_MODE, reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);
  std::string connection = spec.connection;
  if (!SQL_SUCCEEDED(SQLDriverConnect(handle, nullptr, reinterpret_cast<SQLCHAR*>(connection.data()), SQL_NTS, nullptr, 0,
                                      nullptr, SQL_DRIVER_NOPROMPT))) {
    return state->error("cannot connect through ODBC", SQL_HANDLE_DBC, handle, ErrorKind::connection);
  }
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, handle, &handle))) {
    return state->error("cannot allocate a statement", SQL_HANDLE_DBC, state->connection.handle, ErrorKind::internal);
  }
  state->statement = Handle(SQL_HANDLE_STMT, handle);
  // The table as the database spells it (quoting would change its case rules).
  const std::string base = spec.query.empty() ? fmt::format("SELECT * FROM {}", spec.table) : spec.query;
  // An incremental source reads a derived table; otherwise the query runs exactly as written.
  std::string sql = base;
  if (!spec.watermark_column.empty()) {
    SQLCHAR quote[8] = {};
    SQLSMALLINT quote_length = 0;
    SQLGetInfo(state->connection.handle, SQL_IDENTIFIER_QUOTE_CHAR, quote, sizeof quote, &quote_length);
    const char mark = quote[0] == ' ' || quote[0] == '\0' ? '"' : static_cast<char>(quote[0]);
    sql = fmt::format("SELECT * FROM {} hp_source", as_subquery(base));
    if (spec.watermark) {
      sql += fmt::format(" WHERE {} > ?", table_reference(spec.watermark_column, mark));
      state->parameter = *spec.watermark;
      state->parameter_length = static_cast<SQLLEN>(state->parameter.size());
      if (!SQL_SUCCEEDED(SQLBindParameter(handle, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
                                          std::max<SQLULEN>(1, state->parameter.size()), 0, state->parameter.data(),
                                          state->parameter_length, &state->parameter_length))) {
        return state->error("cannot bind the watermark", SQL_HANDLE_STMT, handle);
      }
    }
  }
  if (!SQL_SUCCEEDED(SQLExecDirect(handle, reinterpret_cast<SQLCHAR*>(sql.data()), SQL_NTS))) {
    auto error = state->error("the database refused the query", SQL_HANDLE_STMT, handle);
    error.statement = sql;
    return error;
  }
  SQLSMALLINT count = 0;
  SQLNumResultCols(handle, &count);
  if (count == 0) {
    return make_error(ErrorKind::invalid_argument, fmt::format("{}the query returns no columns", named(spec.source)));
  }
  std::vector<ColumnDefinition> columns;
  std::vector<std::string> notes;
  for (SQLUSMALLINT i = 1; i <= static_cast<SQLUSMALLINT>(count); ++i) {
    SQLCHAR name[512] = {};
    SQLSMALLINT name_length = 0, sql_type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    SQLDescribeCol(handle, i, name, sizeof name, &name_length, &sql_type, &size, &digits, &nullable);
    const auto mapping = map_odbc_type(sql_type, size, digits);
    ColumnDefinition column{reinterpret_cast<char*>(name), mapping.type, Nullability::nullable, {}};
    if (!mapping.exact) {
      notes.push_back(fmt::format("column {}: ODBC type {} (size {}, digits {}) loaded as {}", column.name, sql_type, size,
                                  digits, mapping.type.sql()));
    }
    Binding binding;
    switch (mapping.type.kind()) {
    case TypeKind::boolean: binding = binding_of(Fetch::bit, SQL_C_BIT, 1); break;
    case TypeKind::small_int:
    case TypeKind::integer:
    case TypeKind::big_int: binding = binding_of(Fetch::int64, SQL_C_SBIGINT, sizeof(std::int64_t)); break;
    case TypeKind::double_precision: binding = binding_of(Fetch::float64, SQL_C_DOUBLE, sizeof(double)); break;
    case TypeKind::numeric: binding = binding_of(Fetch::decimal_text, SQL_C_CHAR, static_cast<SQLLEN>(size + 4)); break;
    case TypeKind::date: binding = binding_of(Fetch::date, SQL_C_TYPE_DATE, sizeof(SQL_DATE_STRUCT)); break;
    // As text: SQL_TIME_STRUCT has no fractions of a second.
    case TypeKind::time: binding = binding_of(Fetch::time, SQL_C_CHAR, 32); break;
    case TypeKind::timestamp: binding = binding_of(Fetch::timestamp, SQL_C_TYPE_TIMESTAMP, sizeof(SQL_TIMESTAMP_STRUCT)); break;
    case TypeKind::bytes:
      binding = binding_of(Fetch::binary, SQL_C_BINARY, static_cast<SQLLEN>(size));
      binding.bounded = size >= 1 && size <= k_max_bound_size && sql_type != SQL_LONGVARBINARY;
      break;
    default:
      // Two UTF-16 units a character (surrogate pairs), plus the terminator.
      binding = binding_of(Fetch::wtext, SQL_C_WCHAR, static_cast<SQLLEN>((size * 2 + 1) * sizeof(SQLWCHAR)));
      binding.bounded = size >= 1 && size <= k_max_bound_size && sql_type != SQL_LONGVARCHAR && sql_type != SQL_WLONGVARCHAR;
      break;
    }
    state->block = state->block && binding.bounded;
    state->bindings.push_back(std::move(binding));
    columns.push_back(std::move(column));
  }
  OdbcReader reader(std::move(state));
  reader.m_columns = std::move(columns);
  reader.m_notes = std::move(notes);
  return reader;
}

namespace {

// Appends one fetched value (`data`, `length` bytes, or SQL_NULL_DATA) to `column`.
Status append_fetched(const Binding& binding, const char* data, SQLLEN length, Column& column, Utf16ToUtf8& utf8) {
  if (length == SQL_NULL_DATA) {
    return column.append_null();
  }
  switch (binding.fetch) {
  case Fetch::bit: return column.append_bool(data[0] != 0);
  case Fetch::int64: {
    std::int64_t value = 0;
    std::memcpy(&value, data, sizeof value);
    return column.append_int(value);
  }
  case Fetch::float64: {
    double value = 0;
    std::memcpy(&value, data, sizeof value);
    return column.append_double(value);
  }
  case Fetch::decimal_text: {
    std::string_view text(data, static_cast<std::size_t>(length));
    while (!text.empty() && text.back() == ' ') {
      text.remove_suffix(1);
    }
    return column.append_decimal_text(text);
  }
  case Fetch::wtext: {
    auto text = utf8.convert(data, static_cast<std::size_t>(length));
    if (!text) {
      return make_error(ErrorKind::value, "text that is not valid UTF-16 from the driver");
    }
    return column.append_text(*text);
  }
  case Fetch::binary: return column.append_text(std::string_view(data, static_cast<std::size_t>(length)));
  case Fetch::date: {
    SQL_DATE_STRUCT date;
    std::memcpy(&date, data, sizeof date);
    return column.append_date(Date::from_ymd(date.year, date.month, date.day));
  }
  case Fetch::time: return append_text_value(column, std::string_view(data, static_cast<std::size_t>(length)), {});
  case Fetch::timestamp: {
    SQL_TIMESTAMP_STRUCT at;
    std::memcpy(&at, data, sizeof at);
    return column.append_timestamp(Timestamp::from_date_time(
        Date::from_ymd(at.year, at.month, at.day),
        TimeOfDay::from_hms(at.hour, at.minute, at.second, static_cast<int>(at.fraction / 1000))));
  }
  }
  return make_error(ErrorKind::internal, "unknown fetch kind");
}

} // namespace

Result<ReadProgress> OdbcReader::read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress) {
  State& state = *m_state;
  SQLHANDLE statement = state.statement.handle;
  std::size_t block = state.block ? state.spec.block_rows : 1;
  SQLULEN fetched = 0;
  std::vector<SQLUSMALLINT> row_status(block);
  if (state.block) {
    // A driver that cannot fetch arrays (or count them) is read row by row instead.
    state.block = SQL_SUCCEEDED(SQLSetStmtAttr(statement, SQL_ATTR_ROW_BIND_TYPE, reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0)) &&
                  SQLSetStmtAttr(statement, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(block), 0) == SQL_SUCCESS &&
                  SQL_SUCCEEDED(SQLSetStmtAttr(statement, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0)) &&
                  SQL_SUCCEEDED(SQLSetStmtAttr(statement, SQL_ATTR_ROW_STATUS_PTR, row_status.data(), 0));
    if (!state.block) {
      SQLSetStmtAttr(statement, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(1), 0);
      SQLSetStmtAttr(statement, SQL_ATTR_ROW_STATUS_PTR, nullptr, 0);
    }
  }
  if (state.block) {
    for (std::size_t i = 0; i < state.bindings.size(); ++i) {
      Binding& binding = state.bindings[i];
      binding.buffer.resize(static_cast<std::size_t>(binding.width) * block);
      binding.indicators.resize(block);
      if (!SQL_SUCCEEDED(SQLBindCol(statement, static_cast<SQLUSMALLINT>(i + 1), binding.c_type, binding.buffer.data(),
                                    binding.width, binding.indicators.data()))) {
        return state.error("cannot bind a column", SQL_HANDLE_STMT, statement, ErrorKind::internal);
      }
    }
  }
  Utf16ToUtf8 utf8;
  ColumnBatch batch(m_columns);
  ReadProgress done;
  std::uint64_t row = 0;
  std::string piece;
  std::string value;
  const auto fail = [&](std::size_t column, const Error& error) -> Error {
    return make_error(ErrorKind::value,
                      fmt::format("{}row {}, column {}: {}", named(state.spec.source), row, m_columns[column].name,
                                  error.detail.empty() ? error.message : error.detail),
                      "cast it in the query to a type Hyper can hold");
  };
  while (true) {
    const SQLRETURN status = SQLFetch(statement);
    if (status == SQL_NO_DATA) {
      break;
    }
    if (!SQL_SUCCEEDED(status)) {
      return state.error(fmt::format("fetching after row {} failed", row), SQL_HANDLE_STMT, statement, ErrorKind::connection);
    }
    const std::size_t rows = state.block ? fetched : 1;
    for (std::size_t r = 0; r < rows; ++r) {
      ++row;
      const std::size_t before = batch.row_count();
      for (std::size_t i = 0; i < state.bindings.size(); ++i) {
        const Binding& binding = state.bindings[i];
        Status added;
        if (state.block) {
          const SQLLEN length = binding.indicators[r];
          const bool variable = binding.fetch == Fetch::wtext || binding.fetch == Fetch::binary ||
                                binding.fetch == Fetch::decimal_text || binding.fetch == Fetch::time;
          const SQLLEN room = binding.width - (binding.fetch == Fetch::wtext ? static_cast<SQLLEN>(sizeof(SQLWCHAR))
                                               : binding.fetch == Fetch::binary ? 0 : 1);
          if (row_status[r] == SQL_ROW_ERROR) {
            added = make_error(ErrorKind::value, "the driver could not fetch this row: " +
                                                     diagnostics(SQL_HANDLE_STMT, statement));
          } else if (length != SQL_NULL_DATA && variable && (length < 0 || length > room)) {
            added = make_error(ErrorKind::value, "a value longer than the driver said the column could hold");
          } else {
            added = append_fetched(binding, binding.buffer.data() + r * static_cast<std::size_t>(binding.width), length,
                                   batch.column(i), utf8);
          }
        } else {
          // Row by row: each value read in pieces until the driver has no more.
          value.clear();
          SQLLEN length = 0;
          bool is_null = false;
          const bool fixed = binding.fetch != Fetch::wtext && binding.fetch != Fetch::binary &&
                             binding.fetch != Fetch::decimal_text && binding.fetch != Fetch::time;
          piece.resize(fixed ? static_cast<std::size_t>(binding.width) : k_piece_bytes);
          while (true) {
            const SQLRETURN got = SQLGetData(statement, static_cast<SQLUSMALLINT>(i + 1), binding.c_type, piece.data(),
                                             static_cast<SQLLEN>(piece.size()), &length);
            if (got == SQL_NO_DATA) {
              break;
            }
            if (!SQL_SUCCEEDED(got)) {
              return state.error(fmt::format("reading row {}, column {} failed", row, m_columns[i].name), SQL_HANDLE_STMT,
                                 statement, ErrorKind::connection);
            }
            if (length == SQL_NULL_DATA) {
              is_null = true;
              break;
            }
            const std::size_t terminator = binding.fetch == Fetch::wtext                                         ? sizeof(SQLWCHAR)
                                           : binding.fetch == Fetch::decimal_text || binding.fetch == Fetch::time ? 1
                                                                                                                  : 0;
            const std::size_t usable = piece.size() - terminator;
            const bool partial = got == SQL_SUCCESS_WITH_INFO && (length == SQL_NO_TOTAL || static_cast<std::size_t>(length) > usable);
            value.append(piece.data(), fixed ? piece.size() : partial ? usable : static_cast<std::size_t>(length));
            if (!partial || fixed) {
              break;
            }
          }
          added = append_fetched(binding, value.data(), is_null ? SQL_NULL_DATA : static_cast<SQLLEN>(value.size()),
                                 batch.column(i), utf8);
        }
        if (!added) {
          batch.truncate(before);
          return fail(i, added.error());
        }
      }
    }
    if (batch.row_count() >= state.spec.batch_rows) {
      HP_TRY(sink(batch));
      done.rows += batch.row_count();
      if (progress) {
        progress(done);
      }
      batch.clear();
    }
  }
  if (batch.row_count() > 0) {
    HP_TRY(sink(batch));
    done.rows += batch.row_count();
  }
  return done;
}

} // namespace hyperpipe::sources::database
