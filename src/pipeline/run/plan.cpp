#include "pipeline/run/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "base/quoting.hpp"
#include "pipeline/run/output_sql.hpp"
#include "pipeline/run/watermark.hpp"
#include "pipeline/run/workspace_sql.hpp"

namespace hyperpipe::pipeline {

std::string trim_query(std::string_view sql) {
  std::string out(sql);
  while (!out.empty() && (out.back() == ';' || std::isspace(static_cast<unsigned char>(out.back())) != 0)) {
    out.pop_back();
  }
  out.erase(0, out.find_first_not_of(" \t\r\n"));
  // A trailing "-- comment" would swallow the parenthesis the query gets wrapped in.
  const auto last_line = out.rfind('\n');
  if (out.find("--", last_line == std::string::npos ? 0 : last_line) != std::string::npos) {
    out += '\n';
  }
  return out;
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$'; }

// Whether `sql` may name `table`: anywhere as a whole word, in any case, quoted or not. Erring
// towards yes only costs a copy.
bool mentions(std::string_view sql, const std::string& table) {
  const std::string text = lower(sql);
  const std::string name = lower(table);
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    const bool starts = at == 0 || !is_identifier_char(text[at - 1]);
    const bool ends = at + name.size() == text.size() || !is_identifier_char(text[at + name.size()]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

// A source can be staged straight into an output (its staged file becomes the output file) when
// its rows go to exactly one table of the planned outputs, unchanged (`from:`, replaced whole,
// no declared keys), no transform or query reads it, and it loads no watermark; one such table
// per output, the first.
void find_direct_sources(const PipelineSpec& pipeline, Plan& plan) {
  for (const auto& source : pipeline.sources) {
    if (source.incremental_column) {
      continue;
    }
    const bool read_by_sql =
        std::any_of(pipeline.transforms.begin(), pipeline.transforms.end(),
                    [&](const TransformSpec& transform) { return mentions(transform.sql, source.name); });
    std::vector<std::pair<PlannedOutput*, PlannedTable*>> users;
    bool queried = read_by_sql;
    for (auto& output : plan.outputs) {
      for (auto& table : output.tables) {
        if (table.spec->from == source.name) {
          users.emplace_back(&output, &table);
        } else if (!table.spec->sql.empty() && mentions(table.spec->sql, source.name)) {
          queried = true;
        }
      }
    }
    if (queried || users.size() != 1) {
      continue;
    }
    auto [output, table] = users.front();
    const bool taken = std::any_of(output->tables.begin(), output->tables.end(),
                                   [](const PlannedTable& other) { return !other.direct_source.empty(); });
    const OutputTableSpec& spec = *table->spec;
    if (!taken && output->mode == CreateMode::replace && spec.mode == TableMode::replace && spec.primary_key.empty() &&
        spec.foreign_keys.empty()) {
      table->direct_source = source.name;
    }
  }
}

} // namespace

Result<Plan> make_plan(const PipelineSpec& pipeline, const PlanOptions& options) {
  Plan plan;
  for (const auto& wanted : options.only) {
    if (pipeline.find_output(wanted) == nullptr) {
      std::vector<std::string> names;
      for (const auto& output : pipeline.outputs) {
        names.push_back(output.name);
      }
      return make_error(ErrorKind::invalid_argument, fmt::format("--only {}: the pipeline has no such output", wanted),
                        fmt::format("its outputs: {}", fmt::join(names, ", ")));
    }
  }
  const bool incremental = std::any_of(pipeline.sources.begin(), pipeline.sources.end(),
                                       [](const SourceSpec& source) { return source.incremental_column.has_value(); });
  const std::set<std::string> distinct(options.only.begin(), options.only.end());
  if (!distinct.empty() && distinct.size() < pipeline.outputs.size() && incremental) {
    return make_error(ErrorKind::invalid_argument,
                      "--only cannot be used with incremental sources",
                      "the watermark moves for the whole pipeline: the outputs left out would never get the rows "
                      "loaded now; run every output");
  }
  for (const auto& source : pipeline.sources) {
    plan.sources.push_back(&source);
  }
  for (const auto& transform : pipeline.transforms) {
    plan.transforms.push_back({&transform,
                               fmt::format("CREATE TABLE {} AS ({})", base::quote_identifier(transform.name),
                                           trim_query(transform.sql)),
                               workspace_sql::count_rows(transform.name)});
  }
  for (const auto& output : pipeline.outputs) {
    if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), output.name) == options.only.end()) {
      continue;
    }
    PlannedOutput planned{&output, CreateMode::replace, {}};
    for (const auto& table : output.tables) {
      if (table.mode != TableMode::replace) {
        planned.mode = CreateMode::create_if_missing;
      }
      planned.tables.push_back({&table, table.from.empty() ? trim_query(table.sql)
                                                           : fmt::format("SELECT * FROM {}", base::quote_identifier(table.from))});
    }
    plan.outputs.push_back(std::move(planned));
    if (options.publish) {
      for (const auto& target : output.publish) {
        plan.publishes.push_back({&output, &target});
      }
    }
  }
  find_direct_sources(pipeline, plan);
  return plan;
}

