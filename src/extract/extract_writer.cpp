#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <system_error>
#include <thread>

#include "base/quoting.hpp"
#include "extract/atomic_file.hpp"
#include "extract/extract_state.hpp"
#include "extract/schema_diff.hpp"
#include "extract/temporary_files.hpp"
#include "hyper/catalog/catalog_reader.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe {
namespace fs = std::filesystem;
namespace {

// How long a file taken over may stay locked by hyperd after its last use elsewhere.
constexpr std::chrono::seconds k_release_wait{30};

const char* version_opens_in(int version) {
  switch (version) {
  case 3: return "Tableau Desktop 2022.4.1+, Server 2023.1+";
  case 4: return "Tableau 2024.3+";
  default: return "every supported Tableau";
  }
}

Status check_file_version(const TableDefinition& table, int file_version) {
  for (const auto& column : table.columns) {
    const int needed = column.type.minimum_file_version();
    if (needed > file_version) {
      return make_error(ErrorKind::unsupported,
                        fmt::format("table {}, column \"{}\": {} needs file version {}, but this extract is version {}",
                                    table.name.quoted(), column.name, column.type.sql(), needed, file_version),
                        fmt::format("use file version {} (opens in {}), or a type that version {} supports{}", needed,
                                    version_opens_in(needed), file_version,
                                    column.type.kind() == TypeKind::real ? " such as DOUBLE PRECISION"
                                                                         : " such as NUMERIC(18,s) or DOUBLE PRECISION"));
    }
  }
  return {};
}

} // namespace

ExtractWriter::State::~State() { abandon(); }

void ExtractWriter::State::abandon() noexcept {
  if (finished) {
    return;
  }
  finished = true;
  if (connection) {
    auto ignored = connection->execute(sql::detach_database(alias));
    (void)ignored;
    connection.reset();
  }
  extract::remove_quietly(temporary);
  extract::untrack_temporary(temporary);
}

namespace {

// Where an extract's working file comes from: a new database, a copy of the target (to update
// it), or a file taken over.
enum class Start { create, copy_target, take_over };

} // namespace

Result<ExtractWriter> ExtractWriter::open(HyperEngine& engine, const fs::path& target_path, ExtractOptions options) {
  return start(engine, target_path, options, {});
}

Result<ExtractWriter> ExtractWriter::adopt(HyperEngine& engine, const fs::path& file, const fs::path& target) {
  return start(engine, target, {CreateMode::replace, std::nullopt}, file);
}

Result<ExtractWriter> ExtractWriter::start(HyperEngine& engine, const fs::path& target_path, ExtractOptions options,
                                           const fs::path& taken_over) {
  auto& engine_state = engine.state();
  const int version = options.file_version.value_or(engine_state.default_file_version);
  if (version < 0 || version > 4) {
    return make_error(ErrorKind::invalid_argument, fmt::format("file version {} does not exist", version),
                      "use 0, 1, 2, 3 or 4 (2 opens in every Tableau since 2020.4/2022.1)");
  }
  std::error_code ec;
  const fs::path target = fs::absolute(target_path, ec);
  if (!fs::is_directory(target.parent_path(), ec)) {
    return make_error(ErrorKind::not_found, fmt::format("{}: directory {} does not exist", target_path.string(),
                                                        target.parent_path().string()));
  }
  const bool exists = fs::exists(target, ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("{}: {}", target_path.string(), ec.message()));
  }
  if (exists && options.mode == CreateMode::create) {
    return make_error(ErrorKind::already_exists, fmt::format("{} already exists", target_path.string()),
                      "choose another name, or replace it");
  }
  if (!exists && options.mode == CreateMode::open_existing) {
    return make_error(ErrorKind::not_found, fmt::format("{}: no such extract to append to", target_path.string()));
  }
  const Start how = !taken_over.empty() ? Start::take_over
                    : exists && (options.mode == CreateMode::open_existing || options.mode == CreateMode::create_if_missing)
                        ? Start::copy_target
                        : Start::create;

  auto state = std::make_shared<State>();
  state->engine = &engine_state;
  state->target = target;
  extract::remove_stale_temporaries(target);
  state->temporary = extract::temporary_path_for(target);
  HP_TRY(extract::check_can_create(state->temporary));
  extract::track_temporary(state->temporary);
  // Replace only what was there when we started: if the target was absent, a file that appears
  // meanwhile (another run) is not silently overwritten.
  state->replace_target = exists && options.mode != CreateMode::create;
  state->alias = base::quote_identifier(fmt::format("hp_extract_{}", engine_state.next_alias++));
  HP_ASSIGN_OR_RETURN(auto connection, engine_state.connect());
  state->connection = std::move(connection);
  switch (how) {
  case Start::copy_target: HP_TRY(extract::copy_for_update(target, state->temporary)); break;
  case Start::take_over: HP_TRY(extract::move_for_update(taken_over, state->temporary)); break;
  case Start::create: HP_TRY(state->connection->execute(sql::create_database(state->temporary.string(), version))); break;
  }
  auto attached = state->connection->execute(sql::attach_database(state->temporary.string(), state->alias));
  if (how == Start::take_over) {
    // A file hyperd just wrote or read under its old name can stay locked for a moment after
    // its connection closed (hyperd lets go of it in the background): wait for that, bounded.
    const auto deadline = std::chrono::steady_clock::now() + k_release_wait;
    auto pause = std::chrono::milliseconds(5);
    while (!attached && attached.error().message.find("locked by another process") != std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
      attached = state->connection->execute(sql::attach_database(state->temporary.string(), state->alias));
    }
    if (!attached && attached.error().message.find("locked by another process") != std::string::npos) {
      Error error = std::move(attached).error();
      error.message = fmt::format("{}: hyperd still held it {} s after it was last used, so it was discarded: {}",
                                  taken_over.string(), k_release_wait.count(), error.message);
      error.hint = fmt::format("run again: {} was not changed, and the file is made anew", target.string());
      return error;
    }
  }
  if (!attached) {
    Error error = std::move(attached).error();
    if (how != Start::create) {
      const fs::path& file = how == Start::take_over ? taken_over : target_path;
      error.message = fmt::format("{}: cannot open as a Hyper database: {}", file.string(), error.message);
      error.hint = "is it a .hyper file?";
    }
    return error;
  }
  state->file_version = version;
  if (how != Start::create) {
    HP_ASSIGN_OR_RETURN(auto info, hyper::read_catalog(*state->connection, state->alias));
    state->file_version = info.file_version;
    for (auto& table : info.tables) {
      state->tables.emplace(table.definition.name.quoted(), table.definition);
    }
  }
  return ExtractWriter(std::move(state));
}

