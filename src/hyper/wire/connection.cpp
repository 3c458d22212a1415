#include "hyper/wire/connection.hpp"

#include "base/libpq_handles.hpp"
#include "base/quoting.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>


#include <charconv>

namespace hyperpipe::hyper {
namespace {

using ResultPtr = base::PgResultPtr;

std::string trimmed(const char* text) { return base::trimmed_pg_message(text); }

Error connection_error(PGconn* conn, std::string_view what) {
  return make_error(ErrorKind::connection, fmt::format("{}: {}", what, trimmed(PQerrorMessage(conn))),
                    "hyperd may have exited; see its output above or rerun with --log-dir");
}

// Turns a failed PGresult into an Error with the server's SQLSTATE, message, detail and hint.
Error sql_error(PGconn* conn, const PGresult* result, std::string_view statement) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr && result != nullptr && PQresultStatus(result) != PGRES_FATAL_ERROR &&
      PQresultStatus(result) != PGRES_BAD_RESPONSE) {
    // hyperd answered, just not the way this call expects (a COPY through execute(), a query
    // through copy_begin()): a usage error, not a broken connection.
    Error error = make_error(ErrorKind::invalid_argument,
                             fmt::format("unexpected result ({}) for this kind of call",
                                         PQresStatus(PQresultStatus(result))));
    error.statement = std::string(statement); // cut where it is shown, after redaction
    return error;
  }
  if (state == nullptr) {
    return connection_error(conn, "lost the connection to hyperd");
  }
  Error error;
  error.kind = ErrorKind::sql;
  error.sqlstate = state;
  error.message = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    error.message += fmt::format(" ({})", trimmed(detail));
  }
  if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) {
    error.hint = trimmed(hint);
  }
  if (error.message.find("memory limit") != std::string::npos && error.message.find("exceeded") != std::string::npos) {
    // What hyperd could not spill: the fix is ours to name, not hyperd's.
    error.hint = "hyperd reached its memory limit; raise it with --engine-memory-limit or "
                 "HYPERPIPE_ENGINE_MEMORY_LIMIT (e.g. 8g or 75%), or make the query need less (fewer rows or "
                 "columns in a join, a narrower GROUP BY)";
  }
  error.statement = std::string(statement); // cut where it is shown, after redaction
  return error;
}

std::uint64_t affected_rows(const PGresult* result) {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
  std::uint64_t count = 0;
  if (tuples != nullptr) {
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
  }
  return count;
}

} // namespace

struct Connection::State {
  PGconn* conn = nullptr;
  ~State() {
    if (conn != nullptr) {
      PQfinish(conn);
    }
  }
};

Result<Connection> Connection::open(const std::string& host, int port, const std::string& user,
                                    const std::string& database) {
  const std::string port_text = std::to_string(port);
  // Every setting libpq would otherwise take from the PG* environment variables is given here:
  // those are meant for the user's PostgreSQL servers (a PostgreSQL source), never for hyperd.
  // libpq treats an empty value as unset, so each is a real value: the database is the user
  // name (libpq's own default, which hyperd accepts), options a blank. hyperd speaks no TLS and
  // only ever listens on a private Unix socket for us.
  // hyperd listens on a Unix socket (host = its folder). libpq would still connect to PGHOSTADDR
  // (or a PGSERVICE's hostaddr) if set, so a program sets those aside first
  // (base/pg_environment.hpp); connected, the socket is checked all the same.
  for (const char* variable : {"PGHOSTADDR", "PGSERVICE"}) {
    if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') {
      return make_error(ErrorKind::connection, fmt::format("{} is set: libpq would send hyperd's connection elsewhere", variable),
                        "call hyperpipe::base::set_aside_pg_redirects() at start (the hyperpipe command does)");
    }
  }
  const char* keys[] = {"host", "port", "user", "sslmode", "connect_timeout", "application_name", "dbname", "options",
                        "client_encoding", "target_session_attrs", "gssencmode", "channel_binding", nullptr};
  const char* values[] = {host.c_str(), port_text.c_str(), user.c_str(), "disable", "30", "hyperpipe",
                          database.empty() ? user.c_str() : database.c_str(), " ", "UTF8", "any", "disable", "disable",
                          nullptr};
  auto state = std::make_unique<State>();
  state->conn = PQconnectdbParams(keys, values, 0);
  if (state->conn == nullptr || PQstatus(state->conn) != CONNECTION_OK) {
    return connection_error(state->conn, fmt::format("cannot connect to hyperd at {} (socket .s.PGSQL.{})", host, port));
  }
  // Only hyperd's private socket will do: never a TCP peer some PG* setting pointed us to.
  const char* reached = PQhost(state->conn);
  if (reached == nullptr || host != reached || PQhostaddr(state->conn) == nullptr || *PQhostaddr(state->conn) != '\0') {
    return make_error(ErrorKind::connection,
                      fmt::format("the connection to hyperd reached {} instead of its private socket in {}",
                                  reached == nullptr ? "an unknown host" : reached, host),
                      "unset the PG* variables (PGHOSTADDR, PGSERVICE) that redirect it");
  }
  // libpq prints server notices to stderr by default; hyperd's are not for end users.
  PQsetNoticeProcessor(state->conn, [](void*, const char*) {}, nullptr);
  return Connection(std::move(state));
}

