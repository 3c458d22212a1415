#pragma once
// `publish: {mode: sync}`: keeps a published data source in step with a pipeline output by
// sending only what changed since hyperpipe last published it, exactly once.
//
// The state folder keeps a copy of what was last published (it advances only when the server
// confirmed every batch) and the sync state (pipeline/state/sync_state.hpp). A run:
//   1. sends again the batches an earlier run left unconfirmed (same payloads, same request ids:
//      the server applies each id once), then advances the copy;
//   2. computes, inside hyperd, this output's changes against the copy (per table: upserts and
//      deletes by its key, or the whole table with replace when it has none), in payloads below
//      the server's limit;
//   3. records them as pending, sends them in order (deletes, upserts, replaces), marking each
//      confirmed batch, and advances the copy.
// It publishes the file whole (overwrite) instead, and says why in the report, when there is
// nothing to compare with (the first run, the copy lost), the data source is missing or changed
// on the server since, the server is too old, or a table's columns changed.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/plan.hpp"
#include "pipeline/run/run_report.hpp"
#include "pipeline/run/run_work.hpp"

namespace hyperpipe::pipeline {

struct SyncPublishContext {
  RunEngine& engine;
  RunPublisher& publisher;
  const PipelineSpec& pipeline;
  const PlannedPublish& planned;
  std::size_t target_index; ///< of the target among its output's publish targets
  std::string run_started;
  std::function<void(const std::string& secret)> add_secret;
  std::function<void(std::uint64_t sent, std::uint64_t total)> on_progress;
};

struct SyncPublishOutcome {
  publish::PublishResult published; ///< the data source (and, for a whole publish, its notes)
  SyncReport report;
  std::vector<std::string> notes;
};

Result<SyncPublishOutcome> sync_publish(const SyncPublishContext& context);

/// The sync state file of a pipeline, and the folder of one target's copy and pending batches.
std::filesystem::path sync_state_file_of(const PipelineSpec& pipeline);
std::filesystem::path sync_folder_of(const PipelineSpec& pipeline, const std::string& output, std::size_t target_index);

} // namespace hyperpipe::pipeline
