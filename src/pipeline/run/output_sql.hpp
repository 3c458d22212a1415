#pragma once
// The statements that write one output table, by its mode. Pure: the runner runs exactly these,
// and `--dry-run` prints them (with the output extract's alias shown as <output>).

#include <string>
#include <vector>

#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::pipeline {

struct OutputTableSql {
  std::string clear;           ///< replace, when the table is kept (same shape): empty it
  std::string stage;           ///< replace_by_key: the new rows into a temporary table
  std::string remove_replaced; ///< replace_by_key: the rows the new ones replace, by key
  std::string insert;          ///< every mode: the new rows in
  std::string drop_stage;      ///< replace_by_key: the temporary table away

  /// The non-empty statements, in the order they run.
  std::vector<std::string> in_order() const;
};

/// `target`: the table's SQL name in the output extract; `select`: its rows (over the workspace).
OutputTableSql output_table_sql(TableMode mode, const std::string& target, const std::string& select,
                                const std::vector<std::string>& key);

} // namespace hyperpipe::pipeline
