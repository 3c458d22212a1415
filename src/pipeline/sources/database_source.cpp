#include "pipeline/sources/database_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pipeline/load_sources.hpp"
#include "sources/database/odbc_reader.hpp"
#include "sources/database/postgres_reader.hpp"
#include "sources/database/reader_source.hpp"
#include "sources/database/sqlite_reader.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace db = sources::database;
namespace {

// The watermark each reader pushes down in its own safe way (escaped or bound; rows whose column
// is NULL are never above it). The runner still applies it to what was read.
template <typename Spec>
void push_watermark(const StageContext& context, Spec& spec) {
  if (context.incremental_column) {
    spec.watermark_column = *context.incremental_column;
    spec.watermark = context.watermark;
  }
}

// Streams a reader's batches into the staging file as table public.<source>, through the pump
// every source shares.
template <typename Reader>
Result<StageResult> stage_batches(Reader reader, const StageContext& context) {
  const auto& columns = reader.columns();
  const bool wide = std::any_of(columns.begin(), columns.end(),
                                [](const ColumnDefinition& column) { return column.type.is_wide_numeric(); });
  const int version = std::max(context.file_version, wide ? 3 : 2);
  std::vector<TableJob> jobs(1);
  jobs[0].table = TableName{"public", context.table};
  jobs[0].sources.push_back(db::as_row_source(std::move(reader), context.table));
  LoadTarget target{context.staging_file, false, version, {}, false, {}};
  if (context.on_progress) {
    target.on_progress = [&context](std::uint64_t rows, std::uint64_t bytes) { context.on_progress(rows, bytes, 0); };
  }
  LoadSummary summary;
  HP_TRY(load_sources(*context.engine, target, jobs, *sources::fail_on_error(), summary));
  const FileLoadSummary& read = summary.files.at(0);
  StageResult result;
  result.tables.push_back(context.table);
  result.rows_read = read.rows_read;
  result.rows_loaded = read.rows_loaded;
  result.bytes = read.bytes;
  result.notes = read.notes;
  result.file_version = version;
  return result;
}

// Connected, and the query described (prepared) by the database, without reading a row.
template <typename Reader>
std::string connected(const Reader& reader) {
  return fmt::format("connected; its query prepares, with {} column{}", reader.columns().size(),
                     reader.columns().size() == 1 ? "" : "s");
}

// The password inside an ODBC connection string (PWD=...; or Password=...;), to redact it.
std::optional<std::string> odbc_password(const std::string& connection) {
  std::string lower = connection;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const std::string_view key : {"pwd=", "password="}) {
    for (auto at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
      if (at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ') {
        const auto start = at + key.size();
        if (start < connection.size() && connection[start] == '{') { // {a;b}: braces quote a value with ';'
          const auto close = connection.find('}', start);
          return connection.substr(start, close == std::string::npos ? std::string::npos : close - start + 1);
        }
        return connection.substr(start, connection.find(';', start) - start);
      }
    }
  }
  return std::nullopt;
}

// A password written into the file is a password in version control. One that comes from the
// environment inside a longer string (${DATABASE_URL}) is kept out of every message.
void refuse_literal_password(ConfigReader& reader, const std::string& connection) {
  for (const auto& password : {db::connection_settings(connection, nullptr, nullptr).password, odbc_password(connection)}) {
    if (password) {
      reader.add_secret(*password);
    }
  }
  const YAML::Node raw = reader.raw("connection");
  if (!raw.IsScalar() || raw.Scalar().find("${") != std::string::npos) {
    return;
  }
  const auto scheme = connection.find("://");
  const auto at = connection.find('@');
  const bool uri_password = scheme != std::string::npos && at != std::string::npos &&
                            connection.substr(scheme + 3, at - scheme - 3).find(':') != std::string::npos;
  std::string lower = connection;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (uri_password || lower.find("password=") != std::string::npos || lower.find("pwd=") != std::string::npos) {
    reader.error("connection", "secrets belong in the environment, not in the pipeline file",
                 "write connection: ${DATABASE_URL}, or leave the password out and set PGPASSWORD or use ~/.pgpass");
  }
}

// The options every database source has: a table or a query.
template <typename Spec>
void read_table_or_query(ConfigReader& reader, Spec& spec) {
  // spec.source stays empty: the runner names the step ("source orders: ...") in every message.
  spec.table = reader.text("table").value_or("");
  spec.query = reader.text("query").value_or("");
  if (spec.table.empty() == spec.query.empty()) {
    reader.error(spec.table.empty() ? "table" : "query", "give either table or query", "table: orders, or query: SELECT ...");
  }
  spec.batch_rows = static_cast<std::size_t>(reader.integer("batch_rows", 1'000, 10'000'000).value_or(65'536));
}

