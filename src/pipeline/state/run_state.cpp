#include "pipeline/state/run_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "extract/atomic_file.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;

Result<RunState> read_run_state(const fs::path& file) {
  RunState state;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return state;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    const auto json = nlohmann::json::parse(text.str());
    state.last_success = json.value("last_success", "");
    if (json.contains("sources")) {
      for (const auto& [name, source] : json.at("sources").items()) {
        SourceState entry{source.value("watermark", ""), source.value("type", ""), {}};
        for (const auto& table : source.value("tables", nlohmann::json::array())) {
          SourceState::Table shape{table.at("name").get<std::string>(), {}};
          for (const auto& column : table.at("columns")) {
            shape.columns.emplace_back(column.at("name").get<std::string>(), column.at("type").get<std::string>());
          }
          entry.tables.push_back(std::move(shape));
        }
        state.sources[name] = std::move(entry);
      }
    }
  } catch (const nlohmann::json::exception& error) {
    return make_error(ErrorKind::io, fmt::format("{}: not a hyperpipe state file: {}", file.string(), error.what()),
                      "it keeps the incremental watermarks; restore it from a backup, or delete it to reload everything");
  }
  return state;
}

Status write_file_atomically(const fs::path& file, std::string_view text) {
  const fs::path temporary = extract::temporary_path_for(file);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      extract::remove_quietly(temporary);
      return make_error(ErrorKind::io, fmt::format("cannot write {}", temporary.string()));
    }
  }
  auto published = extract::publish(temporary, file, true);
  if (!published) {
    extract::remove_quietly(temporary);
  }
  return published;
}

Status write_run_state(const fs::path& file, const RunState& state) {
  nlohmann::json json;
  json["format"] = "hyperpipe-state/1";
  json["last_success"] = state.last_success;
  json["sources"] = nlohmann::json::object();
  for (const auto& [name, source] : state.sources) {
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& table : source.tables) {
      nlohmann::json columns = nlohmann::json::array();
      for (const auto& [column, type] : table.columns) {
        columns.push_back({{"name", column}, {"type", type}});
      }
      tables.push_back({{"name", table.name}, {"columns", std::move(columns)}});
    }
    json["sources"][name] = {{"watermark", source.watermark}, {"type", source.type}, {"tables", std::move(tables)}};
  }
  return write_file_atomically(file, json.dump(2) + "\n");
}

Result<RunLock> RunLock::acquire(const fs::path& file, const std::string& busy, const std::string& hint) {
  auto lock = base::FileLock::try_acquire(file, std::to_string(::getpid()));
  if (!lock) {
    Error error = std::move(lock).error();
    if (error.kind == ErrorKind::already_exists) {
      error.message = fmt::format("{}{}", busy, error.message.empty() ? "" : fmt::format(" (pid {})", error.message));
      error.hint = hint;
    }
    return error;
  }
  return RunLock(std::move(*lock));
}


} // namespace hyperpipe::pipeline
