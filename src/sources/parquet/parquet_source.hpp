#pragma once
// Parquet files are read by hyperd itself through external(): the schema comes from the file,
// the rows never pass through hyperpipe. This module only builds the SQL and maps the schema,
// so it is pure; the pipeline runs the statements.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hyperpipe/query_result.hpp"
#include "hyperpipe/table.hpp"

namespace hyperpipe::sources {

/// True when the file starts with Parquet's magic bytes "PAR1".
bool looks_like_parquet(const std::filesystem::path& path);

/// A query returning no rows whose result columns are the files' schema.
std::string parquet_schema_query(const std::vector<std::filesystem::path>& files);

/// The columns for a table holding the files' rows. A column of a type Hyper can read but a
/// .hyper column cannot hold (nested lists, structs) is an error naming the column and the type
/// (`type_names` maps a type OID to hyperd's name for it). `overrides` replace inferred types.
Result<std::vector<ColumnDefinition>> parquet_columns(const QueryResult& schema,
                                                      const std::map<std::uint32_t, std::string>& type_names,
                                                      const std::map<std::string, SqlType>& overrides,
                                                      const std::string& source_name);

/// INSERT INTO table SELECT (cast where overridden) FROM external(the files).
std::string parquet_insert_sql(const TableName& table, const std::vector<ColumnDefinition>& columns,
                               const std::vector<std::filesystem::path>& files);

} // namespace hyperpipe::sources
