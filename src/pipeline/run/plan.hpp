#pragma once
// What a run will do, in order, worked out from the pipeline alone (pure: no hyperd, no files):
// which sources are staged as which workspace tables, the SQL of each transform, which outputs
// are written with which statements, and where they are published. `hyperpipe run --dry-run`
// prints it; the runner executes it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hyperpipe/extract.hpp"
#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::pipeline {

struct PlannedTransform {
  const TransformSpec* spec = nullptr;
  std::string sql;       ///< CREATE TABLE ... AS (...), run in the workspace
  std::string count_sql; ///< its rows counted, for the report
};

struct PlannedTable {
  const OutputTableSpec* spec = nullptr;
  std::string select; ///< the rows, as a query over the workspace
  /// The source whose staged file can become this table's output as it is, instead of copying
  /// its rows through the workspace (find_direct_sources); empty: copied. The runner confirms it
  /// once the source is staged (one table of the output's file version, every column nullable).
  std::string direct_source = {};
};

struct PlannedOutput {
  const OutputSpec* spec = nullptr;
  CreateMode mode = CreateMode::replace; ///< replace unless a table keeps earlier rows
  std::vector<PlannedTable> tables;
};

struct PlannedPublish {
  const OutputSpec* output = nullptr;
  const PublishSpec* target = nullptr;
};

struct Plan {
  std::vector<const SourceSpec*> sources;
  std::vector<PlannedTransform> transforms;
  std::vector<PlannedOutput> outputs;
  std::vector<PlannedPublish> publishes;

  /// Human-readable, one step per line (for --dry-run).
  std::string describe() const;
  /// The output table `source` can be staged straight into, if any.
  std::optional<std::pair<const PlannedOutput*, const PlannedTable*>> direct_table_of(const std::string& source) const;
};

struct PlanOptions {
  std::vector<std::string> only; ///< output names; empty: every output
  bool publish = true;
};

Result<Plan> make_plan(const PipelineSpec& pipeline, const PlanOptions& options);

/// The user's query without trailing semicolons and blanks, so it can be wrapped.
std::string trim_query(std::string_view sql);

} // namespace hyperpipe::pipeline