class ConfiguredPostgres final : public ConfiguredSource {
public:
  db::PostgresSpec spec;

  std::string describe() const override {
    return fmt::format("postgres {}", spec.table.empty() ? "query" : spec.table) +
           (spec.parts > 1 ? fmt::format(" in {} ranges of {}", spec.parts, spec.partition_column) : "");
  }

  Result<std::string> probe(const fs::path&) const override {
    HP_ASSIGN_OR_RETURN(auto reader, db::PostgresReader::open(spec));
    return connected(reader);
  }

  Result<StageResult> stage(const StageContext& context) const override {
    db::PostgresSpec run = spec;
    push_watermark(context, run);
    HP_ASSIGN_OR_RETURN(auto reader, db::PostgresReader::open(run));
    return stage_batches(std::move(reader), context);
  }
};

class PostgresSourceType final : public SourceType {
public:
  std::string_view name() const override { return "postgres"; }

  std::shared_ptr<const ConfiguredSource> configure(ConfigReader& reader, const fs::path&) const override {
    auto source = std::make_shared<ConfiguredPostgres>();
    db::PostgresSpec& spec = source->spec;
    spec.connection = reader.secret_text("connection").value_or("");
    refuse_literal_password(reader, spec.connection);
    read_table_or_query(reader, spec);
    if (auto partition = reader.child("partition")) {
      spec.partition_column = partition->text("column", true).value_or("");
      spec.parts = static_cast<int>(partition->integer("parts", 1, 64).value_or(4));
      partition->finish();
    }
    return source;
  }
};

class ConfiguredSqlite final : public ConfiguredSource {
public:
  db::SqliteSpec spec;

  std::string describe() const override {
    return fmt::format("sqlite {} {}", spec.file.string(), spec.table.empty() ? "query" : spec.table);
  }

  Result<std::string> probe(const fs::path&) const override {
    HP_ASSIGN_OR_RETURN(auto reader, db::SqliteReader::open(spec));
    return connected(reader);
  }

  Result<StageResult> stage(const StageContext& context) const override {
    db::SqliteSpec run = spec;
    push_watermark(context, run);
    HP_ASSIGN_OR_RETURN(auto reader, db::SqliteReader::open(run));
    auto result = stage_batches(std::move(reader), context);
    if (result) {
      std::error_code ec;
      result->bytes = fs::file_size(spec.file, ec);
    }
    return result;
  }
};

class SqliteSourceType final : public SourceType {
public:
  std::string_view name() const override { return "sqlite"; }

  std::shared_ptr<const ConfiguredSource> configure(ConfigReader& reader, const fs::path& base_dir) const override {
    auto source = std::make_shared<ConfiguredSqlite>();
    const fs::path path(reader.text("path", true).value_or(""));
    source->spec.file = (path.is_absolute() ? path : base_dir / path).lexically_normal();
    read_table_or_query(reader, source->spec);
    return source;
  }
};

class ConfiguredOdbc final : public ConfiguredSource {
public:
  db::OdbcSpec spec;

  std::string describe() const override { return fmt::format("odbc {}", spec.table.empty() ? "query" : spec.table); }

  Result<std::string> probe(const fs::path&) const override {
    HP_ASSIGN_OR_RETURN(auto reader, db::OdbcReader::open(spec));
    return connected(reader);
  }

  Result<StageResult> stage(const StageContext& context) const override {
    db::OdbcSpec run = spec;
    push_watermark(context, run);
    HP_ASSIGN_OR_RETURN(auto reader, db::OdbcReader::open(run));
    return stage_batches(std::move(reader), context);
  }
};

class OdbcSourceType final : public SourceType {
public:
  std::string_view name() const override { return "odbc"; }

  std::shared_ptr<const ConfiguredSource> configure(ConfigReader& reader, const fs::path&) const override {
    auto source = std::make_shared<ConfiguredOdbc>();
    source->spec.connection = reader.secret_text("connection", true).value_or("");
    refuse_literal_password(reader, source->spec.connection);
    read_table_or_query(reader, source->spec);
    return source;
  }
};

} // namespace

const SourceType& odbc_source_type() {
  static const OdbcSourceType type;
  return type;
}

const SourceType& sqlite_source_type() {
  static const SqliteSourceType type;
  return type;
}

const SourceType& postgres_source_type() {
  static const PostgresSourceType type;
  return type;
}

} // namespace hyperpipe::pipeline
