#pragma once
// SQL text for the statements hyperpipe issues. Pure: definitions in, statements out; every
// name and path is quoted here.

#include <string>

#include "hyperpipe/table.hpp"

namespace hyperpipe::sql {

/// `database` is a quoted database alias; names are qualified as database."schema"."table".
std::string qualified(const std::string& database, const TableName& name);

std::string create_database(const std::string& path, int file_version);
std::string attach_database(const std::string& path, const std::string& alias);
std::string detach_database(const std::string& alias);
std::string create_schema(const std::string& database, const std::string& schema);

/// CREATE TABLE with columns, collations, nullability and ASSUMED keys. With
/// `geography_as_text` geography columns become TEXT (the staging table geography loads through).
std::string create_table(const std::string& database, const TableDefinition& table, bool geography_as_text = false);
/// CREATE TEMPORARY TABLE "name" with the table's columns, geography as TEXT, no keys.
std::string create_staging_table(const std::string& staging_name, const TableDefinition& table);
/// INSERT INTO target SELECT ... FROM staging, casting WKT text to geography.
std::string insert_from_staging(const std::string& database, const TableDefinition& table,
                                const std::string& staging_name);

/// COPY target (columns) FROM STDIN WITH (FORMAT HYPERBINARY).
std::string copy_from_stdin(const std::string& target, const TableDefinition& table);
/// COPY target (columns) FROM 'file' WITH (with_options): hyperd reads the file itself.
std::string copy_from_file(const std::string& target, const TableDefinition& table, const std::string& file,
                           std::string_view with_options);

} // namespace hyperpipe::sql
