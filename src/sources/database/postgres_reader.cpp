#include "sources/database/postgres_reader.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/pg_environment.hpp"
#include "base/libpq_handles.hpp"
#include "base/quoting.hpp"
#include "base/whole_number.hpp"
#include "sources/database/pg_binary.hpp"
#include "sources/database/pg_settings.hpp"
#include "sources/database/query_text.hpp"

namespace hyperpipe::sources::database {
namespace {

using ConnectionPtr = base::PgConnectionPtr;
using ResultPtr = base::PgResultPtr;

std::string trimmed(const char* text) { return base::trimmed_pg_message(text); }

Error server_error(const PostgresSpec& spec, const PGresult* result, PGconn* connection, std::string_view statement) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  Error error;
  if (state == nullptr) {
    error = make_error(ErrorKind::connection,
                       fmt::format("{}lost the connection to PostgreSQL: {}", named(spec.source), trimmed(PQerrorMessage(connection))),
                       "the server closed the connection or was stopped; nothing was written: run again when it is back");
    return error;
  }
  error.kind = ErrorKind::sql;
  error.sqlstate = state;
  error.message = fmt::format("{}PostgreSQL refused the query: {}", named(spec.source), trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)));
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    error.message += fmt::format(" ({})", trimmed(detail));
  }
  const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
  error.hint = hint != nullptr ? trimmed(hint) : "check the table name or the query (it runs as written on the server)";
  error.statement = std::string(statement);
  return error;
}

Result<ResultPtr> execute(const PostgresSpec& spec, PGconn* connection, const std::string& sql, ExecStatusType expected) {
  ResultPtr result(PQexec(connection, sql.c_str()));
  if (!result || PQresultStatus(result.get()) != expected) {
    return server_error(spec, result.get(), connection, sql);
  }
  return result;
}

Result<ConnectionPtr> connect(const PostgresSpec& spec) {
  // PGHOSTADDR, when set, is where libpq connects: it decides whether the server is local. The
  // program set it aside (base/pg_environment.hpp), so it is given to libpq explicitly.
  const auto hostaddr = base::pghostaddr();
  auto settings = connection_settings(spec.connection, std::getenv("PGSSLMODE"),
                                      hostaddr ? hostaddr->c_str() : std::getenv("PGHOST"));
  if (settings.malformed) {
    return make_error(ErrorKind::invalid_argument, fmt::format("{}the PostgreSQL connection string is malformed", named(spec.source)),
                      "write postgresql://user@host:5432/database?sslmode=require, or host=... dbname=... pairs; "
                      "percent-encode special characters in a URI");
  }
  // First, as the environment's defaults would be: the connection string (expanded from dbname
  // after them) still overrides them.
  if (const auto service = base::pgservice()) {
    settings.parameters.insert(settings.parameters.begin(), {"service", *service});
  }
  if (hostaddr) {
    settings.parameters.insert(settings.parameters.begin(), {"hostaddr", *hostaddr});
  }
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : settings.parameters) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  ConnectionPtr connection(PQconnectdbParams(keywords.data(), values.data(), 1));
  if (!connection || PQstatus(connection.get()) != CONNECTION_OK) {
    const std::string message = connection ? trimmed(PQerrorMessage(connection.get())) : "out of memory";
    return make_error(ErrorKind::connection, fmt::format("{}cannot connect to PostgreSQL: {}", named(spec.source), message),
                      connect_hint(message));
  }
  // A remote server reached without TLS that nobody chose (its host came from a service file,
  // unknown before connecting, so verify-full could not be added up front) is refused.
  const char* host = PQhost(connection.get());
  if (host != nullptr && !is_local_host(host) && PQsslInUse(connection.get()) == 0 && !settings.sslmode_chosen) {
    return make_error(ErrorKind::connection, fmt::format("{}refusing an unencrypted connection to {}", named(spec.source), host),
                      "the server did not use TLS: add sslmode=verify-full (or, knowingly, sslmode=disable) to the connection");
  }
  if (PQsetClientEncoding(connection.get(), "UTF8") != 0) {
    return make_error(ErrorKind::connection, fmt::format("{}the server cannot send UTF-8", named(spec.source)));
  }
  HP_TRY(execute(spec, connection.get(), "SET TimeZone = 'UTC'", PGRES_COMMAND_OK));
  // Literals are escaped by libpq for these settings; never a backslash escape in a string.
  HP_TRY(execute(spec, connection.get(), "SET standard_conforming_strings = on", PGRES_COMMAND_OK));
  return connection;
}

