#include "pipeline/run/watermark.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/quoting.hpp"
#include "pipeline/run/counts.hpp"

namespace hyperpipe::pipeline {
namespace watermark_sql {

std::string root(const WatermarkInput& input) { return fmt::format("\"public\".{}", base::quote_identifier(input.table)); }

std::string largest(const WatermarkInput& input) {
  return fmt::format("SELECT MAX({}) FROM {}", base::quote_identifier(input.column), root(input));
}

std::string stale(const WatermarkInput& input, std::string_view watermark, std::string_view type) {
  const std::string column = base::quote_identifier(input.column);
  return fmt::format("{} IS NULL OR NOT ({} > CAST({} AS {}))", column, column, base::quote_literal(watermark), type);
}

std::string count_stale(const WatermarkInput& input, std::string_view watermark, std::string_view type) {
  return fmt::format("SELECT COUNT(*) FROM {} WHERE {}", root(input), stale(input, watermark, type));
}

std::string delete_stale(const WatermarkInput& input, std::string_view watermark, std::string_view type) {
  return fmt::format("DELETE FROM {} WHERE {}", root(input), stale(input, watermark, type));
}

std::string orphans(const ForeignKey& key, const TableName& child) {
  std::vector<std::string> matches;
  for (std::size_t c = 0; c < key.columns.size() && c < key.target_columns.size(); ++c) {
    matches.push_back(fmt::format("p.{} = c.{}", base::quote_identifier(key.target_columns[c]),
                                  base::quote_identifier(key.columns[c])));
  }
  return fmt::format("{} AS c WHERE NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})", child.quoted(), key.target.quoted(),
                     fmt::join(matches, " AND "));
}

} // namespace watermark_sql

namespace {

// Child tables (JSON arrays of objects) of dropped records: loaded with their parents by an
// earlier run. Parents come before their children, so one pass removes every generation.
Result<std::uint64_t> drop_orphans(const WatermarkInput& input, const StagedDatabase& staged) {
  HP_ASSIGN_OR_RETURN(auto info, staged.inspect());
  std::uint64_t dropped = 0;
  for (const auto& name : input.tables) {
    const auto table = std::find_if(info.tables.begin(), info.tables.end(), [&](const TableInfo& t) {
      return t.definition.name == TableName{"public", name};
    });
    if (table == info.tables.end()) {
      continue;
    }
    for (const auto& key : table->definition.foreign_keys) {
      const std::string rows = watermark_sql::orphans(key, table->definition.name);
      HP_ASSIGN_OR_RETURN(auto counted, staged.query("SELECT COUNT(*) FROM " + rows));
      HP_ASSIGN_OR_RETURN(const std::uint64_t orphans, single_count(counted, "rows whose parent was dropped"));
      if (orphans > 0) {
        HP_TRY(staged.query("DELETE FROM " + rows));
        dropped += orphans;
      }
    }
  }
  return dropped;
}

} // namespace

Result<WatermarkOutcome> apply_watermark(const WatermarkInput& input, const StagedDatabase& staged) {
  auto probe = staged.query(watermark_sql::largest(input));
  if (!probe) {
    auto columns = staged.query(fmt::format("SELECT * FROM {} LIMIT 0", watermark_sql::root(input)));
    std::vector<std::string> names;
    if (columns) {
      for (const auto& c : columns->columns) {
        names.push_back(c.name);
      }
    }
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("incremental column \"{}\" is not a column of source {}", input.column, input.table),
                      names.empty() ? "check incremental.column" : fmt::format("its columns: {}", fmt::join(names, ", ")));
  }
  if (probe->columns.empty() || !probe->columns[0].type) {
    return make_error(ErrorKind::unsupported,
                      fmt::format("incremental column \"{}\" has a type that cannot be compared", input.column));
  }
  WatermarkOutcome outcome;
  outcome.type = probe->columns[0].type->sql();
  if (input.watermark) {
    if (!input.previous_type.empty() && input.previous_type != outcome.type) {
      outcome.type = input.previous_type; // compare as the type the watermark was taken in
    }
    HP_ASSIGN_OR_RETURN(auto counted, staged.query(watermark_sql::count_stale(input, *input.watermark, outcome.type)));
    HP_ASSIGN_OR_RETURN(outcome.skipped, single_count(counted, "rows at or below the watermark"));
    if (outcome.skipped > 0) {
      HP_TRY(staged.query(watermark_sql::delete_stale(input, *input.watermark, outcome.type)));
    }
    HP_ASSIGN_OR_RETURN(probe, staged.query(watermark_sql::largest(input)));
  }
  const auto& top = probe->rows.empty() || probe->rows.front().empty() ? std::optional<std::string>{} : probe->rows.front().front();
  outcome.watermark_after = top ? top : input.watermark; // nothing new: the watermark stays
  if (outcome.skipped > 0 && input.tables.size() > 1) {
    HP_ASSIGN_OR_RETURN(outcome.orphans_dropped, drop_orphans(input, staged));
  }
  return outcome;
}

} // namespace hyperpipe::pipeline
