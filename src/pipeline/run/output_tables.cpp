#include "pipeline/run/output_tables.hpp"

#include <fmt/format.h>

#include "base/quoting.hpp"
#include "pipeline/run/counts.hpp"
#include "pipeline/run/output_sql.hpp"

namespace hyperpipe::pipeline {
namespace {

// A table as it will be written: its columns, and the SELECT that yields its rows.
struct ShapedTable {
  TableDefinition definition;
  std::string select;
};

// The workspace computes with 128-bit numerics (SUM over NUMERIC gives NUMERIC(38,s)); an
// output in a file version without them gets NUMERIC(18,s) when every value fits, checked
// value by value, and otherwise an error naming the column and what would hold it.
Result<ShapedTable> fit_file_version(ExtractWriter& writer, const PlannedTable& table, TableDefinition definition) {
  ShapedTable shaped{std::move(definition), table.select};
  if (writer.file_version() >= 3) {
    return shaped;
  }
  std::vector<std::string> columns;
  bool narrowed = false;
  for (auto& column : shaped.definition.columns) {
    const std::string name = base::quote_identifier(column.name);
    if (!column.type.is_wide_numeric()) {
      columns.push_back(name);
      continue;
    }
    if (column.type.scale() > 18) {
      return make_error(ErrorKind::unsupported,
                        fmt::format("table {}, column \"{}\" is {}: more than 18 digits after the point, which file "
                                    "version {} cannot hold",
                                    table.spec->name.quoted(), column.name, column.type.sql(), writer.file_version()),
                        "set file_version: 3 on the output, or CAST the column to NUMERIC(18,s) or DOUBLE PRECISION");
    }
    const SqlType narrow = SqlType::numeric(18, column.type.scale());
    const std::string bound = "1" + std::string(static_cast<std::size_t>(18 - column.type.scale()), '0');
    HP_ASSIGN_OR_RETURN(auto too_wide,
                        writer.query(fmt::format("SELECT COUNT(*), MAX(abs({})) FROM ({}) AS hp_rows WHERE abs({}) >= {}",
                                                 name, table.select, name, bound)));
    HP_ASSIGN_OR_RETURN(const std::uint64_t count, single_count(too_wide, column.name));
    if (count > 0) {
      return make_error(ErrorKind::unsupported,
                        fmt::format("table {}, column \"{}\": {} value(s) need more than 18 digits (the largest is {}), "
                                    "which file version {} cannot hold",
                                    table.spec->name.quoted(), column.name, count,
                                    too_wide.rows.front().size() > 1 ? too_wide.rows.front()[1].value_or("?") : "?",
                                    writer.file_version()),
                        "set file_version: 3 on the output (opens in Tableau Desktop 2022.4.1+, Server 2023.1+), or CAST the "
                        "column to DOUBLE PRECISION in the query");
    }
    columns.push_back(fmt::format("CAST({} AS {}) AS {}", name, narrow.sql(), name));
    column.type = narrow;
    narrowed = true;
  }
  if (narrowed) {
    shaped.select = fmt::format("SELECT {} FROM ({}) AS hp_wide", fmt::join(columns, ", "), table.select);
  }
  return shaped;
}

Result<TableDefinition> define_table(ExtractWriter& writer, const PlannedTable& table) {
  HP_ASSIGN_OR_RETURN(auto shape, writer.query(fmt::format("SELECT * FROM ({}) AS hp_rows LIMIT 0", table.select)));
  TableDefinition definition;
  definition.name = table.spec->name;
  for (const auto& column : shape.columns) {
    if (!column.type) {
      auto named = writer.query(fmt::format("SELECT format_type({}, {})", column.type_oid, column.type_modifier));
      const std::string type_name =
          named && !named->rows.empty() && named->rows[0][0] ? *named->rows[0][0] : fmt::format("type {}", column.type_oid);
      return make_error(ErrorKind::unsupported,
                        fmt::format("table {}: column \"{}\" is of type {}, which an extract cannot hold",
                                    table.spec->name.quoted(), column.name, type_name),
                        "CAST it to a supported type in the query (see docs/types.md)");
    }
    definition.add(column.name, *column.type);
  }
  definition.primary_key = table.spec->primary_key;
  definition.foreign_keys = table.spec->foreign_keys;
  for (const auto& key : table.spec->key) {
    if (!definition.find_column(key)) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("table {}: key column \"{}\" is not among the query's columns", table.spec->name.quoted(), key));
    }
  }
  HP_TRY(definition.validate());
  return definition;
}

Result<std::uint64_t> count_rows(ExtractWriter& writer, const TableName& table) {
  HP_ASSIGN_OR_RETURN(auto counted, writer.query(fmt::format("SELECT COUNT(*) FROM {}", writer.sql_name(table))));
  return single_count(counted, fmt::format("rows of {}", table.quoted()));
}

} // namespace

Status write_output_table(ExtractWriter& writer, const PlannedTable& table, OutputTableReport& report) {
  HP_ASSIGN_OR_RETURN(TableDefinition defined, define_table(writer, table));
  HP_ASSIGN_OR_RETURN(ShapedTable shaped, fit_file_version(writer, table, std::move(defined)));
  const TableDefinition& definition = shaped.definition;
  const std::string& select = shaped.select;
  const std::string target = writer.sql_name(definition.name);
  report.table = definition.name.quoted();
  report.mode = std::string(table_mode_name(table.spec->mode));
  const OutputTableSql sql = output_table_sql(table.spec->mode, target, select, table.spec->key);
  switch (table.spec->mode) {
  case TableMode::replace: {
    if (writer.ensure_table(definition)) {
      HP_TRY(writer.execute(sql.clear));
    } else {
      HP_TRY(writer.drop_table(definition.name));
      HP_TRY(writer.add_table(definition));
    }
    HP_ASSIGN_OR_RETURN(report.rows_written, writer.execute(sql.insert));
    break;
  }
  case TableMode::append: {
    HP_TRY(writer.ensure_table(definition));
    HP_ASSIGN_OR_RETURN(report.rows_written, writer.execute(sql.insert));
    break;
  }
  case TableMode::replace_by_key: {
    HP_TRY(writer.ensure_table(definition));
    HP_TRY(writer.execute(sql.stage));
    HP_ASSIGN_OR_RETURN(report.rows_replaced, writer.execute(sql.remove_replaced));
    HP_ASSIGN_OR_RETURN(report.rows_written, writer.execute(sql.insert));
    HP_TRY(writer.execute(sql.drop_stage));
    break;
  }
  }
  HP_ASSIGN_OR_RETURN(report.rows_total, count_rows(writer, definition.name));
  return {};
}

Status report_direct_table(ExtractWriter& writer, const PlannedTable& table, OutputTableReport& report) {
  report.table = table.spec->name.quoted();
  report.mode = std::string(table_mode_name(table.spec->mode));
  HP_ASSIGN_OR_RETURN(report.rows_total, count_rows(writer, table.spec->name));
  report.rows_written = report.rows_total;
  return {};
}


} // namespace hyperpipe::pipeline