std::string base_query(const PostgresSpec& spec) {
  return spec.query.empty() ? fmt::format("SELECT * FROM {}", table_reference(spec.table)) : spec.query;
}

// The result's columns, with pg_type's view of the types that need it.
Result<std::vector<PgResultColumn>> describe(const PostgresSpec& spec, PGconn* connection, const std::string& query) {
  const std::string sql = fmt::format("SELECT * FROM {} AS hp_source", as_subquery(query));
  ResultPtr prepared(PQprepare(connection, "", sql.c_str(), 0, nullptr));
  if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
    return server_error(spec, prepared.get(), connection, query);
  }
  ResultPtr description(PQdescribePrepared(connection, ""));
  if (!description || PQresultStatus(description.get()) != PGRES_COMMAND_OK) {
    return server_error(spec, description.get(), connection, query);
  }
  std::vector<PgResultColumn> columns;
  std::vector<std::string> lookups;
  for (int i = 0; i < PQnfields(description.get()); ++i) {
    PgResultColumn column;
    column.name = PQfname(description.get(), i);
    column.type_oid = PQftype(description.get(), i);
    column.type_modifier = PQfmod(description.get(), i);
    if (needs_catalog(column.type_oid)) {
      lookups.push_back(std::to_string(column.type_oid));
    }
    columns.push_back(std::move(column));
  }
  if (!lookups.empty()) {
    const std::string catalog = fmt::format(
        "SELECT oid::int8, typname, typcategory, typbasetype::int8, typtypmod FROM pg_type WHERE oid = ANY('{{{}}}'::oid[])",
        fmt::join(lookups, ","));
    HP_ASSIGN_OR_RETURN(auto types, execute(spec, connection, catalog, PGRES_TUPLES_OK));
    for (int row = 0; row < PQntuples(types.get()); ++row) {
      HP_ASSIGN_OR_RETURN(const auto oid, base::parse_whole_number<std::uint32_t>(PQgetvalue(types.get(), row, 0), "pg_type.oid"));
      for (auto& column : columns) {
        if (column.type_oid == oid) {
          column.type_name = PQgetvalue(types.get(), row, 1);
          column.category = PQgetvalue(types.get(), row, 2)[0];
          HP_ASSIGN_OR_RETURN(column.base_oid, base::parse_whole_number<std::uint32_t>(PQgetvalue(types.get(), row, 3),
                                                                                       "pg_type.typbasetype"));
          HP_ASSIGN_OR_RETURN(column.base_modifier,
                              base::parse_whole_number<int>(PQgetvalue(types.get(), row, 4), "pg_type.typtypmod"));
        }
      }
    }
  }
  return columns;
}

/// Batches from several connections, handed to one consumer; bounded, so memory stays flat
/// when Hyper is slower than PostgreSQL.
class BatchQueue {
public:
  explicit BatchQueue(std::size_t capacity) : m_capacity(capacity) {}

