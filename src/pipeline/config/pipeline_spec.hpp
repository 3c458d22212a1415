#pragma once
// A pipeline as read from its YAML file: sources, SQL transforms, outputs and their publish
// targets. Produced by parse_pipeline(), which checks everything that can be checked without
// running anything; docs/pipeline.md describes the file.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/table.hpp"
#include "pipeline/config/diagnostics.hpp"
#include "pipeline/config/interpolate.hpp"
#include "notify/notifier.hpp"
#include "pipeline/sources/source_plugin.hpp"
#include "publish/tableau_client.hpp"
#include "schedule/scheduler.hpp"

namespace hyperpipe::pipeline {

struct SourceSpec {
  std::string name;
  std::string type;
  Mark mark;
  std::shared_ptr<const ConfiguredSource> source;
  /// Append-only loading: rows whose value in this column is not above the last run's largest
  /// value are skipped. Unset: a full reload each run.
  std::optional<std::string> incremental_column;
  bool keep_rejects = false; ///< on_error: reject (bad rows go to a file) instead of fail
};

struct TransformSpec {
  std::string name;
  std::string sql;
  Mark mark;
};

enum class TableMode { replace, append, replace_by_key };
std::string_view table_mode_name(TableMode mode);

struct OutputTableSpec {
  TableName name;
  Mark mark;
  std::string from; ///< a source or transform name; or
  std::string sql;  ///< a query
  TableMode mode = TableMode::replace;
  std::vector<std::string> key; ///< replace_by_key: the columns identifying a row
  std::vector<std::string> primary_key;
  std::vector<ForeignKey> foreign_keys;
};

/// A pipeline output's publish target: the one publish-options type, and where it was written.
struct PublishSpec : publish::PublishTarget {
  Mark mark;
};

struct OutputSpec {
  std::string name;
  std::filesystem::path file; ///< absolute
  std::optional<int> file_version;
  std::vector<OutputTableSpec> tables;
  std::vector<PublishSpec> publish;
  Mark mark;
};

/// When the pipeline runs by itself (`hyperpipe schedule` and `hyperpipe schedule install`),
/// and how the daemon treats its runs (src/schedule/scheduler.hpp has the rules).
struct ScheduleSpec {
  std::string cron;     ///< five fields or a macro, validated
  std::string timezone; ///< IANA name, validated
  schedule::Overlap overlap = schedule::Overlap::skip;
  schedule::CatchUp catch_up = schedule::CatchUp::none;
  std::optional<std::chrono::seconds> max_run_time;
  int retries = 0;
  std::chrono::seconds retry_backoff{60};
  Mark mark;
};

/// Who hears about a run's end (manual or scheduled): src/notify/notifier.hpp.
struct NotifySpec {
  notify::Targets targets;
  std::optional<std::filesystem::path> ca_bundle;
  bool allow_http = false;
  Mark mark;
};

struct PipelineSpec {
  std::filesystem::path file; ///< the YAML file
  std::string name;
  std::filesystem::path state_dir; ///< absolute: state, reports, scratch space
  int parallel_sources = 3;
  int history_runs = 1000; ///< runs kept in the run history
  std::optional<ScheduleSpec> schedule;
  std::optional<NotifySpec> notify;
  std::vector<SourceSpec> sources;
  std::vector<TransformSpec> transforms;
  std::vector<OutputSpec> outputs;
  std::vector<std::string> secrets; ///< values to redact everywhere

  const OutputSpec* find_output(std::string_view name) const;
};

struct ParsedPipeline {
  std::optional<PipelineSpec> spec; ///< set only when there are no diagnostics
  Diagnostics diagnostics;
  std::vector<std::string> secrets; ///< read so far, to redact from the diagnostics
};


/// Parses and checks a pipeline (the text of `file`).
ParsedPipeline parse_pipeline(std::string_view yaml, const std::filesystem::path& file, const Environment& environment);
/// Reads the file, then parse_pipeline.
ParsedPipeline load_pipeline(const std::filesystem::path& file, const Environment& environment);

} // namespace hyperpipe::pipeline
