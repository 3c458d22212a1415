#include "hyper/catalog/catalog_reader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "base/quoting.hpp"

namespace hyperpipe::hyper {
namespace {

// Catalog relations of `database` (quoted alias, or the connection's own when empty).
std::string catalog(const std::string& database, std::string_view relation) {
  return database.empty() ? fmt::format("pg_catalog.{}", relation)
                          : fmt::format("{}.pg_catalog.{}", database, relation);
}

std::uint32_t to_u32(const std::optional<std::string>& text) {
  std::uint32_t value = 0;
  if (text) {
    std::from_chars(text->data(), text->data() + text->size(), value);
  }
  return value;
}

std::int32_t to_i32(const std::optional<std::string>& text) {
  std::int32_t value = 0;
  if (text) {
    std::from_chars(text->data(), text->data() + text->size(), value);
  }
  return value;
}

// hyperd renders int2vector/array columns such as conkey as "[1,2]" (PostgreSQL uses "{1,2}").
std::vector<int> parse_key_list(const std::optional<std::string>& text) {
  std::vector<int> values;
  if (!text) {
    return values;
  }
  int current = 0;
  bool in_number = false;
  for (char c : *text) {
    if (c >= '0' && c <= '9') {
      current = current * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      values.push_back(current);
      current = 0;
      in_number = false;
    }
  }
  if (in_number) {
    values.push_back(current);
  }
  return values;
}

struct TableEntry {
  TableInfo info;
  std::map<int, std::string> columns_by_number;
};

} // namespace

Result<ExtractInfo> read_catalog(Connection& connection, const std::string& database) {
  ExtractInfo info;
  HP_ASSIGN_OR_RETURN(auto version,
                      connection.query(fmt::format("SELECT database_version, creation_hyper_version FROM {}",
                                                   catalog(database, "hyper_database"))));
  if (!version.rows.empty()) {
    info.file_version = static_cast<int>(to_i32(version.rows[0][0]));
    info.created_by_hyper_version = version.rows[0][1].value_or("");
  }

  HP_ASSIGN_OR_RETURN(auto schemas,
                      connection.query(fmt::format("SELECT nspname FROM {} WHERE nspname NOT LIKE 'pg\\_%' "
                                                   "AND nspname <> 'information_schema' ORDER BY nspname",
                                                   catalog(database, "pg_namespace"))));
  for (const auto& row : schemas.rows) {
    // Hyper keeps its own types (tabgeography) in schema "tableau"; it is not user data.
    if (row[0] != "tableau") {
      info.schemas.push_back(row[0].value_or(""));
    }
  }

  HP_ASSIGN_OR_RETURN(
      auto tables,
      connection.query(fmt::format("SELECT c.oid, n.nspname, c.relname FROM {} c JOIN {} n ON n.oid = c.relnamespace "
                                   "WHERE c.relkind = 'r' AND n.nspname NOT LIKE 'pg\\_%' "
                                   "AND n.nspname <> 'information_schema' ORDER BY n.nspname, c.relname",
                                   catalog(database, "pg_class"), catalog(database, "pg_namespace"))));
  std::map<std::uint32_t, TableEntry> by_oid;
  std::vector<std::uint32_t> order;
  for (const auto& row : tables.rows) {
    const std::uint32_t oid = to_u32(row[0]);
    by_oid[oid].info.definition.name = TableName{row[1].value_or(""), row[2].value_or("")};
    order.push_back(oid);
  }

  HP_ASSIGN_OR_RETURN(
      auto columns,
      connection.query(fmt::format(
          "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, co.collname "
          "FROM {} a LEFT JOIN {} co ON co.oid = a.attcollation WHERE a.attnum > 0 ORDER BY a.attrelid, a.attnum",
          catalog(database, "pg_attribute"), catalog(database, "pg_collation"))));
  for (const auto& row : columns.rows) {
    auto found = by_oid.find(to_u32(row[0]));
    if (found == by_oid.end()) {
      continue;
    }
    TableEntry& entry = found->second;
    ColumnDefinition column;
    column.name = row[2].value_or("");
    auto type = SqlType::from_oid(to_u32(row[3]), to_i32(row[4]));
    if (!type) {
      return make_error(ErrorKind::unsupported,
                        fmt::format("table {}, column \"{}\": {}", entry.info.definition.name.quoted(), column.name,
                                    type.error().message));
    }
    column.type = *type;
    column.nullability = row[5] == "t" ? Nullability::not_null : Nullability::nullable;
    const std::string collation = row[6].value_or("");
    if (collation != "default") {
      column.collation = collation;
    }
    entry.columns_by_number[to_i32(row[1])] = column.name;
    entry.info.definition.columns.push_back(std::move(column));
  }

  HP_ASSIGN_OR_RETURN(auto constraints,
                      connection.query(fmt::format("SELECT contype, conrelid, confrelid, conkey, confkey FROM {} "
                                                   "WHERE contype IN ('p', 'f')",
                                                   catalog(database, "pg_constraint"))));
  for (const auto& row : constraints.rows) {
    auto owner = by_oid.find(to_u32(row[1]));
    if (owner == by_oid.end()) {
      continue;
    }
    std::vector<std::string> key_columns;
    for (int number : parse_key_list(row[3])) {
      key_columns.push_back(owner->second.columns_by_number[number]);
    }
    if (row[0] == "p") {
      owner->second.info.definition.primary_key = key_columns;
      continue;
    }
    auto target = by_oid.find(to_u32(row[2]));
    if (target == by_oid.end()) {
      continue;
    }
    ForeignKey key{key_columns, target->second.info.definition.name, {}};
    for (int number : parse_key_list(row[4])) {
      key.target_columns.push_back(target->second.columns_by_number[number]);
    }
    owner->second.info.definition.foreign_keys.push_back(std::move(key));
  }

  const std::string prefix = database.empty() ? "" : database + ".";
  for (std::uint32_t oid : order) {
    TableInfo& table = by_oid[oid].info;
    HP_ASSIGN_OR_RETURN(auto count,
                        connection.query(fmt::format("SELECT count(*) FROM {}{}", prefix, table.definition.name.quoted())));
    std::uint64_t rows = 0;
    const std::string text = count.rows.at(0).at(0).value_or("0");
    std::from_chars(text.data(), text.data() + text.size(), rows);
    table.row_count = rows;
    info.tables.push_back(std::move(table));
  }
  return info;
}

} // namespace hyperpipe::hyper
