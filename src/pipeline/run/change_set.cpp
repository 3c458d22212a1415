#include "pipeline/run/change_set.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "base/quoting.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/extract.hpp"
#include "pipeline/run/change_set_sql.hpp"
#include "pipeline/run/counts.hpp"

namespace hyperpipe::pipeline {
namespace {

namespace fs = std::filesystem;

// The change tables of one output table inside a payload file: beside it, in its own schema.
TableName upserts_of(const TableName& table) { return {table.schema, table.table + "__upsert"}; }
TableName deletes_of(const TableName& table) { return {table.schema, table.table + "__delete"}; }
TableName copy_of(const TableName& table) { return {table.schema, table.table + "__replace"}; }

const TableInfo* find_table(const ExtractInfo& info, const TableName& name) {
  const auto found = std::find_if(info.tables.begin(), info.tables.end(),
                                  [&](const TableInfo& table) { return table.definition.name == name; });
  return found == info.tables.end() ? nullptr : &*found;
}

bool same_columns(const TableDefinition& a, const TableDefinition& b) {
  if (a.columns.size() != b.columns.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.columns.size(); ++i) {
    const auto& left = a.columns[i];
    const auto& right = b.columns[i];
    if (left.name != right.name || !(left.type == right.type) || left.nullability != right.nullability ||
        left.collation != right.collation) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> column_names(const TableDefinition& definition) {
  std::vector<std::string> names;
  for (const auto& column : definition.columns) {
    names.push_back(column.name);
  }
  return names;
}

// One change table and the action that applies it.
struct Piece {
  TableName table;        ///< in the payload
  publish::DataAction action;
  std::vector<std::string> columns;
  bool splittable = true; ///< a replace must arrive whole
  std::uint64_t rows = 0;
};

Result<std::uint64_t> count(ExtractWriter& writer, const std::string& sql, std::string_view what) {
  HP_ASSIGN_OR_RETURN(auto result, writer.query(sql));
  return single_count(result, what);
}

// A key that is unique and never NULL, checked on a copy of its columns: Hyper trusts an ASSUMED
// primary key, so grouping on the table itself would find no duplicate by design.
Status check_key(ExtractWriter& writer, const std::string& fresh, const ChangeTable& table, const fs::path& file) {
  const std::string keys = base::quote_identifier("hp_sync_keys");
  HP_TRY(writer.execute(change_set_sql::copy_keys(keys, fresh, table.key)));
  HP_ASSIGN_OR_RETURN(const auto duplicates, count(writer, change_set_sql::duplicate_keys(keys, table.key), "duplicates"));
  HP_TRY(writer.execute("DROP TABLE " + keys));
  HP_ASSIGN_OR_RETURN(const auto nulls, count(writer, change_set_sql::null_keys(fresh, table.key), "nulls"));
  if (duplicates > 0 || nulls > 0) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("the key ({}) of {} in {} is not a key: {} value{} occur more than once, {} row{} "
                                  "have a NULL in it; nothing was sent",
                                  fmt::join(table.key, ", "), table.name.quoted(), file.filename().string(), duplicates,
                                  duplicates == 1 ? "" : "s", nulls, nulls == 1 ? "" : "s"),
                      "a sync publish matches rows on the table's primary_key (or key): make it unique and not NULL, "
                      "or publish with overwrite");
  }
  return {};
}

// Writes the pieces into `parts` payload files, each piece's rows spread over them (a replace
// only into the first). The files' names: changes-<parts>-<index>.hyper.
Result<std::vector<fs::path>> write_parts(HyperEngine& engine, const fs::path& whole, const std::vector<Piece>& pieces,
                                          const fs::path& folder, std::uint64_t parts) {
  std::vector<fs::path> files;
  std::map<std::string, std::uint64_t> placed; // rows per piece over all parts
  for (std::uint64_t index = 0; index < parts; ++index) {
    const fs::path file = folder / fmt::format("changes-{}-{}.hyper", parts, index);
    HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine, file));
    HP_ASSIGN_OR_RETURN(const std::string source, writer.attach(whole));
    for (const auto& piece : pieces) {
      if (!piece.splittable && index != 0) {
        continue;
      }
      HP_TRY(writer.ensure_schema(piece.table.schema));
      const std::string from = sql::qualified(source, piece.table);
      HP_TRY(writer.execute(piece.splittable ? change_set_sql::create_part(writer.sql_name(piece.table), from, piece.columns,
                                                                           piece.action.key, parts, index)
                                             : change_set_sql::create_copy(writer.sql_name(piece.table), from)));
      HP_ASSIGN_OR_RETURN(const auto rows, count(writer, change_set_sql::count_rows(writer.sql_name(piece.table)), "rows"));
      placed[piece.table.quoted()] += rows;
    }
    HP_TRY(writer.execute(sql::detach_database(source)));
    HP_TRY(writer.commit());
    files.push_back(file);
  }
  // Every row in exactly one part, or nothing is sent.
  for (const auto& piece : pieces) {
    if (placed[piece.table.quoted()] != piece.rows) {
      return make_error(ErrorKind::internal, fmt::format("splitting {} placed {} of its {} rows", piece.table.quoted(),
                                                         placed[piece.table.quoted()], piece.rows));
    }
  }
  return files;
}

} // namespace

