#include "pipeline/run/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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
  return plan;
}

std::string Plan::describe() const {
  std::string text;
  int step = 1;
  for (const auto* source : sources) {
    text += fmt::format("{}. stage source {} ({}){} -> workspace table {}\n", step++, source->name,
                        source->source ? source->source->describe() : source->type,
                        source->incremental_column ? fmt::format(", rows past the watermark of \"{}\"", *source->incremental_column) : "",
                        base::quote_identifier(source->name));
    if (source->incremental_column) {
      // The watermark step's statements, from its own builder; <watermark> comes from the state.
      const WatermarkInput input{source->name, *source->incremental_column, std::string("<watermark>"), {}, {}};
      text += fmt::format("     {}\n     {}\n     {}\n", watermark_sql::count_stale(input, "<watermark>", "<type>"),
                          watermark_sql::delete_stale(input, "<watermark>", "<type>"), watermark_sql::largest(input));
    }
  }
  // The statements are the runner's own (pipeline/run/workspace_sql); <staged> is a staged file's
  // alias. Child tables a source stages (a JSON array's) are gathered the same way.
  text += fmt::format("{}. gather the staged tables into one workspace (the largest staged file becomes it):\n", step++);
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
