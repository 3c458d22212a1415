#include "hyper/sql/ddl.hpp"

#include <fmt/format.h>

#include "base/quoting.hpp"

namespace hyperpipe::sql {
namespace {

using base::quote_identifier;

std::string column_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    out += (out.empty() ? "" : ", ") + quote_identifier(name);
  }
  return out;
}

std::vector<std::string> column_names(const TableDefinition& table) {
  std::vector<std::string> names;
  for (const auto& column : table.columns) {
    names.push_back(column.name);
  }
  return names;
}

std::string column_sql(const ColumnDefinition& column, bool geography_as_text) {
  const bool as_text = geography_as_text && column.type.kind() == TypeKind::geography;
  std::string out = quote_identifier(column.name) + " " + (as_text ? "TEXT" : column.type.sql());
  if (!column.collation.empty()) {
    out += " COLLATE " + quote_identifier(column.collation);
  }
  if (!column.nullable()) {
    out += " NOT NULL";
  }
  return out;
}

} // namespace

std::string qualified(const std::string& database, const TableName& name) {
  return database.empty() ? name.quoted() : database + "." + name.quoted();
}

std::string create_database(const std::string& path, int file_version) {
  return fmt::format("CREATE DATABASE {} WITH VERSION {}", quote_identifier(path), file_version);
}

std::string attach_database(const std::string& path, const std::string& alias) {
  return fmt::format("ATTACH DATABASE {} AS {}", quote_identifier(path), alias);
}

std::string detach_database(const std::string& alias) { return "DETACH DATABASE " + alias; }

std::string create_schema(const std::string& database, const std::string& schema) {
  return fmt::format("CREATE SCHEMA IF NOT EXISTS {}{}", database.empty() ? "" : database + ".",
                     quote_identifier(schema));
}

std::string create_table(const std::string& database, const TableDefinition& table, bool geography_as_text) {
  std::string body;
  for (const auto& column : table.columns) {
    body += (body.empty() ? "" : ", ") + column_sql(column, geography_as_text);
  }
  if (!table.primary_key.empty()) {
    body += ", ASSUMED PRIMARY KEY (" + column_list(table.primary_key) + ")";
  }
  for (const auto& key : table.foreign_keys) {
    body += fmt::format(", ASSUMED FOREIGN KEY ({}) REFERENCES {} ({})", column_list(key.columns),
                        qualified(database, key.target), column_list(key.target_columns));
  }
  return fmt::format("CREATE TABLE {} ({})", qualified(database, table.name), body);
}

std::string create_staging_table(const std::string& staging_name, const TableDefinition& table) {
  std::string body;
  for (const auto& column : table.columns) {
    body += (body.empty() ? "" : ", ") + column_sql(column, true);
  }
  return fmt::format("CREATE TEMPORARY TABLE {} ({})", quote_identifier(staging_name), body);
}

std::string insert_from_staging(const std::string& database, const TableDefinition& table,
                                const std::string& staging_name) {
  std::string select;
  for (const auto& column : table.columns) {
    const std::string name = quote_identifier(column.name);
    select += (select.empty() ? "" : ", ") +
              (column.type.kind() == TypeKind::geography ? "CAST(" + name + " AS TABLEAU.TABGEOGRAPHY)" : name);
  }
  return fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", qualified(database, table.name),
                     column_list(column_names(table)), select, quote_identifier(staging_name));
}

std::string copy_from_stdin(const std::string& target, const TableDefinition& table) {
  return fmt::format("COPY {} ({}) FROM STDIN WITH (FORMAT HYPERBINARY)", target, column_list(column_names(table)));
}

std::string copy_from_file(const std::string& target, const TableDefinition& table, const std::string& file,
                           std::string_view with_options) {
  return fmt::format("COPY {} ({}) FROM {} WITH ({})", target, column_list(column_names(table)), base::quote_literal(file),
                     with_options);
}

} // namespace hyperpipe::sql
