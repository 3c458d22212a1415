#pragma once
// Incremental sources after staging: rows at or below the last watermark (or without a value)
// were loaded by an earlier run, so they are dropped from the staged table and counted, never
// silently; child-table rows of dropped records go too; the new watermark is the largest value
// left (or the old one, when nothing is new). The SQL is built by pure functions (tested
// without hyperd); apply_watermark runs it through a narrow interface to the staged file.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"
#include "hyperpipe/inspect.hpp"
#include "hyperpipe/query_result.hpp"

namespace hyperpipe::pipeline {

/// The staged file, as the watermark step uses it.
struct StagedDatabase {
  std::function<Result<QueryResult>(std::string_view sql)> query;
  std::function<Result<ExtractInfo>()> inspect;
};

struct WatermarkInput {
  std::string table;                    ///< the source's root table, in schema "public"
  std::string column;                   ///< the incremental column
  std::optional<std::string> watermark; ///< last run's, in Hyper's text form
  std::string previous_type;            ///< the SQL type it was taken in ("" when unknown)
  std::vector<std::string> tables;      ///< every staged table, root first (children follow)
};

struct WatermarkOutcome {
  std::uint64_t skipped = 0;          ///< root rows at or below the watermark, dropped
  std::uint64_t orphans_dropped = 0;  ///< child rows of those, dropped too
  std::optional<std::string> watermark_after; ///< empty: still none (nothing loaded yet)
  std::string type;                   ///< the SQL type to compare the watermark as next time
};

Result<WatermarkOutcome> apply_watermark(const WatermarkInput& input, const StagedDatabase& staged);

/// The statements, pure.
namespace watermark_sql {
std::string root(const WatermarkInput& input);
std::string largest(const WatermarkInput& input);
/// Rows the earlier runs loaded: no value, or not past `watermark` compared as `type`.
std::string stale(const WatermarkInput& input, std::string_view watermark, std::string_view type);
std::string count_stale(const WatermarkInput& input, std::string_view watermark, std::string_view type);
std::string delete_stale(const WatermarkInput& input, std::string_view watermark, std::string_view type);
/// A child's rows whose parent (by its ASSUMED foreign key) is gone.
std::string orphans(const ForeignKey& key, const TableName& child);
} // namespace watermark_sql

} // namespace hyperpipe::pipeline
