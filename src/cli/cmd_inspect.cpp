#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inspect_output.hpp"

namespace hyperpipe::cli {

std::string inspect_text(const ExtractInfo& info) {
  std::string out = fmt::format("{}: file version {}, created by Hyper {}\n", info.path.string(), info.file_version,
                                info.created_by_hyper_version);
  out += fmt::format("schemas: {}\n", fmt::join(info.schemas, ", "));
  for (const auto& table : info.tables) {
    const auto& def = table.definition;
    out += fmt::format("\ntable {}: {} row{}\n", def.name.quoted(), table.row_count, table.row_count == 1 ? "" : "s");
    std::size_t name_width = 0;
    std::size_t type_width = 0;
    for (const auto& column : def.columns) {
      name_width = std::max(name_width, column.name.size());
      type_width = std::max(type_width, column.type.sql().size());
    }
    for (const auto& column : def.columns) {
      std::string line = fmt::format("  {:<{}}  {:<{}}  {}", column.name, name_width, column.type.sql(), type_width,
                                     column.nullable() ? "NULL" : "NOT NULL");
      if (!column.collation.empty()) {
        line += fmt::format("  COLLATE {}", column.collation);
      }
      out += line + "\n";
    }
    if (!def.primary_key.empty()) {
      out += fmt::format("  assumed primary key ({})\n", fmt::join(def.primary_key, ", "));
    }
    for (const auto& key : def.foreign_keys) {
      out += fmt::format("  assumed foreign key ({}) references {} ({})\n", fmt::join(key.columns, ", "),
                         key.target.quoted(), fmt::join(key.target_columns, ", "));
    }
  }
  return out;
}

std::string inspect_json(const ExtractInfo& info) {
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  for (const auto& table : info.tables) {
    const auto& def = table.definition;
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (const auto& column : def.columns) {
      nlohmann::ordered_json entry = {{"name", column.name}, {"type", column.type.sql()}, {"nullable", column.nullable()}};
      entry["collation"] = column.collation.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(column.collation);
      columns.push_back(std::move(entry));
    }
    nlohmann::ordered_json foreign_keys = nlohmann::ordered_json::array();
    for (const auto& key : def.foreign_keys) {
      foreign_keys.push_back({{"columns", key.columns},
                              {"references",
                               {{"schema", key.target.schema}, {"table", key.target.table}, {"columns", key.target_columns}}}});
    }
    tables.push_back({{"schema", def.name.schema},
                      {"table", def.name.table},
                      {"row_count", table.row_count},
                      {"columns", std::move(columns)},
                      {"primary_key", def.primary_key},
                      {"foreign_keys", std::move(foreign_keys)}});
  }
  nlohmann::ordered_json document = {{"path", info.path.string()},
                             {"file_version", info.file_version},
                             {"created_by_hyper_version", info.created_by_hyper_version},
                             {"schemas", info.schemas},
                             {"tables", std::move(tables)}};
  return document.dump(2) + "\n";
}

Runner add_inspect_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand(
      "inspect", "Describe a .hyper file: version, schemas, tables, columns, row counts, keys");
  command->add_option("file", args->file, "the .hyper file")->required();
  command->add_flag("--json", args->json, "print JSON instead of text");
  auto engine_flags = add_engine_flags(*command);
  return [args, engine_flags] {
    auto info = inspect_file(*engine_flags, args->file);
    if (!info) {
      return report(info.error());
    }
    const std::string text = args->json ? inspect_json(*info) : inspect_text(*info);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return static_cast<int>(k_exit_ok);
  };
}

} // namespace hyperpipe::cli
