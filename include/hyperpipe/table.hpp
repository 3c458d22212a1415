#pragma once
/// \file
/// Table definitions: names, columns, and the ASSUMED keys Tableau reads to relate the tables of
/// a multi-table extract.

#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/sql_type.hpp"

namespace hyperpipe {

/// A schema-qualified table name. Names are case-sensitive and stored unquoted; quoting is done
/// when SQL is generated. Tableau's conventional single-table name is "Extract"."Extract".
struct TableName {
  std::string schema = "Extract";
  std::string table = "Extract";

  /// Parses "schema.table" or "table" (schema "Extract"). Double quotes may wrap either part,
  /// which allows a dot inside a name: "my.schema"."t".
  static Result<TableName> parse(std::string_view text);
  /// "schema"."table", quoted for display and for SQL.
  std::string quoted() const;
  bool operator==(const TableName&) const = default;
};

enum class Nullability { nullable, not_null };

struct ColumnDefinition {
  std::string name;
  SqlType type = SqlType::text();
  Nullability nullability = Nullability::nullable;
  std::string collation; ///< empty: the database default; e.g. "en_US_CI"

  bool nullable() const { return nullability == Nullability::nullable; }
};

/// ASSUMED FOREIGN KEY (columns) REFERENCES target (target_columns). Hyper does not verify it;
/// Tableau derives relationships from it.
struct ForeignKey {
  std::vector<std::string> columns;
  TableName target;
  std::vector<std::string> target_columns;
};

struct TableDefinition {
  TableName name;
  std::vector<ColumnDefinition> columns;
  std::vector<std::string> primary_key; ///< ASSUMED PRIMARY KEY; empty for none
  std::vector<ForeignKey> foreign_keys;

  /// Appends a column and returns *this, for fluent construction.
  TableDefinition& add(std::string column_name, SqlType type,
                       Nullability nullability = Nullability::nullable);
  /// Index of the named column, if present.
  std::optional<std::size_t> find_column(std::string_view column_name) const;
  /// Checks the definition is self-consistent: at least one column, unique non-empty names,
  /// key columns that exist.
  Status validate() const;
  /// The highest minimum_file_version() among the columns.
  int minimum_file_version() const;
};

} // namespace hyperpipe
