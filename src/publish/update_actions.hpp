#pragma once
// The actions of Tableau's "Update Data in Hyper Data Source" (PATCH .../datasources/{id}/data):
// what a change set does to a published live-to-Hyper data source, as the JSON body the server
// reads ({"actions": [...]}, each with its source table in the uploaded payload, its target table
// in the data source, and a condition on key columns). Pure: values in, JSON text out.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::publish {

enum class DataActionKind { insert, update, upsert, remove, replace };
/// "insert", "update", "upsert", "delete", "replace".
std::string_view data_action_name(DataActionKind kind);
Result<DataActionKind> parse_data_action(std::string_view text);

struct DataAction {
  DataActionKind kind = DataActionKind::upsert;
  std::string source_schema; ///< in the payload
  std::string source_table;
  std::string target_schema; ///< in the data source
  std::string target_table;
  /// Matched source-col = target-col, all of them (an "and" of "eq"s); required by update,
  /// upsert and delete, refused for insert and replace.
  std::vector<std::string> key;
};

/// Checks each action's shape (a key where one is needed, none where it is not).
Status check_actions(const std::vector<DataAction>& actions);
/// {"actions": [...]} with "action", "source-schema", "source-table", "target-schema",
/// "target-table" and "condition" ({"op": "eq", "source-col", "target-col"}, or {"op": "and",
/// "args": [...]} for several key columns).
std::string actions_json(const std::vector<DataAction>& actions);

} // namespace hyperpipe::publish