std::optional<std::pair<const PlannedOutput*, const PlannedTable*>> Plan::direct_table_of(const std::string& source) const {
  for (const auto& output : outputs) {
    for (const auto& table : output.tables) {
      if (table.direct_source == source) {
        return std::pair{&output, &table};
      }
    }
  }
  return std::nullopt;
}

std::string Plan::describe() const {
  std::string text;
  int step = 1;
  for (const auto* source : sources) {
    const auto direct = direct_table_of(source->name);
    text += fmt::format("{}. stage source {} ({}){} -> {}\n", step++, source->name,
                        source->source ? source->source->describe() : source->type,
                        source->incremental_column ? fmt::format(", rows past the watermark of \"{}\"", *source->incremental_column) : "",
                        direct ? fmt::format("output {} table {} as it is staged (no copy; if it stages as one table of "
                                             "the output's file version, else workspace table {})",
                                             direct->first->spec->name, direct->second->spec->name.quoted(),
                                             base::quote_identifier(source->name))
                               : fmt::format("workspace table {}", base::quote_identifier(source->name)));
    if (source->incremental_column) {
      // The watermark step's statements, from its own builder; <watermark> comes from the state.
      const WatermarkInput input{source->name, *source->incremental_column, std::string("<watermark>"), {}, {}};
      text += fmt::format("     {}\n     {}\n     {}\n", watermark_sql::count_stale(input, "<watermark>", "<type>"),
                          watermark_sql::delete_stale(input, "<watermark>", "<type>"), watermark_sql::largest(input));
    }
  }
  // The statements are the runner's own (pipeline/run/workspace_sql); <staged> is a staged file's
  // alias. Child tables a source stages (a JSON array's) are gathered the same way.
  text += fmt::format("{}. gather the staged tables, but those going straight into an output, into one workspace (the "
                      "largest staged file becomes it):\n",
                      step++);
  for (const auto* source : sources) {
    text += fmt::format("     {}  -- its columns, kept in the state\n     {}  -- unless it is the workspace\n",
                        workspace_sql::shape(source->name), workspace_sql::copy_staged_table("<staged>", source->name));
  }
  text += fmt::format("     {}  -- after each staged file\n", workspace_sql::detach("<staged>"));
  for (const auto& transform : transforms) {
    text += fmt::format("{}. transform {}: {}\n     {}\n", step++, transform.spec->name, transform.sql, transform.count_sql);
  }
  for (const auto& output : outputs) {
    text += fmt::format("{}. write {} ({}{})\n", step++, output.spec->file.string(),
                        output.mode == CreateMode::replace ? "new file" : "update of the existing file",
                        output.spec->file_version ? fmt::format(", file version {}", *output.spec->file_version) : "");
    for (const auto& table : output.tables) {
      text += fmt::format("   table {} [{}{}]:\n", table.spec->name.quoted(), table_mode_name(table.spec->mode),
                          table.spec->key.empty() ? "" : fmt::format(" by {}", fmt::join(table.spec->key, ", ")));
      if (!table.direct_source.empty()) {
        text += fmt::format("     -- source {}'s staged file becomes this file, its table renamed (no rows copied); "
                            "if it did not stage fit for that:\n",
                            table.direct_source);
      }
      // The statements the runner runs, from the same builder; <output> is the extract's alias.
      const std::string target = fmt::format("\"<output>\".{}", table.spec->name.quoted());
      OutputTableSql sql = output_table_sql(table.spec->mode, target, table.select, table.spec->key);
      if (!sql.clear.empty()) {
        // A new file has no table to empty; an existing one is emptied only when its columns match.
        sql.clear = output.mode == CreateMode::replace ? "" : sql.clear + "  -- if the table has these columns; else re-created";
      }
      for (const auto& statement : sql.in_order()) {
        text += fmt::format("     {}\n", statement);
      }
    }
    text += fmt::format("   {}\n", workspace_sql::detach("<workspace>"));
  }
  for (const auto& publish : publishes) {
    text += fmt::format("{}. publish {} to {} as \"{}\" in project \"{}\" ({})\n", step++, publish.output->name,
                        publish.target->server, publish.target->name,
                        publish.target->project.empty() ? "Default" : publish.target->project,
                        publish::publish_mode_name(publish.target->mode));
  }
  return text;
}

} // namespace hyperpipe::pipeline
