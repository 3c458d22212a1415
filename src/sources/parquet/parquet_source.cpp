#include "sources/parquet/parquet_source.hpp"

#include <fmt/format.h>

#include <fstream>

#include "base/quoting.hpp"

namespace hyperpipe::sources {
namespace {

std::string external(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> literals;
  for (const auto& file : files) {
    literals.push_back(base::quote_literal(std::filesystem::absolute(file).string()));
  }
  return fmt::format("external(ARRAY[{}], FORMAT => 'parquet')", fmt::join(literals, ", "));
}

} // namespace

bool looks_like_parquet(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  char magic[4] = {};
  return file.read(magic, 4) && std::string_view(magic, 4) == "PAR1";
}

std::string parquet_schema_query(const std::vector<std::filesystem::path>& files) {
  return fmt::format("SELECT * FROM {} LIMIT 0", external(files));
}

Result<std::vector<ColumnDefinition>> parquet_columns(const QueryResult& schema,
                                                      const std::map<std::uint32_t, std::string>& type_names,
                                                      const std::map<std::string, SqlType>& overrides,
                                                      const std::string& source_name) {
  std::vector<ColumnDefinition> columns;
  for (const auto& column : schema.columns) {
    const auto override_type = overrides.find(column.name);
    if (override_type != overrides.end()) {
      columns.push_back({column.name, override_type->second, Nullability::nullable, {}});
      continue;
    }
    if (!column.type) {
      const auto name = type_names.find(column.type_oid);
      return make_error(ErrorKind::unsupported,
                        fmt::format("{}: column \"{}\" has type {}, which a .hyper table cannot hold", source_name,
                                    column.name,
                                    name != type_names.end() ? name->second : fmt::format("OID {}", column.type_oid)),
                        fmt::format("convert it to text with --schema \"{}=text\", or flatten it before loading",
                                    column.name));
    }
    columns.push_back({column.name, *column.type, Nullability::nullable, {}});
  }
  return columns;
}

std::string parquet_insert_sql(const TableName& table, const std::vector<ColumnDefinition>& columns,
                               const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const auto& column : columns) {
    names.push_back(base::quote_identifier(column.name));
    values.push_back(fmt::format("CAST({} AS {})", base::quote_identifier(column.name), column.type.sql()));
  }
  return fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", table.quoted(), fmt::join(names, ", "),
                     fmt::join(values, ", "), external(files));
}

} // namespace hyperpipe::sources