  /// False when the read was stopped (an error elsewhere): the producer should give up.
  bool push(std::unique_ptr<ColumnBatch> batch) {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_stopped || m_batches.size() < m_capacity; });
    if (m_stopped) {
      return false;
    }
    m_batches.push_back(std::move(batch));
    m_ready.notify_one();
    return true;
  }
  void producer_done(Status status) {
    std::lock_guard lock(m_mutex);
    if (!status && m_error.ok()) {
      m_error = std::move(status);
      m_stopped = true;
      m_space.notify_all();
    }
    ++m_done;
    m_ready.notify_one();
  }
  void stop(Status status) {
    std::lock_guard lock(m_mutex);
    if (m_error.ok()) {
      m_error = std::move(status);
    }
    m_stopped = true;
    m_space.notify_all();
  }
  /// The next batch; nullptr when every producer is done (or the read stopped).
  std::unique_ptr<ColumnBatch> pop(std::size_t producers) {
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [&] { return m_stopped || !m_batches.empty() || m_done == producers; });
    if (m_stopped || m_batches.empty()) {
      return nullptr;
    }
    auto batch = std::move(m_batches.front());
    m_batches.pop_front();
    m_space.notify_one();
    return batch;
  }
  Status error() {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_space;
  std::condition_variable m_ready;
  std::deque<std::unique_ptr<ColumnBatch>> m_batches;
  std::size_t m_capacity;
  std::size_t m_done = 0;
  bool m_stopped = false;
  Status m_error;
};

} // namespace

struct PostgresReader::State {
  PostgresSpec spec;
  ConnectionPtr connection;
  std::string query;
  std::string where; ///< the watermark condition, built with libpq's escaping
  std::vector<PgColumnPlan> plans;

  // Runs one COPY on `connection` and emits full batches.
  Status copy(PGconn* on, const std::string& sql, const std::function<Status(std::unique_ptr<ColumnBatch>&)>& emit,
              std::atomic<std::uint64_t>& bytes) const {
    std::vector<PgDecode> decodes;
    std::vector<ColumnDefinition> columns;
    for (const auto& plan : plans) {
      decodes.push_back(plan.decode);
      columns.push_back(plan.column);
    }
    PgBinaryDecoder decoder(std::move(decodes));
    HP_TRY(execute(spec, on, sql, PGRES_COPY_OUT));
    auto batch = std::make_unique<ColumnBatch>(columns);
    while (true) {
      char* buffer = nullptr;
      const int length = PQgetCopyData(on, &buffer, 0);
      if (length > 0) {
        Status fed = decoder.feed(std::string_view(buffer, static_cast<std::size_t>(length)), *batch);
        PQfreemem(buffer);
        bytes += static_cast<std::uint64_t>(length);
        if (!fed) {
          auto error = fed.error();
          error.message = fmt::format("{}{}", named(spec.source), error.message);
          return error;
        }
        if (batch->row_count() >= spec.batch_rows) {
          HP_TRY(emit(batch));
          batch = std::make_unique<ColumnBatch>(columns);
        }
        continue;
      }
      break; // -1: done; -2: failed (the result below says why)
    }
    ResultPtr result(PQgetResult(on));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK || !decoder.finished()) {
      auto error = server_error(spec, result.get(), on, sql);
      if (error.kind == ErrorKind::connection || !decoder.finished()) {
        error.message += fmt::format(" (after {} rows)", decoder.rows());
      }
      return error;
    }
    while (ResultPtr more{PQgetResult(on)}) {
    }
    if (batch->row_count() > 0) {
      HP_TRY(emit(batch));
    }
    return {};
  }
};

PostgresReader::PostgresReader(std::unique_ptr<State> state) : m_state(std::move(state)) {
  for (const auto& plan : m_state->plans) {
    m_columns.push_back(plan.column);
    if (plan.note) {
      m_notes.push_back(*plan.note);
    }
  }
}
PostgresReader::PostgresReader(PostgresReader&&) noexcept = default;
PostgresReader& PostgresReader::operator=(PostgresReader&&) noexcept = default;
PostgresReader::~PostgresReader() = default;

