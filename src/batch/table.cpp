#include "hyperpipe/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "base/quoting.hpp"

namespace hyperpipe {
namespace {

// Splits one name part off the front of `text`: either "quoted""name" or a run up to the dot.
Result<std::string> take_name_part(std::string_view& text, std::string_view original) {
  std::string part;
  if (!text.empty() && text.front() == '"') {
    std::size_t i = 1;
    for (;; ++i) {
      if (i >= text.size()) {
        return make_error(ErrorKind::invalid_argument,
                          fmt::format("unterminated quote in table name \"{}\"", original));
      }
      if (text[i] == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          part += '"';
          ++i;
          continue;
        }
        break;
      }
      part += text[i];
    }
    text.remove_prefix(i + 1);
  } else {
    const auto dot = text.find('.');
    part = std::string(text.substr(0, dot));
    text.remove_prefix(dot == std::string_view::npos ? text.size() : dot);
  }
  if (part.empty()) {
    return make_error(ErrorKind::invalid_argument, fmt::format("empty name part in \"{}\"", original),
                      "write SCHEMA.TABLE or TABLE");
  }
  return part;
}

} // namespace

Result<TableName> TableName::parse(std::string_view text) {
  std::string_view rest = text;
  HP_ASSIGN_OR_RETURN(std::string first, take_name_part(rest, text));
  if (rest.empty()) {
    return TableName{"Extract", first};
  }
  if (rest.front() != '.') {
    return make_error(ErrorKind::invalid_argument, fmt::format("bad table name \"{}\"", text));
  }
  rest.remove_prefix(1);
  HP_ASSIGN_OR_RETURN(std::string second, take_name_part(rest, text));
  if (!rest.empty()) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("bad table name \"{}\": expected SCHEMA.TABLE", text));
  }
  return TableName{first, second};
}

std::string TableName::quoted() const {
  return base::quote_identifier(schema) + "." + base::quote_identifier(table);
}

TableDefinition& TableDefinition::add(std::string column_name, SqlType type, Nullability nullability) {
  columns.push_back(ColumnDefinition{std::move(column_name), type, nullability, {}});
  return *this;
}

std::optional<std::size_t> TableDefinition::find_column(std::string_view column_name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) {
      return i;
    }
  }
  return std::nullopt;
}

Status TableDefinition::validate() const {
  const std::string where = name.quoted();
  if (name.schema.empty() || name.table.empty()) {
    return make_error(ErrorKind::invalid_argument, "table and schema names must not be empty");
  }
  if (columns.empty()) {
    return make_error(ErrorKind::invalid_argument, fmt::format("table {} has no columns", where));
  }
  std::unordered_set<std::string> seen;
  for (const auto& column : columns) {
    if (column.name.empty()) {
      return make_error(ErrorKind::invalid_argument, fmt::format("table {} has a column with an empty name", where));
    }
    if (!seen.insert(column.name).second) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("table {} has two columns named \"{}\"", where, column.name));
    }
  }
  auto check_columns = [&](const std::vector<std::string>& names, std::string_view what) -> Status {
    for (const auto& key : names) {
      if (!seen.contains(key)) {
        return make_error(ErrorKind::invalid_argument,
                          fmt::format("table {}: {} names column \"{}\", which the table does not have",
                                      where, what, key));
      }
    }
    return {};
  };
  HP_TRY(check_columns(primary_key, "the primary key"));
  for (const auto& key : foreign_keys) {
    HP_TRY(check_columns(key.columns, "a foreign key"));
    if (key.columns.empty() || key.columns.size() != key.target_columns.size()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("table {}: a foreign key to {} needs as many target columns as columns",
                                    where, key.target.quoted()));
    }
  }
  return {};
}

int TableDefinition::minimum_file_version() const {
  int version = 0;
  for (const auto& column : columns) {
    version = std::max(version, column.type.minimum_file_version());
  }
  return version;
}

} // namespace hyperpipe
