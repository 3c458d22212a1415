#include "pipeline/state/sync_state.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "pipeline/state/run_state.hpp"

namespace hyperpipe::pipeline {
namespace {

using nlohmann::json;

json action_to_json(const publish::DataAction& action) {
  return {{"action", publish::data_action_name(action.kind)}, {"source_schema", action.source_schema},
          {"source_table", action.source_table},               {"target_schema", action.target_schema},
          {"target_table", action.target_table},               {"key", action.key}};
}

Result<publish::DataAction> action_from_json(const json& item) {
  HP_ASSIGN_OR_RETURN(auto kind, publish::parse_data_action(item.at("action").get<std::string>()));
  return publish::DataAction{kind,
                             item.at("source_schema").get<std::string>(),
                             item.at("source_table").get<std::string>(),
                             item.at("target_schema").get<std::string>(),
                             item.at("target_table").get<std::string>(),
                             item.at("key").get<std::vector<std::string>>()};
}

} // namespace

Result<SyncState> read_sync_state(const std::filesystem::path& file) {
  SyncState state;
  std::ifstream in(file);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      return state;
    }
    return make_error(ErrorKind::io, fmt::format("{}: cannot read the sync state", file.string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    const json document = json::parse(text.str());
    for (const auto& [key, item] : document.at("targets").items()) {
      SyncTarget target;
      target.server = item.at("server").get<std::string>();
      target.site = item.at("site").get<std::string>();
      target.project = item.at("project").get<std::string>();
      target.name = item.at("name").get<std::string>();
      target.datasource_id = item.at("datasource_id").get<std::string>();
      target.updated_at = item.at("updated_at").get<std::string>();
      target.keys = item.value("keys", std::map<std::string, std::vector<std::string>>{});
      target.refused = item.value("refused", 0);
      if (item.contains("pending")) {
        const json& pending = item.at("pending");
        SyncTarget::Pending kept;
        kept.run_started = pending.at("run_started").get<std::string>();
        kept.done = pending.at("done").get<std::size_t>();
        kept.next = pending.at("next").get<std::string>();
        kept.next_inode = pending.at("next_inode").get<std::uint64_t>();
        kept.updated_at = pending.at("updated_at").get<std::string>();
        for (const auto& batch : pending.at("batches")) {
          publish::ChangeBatch kept_batch;
          if (!batch.at("payload").is_null()) {
            kept_batch.payload = batch.at("payload").get<std::string>();
          }
          kept_batch.request_id = batch.at("request_id").get<std::string>();
          for (const auto& action : batch.at("actions")) {
            HP_ASSIGN_OR_RETURN(auto parsed, action_from_json(action));
            kept_batch.actions.push_back(std::move(parsed));
          }
          kept.batches.push_back(std::move(kept_batch));
        }
        target.pending = std::move(kept);
      }
      state.targets[key] = std::move(target);
    }
  } catch (const json::exception& error) {
    return make_error(ErrorKind::io, fmt::format("{}: not a sync state hyperpipe wrote ({})", file.string(), error.what()),
                      "remove it: the next run publishes each sync target whole and starts over");
  }
  return state;
}

Status write_sync_state(const std::filesystem::path& file, const SyncState& state) {
  json targets = json::object();
  for (const auto& [key, target] : state.targets) {
    json item{{"server", target.server},         {"site", target.site},
              {"project", target.project},       {"name", target.name},
              {"datasource_id", target.datasource_id}, {"updated_at", target.updated_at},
              {"keys", target.keys},             {"refused", target.refused}};
    if (target.pending) {
      json batches = json::array();
      for (const auto& batch : target.pending->batches) {
        json actions = json::array();
        for (const auto& action : batch.actions) {
          actions.push_back(action_to_json(action));
        }
        batches.push_back({{"payload", batch.payload ? json(batch.payload->string()) : json(nullptr)},
                           {"request_id", batch.request_id},
                           {"actions", std::move(actions)}});
      }
      item["pending"] = {{"run_started", target.pending->run_started}, {"done", target.pending->done},
                         {"next", target.pending->next.string()},      {"next_inode", target.pending->next_inode},
                         {"updated_at", target.pending->updated_at},   {"batches", std::move(batches)}};
    }
    targets[key] = std::move(item);
  }
  return write_file_atomically(file, json{{"targets", std::move(targets)}}.dump(2) + "\n");
}

} // namespace hyperpipe::pipeline