Result<ChangeSet> compute_change_set(HyperEngine& engine, const ChangeSetRequest& request) {
  ChangeSet changes;
  HP_ASSIGN_OR_RETURN(const ExtractInfo fresh_info, engine.inspect(request.fresh));
  for (const auto& table : request.tables) {
    if (find_table(fresh_info, table.name) == nullptr) {
      return make_error(ErrorKind::internal, fmt::format("{} is not in {}", table.name.quoted(), request.fresh.string()));
    }
  }
  const fs::path whole = request.folder / "changes.hyper";
  HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine, whole));
  HP_ASSIGN_OR_RETURN(const std::string fresh_db, writer.attach(request.fresh));
  // The keys first, whatever follows (a whole publish too): a key that is not one would make
  // every later change set wrong.
  for (const auto& table : request.tables) {
    if (!table.key.empty()) {
      HP_TRY(check_key(writer, sql::qualified(fresh_db, table.name), table, request.fresh));
    }
  }
  if (request.last.empty()) {
    return changes; // nothing to compare with
  }
  HP_ASSIGN_OR_RETURN(const ExtractInfo last_info, engine.inspect(request.last));
  for (const auto& table : last_info.tables) {
    const bool kept = std::any_of(request.tables.begin(), request.tables.end(),
                                  [&](const ChangeTable& wanted) { return wanted.name == table.definition.name; });
    if (!kept) {
      changes.fallback = fmt::format("table {} is no longer in the output", table.definition.name.quoted());
      return changes;
    }
  }
  for (const auto& table : request.tables) {
    const TableInfo* last = find_table(last_info, table.name);
    if (last == nullptr || !same_columns(find_table(fresh_info, table.name)->definition, last->definition)) {
      changes.fallback = fmt::format("table {} {} since the last publish", table.name.quoted(),
                                     last == nullptr ? "is new" : "has other columns");
      return changes;
    }
  }
  std::vector<Piece> pieces;
  {
    HP_ASSIGN_OR_RETURN(const std::string last_db, writer.attach(request.last));
    for (const auto& table : request.tables) {
      const std::string fresh = sql::qualified(fresh_db, table.name);
      const std::string last = sql::qualified(last_db, table.name);
      SyncTableReport report{table.name.quoted(), 0, 0, 0, 0};
      HP_TRY(writer.ensure_schema(table.name.schema));
      const auto columns = column_names(find_table(fresh_info, table.name)->definition);
      if (table.key.empty()) {
        HP_ASSIGN_OR_RETURN(const auto differences, count(writer, change_set_sql::count_differences(fresh, last), "differences"));
        if (differences > 0) {
          HP_TRY(writer.execute(change_set_sql::create_copy(writer.sql_name(copy_of(table.name)), fresh)));
          HP_ASSIGN_OR_RETURN(report.replaced, count(writer, change_set_sql::count_rows(writer.sql_name(copy_of(table.name))), "rows"));
          pieces.push_back({copy_of(table.name),
                            {publish::DataActionKind::replace, table.name.schema, copy_of(table.name).table, table.name.schema,
                             table.name.table, {}},
                            columns, false, report.replaced});
        }
        changes.tables.push_back(report);
        continue;
      }
      const std::string upserts = writer.sql_name(upserts_of(table.name));
      const std::string deletes = writer.sql_name(deletes_of(table.name));
      HP_TRY(writer.execute(change_set_sql::create_deletes(deletes, fresh, last, table.key)));
      HP_TRY(writer.execute(change_set_sql::create_upserts(upserts, fresh, last, table.key, columns)));
      HP_ASSIGN_OR_RETURN(report.deleted, count(writer, change_set_sql::count_rows(deletes), "deleted"));
      HP_ASSIGN_OR_RETURN(const auto upserted, count(writer, change_set_sql::count_rows(upserts), "upserted"));
      HP_ASSIGN_OR_RETURN(report.inserted, count(writer, change_set_sql::count_inserted(upserts, last, table.key), "inserted"));
      report.updated = upserted - report.inserted;
      if (report.deleted > 0) {
        pieces.push_back({deletes_of(table.name),
                          {publish::DataActionKind::remove, table.name.schema, deletes_of(table.name).table, table.name.schema,
                           table.name.table, table.key},
                          table.key, true, report.deleted});
      }
      if (upserted > 0) {
        pieces.push_back({upserts_of(table.name),
                          {publish::DataActionKind::upsert, table.name.schema, upserts_of(table.name).table, table.name.schema,
                            table.name.table, table.key},
                          columns, true, upserted});
      }
      changes.tables.push_back(report);
    }
    HP_TRY(writer.execute(sql::detach_database(fresh_db)));
    HP_TRY(writer.execute(sql::detach_database(last_db)));
    HP_TRY(writer.commit());
  }
  if (pieces.empty()) {
    return changes; // nothing changed: nothing to send
  }
  // Deletes before upserts, then replaces: a key removed and a key added never collide.
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    const auto rank = [](const Piece& piece) { return static_cast<int>(piece.action.kind == publish::DataActionKind::upsert) +
                                                      2 * static_cast<int>(piece.action.kind == publish::DataActionKind::replace); };
    return rank(a) < rank(b);
  });
  std::error_code ec;
  const std::uint64_t size = fs::file_size(whole, ec);
  std::uint64_t parts = size <= request.payload_limit ? 1 : (size + request.payload_limit - 1) / request.payload_limit + 1;
  std::vector<fs::path> files;
  for (int attempt = 0;; ++attempt) {
    if (parts == 1) {
      files = {whole};
    } else {
      HP_ASSIGN_OR_RETURN(files, write_parts(engine, whole, pieces, request.folder, parts));
    }
    const bool fits = std::all_of(files.begin(), files.end(),
                                  [&](const fs::path& file) { return fs::file_size(file, ec) <= request.payload_limit; });
    if (fits) {
      break;
    }
    if (parts > 1) {
      for (const auto& file : files) {
        fs::remove(file, ec); // too large: written again in more parts
      }
    }
    if (attempt == 3) {
      changes.fallback = fmt::format("the change set ({} bytes) cannot be split into payloads of at most {} bytes (a table "
                                     "without a key is sent whole)",
                                     size, request.payload_limit);
      return changes;
    }
    parts *= 2;
  }
  for (std::size_t index = 0; index < files.size(); ++index) {
    publish::ChangeBatch batch;
    batch.payload = files[index];
    for (const auto& piece : pieces) {
      if (piece.splittable || index == 0) {
        batch.actions.push_back(piece.action);
      }
    }
    changes.batches.push_back(std::move(batch));
  }
  return changes;
}

} // namespace hyperpipe::pipeline
