#include "publish/update_actions.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hyperpipe::publish {

std::string_view data_action_name(DataActionKind kind) {
  switch (kind) {
  case DataActionKind::insert: return "insert";
  case DataActionKind::update: return "update";
  case DataActionKind::upsert: return "upsert";
  case DataActionKind::remove: return "delete";
  case DataActionKind::replace: return "replace";
  }
  return "upsert";
}

Result<DataActionKind> parse_data_action(std::string_view text) {
  for (const auto kind : {DataActionKind::insert, DataActionKind::update, DataActionKind::upsert, DataActionKind::remove,
                          DataActionKind::replace}) {
    if (text == data_action_name(kind)) {
      return kind;
    }
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("unknown action \"{}\"", text),
                    "use insert, update, upsert, delete or replace");
}

Status check_actions(const std::vector<DataAction>& actions) {
  if (actions.empty()) {
    return make_error(ErrorKind::invalid_argument, "no action to send");
  }
  for (const auto& action : actions) {
    const bool keyed = action.kind == DataActionKind::update || action.kind == DataActionKind::upsert ||
                       action.kind == DataActionKind::remove;
    if (keyed && action.key.empty()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("{} of \"{}\".\"{}\" needs key columns to match rows on", data_action_name(action.kind),
                                    action.target_schema, action.target_table),
                        "name them with --key COL[,COL]");
    }
    if (!keyed && !action.key.empty()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("{} matches no rows, so it takes no key", data_action_name(action.kind)),
                        "leave out --key for insert and replace");
    }
  }
  return {};
}

std::string actions_json(const std::vector<DataAction>& actions) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& action : actions) {
    nlohmann::json item{{"action", data_action_name(action.kind)},
                        {"source-schema", action.source_schema},
                        {"source-table", action.source_table},
                        {"target-schema", action.target_schema},
                        {"target-table", action.target_table}};
    if (!action.key.empty()) {
      nlohmann::json conditions = nlohmann::json::array();
      for (const auto& column : action.key) {
        conditions.push_back({{"op", "eq"}, {"source-col", column}, {"target-col", column}});
      }
      item["condition"] = conditions.size() == 1 ? conditions[0] : nlohmann::json{{"op", "and"}, {"args", conditions}};
    }
    list.push_back(std::move(item));
  }
  return nlohmann::json{{"actions", std::move(list)}}.dump();
}

} // namespace hyperpipe::publish
