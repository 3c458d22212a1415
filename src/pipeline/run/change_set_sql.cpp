#include "pipeline/run/change_set_sql.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/quoting.hpp"

namespace hyperpipe::pipeline::change_set_sql {
namespace {

std::string column_list(const std::vector<std::string>& columns, const std::string& prefix = {}) {
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (const auto& column : columns) {
    quoted.push_back(prefix + base::quote_identifier(column));
  }
  return fmt::format("{}", fmt::join(quoted, ", "));
}

} // namespace

std::string copy_keys(const std::string& into, const std::string& table, const std::vector<std::string>& key) {
  return fmt::format("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {}", into, column_list(key), table);
}

std::string duplicate_keys(const std::string& table, const std::vector<std::string>& key) {
  return fmt::format("SELECT COUNT(*) FROM (SELECT {0} FROM {1} GROUP BY {0} HAVING COUNT(*) > 1) AS duplicates",
                     column_list(key), table);
}

std::string null_keys(const std::string& table, const std::vector<std::string>& key) {
  std::vector<std::string> tests;
  for (const auto& column : key) {
    tests.push_back(base::quote_identifier(column) + " IS NULL");
  }
  return fmt::format("SELECT COUNT(*) FROM {} WHERE {}", table, fmt::join(tests, " OR "));
}

namespace {

std::string key_match(const std::vector<std::string>& key, const std::string& left, const std::string& right) {
  std::vector<std::string> matches;
  for (const auto& column : key) {
    const std::string quoted = base::quote_identifier(column);
    matches.push_back(fmt::format("{1}.{0} = {2}.{0}", quoted, left, right));
  }
  return fmt::format("{}", fmt::join(matches, " AND "));
}

} // namespace

std::string create_upserts(const std::string& into, const std::string& fresh, const std::string& last,
                           const std::vector<std::string>& key, const std::vector<std::string>& columns) {
  std::vector<std::string> differs{fmt::format("o.{} IS NULL", base::quote_identifier(key.front()))};
  for (const auto& column : columns) {
    const std::string quoted = base::quote_identifier(column);
    differs.push_back(fmt::format("f.{0} IS DISTINCT FROM o.{0}", quoted));
  }
  return fmt::format("CREATE TABLE {} AS SELECT {} FROM {} AS f LEFT JOIN {} AS o ON {} WHERE {}", into,
                     column_list(columns, "f."), fresh, last, key_match(key, "o", "f"), fmt::join(differs, " OR "));
}

std::string create_deletes(const std::string& into, const std::string& fresh, const std::string& last,
                           const std::vector<std::string>& key) {
  return fmt::format("CREATE TABLE {} AS SELECT {} FROM {} AS o WHERE NOT EXISTS (SELECT 1 FROM {} AS f WHERE {})", into,
                     column_list(key, "o."), last, fresh, key_match(key, "f", "o"));
}

std::string count_inserted(const std::string& upserts, const std::string& last, const std::vector<std::string>& key) {
  return fmt::format("SELECT COUNT(*) FROM {} AS u WHERE NOT EXISTS (SELECT 1 FROM {} AS o WHERE {})", upserts, last,
                     key_match(key, "o", "u"));
}

std::string count_differences(const std::string& fresh, const std::string& last) {
  return fmt::format("SELECT (SELECT COUNT(*) FROM (SELECT * FROM {0} EXCEPT ALL SELECT * FROM {1}) AS added) + "
                     "(SELECT COUNT(*) FROM (SELECT * FROM {1} EXCEPT ALL SELECT * FROM {0}) AS removed)",
                     fresh, last);
}

std::string create_copy(const std::string& into, const std::string& fresh) {
  return fmt::format("CREATE TABLE {} AS SELECT * FROM {}", into, fresh);
}

std::string create_part(const std::string& into, const std::string& source, const std::vector<std::string>& columns,
                        const std::vector<std::string>& key, std::uint64_t parts, std::uint64_t index) {
  return fmt::format("CREATE TABLE {} AS SELECT {} FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY {}) AS hp_position FROM {}) "
                     "AS numbered WHERE hp_position % {} = {}",
                     into, column_list(columns), column_list(key), source, parts, index);
}

std::string count_rows(const std::string& table) { return fmt::format("SELECT COUNT(*) FROM {}", table); }

} // namespace hyperpipe::pipeline::change_set_sql
