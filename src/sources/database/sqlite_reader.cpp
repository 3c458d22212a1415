#include "sources/database/sqlite_reader.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "sources/database/query_text.hpp"
#include "sources/text/text_values.hpp"

namespace hyperpipe::sources::database {
namespace {

constexpr int k_sample_rows = 1'000;

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Precision and scale of "DECIMAL(10,2)" / "NUMERIC(10, 2)".
std::optional<SqlType> decimal_of(const std::string& declared) {
  int precision = 0, scale = 0;
  const auto open = declared.find('(');
  if (open == std::string::npos || std::sscanf(declared.c_str() + open, "(%d ,%d)", &precision, &scale) < 1) {
    return std::nullopt;
  }
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    return std::nullopt;
  }
  return SqlType::numeric(precision, scale);
}

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

std::string storage_text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  return text == nullptr ? "" : std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

} // namespace

std::optional<SqlType> sqlite_declared_type(std::string_view declared_text) {
  const std::string declared = upper(declared_text);
  if (declared.empty()) {
    return std::nullopt;
  }
  // Names SQLite gives NUMERIC affinity but people use for specific kinds of values.
  if (declared.starts_with("BOOL")) {
    return SqlType::boolean();
  }
  if (declared.starts_with("DATETIME") || declared.starts_with("TIMESTAMP")) {
    return SqlType::timestamp();
  }
  if (declared.starts_with("DATE")) {
    return SqlType::date();
  }
  if (declared.starts_with("TIME")) {
    return SqlType::time();
  }
  if (declared.starts_with("DECIMAL") || declared.starts_with("NUMERIC")) {
    if (auto exact = decimal_of(declared)) {
      return exact;
    }
    return SqlType::double_precision();
  }
  // SQLite's affinity rules (https://www.sqlite.org/datatype3.html, 3.1), in their order.
  if (declared.find("INT") != std::string::npos) {
    return SqlType::big_int();
  }
  if (declared.find("CHAR") != std::string::npos || declared.find("CLOB") != std::string::npos ||
      declared.find("TEXT") != std::string::npos) {
    return SqlType::text();
  }
  if (declared.find("BLOB") != std::string::npos) {
    return SqlType::bytes();
  }
  if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
      declared.find("DOUB") != std::string::npos) {
    return SqlType::double_precision();
  }
  return SqlType::double_precision(); // NUMERIC affinity: integers or reals
}

struct SqliteReader::State {
  SqliteSpec spec;
  DbPtr db;
  StatementPtr statement;
  std::string sql;

  Error sqlite_error(std::string_view what) const {
    return make_error(ErrorKind::sql, fmt::format("{}{}: {}", named(spec.source), what, sqlite3_errmsg(db.get())),
                      "check the table name or the query (it runs as written in SQLite)");
  }
};

SqliteReader::SqliteReader(std::unique_ptr<State> state) : m_state(std::move(state)) {}
SqliteReader::SqliteReader(SqliteReader&&) noexcept = default;
SqliteReader& SqliteReader::operator=(SqliteReader&&) noexcept = default;
SqliteReader::~SqliteReader() = default;

