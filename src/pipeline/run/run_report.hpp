#pragma once
// The record of one run: what each source read, loaded and rejected, what each transform and
// output produced, what was published, how long each step took, and, if the run failed, which
// step failed and why. Written as JSON after every run (successful or not) for log collectors
// and schedulers; the CLI prints a short summary of it.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "base/utc_now.hpp"
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::pipeline {

/// Which part of a run failed; the CLI maps it to an exit code.
/// busy: another process holds the pipeline's run lock, so this run did nothing.
enum class FailedStage { none, configuration, source, transform, output, publish, engine, busy };
std::string_view failed_stage_name(FailedStage stage);

struct SourceReport {
  std::string name;
  std::string type;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::uint64_t rows_skipped = 0; ///< at or below the watermark (incremental sources)
  std::uint64_t bytes = 0;
  std::vector<std::string> tables;
  std::optional<std::string> watermark_before;
  std::optional<std::string> watermark_after;
  std::vector<std::string> notes;
  double seconds = 0;
};

struct TransformReport {
  std::string name;
  std::uint64_t rows = 0;
  double seconds = 0;
};

struct OutputTableReport {
  std::string table; ///< "schema"."table"
  std::string mode;
  std::uint64_t rows_written = 0;  ///< inserted by this run
  std::uint64_t rows_replaced = 0; ///< replace_by_key: earlier rows deleted for a key in the batch
  std::uint64_t rows_total = 0;    ///< in the table after the run
};

struct OutputReport {
  std::string name;
  std::filesystem::path file;
  std::vector<OutputTableReport> tables;
  std::uint64_t bytes = 0;
  double seconds = 0;
};

/// One table of a sync publish: what was sent for it.
struct SyncTableReport {
  std::string table; ///< "schema"."table"
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t deleted = 0;
  std::uint64_t replaced = 0; ///< rows of a table without a key, sent whole (replace)
};

/// How a sync publish went: changes sent (or the whole file, and why).
struct SyncReport {
  bool whole_file = false;
  std::string why_whole; ///< when whole_file: the first run, the data source changed on the server, ...
  std::vector<SyncTableReport> tables;
  int batches = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t bytes_full_publish = 0; ///< what publishing the file whole would have sent
};

struct PublishReport {
  std::string output;
  std::string server;
  std::string site;
  std::string project;
  std::string name;
  std::string mode;
  std::string datasource_id;
  std::string url;
  double seconds = 0;
  std::optional<SyncReport> sync = std::nullopt; ///< mode sync
};

struct RunReport {
  std::string pipeline;
  std::filesystem::path pipeline_file;
  std::string started;  ///< ISO 8601 UTC
  std::string finished;
  double seconds = 0;
  bool succeeded = false;
  FailedStage failed_stage = FailedStage::none;
  std::string failed_step; ///< e.g. "source sales"
  ErrorKind error_kind = ErrorKind::internal;
  std::string error;
  std::string hint;
  std::vector<SourceReport> sources;
  std::vector<TransformReport> transforms;
  std::vector<OutputReport> outputs;
  std::vector<PublishReport> publishes;
  std::vector<std::string> notes;

  std::string to_json() const;
  /// A few lines for people: rows per source, rows per output table, publish results.
  std::string summary() const;
};

/// Now, as ISO 8601 UTC with milliseconds ("2026-11-25T19:21:08.123Z").
using base::utc_now;

} // namespace hyperpipe::pipeline