ExtractWriter::ExtractWriter(std::shared_ptr<State> state) : m_state(std::move(state)) {}
ExtractWriter::ExtractWriter(ExtractWriter&&) noexcept = default;
ExtractWriter& ExtractWriter::operator=(ExtractWriter&&) noexcept = default;
ExtractWriter::~ExtractWriter() = default;

const fs::path& ExtractWriter::target() const { return m_state->target; }
int ExtractWriter::file_version() const { return m_state->file_version; }

Status ExtractWriter::State::check_usable() const {
  if (finished) {
    return make_error(ErrorKind::invalid_argument, "this extract was already committed or abandoned");
  }
  if (table_writer_active) {
    return make_error(ErrorKind::invalid_argument, "finish the current TableWriter first");
  }
  return {};
}

Status ExtractWriter::add_table(const TableDefinition& table) {
  HP_TRY(m_state->check_usable());
  HP_TRY(table.validate());
  HP_TRY(check_file_version(table, m_state->file_version));
  if (m_state->tables.contains(table.name.quoted())) {
    return make_error(ErrorKind::already_exists, fmt::format("table {} already exists in {}", table.name.quoted(),
                                                             m_state->target.string()));
  }
  for (const auto& key : table.foreign_keys) {
    if (!m_state->tables.contains(key.target.quoted())) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("table {}: foreign key refers to {}, which is not in the extract",
                                    table.name.quoted(), key.target.quoted()),
                        "add the referenced table first");
    }
  }
  HP_TRY(m_state->connection->execute(sql::create_schema(m_state->alias, table.name.schema)));
  HP_TRY(m_state->connection->execute(sql::create_table(m_state->alias, table)));
  m_state->tables.emplace(table.name.quoted(), table);
  return {};
}

Status ExtractWriter::ensure_table(const TableDefinition& table) {
  HP_TRY(m_state->check_usable());
  const auto existing = m_state->tables.find(table.name.quoted());
  if (existing == m_state->tables.end()) {
    return add_table(table);
  }
  const auto differences = extract::schema_differences(existing->second, table);
  if (differences.empty()) {
    return {};
  }
  return make_error(ErrorKind::schema_mismatch,
                    fmt::format("cannot append to {} in {}: {}", table.name.quoted(), m_state->target.string(),
                                fmt::join(differences, "; ")),
                    "make the new data's columns match, or replace the extract instead of appending");
}

Result<std::uint64_t> ExtractWriter::execute(std::string_view sql) {
  HP_TRY(m_state->check_usable());
  return m_state->connection->execute(sql);
}

Result<QueryResult> ExtractWriter::query(std::string_view sql) {
  HP_TRY(m_state->check_usable());
  return m_state->connection->query(sql);
}