Connection::Connection(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<std::uint64_t> Connection::execute(std::string_view sql) {
  const std::string statement(sql);
  ResultPtr result(PQexec(m_state->conn, statement.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return sql_error(m_state->conn, result.get(), sql);
  }
  return affected_rows(result.get());
}

Result<QueryResult> Connection::query(std::string_view sql) {
  const std::string statement(sql);
  ResultPtr result(PQexec(m_state->conn, statement.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return sql_error(m_state->conn, result.get(), sql);
  }
  QueryResult out;
  const int columns = PQnfields(result.get());
  const int rows = PQntuples(result.get());
  for (int c = 0; c < columns; ++c) {
    auto type = SqlType::from_oid(PQftype(result.get(), c), PQfmod(result.get(), c));
    out.columns.push_back({PQfname(result.get(), c), type ? std::optional(*type) : std::nullopt,
                           PQftype(result.get(), c), PQfmod(result.get(), c)});
  }
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, c), static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
    }
  }
  return out;
}

Result<std::string> Connection::copy_out(std::string_view sql) {
  const std::string statement(sql);
  ResultPtr result(PQexec(m_state->conn, statement.c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COPY_OUT) {
    return sql_error(m_state->conn, result.get(), sql);
  }
  std::string bytes;
  for (;;) {
    char* chunk = nullptr;
    const int size = PQgetCopyData(m_state->conn, &chunk, 0);
    if (size < 0) {
      break;
    }
    bytes.append(chunk, static_cast<std::size_t>(size));
    PQfreemem(chunk);
  }
  ResultPtr end(PQgetResult(m_state->conn));
  const bool ok = end && PQresultStatus(end.get()) == PGRES_COMMAND_OK;
  Result<std::string> outcome = ok ? Result<std::string>(std::move(bytes)) : Result<std::string>(sql_error(m_state->conn, end.get(), sql));
  while (ResultPtr extra{PQgetResult(m_state->conn)}) {
  }
  return outcome;
}

Status Connection::copy_begin(std::string_view sql) {
  const std::string statement(sql);
  ResultPtr result(PQexec(m_state->conn, statement.c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN) {
    return sql_error(m_state->conn, result.get(), sql);
  }
  return {};
}

Status Connection::copy_send(std::string_view bytes) {
  // In pieces of 64 KiB: libpq copies each into its output buffer before the socket, and that
  // buffer then stays small and in cache instead of growing to the caller's 8 MB (whole `load`
  // of 1M CSV rows measured ~5 % faster, #16). CopyData boundaries need not follow rows.
  constexpr std::size_t k_max_piece = 64U << 10U;
  while (!bytes.empty()) {
    const std::size_t piece = std::min(bytes.size(), k_max_piece);
    if (PQputCopyData(m_state->conn, bytes.data(), static_cast<int>(piece)) != 1) {
      return connection_error(m_state->conn, "sending COPY data to hyperd failed");
    }
    bytes.remove_prefix(piece);
  }
  return {};
}

void Canceller::cancel() const {
  char message[256] = {};
  if (m_cancel) {
    (void)PQcancel(static_cast<PGcancel*>(m_cancel.get()), message, sizeof message);
  }
}

Result<Canceller> Connection::canceller() {
  PGcancel* cancel = PQgetCancel(m_state->conn);
  if (cancel == nullptr) {
    return connection_error(m_state->conn, "cannot prepare to cancel a statement");
  }
  Canceller canceller;
  canceller.m_cancel = std::shared_ptr<void>(cancel, [](void* raw) { PQfreeCancel(static_cast<PGcancel*>(raw)); });
  return canceller;
}

Result<std::uint64_t> Connection::copy_end() {
  if (PQputCopyEnd(m_state->conn, nullptr) != 1) {
    return connection_error(m_state->conn, "finishing COPY failed");
  }
  ResultPtr result(PQgetResult(m_state->conn));
  const bool ok = result && PQresultStatus(result.get()) == PGRES_COMMAND_OK;
  Result<std::uint64_t> outcome = ok ? Result<std::uint64_t>(affected_rows(result.get()))
                                     : Result<std::uint64_t>(sql_error(m_state->conn, result.get(), "COPY"));
  // Drain to the end of the command so the connection is ready for the next statement.
  while (ResultPtr extra{PQgetResult(m_state->conn)}) {
  }
  return outcome;
}

void Connection::copy_abort(std::string_view reason) {
  const std::string text(reason);
  if (PQputCopyEnd(m_state->conn, text.c_str()) == 1) {
    while (ResultPtr extra{PQgetResult(m_state->conn)}) {
    }
  }
}

} // namespace hyperpipe::hyper
