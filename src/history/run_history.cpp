#include "history/run_history.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <memory>

namespace hyperpipe::history {
namespace {

sqlite3* db(void* handle) { return static_cast<sqlite3*>(handle); }

Error sqlite_error(sqlite3* database, std::string_view what) {
  return make_error(ErrorKind::io, fmt::format("run history: {}: {}", what, sqlite3_errmsg(database)));
}

struct Statement {
  sqlite3_stmt* statement = nullptr;
  ~Statement() { sqlite3_finalize(statement); }
};

// Prepares `sql` into `statement`; `what` says what failed ("cannot record the run").
Status prepare(sqlite3* database, const char* sql, Statement& statement, std::string_view what) {
  if (sqlite3_prepare_v2(database, sql, -1, &statement.statement, nullptr) != SQLITE_OK) {
    return sqlite_error(database, what);
  }
  return {};
}

Status execute(sqlite3* database, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(database, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return make_error(ErrorKind::io, fmt::format("run history: {}", text));
  }
  return {};
}

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

} // namespace

Result<RunHistory> RunHistory::open(const std::filesystem::path& file) {
  sqlite3* database = nullptr;
  if (sqlite3_open(file.c_str(), &database) != SQLITE_OK) {
    Error error = sqlite_error(database, fmt::format("cannot open {}", file.string()));
    sqlite3_close(database);
    return error;
  }
  RunHistory history(database);
  // WAL: a scheduler writing while `hyperpipe history` reads; a busy timeout instead of errors.
  sqlite3_busy_timeout(database, 5000);
  HP_TRY(execute(database, "PRAGMA journal_mode=WAL"));
  HP_TRY(execute(database, "CREATE TABLE IF NOT EXISTS runs ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, started TEXT NOT NULL,"
                           " finished TEXT NOT NULL, status TEXT NOT NULL, trigger_kind TEXT NOT NULL,"
                           " seconds REAL NOT NULL, rows INTEGER NOT NULL, outputs TEXT NOT NULL,"
                           " report TEXT NOT NULL, error TEXT NOT NULL)"));
  HP_TRY(execute(database, "CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, id)"));
  return history;
}

RunHistory::RunHistory(RunHistory&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
RunHistory& RunHistory::operator=(RunHistory&& other) noexcept {
  std::swap(m_db, other.m_db);
  return *this;
}
RunHistory::~RunHistory() { sqlite3_close(db(m_db)); }

Status RunHistory::record(const RunRecord& run, std::size_t keep) {
  sqlite3* database = db(m_db);
  Statement insert;
  HP_TRY(prepare(database,
                 "INSERT INTO runs (pipeline, started, finished, status, trigger_kind, seconds, rows, outputs,"
                 " report, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 insert, "cannot record the run"));
  int index = 1;
  for (const std::string* text : {&run.pipeline, &run.started, &run.finished, &run.status, &run.trigger}) {
    sqlite3_bind_text(insert.statement, index++, text->c_str(), -1, SQLITE_TRANSIENT);
  }
  sqlite3_bind_double(insert.statement, index++, run.seconds);
  sqlite3_bind_int64(insert.statement, index++, static_cast<sqlite3_int64>(run.rows));
  for (const std::string* text : {&run.outputs, &run.report, &run.error}) {
    sqlite3_bind_text(insert.statement, index++, text->c_str(), -1, SQLITE_TRANSIENT);
  }
  if (sqlite3_step(insert.statement) != SQLITE_DONE) {
    return sqlite_error(database, "cannot record the run");
  }
  Statement prune;
  HP_TRY(prepare(database,
                 "DELETE FROM runs WHERE pipeline = ? AND id NOT IN"
                 " (SELECT id FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT ?)",
                 prune, "cannot prune old runs"));
  sqlite3_bind_text(prune.statement, 1, run.pipeline.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(prune.statement, 2, run.pipeline.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(prune.statement, 3, static_cast<sqlite3_int64>(keep));
  if (sqlite3_step(prune.statement) != SQLITE_DONE) {
    return sqlite_error(database, "cannot prune old runs");
  }
  return {};
}

Result<std::vector<RunRecord>> RunHistory::list(const std::string& pipeline, std::size_t limit) const {
  sqlite3* database = db(m_db);
  Statement select;
  HP_TRY(prepare(database,
                 "SELECT id, pipeline, started, finished, status, trigger_kind, seconds, rows, outputs, report,"
                 " error FROM runs WHERE (? = '' OR pipeline = ?) ORDER BY id DESC LIMIT ?",
                 select, "cannot read the runs"));
  sqlite3_bind_text(select.statement, 1, pipeline.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(select.statement, 2, pipeline.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(select.statement, 3, static_cast<sqlite3_int64>(limit));
  std::vector<RunRecord> runs;
  int step = 0;
  while ((step = sqlite3_step(select.statement)) == SQLITE_ROW) {
    RunRecord run;
    run.id = sqlite3_column_int64(select.statement, 0);
    run.pipeline = column_text(select.statement, 1);
    run.started = column_text(select.statement, 2);
    run.finished = column_text(select.statement, 3);
    run.status = column_text(select.statement, 4);
    run.trigger = column_text(select.statement, 5);
    run.seconds = sqlite3_column_double(select.statement, 6);
    run.rows = static_cast<std::uint64_t>(sqlite3_column_int64(select.statement, 7));
    run.outputs = column_text(select.statement, 8);
    run.report = column_text(select.statement, 9);
    run.error = column_text(select.statement, 10);
    runs.push_back(std::move(run));
  }
  if (step != SQLITE_DONE) {
    return sqlite_error(database, "cannot read the runs");
  }
  return runs;
}

} // namespace hyperpipe::history