Status ExtractWriter::drop_table(const TableName& table) {
  HP_TRY(m_state->check_usable());
  const auto found = m_state->tables.find(table.quoted());
  if (found == m_state->tables.end()) {
    return make_error(ErrorKind::not_found, fmt::format("table {} is not in {}", table.quoted(), m_state->target.string()));
  }
  HP_TRY(m_state->connection->execute(fmt::format("DROP TABLE {}", sql_name(table))));
  m_state->tables.erase(found);
  return {};
}

Status ExtractWriter::rename_table(const TableName& from, const TableName& to) {
  HP_TRY(m_state->check_usable());
  auto& tables = m_state->tables;
  const auto found = tables.find(from.quoted());
  if (found == tables.end()) {
    return make_error(ErrorKind::not_found, fmt::format("table {} is not in {}", from.quoted(), m_state->target.string()));
  }
  if (tables.contains(to.quoted())) {
    return make_error(ErrorKind::already_exists, fmt::format("table {} is already in {}", to.quoted(), m_state->target.string()));
  }
  const std::string& alias = m_state->alias;
  const bool other_schema = from.schema != to.schema;
  if (other_schema) {
    // Checked before anything changes: a refusal leaves the extract as it was.
    const bool alone = std::none_of(tables.begin(), tables.end(), [&](const auto& entry) {
      return entry.first != found->first && entry.second.name.schema == from.schema;
    });
    HP_ASSIGN_OR_RETURN(auto schemas, m_state->connection->query(fmt::format(
                                          "SELECT COUNT(*) FROM {}.pg_catalog.pg_namespace WHERE nspname = {}", alias,
                                          base::quote_literal(to.schema))));
    const bool target_schema_exists = !schemas.rows.empty() && schemas.rows[0][0] != std::optional<std::string>("0");
    if (!alone || target_schema_exists) {
      return make_error(ErrorKind::unsupported,
                        fmt::format("cannot move table {} to {}: Hyper renames a table only within its schema",
                                    from.quoted(), to.quoted()));
    }
  }
  if (from.table != to.table) {
    HP_TRY(m_state->connection->execute(
        fmt::format("ALTER TABLE {} RENAME TO {}", sql_name(from), base::quote_identifier(to.table))));
  }
  if (other_schema) {
    HP_TRY(m_state->connection->execute(fmt::format("ALTER SCHEMA {}.{} RENAME TO {}", alias,
                                                    base::quote_identifier(from.schema), base::quote_identifier(to.schema))));
    if (from.schema == "public") {
      HP_TRY(m_state->connection->execute(sql::create_schema(alias, "public")));
    }
  }
  TableDefinition definition = std::move(found->second);
  tables.erase(found);
  definition.name = to;
  tables.emplace(to.quoted(), std::move(definition));
  return {};
}

Result<std::string> ExtractWriter::attach(const fs::path& database) {
  HP_TRY(m_state->check_usable());
  const std::string alias = base::quote_identifier(fmt::format("hp_attached_{}", m_state->engine->next_alias++));
  HP_TRY(m_state->connection->execute(sql::attach_database(fs::absolute(database).string(), alias)));
  return alias;
}

Status ExtractWriter::resolve_unqualified_in(std::string_view alias) {
  HP_TRY(m_state->check_usable());
  std::string bare(alias.empty() ? m_state->alias : alias);
  // Aliases are generated plain identifiers; the setting takes them without quotes.
  bare.erase(std::remove(bare.begin(), bare.end(), '"'), bare.end());
  HP_TRY(m_state->connection->execute(fmt::format("SET schema_search_path = {}", base::quote_literal(bare))));
  return {};
}

Status ExtractWriter::ensure_schema(const std::string& schema) {
  HP_TRY(m_state->check_usable());
  HP_TRY(m_state->connection->execute(sql::create_schema(m_state->alias, schema)));
  return {};
}

std::string ExtractWriter::sql_name(const TableName& table) const { return sql::qualified(m_state->alias, table); }

const fs::path& ExtractWriter::working_file() const { return m_state->temporary; }

Status ExtractWriter::commit() {
  HP_TRY(m_state->check_usable());
  return m_state->finish_as(m_state->target, m_state->replace_target);
}

Status ExtractWriter::commit_as(const fs::path& staged) {
  HP_TRY(m_state->check_usable());
  return m_state->finish_as(staged, true);
}

Status ExtractWriter::State::finish_as(const fs::path& path, bool replace) {
  // DETACH returns once hyperd has written every change to the file.
  auto detached = connection->execute(sql::detach_database(alias));
  connection.reset();
  if (!detached) {
    abandon();
    return std::move(detached).error();
  }
  auto published = extract::publish(temporary, path, replace);
  finished = true;
  extract::untrack_temporary(temporary);
  if (!published) {
    extract::remove_quietly(temporary);
    return published;
  }
  return {};
}

} // namespace hyperpipe
