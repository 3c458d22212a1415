#include "pipeline/run/output_sql.hpp"

#include <fmt/format.h>

#include "base/quoting.hpp"

namespace hyperpipe::pipeline {

std::vector<std::string> OutputTableSql::in_order() const {
  std::vector<std::string> statements;
  for (const std::string* statement : {&clear, &stage, &remove_replaced, &insert, &drop_stage}) {
    if (!statement->empty()) {
      statements.push_back(*statement);
    }
  }
  return statements;
}

OutputTableSql output_table_sql(TableMode mode, const std::string& target, const std::string& select,
                                const std::vector<std::string>& key) {
  OutputTableSql sql;
  switch (mode) {
  case TableMode::replace:
    // A table of the same shape is emptied rather than dropped: another table's ASSUMED
    // foreign key may refer to it, and Hyper refuses to drop a referenced table.
    sql.clear = fmt::format("DELETE FROM {}", target);
    sql.insert = fmt::format("INSERT INTO {} SELECT * FROM ({}) AS hp_rows", target, select);
    break;
  case TableMode::append:
    sql.insert = fmt::format("INSERT INTO {} SELECT * FROM ({}) AS hp_rows", target, select);
    break;
  case TableMode::replace_by_key: {
    std::vector<std::string> matches;
    for (const auto& column : key) {
      const std::string quoted = base::quote_identifier(column);
      matches.push_back(fmt::format("b.{} IS NOT DISTINCT FROM t.{}", quoted, quoted));
    }
    sql.stage = fmt::format("CREATE TEMPORARY TABLE \"hp_batch\" AS (SELECT * FROM ({}) AS hp_rows)", select);
    sql.remove_replaced = fmt::format("DELETE FROM {} AS t WHERE EXISTS (SELECT 1 FROM \"hp_batch\" AS b WHERE {})", target,
                                      fmt::join(matches, " AND "));
    sql.insert = fmt::format("INSERT INTO {} SELECT * FROM \"hp_batch\"", target);
    sql.drop_stage = "DROP TABLE \"hp_batch\"";
    break;
  }
  }
  return sql;
}

} // namespace hyperpipe::pipeline