Result<PostgresReader> PostgresReader::open(const PostgresSpec& spec) {
  auto state = std::make_unique<State>();
  state->spec = spec;
  state->query = base_query(spec);
  HP_ASSIGN_OR_RETURN(state->connection, connect(spec));
  if (spec.watermark && !spec.watermark_column.empty()) {
    char* literal = PQescapeLiteral(state->connection.get(), spec.watermark->data(), spec.watermark->size());
    if (literal == nullptr) {
      return make_error(ErrorKind::value, fmt::format("{}the watermark cannot be sent to PostgreSQL", named(spec.source)));
    }
    state->where = fmt::format("{} > {}", base::quote_identifier(spec.watermark_column), literal);
    PQfreemem(literal);
  }
  HP_ASSIGN_OR_RETURN(auto columns, describe(spec, state->connection.get(), state->query));
  if (columns.empty()) {
    return make_error(ErrorKind::invalid_argument, fmt::format("{}the query returns no columns", named(spec.source)));
  }
  state->plans = plan_columns(columns);
  return PostgresReader(std::move(state));
}

std::string PostgresReader::copy_statement(const std::string& range) const {
  std::vector<std::string> selects;
  for (const auto& plan : m_state->plans) {
    selects.push_back(plan.select == base::quote_identifier(plan.column.name)
                          ? plan.select
                          : fmt::format("{} AS {}", plan.select, base::quote_identifier(plan.column.name)));
  }
  std::vector<std::string> conditions;
  if (!m_state->where.empty()) {
    conditions.push_back(m_state->where);
  }
  if (!range.empty()) {
    conditions.push_back(fmt::format("({})", range));
  }
  return fmt::format("COPY (SELECT {} FROM {} AS hp_source{}{}) TO STDOUT (FORMAT binary)", fmt::join(selects, ", "),
                     as_subquery(m_state->query), conditions.empty() ? "" : " WHERE ", fmt::join(conditions, " AND "));
}

