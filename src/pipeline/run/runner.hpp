#pragma once
// `hyperpipe run`: executes a pipeline's plan.
//
//   1. every source is staged into its own .hyper file in the run's scratch folder, several at
//      once (parallel_sources); incremental sources drop rows at or below their watermark;
//   2. the staged tables are gathered into one workspace database, where unqualified names in
//      the pipeline's SQL resolve;
//   3. transforms run there in order, each materialised as a workspace table;
//   4. each output is built in a temporary file with INSERT ... SELECT from the workspace;
//      only when every output is complete are they renamed over the previous files;
//   5. the state file (watermarks) is replaced; then each output is published.
//
// A failure at any step stops the run with the step named; the previous outputs, state and
// published data sources stay as they were (publishing comes last, after the files are safe).

#include <functional>
#include <memory>
#include <string>

#include "hyperpipe/engine.hpp"
#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/plan.hpp"
#include "pipeline/run/run_report.hpp"
#include "pipeline/run/run_work.hpp"

namespace hyperpipe::pipeline {

struct RunEvent {
  enum class Kind { started, progress, finished, failed, note };
  Kind kind = Kind::note;
  std::string step = {}; ///< "source sales", "transform joined", "output videos", "publish videos"
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  std::string message = {};
  std::uint64_t total_bytes = 0; ///< what `bytes` will reach (a file's size, an upload's); 0: unknown
};

/// Receives the run's progress (from several threads; calls are serialised by the runner).
class RunObserver {
public:
  virtual ~RunObserver() = default;
  virtual void on_event(const RunEvent& event) = 0;
};

struct RunOptions {
  PlanOptions plan;
  /// Where publish credentials are read from (HYPERPIPE_TABLEAU_*).
  Environment environment = process_environment();
  /// Called after each durable step of the commit ("kept N", "journal", "renamed N", "done"):
  /// crash tests stop the process there.
  std::function<void(std::string_view)> after_commit_step;
};

/// Runs the pipeline; the report says whether it succeeded and, if not, where it failed.
RunReport run_pipeline(HyperEngine& engine, const PipelineSpec& pipeline, const RunOptions& options,
                       RunObserver& observer);
/// The same with the engine and the publisher given (pipeline/run/run_work.hpp): unit tests run
/// the runner on fakes.
RunReport run_pipeline(RunEngine& engine, RunPublisher& publisher, const PipelineSpec& pipeline, const RunOptions& options,
                       RunObserver& observer);

/// Files a run keeps beside each other in the state folder.
std::filesystem::path state_file_of(const PipelineSpec& pipeline);
std::filesystem::path report_file_of(const PipelineSpec& pipeline);
std::filesystem::path history_file_of(const PipelineSpec& pipeline);
std::filesystem::path run_lock_file_of(const PipelineSpec& pipeline);
/// The journal of a commit in flight (pipeline/state/commit_journal.hpp).
std::filesystem::path commit_journal_of(const PipelineSpec& pipeline);
/// Where a new output (or state file) waits, complete, for the commit: beside its target.
std::filesystem::path staged_file_of(const std::filesystem::path& target, const PipelineSpec& pipeline);

} // namespace hyperpipe::pipeline
