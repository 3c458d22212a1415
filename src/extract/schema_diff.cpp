#include "extract/schema_diff.hpp"

#include <fmt/format.h>

namespace hyperpipe::extract {
namespace {

std::string describe(const ColumnDefinition& column) {
  return column.type.sql() + (column.nullable() ? "" : " NOT NULL");
}

} // namespace

std::vector<std::string> schema_differences(const TableDefinition& existing, const TableDefinition& incoming) {
  std::vector<std::string> differences;
  for (std::size_t i = 0; i < incoming.columns.size(); ++i) {
    const ColumnDefinition& column = incoming.columns[i];
    const auto found = existing.find_column(column.name);
    if (!found) {
      differences.push_back(fmt::format("column \"{}\" ({}) is not in the existing table", column.name, describe(column)));
      continue;
    }
    const ColumnDefinition& old = existing.columns[*found];
    if (old.type != column.type || old.nullability != column.nullability) {
      differences.push_back(fmt::format("column \"{}\" is {} in the existing table but {} in the new data", column.name,
                                        describe(old), describe(column)));
    } else if (*found != i) {
      differences.push_back(fmt::format("column \"{}\" is at position {} in the existing table but {} in the new data",
                                        column.name, *found + 1, i + 1));
    }
  }
  for (const ColumnDefinition& old : existing.columns) {
    if (!incoming.find_column(old.name)) {
      differences.push_back(fmt::format("column \"{}\" ({}) of the existing table is missing from the new data",
                                        old.name, describe(old)));
    }
  }
  return differences;
}

} // namespace hyperpipe::extract