Result<ReadProgress> PostgresReader::read(const BatchSink& sink, const std::function<void(const ReadProgress&)>& progress) {
  const PostgresSpec& spec = m_state->spec;
  std::atomic<std::uint64_t> bytes{0};
  ReadProgress done;
  const auto deliver = [&](std::unique_ptr<ColumnBatch>& batch) -> Status {
    HP_TRY(sink(*batch));
    done.rows += batch->row_count();
    done.bytes = bytes;
    if (progress) {
      progress(done);
    }
    return {};
  };
  if (spec.partition_column.empty() || spec.parts <= 1) {
    HP_TRY(m_state->copy(m_state->connection.get(), copy_statement(), deliver, bytes));
    done.bytes = bytes;
    return done;
  }

  // Ranges of the key over several connections, all reading the snapshot of the first.
  const auto key = std::find_if(m_state->plans.begin(), m_state->plans.end(),
                                [&](const PgColumnPlan& plan) { return plan.column.name == spec.partition_column; });
  if (key == m_state->plans.end() || (key->decode != PgDecode::int2 && key->decode != PgDecode::int4 && key->decode != PgDecode::int8)) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("{}partition column \"{}\" is not an integer column of the result", named(spec.source), spec.partition_column),
                      "partition by an integer key (e.g. the primary key)");
  }
  PGconn* first = m_state->connection.get();
  HP_TRY(execute(spec, first, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK));
  HP_ASSIGN_OR_RETURN(auto snapshot, execute(spec, first, "SELECT pg_export_snapshot()", PGRES_TUPLES_OK));
  const std::string snapshot_id = PQgetvalue(snapshot.get(), 0, 0);
  const std::string quoted_key = base::quote_identifier(spec.partition_column);
  HP_ASSIGN_OR_RETURN(auto bounds, execute(spec, first,
                                           fmt::format("SELECT min({0})::int8, max({0})::int8 FROM {1} AS hp_source{2}", quoted_key,
                                                       as_subquery(m_state->query),
                                                       m_state->where.empty() ? "" : " WHERE " + m_state->where),
                                           PGRES_TUPLES_OK));
  std::vector<std::string> ranges;
  if (PQgetisnull(bounds.get(), 0, 0) != 0) {
    ranges.push_back(""); // no rows with a key (maybe some with NULL): one plain read
  } else {
    HP_ASSIGN_OR_RETURN(const Int128 low, base::parse_whole_number<std::int64_t>(PQgetvalue(bounds.get(), 0, 0),
                                                                                 "the partition column's minimum"));
    HP_ASSIGN_OR_RETURN(const Int128 high, base::parse_whole_number<std::int64_t>(PQgetvalue(bounds.get(), 0, 1),
                                                                                  "the partition column's maximum"));
    const Int128 width = (high - low + spec.parts) / spec.parts;
    for (int part = 0; part < spec.parts; ++part) {
      const Int128 from = low + width * part;
      if (from > high) {
        break;
      }
      const Int128 to = from + width; // exclusive
      std::string range = to > high ? fmt::format("{} >= {}", quoted_key, static_cast<std::int64_t>(from))
                                    : fmt::format("{0} >= {1} AND {0} < {2}", quoted_key, static_cast<std::int64_t>(from),
                                                  static_cast<std::int64_t>(to));
      if (part == 0) {
        range = fmt::format("{} OR {} IS NULL", range, quoted_key); // NULL keys are rows too
      }
      ranges.push_back(std::move(range));
    }
  }
  std::vector<ConnectionPtr> others;
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    HP_ASSIGN_OR_RETURN(auto connection, connect(spec));
    HP_TRY(execute(spec, connection.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK));
    HP_TRY(execute(spec, connection.get(), fmt::format("SET TRANSACTION SNAPSHOT {}", base::quote_literal(snapshot_id)), PGRES_COMMAND_OK));
    others.push_back(std::move(connection));
  }
  BatchQueue queue(2 * ranges.size());
  // When anything fails, every COPY still running is cancelled on the server, so the other
  // ranges stop at once instead of at their next full batch; the threads are always joined.
  struct Workers {
    std::vector<std::thread> threads;
    std::vector<PGcancel*> cancels;
    void cancel_all() {
      for (PGcancel* cancel : cancels) {
        char message[256];
        PQcancel(cancel, message, sizeof message);
      }
    }
    ~Workers() {
      for (auto& thread : threads) {
        if (thread.joinable()) {
          cancel_all();
          thread.join();
        }
      }
      for (PGcancel* cancel : cancels) {
        PQfreeCancel(cancel);
      }
    }
  } workers;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    workers.cancels.push_back(PQgetCancel(i == 0 ? first : others[i - 1].get()));
  }
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    PGconn* on = i == 0 ? first : others[i - 1].get();
    workers.threads.emplace_back([&, on, i] {
      const auto enqueue = [&queue](std::unique_ptr<ColumnBatch>& batch) -> Status {
        return queue.push(std::move(batch)) ? Status{} : make_error(ErrorKind::internal, "stopped");
      };
      queue.producer_done(m_state->copy(on, copy_statement(ranges[i]), enqueue, bytes));
    });
  }
  while (auto batch = queue.pop(ranges.size())) {
    if (Status delivered = deliver(batch); !delivered) {
      queue.stop(std::move(delivered));
    }
  }
  if (!queue.error().ok()) {
    workers.cancel_all();
  }
  for (auto& thread : workers.threads) {
    thread.join();
  }
  HP_TRY(queue.error());
  HP_TRY(execute(spec, first, "COMMIT", PGRES_COMMAND_OK));
  m_notes.push_back(fmt::format("read in {} ranges of {} over {} connections sharing one snapshot", ranges.size(),
                                spec.partition_column, ranges.size()));
  done.bytes = bytes;
  return done;
}

} // namespace hyperpipe::sources::database