Result<SqliteReader> SqliteReader::open(const SqliteSpec& spec) {
  auto state = std::make_unique<State>();
  state->spec = spec;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec.file, ec)) {
    return make_error(ErrorKind::not_found, fmt::format("{}no SQLite file {}", named(spec.source), spec.file.string()),
                      "check the path (relative paths start at the pipeline file's folder)");
  }
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(spec.file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  state->db.reset(db);
  if (opened != SQLITE_OK) {
    return make_error(ErrorKind::io, fmt::format("{}cannot open {}: {}", named(spec.source), spec.file.string(),
                                                 db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
  }
  sqlite3_busy_timeout(db, 10'000); // a writer holding the file: wait rather than fail at once
  const std::string base = spec.query.empty() ? fmt::format("SELECT * FROM {}", table_reference(spec.table)) : spec.query;
  state->sql = fmt::format("SELECT * FROM {} AS hp_source", as_subquery(base));
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, state->sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    auto error = state->sqlite_error("SQLite refused the query");
    error.statement = base;
    return error;
  }
  state->statement.reset(statement);
  std::vector<std::string> notes;
  if (spec.watermark && !spec.watermark_column.empty()) {
    // The watermark goes into the query when the column's values compare as the watermark does.
    std::optional<SqlType> declared;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      if (spec.watermark_column == sqlite3_column_name(statement, i)) {
        const char* type = sqlite3_column_decltype(statement, i);
        declared = sqlite_declared_type(type != nullptr ? type : "");
      }
    }
    const bool comparable = declared && (declared->kind() == TypeKind::big_int || declared->kind() == TypeKind::double_precision ||
                                         declared->kind() == TypeKind::numeric || declared->kind() == TypeKind::text);
    if (comparable) {
      state->sql += fmt::format(" WHERE {} > ?1", table_reference(spec.watermark_column));
      if (sqlite3_prepare_v2(db, state->sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
        return state->sqlite_error("SQLite refused the watermark condition");
      }
      state->statement.reset(statement);
      sqlite3_bind_text(statement, 1, spec.watermark->data(), static_cast<int>(spec.watermark->size()), SQLITE_TRANSIENT);
    } else {
      notes.push_back(fmt::format("the watermark on {} is applied after reading: SQLite may store its values as text or "
                                  "numbers, which do not compare with the watermark in SQL", spec.watermark_column));
    }
  }
  const int count = sqlite3_column_count(statement);
  std::vector<ColumnDefinition> columns(static_cast<std::size_t>(count));
  std::vector<int> undeclared;
  for (int i = 0; i < count; ++i) {
    columns[static_cast<std::size_t>(i)].name = sqlite3_column_name(statement, i);
    const char* declared = sqlite3_column_decltype(statement, i);
    if (auto type = sqlite_declared_type(declared != nullptr ? declared : "")) {
      columns[static_cast<std::size_t>(i)].type = *type;
      const std::string text = upper(declared);
      if ((text.starts_with("DECIMAL") || text.starts_with("NUMERIC")) && !type->is_wide_numeric() &&
          type->kind() == TypeKind::double_precision) {
        notes.push_back(fmt::format("column {}: {} without precision and scale: loaded as double precision",
                                    columns[static_cast<std::size_t>(i)].name, declared));
      }
    } else {
      undeclared.push_back(i);
    }
  }
  if (!undeclared.empty()) { // expressions: the storage classes of the first rows decide
    std::vector<int> seen(static_cast<std::size_t>(count), 0); // bit 1 integer, 2 real, 4 text, 8 blob
    for (int row = 0; row < k_sample_rows && sqlite3_step(statement) == SQLITE_ROW; ++row) {
      for (int i : undeclared) {
        const int kind = sqlite3_column_type(statement, i);
        seen[static_cast<std::size_t>(i)] |= kind == SQLITE_INTEGER ? 1 : kind == SQLITE_FLOAT ? 2 : kind == SQLITE_TEXT ? 4
                                            : kind == SQLITE_BLOB   ? 8 : 0;
      }
    }
    sqlite3_reset(statement);
    for (int i : undeclared) {
      const int kinds = seen[static_cast<std::size_t>(i)];
      auto& column = columns[static_cast<std::size_t>(i)];
      column.type = kinds == 1 ? SqlType::big_int() : (kinds & ~3) == 0 && kinds != 0 ? SqlType::double_precision()
                  : kinds == 8 ? SqlType::bytes() : SqlType::text();
    }
  }
  SqliteReader reader(std::move(state));
  reader.m_columns = std::move(columns);
  reader.m_notes = std::move(notes);
  return reader;
}

Result<ReadProgress> SqliteReader::read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress) {
  sqlite3_stmt* statement = m_state->statement.get();
  const TextValueOptions text_options;
  ReadProgress done;
  ColumnBatch batch(m_columns);
  const auto flush = [&]() -> Status {
    HP_TRY(sink(batch));
    done.rows += batch.row_count();
    if (progress) {
      progress(done);
    }
    batch.clear();
    return {};
  };
  std::uint64_t row = 0;
  int stepped = SQLITE_ROW;
  while ((stepped = sqlite3_step(statement)) == SQLITE_ROW) {
    ++row;
    const std::size_t before = batch.row_count();
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
      const int index = static_cast<int>(i);
      Column& column = batch.column(i);
      const TypeKind kind = column.definition().type.kind();
      Status added;
      switch (sqlite3_column_type(statement, index)) {
      case SQLITE_NULL: added = column.append_null(); break;
      case SQLITE_INTEGER: {
        const auto value = sqlite3_column_int64(statement, index);
        if (kind == TypeKind::boolean && (value == 0 || value == 1)) {
          added = column.append_bool(value == 1);
        } else if (kind == TypeKind::timestamp && value >= 0) { // Unix time, as SQLite's unixepoch()
          added = column.append_timestamp(Timestamp{value * 1'000'000});
        } else if (kind == TypeKind::text) {
          added = column.append_text(std::to_string(value));
        } else {
          added = column.append_int(value);
        }
        break;
      }
      case SQLITE_FLOAT: {
        const double value = sqlite3_column_double(statement, index);
        if (kind == TypeKind::double_precision || kind == TypeKind::real) {
          added = column.append_double(value);
        } else {
          added = append_text_value(column, storage_text(statement, index), text_options);
        }
        break;
      }
      case SQLITE_BLOB:
        if (kind == TypeKind::bytes) {
          const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, index));
          added = column.append_text(std::string_view(bytes == nullptr ? "" : bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, index))));
        } else {
          added = make_error(ErrorKind::value, "a BLOB where the column's type is " + column.definition().type.sql());
        }
        break;
      default: added = append_text_value(column, storage_text(statement, index), text_options); break;
      }
      if (!added) {
        batch.truncate(before);
        std::string value = sqlite3_column_type(statement, index) == SQLITE_BLOB ? "(a BLOB)" : storage_text(statement, index);
        if (value.size() > 80) {
          value = value.substr(0, 80) + "…";
        }
        return make_error(ErrorKind::value,
                          fmt::format("{}row {}, column {}: \"{}\" does not fit {} ({})", named(m_state->spec.source), row,
                                      m_columns[i].name, value, m_columns[i].type.sql(),
                                      added.error().detail.empty() ? added.error().message : added.error().detail),
                          "cast it in the query (CAST(x AS TEXT)) or fix the row; SQLite lets any column hold any value");
      }
    }
    if (batch.row_count() >= m_state->spec.batch_rows) {
      HP_TRY(flush());
    }
  }
  if (stepped != SQLITE_DONE) {
    return m_state->sqlite_error(fmt::format("reading row {} failed", row + 1));
  }
  if (batch.row_count() > 0) {
    HP_TRY(flush());
  }
  return done;
}

} // namespace hyperpipe::sources::database
